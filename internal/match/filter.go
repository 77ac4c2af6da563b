package match

import (
	"hash/maphash"
	"math/bits"
)

// suffixFilter is a one-hash bit set in front of the domain map: most hosts
// looked up are not indicators, and a miss in a 1M-entry map costs a cache
// miss, while the bit set (16 bits per entry, at most 16 MiB) stays warm.
type suffixFilter struct {
	seed maphash.Seed
	bits []uint64
	mask uint64
}

func newSuffixFilter(keys map[string]*entry) suffixFilter {
	n := uint64(len(keys)) * 16
	if n < 1024 {
		n = 1024
	}
	if n > 1<<27 {
		n = 1 << 27
	}
	size := uint64(1) << (64 - bits.LeadingZeros64(n-1)) // next power of two
	f := suffixFilter{seed: maphash.MakeSeed(), bits: make([]uint64, size/64), mask: size - 1}
	for k := range keys {
		h := maphash.String(f.seed, k) & f.mask
		f.bits[h>>6] |= 1 << (h & 63)
	}
	return f
}

// mayContain is false when key is certainly not in the map.
func (f *suffixFilter) mayContain(key string) bool {
	if f.bits == nil {
		return true
	}
	h := maphash.String(f.seed, key) & f.mask
	return f.bits[h>>6]&(1<<(h&63)) != 0
}
