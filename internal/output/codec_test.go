package output

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/spill"
)

// TestEventCodecRoundTrip: an event, its catalog message nested with every
// kind of argument, reads back from the spill form as it was written; a
// truncated or damaged item is an error, never a panic.
func TestEventCodecRoundTrip(t *testing.T) {
	lvl := model.Level(2)
	inner := i18n.M("net.n_queries", "n", 3)
	for _, e := range []model.Event{
		{Time: time.Date(2026, 3, 1, 10, 0, 0, 40, time.UTC), Module: "network_dns", Event: "dns_query", Description: "A x.example",
			DescriptionMsg: i18n.M("net.event.dns", "type", "A", "name", "x.example", "queries", inner, "empty", "", "n", -7), Artifact: "a.pcap", Input: "in", Level: &lvl},
		{Module: "m", Event: "e"}, // zero time, no level, zero message
		{Module: "m", DescriptionMsg: i18n.M("k")},
	} {
		b := eventCodec.Append(nil, &e)
		var got model.Event
		if err := eventCodec.Decode(b, &got); err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, e)
		}
		if got.DescriptionMsg.String() != e.DescriptionMsg.String() {
			t.Errorf("renders %q, want %q", got.DescriptionMsg.String(), e.DescriptionMsg.String())
		}
		for n := range len(b) {
			if err := eventCodec.Decode(b[:n], &got); err == nil {
				t.Errorf("%d of %d bytes decoded without error", n, len(b))
			}
		}
		bad := append([]byte(nil), b...)
		for i := range bad {
			bad[i] ^= 0xff
			_ = eventCodec.Decode(bad, &got) // must not panic
			bad[i] ^= 0xff
		}
	}
}

// TestItemCodecRoundTrip: a spool item reads back from the spill form as
// it was written, every field, its place the table's own or, past the
// table's limit, carried in full (the spool merges a small scan's items
// from memory, not decoded: spill.Codec.RoundTrip); a truncated or damaged
// item, or one naming a place the table does not have, is an error, never
// a panic.
func TestItemCodecRoundTrip(t *testing.T) {
	table := newPlaceTable()
	table.limit = 1
	codec := itemCodec(table)
	obs := []module.Observable{
		{Type: "domain", Value: "x.example", Artifact: "Manifest.db", What: "a path",
			WhatMsg: i18n.M("net.n_queries", "n", 3, "sub", i18n.M("k")), FirstSeen: time.Date(2026, 3, 1, 10, 0, 0, 40, time.UTC), Count: 7},
		{Type: "url", Value: "https://x.example/"}, // zero time and message; past the limit
	}
	for i := range obs {
		o := &obs[i]
		it := obsItem{value: o.Value, first: o.FirstSeen, count: o.Count, place: table.find(o, "manifest", "in")}
		if want := i == 0; (it.place.id != inlinePlace) != want {
			t.Fatalf("%d: place id %d, in the table: want %v", i, it.place.id, want)
		}
		b := codec.Append(nil, &it)
		var got obsItem
		if err := codec.Decode(b, &got); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if it.place.id != inlinePlace && got.place != it.place {
			t.Errorf("%d: decoded another place than the table's", i)
		}
		if !reflect.DeepEqual(got, it) {
			t.Errorf("round trip:\n got %+v %+v\nwant %+v %+v", got, *got.place, it, *it.place)
		}
		var r ObservableRecord
		got.record(&r)
		if want := (ObservableRecord{Module: "manifest", Input: "in", Observable: *o}); !reflect.DeepEqual(r, want) {
			t.Errorf("record:\n got %+v\nwant %+v", r, want)
		}
		for n := range len(b) {
			if err := codec.Decode(b[:n], &got); err == nil {
				t.Errorf("%d of %d bytes decoded without error", n, len(b))
			}
		}
		bad := append([]byte(nil), b...)
		for i := range bad {
			bad[i] ^= 0xff
			_ = codec.Decode(bad, &got) // must not panic
			bad[i] ^= 0xff
		}
	}
	b := codec.Append(nil, &obsItem{value: "v", place: &obsPlace{id: 5}})
	var got obsItem
	if err := codec.Decode(b, &got); !errors.Is(err, errPlace) {
		t.Errorf("item of an unknown place: %v, want errPlace", err)
	}
}

// TestPlaces: the values of one place share it, whichever batch and sink
// brought them; a label that differs in its arguments (nested too), the
// English text, the module, the input, the type or the artifact makes
// another place.
func TestPlaces(t *testing.T) {
	table := newPlaceTable()
	base := module.Observable{Type: match.Domain, Artifact: "a", What: "Domain", WhatMsg: i18n.M("k", "n", 1, "sub", i18n.M("s", "x", "y"))}
	same := base
	same.WhatMsg = i18n.M("k", "n", 1, "sub", i18n.M("s", "x", "y"))
	p := table.find(&base, "m", "in")
	if table.find(&same, "m", "in") != p {
		t.Fatal("an equal place was made twice")
	}
	variants := []func(o *module.Observable) (string, string){
		func(o *module.Observable) (string, string) {
			o.WhatMsg = i18n.M("k", "n", 2, "sub", i18n.M("s", "x", "y"))
			return "m", "in"
		},
		func(o *module.Observable) (string, string) {
			o.WhatMsg = i18n.M("k", "n", 1, "sub", i18n.M("s", "x", "z"))
			return "m", "in"
		},
		func(o *module.Observable) (string, string) { o.WhatMsg = i18n.M("k", "n", 1); return "m", "in" },
		func(o *module.Observable) (string, string) { o.What = "Host"; return "m", "in" },
		func(o *module.Observable) (string, string) { o.Type = match.URL; return "m", "in" },
		func(o *module.Observable) (string, string) { o.Artifact = "b"; return "m", "in" },
		func(*module.Observable) (string, string) { return "m2", "in" },
		func(*module.Observable) (string, string) { return "m", "" },
	}
	seen := map[*obsPlace]bool{p: true}
	for i, v := range variants {
		o := base
		mod, input := v(&o)
		q := table.find(&o, mod, input)
		if seen[q] {
			t.Errorf("variant %d shares a place", i)
		}
		seen[q] = true
		if q.id != uint32(i+1) || table.get(uint64(q.id)) != q {
			t.Errorf("variant %d: id %d", i, q.id)
		}
	}
}

