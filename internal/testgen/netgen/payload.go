package netgen

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"net/netip"
	"strings"
	"time"
)

// DNS record types.
const (
	TypeA     = 1
	TypeCNAME = 5
	TypeAAAA  = 28
)

func dnsName(b []byte, name string) []byte {
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// DNSQuery builds a query for name.
func DNSQuery(id uint16, name string, qtype uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)
	b = dnsName(b, name)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, 1)
}

// DNSResponse builds a response: name -> cnames... -> addrs. The question
// name is compressed in the answers, as real servers do.
func DNSResponse(id uint16, name string, qtype uint16, cnames []string, addrs []netip.Addr) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x81, 0x80, 0, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(cnames)+len(addrs)))
	b = append(b, 0, 0, 0, 0)
	b = dnsName(b, name)
	b = binary.BigEndian.AppendUint16(b, qtype)
	b = binary.BigEndian.AppendUint16(b, 1)
	owner := func(b []byte, i int) []byte {
		if i == 0 {
			return append(b, 0xc0, 12) // pointer to the question name
		}
		return dnsName(b, cnames[i-1])
	}
	i := 0
	for ; i < len(cnames); i++ {
		b = owner(b, i)
		b = append(b, 0, TypeCNAME, 0, 1, 0, 0, 0x0e, 0x10)
		rd := dnsName(nil, cnames[i])
		b = binary.BigEndian.AppendUint16(b, uint16(len(rd)))
		b = append(b, rd...)
	}
	for _, a := range addrs {
		b = owner(b, i)
		t := uint16(TypeA)
		if a.Is6() {
			t = TypeAAAA
		}
		b = binary.BigEndian.AppendUint16(b, t)
		b = append(b, 0, 1, 0, 0, 0x0e, 0x10)
		s := a.AsSlice()
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	return b
}

// MDNSAnnouncement is an mDNS response without a question announcing an
// address for name (class IN with the cache-flush bit, as responders send).
func MDNSAnnouncement(name string, addr netip.Addr) []byte {
	b := []byte{0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	b = dnsName(b, name)
	t := uint16(TypeA)
	if addr.Is6() {
		t = TypeAAAA
	}
	b = binary.BigEndian.AppendUint16(b, t)
	b = append(b, 0x80, 1, 0, 0, 0, 120)
	s := addr.AsSlice()
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// Hello describes a generated ClientHello.
type Hello struct {
	SNI      string
	ALPN     []string
	TLS13    bool // offer supported_versions 1.3 and 1.2
	Ciphers  []uint16
	SigAlgs  []uint16
	Groups   []uint16
	GREASE   bool
	Padding  int // extra padding extension bytes (to force segmentation)
	NoRecord bool
}

func vec16(b []byte, body []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

func ext(b []byte, typ uint16, body []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	return vec16(b, body)
}

// ClientHelloMsg builds the handshake message (type 1).
func ClientHelloMsg(h Hello) []byte {
	ciphers := h.Ciphers
	if ciphers == nil {
		ciphers = []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8}
	}
	if h.GREASE {
		ciphers = append([]uint16{0x0a0a}, ciphers...)
	}
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)
	body = append(body, 0)
	var cs []byte
	for _, c := range ciphers {
		cs = binary.BigEndian.AppendUint16(cs, c)
	}
	body = vec16(body, cs)
	body = append(body, 1, 0)
	var exts []byte
	if h.GREASE {
		exts = ext(exts, 0x1a1a, nil)
	}
	if h.SNI != "" {
		n := append([]byte{0}, vec16(nil, []byte(h.SNI))...)
		exts = ext(exts, 0, vec16(nil, n))
	}
	groups := h.Groups
	if groups == nil {
		groups = []uint16{0x001d, 0x0017, 0x0018}
	}
	var g []byte
	for _, v := range groups {
		g = binary.BigEndian.AppendUint16(g, v)
	}
	exts = ext(exts, 10, vec16(nil, g))
	exts = ext(exts, 11, []byte{1, 0})
	sig := h.SigAlgs
	if sig == nil {
		sig = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501}
	}
	var s []byte
	for _, v := range sig {
		s = binary.BigEndian.AppendUint16(s, v)
	}
	exts = ext(exts, 13, vec16(nil, s))
	if len(h.ALPN) > 0 {
		var l []byte
		for _, p := range h.ALPN {
			l = append(l, byte(len(p)))
			l = append(l, p...)
		}
		exts = ext(exts, 16, vec16(nil, l))
	}
	if h.TLS13 {
		exts = ext(exts, 43, []byte{4, 3, 4, 3, 3})
	}
	if h.Padding > 0 {
		exts = ext(exts, 21, make([]byte, h.Padding))
	}
	body = vec16(body, exts)
	msg := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	return append(msg, body...)
}

