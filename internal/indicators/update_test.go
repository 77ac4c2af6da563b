package indicators

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// feedServer serves an index and bundles over TLS on loopback. body decides
// what each bundle path returns.
func feedServer(t *testing.T, body func(path string) (int, string)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		code, b := body(r.URL.Path)
		w.WriteHeader(code)
		fmt.Fprint(w, b)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func indexFor(srv *httptest.Server, paths ...string) string {
	var b strings.Builder
	b.WriteString("indicators:\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "  -\n    type: download\n    name: set %s\n    references:\n      - https://example.org/%s\n    download_url: %s%s\n", p, p, srv.URL, p)
	}
	return b.String()
}

func TestUpdateStoresAndLoads(t *testing.T) {
	srv, _ := feedServer(t, func(p string) (int, string) {
		if p == "/index.yaml" {
			return 200, ""
		}
		return 200, goodBundle
	})
	cache := t.TempDir()
	idx := filepath.Join(t.TempDir(), "indicators.yaml")
	writeFile(t, idx, indexFor(srv, "/a.stix2", "/b.stix2"))
	now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	res, err := Update(context.Background(), UpdateOptions{Index: idx, CacheDir: cache, Client: srv.Client(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !res[0].Stored || !res[1].Stored {
		t.Fatalf("results = %+v", res)
	}
	if res[0].Entry.SHA256 == "" || res[0].Entry.Downloaded != "2026-11-01T10:00:00Z" || !strings.HasPrefix(res[0].Entry.URL, "https://127.0.0.1") {
		t.Errorf("entry = %+v", res[0].Entry)
	}
	set, err := Load(context.Background(), Options{CacheDir: cache, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	ms := set.Index().Domain("planted.example")
	if len(ms) != 1 || len(ms[0].Sources) != 2 {
		t.Fatalf("matches = %+v", ms)
	}
	p := ms[0].Sources[0]
	if p.URL == "" || p.Date != "2026-11-01" || p.Family != "TestFam" || len(p.References) != 1 {
		t.Errorf("provenance = %+v", p)
	}
}

// TestUpdateStoresParsedForm: an update by a build with an identity stores
// the cache's parsed form, which the first load after it reads (layered
// over the snapshot, the same set as parsing gives); without one (a
// development build, the lab) nothing is written beside the cache.
func TestUpdateStoresParsedForm(t *testing.T) {
	srv, _ := feedServer(t, func(p string) (int, string) { return 200, goodBundle })
	idx := filepath.Join(t.TempDir(), "indicators.yaml")
	writeFile(t, idx, indexFor(srv, "/a.stix2", "/b.stix2"))
	for _, build := range []string{"", "build-1"} {
		cache := t.TempDir()
		if _, err := Update(context.Background(), UpdateOptions{Index: idx, CacheDir: cache, Client: srv.Client(), Build: build}); err != nil {
			t.Fatal(err)
		}
		_, err := os.Stat(filepath.Join(cache, parsedName))
		if written := err == nil; written != (build != "") {
			t.Fatalf("build %q: parsed form written %v", build, written)
		}
		want := load(t, Options{CacheDir: cache}, "")
		got := load(t, Options{CacheDir: cache}, build)
		sameSet(t, "after an update by build "+build, got, want)
		if (got.embedded.cache != nil) != (build != "") {
			t.Fatalf("build %q: the first load read the parsed form: %v", build, got.embedded.cache != nil)
		}
	}
}

// TestCorruptDownloadKeepsGoodCopy: a bundle that no longer parses, an HTTP
// error or a timeout never replaces the cached copy.
func TestCorruptDownloadKeepsGoodCopy(t *testing.T) {
	var mode atomic.Value
	mode.Store("good")
	srv, _ := feedServer(t, func(p string) (int, string) {
		switch mode.Load() {
		case "corrupt":
			return 200, `{"type":"bundle","objects":[{"type":"indi`
		case "404":
			return 404, "gone"
		}
		return 200, goodBundle
	})
	cache := t.TempDir()
	idx := filepath.Join(t.TempDir(), "indicators.yaml")
	writeFile(t, idx, indexFor(srv, "/a.stix2"))
	opt := UpdateOptions{Index: idx, CacheDir: cache, Client: srv.Client()}
	if _, err := Update(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, cache)
	for _, m := range []string{"corrupt", "404"} {
		mode.Store(m)
		res, err := Update(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Stored || res[0].Err == nil {
			t.Errorf("%s: result %+v, want an error and nothing stored", m, res[0])
		}
		if after := snapshotDir(t, cache); after != before {
			t.Errorf("%s: cache changed:\n%s\n---\n%s", m, before, after)
		}
	}
}

func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s %d %x\n", e.Name(), len(data), data[:min(len(data), 64)])
	}
	return b.String()
}

func TestUpdateRefusesPlainHTTPAndBadIndex(t *testing.T) {
	cache := t.TempDir()
	idx := filepath.Join(t.TempDir(), "indicators.yaml")
	writeFile(t, idx, "indicators:\n  - type: download\n    name: x\n    download_url: http://127.0.0.1:1/x.stix2\n")
	res, err := Update(context.Background(), UpdateOptions{Index: idx, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "only https") {
		t.Errorf("err = %v, want https refusal", res[0].Err)
	}
	writeFile(t, idx, "not: [an index")
	if _, err := Update(context.Background(), UpdateOptions{Index: idx, CacheDir: cache}); err == nil || !strings.Contains(err.Error(), idx) {
		t.Errorf("bad index: err = %v, want it to name the file", err)
	}
}

func TestUpdateTimeout(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	c := srv.Client()
	c.Timeout = 200 * time.Millisecond
	idx := filepath.Join(t.TempDir(), "indicators.yaml")
	writeFile(t, idx, indexFor(srv, "/slow.stix2"))
	start := time.Now()
	res, err := Update(context.Background(), UpdateOptions{Index: idx, CacheDir: t.TempDir(), Client: c})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("want a timeout error quickly, got %v after %s", res[0].Err, time.Since(start))
	}
}

func TestParseIndexMVTFormat(t *testing.T) {
	b, err := os.ReadFile("snapshot/mvt-indicators/indicators.yaml")
	if err != nil {
		t.Fatal(err)
	}
	es, err := ParseIndex(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 15 {
		t.Errorf("entries = %d, want 15", len(es))
	}
	u, err := es[0].URL()
	if err != nil || u != "https://raw.githubusercontent.com/AmnestyTech/investigations/master/2021-07-18_nso/pegasus.stix2" {
		t.Errorf("first URL = %q, %v", u, err)
	}
}

// TestUpdateEchapLists: for Echap's repository, `iocs update` fetches the
// lists the STIX bundle is generated from, checks each parses, and drops a
// previously cached copy of the bundle.
func TestUpdateEchapLists(t *testing.T) {
	var broken atomic.Bool
	srv, _ := feedServer(t, func(p string) (int, string) {
		switch p {
		case "/AssoEchap/stalkerware-indicators/master/ioc.yaml":
			if broken.Load() {
				return 200, "- {name: [unclosed"
			}
			return 200, echapYAML
		case "/AssoEchap/stalkerware-indicators/master/watchware.yaml":
			return 200, "- name: KidWatch\n  type: watchware\n  packages: [com.kidwatch]\n"
		case "/AssoEchap/stalkerware-indicators/master/samples.csv":
			return 200, "SHA256,Package Name,Certificate,Version,App\n0000000000000000000000000000000000000000000000000000000000000001,com.spyone.app,,1,SpyOne\n"
		case "/AssoEchap/stalkerware-indicators/master/generated/stalkerware.stix2":
			return 200, goodBundle
		}
		return 404, ""
	})
	cache := t.TempDir()
	idx := filepath.Join(t.TempDir(), "indicators.yaml")
	writeFile(t, idx, "indicators:\n  - type: github\n    name: Stalkerware\n    github:\n      owner: AssoEchap\n      repo: stalkerware-indicators\n      branch: master\n      path: generated/stalkerware.stix2\n")
	// a cache filled by an earlier version, which stored the bundle
	old := CacheEntry{Name: "Stalkerware", Source: "AssoEchap/stalkerware-indicators", URL: "https://x/stalkerware.stix2", File: "0123-stalkerware.stix2"}
	writeFile(t, filepath.Join(cache, old.File), goodBundle)
	if err := writeManifest(cache, map[string]CacheEntry{old.File: old}); err != nil {
		t.Fatal(err)
	}
	opt := UpdateOptions{Index: idx, CacheDir: cache, Client: srv.Client(), RawBase: srv.URL}
	res, err := Update(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || !res[0].Stored || !res[1].Stored || !res[2].Stored {
		t.Fatalf("results %+v", res)
	}
	set, err := Load(context.Background(), Options{CacheDir: cache, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	if ms := ix.AppID("com.kidwatch"); len(ms) != 1 || ms[0].Sources[0].Family != "KidWatch (watchware)" || ms[0].Sources[0].URL == "" {
		t.Fatalf("watchware: %+v", ms)
	}
	if len(ix.Domain("planted.example")) != 0 || len(set.Sources[0].Files) != 3 {
		t.Fatalf("the old bundle is still loaded: %+v", set.Sources[0].Files)
	}
	// a list that no longer parses keeps the good copy
	broken.Store(true)
	res, _ = Update(context.Background(), opt)
	if res[0].Stored || res[0].Err == nil || !res[1].Stored {
		t.Fatalf("results %+v", res)
	}
	set, _ = Load(context.Background(), Options{CacheDir: cache, NoEmbedded: true})
	if len(set.Index().IP("192.0.2.7")) != 1 { // only in ioc.yaml
		t.Fatal("good copy of ioc.yaml lost")
	}
}
