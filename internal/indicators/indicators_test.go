package indicators

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// TestEmbeddedCounts checks the embedded snapshot against the counts in
// SOURCES.md (../shared/indicators), so a bad copy or parser shows up here.
func TestEmbeddedCounts(t *testing.T) {
	set, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ files, inds int }{
		"amnesty-investigations": {5, 4272},
		"mvt-indicators":         {11, 1441},
		"stalkerware-indicators": {3, 6848}, // ioc.yaml 2607, watchware.yaml 163, samples.csv 4078
	}
	total := 0
	for _, s := range set.Sources {
		w, ok := want[s.Name]
		if !ok {
			t.Errorf("unexpected source %s", s.Name)
			continue
		}
		if len(s.Files) != w.files || s.Indicators() != w.inds {
			t.Errorf("%s: %d files %d indicators, want %d %d", s.Name, len(s.Files), s.Indicators(), w.files, w.inds)
		}
		if s.Commit == "" || s.Date == "" || s.License == "" {
			t.Errorf("%s: provenance incomplete: %+v", s.Name, s)
		}
		total += s.Indicators()
	}
	if total != 12561 {
		t.Errorf("total = %d, want 12561", total)
	}
	byType := map[match.Type]int{}
	for _, s := range set.Sources {
		for _, f := range s.Files {
			for ty, n := range f.Counts {
				byType[ty] += n
			}
		}
	}
	// SOURCES.md for the STIX bundles: dom 5305 (incl. IP literals), sha256 101, app 25, proc 83,
	// email 65, fpath 58, ip4 45, fname 15, cert256 11, aprop 3, prof 2. Echap's lists, counted
	// with PyYAML and Python's csv (distinct values per file; see TestEchapCounts): ioc.yaml app 613,
	// dom 1455, ip 68, cert1 471; watchware.yaml app 36, dom 112, ip 1, cert1 14; samples.csv
	// sha256 3228, app 200, cert1 650.
	wantTypes := map[match.Type]int{match.Domain: 5305 + 1455 + 112, match.FileSHA256: 101 + 3228,
		match.AppID: 25 + 613 + 36 + 200, match.AppCertSHA1: 471 + 14 + 650,
		match.Process: 83, match.Email: 65, match.FilePath: 58, match.IP: 45 + 68 + 1, match.FileName: 15,
		match.AppCertSHA256: 11, match.AndroidProperty: 3, match.Profile: 2}
	for ty, n := range wantTypes {
		if byType[ty] != n {
			t.Errorf("%s: %d, want %d", ty, byType[ty], n)
		}
	}
	if len(set.Warnings) != 0 || len(set.Notes) != 1 || !strings.Contains(set.Notes[0], "wintego_helios.stix2") {
		t.Errorf("warnings = %q, notes = %q, want exactly the dangling Wintego relationship as a note", set.Warnings, set.Notes)
	}
}

