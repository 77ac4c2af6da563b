package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
)

// indexVariant is one way of indexing the same indicator list.
type indexVariant struct {
	name string
	ix   *Index
}

// indexVariants indexes inds in every way a caller can get: the maps
// (NewIndex), the stored index alone, maps on top of a stored index of a
// first part of the list, and maps over an empty stored index. Each must
// match exactly as NewIndex does; the rejects of the layered ones must be
// NewIndex's too.
func indexVariants(t testing.TB, inds []Indicator) []indexVariant {
	t.Helper()
	maps, want := NewIndex(inds)
	out := []indexVariant{{"maps", maps}}
	for _, split := range []int{len(inds), len(inds) / 2, len(inds) / 3, 0} {
		st, err := OpenStored(string(Encode(inds[:split])))
		if err != nil {
			t.Fatal(err)
		}
		ix, rejects := st.Index(inds[split:])
		stRejects, err := st.Rejects()
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("stored %d + maps %d", split, len(inds)-split)
		if got := append(stRejects, rejects...); len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("%s: rejects %+v, NewIndex's %+v", name, got, want)
		}
		back, err := st.Indicators()
		if err != nil || len(back) != split || (split > 0 && !reflect.DeepEqual(back, inds[:split])) {
			t.Fatalf("%s: stored list decodes to %d indicators (%v), not the %d given", name, len(back), err, split)
		}
		out = append(out, indexVariant{name, ix})
	}
	for _, sp := range [][2]int{{len(inds) / 2, len(inds)}, {len(inds) / 3, 2 * len(inds) / 3}, {0, len(inds) / 2},
		{len(inds) / 4, len(inds) / 4}, {len(inds), len(inds)}, {1, len(inds) - 1}} {
		out = append(out, layeredVariant(t, inds, min(sp[0], len(inds)), min(max(sp[0], sp[1]), len(inds)), want))
	}
	return out
}

// layeredVariant is inds[:a] stored, inds[a:b] stored over it (EncodeOver)
// and inds[b:] in maps on top, checked to give NewIndex's rejects and
// to keep each part's list.
func layeredVariant(t testing.TB, inds []Indicator, a, b int, want []Indicator) indexVariant {
	t.Helper()
	name := fmt.Sprintf("stored %d + stored %d + maps %d", a, b-a, len(inds)-b)
	base, err := OpenStored(string(Encode(inds[:a])))
	if err != nil {
		t.Fatal(err)
	}
	over, err := OpenStoredOver(string(EncodeOver(base, inds[a:b])), base)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ix, rejects := over.Index(inds[b:])
	var got []Indicator
	for _, st := range []*Stored{base, over} {
		r, err := st.Rejects()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r...)
	}
	if got = append(got, rejects...); len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("%s: rejects %+v, NewIndex's %+v", name, got, want)
	}
	back, err := over.Indicators()
	if err != nil || len(back) != b-a || (b > a && !reflect.DeepEqual(back, inds[a:b])) {
		t.Fatalf("%s: the layered list decodes to %d indicators (%v), not the %d given", name, len(back), err, b-a)
	}
	return indexVariant{name, ix}
}

// forEachIndex runs f on every variant of inds.
func forEachIndex(t *testing.T, inds []Indicator, f func(t *testing.T, ix *Index)) {
	t.Helper()
	for _, v := range indexVariants(t, inds) {
		t.Run(v.name, func(t *testing.T) { f(t, v.ix) })
	}
}

func TestStoredTypes(t *testing.T) {
	if !slices.Equal(slices.Sorted(slices.Values(storedTypes[:])), slices.Sorted(slices.Values(AllTypes))) {
		t.Fatalf("storedTypes %v does not list each of %v once", storedTypes, AllTypes)
	}
}

