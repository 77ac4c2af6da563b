package capture

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/spyscan/spyscan/internal/spill"
)

// evStore keeps the evidence of the values the pass keeps (observed values,
// unresolved addresses, beacon candidates) out of the Go heap while the
// pass runs: each Evidence is written once, when its value is first seen,
// encoded into chunks; with a directory (the scan's private temporary
// folder), every full chunk goes to a temporary file there. finish reads
// the chunks back once (load) and builds the Evidence values of the result.
// Without a directory, or when the file cannot be written, the chunks stay
// in memory: still about a third of the memory of the Evidence values and
// strings they encode.
type evStore struct {
	file   string // Evidence.File of every item
	dir    string // "" keeps every chunk in memory
	f      *os.File
	size   int64 // bytes written to f
	chunks []evChunk
	cur    []byte // the chunk being filled
	lost   bool   // a chunk could not be read back
}

// evChunk is a sealed chunk: in memory (data), or in the file at off.
type evChunk struct {
	data []byte
	off  int64
	n    int
}

// evRef locates one Evidence in the store: 0 is none, else the chunk
// index (high 32 bits) and the offset in it (low 32 bits), plus one.
type evRef uint64

// evChunkSize is the size of a chunk (a variable for the tests).
var evChunkSize = 256 << 10

func newEvStore(file, dir string) *evStore {
	return &evStore{file: file, dir: dir}
}

// put stores ev (whose File must be the store's file).
func (s *evStore) put(ev *Evidence) evRef {
	r := evRef(uint64(len(s.chunks))<<32|uint64(len(s.cur))) + 1
	s.cur = appendEvidence(s.cur, ev)
	if len(s.cur) >= evChunkSize {
		s.seal()
	}
	return r
}

// seal closes the chunk being filled: written to the file when there is
// one, kept in memory otherwise.
func (s *evStore) seal() {
	c := evChunk{data: s.cur, n: len(s.cur)}
	if s.spillChunk(s.cur) {
		c.data, c.off = nil, s.size-int64(c.n)
		s.cur = s.cur[:0]
	} else {
		s.cur = make([]byte, 0, evChunkSize)
	}
	s.chunks = append(s.chunks, c)
}

// spillChunk writes b at the end of the file, creating it on first use. A
// failure leaves this and every later chunk in memory.
func (s *evStore) spillChunk(b []byte) bool {
	if s.dir == "" {
		return false
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "capture-evidence-*")
		if err != nil {
			s.dir = ""
			return false
		}
		s.f = f
	}
	if _, err := s.f.WriteAt(b, s.size); err != nil {
		s.dir = ""
		return false
	}
	s.size += int64(len(b))
	return true
}

// load brings every chunk back into memory (once, before get) and removes
// the file.
func (s *evStore) load() {
	if len(s.cur) > 0 {
		s.chunks = append(s.chunks, evChunk{data: s.cur, n: len(s.cur)})
		s.cur = nil
	}
	for i := range s.chunks {
		c := &s.chunks[i]
		if c.data != nil || c.n == 0 {
			continue
		}
		c.data = make([]byte, c.n)
		if _, err := s.f.ReadAt(c.data, c.off); err != nil {
			c.data, s.lost = nil, true
		}
	}
	s.close()
}

// close removes the file, if any.
func (s *evStore) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name)
		s.f = nil
	}
}

// get is the Evidence at r (after load). An item that could not be read
// back gives the file name only.
func (s *evStore) get(r evRef) Evidence {
	ev := Evidence{File: s.file}
	if r == 0 {
		return ev
	}
	r--
	ci, off := int(r>>32), int(uint32(r))
	if ci >= len(s.chunks) || s.chunks[ci].data == nil || off >= len(s.chunks[ci].data) {
		return ev
	}
	body := spill.NewDecoder(s.chunks[ci].data[off:]).Bytes()
	if body == nil || decodeEvidence(body, &ev) != nil {
		return Evidence{File: s.file}
	}
	return ev
}

// appendEvidence appends ev, without its File, as one length-prefixed item.
func appendEvidence(dst []byte, ev *Evidence) []byte {
	var tmp [256]byte
	b := spill.AppendString(tmp[:0], ev.Flow)
	b = spill.AppendString(b, ev.CommunityID)
	b = spill.AppendInt(b, unixNano(ev.FirstPacket))
	b = spill.AppendInt(b, unixNano(ev.LastPacket))
	b = spill.AppendInt(b, int64(ev.PacketNumber))
	b = spill.AppendString(b, ev.Process)
	b = spill.AppendString(b, ev.Tunnel)
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func decodeEvidence(b []byte, ev *Evidence) error {
	d := spill.NewDecoder(b)
	ev.Flow = d.String()
	ev.CommunityID = d.String()
	ev.FirstPacket = ts(d.Int())
	ev.LastPacket = ts(d.Int())
	ev.PacketNumber = uint64(d.Int())
	ev.Process = d.String()
	ev.Tunnel = d.String()
	if err := d.Err(); err != nil {
		return fmt.Errorf("capture evidence: %w", err)
	}
	return nil
}

// unixNano is the inverse of ts: 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
