package androidgen

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"time"
)

// Certificate returns a deterministic self-signed certificate (DER) for
// the subject common name cn.
func Certificate(cn string) []byte {
	seed := sha256.Sum256([]byte("androidgen-cert/" + cn))
	key := ed25519.NewKeyFromSeed(seed[:])
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(seed[0])<<16 | int64(seed[1])<<8 | int64(seed[2]) + 1),
		Subject:   pkix.Name{CommonName: cn, Organization: []string{cn}},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return der
}

// APK returns a minimal APK (a zip) signed, as far as the certificate is
// concerned, with scheme "v1" (META-INF/CERT.RSA PKCS#7), "v2" or "v3"
// (APK Signing Block). Signatures are not real: readers of the
// certificate do not verify them.
func APK(cn, scheme string) []byte {
	cert := Certificate(cn)
	files := []File{{Path: "AndroidManifest.xml", Data: []byte("manifest of " + cn)}, {Path: "classes.dex", Data: []byte("dex\n035\x00")}}
	if scheme == "v1" {
		files = append(files, File{Path: "META-INF/CERT.RSA", Data: pkcs7(cert)}, File{Path: "META-INF/MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\n")})
		return ZipBytes(files, false)
	}
	z := ZipBytes(files, false)
	id := uint32(0x7109871a)
	if scheme == "v3" {
		id = 0xf05368c0
	}
	return withSigningBlock(z, id, cert)
}

func pkcs7(cert []byte) []byte {
	set := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true}
	data, _ := asn1.Marshal(struct{ T asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}})
	sd, _ := asn1.Marshal(struct {
		Version int
		Digests asn1.RawValue
		Content asn1.RawValue
		Certs   asn1.RawValue
		Signers asn1.RawValue
	}{1, set, asn1.RawValue{FullBytes: data}, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: cert}, set})
	ci, _ := asn1.Marshal(struct {
		T asn1.ObjectIdentifier
		C asn1.RawValue
	}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
	return ci
}

func lp32(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

// withSigningBlock inserts an APK Signing Block holding cert before the
// central directory of zip z.
func withSigningBlock(z []byte, id uint32, cert []byte) []byte {
	signed := append(lp32(nil), lp32(lp32(cert))...) // digests (empty), certificates
	signed = append(signed, lp32(nil)...)            // additional attributes
	signer := lp32(signed, nil, []byte("pubkey"))    // signed data, signatures, public key
	value := lp32(lp32(signer))                      // signers
	var pair []byte
	pair = binary.LittleEndian.AppendUint64(pair, uint64(4+len(value)))
	pair = binary.LittleEndian.AppendUint32(pair, id)
	pair = append(pair, value...)
	size := uint64(len(pair) + 8 + 16)
	var block []byte
	block = binary.LittleEndian.AppendUint64(block, size)
	block = append(block, pair...)
	block = binary.LittleEndian.AppendUint64(block, size)
	block = append(block, "APK Sig Block 42"...)
	e := bytes.LastIndex(z, []byte("PK\x05\x06"))
	cd := binary.LittleEndian.Uint32(z[e+16:])
	out := append(append(append([]byte(nil), z[:cd]...), block...), z[cd:]...)
	binary.LittleEndian.PutUint32(out[e+len(block)+16:], cd+uint32(len(block)))
	return out
}
