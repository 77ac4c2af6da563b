package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/model"
)

// TestOpenFileAsOSOpen: the descriptor hashing reads through gives the
// bytes, offsets and errors os.Open's *os.File gives.
func TestOpenFileAsOSOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	data := make([]byte, 200_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := openFile(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	if err != nil || string(got) != string(data) {
		t.Fatalf("read %d bytes, %v; want %d", len(got), err, len(data))
	}
	if n, err := f.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("read at the end: %d, %v; want 0, EOF", n, err)
	}
	if s, ok := f.(io.Seeker); !ok {
		t.Error("not a Seeker: finishDigest would read again what it skips")
	} else if off, err := s.Seek(150_000, io.SeekStart); err != nil || off != 150_000 {
		t.Errorf("seek: %d, %v", off, err)
	} else if rest, err := io.ReadAll(f); err != nil || string(rest) != string(data[150_000:]) {
		t.Errorf("after the seek: %d bytes, %v", len(rest), err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	osf, _ := os.Open(p)
	osf.Close()
	for _, tt := range []struct {
		name     string
		got, via error
	}{
		{"read after close", readErr(f), readErr(osf)},
		{"close twice", f.Close(), osf.Close()},
		{"absent", openErr(openFile, filepath.Join(dir, "absent")), openErr(osOpen, filepath.Join(dir, "absent"))},
		{"a folder", readErr(mustOpen(openFile(dir))), readErr(mustOpen(osOpen(dir)))},
	} {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.via) || tt.got == nil {
			t.Errorf("%s: %v; os.File: %v", tt.name, tt.got, tt.via)
		}
	}
}

// TestHashPathTimes: a folder's files are listed with the modification
// time an Lstat gives; a single-file input without one (as before files
// were timed from their descriptor).
func TestHashPathTimes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2021, 3, 4, 5, 6, 7, 891011, time.UTC)
	if err := os.Chtimes(p, when, when); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	files, err := HashPath(context.Background(), dir)
	if err != nil || len(files) != 1 || !files[0].ModTime.Equal(st.ModTime()) || files[0].ModTime.Location() != time.UTC {
		t.Errorf("folder: %+v, %v; want the time %v in UTC", files, err, st.ModTime())
	}
	files, err = HashPath(context.Background(), p)
	if err != nil || len(files) != 1 || !files[0].ModTime.IsZero() {
		t.Errorf("single file: %+v, %v; want no time", files, err)
	}
}

func osOpen(p string) (io.ReadCloser, error) { return os.Open(p) }

func openErr(open func(string) (io.ReadCloser, error), p string) error {
	_, err := open(p)
	return err
}

func readErr(f io.Reader) error {
	_, err := f.Read(make([]byte, 8))
	return err
}

func mustOpen(f io.ReadCloser, err error) io.ReadCloser {
	if err != nil {
		panic(err)
	}
	return f
}

// BenchmarkHashPath hashes a folder of 2,000 files of 4 KiB (an iOS
// backup's stored copies are mostly small): opening, reading and closing
// each file is most of it.
func BenchmarkHashPath(b *testing.B) {
	dir := b.TempDir()
	data := make([]byte, 4096)
	for i := range 2000 {
		sub := filepath.Join(dir, fmt.Sprintf("%02x", i%256))
		if err := os.MkdirAll(sub, 0o700); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("%040x", i)), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		files, err := HashPath(context.Background(), dir)
		if err != nil || len(files) != 2000 || files[0].SHA256 != want {
			b.Fatal(len(files), err)
		}
	}
	b.ReportMetric((cputime.Process()-cpu).Seconds()*1e3/float64(b.N), "cpu-ms/op")
}

// TestHashSharesSums: the chain of custody of a folder read in place
// shares its hashes with the modules (acquisition.Sums): a file a module
// hashed already is not hashed again, a large file's sum is left for a
// module that asks later, and the files listed are those hashPath lists.
func TestHashSharesSums(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 13)
	}
	for n, b := range map[string][]byte{"a": []byte("data a"), "big": big, "c": []byte("data c")} {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := HashPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := acquisition.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	in := &opened{path: dir, acq: &acquisition.Acquisition{Path: dir, FS: d}}
	taken := acquisition.Sum{Size: 6, SHA256: "taken by a module"}
	d.Sums().Do("c", func() (acquisition.Sum, error) { return taken, nil }) // not kept: small
	var got []model.InputFile
	if _, err := hashPathSums(context.Background(), dir, sharedSums(in), func(f *model.InputFile) error { got = append(got, *f); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("shared hashing listed\n%+v\nhashPath\n%+v", got, want)
	}
	sum, err := d.Sums().Do("big", func() (acquisition.Sum, error) {
		t.Error("the large file was hashed again")
		return acquisition.Sum{}, nil
	})
	if err != nil || sum.SHA256 != want[1].SHA256 || sum.Size != 1<<20 {
		t.Errorf("shared sum of the large file %+v, %v; want %s", sum, err, want[1].SHA256)
	}
	d2, err := acquisition.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	byModule := acquisition.Sum{Size: 1 << 20, SHA256: "hashed by a module"}
	d2.Sums().Do("big", func() (acquisition.Sum, error) { return byModule, nil })
	got = nil
	if _, err := hashPathSums(context.Background(), dir, d2.Sums(), func(f *model.InputFile) error { got = append(got, *f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].SHA256 != byModule.SHA256 || got[1].Path != "big" {
		t.Errorf("the module's sum of the large file was not taken: %+v", got)
	}
	in.path = filepath.Join(dir, ".") + string(filepath.Separator) + "x"
	if sharedSums(in) != nil {
		t.Error("sums shared with a folder of other names")
	}
}
