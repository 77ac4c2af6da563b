// Package zeeklog owns the streaming reader of Zeek logs (dns.log, ssl.log,
// http.log, conn.log, x509.log and any other) in both forms Zeek writes:
// tab-separated with #separator/#fields/#types headers, and JSON lines. It
// reads line by line with a bounded line length, hands out field values as
// byte slices into its own buffer (no per-line allocation), and counts bad
// lines per reason instead of failing.
package zeeklog

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"time"

	"github.com/spyscan/spyscan/internal/safearchive"
)

// MaxLine is the longest line read; longer lines are skipped and counted.
const MaxLine = 256 << 10

// Format of a log file.
type Format int

// Log formats.
const (
	FormatUnknown Format = iota
	FormatTSV
	FormatJSON
)

func (f Format) String() string {
	switch f {
	case FormatTSV:
		return "tsv"
	case FormatJSON:
		return "json"
	}
	return "unknown"
}

// Reasons a line is skipped, as counted in Reader.Bad.
const (
	BadTooLong     = "line too long"
	BadFieldCount  = "wrong number of fields"
	BadNoHeader    = "data line before a #fields header"
	BadJSON        = "malformed JSON line"
	BadHeader      = "malformed header line"
	BadNotZeekLine = "neither TSV nor JSON"
)

// Reader streams the records of one Zeek log.
type Reader struct {
	br     *bufio.Reader
	wanted map[string]int // field name → index in vals
	names  []string

	format     Format
	path       string // from the #path header, "" if none
	sep        byte
	setSep     byte
	unset      []byte
	empty      []byte
	colToVal   []int // TSV column → index in vals, -1 if not wanted
	ncols      int
	lastWanted int // last wanted TSV column, -1 if none

	vals   [][]byte // values of the current record, nil when absent or unset
	ends   []int    // offsets of the separators ending the wanted TSV columns
	isJSON bool     // current record came from a JSON line
	cols   [][]byte

	line    int
	bad     map[string]int
	err     error
	elemBuf []byte // decoding scratch for Each
}

// NewReader returns a reader of r that extracts the named fields. Field
// names are Zeek's ("ts", "id.orig_h", "query", "answers"...). r may be
// gzip-compressed.
func NewReader(r io.Reader, fields ...string) (*Reader, error) {
	br := bufio.NewReaderSize(r, MaxLine)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := safearchive.Gunzip(br, "")
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, MaxLine)
	}
	zr := &Reader{br: br, wanted: make(map[string]int, len(fields)), names: fields,
		sep: '\t', setSep: ',', unset: []byte("-"), empty: []byte("(empty)"),
		vals: make([][]byte, len(fields)), bad: map[string]int{}}
	for i, f := range fields {
		zr.wanted[f] = i
	}
	return zr, nil
}

// Format is the format seen so far (unknown before the first line).
func (r *Reader) Format() Format { return r.format }

// Path is the log's #path header value ("dns", "ssl"...), or "".
func (r *Reader) Path() string { return r.path }

// Line is the number of the current line (1-based).
func (r *Reader) Line() int { return r.line }

// Bad returns the skipped lines per reason.
func (r *Reader) Bad() map[string]int { return r.bad }

// Err is the I/O error that ended reading, if any (not io.EOF).
func (r *Reader) Err() error { return r.err }

// HasField reports whether wanted field name is a column of the current TSV
// header (always true for JSON, whose keys vary per line).
func (r *Reader) HasField(name string) bool {
	i, ok := r.wanted[name]
	if !ok {
		return false
	}
	if r.format == FormatTSV {
		for _, v := range r.colToVal {
			if v == i {
				return true
			}
		}
		return false
	}
	return true
}

// Next advances to the next record. It returns false at the end of input
// or on an I/O error (see Err).
func (r *Reader) Next() bool {
	for {
		line, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			r.skipLong()
			if r.err != nil {
				return false
			}
			continue
		}
		if len(line) == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				r.err = err
			}
			return false
		}
		r.line++
		if r.parse(trimEOL(line)) {
			return true
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.err = err
			}
			return false
		}
	}
}

// skipLong discards the rest of a line longer than MaxLine and counts it.
func (r *Reader) skipLong() {
	_, err := r.br.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = r.br.ReadSlice('\n')
	}
	r.line++
	r.bad[BadTooLong]++
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// parse handles one line; it reports whether the line was a data record.
func (r *Reader) parse(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	switch {
	case line[0] == '#':
		r.header(line)
		return false
	case line[0] == '{':
		if r.format == FormatUnknown {
			r.format = FormatJSON
		}
		if !r.parseJSON(line) {
			r.bad[BadJSON]++
			return false
		}
		return true
	}
	if r.colToVal == nil {
		if bytes.IndexByte(line, r.sep) < 0 {
			r.bad[BadNotZeekLine]++
		} else {
			r.bad[BadNoHeader]++
		}
		return false
	}
	return r.parseTSV(line)
}

