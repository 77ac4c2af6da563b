package spill

import (
	"encoding/binary"
	"errors"
)

// The helpers below encode items as a sequence of varints and
// length-prefixed strings; a Decoder reads them back in the same order.

// AppendString appends a length-prefixed string.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendInt appends a signed varint.
func AppendInt(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

// Decoder reads what AppendString and AppendInt wrote. The first error
// sticks; check Err once at the end.
type Decoder struct {
	b   []byte
	err error
}

// NewDecoder reads b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

var errShort = errors.New("truncated item")

// String reads a length-prefixed string.
func (d *Decoder) String() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.fail()
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

// Bytes reads a length-prefixed string without copying it: the bytes are
// only valid until the next item is read (intern or copy them).
func (d *Decoder) Bytes() []byte {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.fail()
		return nil
	}
	b := d.b[k : k+int(n) : k+int(n)]
	d.b = d.b[k+int(n):]
	return b
}

// Len is the number of bytes left to read.
func (d *Decoder) Len() int { return len(d.b) }

// Int reads a signed varint.
func (d *Decoder) Int() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *Decoder) fail() {
	if d.err == nil {
		d.err = errShort
	}
	d.b = nil
}

// Err is the first decoding error, or an error when bytes are left over.
func (d *Decoder) Err() error {
	if d.err == nil && len(d.b) > 0 {
		return errors.New("trailing bytes after item")
	}
	return d.err
}
