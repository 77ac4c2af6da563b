package dissect

import "sync"

// bufPool recycles stream buffers so that short-lived flows do not churn
// the heap.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Stream reassembles one direction of a TCP connection into a contiguous
// prefix of at most Cap bytes: enough to read a ClientHello, a server
// certificate chain or HTTP headers, never the whole transfer. Segments
// arriving ahead of a hole are kept (bounded) until the hole fills.
type Stream struct {
	Cap     int
	Data    []byte
	next    uint32
	started bool
	placed  bool // bytes were appended (the stream's start is settled)
	Full    bool // Cap reached or gave up; later data is ignored
	pending []pendingSeg
	pendLen int
	Gaps    int     // holes never filled (segments lost or skipped)
	box     *[]byte // bufPool's holder of Data, handed back with it
}

type pendingSeg struct {
	seq  uint32
	data []byte
}

const maxPending = 64 << 10

// SYN sets the initial sequence number from a SYN segment. A SYN with
// another sequence number before any data starts the stream again: the
// ports were reused, or SYNs of a flood came before the connection's own
// (whose data would otherwise wait forever behind a hole).
func (s *Stream) SYN(seq uint32) {
	if !s.started || !s.placed && len(s.pending) == 0 {
		s.next = seq + 1
		s.started = true
	}
}

// Add adds a segment. It returns true when new bytes were appended to Data.
func (s *Stream) Add(seq uint32, payload []byte) bool {
	if s.Full || len(payload) == 0 {
		return false
	}
	if !s.started {
		s.next = seq
		s.started = true
	}
	grew := s.place(seq, payload)
	for grew && len(s.pending) > 0 && !s.Full {
		progressed := false
		for i := 0; i < len(s.pending); i++ {
			pg := s.pending[i]
			if int32(pg.seq-s.next) <= 0 {
				s.pending = append(s.pending[:i], s.pending[i+1:]...)
				s.pendLen -= len(pg.data)
				if s.place(pg.seq, pg.data) {
					progressed = true
				}
				i--
			}
		}
		if !progressed {
			break
		}
	}
	return grew
}

// place appends the part of the segment at s.next, or keeps it for later.
func (s *Stream) place(seq uint32, payload []byte) bool {
	d := int64(int32(seq - s.next)) // in int64: -(-2^31) must not overflow
	if d > 0 {                      // ahead of a hole
		if s.pendLen+len(payload) > maxPending || len(s.pending) >= 64 {
			// give up on the hole: skip to this segment
			s.Gaps++
			s.pending, s.pendLen = s.pending[:0], 0
			s.Full = true
			return false
		}
		s.pending = append(s.pending, pendingSeg{seq, append([]byte(nil), payload...)})
		s.pendLen += len(payload)
		return false
	}
	skip := -d
	if skip >= int64(len(payload)) {
		return false // retransmission
	}
	payload = payload[skip:]
	room := s.Cap - len(s.Data)
	if room <= 0 {
		s.Full = true
		return false
	}
	if len(payload) > room {
		payload = payload[:room]
		s.Full = true
	}
	if s.Data == nil {
		s.box = bufPool.Get().(*[]byte)
		s.Data = (*s.box)[:0]
	}
	s.Data = append(s.Data, payload...)
	s.next += uint32(len(payload))
	s.placed = true
	return true
}

// Discard drops the first n bytes of Data (already read); the buffer is
// released when nothing is left.
func (s *Stream) Discard(n int) {
	if n >= len(s.Data) {
		s.release()
		return
	}
	s.Data = s.Data[:copy(s.Data, s.Data[n:])]
}

func (s *Stream) release() {
	if s.box != nil && s.Data != nil && cap(s.Data) <= 64<<10 {
		*s.box = s.Data[:0] // the holder goes back with the buffer: no new one per release
		bufPool.Put(s.box)
	}
	s.Data, s.box = nil, nil
}

// Close stops collecting and frees the buffers.
func (s *Stream) Close() {
	s.Full = true
	s.release()
	s.pending, s.pendLen = nil, 0
}
