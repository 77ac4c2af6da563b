package capture

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/net/http2/hpack"

	"github.com/spyscan/spyscan/internal/network/h2c"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// TestDNSOverClearHTTP2: DNS over HTTPS sent in clear HTTP/2 on any port
// (Suricata's dns-over-http2 captures) has its names read and checked,
// from the POST query and from the response.
func TestDNSOverClearHTTP2(t *testing.T) {
	h2frame := func(typ, flags byte, id uint32, p []byte) []byte {
		b := []byte{byte(len(p) >> 16), byte(len(p) >> 8), byte(len(p)), typ, flags}
		return append(binary.BigEndian.AppendUint32(b, id), p...)
	}
	fields := func(kv ...string) []byte {
		var buf bytes.Buffer
		enc := hpack.NewEncoder(&buf)
		for i := 0; i < len(kv); i += 2 {
			enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
		}
		return buf.Bytes()
	}
	client := bytes.Join([][]byte{[]byte(h2c.Preface), h2frame(4, 0, 0, nil),
		h2frame(1, 4, 1, fields(":method", "POST", ":path", "/dns-query", "content-type", "application/dns-message")),
		h2frame(0, 1, 1, netgen.DNSQuery(1, "doh-query.example", 1))}, nil)
	server := bytes.Join([][]byte{h2frame(4, 0, 0, nil),
		h2frame(1, 4, 1, fields(":status", "200", "content-type", "application/dns-message")),
		h2frame(0, 1, 1, netgen.DNSResponse(1, "doh-answer.example", 1, nil, []netip.Addr{netgen.Addr("192.0.2.53")}))}, nil)
	res := analyzeBytes(t, rawTCP(t, 8053,
		segment{false, 1000, 0, netgen.SYN, ""},
		segment{true, 5000, 1001, netgen.SYN | netgen.ACK, ""},
		segment{false, 1001, 5001, netgen.PSH | netgen.ACK, string(client)},
		segment{true, 5001, 1001 + uint32(len(client)), netgen.PSH | netgen.ACK, string(server)}))
	for _, name := range []string{"doh-query.example", "doh-answer.example"} {
		if findDNS(res, name) == nil || obs(res, KindDomain, name) == nil {
			t.Errorf("%s not read: DNS records %+v", name, res.DNS)
		}
	}
	if r := findDNS(res, "doh-answer.example", "192.0.2.53"); r == nil {
		t.Error("the answer's address is not tied to its name")
	}
}
