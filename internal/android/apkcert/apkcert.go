// Package apkcert owns reading the signing certificate of an APK: from the
// APK Signing Block (signature schemes v3 and v2, located just before the
// zip central directory), else from the JAR signature (v1: the PKCS#7
// SignedData in META-INF/*.RSA, *.DSA or *.EC). It reads the certificate
// only: it does not verify signatures. Every length read from the file is
// bounded.
package apkcert

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path"
	"sort"
	"strings"
	"time"
)

// Signing block IDs.
const (
	idV2 = 0x7109871a
	idV3 = 0xf05368c0
)

const (
	sigMagic    = "APK Sig Block 42"
	maxBlock    = 64 << 20
	maxV1Sig    = 1 << 20
	maxEOCDScan = 0xFFFF + 22
)

// ErrNoSignature means the APK has no readable signing certificate.
var ErrNoSignature = errors.New("no APK signing certificate found")

// Certificate is a signing certificate in androidqf's packages.json form.
type Certificate struct {
	Md5                string   `json:"Md5"`
	Sha1               string   `json:"Sha1"`
	Sha256             string   `json:"Sha256"`
	ValidFrom          string   `json:"ValidFrom"`
	ValidTo            string   `json:"ValidTo"`
	Issuer             string   `json:"Issuer"`
	Subject            string   `json:"Subject"`
	SignatureAlgorithm string   `json:"SignatureAlgorithm"`
	SerialNumber       *big.Int `json:"SerialNumber"`
	Scheme             string   `json:"scheme"` // v3, v2 or v1
}

// Describe fills a Certificate from a parsed certificate.
func Describe(c *x509.Certificate, scheme string) *Certificate {
	m, s1, s256 := md5.Sum(c.Raw), sha1.Sum(c.Raw), sha256.Sum256(c.Raw)
	return &Certificate{Md5: hex.EncodeToString(m[:]), Sha1: hex.EncodeToString(s1[:]), Sha256: hex.EncodeToString(s256[:]),
		ValidFrom: c.NotBefore.UTC().Format(time.RFC3339), ValidTo: c.NotAfter.UTC().Format(time.RFC3339),
		Issuer: c.Issuer.String(), Subject: c.Subject.String(), SignatureAlgorithm: c.SignatureAlgorithm.String(),
		SerialNumber: c.SerialNumber, Scheme: scheme}
}

// Read returns the signing certificate of the APK in r (size bytes).
func Read(r io.ReaderAt, size int64) (*Certificate, error) {
	if der, scheme, err := signingBlockCert(r, size); err == nil {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%s certificate: %w", scheme, err)
		}
		return Describe(c, scheme), nil
	}
	c, err := v1Cert(r, size)
	if err != nil {
		return nil, err
	}
	return Describe(c, "v1"), nil
}

// centralDirOffset finds the End of Central Directory record.
func centralDirOffset(r io.ReaderAt, size int64) (int64, error) {
	n := min(size, maxEOCDScan)
	if n < 22 {
		return 0, ErrNoSignature
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || i+22 > len(buf) {
		return 0, ErrNoSignature
	}
	off := int64(binary.LittleEndian.Uint32(buf[i+16:]))
	if off > size-n+int64(i) {
		return 0, ErrNoSignature
	}
	return off, nil
}

// signingBlockCert returns the first certificate of the first signer of the
// v3 (else v2) scheme.
func signingBlockCert(r io.ReaderAt, size int64) ([]byte, string, error) {
	cd, err := centralDirOffset(r, size)
	if err != nil || cd < 32 {
		return nil, "", ErrNoSignature
	}
	var foot [24]byte
	if _, err := r.ReadAt(foot[:], cd-24); err != nil {
		return nil, "", ErrNoSignature
	}
	if string(foot[8:]) != sigMagic {
		return nil, "", ErrNoSignature
	}
	bsize := binary.LittleEndian.Uint64(foot[:8])
	if bsize < 24 || bsize > maxBlock || int64(bsize)+8 > cd {
		return nil, "", ErrNoSignature
	}
	block := make([]byte, bsize-24) // the pairs, between the two size fields
	if _, err := r.ReadAt(block, cd-int64(bsize)); err != nil {
		return nil, "", ErrNoSignature
	}
	pairs := map[uint32][]byte{}
	for len(block) >= 12 {
		l := binary.LittleEndian.Uint64(block)
		if l < 4 || l > uint64(len(block)-8) {
			break
		}
		id := binary.LittleEndian.Uint32(block[8:])
		pairs[id] = block[12 : 8+l]
		block = block[8+l:]
	}
	for _, s := range []struct {
		id     uint32
		scheme string
	}{{idV3, "v3"}, {idV2, "v2"}} {
		if v, ok := pairs[s.id]; ok {
			if der, err := firstCert(v); err == nil {
				return der, s.scheme, nil
			}
		}
	}
	return nil, "", ErrNoSignature
}

// lp splits a uint32-length-prefixed field.
func lp(b []byte) (field, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}

// firstCert walks signers → signer → signed data → (digests, certificates)
// → first certificate.
func firstCert(v []byte) ([]byte, error) {
	signers, _, ok := lp(v)
	signer, _, ok2 := lp(signers)
	signed, _, ok3 := lp(signer)
	_, rest, ok4 := lp(signed) // digests
	certs, _, ok5 := lp(rest)
	cert, _, ok6 := lp(certs)
	if !(ok && ok2 && ok3 && ok4 && ok5 && ok6) || len(cert) == 0 {
		return nil, ErrNoSignature
	}
	return cert, nil
}

// v1Cert reads the certificate of the JAR signature.
func v1Cert(r io.ReaderAt, size int64) (*x509.Certificate, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a zip: %w", err)
	}
	var sigs []*zip.File
	for _, f := range zr.File {
		dir, base := path.Split(f.Name)
		ext := strings.ToUpper(path.Ext(base))
		if strings.EqualFold(dir, "META-INF/") && (ext == ".RSA" || ext == ".DSA" || ext == ".EC") {
			sigs = append(sigs, f)
		}
	}
	sort.Slice(sigs, func(i, j int) bool { return sigs[i].Name < sigs[j].Name })
	for _, f := range sigs {
		if f.UncompressedSize64 > maxV1Sig {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxV1Sig))
		rc.Close()
		if err != nil {
			continue
		}
		if c, err := PKCS7Cert(b); err == nil {
			return c, nil
		}
	}
	return nil, ErrNoSignature
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	ContentInfo      asn1.RawValue
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	Rest             []asn1.RawValue `asn1:"optional"`
}

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// PKCS7Cert returns the signer's certificate of a PKCS#7 SignedData (the
// leaf of the certificates it holds).
func PKCS7Cert(der []byte) (*x509.Certificate, error) {
	var ci contentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, errors.New("not PKCS#7 signed data")
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, err
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil || len(certs) == 0 {
		return nil, ErrNoSignature
	}
	return leaf(certs), nil
}

// leaf returns the signer's certificate of a chain: the first one that
// issued none of the others.
func leaf(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		issuer := false
		for _, d := range certs {
			if d != c && bytes.Equal(d.RawIssuer, c.RawSubject) {
				issuer = true
				break
			}
		}
		if !issuer {
			return c
		}
	}
	return certs[0]
}
