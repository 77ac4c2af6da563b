// Package plistx owns decoding property lists from evidence safely: every
// plist spyscan reads from an acquisition goes through Unmarshal, which
// first checks the data without decoding it: arrays and dictionaries nested
// deeper than MaxDepth are refused in every format (the decoder recurses,
// and a stack overflow kills the process beyond any recover), and binary
// plists that expand into far more objects than their size allows are
// refused (a few hundred hostile bytes can otherwise keep the decoder busy
// for hours). A decoder panic becomes an error.
package plistx

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/model"
)

// MaxDepth is the deepest nesting of arrays and dictionaries accepted, in
// every plist format. Real plists nest a few dozen levels at most.
const MaxDepth = 256

// ErrBomb means a binary plist whose objects are shared so often that
// decoding it would expand into far more values than the file could hold
// (a "billion laughs" built from array references): a 250-byte file can
// otherwise keep the decoder busy for hours.
var ErrBomb = model.NewError(model.KindRefused, "binary plist expands into too many objects")

// ErrTooDeep means arrays and dictionaries nested deeper than MaxDepth.
var ErrTooDeep = model.NewError(model.KindRefused, "plist nested too deeply")

// ErrMalformed means a binary plist whose object table or containers
// cannot be read; it is refused before the decoder sees it.
var ErrMalformed = model.NewError(model.KindDamaged, "malformed binary plist")

// Unmarshal decodes a plist (XML, binary or OpenStep) into v after
// checking its nesting depth (MaxDepth) and that a binary plist does not
// expand into more objects than 8 × its size + 1,000,000.
func Unmarshal(data []byte, v any) (err error) {
	if err := Check(data, 8*int64(len(data))+1_000_000); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed plist: %v", r)
		}
	}()
	_, err = plist.Unmarshal(data, v)
	return err
}

// Check refuses, without decoding, what Unmarshal must not hand to the
// decoder: nesting deeper than MaxDepth in any format (ErrTooDeep), and a
// binary plist whose object graph, counting each object as many times as
// it is referenced, exceeds limit objects or has a cycle (ErrBomb). Other
// damage passes: the decoder reports it.
func Check(data []byte, limit int64) error {
	if bytes.HasPrefix(data, []byte("bplist")) {
		return checkBinary(data, limit)
	}
	return checkText(data)
}

func checkBinary(data []byte, limit int64) error {
	if len(data) < 40 || !bytes.HasPrefix(data, []byte("bplist0")) {
		return nil // the decoder refuses these before reading any object
	}
	tr := data[len(data)-32:]
	offSize, refSize := int(tr[6]), int(tr[7])
	nObj, top, tableOff := binary.BigEndian.Uint64(tr[8:]), binary.BigEndian.Uint64(tr[16:]), binary.BigEndian.Uint64(tr[24:])
	if offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8 || nObj == 0 || top >= nObj ||
		tableOff >= uint64(len(data)) || nObj > uint64(len(data)) || uint64(len(data))-tableOff < nObj*uint64(offSize) {
		return fmt.Errorf("%w: trailer", ErrMalformed)
	}
	g := graph{data: data, offSize: offSize, refSize: refSize, nObj: nObj, tableOff: tableOff,
		size: make([]int64, nObj), height: make([]int32, nObj), state: make([]uint8, nObj), limit: limit}
	n, err := g.expand(top)
	if err != nil {
		return err
	}
	if n > limit {
		return fmt.Errorf("%w (%d)", ErrBomb, n)
	}
	return nil
}

type graph struct {
	data             []byte
	offSize, refSize int
	nObj, tableOff   uint64
	size             []int64
	height           []int32 // containers nested below and including the object
	state            []uint8 // 0 new, 1 on the stack, 2 done
	limit            int64
}

func readUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// children returns the object references of object o and whether it is a
// container (array, set or dictionary).
func (g *graph) children(o uint64) ([]uint64, bool, error) {
	p := g.tableOff + o*uint64(g.offSize)
	off := readUint(g.data[p : p+uint64(g.offSize)])
	if off >= uint64(len(g.data)) {
		return nil, false, fmt.Errorf("%w: object %d outside the file", ErrMalformed, o)
	}
	m := g.data[off]
	kind, count := m>>4, uint64(m&0xF)
	if kind != 0xA && kind != 0xB && kind != 0xC && kind != 0xD {
		return nil, false, nil
	}
	pos := off + 1
	if count == 0xF { // the count follows as an int object
		if pos >= uint64(len(g.data)) || g.data[pos]>>4 != 0x1 {
			return nil, true, fmt.Errorf("%w: object %d: bad count", ErrMalformed, o)
		}
		w := uint64(1) << (g.data[pos] & 0xF)
		if w > 8 || pos+1+w > uint64(len(g.data)) {
			return nil, true, fmt.Errorf("%w: object %d: bad count", ErrMalformed, o)
		}
		count = readUint(g.data[pos+1 : pos+1+w])
		pos += 1 + w
	}
	if kind == 0xD {
		count *= 2
	}
	rs := uint64(g.refSize)
	if count > uint64(len(g.data)) || pos+count*rs > uint64(len(g.data)) {
		return nil, true, fmt.Errorf("%w: object %d: %d references past the end", ErrMalformed, o, count)
	}
	refs := make([]uint64, 0, count)
	for i := uint64(0); i < count; i++ {
		refs = append(refs, readUint(g.data[pos+i*rs:pos+(i+1)*rs]))
	}
	return refs, true, nil
}

// expand returns how many objects decoding top produces, iteratively (deep
// graphs must not exhaust the stack), and fails when containers nest deeper
// than MaxDepth.
func (g *graph) expand(top uint64) (int64, error) {
	type frame struct {
		o      uint64
		refs   []uint64
		i      int
		sum    int64
		height int32 // tallest child so far
		isCont bool
	}
	push := func(stack []frame, o uint64) ([]frame, error) {
		refs, isCont, err := g.children(o)
		if err != nil {
			return stack, err
		}
		g.state[o] = 1
		return append(stack, frame{o: o, refs: refs, sum: 1, isCont: isCont}), nil
	}
	stack, err := push(nil, top)
	if err != nil {
		return 0, err
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.refs) {
			c := f.refs[f.i]
			f.i++
			if c >= g.nObj {
				return 0, fmt.Errorf("%w: reference to object %d of %d", ErrMalformed, c, g.nObj)
			}
			switch g.state[c] {
			case 1:
				return 0, fmt.Errorf("%w: reference cycle", ErrBomb)
			case 2:
				f.sum += g.size[c]
				f.height = max(f.height, g.height[c])
				if int(g.height[c])+len(stack) > MaxDepth {
					return 0, fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
				}
			default:
				if len(stack) >= MaxDepth { // c would be nested below MaxDepth containers
					if _, isCont, _ := g.children(c); isCont {
						return 0, fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
					}
				}
				if stack, err = push(stack, c); err != nil {
					return 0, err
				}
			}
			if f := &stack[len(stack)-1]; f.sum > g.limit {
				return f.sum, nil
			}
			continue
		}
		h := f.height
		if f.isCont {
			h++
		}
		g.size[f.o], g.height[f.o], g.state[f.o] = f.sum, h, 2
		done := f.sum
		stack = stack[:len(stack)-1]
		if len(stack) > 0 {
			p := &stack[len(stack)-1]
			p.height = max(p.height, h)
			if p.sum += done; p.sum > g.limit {
				return p.sum, nil
			}
		}
	}
	return g.size[top], nil
}
