//go:build unix

package main

import (
	"hash"
	"os"
	"syscall"
)

// hashMapped hashes the file through a read-only shared mapping.
func hashMapped(f *os.File, h hash.Hash) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return err
	}
	defer syscall.Munmap(b)
	_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL)
	for off := 0; off < len(b); off += 1 << 20 {
		h.Write(b[off:min(off+1<<20, len(b))])
	}
	return nil
}
