package capture

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// TestEvidenceStoreRoundTrip: every Evidence put is read back the same,
// whether its chunk went to the file or stayed in memory, and the file is
// gone after load.
func TestEvidenceStoreRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  string
	}{{"memory", ""}, {"file", t.TempDir()}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newEvStore("cap.pcap", tc.dir)
			var want []Evidence
			var refs []evRef
			for i := range 20000 { // about 6 chunks
				ev := Evidence{File: "cap.pcap", Flow: fmt.Sprintf("tcp 10.0.0.%d:%d -> 198.51.100.1:443", i%250, 1024+i),
					CommunityID: fmt.Sprintf("1:%027d=", i), PacketNumber: uint64(i) + 1}
				if i%3 != 0 { // some without times, as ts(0) gives them
					ev.FirstPacket = ts(int64(i) * 1e9)
					ev.LastPacket = ts(int64(i)*1e9 + 5)
				}
				if i%7 == 0 {
					ev.Process, ev.Tunnel = "curl", "gre 192.0.2.1 -> 192.0.2.2"
				}
				want = append(want, ev)
				refs = append(refs, s.put(&ev))
			}
			if tc.dir != "" && (s.f == nil || s.size == 0) {
				t.Fatal("nothing was written to the file")
			}
			s.load()
			for i, r := range refs {
				if got := s.get(r); !reflect.DeepEqual(got, want[i]) {
					t.Fatalf("item %d: got %+v, want %+v", i, got, want[i])
				}
			}
			if s.lost {
				t.Error("a chunk was reported lost")
			}
			if tc.dir != "" {
				if left, _ := os.ReadDir(tc.dir); len(left) != 0 {
					t.Errorf("files left in the temporary folder: %v", left)
				}
			}
			if got := s.get(0); !reflect.DeepEqual(got, Evidence{File: "cap.pcap"}) {
				t.Errorf("no evidence: %+v", got)
			}
		})
	}
}

// TestEvidenceStoreUnwritableFolder: a folder that cannot be written keeps
// the evidence in memory, complete.
func TestEvidenceStoreUnwritableFolder(t *testing.T) {
	s := newEvStore("cap.pcap", "/nonexistent/folder/for/spyscan")
	ev := Evidence{File: "cap.pcap", Flow: "udp 10.0.0.1:5353 -> 224.0.0.251:5353", PacketNumber: 7, LastPacket: ts(3)}
	var refs []evRef
	for range 20000 {
		refs = append(refs, s.put(&ev))
	}
	s.load()
	for _, r := range refs {
		if got := s.get(r); !reflect.DeepEqual(got, ev) {
			t.Fatalf("got %+v", got)
		}
	}
}

// TestEvidenceStoreLostChunk: a chunk that cannot be read back gives the
// file name only, and is reported.
func TestEvidenceStoreLostChunk(t *testing.T) {
	s := newEvStore("cap.pcap", t.TempDir())
	ev := Evidence{File: "cap.pcap", Flow: "tcp 10.0.0.1:1 -> 10.0.0.2:2", PacketNumber: 1}
	r := s.put(&ev)
	for range 20000 {
		s.put(&ev)
	}
	s.f.Truncate(0) // the file is damaged while the pass runs
	s.load()
	if got := s.get(r); !s.lost || !reflect.DeepEqual(got, Evidence{File: "cap.pcap"}) {
		t.Fatalf("lost %v, got %+v", s.lost, got)
	}
}

// TestTempDirSameResult: the pass with its evidence spilled to a folder
// gives the same result as with it in memory, and leaves nothing there.
func TestTempDirSameResult(t *testing.T) {
	var buf bytes.Buffer
	if _, err := netgen.WriteBenchCapture(&buf, 8<<20, 1); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { evChunkSize = n }(evChunkSize)
	evChunkSize = 2 << 10 // tens of chunks on the file
	opts := Options{MaxObserved: 500, MaxRecords: 300, MaxFlowRecords: 200}
	mem, err := Analyze(context.Background(), bytes.NewReader(buf.Bytes()), "mix.pcap", opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts.TempDir = dir
	spilled, err := Analyze(context.Background(), bytes.NewReader(buf.Bytes()), "mix.pcap", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(mem.Observations) < 200 || len(mem.Findings) == 0 {
		t.Fatalf("too small a test: %d observations, %d findings", len(mem.Observations), len(mem.Findings))
	}
	if !reflect.DeepEqual(mem, spilled) {
		t.Error("results differ with the evidence spilled")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left in the temporary folder: %v", left)
	}
}

// BenchmarkEvidenceStore: putting and reading back one evidence (the
// first sighting of a value).
func BenchmarkEvidenceStore(b *testing.B) {
	ev := Evidence{File: "cap.pcap", Flow: "tcp 10.0.0.2:50000 -> 198.51.100.1:443", CommunityID: "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
		FirstPacket: time.Unix(1700000000, 0).UTC(), LastPacket: time.Unix(1700000001, 0).UTC(), PacketNumber: 12345}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		s := newEvStore("cap.pcap", dir)
		refs := make([]evRef, 0, 10000)
		for range 10000 {
			refs = append(refs, s.put(&ev))
		}
		s.load()
		for _, r := range refs {
			_ = s.get(r)
		}
	}
}

// TestCollectSameResult: the collections finish makes after a large pass
// (collectAt) change nothing in the result; a small pass makes none.
func TestCollectSameResult(t *testing.T) {
	var buf bytes.Buffer
	if _, err := netgen.WriteBenchCapture(&buf, 8<<20, 1); err != nil {
		t.Fatal(err)
	}
	opts := Options{MaxObserved: 500, MaxRecords: 300, MaxFlowRecords: 200}
	forced := func() uint32 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.NumForcedGC
	}
	run := func(at uint64) (*Result, uint32) {
		defer func(n uint64) { collectAt = n }(collectAt)
		collectAt = at
		n := forced()
		res, err := Analyze(context.Background(), bytes.NewReader(buf.Bytes()), "mix.pcap", opts)
		if err != nil {
			t.Fatal(err)
		}
		return res, forced() - n
	}
	plain, n := run(uint64(buf.Len()) + 1)
	if n != 0 {
		t.Errorf("%d collections under collectAt, want none", n)
	}
	collected, n := run(uint64(buf.Len()) / 2)
	if n != 2 {
		t.Errorf("%d collections past collectAt, want 2", n)
	}
	if len(plain.Observations) < 200 || len(plain.DNS) == 0 || len(plain.TLS) == 0 || len(plain.Findings) == 0 {
		t.Fatalf("too small a test: %d observations, %d DNS and %d TLS records, %d findings",
			len(plain.Observations), len(plain.DNS), len(plain.TLS), len(plain.Findings))
	}
	if !reflect.DeepEqual(plain, collected) {
		t.Error("results differ with the collections")
	}
}
