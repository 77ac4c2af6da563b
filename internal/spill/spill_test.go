package spill

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/spyscan/spyscan/internal/cputime"
)

type item struct {
	k   int64
	tag string
}

var itemCodec = Codec[item]{
	Append: func(dst []byte, v *item) []byte { return AppendString(AppendInt(dst, v.k), v.tag) },
	Decode: func(src []byte, v *item) error {
		d := NewDecoder(src)
		v.k, v.tag = d.Int(), d.String()
		return d.Err()
	},
	Compare: func(a, b *item) int { return cmp.Compare(a.k, b.k) },
	Size:    func(v *item) int { return 16 + len(v.tag) },
}

func collect(t *testing.T, each func(func(*item) error) error) []item {
	t.Helper()
	var out []item
	if err := each(func(v *item) error { out = append(out, *v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBufferedMerge: a sorter whose codec round-trips and that made no
// run is merged from its buffer; every reading, with items added between
// them and after a spill, is the stable sort of what was added, as the
// same sorter without RoundTrip (encoded runs) gives it; a callback's
// change to its item is not kept.
func TestBufferedMerge(t *testing.T) {
	rt := itemCodec
	rt.RoundTrip = true
	for _, budget := range []int{1 << 20, 3000} { // never spills; spills in the second round
		t.Run(strconv.Itoa(budget), func(t *testing.T) {
			dir := t.TempDir()
			fast, slow := New(dir, budget, rt), New(dir, budget, itemCodec)
			defer fast.Close()
			defer slow.Close()
			r := rand.New(rand.NewPCG(3, 4))
			var want []item
			for round := range 3 {
				for i := range 150 {
					v := item{k: r.Int64N(20), tag: strconv.Itoa(round*1000 + i)}
					want = append(want, v)
					if err := errors.Join(fast.Add(v), slow.Add(v)); err != nil {
						t.Fatal(err)
					}
				}
				sorted := slices.Clone(want)
				slices.SortStableFunc(sorted, func(a, b item) int { return cmp.Compare(a.k, b.k) })
				for range 2 { // twice: the second reading is of the sorted copy
					got := collect(t, fast.Each)
					if !slices.Equal(got, sorted) || !slices.Equal(got, collect(t, slow.Each)) {
						t.Fatalf("round %d: buffered merge is not the stable sort of the input", round)
					}
				}
				if err := fast.Each(func(v *item) error { v.tag = "changed"; return nil }); err != nil {
					t.Fatal(err)
				}
				if round == 1 {
					if err := fast.Flush(); err != nil { // a run now: merged from runs from here on
						t.Fatal(err)
					}
				}
			}
			if _, ok := fast.sortedBuffer(); ok {
				t.Error("a sorter with runs merged from its buffer")
			}
		})
	}
}

func TestSortsAcrossRunsStably(t *testing.T) {
	for _, budget := range []int{20, 4000, 1 << 20} { // one run per item, several runs, one run
		t.Run(strconv.Itoa(budget), func(t *testing.T) {
			s := New(t.TempDir(), budget, itemCodec)
			defer s.Close()
			r := rand.New(rand.NewPCG(1, 2))
			var want []item
			for i := range 400 {
				v := item{k: r.Int64N(50) - 25, tag: strconv.Itoa(i)}
				want = append(want, v)
				if err := s.Add(v); err != nil {
					t.Fatal(err)
				}
			}
			slices.SortStableFunc(want, func(a, b item) int { return cmp.Compare(a.k, b.k) })
			got := collect(t, s.Each)
			if !slices.Equal(got, want) {
				t.Fatalf("budget %d: merge is not the stable sort of the input", budget)
			}
			if again := collect(t, s.Each); !slices.Equal(again, want) {
				t.Fatal("a second merge differs")
			}
			if s.Len() != 400 {
				t.Errorf("Len = %d", s.Len())
			}
		})
	}
}

func TestMergeSeveralSortersConcurrently(t *testing.T) {
	dir := t.TempDir()
	a, b := New(dir, 64, itemCodec), New(dir, 64, itemCodec)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			s := a
			if g%2 == 1 {
				s = b
			}
			for i := range 500 {
				s.Add(item{k: int64((i * 7919) % 1000), tag: "x"})
			}
		})
	}
	wg.Wait()
	got := collect(t, func(fn func(*item) error) error { return Merge(fn, a, b) })
	if len(got) != 2000 || !slices.IsSortedFunc(got, func(x, y item) int { return cmp.Compare(x.k, y.k) }) {
		t.Fatalf("%d items, sorted %v", len(got), slices.IsSortedFunc(got, func(x, y item) int { return cmp.Compare(x.k, y.k) }))
	}
	a.Close()
	b.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Close left %d run files", len(left))
	}
}

