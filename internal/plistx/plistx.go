// Package plistx owns decoding property lists from evidence safely: every
// plist spyscan reads from an acquisition goes through Unmarshal, which
// refuses binary plists that expand into far more objects than their size
// allows (a few hundred hostile bytes can otherwise keep the decoder busy
// for hours) and turns a decoder panic into an error.
package plistx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"howett.net/plist"
)

// ErrBomb means a binary plist whose objects are shared so often that
// decoding it would expand into far more values than the file could hold
// (a "billion laughs" built from array references): a 250-byte file can
// otherwise keep the decoder busy for hours.
var ErrBomb = errors.New("binary plist expands into too many objects")

// Unmarshal decodes a plist (XML, binary or OpenStep) into v after
// checking that a binary plist does not expand into more objects than
// 8 × its size + 1,000,000.
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

// Check walks the object graph of a binary plist, counting each
// object as many times as it is referenced, and fails with ErrBomb
// when the count exceeds limit or the graph has a cycle. Other formats and
// structurally broken files pass (the decoder reports those).
func Check(data []byte, limit int64) error {
	if len(data) < 40 || !bytes.HasPrefix(data, []byte("bplist0")) {
		return nil
	}
	tr := data[len(data)-32:]
	offSize, refSize := int(tr[6]), int(tr[7])
	nObj, top, tableOff := binary.BigEndian.Uint64(tr[8:]), binary.BigEndian.Uint64(tr[16:]), binary.BigEndian.Uint64(tr[24:])
	if offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8 || nObj == 0 || top >= nObj ||
		tableOff >= uint64(len(data)) || nObj > uint64(len(data)) || uint64(len(data))-tableOff < nObj*uint64(offSize) {
		return nil
	}
	g := graph{data: data, offSize: offSize, refSize: refSize, nObj: nObj, tableOff: tableOff,
		size: make([]int64, nObj), state: make([]uint8, nObj), limit: limit}
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

// children returns the object references of object o (nil for leaves or
// when the object is malformed).
func (g *graph) children(o uint64) []uint64 {
	p := g.tableOff + o*uint64(g.offSize)
	off := readUint(g.data[p : p+uint64(g.offSize)])
	if off >= uint64(len(g.data)) {
		return nil
	}
	m := g.data[off]
	kind, count := m>>4, uint64(m&0xF)
	if kind != 0xA && kind != 0xC && kind != 0xD {
		return nil
	}
	pos := off + 1
	if count == 0xF { // the count follows as an int object
		if pos >= uint64(len(g.data)) || g.data[pos]>>4 != 0x1 {
			return nil
		}
		w := uint64(1) << (g.data[pos] & 0xF)
		if w > 8 || pos+1+w > uint64(len(g.data)) {
			return nil
		}
		count = readUint(g.data[pos+1 : pos+1+w])
		pos += 1 + w
	}
	if kind == 0xD {
		count *= 2
	}
	rs := uint64(g.refSize)
	if count > uint64(len(g.data)) || pos+count*rs > uint64(len(g.data)) {
		return nil
	}
	refs := make([]uint64, 0, count)
	for i := uint64(0); i < count; i++ {
		refs = append(refs, readUint(g.data[pos+i*rs:pos+(i+1)*rs]))
	}
	return refs
}

// expand returns how many objects decoding o produces, iteratively (deep
// graphs must not exhaust the stack).
func (g *graph) expand(top uint64) (int64, error) {
	type frame struct {
		o    uint64
		refs []uint64
		i    int
		sum  int64
	}
	stack := []frame{{o: top, refs: g.children(top), sum: 1}}
	g.state[top] = 1
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.refs) {
			c := f.refs[f.i]
			f.i++
			if c >= g.nObj {
				continue // a dangling reference: the decoder will reject it
			}
			switch g.state[c] {
			case 1:
				return 0, fmt.Errorf("%w: reference cycle", ErrBomb)
			case 2:
				f.sum += g.size[c]
			default:
				g.state[c] = 1
				stack = append(stack, frame{o: c, refs: g.children(c), sum: 1})
			}
			if f.sum > g.limit {
				return f.sum, nil
			}
			continue
		}
		g.size[f.o], g.state[f.o] = f.sum, 2
		done := f.sum
		stack = stack[:len(stack)-1]
		if len(stack) > 0 {
			p := &stack[len(stack)-1]
			if p.sum += done; p.sum > g.limit {
				return p.sum, nil
			}
		}
	}
	return g.size[top], nil
}