// TestInternerShares: the interner returns the string read, one copy of
// each short string however often and from however many goroutines it is
// read (the table of recent strings and the map agree), and past its bound
// it still returns the right string.
func TestInternerShares(t *testing.T) {
	in := newInterner()
	read := func(s string) string {
		return in.str(spill.NewDecoder(spill.AppendString(nil, s)))
	}
	words := []string{"aqf_files", "files.json", "file-path", "file-sha256", "android.what.file_path", "x", "xx", "yx", strings.Repeat("a", maxInternedLen)}
	first := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				w := words[(i+g)%len(words)]
				got := read(w)
				if got != w {
					t.Errorf("read %q, want %q", got, w)
					return
				}
				mu.Lock()
				if f, ok := first[w]; !ok {
					first[w] = got
				} else if unsafe.StringData(f) != unsafe.StringData(got) {
					t.Errorf("%q: two copies", w)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	long := strings.Repeat("b", maxInternedLen+1)
	if got := read(long); got != long {
		t.Errorf("long string read as %q", got)
	}
	for i := range maxInterned + 10 {
		w := fmt.Sprint("v", i)
		if got := read(w); got != w {
			t.Fatalf("read %q, want %q", got, w)
		}
	}
	if len(in.m) != maxInterned {
		t.Errorf("%d strings interned, bound %d", len(in.m), maxInterned)
	}
}

// BenchmarkInterner reads the names of observables as a spill run holds
// them: a few strings, each repeated by item after item.
func BenchmarkInterner(b *testing.B) {
	var enc []byte
	for _, s := range []string{"file-path", "", "aqf_files", "files.json", "File path", "android.what.file_path"} {
		enc = spill.AppendString(enc, s)
	}
	in := newInterner()
	for b.Loop() {
		d := spill.NewDecoder(enc)
		for range 6 {
			_ = in.str(d)
		}
	}
}

// TestObservableKey: the spill sort key of observables never contradicts
// compareObservables (keys that differ order as the observables do), for
// known types, types that no indicator has (before, between and after
// the known ones' names, and one that is a known name's prefix), empty
// and shared values, values shorter and longer than the key's 7 bytes,
// with zero bytes where the key pads; and the spill, with the key, sorts as
// compareObservables does.
func TestObservableKey(t *testing.T) {
	types := []match.Type{match.FilePath, match.FileSHA256, match.Domain, match.JA4, "", "a", "file", "file-paths", "zzz", "sha2"}
	values := []string{"", "/data/a", "/data/b", "/data/aa", "0f", "a", "ab", "ab\x00", "ab\x00c", "abcdefg", "abcdefgh", "abcdefgz", "\xff\xff", "example.com"}
	var obs []ObservableRecord
	for _, ty := range types {
		for _, v := range values {
			for _, mod := range []string{"m1", "m2"} {
				obs = append(obs, ObservableRecord{Module: mod, Observable: module.Observable{Type: ty, Value: v, Artifact: "f", Count: 1}})
			}
		}
	}
	for i := range obs {
		for j := range obs {
			a, b := &obs[i], &obs[j]
			na, sa := observableKey(a)
			nb, sb := observableKey(b)
			kc := cmp.Or(cmp.Compare(na, nb), strings.Compare(sa, sb))
			if c := compareObservables(a, b); kc != 0 && kc != c {
				t.Fatalf("%q %q vs %q %q: keys order %d, observables %d", a.Type, a.Value, b.Type, b.Value, kc, c)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(obs), func(i, j int) { obs[i], obs[j] = obs[j], obs[i] })
	for _, limit := range []int{maxPlaces, 5} { // 5: most places carried by their items
		table := newPlaceTable()
		table.limit = limit
		s := spill.New(t.TempDir(), 3000, itemCodec(table)) // spills several runs
		defer s.Close()
		sinks := map[string]*obsSink{}
		for _, o := range obs {
			k := sinks[o.Module]
			if k == nil {
				k = &obsSink{table: table, sorter: s, mod: o.Module}
				sinks[o.Module] = k
			}
			if err := k.add([]module.Observable{o.Observable}); err != nil {
				t.Fatal(err)
			}
		}
		want := slices.Clone(obs)
		slices.SortStableFunc(want, func(a, b ObservableRecord) int { return compareObservables(&a, &b) })
		var got []ObservableRecord
		if err := (spoolObservables{s}).records(func(o *ObservableRecord) error { got = append(got, *o); return nil }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("limit %d: spill order differs from compareObservables", limit)
		}
	}
}
