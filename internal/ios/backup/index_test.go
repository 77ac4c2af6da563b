package backup

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestIndexTree checks the packed index on the layouts that a flat sorted
// list of paths gets wrong: names that sort between a folder and its
// contents ("A-B" between "A" and "A/x"), folders that no record
// describes, several records of one path, a file record that has
// descendants, and paths that are not valid FS paths.
func TestIndexTree(t *testing.T) {
	type row struct {
		domain, rel string
		flags       int64
		id          string
	}
	rows := []row{
		{"A", "", flagDir, "01"},
		{"A", "x", flagFile, "02"},
		{"A-B", "y", flagFile, "03"},
		{"A", "x/deep/z", flagFile, "04"},      // "A/x" is a file record with descendants: a folder
		{"A", "d", flagDir, "05"},              // folder record
		{"A", "d", flagFile, "06"},             // same path again: the first in Records order wins
		{"A", "d/e", flagFile, "07"},           // under the folder record
		{"Z", "only/under/synthetic", 1, "08"}, // "Z", "Z/only", "Z/only/under" have no record
		{"A", "x", flagDir, "09"},              // the folder record of "A/x", after its file record
		{"Bad", "../escape", flagFile, "0a"},   // invalid FS path: skipped
		{"Bad", "", flagDir, "0b"},             // a valid domain folder
		{"Manifest.db", "", flagFile, "0c"},    // a root file's name: skipped
		{"A", "x0", flagFile, "0d"},            // sorts right after the subtree of "A/x"
		{"A", "x.y", flagFile, "0e"},           // sorts between "A/x" and "A/x/..."
		{"A", "x/deep/z", flagSymlink, "0f"},   // second record of a path: ignored by the tree
		{"B", strings.Repeat("n/", 40) + "f", 1, "10"},
	}
	bd := newBuilder(t.TempDir())
	for _, r := range rows {
		if err := bd.add(r.id, r.domain, r.rel, r.flags, mbFile{}); err != nil {
			t.Fatal(err)
		}
	}
	x, err := bd.build(context.Background(), []string{ManifestDB, InfoPlist})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.close() })
	if x.skipped != 2 {
		t.Errorf("skipped %d, want 2", x.skipped)
	}
	// Records order: domain, relative path, id.
	var order []Record
	for i := range x.nrec {
		order = append(order, x.record(i))
	}
	byKey := func(a, b Record) int {
		return cmp.Or(strings.Compare(a.Domain, b.Domain), strings.Compare(a.RelativePath, b.RelativePath), strings.Compare(a.FileID, b.FileID))
	}
	if !slices.IsSortedFunc(order, byKey) || len(order) != len(rows) {
		t.Errorf("records not in order: %+v", order)
	}

	kind := func(p string) string {
		_, n, ok := x.lookup(p)
		if !ok {
			return "absent"
		}
		id := "-"
		if n.rec >= 0 {
			id = x.record(int(n.rec)).FileID
		}
		return fmt.Sprintf("%d:%s", n.kind, id)
	}
	want := map[string]string{
		"A":                                   fmt.Sprintf("%d:01", nodeDir),
		"A/x":                                 fmt.Sprintf("%d:09", nodeDir), // has descendants: the folder record, not the file one
		"A/x/deep":                            fmt.Sprintf("%d:-", nodeDir),
		"A/x/deep/z":                          fmt.Sprintf("%d:04", nodeFile),
		"A/d":                                 fmt.Sprintf("%d:05", nodeDir),
		"A/d/e":                               fmt.Sprintf("%d:07", nodeFile),
		"A-B":                                 fmt.Sprintf("%d:-", nodeDir),
		"A-B/y":                               fmt.Sprintf("%d:03", nodeFile),
		"Z":                                   fmt.Sprintf("%d:-", nodeDir),
		"Z/only/under":                        fmt.Sprintf("%d:-", nodeDir),
		"Z/only/under/synthetic":              fmt.Sprintf("%d:08", nodeFile),
		"Bad":                                 fmt.Sprintf("%d:0b", nodeDir),
		"Bad/../escape":                       "absent",
		"Manifest.db":                         fmt.Sprintf("%d:-", nodeRootFile),
		"Info.plist":                          fmt.Sprintf("%d:-", nodeRootFile),
		"A/x0":                                fmt.Sprintf("%d:0d", nodeFile),
		"A/x.y":                               fmt.Sprintf("%d:0e", nodeFile),
		"A/nope":                              "absent",
		"B/" + strings.Repeat("n/", 39) + "n": fmt.Sprintf("%d:-", nodeDir),
	}
	for p, w := range want {
		if got := kind(p); got != w {
			t.Errorf("%s: node %s, want %s", p, got, w)
		}
	}

	names := func(dir string) string {
		var out []string
		for _, c := range x.children(dir) {
			out = append(out, baseName(c.path))
		}
		return strings.Join(out, " ")
	}
	for dir, w := range map[string]string{
		".":        "A A-B B Bad Info.plist Manifest.db Z",
		"A":        "d x x.y x0",
		"A/x":      "deep",
		"A/x/deep": "z",
		"A-B":      "y",
		"Z/only":   "under",
		"A/d/e":    "",
	} {
		if got := names(dir); got != w {
			t.Errorf("children of %s: %q, want %q", dir, got, w)
		}
	}
	// Every node is reached from "." exactly once.
	seen := 0
	var walk func(string)
	walk = func(dir string) {
		for _, c := range x.children(dir) {
			seen++
			if c.n.kind == nodeDir {
				walk(c.path)
			}
		}
	}
	walk(".")
	if seen != x.nnode {
		t.Errorf("walk reached %d nodes of %d", seen, x.nnode)
	}
}

