package backup

import (
	"cmp"
	"context"
	"fmt"
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
	bd, err := newBuilder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := bd.add([]byte(r.id), []byte(r.domain), []byte(r.rel), r.flags, mbFile{}); err != nil {
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
