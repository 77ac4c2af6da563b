package indicators

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// parsedCacheDir makes an update cache of real public indicator files (a
// STIX bundle, Echap's YAML list and samples CSV), a bundle that does not
// parse and a manifest entry whose file is missing.
func parsedCacheDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"pegasus.stix2": "snapshot/amnesty-investigations/2021-07-18_nso/pegasus.stix2",
		"ioc.yaml":      "snapshot/stalkerware-indicators/ioc.yaml",
		"samples.csv":   "snapshot/stalkerware-indicators/samples.csv",
	}
	var es []CacheEntry
	for _, name := range []string{"pegasus.stix2", "ioc.yaml", "samples.csv", "bad.stix2", "gone.stix2"} {
		switch src := files[name]; {
		case src != "":
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, name), string(b))
		case name == "bad.stix2":
			writeFile(t, filepath.Join(dir, name), `{"type": "bundle", "objects": [`)
		}
		es = append(es, CacheEntry{Name: name, Source: "test-source", URL: "https://example.org/" + name, File: name,
			Downloaded: "2026-11-01T10:00:00Z", References: []string{"https://example.org/report"}})
	}
	b, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, manifestName), string(b))
	return dir
}

// cacheLoad is one way of loading the update cache: alone, over the
// embedded snapshot, or over it with a --iocs file on top.
type cacheLoad struct {
	name string
	opt  Options
}

// cacheLoads are the loads of dir TestParsedCache compares; extra is a
// --iocs file whose values are also in the cache and the snapshot.
func cacheLoads(dir, extra string) []cacheLoad {
	return []cacheLoad{
		{"cache only", Options{CacheDir: dir, NoEmbedded: true}},
		{"snapshot and cache", Options{CacheDir: dir}},
		{"snapshot, cache and --iocs", Options{CacheDir: dir, Paths: []string{extra}}},
	}
}