func TestProvenanceAndFamilies(t *testing.T) {
	set, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	ms := ix.Any("https://x.free247downloads.com/a")
	if len(ms) != 1 {
		t.Fatalf("want 1 match, got %+v", ms)
	}
	p := ms[0].Sources[0]
	if p.Family != "Pegasus" || p.Source != "amnesty-investigations" || p.File != "2021-07-18_nso/pegasus.stix2" || p.Commit == "" || p.IndicatorID == "" {
		t.Errorf("provenance = %+v", p)
	}
	if ms := ix.Any("notfree247downloads.com"); len(ms) != 0 {
		t.Errorf("look-alike matched: %+v", ms)
	}
	// com.sc.spyier.v2 is listed for two stalkerware families.
	ms = ix.AppID("com.sc.spyier.v2")
	if len(ms) != 1 || len(ms[0].Families()) < 2 {
		t.Errorf("com.sc.spyier.v2: %+v, want one match with several families", ms)
	}
	// Coruna spells SHA-256 as 'SHA-256'; Echap's SHA-1 certs are upper case (994 distinct
	// across ioc.yaml, watchware.yaml and samples.csv, counted with PyYAML and Python's csv).
	if ix.Count(match.FileSHA256) == 0 || ix.Count(match.AppCertSHA1) != 994 {
		t.Errorf("sha256 %d, cert sha1 %d", ix.Count(match.FileSHA256), ix.Count(match.AppCertSHA1))
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

const goodBundle = `{"type":"bundle","id":"bundle--x","objects":[
{"type":"malware","id":"malware--1","name":"TestFam"},
{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='planted.example']","pattern_type":"stix"},
{"type":"indicator","id":"indicator--2","pattern":"[unknown-thing:value='x']","pattern_type":"stix"},
{"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"}]}`

func TestLoadPathBadFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.stix2"), goodBundle)
	writeFile(t, filepath.Join(dir, "broken.stix2"), `{"type":"bundle","objects":[`)
	writeFile(t, filepath.Join(dir, "notjson.json"), "hello")
	writeFile(t, filepath.Join(dir, "README.md"), "ignored")
	set, err := Load(context.Background(), Options{Paths: []string{dir}, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Sources) != 1 || len(set.Sources[0].Files) != 1 || set.Sources[0].Indicators() != 1 {
		t.Fatalf("sources = %+v", set.Sources)
	}
	all := strings.Join(set.Warnings, "\n")
	for _, w := range []string{"broken.stix2", "notjson.json", "unsupported pattern form unknown-thing:value"} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings %q lack %q", all, w)
		}
	}
	if strings.Contains(all, "README") {
		t.Errorf("README should be ignored silently: %q", all)
	}
	ms := set.Index().Domain("a.planted.example")
	if len(ms) != 1 || ms[0].Sources[0].Family != "TestFam" || ms[0].Sources[0].Source != filepath.Base(dir) {
		t.Errorf("match = %+v", ms)
	}
}

func TestLoadMissingPath(t *testing.T) {
	_, err := Load(context.Background(), Options{Paths: []string{filepath.Join(t.TempDir(), "nope")}, NoEmbedded: true})
	if !errors.Is(err, ErrNoSuchPath) {
		t.Fatalf("err = %v, want ErrNoSuchPath", err)
	}
}

