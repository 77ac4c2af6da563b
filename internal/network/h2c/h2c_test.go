package h2c_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"testing"

	"golang.org/x/net/http2/hpack"

	"github.com/spyscan/spyscan/internal/network/h2c"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func frame(typ, flags byte, id uint32, p []byte) []byte {
	b := []byte{byte(len(p) >> 16), byte(len(p) >> 8), byte(len(p)), typ, flags}
	b = binary.BigEndian.AppendUint32(b, id)
	return append(b, p...)
}

// block encodes header fields with one encoder per direction (the dynamic
// table is shared by the direction's blocks, as on the wire).
func block(enc *hpack.Encoder, buf *bytes.Buffer, kv ...string) []byte {
	buf.Reset()
	for i := 0; i < len(kv); i += 2 {
		enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return bytes.Clone(buf.Bytes())
}

const (
	data, headers, continuation, settings = 0, 1, 9, 4
	endStream, endHeaders, padded         = 1, 4, 8
)

// TestDNSOverH2C: the DNS messages of DNS over HTTPS sent in clear HTTP/2
// (Suricata's dns-over-http2 captures) are found in both directions:
// POST bodies, GET ?dns= queries and responses, whatever the framing
// (padding, priority, CONTINUATION, a body over two DATA frames).
func TestDNSOverH2C(t *testing.T) {
	q := netgen.DNSQuery(1, "post.example", 1)
	q2 := netgen.DNSQuery(2, "get.example", 1)
	resp := netgen.DNSResponse(1, "post.example", 1, nil, nil)
	var cb, sb bytes.Buffer
	cenc, senc := hpack.NewEncoder(&cb), hpack.NewEncoder(&sb)
	client := bytes.Join([][]byte{
		[]byte(h2c.Preface),
		frame(settings, 0, 0, nil),
		// POST, its headers over HEADERS (padded, with priority) and CONTINUATION
		func() []byte {
			h := block(cenc, &cb, ":method", "POST", ":path", "/dns-query", ":authority", "doh.example", "content-type", "application/dns-message")
			p := append([]byte{2, 0, 0, 0, 0, 16}, h[:5]...)
			p = append(p, 0, 0)
			return append(frame(headers, padded|0x20, 1, p), frame(continuation, endHeaders, 1, h[5:])...)
		}(),
		frame(data, 0, 1, q[:10]),
		frame(data, endStream|padded, 1, append(append([]byte{3}, q[10:]...), 0, 0, 0)),
		// GET with the query in the path
		frame(headers, endHeaders|endStream, 3, block(cenc, &cb, ":method", "GET", ":path", "/dns-query?dns="+base64.RawURLEncoding.EncodeToString(q2), ":authority", "doh.example")),
		// a POST of another type is not read
		frame(headers, endHeaders, 5, block(cenc, &cb, ":method", "POST", ":path", "/upload", "content-type", "application/octet-stream")),
		frame(data, endStream, 5, netgen.DNSQuery(3, "not.example", 1)),
	}, nil)
	server := bytes.Join([][]byte{
		frame(settings, 0, 0, nil),
		frame(headers, endHeaders, 1, block(senc, &sb, ":status", "200", "content-type", "application/dns-message; charset=x")),
		frame(data, endStream, 1, resp),
	}, nil)
	for _, step := range []int{len(client), 7, 1} {
		var got [][]byte
		for _, dir := range []struct {
			client bool
			b      []byte
		}{{true, client}, {false, server}} {
			r := h2c.NewReader(dir.client)
			var buf []byte
			for off := 0; off < len(dir.b); off += step {
				buf = append(buf, dir.b[off:min(off+step, len(dir.b))]...)
				n, err := r.Feed(buf, func(m []byte) { got = append(got, bytes.Clone(m)) })
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				buf = buf[n:]
			}
			if len(buf) != 0 {
				t.Errorf("step %d: %d bytes left", step, len(buf))
			}
		}
		want := [][]byte{q, q2, resp}
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("step %d: %d messages %x, want %x", step, len(got), got, want)
		}
	}
}

func TestNotH2C(t *testing.T) {
	tests := []struct {
		name   string
		client bool
		b      []byte
	}{
		{"no preface", true, frame(settings, 0, 0, nil)},
		{"HTTP/1", true, []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")},
		{"frame past the bound", false, frame(data, 0, 1, make([]byte, h2c.MaxFrame+1))},
		{"DATA inside a header block", false, append(frame(headers, 0, 1, nil), frame(data, 0, 1, nil)...)},
		{"CONTINUATION without HEADERS", false, frame(continuation, endHeaders, 1, nil)},
		{"HEADERS on stream 0", false, frame(headers, endHeaders, 0, nil)},
		{"padding past the frame", false, frame(data, padded, 1, []byte{9, 1})},
		{"bad HPACK", false, frame(headers, endHeaders, 1, []byte{0xff, 0xff, 0xff, 0xff, 0xff})},
	}
	for _, tc := range tests {
		r := h2c.NewReader(tc.client)
		if _, err := r.Feed(tc.b, nil); err == nil || !r.Done() {
			t.Errorf("%s: read as HTTP/2", tc.name)
		}
	}
}

// TestStreamBound: past MaxStreams open streams, new ones are decoded (so
// HPACK stays in step) but not followed; the followed ones still give
// their messages.
func TestStreamBound(t *testing.T) {
	var sb bytes.Buffer
	enc := hpack.NewEncoder(&sb)
	var b []byte
	for i := range h2c.MaxStreams + 4 {
		b = append(b, frame(headers, endHeaders, uint32(2*i+1), block(enc, &sb, ":status", "200", "content-type", "application/dns-message"))...)
	}
	msg := netgen.DNSResponse(7, "bound.example", 1, nil, nil)
	b = append(b, frame(data, endStream, 1, msg)...)
	b = append(b, frame(data, endStream, uint32(2*(h2c.MaxStreams+2)+1), msg)...)
	n := 0
	_, err := h2c.NewReader(false).Feed(b, func([]byte) { n++ })
	if err != nil || n != 1 {
		t.Errorf("%d messages, %v; want 1", n, err)
	}
}

// FuzzReader: no input makes the reader panic, consume more than it was
// given or hand out a message over the body bound.
func FuzzReader(f *testing.F) {
	var sb bytes.Buffer
	enc := hpack.NewEncoder(&sb)
	f.Add(append([]byte(h2c.Preface), frame(headers, endHeaders, 1, block(enc, &sb, ":method", "GET", ":path", "/q?dns=AAABAAABAAAAAAAAAWEAAAEAAQ"))...), true)
	f.Add(append(frame(headers, endHeaders, 1, block(enc, &sb, "content-type", "application/dns-message")), frame(data, endStream, 1, []byte("0123456789abcdef"))...), false)
	f.Fuzz(func(t *testing.T, b []byte, client bool) {
		if len(b) > 1<<20 {
			return
		}
		r := h2c.NewReader(client)
		n, _ := r.Feed(b, func(m []byte) {
			if len(m) > h2c.MaxBody {
				t.Fatalf("message of %d bytes", len(m))
			}
		})
		if n > len(b) {
			t.Fatalf("consumed %d of %d", n, len(b))
		}
	})
}