// randomAllTypes builds indicators of every type, with values shared
// across types, sources and partial flags (so that merging happens), and
// observed values around them.
func randomAllTypes(seed uint64, n int) ([]Indicator, []string) {
	r := rand.New(rand.NewPCG(seed, seed^0x51ed))
	words := []string{"evil", "com.apple.Mappit.SnapshotService", "com.apple.Mappit.Other", "bh", "libtools.dylib", "x", "tmp",
		"Abc", "a.b", "com.sc.spyier", "persist.sys.x", "ab12", "0", "private", "var", "db"}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	hexs := func(n int) string {
		const h = "0123456789abcdefABCDEF"
		b := make([]byte, n)
		for i := range b {
			b[i] = h[r.IntN(4)] // few distinct values: repeats merge
		}
		return string(b)
	}
	var inds []Indicator
	var obs []string
	for range n {
		var v string
		t := AllTypes[r.IntN(len(AllTypes))]
		switch t {
		case Domain, URL:
			ds, us, hs := randomLookupSet(r.Uint64(), 1, 2, r.IntN(4) == 0)
			v = ds[0].Value
			obs = append(obs, us...)
			obs = append(obs, hs...)
		case IP:
			v = fmt.Sprintf("10.0.%d.%d", r.IntN(3), r.IntN(3))
			if r.IntN(3) == 0 {
				v = fmt.Sprintf("2001:db8::%d", r.IntN(3))
			}
		case Email:
			v = pick(words) + "@" + pick([]string{"Mail.com", "x.org"})
		case Process, FileName, AppID, Profile, AndroidProperty, JA4:
			v = pick(words)
			if r.IntN(2) == 0 {
				v += "." + pick(words)
			}
		case FilePath:
			v = "/" + pick(words) + "/" + pick(words)
			if r.IntN(2) == 0 {
				v += "/" + pick(words) + "/"
			}
		case FileMD5, AppCertMD5, JA3:
			v = hexs(32)
		case FileSHA1, AppCertSHA1, TLSCertSHA1:
			v = hexs(40)
		default:
			v = hexs(64)
		}
		src := model.Provenance{Source: pick([]string{"s1", "s2"}), File: pick([]string{"a.stix2", "b.stix2"}),
			Family: pick([]string{"", "Pegasus", "Predator"}), IndicatorID: fmt.Sprintf("indicator--%d", r.IntN(3))}
		if r.IntN(2) == 0 {
			src.References = []string{pick(words)}
		}
		srcs := []model.Provenance{src}
		if r.IntN(4) == 0 {
			s2 := src
			s2.Family = "Other"
			srcs = append(srcs, s2)
		}
		inds = append(inds, Indicator{Type: t, Value: v, Partial: r.IntN(3) == 0, Sources: srcs})
		obs = append(obs, v, strings.ToUpper(v), v+"/sub/file", strings.TrimSuffix(v, "/")+"x")
		if len(v) > 16 {
			obs = append(obs, v[:15], v[:16], "/bin/"+v[:16])
		}
	}
	obs = append(obs, "", " ", "[", "::1", "10.0.1.2", "mailto:evil@Mail.com")
	return inds, obs
}

// TestStoredSameAsMaps: every look-up of every type gives, on every index
// variant, exactly the matches (values, types, how, partial, provenances)
// of NewIndex, and the same counts.
func TestStoredSameAsMaps(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3, 4} {
		inds, obs := randomAllTypes(seed, 3_000)
		vs := indexVariants(t, inds)
		maps := vs[0].ix
		hits := 0
		for _, v := range vs[1:] {
			if v.ix.Len() != maps.Len() {
				t.Fatalf("seed %d, %s: Len %d, NewIndex %d", seed, v.name, v.ix.Len(), maps.Len())
			}
			for _, ty := range AllTypes {
				if v.ix.Count(ty) != maps.Count(ty) {
					t.Fatalf("seed %d, %s: Count(%s) %d, NewIndex %d", seed, v.name, ty, v.ix.Count(ty), maps.Count(ty))
				}
			}
			for _, o := range obs {
				for _, ty := range ObservedTypes() {
					f := Lookup(ty)
					got, want := f(v.ix, o), f(maps, o)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("seed %d, %s: %s look-up of %q\n got %+v\nwant %+v", seed, v.name, ty, o, got, want)
					}
					hits += len(want)
				}
				if got, want := v.ix.Any(o), maps.Any(o); !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d, %s: Any(%q)\n got %+v\nwant %+v", seed, v.name, o, got, want)
				}
			}
		}
		if hits < len(obs) {
			t.Fatalf("seed %d: %d matches for %d observed values: the set no longer exercises matching", seed, hits, len(obs))
		}
	}
}

func TestOpenStoredRejectsCorruption(t *testing.T) {
	inds, _ := randomAllTypes(7, 200)
	b := string(Encode(inds))
	for _, n := range []int{0, 5, len(storedMagic), len(storedMagic) + 3, len(b) / 2, len(b) - 1} {
		if _, err := OpenStored(b[:n]); err == nil {
			t.Errorf("OpenStored of the first %d of %d bytes: no error", n, len(b))
		}
	}
	if _, err := OpenStored(b + "x"); err == nil {
		t.Error("OpenStored with a trailing byte: no error")
	}
}

