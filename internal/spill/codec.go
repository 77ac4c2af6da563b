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
	// whole is the item given to NewDecoder; text is its copy from
	// offset textAt on, made by the first Text.
	whole  []byte
	text   string
	textAt int
}

// NewDecoder reads b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b, whole: b} }

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

// Text reads a length-prefixed string as String does, but as a part of
// one copy of the rest of the item, made at the first Text: an item's strings
// then cost one allocation instead of one each (a timeline event's
// description and its message's arguments). The copy stays in memory as
// long as any of the strings does.
func (d *Decoder) Text() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.fail()
		return ""
	}
	if n == 0 {
		d.b = d.b[k:]
		return ""
	}
	off := len(d.whole) - len(d.b) + k
	if d.text == "" {
		// From this string on: the bytes before it are not Text's.
		d.text, d.textAt = string(d.whole[off:]), off
	}
	d.b = d.b[k+int(n):]
	return d.text[off-d.textAt : off-d.textAt+int(n)]
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