// Record wraps handshake messages in one TLS handshake record.
func Record(msgs ...[]byte) []byte {
	var body []byte
	for _, m := range msgs {
		body = append(body, m...)
	}
	b := []byte{22, 3, 1}
	return vec16(b, body)
}

// ClientHello builds a TLS record carrying a ClientHello.
func ClientHello(h Hello) []byte { return Record(ClientHelloMsg(h)) }

// TLSRecord wraps a body in one TLS record of the given content type.
func TLSRecord(contentType byte, body []byte) []byte {
	return vec16([]byte{contentType, 3, 3}, body)
}

// AlertRecord is an alert record (level 1 warning, 2 fatal).
func AlertRecord(level, description byte) []byte { return TLSRecord(21, []byte{level, description}) }

// ChangeCipherSpec is a ChangeCipherSpec record.
func ChangeCipherSpec() []byte { return TLSRecord(20, []byte{1}) }

// AppData is an application-data record of n pseudo-random bytes.
func AppData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*131 + 7)
	}
	return TLSRecord(23, b)
}

// ServerHelloOptions shape a generated ServerHello.
type ServerHelloOptions struct {
	TLS13      bool // supported_versions 1.3 (legacy version stays 1.2)
	RetryHello bool // a HelloRetryRequest (special Random, key_share group)
}

// ServerHelloMsg builds a ServerHello handshake message.
func ServerHelloMsg(o ServerHelloOptions) []byte {
	sh := []byte{3, 3}
	random := make([]byte, 32)
	if o.RetryHello {
		random = []byte{0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
			0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C}
	}
	sh = append(sh, random...)
	cipher := []byte{0xc0, 0x2f}
	if o.TLS13 || o.RetryHello {
		cipher = []byte{0x13, 0x01}
	}
	sh = append(sh, 0)
	sh = append(sh, cipher...)
	sh = append(sh, 0)
	var exts []byte
	if o.TLS13 || o.RetryHello {
		exts = ext(exts, 43, []byte{3, 4})
		if o.RetryHello {
			exts = ext(exts, 51, []byte{0, 0x1d})
		} else {
			exts = ext(exts, 51, append([]byte{0, 0x1d, 0, 32}, make([]byte, 32)...))
		}
	}
	sh = vec16(sh, exts)
	return append([]byte{2, byte(len(sh) >> 16), byte(len(sh) >> 8), byte(len(sh))}, sh...)
}

// CertificateMsg builds a TLS 1.2 Certificate message.
func CertificateMsg(chain ...[]byte) []byte {
	var list []byte
	for _, c := range chain {
		list = append(list, byte(len(c)>>16), byte(len(c)>>8), byte(len(c)))
		list = append(list, c...)
	}
	cb := append([]byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list...)
	return append([]byte{11, byte(len(cb) >> 16), byte(len(cb) >> 8), byte(len(cb))}, cb...)
}

// ServerHelloDoneMsg is a ServerHelloDone message.
func ServerHelloDoneMsg() []byte { return []byte{14, 0, 0, 0} }

// ServerFlight builds ServerHello, Certificate and ServerHelloDone (TLS 1.2)
// in one record.
func ServerFlight(chain ...[]byte) []byte {
	return Record(ServerHelloMsg(ServerHelloOptions{}), CertificateMsg(chain...), ServerHelloDoneMsg())
}

// Cert builds a deterministic Ed25519 certificate for cn with SANs, signed
// by itself (issuer "" or cn) or carrying the named issuer (not verifiable).
func Cert(cn string, sans []string, issuer string) []byte {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, DNSNames: sans,
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	parent := tmpl
	if issuer != "" && issuer != cn {
		parent = &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: issuer, Organization: []string{issuer}}}
	}
	der, err := x509.CreateCertificate(nil, tmpl, parent, key.Public(), key)
	if err != nil {
		panic(err) // static inputs: cannot fail
	}
	return der
}

// HTTPRequest builds a request head.
func HTTPRequest(method, host, target, ua string) []byte {
	s := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
	if ua != "" {
		s += "User-Agent: " + ua + "\r\n"
	}
	return []byte(s + "Accept: */*\r\n\r\n")
}
