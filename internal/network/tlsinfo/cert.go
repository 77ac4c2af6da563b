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
	// Partial: the certificate is cut short (the message, or the DER
	// element, ends past the bytes that were sent or captured): its hashes
	// are of the bytes that were read, not of a whole certificate.
	Partial bool `json:"partial,omitempty"`
	// Trailing counts bytes after the DER element inside the message's
	// certificate entry: the hashes are of the element alone (as tshark
	// shows it), so that bytes appended to a known certificate do not hide
	// it from its indicator.
	Trailing int `json:"trailing_bytes,omitempty"`
}

// MaxChain bounds the certificates read from one Certificate message.
const MaxChain = 10

// ParseCertificateMsg parses a TLS 1.2 (or earlier) Certificate handshake
// message and describes each certificate, leaf first. A message cut short
// (the capture ends inside it: see Reader.Pending) gives the certificates
// it holds whole and the one it cuts, marked Partial, with ErrShort.
func ParseCertificateMsg(msg []byte) ([]Certificate, error) {
	if len(msg) < 1 || msg[0] != TypeCertificate {
		return nil, errors.New("tls: not a Certificate message")
	}
	r := reader{b: msg[1:]}
	body, cut := r.cut(r.u24())
	r = reader{b: body}
	list, listCut := r.cut(r.u24())
	if r.err {
		return nil, ErrShort
	}
	cut = cut || listCut
	lr := reader{b: list}
	var out []Certificate
	for len(lr.b) > 0 && len(out) < MaxChain {
		der, entryCut := lr.cut(lr.u24())
		if lr.err {
			return out, ErrShort // not even the entry's length
		}
		c := describeEntry(der)
		if entryCut {
			if !cut {
				return out, ErrShort // an entry past its declared list: damaged, not cut
			}
			c.Partial = true
		}
		out = append(out, c)
		if entryCut {
			return out, ErrShort
		}
	}
	if cut {
		return out, ErrShort
	}
	return out, nil
}

// describeEntry describes the DER element a certificate entry holds: the
// element alone when bytes follow it in the entry, what there is of it
// (Partial) when it claims more than the entry holds.
func describeEntry(entry []byte) Certificate {
	n, ok := derLength(entry)
	switch {
	case !ok || n == len(entry):
		return Describe(entry)
	case n < len(entry):
		c := Describe(entry[:n])
		c.Trailing = len(entry) - n
		return c
	}
	c := Describe(entry)
	c.Partial = true
	return c
}

// derLength returns the length of the DER element (tag, length, contents)
// that starts b, when its header is a SEQUENCE with a definite length.
func derLength(b []byte) (int, bool) {
	if len(b) < 2 || b[0] != 0x30 {
		return 0, false
	}
	l := int(b[1])
	if l < 0x80 {
		return 2 + l, true
	}
	k := l & 0x7f
	if k == 0 || k > 4 || len(b) < 2+k {
		return 0, false
	}
	l = 0
	for _, c := range b[2 : 2+k] {
		l = l<<8 | int(c)
	}
	if l > MaxHandshake {
		return 0, false
	}
	return 2 + k + l, true
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
