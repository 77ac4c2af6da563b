package acquisition

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDirNames: Names lists what ReadDir lists, by name (sorted), links and
// folders included; it refuses a folder reached through a link leading
// outside, an invalid path, and says when the folder is not there.
func TestDirNames(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "ev")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(dir, "ab"), filepath.Join(dir, "ab", "sub"), outside} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"ff", "01", "zz", "Ab"} {
		if err := os.WriteFile(filepath.Join(dir, "ab", n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("ff", filepath.Join(dir, "ab", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ents, err := d.ReadDir("ab")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range ents {
		want = append(want, e.Name())
	}
	got, err := d.Names("ab")
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Names(ab) = %q, %v; ReadDir's names %q", got, err, want)
	}
	for _, tt := range []struct {
		name string
		want error
	}{
		{"out", ErrOutsideLink},
		{"../ev", fs.ErrInvalid},
		{"absent", fs.ErrNotExist},
	} {
		if _, err := d.Names(tt.name); !errors.Is(err, tt.want) {
			t.Errorf("Names(%q): %v, want %v", tt.name, err, tt.want)
		}
	}
}
