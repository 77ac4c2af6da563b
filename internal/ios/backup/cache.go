package backup

import (
	"bufio"
	"io"
	"math"
	"sync"
)

// The page cache of the index files: cachePages pages of pageSize bytes
// (1 MiB in all), replaced by the clock algorithm. The top of every binary
// search and the folders being listed stay in it; a read larger than
// directRead goes to the file.
const (
	pageSize   = 4 << 10
	cachePages = 256
	directRead = 4 * pageSize
)

type pageKey struct {
	f    *indexFile
	page int64
}

type cachePage struct {
	key  pageKey
	buf  []byte
	n    int // bytes read (less than pageSize at the end of the file)
	used bool
	ok   bool
}

// pageCache is safe for concurrent use.
type pageCache struct {
	mu    sync.Mutex
	pages []cachePage
	where map[pageKey]int
	hand  int
}

func newPageCache() *pageCache {
	return &pageCache{pages: make([]cachePage, cachePages), where: make(map[pageKey]int, cachePages)}
}

// read fills dst from f at off.
func (c *pageCache) read(f *indexFile, off int64, dst []byte) error {
	if len(dst) > directRead {
		_, err := f.ReadAt(dst, off)
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(dst) > 0 {
		pg, err := c.page(pageKey{f, off / pageSize})
		if err != nil {
			return err
		}
		in := int(off % pageSize)
		if in >= pg.n {
			return io.ErrUnexpectedEOF
		}
		k := copy(dst, pg.buf[in:pg.n])
		dst, off = dst[k:], off+int64(k)
	}
	return nil
}

// page returns the cached page k, reading it on a miss.
func (c *pageCache) page(k pageKey) (*cachePage, error) {
	if i, ok := c.where[k]; ok {
		c.pages[i].used = true
		return &c.pages[i], nil
	}
	for {
		i := c.hand
		p := &c.pages[i]
		c.hand = (i + 1) % len(c.pages)
		if p.used {
			p.used = false
			continue
		}
		if p.ok {
			delete(c.where, p.key)
		}
		if p.buf == nil {
			p.buf = make([]byte, pageSize)
		}
		n, err := k.f.ReadAt(p.buf, k.page*pageSize)
		if err != nil && err != io.EOF {
			p.ok = false
			return nil, err
		}
		*p = cachePage{key: k, buf: p.buf, n: n, used: true, ok: true}
		c.where[k] = i
		return p, nil
	}
}

// arenaWriter appends strings to the arena file.
type arenaWriter struct {
	w   *bufio.Writer
	off int64
}

func newArenaWriter(f io.Writer) *arenaWriter {
	return &arenaWriter{w: bufio.NewWriterSize(f, 64<<10)}
}

// put appends s and returns its reference.
func (a *arenaWriter) put(s string) (ref, error) {
	if len(s) == 0 {
		return ref{}, nil
	}
	if a.off+int64(len(s)) > math.MaxUint32 {
		return ref{}, errIndexTooLarge
	}
	r := ref{uint32(a.off), uint32(len(s))}
	if _, err := a.w.WriteString(s); err != nil {
		return ref{}, err
	}
	a.off += int64(len(s))
	return r, nil
}

func (a *arenaWriter) flush() error { return a.w.Flush() }
