package aqffiles

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"testing"
)

// referenceObjects splits b as objects.next does, a byte at a time: the
// bytes of each top-level object, up to the first error or the end of
// the array (array: b starts with '[', which the caller skipped).
func referenceObjects(b []byte, array bool) [][]byte {
	var out [][]byte
	i := 0
	if array {
		i = 1
	}
	for {
		for i < len(b) && (bytes.IndexByte([]byte(" \n\r\t"), b[i]) >= 0 || array && b[i] == ',') {
			i++
		}
		if i == len(b) || b[i] != '{' {
			return out
		}
		start, depth, inStr, esc := i, 0, false, false
		for ; i < len(b); i++ {
			c := b[i]
			switch {
			case esc:
				esc = false
			case inStr:
				if c == '\\' {
					esc = true
				} else if c == '"' {
					inStr = false
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if i == len(b) {
			return out
		}
		i++
		out = append(out, b[start:i])
	}
}

// The splitter skips string contents a search at a time; it must cut the
// same objects as a byte-at-a-time scan, wherever its buffer ends.
func FuzzObjects(f *testing.F) {
	f.Add([]byte(`[{"path":"/a\"}b","x":"\\"},{"p":"{[\\\"]}"}]`))
	f.Add([]byte(`{"a":"` + string(bytes.Repeat([]byte("x"), 100)) + `"}{"b":{"c":"\"}"}}`))
	f.Add([]byte(`[{"path":"/data/local/tmp/\\\\","n":[1,{"s":"}"}]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		array := len(b) > 0 && b[0] == '['
		want := referenceObjects(b, array)
		o := objects{br: bufio.NewReaderSize(bytes.NewReader(b), 16)}
		if array {
			o.br.ReadByte()
			o.array = true
		}
		var got [][]byte
		for len(got) < len(want) {
			obj, err := o.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("object %d: %v", len(got), err)
			}
			got = append(got, bytes.Clone(obj))
		}
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// TestStringRun: stringRun stops at the first quote or backslash, at every
// position in runs shorter and longer than its eight-byte words, among
// bytes one bit away from either and bytes of 0x80 and more (which its
// word test borrows through), or at the end when there is none.
func TestStringRun(t *testing.T) {
	fillers := []byte{'a', 0x21, 0x23, 0x5b, 0x5d, 0xa2, 0xdc, 0x80, 0xff, 0x00, 0x01}
	for n := range 40 {
		for _, fill := range fillers {
			b := bytes.Repeat([]byte{fill}, n)
			if got := stringRun(b); got != n {
				t.Fatalf("%d × %#x: %d, want %d", n, fill, got, n)
			}
			for pos := range n {
				for _, stop := range []byte{'"', '\\'} {
					c := slices.Clone(b)
					c[pos] = stop
					if pos+1 < n { // a second stop after the first changes nothing
						c[n-1] = '"' ^ '\\' ^ stop
					}
					if got := stringRun(c); got != pos {
						t.Fatalf("%q: %d, want %d", c, got, pos)
					}
				}
			}
		}
	}
}
