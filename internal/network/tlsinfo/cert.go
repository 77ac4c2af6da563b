package tlsinfo

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"time"
)

// Certificate describes one X.509 certificate sent by a server.
type Certificate struct {
	SHA1       string    `json:"sha1"`
	SHA256     string    `json:"sha256"`
	Subject    string    `json:"subject,omitempty"`
	Issuer     string    `json:"issuer,omitempty"`
	SANs       []string  `json:"sans,omitempty"`
	NotBefore  time.Time `json:"not_before,omitzero"`
	NotAfter   time.Time `json:"not_after,omitzero"`
	SelfSigned bool      `json:"self_signed,omitempty"`
	ParseError string    `json:"parse_error,omitempty"`
}

// MaxChain bounds the certificates read from one Certificate message.
const MaxChain = 10

// ParseCertificateMsg parses a TLS 1.2 (or earlier) Certificate handshake
// message and describes each certificate, leaf first.
func ParseCertificateMsg(msg []byte) ([]Certificate, error) {
	r := reader{b: msg}
	if r.u8() != TypeCertificate {
		return nil, errors.New("tls: not a Certificate message")
	}
	r = reader{b: r.bytes(r.u24())}
	list := reader{b: r.bytes(r.u24())}
	if r.err {
		return nil, ErrShort
	}
	var out []Certificate
	for len(list.b) > 0 && len(out) < MaxChain {
		der := list.bytes(list.u24())
		if list.err {
			return out, ErrShort
		}
		out = append(out, Describe(der))
	}
	return out, nil
}

// Describe hashes a DER certificate and reads its names.
func Describe(der []byte) Certificate {
	s1 := sha1.Sum(der)
	s256 := sha256.Sum256(der)
	c := Certificate{SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s256[:])}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		c.ParseError = err.Error()
		return c
	}
	c.Subject, c.Issuer = x.Subject.String(), x.Issuer.String()
	c.SANs = append(c.SANs, x.DNSNames...)
	for _, ip := range x.IPAddresses {
		c.SANs = append(c.SANs, ip.String())
	}
	c.NotBefore, c.NotAfter = x.NotBefore.UTC(), x.NotAfter.UTC()
	if bytes.Equal(x.RawSubject, x.RawIssuer) {
		err := x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature)
		c.SelfSigned = err == nil || errors.Is(err, x509.ErrUnsupportedAlgorithm)
	}
	return c
}
