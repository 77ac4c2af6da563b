// Package hostile generates hostile inputs for spyscan: files crafted the
// way a compromised phone or a capture could craft them to crash, stall,
// exhaust or mislead a forensic tool (deep nesting, quadratic structures,
// SQLite views over endless queries, archive bombs, links out of the
// evidence, special files, spreadsheet formulas, misleading Unicode...).
// Corpus lists every case with the outcome a scan must give; the
// end-to-end test in internal/cli runs them all.
package hostile

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// DeepXMLPlist returns an XML plist whose root is depth nested arrays
// (container "array") or dictionaries ("dict"), innermost holding a string.
func DeepXMLPlist(depth int, container string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<plist version="1.0">`)
	open, close := "<array>", "</array>"
	if container == "dict" {
		open, close = "<dict><key>k</key>", "</dict>"
	}
	b.WriteString(strings.Repeat(open, depth))
	b.WriteString("<string>x</string>")
	b.WriteString(strings.Repeat(close, depth))
	b.WriteString("</plist>\n")
	return b.Bytes()
}

// DeepTextPlist returns an OpenStep text plist of depth nested arrays
// ("(") or dictionaries ("{").
func DeepTextPlist(depth int, open byte) []byte {
	var b bytes.Buffer
	for i := 0; i < depth; i++ {
		if open == '{' {
			b.WriteString("{k=")
		} else {
			b.WriteByte('(')
		}
	}
	b.WriteString("x")
	for i := 0; i < depth; i++ {
		if open == '{' {
			b.WriteString(";}")
		} else {
			b.WriteByte(')')
		}
	}
	return b.Bytes()
}

// DeepBinaryPlist returns a binary plist in which object i (i < depth) is
// an array holding object i+1, the last object a string: depth nested
// arrays, each object stored once (no sharing, so no expansion).
func DeepBinaryPlist(depth int) []byte {
	b := []byte("bplist00")
	offsets := make([]uint32, depth+1)
	for i := 0; i < depth; i++ {
		offsets[i] = uint32(len(b))
		b = append(b, 0xA1)
		b = binary.BigEndian.AppendUint32(b, uint32(i+1))
	}
	offsets[depth] = uint32(len(b))
	b = append(b, 0x51, 'x')
	table := len(b)
	for _, o := range offsets {
		b = binary.BigEndian.AppendUint32(b, o)
	}
	tr := make([]byte, 32)
	tr[6], tr[7] = 4, 4
	binary.BigEndian.PutUint64(tr[8:], uint64(depth+1))
	binary.BigEndian.PutUint64(tr[24:], uint64(table))
	return append(b, tr...)
}

// SharedDeepBinaryPlist returns a binary plist whose root array holds
// object 1 and object 2, object 1 an array holding object 2, and object 2
// the first of a chain of depth nested arrays: depth+1 levels through the
// root's first element, depth+2 through object 1.
func SharedDeepBinaryPlist(depth int) []byte {
	b := []byte("bplist00")
	n := depth + 3
	offsets := make([]uint32, n)
	offsets[0] = uint32(len(b))
	b = append(b, 0xA2)
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, 1)
	offsets[1] = uint32(len(b))
	b = append(b, 0xA1)
	b = binary.BigEndian.AppendUint32(b, 2)
	for i := 2; i < n-1; i++ {
		offsets[i] = uint32(len(b))
		b = append(b, 0xA1)
		b = binary.BigEndian.AppendUint32(b, uint32(i+1))
	}
	offsets[n-1] = uint32(len(b))
	b = append(b, 0x51, 'x')
	table := len(b)
	for _, o := range offsets {
		b = binary.BigEndian.AppendUint32(b, o)
	}
	tr := make([]byte, 32)
	tr[6], tr[7] = 4, 4
	binary.BigEndian.PutUint64(tr[8:], uint64(n))
	binary.BigEndian.PutUint64(tr[24:], uint64(table))
	return append(b, tr...)
}