func load(t *testing.T, opt Options, build string) *Set {
	t.Helper()
	opt.Build = build
	set, err := Load(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func allOf(t *testing.T, s *Set) []match.Indicator {
	t.Helper()
	all, err := s.All()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func sameSet(t *testing.T, what string, got, want *Set) {
	t.Helper()
	ga, wa := allOf(t, got), allOf(t, want)
	if !reflect.DeepEqual(got.Sources, want.Sources) || !reflect.DeepEqual(ga, wa) || got.Len() != want.Len() ||
		!reflect.DeepEqual(got.Warnings, want.Warnings) || !reflect.DeepEqual(got.Unread, want.Unread) {
		t.Errorf("%s: the set differs from the one parsed from the files (%d vs %d indicators, %d vs %d warnings, %d vs %d unread)",
			what, len(ga), len(wa), len(got.Warnings), len(want.Warnings), len(got.Unread), len(want.Unread))
	}
}

// sameIndex: got's index (as Load layered it) finds every indicator of
// all, and values around them, exactly as match.NewIndex over all does:
// the same matches, values, types, how, partial flags and provenances in
// the same order, and the same counts and rejects.
func sameIndex(t *testing.T, what string, got *Set, all []match.Indicator) {
	t.Helper()
	want, wantRejects := match.NewIndex(all)
	ix, rejects := got.NewIndex()
	if !reflect.DeepEqual(rejects, wantRejects) || ix.Len() != want.Len() {
		t.Fatalf("%s: %d rejects, Len %d; NewIndex: %d, %d", what, len(rejects), ix.Len(), len(wantRejects), want.Len())
	}
	for _, ty := range match.AllTypes {
		if ix.Count(ty) != want.Count(ty) {
			t.Fatalf("%s: Count(%s) %d, NewIndex %d", what, ty, ix.Count(ty), want.Count(ty))
		}
	}
	multi := 0
	for _, in := range all {
		for _, v := range []string{in.Value, "a." + in.Value, in.Value + "/x", strings.ToUpper(in.Value)} {
			for _, ty := range match.ObservedTypes() {
				f := match.Lookup(ty)
				g, w := f(ix, v), f(want, v)
				if !reflect.DeepEqual(g, w) {
					t.Fatalf("%s: %s look-up of %q (a %s indicator)\n got %+v\nwant %+v", what, ty, v, in.Type, g, w)
				}
				for _, m := range w {
					if len(m.Sources) > 1 {
						multi++
					}
				}
			}
		}
	}
	if multi == 0 {
		t.Fatalf("%s: no match merges sources: the fixture no longer overlaps", what)
	}
}

// parsedFileKey is the key written at the head of dir's parsed form.
func parsedFileKey(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, parsedName))
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := strings.CutPrefix(string(b), parsedMagic)
	key, _, ok2 := strings.Cut(rest, "\n")
	if !ok || !ok2 {
		t.Fatalf("parsed form without its header")
	}
	return key
}

// TestParsedCache: a load through the parsed form (alone, layered over the
// embedded snapshot, and with a --iocs file on top) gives exactly the set
// and the matches that parsing the files gives, and the parsed form is
// used only while nothing it came from has changed.
func TestParsedCache(t *testing.T) {
	dir := parsedCacheDir(t)
	extra := filepath.Join(t.TempDir(), "extra.stix2")
	b, err := os.ReadFile("snapshot/amnesty-investigations/2021-07-18_nso/pegasus.stix2")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, extra, string(b))
	loads := cacheLoads(dir, extra)
	wants := make([]*Set, len(loads))
	for i, l := range loads {
		wants[i] = load(t, l.opt, "") // parsed form off: the files parsed
	}
	if _, err := os.Stat(filepath.Join(dir, parsedName)); !os.IsNotExist(err) {
		t.Fatalf("a build without an identity wrote a parsed form: %v", err)
	}
	if len(wants[0].Indicators) < 1000 || len(wants[0].Unread) != 2 {
		t.Fatalf("fixture: %d indicators, %d unread (want the bad and the missing file)", len(wants[0].Indicators), len(wants[0].Unread))
	}
	for i, l := range loads {
		// the first load of build-1 parses and stores; every later one
		// (whichever load stored it) reads the parsed form
		for _, pass := range []string{"first load", "from the parsed form"} {
			got := load(t, l.opt, "build-1")
			sameSet(t, l.name+", "+pass, got, wants[i])
			if i > 0 {
				if got.embedded.cache == nil && pass != "first load" {
					t.Fatalf("%s: the parsed form was not layered over the snapshot", l.name)
				}
				sameIndex(t, l.name+", "+pass, got, allOf(t, wants[i]))
			}
		}
	}
	key := parsedFileKey(t, dir)
	base := (&Set{}).snapshotStored()

	// The loads did read the parsed form: one changed under the same key
	// shows through, alone and layered.
	rs, sums, _ := parseCacheFiles(dir, readManifestT(t, dir))
	if k, _ := parsedKey("build-1", readManifestT(t, dir), sums); k != key {
		t.Fatal("the stored key is not the files' key")
	}
	rs[0].inds[0].Value = "changed-in-the-parsed-form.example"
	if err := writeParsed(dir, key, rs, base); err != nil {
		t.Fatal(err)
	}
	if got := load(t, loads[0].opt, "build-1"); got.Indicators[0].Value != "changed-in-the-parsed-form.example" {
		t.Fatalf("the parsed form was not used: first indicator %q", got.Indicators[0].Value)
	}
	if ms := load(t, loads[1].opt, "build-1").Index().Domain("changed-in-the-parsed-form.example"); len(ms) != 1 {
		t.Fatalf("the layered parsed form was not used: %d matches", len(ms))
	}

	// Another build parses again, and replaces the parsed form.
	sameSet(t, "another build", load(t, loads[1].opt, "build-2"), wants[1])
	if parsedFileKey(t, dir) == key {
		t.Error("the parsed form of another build was kept")
	}

	// A cached file changed: parsed again.
	writeFile(t, filepath.Join(dir, "bad.stix2"), `{"type": "bundle", "id": "bundle--1", "objects": []}`)
	want2 := load(t, loads[1].opt, "")
	sameSet(t, "a cached file changed", load(t, loads[1].opt, "build-2"), want2)
	sameSet(t, "a cached file changed, second load", load(t, loads[1].opt, "build-2"), want2)

	// A damaged parsed form: parsed again (and stored again).
	p := filepath.Join(dir, parsedName)
	b, err = os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(b)
	flipped[len(b)-len(b)/3] ^= 0x10
	for _, damaged := range [][]byte{b[:len(b)/2], append(append([]byte{}, b[:len(b)-100]...), make([]byte, 100)...), nil, []byte(parsedMagic), flipped} {
		writeFile(t, p, string(damaged))
		got := load(t, loads[1].opt, "build-2")
		sameSet(t, "a damaged parsed form", got, want2)
		if got.embedded.cache != nil {
			t.Fatal("a damaged parsed form was used")
		}
	}
	sameIndex(t, "after a damaged parsed form", load(t, loads[1].opt, "build-2"), allOf(t, want2))
}

