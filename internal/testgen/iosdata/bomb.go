package iosdata

import "encoding/binary"

// PlistBomb returns a hostile binary plist in which object i (i < depth)
// is an array of two references to object i+1 and the last object is a
// string: 2^depth strings once decoded, from a file of a few hundred bytes.
// With cycle set, the last array points back to the first instead.
func PlistBomb(depth int, cycle bool) []byte {
	b := []byte("bplist00")
	offsets := make([]uint32, depth+1)
	for i := 0; i < depth; i++ {
		offsets[i] = uint32(len(b))
		next := i + 1
		if cycle && i == depth-1 {
			next = 0
		}
		b = append(b, 0xA2, byte(next>>8), byte(next), byte(next>>8), byte(next))
	}
	offsets[depth] = uint32(len(b))
	b = append(b, 0x51, 'x')
	table := len(b)
	for _, o := range offsets {
		b = binary.BigEndian.AppendUint32(b, o)
	}
	tr := make([]byte, 32)
	tr[6], tr[7] = 4, 2
	binary.BigEndian.PutUint64(tr[8:], uint64(depth+1))
	binary.BigEndian.PutUint64(tr[24:], uint64(table))
	return append(b, tr...)
}