// TestOpenStoredOverChecksItsBase: a layered index opens only over the
// base it was encoded over (as the header notes it), and not alone.
func TestOpenStoredOverChecksItsBase(t *testing.T) {
	inds, _ := randomAllTypes(11, 300)
	base, err := OpenStored(string(Encode(inds[:200])))
	if err != nil {
		t.Fatal(err)
	}
	other, err := OpenStored(string(Encode(inds[:199])))
	if err != nil {
		t.Fatal(err)
	}
	over := string(EncodeOver(base, inds[200:]))
	if _, err := OpenStored(over); err == nil {
		t.Error("a layered index opened without its base")
	}
	if _, err := OpenStoredOver(over, other); err == nil {
		t.Error("a layered index opened over another base")
	}
	if _, err := OpenStoredOver(string(Encode(inds[200:])), base); err == nil {
		t.Error("an index that is not layered opened over a base")
	}
	if _, err := OpenStoredOver(over, base); err != nil {
		t.Errorf("over its own base: %v", err)
	}
	for _, n := range []int{len(storedMagic) + 3, len(over) / 2, len(over) - 1} {
		if _, err := OpenStoredOver(over[:n], base); err == nil {
			t.Errorf("OpenStoredOver of the first %d of %d bytes: no error", n, len(over))
		}
	}
}

// FuzzOpenStoredOver: any bytes opened over a base (the update cache's
// parsed form over the embedded snapshot) either fail to open or give a
// layered index whose look-ups and decoding do not panic.
func FuzzOpenStoredOver(f *testing.F) {
	inds, obs := randomAllTypes(10, 60)
	obs = obs[:min(len(obs), 40)] // a few look-ups per input: executions, not look-ups, find bugs
	base, err := OpenStored(string(Encode(inds[:30])))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeOver(base, inds[30:]), "evil.com")
	f.Add(EncodeOver(base, inds[:10]), obs[0])
	f.Add(EncodeOver(base, nil), "")
	f.Fuzz(func(t *testing.T, b []byte, o string) {
		if len(b) > 1<<20 {
			return
		}
		st, err := OpenStoredOver(string(b), base)
		if err != nil {
			return
		}
		exerciseStored(st, inds[:5], append([]string{o}, obs...))
	})
}

// exerciseStored decodes everything st holds and looks every probe up in
// its index alone and with the run-time indicators extra on top: the
// fuzz targets' check that nothing read from the bytes panics.
func exerciseStored(st *Stored, extra []Indicator, probes []string) {
	st.Indicators()
	st.Rejects()
	for _, ix := range []*Index{must(st.Index(nil)), must(st.Index(extra))} {
		for _, v := range probes {
			ix.Any(v)
			ix.URL(v)
		}
	}
}

// FuzzOpenStored: any bytes either fail to open or give an index whose
// look-ups and decoding do not panic (the decoder bounds every read).
func FuzzOpenStored(f *testing.F) {
	inds, obs := randomAllTypes(9, 40)
	f.Add(Encode(inds), "evil.com")
	f.Add(Encode(inds[:3]), obs[0])
	f.Add(Encode(nil), "")
	f.Fuzz(func(t *testing.T, b []byte, o string) {
		st, err := OpenStored(string(b))
		if err != nil {
			return
		}
		exerciseStored(st, inds[:5], append([]string{o}, obs...))
	})
}

func must(ix *Index, _ []Indicator) *Index { return ix }

// BenchmarkStoredDomain is a host checked against a stored index of
// 100,000 domains (1% hits), the look-up of a scan against the embedded
// snapshot.
func BenchmarkStoredDomain(b *testing.B) {
	inds, hosts := benchDomains(benchDomainsN)
	st, err := OpenStored(string(Encode(inds)))
	if err != nil {
		b.Fatal(err)
	}
	ix, _ := st.Index(nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Domain(hosts[i%len(hosts)])
		i++
	}
}

// benchDomains is n domain indicators and observed hosts, 1% of them (or
// their parent) indicators.
func benchDomains(n int) ([]Indicator, []string) {
	src := []model.Provenance{{Source: "bench"}}
	inds := make([]Indicator, n)
	for i := range inds {
		inds[i] = Indicator{Type: Domain, Value: fmt.Sprintf("d%d.example%d.com", i, i%97), Sources: src}
	}
	hosts := make([]string, 10_000)
	for i := range hosts {
		if i%100 == 0 {
			hosts[i] = fmt.Sprintf("a.d%d.example%d.com", i, i%97)
		} else {
			hosts[i] = fmt.Sprintf("www.host%d.cdn%d.net", i, i%31)
		}
	}
	return inds, hosts
}

// BenchmarkMapsDomain is BenchmarkStoredDomain's look-ups against the maps
// of the same indicators (NewIndex), to compare the two.
func BenchmarkMapsDomain(b *testing.B) {
	inds, hosts := benchDomains(benchDomainsN)
	ix, _ := NewIndex(inds)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Domain(hosts[i%len(hosts)])
		i++
	}
}

// benchDomainsN is about the embedded snapshot's number of domains.
const benchDomainsN = 10_000