// TestIndexFilesRemoved: the Manifest index's temporary files are made in
// the TempDir given (never beside the backup) and removed on every exit
// path: Close, an Open that fails on a damaged Manifest.db, an Open whose
// context is cancelled, and a build interrupted by its context. Once with
// every index file on disk, once with this small index in memory (no
// folder made at all).
func TestIndexFilesRemoved(t *testing.T) {
	for _, tt := range []struct {
		name    string
		memFile int // memIndexFile
		folders int // folders in TempDir while the backup is open
	}{{"on disk", 0, 1}, {"in memory", memIndexFile, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			defer func(n int) { memIndexFile = n }(memIndexFile)
			memIndexFile = tt.memFile
			testIndexFilesRemoved(t, tt.folders)
		})
	}
}

func testIndexFilesRemoved(t *testing.T, folders int) {
	dir := write(t, "")
	left := func(t *testing.T, tmp string) {
		t.Helper()
		ents, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			t.Errorf("left in the temporary folder: %s", e.Name())
		}
	}
	t.Run("close", func(t *testing.T) {
		tmp := t.TempDir()
		b, err := Open(context.Background(), dir, Options{TempDir: tmp})
		if err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(tmp)
		if len(ents) != folders || folders == 1 && !strings.HasPrefix(ents[0].Name(), "manifest-index-") {
			t.Errorf("open backup: temporary folder holds %v, want %d index folder(s)", ents, folders)
		}
		if _, err := fs.Stat(b, "HomeDomain/Library/SMS/sms.db"); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		left(t, tmp)
	})
	t.Run("cancelled", func(t *testing.T) {
		tmp := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Open(ctx, dir, Options{TempDir: tmp}); err == nil {
			t.Fatal("Open with a cancelled context succeeded")
		}
		left(t, tmp)
	})
	t.Run("damaged", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "backup")
		if err := os.CopyFS(bad, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bad, ManifestDB), []byte("SQLite format 3\x00 but cut short"), 0o600); err != nil {
			t.Fatal(err)
		}
		tmp := t.TempDir()
		if _, err := Open(context.Background(), bad, Options{TempDir: tmp}); err == nil {
			t.Fatal("Open of a damaged Manifest.db succeeded")
		}
		left(t, tmp)
		if ents, _ := os.ReadDir(bad); len(ents) == 0 {
			t.Fatal("backup folder emptied")
		}
	})
	t.Run("build interrupted", func(t *testing.T) {
		tmp := t.TempDir()
		bd := newBuilder(tmp)
		for i := range 10_000 {
			if err := bd.add(fmt.Sprintf("%040x", i), "HomeDomain", fmt.Sprintf("d/%05d", i), flagFile, mbFile{}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := bd.build(ctx, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("build with a cancelled context: %v", err)
		}
		bd.discard()
		left(t, tmp)
	})
}

// TestIndexLargerThanCache: an index several times the page cache, read
// in random order from two goroutines at once, gives every record back
// under its path, and Records order through the sequential reader.
func TestIndexLargerThanCache(t *testing.T) {
	defer func(n int) { memIndexFile = n }(memIndexFile)
	memIndexFile = 0 // every file on disk, read through the cache
	bd := newBuilder(t.TempDir())
	const n = 30_000
	for i := range n {
		j := (i * 7919) % n // added out of order
		rel := fmt.Sprintf("f%02d/%s/file-%05d", j%50, strings.Repeat("x", j%40+1), j)
		m := mbFile{mode: uint32(j), fields: mbFields{size: int64(j)}, target: fmt.Sprint("t", j)}
		if err := bd.add(fmt.Sprintf("%040x", j), "HomeDomain", rel, flagFile, m); err != nil {
			t.Fatal(err)
		}
	}
	x, err := bd.build(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.close() })
	if x.nrec*recSize < 2*cachePages*pageSize {
		t.Fatalf("index of %d bytes is not larger than the cache", x.nrec*recSize)
	}
	prev := ""
	count := 0
	x.each(func(i int, p *packedRecord, str func(ref) string) bool {
		r := x.recordOf(p, str)
		if r.RelativePath <= prev || r.Size != int64(r.Mode) || r.Target != fmt.Sprint("t", r.Size) {
			t.Fatalf("record %d out of order or wrong: %+v after %q", i, r, prev)
		}
		prev = r.RelativePath
		count++
		return true
	})
	if count != n {
		t.Fatalf("each gave %d records", count)
	}
	errs := make(chan error, 2)
	for g := range 2 {
		go func() {
			for i := g; i < n; i += 2 {
				j := (i * 104729) % n
				p := fmt.Sprintf("HomeDomain/f%02d/%s/file-%05d", j%50, strings.Repeat("x", j%40+1), j)
				_, nd, ok := x.lookup(p)
				if !ok || nd.rec < 0 {
					errs <- fmt.Errorf("%s: not found", p)
					return
				}
				if r := x.record(int(nd.rec)); r.Size != int64(j) || r.FileID != fmt.Sprintf("%040x", j) {
					errs <- fmt.Errorf("%s: record %+v", p, r)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if kids := x.children("HomeDomain"); len(kids) != 50 || kids[0].path != "HomeDomain/f00" || kids[0].n.kind != nodeDir {
		t.Errorf("children of HomeDomain: %d, first %+v", len(kids), kids[0])
	}
}

// TestChildrenSubtreeSizes lists folders whose children have subtrees of
// every size from 0 to 300 nodes, next to names that sort right after a
// subtree ("D7-x", "D70"), as the root of a backup of hundreds of domains
// has: children must skip each subtree whatever its size, and the listing
// must equal one computed from the sorted paths alone.
func TestChildrenSubtreeSizes(t *testing.T) {
	bd := newBuilder(t.TempDir())
	var paths []string
	add := func(domain, rel string) {
		id := fmt.Sprintf("%040x", len(paths))
		if err := bd.add(id, domain, rel, flagFile, mbFile{}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, domain+"/"+rel)
	}
	for d := range 300 {
		dom := fmt.Sprint("D", d)
		for f := range d {
			add(dom, fmt.Sprintf("Library/%d/f%d", f%7, f))
		}
		if d%3 == 0 {
			add(dom+"-x", "y")
		}
		add(dom, "top")
	}
	x, err := bd.build(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.close() })
	// The reference: every folder's direct children, from the paths.
	want := map[string]map[string]bool{}
	for _, p := range paths {
		parts := strings.Split(p, "/")
		for i := range parts {
			dir := "."
			if i > 0 {
				dir = strings.Join(parts[:i], "/")
			}
			if want[dir] == nil {
				want[dir] = map[string]bool{}
			}
			want[dir][strings.Join(parts[:i+1], "/")] = true
		}
	}
	for dir, kids := range want {
		var w []string
		for k := range kids {
			w = append(w, k)
		}
		slices.Sort(w)
		var got []string
		for _, c := range x.children(dir) {
			got = append(got, c.path)
		}
		if !slices.Equal(got, w) {
			t.Errorf("children of %s: %d %q..., want %d %q...", dir, len(got), got[:min(3, len(got))], len(w), w[:min(3, len(w))])
		}
	}
}

// TestBuildCodecsRoundTrip: the index build's records and nodes read back
// from the spill form as they were written, every field (a small backup's
// are merged from memory, not decoded: spill.Codec.RoundTrip).
func TestBuildCodecsRoundTrip(t *testing.T) {
	for _, r := range []recItem{
		{domain: "HomeDomain", rel: "Library/x.db", id: "0a1b", target: "../y", err: "bad blob", key: "\x00\xffkey", flags: flagSymlink, mode: 0o120755,
			mb: mbFields{size: 1 << 40, birth: 1, modified: -2, statusChange: 3, protection: 4, inode: 5, uid: 501, gid: 502}},
		{domain: "RootDomain"},
	} {
		var got recItem
		if err := recCodec.Decode(recCodec.Append(nil, &r), &got); err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("record round trip: %+v, %v; want %+v", got, err, r)
		}
	}
	for _, n := range []nodeItem{
		{path: "HomeDomain/Library", n: packedNode{path: ref{7, 18}, rec: -1, kind: nodeDir}, parent: true},
		{path: "Manifest.plist", n: packedNode{path: ref{1 << 31, 14}, rec: 1<<31 - 1, kind: nodeRootFile, link: true}},
	} {
		var got nodeItem
		if err := nodeCodec.Decode(nodeCodec.Append(nil, &n), &got); err != nil || !reflect.DeepEqual(got, n) {
			t.Errorf("node round trip: %+v, %v; want %+v", got, err, n)
		}
	}
}

// TestRecordsInMemoryAsOnDisk: the records of an index held in memory
// (read in place, strings shared with the arena) are those of the same
// index on disk (read through buffered readers, strings copied), in the
// same order; each record's Path is Domain/RelativePath, and stays so
// once a field is changed (the index's path is then not used).
func TestRecordsInMemoryAsOnDisk(t *testing.T) {
	dir := write(t, "")
	records := func(t *testing.T, memFile int) []Record {
		t.Helper()
		defer func(n int) { memIndexFile = n }(memIndexFile)
		memIndexFile = memFile
		b, err := Open(context.Background(), dir, Options{TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if b.idx.arena.inMemory() != (memFile > 0) {
			t.Fatalf("memIndexFile %d: arena in memory %v", memFile, b.idx.arena.inMemory())
		}
		var out []Record
		for r := range b.Records() {
			if want := r.Domain + "/" + r.RelativePath; r.RelativePath != "" && r.Path() != want {
				t.Errorf("Path() = %q, want %q", r.Path(), want)
			}
			out = append(out, r)
		}
		return out
	}
	mem, disk := records(t, memIndexFile), records(t, 0)
	if len(mem) == 0 || !reflect.DeepEqual(mem, disk) {
		t.Fatalf("records in memory (%d) differ from those on disk (%d)", len(mem), len(disk))
	}
	for _, tt := range []struct {
		name   string
		change func(*Record)
		want   func(Record) string
	}{
		{"domain", func(r *Record) { r.Domain = "OtherDomain" }, func(r Record) string { return "OtherDomain/" + r.RelativePath }},
		{"relative path", func(r *Record) { r.RelativePath += "x" }, func(r Record) string { return r.Domain + "/" + r.RelativePath }},
		{"same length", func(r *Record) { r.RelativePath = strings.Repeat("y", len(r.RelativePath)) }, func(r Record) string { return r.Domain + "/" + r.RelativePath }},
		{"no relative path", func(r *Record) { r.RelativePath = "" }, func(r Record) string { return r.Domain }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mem[len(mem)-1]
			tt.change(&r)
			if got, want := r.Path(), tt.want(r); got != want {
				t.Errorf("Path() = %q, want %q", got, want)
			}
		})
	}
}

// TestIndexHeldAsSpilled: an index built from records and nodes held in
// memory is byte for byte the one built through the spill sorters (every
// item, or those past a budget reached part way): records of random domains and
// paths in random order, with duplicate paths and wholly equal records
// of different flags (kept in the order added), symbolic links and
// invalid paths.
func TestIndexHeldAsSpilled(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	type row struct {
		id, domain, rel string
		flags           int64
		m               mbFile
	}
	var rows []row
	for i := range 3000 {
		r := row{id: fmt.Sprintf("%040x", rng.IntN(2500)), domain: []string{"HomeDomain", "AppDomain-a", "AppDomain-a.b", "RootDomain"}[rng.IntN(4)],
			rel: fmt.Sprintf("d%d/f%d", rng.IntN(20), rng.IntN(300)), flags: []int64{flagFile, flagDir, flagSymlink}[rng.IntN(3)],
			m: mbFile{mode: uint32(i), fields: mbFields{size: int64(i), birth: int64(rng.IntN(5))}}}
		switch rng.IntN(20) {
		case 0:
			r.rel = "../bad"
		case 1:
			r.rel = ""
		case 2:
			r.m.target, r.m.err, r.m.key = "t", "e", []byte("k")
		}
		rows = append(rows, r)
		if rng.IntN(10) == 0 { // the same record again but for its flags
			r.flags = flagFile
			rows = append(rows, r)
		}
	}
	build := func(t *testing.T, budget int) *index {
		t.Helper()
		defer func(n int) { holdBudget = n }(holdBudget)
		holdBudget = budget
		bd := newBuilder(t.TempDir())
		for _, r := range rows {
			if err := bd.add(r.id, r.domain, r.rel, r.flags, r.m); err != nil {
				t.Fatal(err)
			}
		}
		if (bd.recs.sorter == nil) != (budget == spillBudget) {
			t.Fatalf("budget %d: records held %v", budget, bd.recs.sorter == nil)
		}
		x, err := bd.build(context.Background(), []string{ManifestDB})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.close() })
		return x
	}
	held := build(t, spillBudget)
	for _, budget := range []int{0, 100_000} {
		x := build(t, budget)
		if x.nrec != held.nrec || x.nnode != held.nnode || x.skipped != held.skipped || !slices.Equal(x.domains, held.domains) {
			t.Errorf("budget %d: %d records, %d nodes, %d skipped, domains %v; held: %d, %d, %d, %v", budget,
				x.nrec, x.nnode, x.skipped, x.domains, held.nrec, held.nnode, held.skipped, held.domains)
		}
		for _, f := range []struct {
			name      string
			got, want *indexFile
		}{{"arena", x.arena, held.arena}, {"recs", x.recs, held.recs}, {"nodes", x.nodes, held.nodes}} {
			if !bytes.Equal(f.got.mem, f.want.mem) {
				t.Errorf("budget %d: %s differs from the held records' (%d and %d bytes)", budget, f.name, len(f.got.mem), len(f.want.mem))
			}
		}
	}
}
