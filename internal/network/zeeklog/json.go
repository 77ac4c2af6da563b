package zeeklog

import (
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSON scans one JSON object line and keeps the raw values of the
// wanted top-level keys: string contents without quotes (still escaped),
// arrays and objects with their brackets, numbers and literals as written,
// null as nil. It does not allocate.
func (r *Reader) parseJSON(line []byte) bool {
	r.clearVals()
	r.isJSON = true
	i := skipWS(line, 1)
	if i < len(line) && line[i] == '}' {
		return true
	}
	for i < len(line) {
		if line[i] != '"' {
			return false
		}
		kEnd, ok := scanString(line, i)
		if !ok {
			return false
		}
		key := line[i+1 : kEnd]
		i = skipWS(line, kEnd+1)
		if i >= len(line) || line[i] != ':' {
			return false
		}
		i = skipWS(line, i+1)
		vStart, vEnd, next, ok := scanValue(line, i)
		if !ok {
			return false
		}
		if vi, hit := r.wanted[string(key)]; hit {
			v := line[vStart:vEnd]
			if string(v) != "null" || line[i] == '"' {
				r.vals[vi] = v
			}
		}
		i = skipWS(line, next)
		if i >= len(line) {
			return false
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return skipWS(line, i+1) == len(line)
		default:
			return false
		}
	}
	return false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// scanString returns the index of the closing quote of the string that
// opens at b[i].
func scanString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j, true
		}
	}
	return 0, false
}

// scanValue finds the extent of the value at b[i]: [start, end) is what is
// kept (string contents without quotes), next is the index after it.
func scanValue(b []byte, i int) (start, end, next int, ok bool) {
	if i >= len(b) {
		return 0, 0, 0, false
	}
	switch b[i] {
	case '"':
		e, ok := scanString(b, i)
		return i + 1, e, e + 1, ok
	case '[', '{':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, ok := scanString(b, j)
				if !ok {
					return 0, 0, 0, false
				}
				j = e
			case '[', '{':
				depth++
				if depth > 64 {
					return 0, 0, 0, false
				}
			case ']', '}':
				depth--
				if depth == 0 {
					return i, j + 1, j + 1, true
				}
			}
		}
		return 0, 0, 0, false
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' {
		j++
	}
	if j == i {
		return 0, 0, 0, false
	}
	return i, j, j, true
}

// eachJSONElem calls fn with the raw contents of each string or scalar
// element of a JSON array (nested arrays and objects are skipped). A scalar
// value (not an array) yields itself.
func eachJSONElem(v []byte, fn func([]byte)) {
	if len(v) == 0 {
		return
	}
	if v[0] != '[' {
		fn(v)
		return
	}
	i := skipWS(v, 1)
	for i < len(v) && v[i] != ']' {
		s, e, next, ok := scanValue(v, i)
		if !ok {
			return
		}
		if v[i] != '[' && v[i] != '{' && string(v[s:e]) != "null" {
			fn(v[s:e])
		}
		i = skipWS(v, next)
		if i < len(v) && v[i] == ',' {
			i = skipWS(v, i+1)
		}
	}
}

// appendJSONString decodes the escapes of JSON string contents.
func appendJSONString(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			dst = append(dst, c)
			continue
		}
		i++
		switch v[i] {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			r, n := decodeU(v[i+1:])
			if n == 0 {
				dst = append(dst, '\\', 'u')
				continue
			}
			i += n
			if utf16.IsSurrogate(r) {
				if len(v) > i+2 && v[i+1] == '\\' && v[i+2] == 'u' {
					if r2, n2 := decodeU(v[i+3:]); n2 > 0 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 2 + n2
						}
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // \" \\ \/ and anything else: the character itself
			dst = append(dst, v[i])
		}
	}
	return dst
}

func decodeU(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, 0
	}
	var r rune
	for _, c := range b[:4] {
		h, ok := hexVal(c)
		if !ok {
			return 0, 0
		}
		r = r<<4 | rune(h)
	}
	return r, 4
}

// nextJSONElem returns the element of the array v at or after pos: its raw
// contents (nil for nested values and null) and the position after it. A
// scalar v (not an array) is one element.
func nextJSONElem(v []byte, pos int) (elem []byte, next int, ok bool) {
	if len(v) == 0 {
		return nil, 0, false
	}
	if v[0] != '[' {
		if pos > 0 {
			return nil, len(v), false
		}
		return v, len(v), true
	}
	i := pos
	if i == 0 {
		i = 1
	}
	i = skipWS(v, i)
	if i < len(v) && v[i] == ',' {
		i = skipWS(v, i+1)
	}
	if i >= len(v) || v[i] == ']' {
		return nil, len(v), false
	}
	s, e, n, ok := scanValue(v, i)
	if !ok {
		return nil, len(v), false
	}
	if v[i] == '[' || v[i] == '{' || string(v[s:e]) == "null" {
		return nil, n, true
	}
	return v[s:e], n, true
}
