package tlsinfo

import (
	"encoding/binary"
	"errors"
)

// Record content types.
const (
	RecordChangeCipherSpec = 20
	RecordAlert            = 21
	RecordHandshake        = 22
	RecordApplicationData  = 23
	RecordHeartbeat        = 24
)

// More handshake message types.
const (
	TypeServerHelloDone = 14
)

// MaxHandshake bounds a handshake message kept while its records arrive
// (a certificate chain is the largest the clear-text handshake carries).
const MaxHandshake = 128 << 10

// Errors of the record reader.
var (
	ErrRecord   = errors.New("tls: not a TLS record (stream out of step)")
	ErrTooLarge = errors.New("tls: handshake message beyond the size bound")
	ErrSSLv2    = errors.New("tls: SSLv2-format ClientHello")
)

// Alert is one alert record seen in clear.
type Alert struct {
	Level, Description uint8
}

// Reader reads the records of one direction of a TLS connection as its
// bytes arrive, and hands every complete clear-text handshake message to
// its caller, whatever other records come between them: a warning alert or
// a heartbeat before the ServerHello does not stop it, nor does the
// ChangeCipherSpec a TLS 1.3 client sends before its second ClientHello.
// It stops (Done) at the first application-data record, or at a handshake
// record after ChangeCipherSpec that is not a clear hello (TLS 1.2's
// encrypted Finished): what follows is encrypted.
type Reader struct {
	hs      []byte // handshake bytes not yet complete messages
	ccs     bool   // ChangeCipherSpec seen
	done    bool
	Records int     // records read
	Alerts  []Alert // alerts seen in clear (at most 8)
}

// Done reports whether the clear-text part of this direction is over.
func (r *Reader) Done() bool { return r.done }

// Feed reads the complete records at the start of b and calls msg with
// every complete handshake message (type, 3-byte length, body; valid only
// during the call). It returns how many bytes of b it consumed. msg returns
// false to stop reading. An error means b is not (or no longer) a TLS record
// stream; Done is then true.
func (r *Reader) Feed(b []byte, msg func(m []byte) bool) (int, error) {
	n := 0
	for !r.done && len(b)-n >= 5 {
		rec := b[n:]
		if r.Records == 0 && rec[0]&0x80 != 0 && len(rec) >= 3 && rec[2] == 1 {
			r.done = true
			return n, ErrSSLv2
		}
		ct, maj := rec[0], rec[1]
		l := int(binary.BigEndian.Uint16(rec[3:]))
		if maj != 3 || ct < RecordChangeCipherSpec || ct > RecordHeartbeat || l > 18432+2048 {
			r.done = true
			return n, ErrRecord
		}
		if len(rec) < 5+l {
			break // the rest of the record has not arrived
		}
		body := rec[5 : 5+l]
		n += 5 + l
		r.Records++
		switch ct {
		case RecordChangeCipherSpec:
			r.ccs = true
		case RecordAlert:
			if len(body) == 2 && len(r.Alerts) < 8 {
				r.Alerts = append(r.Alerts, Alert{body[0], body[1]})
			}
		case RecordApplicationData:
			r.done = true
		case RecordHandshake:
			if r.ccs && len(r.hs) == 0 && !clearHello(body) {
				r.done = true // encrypted Finished
				break
			}
			if err := r.handshake(body, msg); err != nil {
				r.done = true
				return n, err
			}
		}
	}
	return n, nil
}

// Pending returns the handshake message that was still arriving when the
// stream ended: the bytes of it the reader holds, then those of the
// incomplete handshake record that starts rest (the stream's unread
// bytes). It is nil when no message was under way, or the reader is Done.
func (r *Reader) Pending(rest []byte) []byte {
	if r.done {
		return nil
	}
	out := r.hs[:len(r.hs):len(r.hs)]
	if len(rest) >= 5 && rest[0] == RecordHandshake && rest[1] == 3 {
		body := rest[5:]
		if l := int(binary.BigEndian.Uint16(rest[3:])); len(body) > l {
			body = body[:l]
		}
		out = append(out, body...)
	}
	if len(out) < 4 {
		return nil
	}
	return out
}

// SSLv2Hello reads the SSLv2-format ClientHello that starts b (the
// backward-compatible hello of RFC 5246 appendix E.2, still sent by some
// old clients and malware: Glupteba): the version it offers. ok is false
// when b does not start with one whose lengths all agree. Such a hello has
// no extensions, and JA3 and JA4 are not defined for it: FoxIO's
// specification and the JA3 reference code read TLS handshake records
// only, and tshark computes no JA3 for it either.
func SSLv2Hello(b []byte) (version uint16, ok bool) {
	if len(b) < 11 || b[0]&0x80 == 0 || b[2] != 1 {
		return 0, false
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	v := binary.BigEndian.Uint16(b[3:])
	specs, sid, chal := int(binary.BigEndian.Uint16(b[5:])), int(binary.BigEndian.Uint16(b[7:])), int(binary.BigEndian.Uint16(b[9:]))
	if v != 0x0002 && (v < 0x0300 || v > 0x0303) {
		return 0, false
	}
	if specs == 0 || specs%3 != 0 || sid != 0 && sid != 16 || chal < 16 || chal > 32 || 9+specs+sid+chal != n {
		return 0, false
	}
	return v, true
}

// clearHello reports whether a handshake record after ChangeCipherSpec
// starts with a clear ClientHello or ServerHello filling it consistently.
func clearHello(b []byte) bool {
	if len(b) < 4 || (b[0] != TypeClientHello && b[0] != TypeServerHello) {
		return false
	}
	l := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	return l >= 38 && l <= MaxHandshake // version, random, session and suite lengths at least
}

// handshake appends a record's handshake bytes and delivers the messages
// they complete.
func (r *Reader) handshake(body []byte, msg func([]byte) bool) error {
	data := body
	if len(r.hs) > 0 {
		if len(r.hs)+len(body) > MaxHandshake+4 {
			return ErrTooLarge
		}
		r.hs = append(r.hs, body...)
		data = r.hs
	}
	for len(data) >= 4 {
		l := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
		if l > MaxHandshake {
			return ErrTooLarge
		}
		if len(data) < 4+l {
			break
		}
		if !msg(data[:4+l]) {
			r.done = true
			r.hs = r.hs[:0]
			return nil
		}
		data = data[4+l:]
	}
	// keep the incomplete tail (copied: body points into the caller's
	// buffer; append moves overlapping bytes correctly)
	r.hs = append(r.hs[:0], data...)
	return nil
}

// AlertName names the common alert descriptions (RFC 8446 §6).
func AlertName(d uint8) string {
	switch d {
	case 0:
		return "close_notify"
	case 10:
		return "unexpected_message"
	case 20:
		return "bad_record_mac"
	case 40:
		return "handshake_failure"
	case 42:
		return "bad_certificate"
	case 43:
		return "unsupported_certificate"
	case 44:
		return "certificate_revoked"
	case 45:
		return "certificate_expired"
	case 46:
		return "certificate_unknown"
	case 47:
		return "illegal_parameter"
	case 48:
		return "unknown_ca"
	case 50:
		return "decode_error"
	case 51:
		return "decrypt_error"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 86:
		return "inappropriate_fallback"
	case 90:
		return "user_canceled"
	case 100:
		return "no_renegotiation"
	case 109:
		return "missing_extension"
	case 110:
		return "unsupported_extension"
	case 112:
		return "unrecognized_name"
	case 116:
		return "certificate_required"
	case 120:
		return "no_application_protocol"
	}
	return ""
}
