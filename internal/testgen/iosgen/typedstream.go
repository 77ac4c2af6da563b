package iosgen

import (
	"encoding/binary"
	"unicode/utf16"
)

// MessageBody archives text the way Messages stores message.attributedBody
// on iOS: an NSMutableAttributedString in typedstream form (NSArchiver,
// little-endian) with one run over the whole text, whose attributes are the
// message part number and, when link is set, __kIMLinkAttributeName with an
// NSURL (a link shown with other words than its address). With an empty
// link the output is byte for byte what iOS writes for a plain text.
func MessageBody(text, link string) []byte {
	w := newTSWriter()
	w.shared("@")
	w.beginObject("NSMutableAttributedString", 0, "NSAttributedString", 0, "NSObject", 0)
	w.shared("@")
	w.nsString(text, true)
	w.shared("iI")
	w.int(1)
	w.uint(uint64(len(utf16.Encode([]rune(text)))))
	w.shared("@")
	w.beginObject("NSDictionary", 0, "NSObject", 0)
	w.shared("i")
	if link == "" {
		w.int(1)
	} else {
		w.int(2)
		w.shared("@")
		w.nsString("__kIMLinkAttributeName", false)
		w.shared("@")
		w.beginObject("NSURL", 0, "NSObject", 0)
		w.shared("c")
		w.b = append(w.b, 0) // not relative
		w.shared("@")
		w.nsString(link, false)
		w.end()
	}
	w.shared("@")
	w.nsString("__kIMMessagePartAttributeName", false)
	w.shared("@")
	w.beginObject("NSNumber", 0, "NSValue", 0, "NSObject", 0)
	w.shared("*")
	w.cString("i")
	w.shared("i")
	w.int(0)
	w.end() // NSNumber
	w.end() // NSDictionary
	w.end() // NSMutableAttributedString
	return w.b
}

// tsWriter writes typedstream archives for fixtures.
type tsWriter struct {
	b       []byte
	strs    map[string]int // shared strings (type encodings, class names)
	refs    int            // next number of the object table
	classes map[string]int
	cstrs   map[string]int
}

func newTSWriter() *tsWriter {
	w := &tsWriter{strs: map[string]int{}, classes: map[string]int{}, cstrs: map[string]int{}}
	w.b = append(w.b, 4, 11)
	w.b = append(w.b, "streamtyped"...)
	w.uint(1000)
	return w
}

// int writes a signed integer in its shortest form.
func (w *tsWriter) int(v int64) {
	switch {
	case v >= -110 && v <= 127:
		w.b = append(w.b, byte(int8(v)))
	case v >= -1<<15 && v < 1<<15:
		w.b = binary.LittleEndian.AppendUint16(append(w.b, 0x81), uint16(v))
	case v >= -1<<31 && v < 1<<31:
		w.b = binary.LittleEndian.AppendUint32(append(w.b, 0x82), uint32(v))
	default:
		w.b = binary.LittleEndian.AppendUint64(append(w.b, 0x87), uint64(v))
	}
}

// uint writes an unsigned integer or a length.
func (w *tsWriter) uint(v uint64) {
	switch {
	case v <= 127:
		w.b = append(w.b, byte(v))
	case v <= 0xffff:
		w.b = binary.LittleEndian.AppendUint16(append(w.b, 0x81), uint16(v))
	default:
		w.b = binary.LittleEndian.AppendUint32(append(w.b, 0x82), uint32(v))
	}
}

func (w *tsWriter) ref(n int) { w.int(int64(n) - 110) }

func (w *tsWriter) shared(s string) {
	if i, ok := w.strs[s]; ok {
		w.ref(i)
		return
	}
	w.strs[s] = len(w.strs)
	w.b = append(w.b, 0x84)
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *tsWriter) cString(s string) {
	if i, ok := w.cstrs[s]; ok {
		w.ref(i)
		return
	}
	w.b = append(w.b, 0x84)
	w.shared(s)
	w.cstrs[s] = w.refs
	w.refs++
}

// beginObject starts an object of the class chain given as name, version
// pairs from the class to its root.
func (w *tsWriter) beginObject(chain ...any) {
	w.b = append(w.b, 0x84)
	w.refs++
	for i := 0; i < len(chain); i += 2 {
		name := chain[i].(string)
		if n, ok := w.classes[name]; ok {
			w.ref(n)
			return
		}
		w.b = append(w.b, 0x84)
		w.shared(name)
		w.int(int64(chain[i+1].(int)))
		w.classes[name] = w.refs
		w.refs++
	}
	w.b = append(w.b, 0x85)
}

func (w *tsWriter) end() { w.b = append(w.b, 0x86) }

// nsString writes an NSString (or NSMutableString) object.
func (w *tsWriter) nsString(s string, mutable bool) {
	if mutable {
		w.beginObject("NSMutableString", 1, "NSString", 1, "NSObject", 0)
	} else {
		w.beginObject("NSString", 1, "NSObject", 0)
	}
	w.shared("+")
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
	w.end()
}