func TestSameValueSeveralSources(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(d1, "a.stix2"), goodBundle)
	writeFile(t, filepath.Join(d2, "b.stix2"), goodBundle)
	set, err := Load(context.Background(), Options{Paths: []string{d1, d2}, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	ms := set.Index().Domain("planted.example")
	if len(ms) != 1 || len(ms[0].Sources) != 2 {
		t.Fatalf("want one match with two sources, got %+v", ms)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Load(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadAndIndexEmbedded(b *testing.B) {
	for b.Loop() {
		set, err := Load(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		set.Index()
	}
}

// TestCompiledSnapshotIsCurrent: the embedded compiled snapshot is exactly
// what the STIX sources in snapshot/ compile to (run `go generate
// ./internal/indicators` after changing them), and it decodes to the same
// indicators the sources parse to.
func TestCompiledSnapshotIsCurrent(t *testing.T) {
	fresh, err := CompileSnapshot(context.Background(), os.DirFS("snapshot"))
	if err != nil {
		t.Fatal(err)
	}
	if string(fresh) != compiledSnapshot {
		t.Fatal("compiled/snapshot.idx does not match snapshot/: run go generate ./internal/indicators")
	}
	c, err := decodeCompiled(compiledSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	if c.Indicators, err = c.Stored.Indicators(); err != nil {
		t.Fatal(err)
	}
	if again := encodeCompiled(c); string(again) != compiledSnapshot {
		t.Fatal("decode then encode changes the compiled snapshot")
	}
	parsed := &Set{}
	srcs, err := parseSnapshot(context.Background(), os.DirFS("snapshot"), parsed)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Indicators) != len(parsed.Indicators) || len(c.Sources) != len(srcs) || len(c.Notes) != len(parsed.Notes) {
		t.Fatalf("compiled %d indicators, %d sources, %d notes; parsed %d, %d, %d",
			len(c.Indicators), len(c.Sources), len(c.Notes), len(parsed.Indicators), len(srcs), len(parsed.Notes))
	}
	for i := range c.Indicators {
		if !reflect.DeepEqual(c.Indicators[i], parsed.Indicators[i]) {
			t.Fatalf("indicator %d: compiled %+v, parsed %+v", i, c.Indicators[i], parsed.Indicators[i])
		}
	}
}

func TestCompiledSnapshotRejectsCorruption(t *testing.T) {
	for _, n := range []int{0, 5, len(compiledMagic), len(compiledMagic) + 3, len(compiledSnapshot) / 2, len(compiledSnapshot) - 1} {
		if _, err := decodeCompiled(compiledSnapshot[:n]); err == nil {
			t.Errorf("cut at %d: no error", n)
		}
	}
}

func FuzzDecodeCompiled(f *testing.F) {
	f.Add([]byte(compiledSnapshot[:4096]))
	f.Add(encodeCompiled(compiledSet{Notes: []string{"a"}, Indicators: []match.Indicator{{Type: match.Domain, Value: "x.example"}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		c, err := decodeCompiled(string(b))
		if err == nil {
			c.Indicators, err = c.Stored.Indicators()
		}
		if err == nil && !bytes.Equal(encodeCompiled(c), b) {
			// a valid input must be canonical up to string-table order
			if _, err := decodeCompiled(string(encodeCompiled(c))); err != nil {
				t.Fatalf("re-encoding a decoded snapshot fails: %v", err)
			}
		}
	})
}

// TestStoredIndexSameAsNewIndex: every indicator of the snapshot's sources
// is found by the embedded stored index (with and without run-time
// indicators on top) exactly as by match.NewIndex over the parsed sources:
// the same matches, values, types, how, partial flags and provenances, and
// the same counts and rejects.
func TestStoredIndexSameAsNewIndex(t *testing.T) {
	parsed := &Set{}
	if _, err := parseSnapshot(context.Background(), os.DirFS("snapshot"), parsed); err != nil {
		t.Fatal(err)
	}
	want, wantRejects := match.NewIndex(parsed.Indicators)
	extra := []match.Indicator{{Type: match.Domain, Value: "planted.example", Sources: []model.Provenance{{Source: "test"}}}}
	wantExtra, _ := match.NewIndex(append(slices.Clip(parsed.Indicators), extra...))
	for _, tc := range []struct {
		name  string
		extra []match.Indicator
		want  *match.Index
	}{{"embedded", nil, want}, {"embedded and a --iocs file", extra, wantExtra}} {
		set, err := Load(context.Background(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		set.Indicators = tc.extra
		ix, rejects := set.NewIndex()
		if !reflect.DeepEqual(rejects, wantRejects) {
			t.Fatalf("%s: rejects %+v, NewIndex's %+v", tc.name, rejects, wantRejects)
		}
		if ix.Len() != tc.want.Len() {
			t.Fatalf("%s: Len %d, NewIndex %d", tc.name, ix.Len(), tc.want.Len())
		}
		for _, ty := range match.AllTypes {
			if ix.Count(ty) != tc.want.Count(ty) {
				t.Fatalf("%s: Count(%s) %d, NewIndex %d", tc.name, ty, ix.Count(ty), tc.want.Count(ty))
			}
		}
		hits := 0
		for _, in := range append(slices.Clip(parsed.Indicators), tc.extra...) {
			for _, v := range []string{in.Value, "a." + in.Value, in.Value + "/x", strings.ToUpper(in.Value)} {
				for _, ty := range match.ObservedTypes() {
					f := match.Lookup(ty)
					got, w := f(ix, v), f(tc.want, v)
					if !reflect.DeepEqual(got, w) {
						t.Fatalf("%s: %s look-up of %q (a %s indicator)\n got %+v\nwant %+v", tc.name, ty, v, in.Type, got, w)
					}
					hits += len(w)
				}
			}
		}
		if n := len(parsed.Indicators); hits < n {
			t.Fatalf("%s: %d matches for %d indicators", tc.name, hits, n)
		}
	}
}