func readManifestT(t *testing.T, dir string) []CacheEntry {
	t.Helper()
	es, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// FuzzDecodeParsed: a parsed form is read from the user's cache folder;
// whatever it holds, decoding returns an error or entries whose layered
// index answers look-ups, never panics. The body is fuzzed behind a valid
// CRC (and as given), so that the fuzzer gets past the checksum.
func FuzzDecodeParsed(f *testing.F) {
	base := (&Set{}).snapshotStored()
	rs := []loaded{
		{file: File{Path: "a.stix2", SHA256: "00", Indicators: 1}, inds: []match.Indicator{{Type: match.Domain, Value: "a.example"},
			{Type: match.Domain, Value: "lnkedin.info", Sources: []model.Provenance{{Source: "x"}}}}},
		{warns: []string{"b.stix2: bad"}},
	}
	b, err := encodeParsed("k", rs, base)
	if err != nil {
		f.Fatal(err)
	}
	head := len(parsedMagic) + len("k\n") + 4
	f.Add(b[head:], 2)
	f.Add([]byte("\x05\x00\x00\x00[{}]x"), 1)
	f.Fuzz(func(t *testing.T, body []byte, n int) {
		if len(body) > 1<<20 {
			return
		}
		withCRC := binary.LittleEndian.AppendUint32([]byte(parsedMagic+"k\n"), crc32.Update(0, crcTable, body))
		for _, s := range []string{string(append(withCRC, body...)), parsedMagic + "k\n" + string(body)} {
			pf, err := decodeParsed(s, "k", n, base)
			if err != nil {
				continue
			}
			if len(pf.rs) != n {
				t.Fatalf("%d entries for %d", len(pf.rs), n)
			}
			ix, _ := pf.st.Index(nil)
			for _, v := range []string{"a.example", "lnkedin.info", "x.lnkedin.info/a", "com.apple.x", "1.2.3.4"} {
				ix.Any(v)
				ix.URL(v)
			}
			pf.st.Indicators()
		}
	})
}

// snapshotCacheDir is an update cache of the embedded snapshot's files
// (20 files, 5.8 MB), as bench/cache-start.sh lays it out.
func snapshotCacheDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	var es []CacheEntry
	err := filepath.WalkDir("snapshot", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isIndicatorFile(p) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("snapshot", p)
		name := strings.ReplaceAll(filepath.ToSlash(rel), "/", "_")
		es = append(es, CacheEntry{Name: name, Source: strings.Split(filepath.ToSlash(rel), "/")[0], URL: "https://example.org/" + name,
			File: name, Downloaded: "2026-12-04T12:00:00Z"})
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := json.Marshal(es)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// BenchmarkLoadCache is a scan's start with an update cache of the
// snapshot's files whose parsed form is stored: Load (the files hashed,
// the parsed form read and opened over the embedded snapshot) and the
// index built.
func BenchmarkLoadCache(b *testing.B) {
	dir := snapshotCacheDir(b)
	opt := Options{CacheDir: dir, Build: "bench"}
	if _, err := Load(context.Background(), opt); err != nil { // stores the parsed form
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		set, err := Load(context.Background(), opt)
		if err != nil {
			b.Fatal(err)
		}
		if set.embedded.cache == nil {
			b.Fatal("the parsed form was not used")
		}
		set.Index()
	}
}

// BenchmarkLoadPathBundle is what a --iocs file costs at every start: the
// 1.1 MB Pegasus bundle (1,549 indicators) read, parsed and indexed on top
// of the embedded snapshot.
func BenchmarkLoadPathBundle(b *testing.B) {
	opt := Options{Paths: []string{"snapshot/amnesty-investigations/2021-07-18_nso/pegasus.stix2"}}
	b.ReportAllocs()
	for b.Loop() {
		set, err := Load(context.Background(), opt)
		if err != nil {
			b.Fatal(err)
		}
		set.Index()
	}
}
