// Package dnswire owns decoding DNS messages from the wire (RFC 1035):
// header, questions and answer records (A, AAAA, CNAME and the names other
// records point to), with name compression bounded against loops and every
// length checked. A Msg is reused between messages so decoding does not
// allocate once warm.
package dnswire

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Record types of interest.
const (
	TypeA     = 1
	TypeNS    = 2
	TypeCNAME = 5
	TypePTR   = 12
	TypeMX    = 15
	TypeTXT   = 16
	TypeAAAA  = 28
	TypeSRV   = 33
	TypeSVCB  = 64
	TypeHTTPS = 65
)

// Errors, per reason.
var (
	ErrShort   = errors.New("dns: message shorter than its counts claim")
	ErrLoop    = errors.New("dns: compression pointer loop")
	ErrBadName = errors.New("dns: malformed name")
)

// Question is one query.
type Question struct {
	Name []byte // lower-case, dotted, no trailing dot
	Type uint16
}

// RR is one answer record. Name and Target are lower-case dotted names;
// Addr is set for A/AAAA, Target for CNAME (and NS, PTR, MX, SRV, HTTPS).
type RR struct {
	Name   []byte
	Type   uint16
	TTL    uint32
	Addr   netip.Addr
	Target []byte
}

// Msg is a decoded message. Its slices point into its own buffer and are
// valid until the next Parse.
type Msg struct {
	ID        uint16
	Response  bool
	Opcode    uint8
	RCode     uint8
	Questions []Question
	Answers   []RR
	buf       []byte
}

// Limits.
const (
	maxQuestions = 16
	maxAnswers   = 64
	maxJumps     = 32
	maxNameLen   = 255
)

// Parse decodes b into m.
func Parse(b []byte, m *Msg) error {
	m.Questions, m.Answers, m.buf = m.Questions[:0], m.Answers[:0], m.buf[:0]
	if len(b) < 12 {
		return ErrShort
	}
	m.ID = binary.BigEndian.Uint16(b)
	m.Response = b[2]&0x80 != 0
	m.Opcode = (b[2] >> 3) & 0x0f
	m.RCode = b[3] & 0x0f
	qd := int(binary.BigEndian.Uint16(b[4:]))
	an := int(binary.BigEndian.Uint16(b[6:]))
	off := 12
	for i := 0; i < qd; i++ {
		name, next, err := m.name(b, off)
		if err != nil {
			return err
		}
		if next+4 > len(b) {
			return ErrShort
		}
		if i < maxQuestions {
			m.Questions = append(m.Questions, Question{Name: name, Type: binary.BigEndian.Uint16(b[next:])})
		}
		off = next + 4
	}
	for i := 0; i < an && i < maxAnswers; i++ {
		name, next, err := m.name(b, off)
		if err != nil {
			return err
		}
		if next+10 > len(b) {
			return ErrShort
		}
		rr := RR{Name: name, Type: binary.BigEndian.Uint16(b[next:]), TTL: binary.BigEndian.Uint32(b[next+4:])}
		rdl := int(binary.BigEndian.Uint16(b[next+8:]))
		rd := next + 10
		if rd+rdl > len(b) {
			return ErrShort
		}
		if err := m.rdata(b, rd, rdl, &rr); err != nil {
			return err
		}
		m.Answers = append(m.Answers, rr)
		off = rd + rdl
	}
	return nil
}

func (m *Msg) rdata(b []byte, off, n int, rr *RR) error {
	var err error
	switch rr.Type {
	case TypeA:
		if n == 4 {
			rr.Addr = netip.AddrFrom4([4]byte(b[off : off+4]))
		}
	case TypeAAAA:
		if n == 16 {
			rr.Addr = netip.AddrFrom16([16]byte(b[off : off+16]))
		}
	case TypeCNAME, TypeNS, TypePTR:
		rr.Target, _, err = m.name(b[:off+n], off)
	case TypeMX:
		if n > 2 {
			rr.Target, _, err = m.name(b[:off+n], off+2)
		}
	case TypeSRV:
		if n > 6 {
			rr.Target, _, err = m.name(b[:off+n], off+6)
		}
	case TypeHTTPS, TypeSVCB:
		if n > 2 {
			rr.Target, _, err = m.name(b[:off+n], off+2)
		}
	}
	return err
}

// name reads a (possibly compressed) name at off. It returns the name (in
// m.buf) and the offset after it in the original position.
func (m *Msg) name(b []byte, off int) ([]byte, int, error) {
	start := len(m.buf)
	next := -1
	jumps := 0
	for {
		if off >= len(b) {
			return nil, 0, ErrShort
		}
		c := int(b[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				if next < 0 {
					next = off + 1
				}
				return m.buf[start:len(m.buf):len(m.buf)], next, nil
			}
			if off+1+c > len(b) {
				return nil, 0, ErrShort
			}
			if len(m.buf)-start+c+1 > maxNameLen {
				return nil, 0, ErrBadName
			}
			if len(m.buf) > start {
				m.buf = append(m.buf, '.')
			}
			for _, ch := range b[off+1 : off+1+c] {
				if ch >= 'A' && ch <= 'Z' {
					ch += 'a' - 'A'
				}
				m.buf = append(m.buf, ch)
			}
			off += 1 + c
		case 0xc0:
			if off+2 > len(b) {
				return nil, 0, ErrShort
			}
			if next < 0 {
				next = off + 2
			}
			jumps++
			if jumps > maxJumps {
				return nil, 0, ErrLoop
			}
			off = int(binary.BigEndian.Uint16(b[off:]) & 0x3fff)
		default:
			return nil, 0, ErrBadName
		}
	}
}
