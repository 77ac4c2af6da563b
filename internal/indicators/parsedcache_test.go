package indicators

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/match"
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

func loadCacheOnly(t *testing.T, dir, build string) *Set {
	t.Helper()
	set, err := Load(context.Background(), Options{CacheDir: dir, NoEmbedded: true, Build: build})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func sameSet(t *testing.T, what string, got, want *Set) {
	t.Helper()
	if !reflect.DeepEqual(got.Sources, want.Sources) || !reflect.DeepEqual(got.Indicators, want.Indicators) ||
		!reflect.DeepEqual(got.Warnings, want.Warnings) || !reflect.DeepEqual(got.Unread, want.Unread) {
		t.Errorf("%s: the set differs from the one parsed from the files (%d vs %d indicators, %d vs %d warnings, %d vs %d unread)",
			what, len(got.Indicators), len(want.Indicators), len(got.Warnings), len(want.Warnings), len(got.Unread), len(want.Unread))
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

// TestParsedCache: a load through the parsed form gives exactly the set
// that parsing the files gives, and the parsed form is used only while
// nothing it came from has changed.
func TestParsedCache(t *testing.T) {
	dir := parsedCacheDir(t)
	want := loadCacheOnly(t, dir, "") // parsed form off: the files parsed
	if _, err := os.Stat(filepath.Join(dir, parsedName)); !os.IsNotExist(err) {
		t.Fatalf("a build without an identity wrote a parsed form: %v", err)
	}
	if len(want.Indicators) < 1000 || len(want.Unread) != 2 {
		t.Fatalf("fixture: %d indicators, %d unread (want the bad and the missing file)", len(want.Indicators), len(want.Unread))
	}

	sameSet(t, "first load (parsed, then stored)", loadCacheOnly(t, dir, "build-1"), want)
	key := parsedFileKey(t, dir)
	sameSet(t, "second load (from the parsed form)", loadCacheOnly(t, dir, "build-1"), want)

	// The second load did read the parsed form: one changed in place
	// under the same key shows through.
	rs, ok := readParsed(dir, key, 5)
	if !ok {
		t.Fatal("the stored parsed form does not decode")
	}
	rs[0].inds[0].Value = "changed-in-the-parsed-form.example"
	if err := writeParsed(dir, key, rs); err != nil {
		t.Fatal(err)
	}
	if got := loadCacheOnly(t, dir, "build-1"); got.Indicators[0].Value != "changed-in-the-parsed-form.example" {
		t.Fatalf("the parsed form was not used: first indicator %q", got.Indicators[0].Value)
	}

	// Another build parses again, and replaces the parsed form.
	sameSet(t, "another build", loadCacheOnly(t, dir, "build-2"), want)
	if parsedFileKey(t, dir) == key {
		t.Error("the parsed form of another build was kept")
	}

	// A cached file changed: parsed again.
	writeFile(t, filepath.Join(dir, "bad.stix2"), `{"type": "bundle", "id": "bundle--1", "objects": []}`)
	want2 := loadCacheOnly(t, dir, "")
	sameSet(t, "a cached file changed", loadCacheOnly(t, dir, "build-2"), want2)
	sameSet(t, "a cached file changed, second load", loadCacheOnly(t, dir, "build-2"), want2)

	// A damaged parsed form: parsed again.
	p := filepath.Join(dir, parsedName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, damaged := range [][]byte{b[:len(b)/2], append(append([]byte{}, b[:len(b)-100]...), make([]byte, 100)...), nil, []byte(parsedMagic)} {
		writeFile(t, p, string(damaged))
		sameSet(t, "a damaged parsed form", loadCacheOnly(t, dir, "build-2"), want2)
	}
}

// FuzzDecodeParsed: a parsed form is read from the user's cache folder;
// whatever it holds, decoding returns an error or entries, never panics.
func FuzzDecodeParsed(f *testing.F) {
	rs := []loaded{
		{file: File{Path: "a.stix2", SHA256: "00", Indicators: 1}, inds: []match.Indicator{{Type: match.Domain, Value: "a.example"}}},
		{warns: []string{"b.stix2: bad"}},
	}
	b, err := encodeParsed("k", rs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b), 2)
	f.Add(parsedMagic+"k\n\x05\x00\x00\x00[{}]x", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if len(s) > 1<<20 {
			return
		}
		out, err := decodeParsed(s, "k", n)
		if err == nil && len(out) != n {
			t.Fatalf("%d entries for %d", len(out), n)
		}
	})
}