func TestCorruptRunAndCallbackError(t *testing.T) {
	s := New(t.TempDir(), 1, itemCodec)
	defer s.Close()
	for i := range 3 {
		s.Add(item{k: int64(i), tag: "abc"})
	}
	stop := errors.New("stop")
	if err := s.Each(func(*item) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("callback error not returned: %v", err)
	}
	if err := os.WriteFile(s.runs[1].name, []byte{0x05, 0x02}, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Each(func(*item) error { return nil }); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt run: %v", err)
	}
}

func TestDecoderRejectsTruncatedAndTrailing(t *testing.T) {
	enc := AppendString(AppendInt(nil, -7), "hello")
	for i := range len(enc) {
		var v item
		if err := itemCodec.Decode(enc[:i], &v); err == nil {
			t.Errorf("truncated at %d: no error", i)
		}
	}
	var v item
	if err := itemCodec.Decode(append(enc, 0), &v); err == nil {
		t.Error("trailing byte: no error")
	}
	if err := itemCodec.Decode(enc, &v); err != nil || v.k != -7 || v.tag != "hello" {
		t.Errorf("round trip: %+v %v", v, err)
	}
}

// Text reads what String reads, from one copy of the item that the
// decoded bytes do not share, and fails as String does on a truncated item.
func TestDecoderText(t *testing.T) {
	enc := AppendString(AppendInt(AppendString(AppendString(nil, "first"), ""), 42), "third")
	for _, tc := range []struct {
		name string
		read func(d *Decoder) []any
	}{
		{"String", func(d *Decoder) []any { return []any{d.String(), d.String(), d.Int(), d.String()} }},
		{"Text", func(d *Decoder) []any { return []any{d.Text(), d.Text(), d.Int(), d.Text()} }},
		{"mixed", func(d *Decoder) []any { return []any{d.Text(), d.String(), d.Int(), d.Text()} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := slices.Clone(enc)
			d := NewDecoder(src)
			got := tc.read(d)
			if err := d.Err(); err != nil {
				t.Fatal(err)
			}
			clear(src) // the strings must not share the decoded bytes
			if want := []any{"first", "", int64(42), "third"}; !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
			for i := range len(enc) {
				d := NewDecoder(enc[:i])
				tc.read(d)
				if d.Err() == nil {
					t.Errorf("truncated at %d: no error", i)
				}
			}
		})
	}
}

// A merge of more runs than maxFanIn first merges consecutive runs into
// longer ones: the stream is the same stable sort, across sorters too, the
// merge never reads more than maxFanIn runs, and the run files left are
// the compacted ones (removed by Close).
func TestManyRunsAreCompacted(t *testing.T) {
	defer func(n int) { maxFanIn = n }(maxFanIn)
	maxFanIn = 4
	dir := t.TempDir()
	a, b := New(dir, 20, itemCodec), New(dir, 20, itemCodec) // one run per item
	r := rand.New(rand.NewPCG(3, 4))
	var want []item
	for i := range 300 {
		s := a
		if i >= 200 {
			s = b
		}
		v := item{k: r.Int64N(20), tag: strconv.Itoa(i)}
		want = append(want, v)
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortStableFunc(want, func(x, y item) int { return cmp.Compare(x.k, y.k) })
	merge := func(fn func(*item) error) error { return Merge(fn, a, b) }
	if got := collect(t, merge); !slices.Equal(got, want) {
		t.Fatal("merge of compacted runs is not the stable sort of the input")
	}
	if len(a.runs) != 2 || len(b.runs) != 2 {
		t.Errorf("runs after compaction: %d and %d, want 2 and 2", len(a.runs), len(b.runs))
	}
	if left, _ := os.ReadDir(dir); len(left) != 4 {
		t.Errorf("%d run files on disk, want 4", len(left))
	}
	if again := collect(t, merge); !slices.Equal(again, want) {
		t.Fatal("a second merge differs")
	}
	if got := collect(t, a.Each); len(got) != 200 || !slices.IsSortedFunc(got, func(x, y item) int { return cmp.Compare(x.k, y.k) }) {
		t.Errorf("one sorter alone: %d items", len(got))
	}
	a.Close()
	b.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Close left %d run files", len(left))
	}
}

