package keyedarchive

import (
	"encoding/binary"
	"errors"
	"math"
	"unicode/utf16"

	"howett.net/plist"
)

// parseBinary is a small, allocation-light reader of binary plists
// ("bplist00"), used for the many small archives of Manifest.db (the
// generic reflection-based decoder costs most of a backup's open time). It
// returns the same value types as howett.net/plist, and refuses whatever
// howett.net/plist refuses (its trailer, offset-table and bounds rules are
// the same or stricter; a differential test and fuzz target hold it to
// that); any doubt gives an error and the caller falls back to
// howett.net/plist.
func parseBinary(data []byte) (any, error) {
	p, top, err := newBparser(data)
	if err != nil {
		return nil, err
	}
	return p.object(top, 0)
}

// newBparser checks a binary plist's header, trailer and offset table and
// returns a parser of it and its top object's number.
func newBparser(data []byte) (*bparser, int, error) {
	p := &bparser{}
	top, err := p.reset(data)
	if err != nil {
		return nil, 0, err
	}
	return p, top, nil
}

// reset makes p a parser of data (see newBparser), reusing its cache and
// state when they are large enough.
func (p *bparser) reset(data []byte) (int, error) {
	if len(data) < 8+32 || string(data[:8]) != "bplist00" {
		return 0, errBplist
	}
	trailerOff := uint64(len(data) - 32)
	tr := data[trailerOff:]
	offSize, refSize := int(tr[6]), int(tr[7])
	n, top, tableOff := binary.BigEndian.Uint64(tr[8:]), binary.BigEndian.Uint64(tr[16:]), binary.BigEndian.Uint64(tr[24:])
	switch {
	case offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8 || n == 0 || top >= n,
		tableOff < 9 || tableOff >= trailerOff,
		n > (trailerOff-tableOff)/uint64(offSize) || tableOff+n*uint64(offSize) != trailerOff, // the table fills the gap exactly
		refSize < 8 && n > 1<<(8*refSize),
		offSize < 8 && 1<<(8*offSize) <= tableOff:
		return 0, errBplist
	}
	cache, state := p.cache, p.state
	if uint64(cap(cache)) < n {
		cache, state = make([]any, n), make([]uint8, n)
	} else {
		cache, state = cache[:n], state[:n]
		clear(cache)
		clear(state)
	}
	*p = bparser{data: data[:tableOff], table: data[tableOff:trailerOff], offSize: offSize, refSize: refSize, n: int(n),
		cache: cache, state: state}
	return int(top), nil
}

var errBplist = errors.New("unsupported binary plist")

// stateValue marks an object whose cached value DecodeFlat built after
// the check pass (whose cache holds placeholders: see checkOnly).
const stateValue = 3

type bparser struct {
	data             []byte // header and objects: everything before the offset table
	table            []byte // the offset table
	offSize, refSize int
	n                int
	cache            []any
	state            []uint8 // 0 new, 1 in progress, 2 done, stateValue (DecodeFlat's values after a check)
	// checkOnly makes parse check objects without building their values:
	// strings are "", numbers 0, containers nil (see checkBinary).
	checkOnly bool
}

func readUint(b []byte) uint64 {
	switch len(b) { // the sizes archives use, without the loop
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func (p *bparser) object(i, depth int) (any, error) {
	if i < 0 || i >= p.n || depth > maxDepth {
		return nil, errBplist
	}
	switch p.state[i] {
	case 1:
		return nil, errBplist // cycle
	case 2, stateValue:
		return p.cache[i], nil
	}
	p.state[i] = 1
	off := p.offset(i)
	if off < 0 {
		return nil, errBplist
	}
	v, err := p.parse(off, depth)
	if err != nil {
		return nil, err
	}
	p.cache[i], p.state[i] = v, 2
	return v, nil
}

// offset is where object i starts, or -1 when the table points outside
// the objects.
func (p *bparser) offset(i int) int {
	if i < 0 || i >= p.n {
		return -1
	}
	off := readUint(p.table[i*p.offSize : (i+1)*p.offSize])
	if off < 8 || off >= uint64(len(p.data)) {
		return -1
	}
	return int(off)
}

// span returns the bytes [at, at+n) or false.
func (p *bparser) span(at, n int) ([]byte, bool) {
	if n < 0 || at < 0 || at > len(p.data) || n > len(p.data)-at {
		return nil, false
	}
	return p.data[at : at+n], true
}

// count reads the length of a container or string whose marker is at off.
func (p *bparser) count(off int) (int, int, error) {
	info := int(p.data[off] & 0x0f)
	if info != 0x0f {
		return info, off + 1, nil
	}
	if off+1 >= len(p.data) || p.data[off+1]>>4 != 0x1 {
		return 0, 0, errBplist
	}
	size := 1 << (p.data[off+1] & 0x0f)
	b, ok := p.span(off+2, size)
	if !ok || size > 8 {
		return 0, 0, errBplist
	}
	v := readUint(b)
	if v > uint64(len(p.data)) {
		return 0, 0, errBplist
	}
	return int(v), off + 2 + size, nil
}

// checked is what a checkOnly parse gives for a number or a date (boxed
// once: boxing each would allocate).
var checked any = uint64(0)

// integer reads the integer whose marker m is at off: its bits, whether
// they are an int64 (negative) rather than a uint64, and false when the
// integer is not one the reader takes.
func (p *bparser) integer(off int, m byte) (uint64, bool, bool) {
	size := 1 << (m & 0x0f)
	b, ok := p.span(off+1, size)
	if ok && size == 16 {
		// 128-bit: written for unsigned values above 2^63-1 (high half
		// zero) and for negative ones (high half all ones).
		hi, lo := binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])
		switch hi {
		case 0:
			return lo, false, true
		case math.MaxUint64:
			return lo, true, true
		}
		return 0, false, false
	}
	if !ok || size > 8 {
		return 0, false, false
	}
	v := readUint(b)
	return v, size == 8 && int64(v) < 0, true
}