// header reads a "#..." line of a TSV log.
func (r *Reader) header(line []byte) {
	if bytes.HasPrefix(line, []byte("#separator ")) {
		v := line[len("#separator "):]
		if b, ok := unescapeOne(v); ok {
			r.sep = b
		} else {
			r.bad[BadHeader]++
		}
		return
	}
	name, val, ok := bytes.Cut(line[1:], []byte{r.sep})
	if !ok {
		return // "#close" without value, comments
	}
	switch string(name) {
	case "set_separator":
		if len(val) == 1 {
			r.setSep = val[0]
		} else if b, ok := unescapeOne(val); ok {
			r.setSep = b
		}
	case "empty_field":
		r.empty = bytes.Clone(val)
	case "unset_field":
		r.unset = bytes.Clone(val)
	case "path":
		r.path = string(val)
	case "fields":
		r.format = FormatTSV
		r.colToVal = r.colToVal[:0]
		r.ncols = 0
		r.lastWanted = -1
		for f := range bytes.SplitSeq(val, []byte{r.sep}) {
			idx := -1
			if i, ok := r.wanted[string(f)]; ok {
				idx = i
			}
			if idx >= 0 {
				r.lastWanted = r.ncols
			}
			r.colToVal = append(r.colToVal, idx)
			r.ncols++
		}
		if r.ncols == 0 {
			r.bad[BadHeader]++
			r.colToVal = nil
		}
	}
}

// unescapeOne decodes a header separator such as "\x09" or a plain byte.
func unescapeOne(v []byte) (byte, bool) {
	if len(v) == 1 {
		return v[0], true
	}
	if len(v) == 4 && v[0] == '\\' && v[1] == 'x' {
		n, err := strconv.ParseUint(string(v[2:]), 16, 8)
		return byte(n), err == nil
	}
	return 0, false
}

func (r *Reader) clearVals() {
	for i := range r.vals {
		r.vals[i] = nil
	}
}

func (r *Reader) parseTSV(line []byte) bool {
	ends, n := splitSep(line, r.sep, r.lastWanted+1, r.ends[:0])
	r.ends = ends
	if n+1 != r.ncols {
		r.bad[BadFieldCount]++
		return false
	}
	r.clearVals()
	r.isJSON = false
	start := 0
	for col := 0; col <= r.lastWanted; col++ {
		end := len(line)
		if col < len(ends) {
			end = ends[col]
		}
		if vi := r.colToVal[col]; vi >= 0 {
			field := line[start:end]
			switch {
			case bytes.Equal(field, r.unset):
				// nil: unset
			case bytes.Equal(field, r.empty):
				r.vals[vi] = field[:0]
			default:
				r.vals[vi] = field
			}
		}
		start = end + 1
	}
	return true
}

const (
	lows  = 0x0101010101010101
	high7 = 0x7f7f7f7f7f7f7f7f
)

// splitSep counts the bytes sep of line and appends to ends the offsets
// of the first want of them, in one pass eight bytes at a time (a word's
// bytes equal to sep are found without branches: each byte's high bit of
// ^((x&0x7f…)+0x7f… | x | 0x7f…) is set exactly when the byte of x is
// zero, with no carry between bytes).
func splitSep(line []byte, sep byte, want int, ends []int) ([]int, int) {
	pat := lows * uint64(sep)
	i, base := 0, len(ends)
	want += base
	// The words holding the wanted separators: note each one's offset.
	for ; len(ends) < want && i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ pat
		for m := ^((x&high7 + high7) | x | high7); m != 0; m &= m - 1 {
			ends = append(ends, i+bits.TrailingZeros64(m)>>3)
		}
	}
	n := len(ends) - base
	if len(ends) > want { // the last word held more than were wanted
		ends = ends[:want]
	}
	// The rest: only count.
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ pat
		n += bits.OnesCount64(^((x&high7 + high7) | x | high7))
	}
	for ; i < len(line); i++ {
		if line[i] == sep {
			if len(ends) < want {
				ends = append(ends, i)
			}
			n++
		}
	}
	return ends, n
}

// Get returns the raw value of wanted field i (nil when absent or unset).
// TSV values may hold \xNN escapes and JSON string values JSON escapes: use
// String or Text to decode. The slice is valid until the next call to Next.
func (r *Reader) Get(i int) []byte { return r.vals[i] }

// Text returns wanted field i decoded (escapes resolved), appended to dst.
func (r *Reader) Text(dst []byte, i int) []byte {
	v := r.vals[i]
	if r.isJSON {
		return appendJSONString(dst, v)
	}
	return appendZeekUnescaped(dst, v)
}