// BenchmarkMerge200Runs merges 200 runs of 2,000 items (more than
// maxFanIn: the first merge compacts them, later ones read the compacted
// runs).
func BenchmarkMerge200Runs(b *testing.B) {
	s := New(b.TempDir(), 2000*24, itemCodec)
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 * 2000 {
		s.Add(item{k: r.Int64N(1 << 40), tag: "abcdefgh"})
	}
	cpu0 := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := s.Each(func(*item) error { n++; return nil }); err != nil || n != 400_000 {
			b.Fatal(n, err)
		}
	}
	if c := cputime.Process() - cpu0; c > 0 {
		b.ReportMetric(float64(c.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkSortMerge: 200,000 items with many equal keys (a timeline's
// events of one second, an observable's sightings) added, spilled in runs
// of 1 MiB and merged once.
func BenchmarkSortMerge(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	items := make([]item, 200000)
	for i := range items {
		items[i] = item{k: r.Int64N(5000), tag: "sms_received " + strconv.Itoa(i)}
	}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		s := New(dir, 1<<20, itemCodec)
		for _, v := range items {
			if err := s.Add(v); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Each(func(*item) error { return nil }); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// The partial buffer a merge sorts stays in memory while the sorter's
// memory runs have room, and goes to a file past memRuns bytes; added to
// between merges, a sorter mixes memory and file runs, and the stream is
// still the stable sort of everything added, across sorters.
func TestMemoryRuns(t *testing.T) {
	tests := []struct {
		name      string
		rounds    []int // items added before each merge
		tagLen    int
		wantFiles int // run files on disk after the last merge
	}{
		{"small sort, no file", []int{300}, 10, 0},
		{"several merges, no file", []int{100, 50, 1}, 10, 0},
		{"larger than memRuns", []int{100}, memRuns / 50, 2}, // one per sorter
		{"memory full after the first merge", []int{50, 50}, memRuns / 60, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			a, b := New(dir, 1<<30, itemCodec), New(dir, 1<<30, itemCodec)
			defer a.Close()
			defer b.Close()
			r := rand.New(rand.NewPCG(5, 6))
			var want []item
			merge := func(fn func(*item) error) error { return Merge(fn, a, b) }
			for round, n := range tt.rounds {
				for i := range 2 * n {
					s := a
					if i%2 == 1 {
						s = b
					}
					tag := strconv.Itoa(round*100000+i) + string(make([]byte, tt.tagLen))
					v := item{k: r.Int64N(20), tag: tag}
					want = append(want, v)
					if err := s.Add(v); err != nil {
						t.Fatal(err)
					}
				}
				// Equal keys: a's items first, then b's, each in the order added.
				stable := slices.Clone(want)
				slices.SortStableFunc(stable, func(x, y item) int {
					if c := cmp.Compare(x.k, y.k); c != 0 {
						return c
					}
					return cmp.Compare(sorterOf(x), sorterOf(y))
				})
				if got := collect(t, merge); !slices.Equal(got, stable) {
					t.Fatalf("merge %d is not the stable sort of the input", round)
				}
			}
			if left, _ := os.ReadDir(dir); len(left) != tt.wantFiles {
				t.Errorf("%d run files, want %d", len(left), tt.wantFiles)
			}
			if a.mem > memRuns || b.mem > memRuns {
				t.Errorf("memory runs of %d and %d bytes, over %d", a.mem, b.mem, memRuns)
			}
		})
	}
}

// sorterOf is 0 for the items TestMemoryRuns added to its first sorter
// (even numbers before the padding of their tag), 1 for its second.
func sorterOf(v item) int {
	digits := strings.TrimRight(v.tag, "\x00")
	n, _ := strconv.Atoi(digits)
	return n % 2
}

// TestKeyedSort: a codec with a Key sorts as the same codec without one,
// equal items in the order they were added, whether the keys decide
// (distinct numbers or strings) or leave the order to Compare (equal keys),
// in one buffer and across spilled runs.
func TestKeyedSort(t *testing.T) {
	keys := map[string]func(v *item) (uint64, string){
		"number":      func(v *item) (uint64, string) { return uint64(v.k / 5), "" },
		"string":      func(v *item) (uint64, string) { return 0, string(rune('a' + v.k/3)) },
		"both":        func(v *item) (uint64, string) { return uint64(v.k / 10), string(rune('a' + v.k/2)) },
		"constant":    func(*item) (uint64, string) { return 7, "x" },
		"exact order": func(v *item) (uint64, string) { return uint64(v.k), "" },
	}
	for name, key := range keys {
		for _, budget := range []int{1 << 20, 2000} {
			t.Run(name+"/"+strconv.Itoa(budget), func(t *testing.T) {
				keyed := itemCodec
				keyed.Key = key
				dir := t.TempDir()
				a, b := New(dir, budget, itemCodec), New(dir, budget, keyed)
				defer a.Close()
				defer b.Close()
				r := rand.New(rand.NewPCG(5, 6))
				for i := range 500 {
					v := item{k: r.Int64N(40), tag: strconv.Itoa(i)}
					if err := errors.Join(a.Add(v), b.Add(v)); err != nil {
						t.Fatal(err)
					}
				}
				want, got := collect(t, a.Each), collect(t, b.Each)
				if !slices.Equal(got, want) {
					t.Errorf("keyed sort differs:\n got %v\nwant %v", got, want)
				}
			})
		}
	}
}

// TestKeyedSortLongPrefixes: keys whose strings share long starts (the
// word after their group's common prefix decides), with zero and high
// bytes, strings shorter than the word and empty ones, sort as Compare
// sorts their strings, in one run and across runs.
func TestKeyedSortLongPrefixes(t *testing.T) {
	byTag := func(a, b *item) int { return strings.Compare(a.tag, b.tag) }
	// pairs: numbers of two items each, more than the table of numbers
	// holds, so that numbers share its entries.
	byPair := func(a, b *item) int { return cmp.Or(cmp.Compare(a.k/2, b.k/2), byTag(a, b)) }
	cases := map[string]struct {
		key     func(v *item) (uint64, string)
		compare func(a, b *item) int
	}{
		"constant number": {func(v *item) (uint64, string) { return 0, v.tag }, byTag},
		"first byte": {func(v *item) (uint64, string) {
			if v.tag == "" {
				return 0, ""
			}
			return uint64(v.tag[0]) + 1, v.tag[1:]
		}, byTag},
		"pairs": {func(v *item) (uint64, string) { return uint64(v.k / 2), v.tag }, byPair},
	}
	prefixes := []string{"", "/sdcard/Android/data/com.example.app0", "\x00\x00", "aaaaaaaaaaaaaaaaaaaaaaaa", "\xff"}
	const alphabet = "\x00ab\xff"
	for name, c := range cases {
		for _, budget := range []int{1 << 20, 3000} {
			t.Run(name+"/"+strconv.Itoa(budget), func(t *testing.T) {
				plain := itemCodec
				plain.Compare = c.compare
				keyed := plain
				keyed.Key = c.key
				dir := t.TempDir()
				a, b := New(dir, budget, plain), New(dir, budget, keyed)
				defer a.Close()
				defer b.Close()
				r := rand.New(rand.NewPCG(7, 8))
				for i := range 5000 {
					tag := []byte(prefixes[r.IntN(len(prefixes))])
					for range r.IntN(13) {
						tag = append(tag, alphabet[r.IntN(len(alphabet))])
					}
					v := item{k: int64(i), tag: string(tag)}
					if err := errors.Join(a.Add(v), b.Add(v)); err != nil {
						t.Fatal(err)
					}
				}
				want, got := collect(t, a.Each), collect(t, b.Each)
				if !slices.Equal(got, want) {
					t.Errorf("keyed sort differs:\n got %v\nwant %v", got, want)
				}
			})
		}
	}
}

// TestAddAllAsAdd: items added in batches (AddAll) are held, spilled and
// merged as the same items added one by one, across several runs.
func TestAddAllAsAdd(t *testing.T) {
	dir := t.TempDir()
	one, all := New(dir, 500, itemCodec), New(dir, 500, itemCodec)
	defer one.Close()
	defer all.Close()
	r := rand.New(rand.NewPCG(9, 1))
	var batch []item
	for i := range 1000 {
		v := item{k: r.Int64N(30), tag: strconv.Itoa(i)}
		if err := one.Add(v); err != nil {
			t.Fatal(err)
		}
		if batch = append(batch, v); len(batch) == 1+i%37 {
			if err := all.AddAll(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := all.AddAll(batch); err != nil {
		t.Fatal(err)
	}
	if one.Len() != all.Len() || len(all.runs) < 2 || len(all.runs) != len(one.runs) {
		t.Fatalf("%d items in %d runs, one by one %d in %d", all.Len(), len(all.runs), one.Len(), len(one.runs))
	}
	if got, want := collect(t, all.Each), collect(t, one.Each); !slices.Equal(got, want) {
		t.Error("AddAll's merge differs from Add's")
	}
}

// TestBufferGrowth: the buffer grows to about what the budget holds, not
// to the next doubling past it, and holds the items as before.
func TestBufferGrowth(t *testing.T) {
	s := New(t.TempDir(), 33000*22, itemCodec) // 33,000 items of 22 bytes: a doubling would hold 65,536
	defer s.Close()
	for i := 0; len(s.runs) == 0; i++ {
		if err := s.Add(item{k: int64(i % 97), tag: fmt.Sprintf("%06d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); cap(s.buf) > n*3/2 || cap(s.buf) < n {
		t.Errorf("buffer of %d items for a run of %d", cap(s.buf), n)
	}
	if got := collect(t, s.Each); len(got) != s.Len() || !slices.IsSortedFunc(got, func(a, b item) int { return cmp.Compare(a.k, b.k) }) {
		t.Errorf("%d items merged, sorted: %v", len(got), slices.IsSortedFunc(got, func(a, b item) int { return cmp.Compare(a.k, b.k) }))
	}
}

// BenchmarkKeyedSort orders a buffer of 70,000 items keyed as the spool's
// observables are (the first 7 bytes of the value in the number, the rest
// as the string): paths of a 50,000-file androidqf, sharing ~37 bytes,
// and SHA-256 values, the ordering a run of the observables' spill makes.
func BenchmarkKeyedSort(b *testing.B) {
	keyed := itemCodec
	keyed.Compare = func(a, b *item) int { return strings.Compare(a.tag, b.tag) }
	keyed.Key = func(v *item) (uint64, string) {
		var n uint64
		for j := range min(7, len(v.tag)) {
			n |= uint64(v.tag[j]) << (48 - 8*j)
		}
		return n, v.tag[min(7, len(v.tag)):]
	}
	s := New(b.TempDir(), 1<<30, keyed)
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 35000 {
		app := r.IntN(5000)
		paths := item{tag: fmt.Sprintf("/sdcard/Android/data/com.example.app%05d/cache/file%06d.bin", app, app+5000*r.IntN(10))}
		hash := item{tag: fmt.Sprintf("%016x%016x%016x%016x", r.Uint64(), r.Uint64(), r.Uint64(), uint64(i))}
		if err := errors.Join(s.Add(paths), s.Add(hash)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		s.mu.Lock()
		s.orderLocked()
		s.mu.Unlock()
	}
}
