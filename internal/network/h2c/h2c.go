// Package h2c reads clear-text HTTP/2 (h2c, RFC 9113 with prior
// knowledge) far enough to find DNS over HTTPS sent in clear (RFC 8484):
// the header blocks of both directions are decoded with HPACK (the
// dynamic table kept in step, golang.org/x/net's decoder), and the bodies
// of the streams whose request or response is a DNS message are handed
// out whole, as are the DNS queries of GET requests (?dns=, base64url).
// Everything is bounded: frame size, streams followed, body size.
package h2c

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/url"
	"strings"

	"golang.org/x/net/http2/hpack"
)

// Preface is the client connection preface that starts an h2c connection
// with prior knowledge.
const Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// Bounds.
const (
	MaxFrame   = 1 << 14 // frame payload read (the protocol's default maximum)
	MaxStreams = 32      // streams followed at once per connection
	MaxBody    = 65535   // a DNS message's largest size
	maxHeader  = 8 << 10 // header string length
)

// Frame types and flags used.
const (
	frameData         = 0
	frameHeaders      = 1
	frameContinuation = 9
	flagEndStream     = 0x1
	flagEndHeaders    = 0x4
	flagPadded        = 0x8
	flagPriority      = 0x20
)

// ErrNotH2 means the bytes are not (or no longer) HTTP/2 frames.
var ErrNotH2 = errors.New("h2c: not an HTTP/2 frame stream")

// DNSMessage is called with each DNS message found (valid during the call).
type DNSMessage func(msg []byte)

// Reader reads one direction of an h2c connection.
type Reader struct {
	client  bool
	preface bool // the client's preface was read
	dec     *hpack.Decoder
	hdrs    struct {
		stream uint32
		open   bool // inside a header block (CONTINUATION frames follow)
		end    bool // the block's HEADERS frame ended the stream
	}
	field   func(hpack.HeaderField)
	cur     *stream // stream whose header block is being decoded
	streams map[uint32]*stream
	onDNS   DNSMessage // the callback of the Feed under way
	done    bool
}

type stream struct {
	dns  bool // a DNS message body (content-type application/dns-message)
	body []byte
}

// NewReader returns a reader of the client's (client true) or the server's
// direction.
func NewReader(client bool) *Reader {
	r := &Reader{client: client, streams: map[uint32]*stream{}}
	r.field = func(f hpack.HeaderField) {
		s := r.cur
		if s == nil {
			return
		}
		switch f.Name {
		case ":path":
			if q := dnsParam(f.Value); q != nil && r.onDNS != nil {
				r.onDNS(q)
			}
		case "content-type":
			ct, _, _ := strings.Cut(f.Value, ";")
			s.dns = strings.EqualFold(strings.TrimSpace(ct), "application/dns-message")
		}
	}
	r.dec = hpack.NewDecoder(4096, r.field)
	r.dec.SetMaxStringLength(maxHeader)
	return r
}

// Done reports whether the direction holds nothing more to read.
func (r *Reader) Done() bool { return r.done }

// Feed reads the complete frames at the start of b, calling dns with each
// DNS message found, and returns the bytes consumed. An error means b is
// not an HTTP/2 frame stream; Done is then true.
func (r *Reader) Feed(b []byte, dns DNSMessage) (int, error) {
	r.onDNS = dns
	defer func() { r.onDNS = nil }()
	n := 0
	if r.client && !r.preface {
		if len(b) < len(Preface) {
			if !strings.HasPrefix(Preface, string(b)) {
				return r.fail()
			}
			return 0, nil
		}
		if string(b[:len(Preface)]) != Preface {
			return r.fail()
		}
		r.preface = true
		n = len(Preface)
	}
	for !r.done && len(b)-n >= 9 {
		h := b[n:]
		l := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		typ, flags := h[3], h[4]
		id := binary.BigEndian.Uint32(h[5:]) & 0x7fffffff
		if l > MaxFrame || r.hdrs.open && (typ != frameContinuation || id != r.hdrs.stream) {
			return r.fail()
		}
		if len(h) < 9+l {
			break
		}
		p := h[9 : 9+l]
		n += 9 + l
		var err error
		switch typ {
		case frameHeaders:
			err = r.headers(id, flags, p)
		case frameContinuation:
			if !r.hdrs.open {
				return r.fail()
			}
			err = r.block(flags, p)
		case frameData:
			err = r.data(id, flags, p, dns)
		}
		if err != nil {
			return r.fail()
		}
	}
	return n, nil
}

func (r *Reader) fail() (int, error) {
	r.done = true
	return 0, ErrNotH2
}

// unpad removes a frame's padding (and, for HEADERS, its priority).
func unpad(flags byte, p []byte, priority bool) ([]byte, bool) {
	if flags&flagPadded != 0 {
		if len(p) < 1 || int(p[0]) > len(p)-1 {
			return nil, false
		}
		p = p[1 : len(p)-int(p[0])]
	}
	if priority && flags&flagPriority != 0 {
		if len(p) < 5 {
			return nil, false
		}
		p = p[5:]
	}
	return p, true
}

func (r *Reader) headers(id uint32, flags byte, p []byte) error {
	p, ok := unpad(flags, p, true)
	if !ok || id == 0 {
		return ErrNotH2
	}
	s := r.streams[id]
	if s == nil {
		if len(r.streams) >= MaxStreams {
			s = &stream{} // decoded (to keep HPACK in step), not followed
		} else {
			s = &stream{}
			r.streams[id] = s
		}
	}
	r.cur = s
	r.hdrs.stream, r.hdrs.open, r.hdrs.end = id, true, flags&flagEndStream != 0
	return r.block(flags, p)
}

// block decodes a header block fragment; the block ends with END_HEADERS.
func (r *Reader) block(flags byte, p []byte) error {
	if _, err := r.dec.Write(p); err != nil {
		return err
	}
	if flags&flagEndHeaders == 0 {
		return nil
	}
	r.hdrs.open = false
	if err := r.dec.Close(); err != nil {
		return err
	}
	if r.hdrs.end {
		delete(r.streams, r.hdrs.stream)
	}
	r.cur = nil
	return nil
}

func (r *Reader) data(id uint32, flags byte, p []byte, dns DNSMessage) error {
	p, ok := unpad(flags, p, false)
	if !ok {
		return ErrNotH2
	}
	s := r.streams[id]
	if s == nil {
		return nil
	}
	if s.dns && len(s.body)+len(p) <= MaxBody {
		s.body = append(s.body, p...)
	} else {
		s.dns = false
		s.body = nil
	}
	if flags&flagEndStream != 0 {
		if s.dns && len(s.body) > 0 && dns != nil {
			dns(s.body)
		}
		delete(r.streams, id)
	}
	return nil
}

// dnsParam returns the DNS query of a GET request's path (RFC 8484 §4.1:
// the dns parameter, base64url without padding), or nil.
func dnsParam(path string) []byte {
	_, q, ok := strings.Cut(path, "?")
	if !ok || !strings.Contains(q, "dns=") {
		return nil
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return nil
	}
	s := v.Get("dns")
	if s == "" || len(s) > 2*MaxBody {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) < 12 {
		return nil
	}
	return bytes.Clone(b)
}