func (p *bparser) parse(off, depth int) (any, error) {
	m := p.data[off]
	switch m >> 4 {
	case 0x0:
		switch m { // 0x00 (null) is reserved: CoreFoundation never writes it
		case 0x08:
			return false, nil
		case 0x09:
			return true, nil
		}
	case 0x1:
		v, signed, ok := p.integer(off, m)
		switch {
		case !ok:
		case p.checkOnly:
			return checked, nil
		case signed:
			return int64(v), nil
		default:
			return v, nil
		}
	case 0x2:
		size := 1 << (m & 0x0f)
		b, ok := p.span(off+1, size)
		switch {
		case ok && (size == 4 || size == 8) && p.checkOnly:
			return checked, nil
		case ok && size == 4:
			return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
		case ok && size == 8:
			return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
		}
	case 0x3:
		b, ok := p.span(off+1, 8)
		if m == 0x33 && ok {
			f := math.Float64frombits(binary.BigEndian.Uint64(b))
			if math.IsNaN(f) || math.Abs(f) > 1e11 {
				break
			}
			if p.checkOnly {
				return checked, nil
			}
			return appleTime(f), nil
		}
	case 0x4, 0x5, 0x6:
		n, at, err := p.count(off)
		if err != nil {
			return nil, err
		}
		if m>>4 == 0x6 {
			b, ok := p.span(at, 2*n)
			if !ok {
				break
			}
			if p.checkOnly {
				return "", nil
			}
			u := make([]uint16, n)
			for k := range u {
				u[k] = binary.BigEndian.Uint16(b[2*k:])
			}
			return string(utf16.Decode(u)), nil
		}
		b, ok := p.span(at, n)
		if !ok {
			break
		}
		if p.checkOnly {
			if m>>4 == 0x4 {
				return []byte(nil), nil
			}
			return "", nil
		}
		if m>>4 == 0x4 {
			return append(make([]byte, 0, len(b)), b...), nil
		}
		return string(b), nil
	case 0x8:
		b, ok := p.span(off+1, int(m&0x0f)+1)
		if ok && len(b) <= 8 {
			return plist.UID(readUint(b)), nil
		}
	case 0xA, 0xD:
		n, at, err := p.count(off)
		if err != nil {
			return nil, err
		}
		k := 1
		if m>>4 == 0xD {
			k = 2
		}
		refs, ok := p.span(at, k*n*p.refSize)
		if !ok {
			break
		}
		ref := func(j int) int { return int(readUint(refs[j*p.refSize : (j+1)*p.refSize])) }
		if p.checkOnly {
			for j := 0; j < n; j++ {
				kv, err := p.object(ref(j), depth+1)
				if err != nil {
					return nil, err
				}
				if _, ok := kv.(string); k == 2 && !ok {
					return nil, errBplist
				}
				if k == 2 {
					if _, err := p.object(ref(n+j), depth+1); err != nil {
						return nil, err
					}
				}
			}
			return nil, nil
		}
		if k == 1 {
			out := make([]any, n)
			for j := range out {
				v, err := p.object(ref(j), depth+1)
				if err != nil {
					return nil, err
				}
				out[j] = v
			}
			return out, nil
		}
		out := make(map[string]any, n)
		for j := 0; j < n; j++ {
			kv, err := p.object(ref(j), depth+1)
			if err != nil {
				return nil, err
			}
			key, ok := kv.(string)
			if !ok {
				return nil, errBplist
			}
			v, err := p.object(ref(n+j), depth+1)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		return out, nil
	}
	return nil, errBplist
}