// String returns wanted field i decoded as a string ("" when unset).
func (r *Reader) String(i int) string {
	v := r.vals[i]
	if v == nil {
		return ""
	}
	if !needsDecode(v, r.isJSON) {
		return string(v)
	}
	return string(r.Text(nil, i))
}

func needsDecode(v []byte, isJSON bool) bool {
	if isJSON {
		return bytes.IndexByte(v, '\\') >= 0
	}
	return bytes.Contains(v, []byte(`\x`))
}

// Each calls fn for each element of the container field i (a Zeek set or
// vector: set_separator-separated in TSV, an array in JSON), decoded. A
// scalar value yields one element. The slices are only valid during fn.
func (r *Reader) Each(i int, fn func(elem []byte)) {
	v := r.vals[i]
	if len(v) == 0 {
		return
	}
	if r.isJSON {
		eachJSONElem(v, func(e []byte) {
			if bytes.IndexByte(e, '\\') < 0 {
				fn(e)
				return
			}
			r.elemBuf = appendJSONString(r.elemBuf[:0], e)
			fn(r.elemBuf)
		})
		return
	}
	for len(v) > 0 {
		end := bytes.IndexByte(v, r.setSep)
		e := v
		if end >= 0 {
			e = v[:end]
			v = v[end+1:]
		} else {
			v = nil
		}
		if bytes.Equal(e, r.unset) || len(e) == 0 {
			continue
		}
		if needsDecode(e, false) {
			r.elemBuf = appendZeekUnescaped(r.elemBuf[:0], e)
			fn(r.elemBuf)
		} else {
			fn(e)
		}
	}
}

// Elem returns the element of container field i that starts at *pos
// (start with *pos == 0), decoded, and advances *pos; ok is false when no
// element is left. It is the allocation-free form of Each:
//
//	for pos := 0; ; {
//		e, ok := r.Elem(i, &pos)
//		if !ok {
//			break
//		}
//		...
//	}
func (r *Reader) Elem(i int, pos *int) (elem []byte, ok bool) {
	v := r.vals[i]
	for *pos < len(v) {
		if r.isJSON {
			e, next, ok := nextJSONElem(v, *pos)
			if !ok {
				*pos = len(v)
				return nil, false
			}
			*pos = next
			if e == nil {
				continue // nested or null
			}
			if bytes.IndexByte(e, '\\') < 0 {
				return e, true
			}
			r.elemBuf = appendJSONString(r.elemBuf[:0], e)
			return r.elemBuf, true
		}
		rest := v[*pos:]
		e := rest
		if end := bytes.IndexByte(rest, r.setSep); end >= 0 {
			e = rest[:end]
			*pos += end + 1
		} else {
			*pos = len(v)
		}
		if len(e) == 0 || bytes.Equal(e, r.unset) {
			continue
		}
		if needsDecode(e, false) {
			r.elemBuf = appendZeekUnescaped(r.elemBuf[:0], e)
			return r.elemBuf, true
		}
		return e, true
	}
	return nil, false
}

// Time parses wanted field i as a Zeek time: epoch seconds with a fraction
// ("1700000000.123456") or an ISO 8601 string (JSON logs written with
// JSON::TS_ISO8601). ok is false when unset or malformed.
func (r *Reader) Time(i int) (time.Time, bool) {
	return ParseTime(r.vals[i])
}

// ParseTime parses a Zeek timestamp; see Reader.Time.
func ParseTime(v []byte) (time.Time, bool) {
	if len(v) == 0 {
		return time.Time{}, false
	}
	if len(v) >= 2 && v[0] == '"' { // quoted JSON string
		v = v[1 : len(v)-1]
	}
	if len(v) >= 10 && v[4] == '-' {
		t, err := time.Parse(time.RFC3339Nano, string(v))
		return t.UTC(), err == nil
	}
	var sec, frac int64
	var fracDigits int
	i := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if sec > 1<<40 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(v[i]-'0')
	}
	if i == 0 {
		return time.Time{}, false
	}
	if i < len(v) {
		if v[i] != '.' {
			return time.Time{}, false
		}
		for i++; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			if fracDigits < 9 {
				frac = frac*10 + int64(c-'0')
				fracDigits++
			}
		}
	}
	for ; fracDigits < 9; fracDigits++ {
		frac *= 10
	}
	return time.Unix(sec, frac).UTC(), true
}

// appendZeekUnescaped decodes Zeek's \xNN escapes.
func appendZeekUnescaped(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+3 < len(v) && v[i+1] == 'x' {
			if h, ok := hexByte(v[i+2], v[i+3]); ok {
				dst = append(dst, h)
				i += 3
				continue
			}
		}
		dst = append(dst, v[i])
	}
	return dst
}

func hexByte(a, b byte) (byte, bool) {
	x, ok1 := hexVal(a)
	y, ok2 := hexVal(b)
	return x<<4 | y, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
