package netsum

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/spyscan/spyscan/internal/cputime"
)

// refSeen and refTable are the map-based table Table replaced (a
// map[string]*Seen with a one-entry memo per summary), kept as the
// reference of the differential test.
type refSeen struct {
	Seen
	memo   string
	memoTo *refSeen
}

func (s *refSeen) touch(ts time.Time) {
	s.Count++
	if !ts.IsZero() {
		if s.First.IsZero() || ts.Before(s.First) {
			s.First = ts
		}
		if ts.After(s.Last) {
			s.Last = ts
		}
	}
}

type refTable struct {
	m       map[string]*refSeen
	dropped int
	max     int
}

func (t *refTable) add(v string, ts time.Time, artifact, how string) *refSeen {
	if s, ok := t.m[v]; ok {
		s.touch(ts)
		return s
	}
	if len(t.m) >= t.max {
		t.dropped++
		return nil
	}
	s := &refSeen{Seen: Seen{Value: v, First: ts, Last: ts, Count: 1, Artifact: artifact, How: how}}
	t.m[v] = s
	return s
}

func (t *refTable) sorted() []Seen {
	var out []Seen
	for _, s := range t.m {
		out = append(out, s.Seen)
	}
	slices.SortFunc(out, func(a, b Seen) int { return strings.Compare(a.Value, b.Value) })
	return out
}

func deref(in []*Seen) []Seen {
	out := make([]Seen, len(in))
	for i, s := range in {
		out[i] = *s
	}
	return out
}

// TestTableMatchesMap drives Table and the map it replaced with the same
// random sightings (names sharing long prefixes, zero and out-of-order
// times, the DNS name → answer memo as the Zeek module uses it, summaries
// merged as the Suricata module does) and wants the same summaries.
func TestTableMatchesMap(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		names, ips := NewTable(), NewTable()
		rnames := &refTable{m: map[string]*refSeen{}, max: MaxValues}
		rips := &refTable{m: map[string]*refSeen{}, max: MaxValues}
		distinct := 1 + rng.IntN(1500)
		t0 := time.Unix(1700000000, 0).UTC()
		for i := 0; i < 6000; i++ {
			d := rng.IntN(distinct)
			name := fmt.Sprintf("n%d.%s.example", d, strings.Repeat("x", d%50)) // some beyond the inline key
			var ts time.Time
			switch rng.IntN(10) {
			case 0: // no time
			case 1:
				ts = t0.Add(-time.Duration(rng.IntN(1e6)) * time.Millisecond) // earlier
			case 2:
				ts = time.Date(0, 1, 1, 0, 0, 0, rng.IntN(1e9), time.UTC) // before the zero time
			default:
				ts = t0.Add(time.Duration(i)*time.Second + time.Duration(rng.IntN(1e9)))
			}
			how := []string{"dns query", "tls sni"}[rng.IntN(2)]
			qr := names.Sight([]byte(name), ts, "f", how)
			rq := rnames.add(name, ts, "f", how)
			if (qr == None) != (rq == nil) {
				t.Fatalf("seed %d line %d: Sight = %v, map = %v", seed, i, qr, rq)
			}
			// answers: usually the name's own address, sometimes another, sometimes an IPv6
			for range rng.IntN(3) {
				a := fmt.Sprintf("203.0.%d.%d", d%250, d/250%250)
				switch rng.IntN(8) {
				case 0:
					a = fmt.Sprintf("198.51.100.%d", rng.IntN(20))
				case 1:
					a = fmt.Sprintf("2001:db8::%x", rng.IntN(20)) // too long to remember
				}
				if rq != nil && rq.memoTo != nil && rq.memo == a {
					rq.memoTo.touch(ts)
					if !names.Again(qr, []byte(a), ts) {
						t.Fatalf("seed %d line %d: memo of %s → %s missed", seed, i, name, a)
					}
					continue
				}
				if names.Again(qr, []byte(a), ts) {
					t.Fatalf("seed %d line %d: memo hit on %s → %s the map did not remember", seed, i, name, a)
				}
				ir := ips.Sight([]byte(a), ts, "f", "dns answer")
				rs := rips.add(a, ts, "f", "dns answer")
				names.Remember(qr, []byte(a), ips, ir)
				if rq != nil && rs != nil && len(a) <= 15 {
					rq.memo, rq.memoTo = a, rs
				}
			}
			if rng.IntN(2000) == 0 { // reading in the middle settles pending sightings
				if got, want := deref(ips.Sorted()), rips.sorted(); !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d line %d: ips differ", seed, i)
				}
			}
		}
		if got, want := deref(names.Sorted()), rnames.sorted(); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: names differ:\n got %+v\nwant %+v", seed, got[:min(3, len(got))], want[:min(3, len(want))])
		}
		if got, want := deref(ips.Sorted()), rips.sorted(); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: ips differ:\n got %+v\nwant %+v", seed, got[:min(3, len(got))], want[:min(3, len(want))])
		}
		for _, w := range rips.sorted() {
			if g := ips.Get(w.Value); g == nil || *g != w {
				t.Fatalf("seed %d: Get(%q) = %+v, want %+v", seed, w.Value, g, w)
			}
		}
		if ips.Get("192.0.2.1") != nil {
			t.Fatal("Get of a value never added")
		}
		// merging whole summaries, as the Suricata module does for unresolved addresses
		merged := NewTable()
		for _, s := range ips.Sorted() {
			merged.AddSummary(s)
		}
		if got, want := deref(merged.Sorted()), rips.sorted(); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: AddSummary changed summaries", seed)
		}
	}
}

