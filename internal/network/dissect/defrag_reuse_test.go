package dissect_test

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
)

type fragment struct {
	off  int
	more bool
	data []byte
}

// randomFragments splits a random datagram into fragments in random order,
// with duplicates and overlapping pieces of other content; when holed is
// set, one piece is left out, so the datagram never completes.
func randomFragments(r *rand.Rand, holed bool) []fragment {
	n := 8 * (1 + r.IntN(600)) // whole 8-byte units
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	var fs []fragment
	for off := 0; off < n; {
		l := min(8*(1+r.IntN(100)), n-off)
		fs = append(fs, fragment{off, off+l < n, data[off : off+l]})
		if r.IntN(4) == 0 { // an overlapping piece of other bytes
			o := fragment{off: off, more: true, data: bytes.Repeat([]byte{byte(r.Uint32())}, min(l+8, n-off))}
			o.more = o.off+len(o.data) < n
			fs = append(fs, o)
		}
		off += l
	}
	if r.IntN(3) == 0 {
		fs = append(fs, fs[r.IntN(len(fs))]) // a duplicate
	}
	if holed && len(fs) > 1 {
		i := 1 + r.IntN(len(fs)-1)
		fs = append(fs[:i], fs[i+1:]...)
	}
	r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	return fs
}

// TestDefragReuse holds one Defragmenter that reassembles datagram after
// datagram, four in progress at once (so ended datagrams and their
// buffers are reused), to a fresh Defragmenter per datagram: the same
// reassembled payloads, and the same incomplete starts at Flush.
func TestDefragReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	dst := netip.MustParseAddr("198.51.100.1")
	shared := dissect.NewDefragmenter(256, 1<<20)
	const datagrams = 400
	type feed struct {
		id  uint32
		src netip.Addr
		f   fragment
	}
	var all [][]feed
	for id := uint32(0); id < datagrams; id++ {
		src := netip.AddrFrom4([4]byte{10, 0, byte(id >> 8), byte(id)})
		var fs []feed
		for _, f := range randomFragments(r, id%25 == 0) {
			fs = append(fs, feed{id, src, f})
		}
		all = append(all, fs)
	}
	wantDone := map[uint32][][]byte{} // a duplicate after completion may complete again
	wantIncomplete := map[netip.Addr][]byte{}
	for _, fs := range all {
		fresh := dissect.NewDefragmenter(256, 1<<20)
		for _, x := range fs {
			if out, ok := fresh.Add(x.src, dst, 17, x.id, x.f.off, x.f.more, x.f.data, 0); ok {
				wantDone[x.id] = append(wantDone[x.id], bytes.Clone(out))
			}
		}
		fresh.Flush()
		for _, inc := range fresh.TakeIncomplete() {
			wantIncomplete[inc.Src] = inc.Data
		}
	}
	gotDone := map[uint32][][]byte{}
	gotIncomplete := map[netip.Addr][]byte{}
	for i := 0; i < len(all); i += 4 { // four datagrams interleaved
		group := all[i:min(i+4, len(all))]
		for more := true; more; {
			more = false
			for j := range group {
				if len(group[j]) == 0 {
					continue
				}
				x := group[j][0]
				group[j] = group[j][1:]
				more = true
				if out, ok := shared.Add(x.src, dst, 17, x.id, x.f.off, x.f.more, x.f.data, 0); ok {
					gotDone[x.id] = append(gotDone[x.id], bytes.Clone(out))
				}
			}
		}
		shared.Flush() // the group's incomplete datagrams end (at most 32 are queued)
		for _, inc := range shared.TakeIncomplete() {
			gotIncomplete[inc.Src] = inc.Data
		}
	}
	if len(wantDone) < datagrams/2 || len(wantIncomplete) == 0 {
		t.Fatalf("too few cases: %d reassembled, %d incomplete", len(wantDone), len(wantIncomplete))
	}
	for id, w := range wantDone {
		if g := gotDone[id]; len(g) != len(w) {
			t.Errorf("datagram %d: reassembled %d times, want %d", id, len(g), len(w))
		} else {
			for i := range w {
				if !bytes.Equal(g[i], w[i]) {
					t.Errorf("datagram %d: reassembled %d bytes, want %d (or other bytes)", id, len(g[i]), len(w[i]))
				}
			}
		}
	}
	if len(gotDone) != len(wantDone) {
		t.Errorf("%d datagrams reassembled, want %d", len(gotDone), len(wantDone))
	}
	for src, w := range wantIncomplete {
		if !bytes.Equal(gotIncomplete[src], w) {
			t.Errorf("incomplete from %v: %d bytes, want %d", src, len(gotIncomplete[src]), len(w))
		}
	}
	if len(gotIncomplete) != len(wantIncomplete) {
		t.Errorf("%d incomplete, want %d", len(gotIncomplete), len(wantIncomplete))
	}
}
