package acquisition

import (
	"crypto/sha256"
	"hash"
	"io"
	"io/fs"
	"sync"
)

// Digest is the SHA-256 of one input file taken while a module reads it,
// so that an input a module reads from start to end (a 1 GB capture) is
// read once for both the module and the chain of custody. Every byte a
// reader returns at the offset hashed so far extends the hash; bytes read
// past it or before it (a reader that seeks, skips or reads again) are not
// hashed. The scan core then hashes the rest of the file itself (Take), so
// the digest is always the whole file's, whatever the modules read.
type Digest struct {
	mu   sync.Mutex
	h    hash.Hash
	n    int64 // the file's first n bytes are hashed
	done bool
}

// NewDigest returns an empty digest.
func NewDigest() *Digest { return &Digest{h: sha256.New()} }

// DigestFS is implemented by the FS of an acquisition that serves its one
// input file byte for byte (a capture): WithDigest returns the same view,
// whose opens of that file feed d.
type DigestFS interface {
	fs.FS
	WithDigest(d *Digest) fs.FS
}

// File returns f (opened at its start) with reads that feed d.
func (d *Digest) File(f fs.File) fs.File { return &digestFile{File: f, d: d} }

// Take stops the feeding and returns how many of the file's first bytes
// are hashed and the hash, to be completed with the rest of the file.
func (d *Digest) Take() (int64, hash.Hash) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done = true
	return d.n, d.h
}

// feed hashes the part of p (read at offset off) that extends the hash.
func (d *Digest) feed(off int64, p []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done || off > d.n || off+int64(len(p)) <= d.n {
		return
	}
	d.h.Write(p[d.n-off:]) // hash.Hash.Write never fails
	d.n = off + int64(len(p))
}

// digestFile is a file read from its start whose bytes feed a digest. It
// hides any Seek or ReadAt of the file below: its offset is its own count.
type digestFile struct {
	fs.File
	d   *Digest
	off int64
}

func (f *digestFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	if n > 0 {
		f.d.feed(f.off, p[:n])
		f.off += int64(n)
	}
	return n, err
}

var _ io.Reader = (*digestFile)(nil)