func TestTableZeroTimes(t *testing.T) {
	tb := NewTable()
	tb.Add([]byte("a.example"), time.Time{}, "f", "dns query")
	got := tb.Sorted()
	if !got[0].First.IsZero() || !got[0].Last.IsZero() || got[0].First != (time.Time{}) {
		t.Fatalf("zero time came back as %v/%v", got[0].First, got[0].Last)
	}
	ts := time.Unix(1700000000, 5).UTC()
	tb.Add([]byte("a.example"), ts, "f", "dns query")
	if got := tb.Get("a.example"); got.First != ts || got.Last != ts || got.Count != 2 {
		t.Fatalf("got %+v", got)
	}
}

func TestTableFull(t *testing.T) {
	tb := NewTable()
	tb.max = 5000 // MaxValues in the product
	var b []byte
	for i := range tb.max {
		b = fmt.Appendf(b[:0], "%d", i)
		if tb.Sight(b, time.Time{}, "f", "x") == None {
			t.Fatalf("value %d dropped", i)
		}
	}
	if tb.Add([]byte("one more"), time.Time{}, "f", "x") != nil || tb.Dropped != 1 || tb.Len() != tb.max {
		t.Fatalf("dropped %d, len %d", tb.Dropped, tb.Len())
	}
	if tb.Add([]byte("7"), time.Time{}, "f", "x") == nil {
		t.Fatal("a known value was refused once the table was full")
	}
}

func TestMemo(t *testing.T) {
	names, ips := NewTable(), NewTable()
	ts := time.Unix(1700000000, 0).UTC()
	d := names.Sight([]byte("a.example"), ts, "f", "dns query")
	ip := ips.Sight([]byte("203.0.113.7"), ts, "f", "dns answer")
	if names.Again(d, []byte("203.0.113.7"), ts) {
		t.Fatal("memo before Remember")
	}
	names.Remember(d, []byte("203.0.113.7"), ips, ip)
	if !names.Again(d, []byte("203.0.113.7"), ts.Add(time.Hour)) || names.Again(d, []byte("203.0.113.8"), ts) {
		t.Error("memo lookup wrong")
	}
	names.Remember(d, []byte("2001:db8:aaaa:bbbb::1"), ips, ip) // too long: ignored
	if names.Again(d, []byte("2001:db8:aaaa:bbbb::1"), ts) {
		t.Error("long value memoised")
	}
	if s := ips.Get("203.0.113.7"); s.Count != 2 || !s.Last.Equal(ts.Add(time.Hour)) {
		t.Errorf("memo sighting not counted: %+v", s)
	}
	if n := testing.AllocsPerRun(100, func() { names.Again(d, []byte("203.0.113.7"), ts) }); n != 0 {
		t.Errorf("%v allocations for a remembered answer", n)
	}
}

func TestEntrySize(t *testing.T) {
	// Two cache lines: a chunk of 512 entries is a page-aligned 64 KiB
	// allocation, so an entry never straddles a third line.
	if n := unsafe.Sizeof(entry{}); n != 128 {
		t.Errorf("entry is %d bytes, want 128", n)
	}
}

// dnsBenchData is what the DNS benchmarks replay: 50,000 names with one
// IPv4 answer each, in a uniformly drawn order, so most look-ups miss the
// CPU caches: the worst case.
func dnsBenchData() (names, answers [][]byte, order []int32) {
	const distinct = 50_000
	names = make([][]byte, distinct)
	answers = make([][]byte, distinct)
	for d := range names {
		names[d] = fmt.Appendf(nil, "api%d.service%d.example.com", d, d%977)
		answers[d] = fmt.Appendf(nil, "203.0.%d.%d", d%250, d/250%250)
	}
	order = make([]int32, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range order {
		order[i] = int32(rng.IntN(distinct))
	}
	return names, answers, order
}

// BenchmarkTableDNS replays what the Zeek module does per dns.log line (a
// query name seen, its IPv4 answer counted through the memo). One op is
// one line.
func BenchmarkTableDNS(b *testing.B) {
	names, answers, order := dnsBenchData()
	domains, ips := NewTable(), NewTable()
	ts := time.Unix(1700000000, 0).UTC()
	b.ReportAllocs()
	cpu0 := cputime.Process()
	i := 0
	for b.Loop() {
		d := order[i&(len(order)-1)]
		i++
		r := domains.Sight(names[d], ts, "dns.log", "dns query")
		if !domains.Again(r, answers[d], ts) {
			domains.Remember(r, answers[d], ips, ips.Sight(answers[d], ts, "dns.log", "dns answer"))
		}
	}
	reportCPU(b, cpu0)
}

// reportCPU adds the process CPU time per op (every thread, GC included),
// steadier than wall time on a shared machine.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkMapDNS is BenchmarkTableDNS on the map-based table Table
// replaced, for comparison in the same run.
func BenchmarkMapDNS(b *testing.B) {
	names, answers, order := dnsBenchData()
	domains := &refTable{m: map[string]*refSeen{}, max: MaxValues}
	ips := &refTable{m: map[string]*refSeen{}, max: MaxValues}
	ts := time.Unix(1700000000, 0).UTC()
	b.ReportAllocs()
	cpu0 := cputime.Process()
	i := 0
	for b.Loop() {
		d := order[i&(len(order)-1)]
		i++
		q := domains.m[string(names[d])]
		if q != nil {
			q.touch(ts)
		} else {
			q = domains.add(string(names[d]), ts, "dns.log", "dns query")
		}
		if q.memoTo != nil && q.memo == string(answers[d]) {
			q.memoTo.touch(ts)
			continue
		}
		a := ips.m[string(answers[d])]
		if a != nil {
			a.touch(ts)
		} else {
			a = ips.add(string(answers[d]), ts, "dns.log", "dns answer")
		}
		q.memo, q.memoTo = string(answers[d]), a
	}
	reportCPU(b, cpu0)
}
