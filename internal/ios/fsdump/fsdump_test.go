package fsdump

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/safearchive"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var files = []iosgen.File{
	{Path: "private/var/mobile/Library/SMS/sms.db", Data: []byte("sms")},
	{Path: "private/var/db/com.apple.xpc.roleaccountd.staging/bh", Data: []byte("x")},
	{Path: "private/var/mobile/Library/Preferences/big.plist", Data: bytes.Repeat([]byte("b"), 100000)},
}
var links = []iosgen.Link{{Path: "var", Target: "private/var"}, {Path: "private/var/mobile/abs", Target: "/private/var/db"}}

func TestFormats(t *testing.T) {
	tests := []struct {
		name   string
		format iosgen.DumpFormat
		out    string
		wrap   string
	}{
		{"folder", iosgen.DumpFolder, "dump", ""},
		{"folder wrapped", iosgen.DumpFolder, "dump", "iPhone-dump"},
		{"tar", iosgen.DumpTar, "dump.tar", ""},
		{"tar.gz wrapped", iosgen.DumpTarGz, "dump.tar.gz", "root"},
		{"zip", iosgen.DumpZip, "dump.zip", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tt.out)
			ls := links
			if tt.format == iosgen.DumpFolder {
				ls = links[:1] // on disk, absolute links point at the host and are not followed
			}
			if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Links: ls, Format: tt.format, Wrap: tt.wrap}); err != nil {
				t.Fatal(err)
			}
			if !Detect(context.Background(), p) {
				t.Error("not detected")
			}
			tmp := t.TempDir()
			d, err := Open(context.Background(), p, tmp)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range files {
				want = append(want, f.Path)
				got, err := fs.ReadFile(d.FS, f.Path)
				if err != nil || !bytes.Equal(got, f.Data) {
					t.Errorf("%s: %d bytes, %v", f.Path, len(got), err)
				}
			}
			if got, err := fs.ReadFile(d.FS, "var/mobile/Library/SMS/sms.db"); err != nil || string(got) != "sms" {
				t.Errorf("through relative link: %q, %v", got, err)
			}
			if got, err := fs.ReadFile(d.FS, "private/var/mobile/abs/com.apple.xpc.roleaccountd.staging/bh"); len(ls) > 1 && (err != nil || string(got) != "x") {
				t.Errorf("through absolute link: %q, %v", got, err)
			}
			if err := fstest.TestFS(d.FS, want...); err != nil {
				t.Error(err)
			}
			if err := d.Close(); err != nil {
				t.Error(err)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
				t.Errorf("temp not cleaned: %v", ents)
			}
		})
	}
}

func tarOf(t *testing.T, hdrs ...*tar.Header) string {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(bytes.Repeat([]byte("a"), int(h.Size)))
		}
	}
	tw.Close()
	p := filepath.Join(t.TempDir(), "x.tar")
	os.WriteFile(p, buf.Bytes(), 0o644)
	return p
}

func TestUnsafe(t *testing.T) {
	reg := func(n string) *tar.Header { return &tar.Header{Name: n, Typeflag: tar.TypeReg, Size: 1, Mode: 0o644} }
	zipOf := func(name string) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(name)
		w.Write([]byte("a"))
		zw.Close()
		p := filepath.Join(t.TempDir(), "x.zip")
		os.WriteFile(p, buf.Bytes(), 0o644)
		return p
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"dotdot", tarOf(t, reg("private/var/../../etc/passwd")), acquisition.ErrUnsafeArchive},
		{"absolute", tarOf(t, reg("/private/var/x")), acquisition.ErrUnsafeArchive},
		{"escaping link", tarOf(t, reg("private/var/a"), &tar.Header{Name: "private/var/l", Typeflag: tar.TypeSymlink, Linkname: "../../../etc"}), acquisition.ErrUnsafeArchive},
		{"zip dotdot", zipOf("../x"), acquisition.ErrUnsafeArchive},
		{"truncated", truncated(t), acquisition.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenArchive(context.Background(), tt.path, t.TempDir())
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func truncated(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "d.tar")
	iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: iosgen.DumpTar})
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:700], 0o644)
	return p
}

// A folder dump with a symlink pointing outside the folder is not followed.
func TestFolderEscape(t *testing.T) {
	root := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s"), 0o644)
	os.MkdirAll(filepath.Join(root, "private/var"), 0o755)
	os.Symlink(secret, filepath.Join(root, "private/var/out"))
	d, err := Open(context.Background(), root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := fs.ReadFile(d.FS, "private/var/out"); err == nil {
		t.Error("escaping symlink followed")
	}
	if _, ok := d.FS.(*acquisition.Dir).OSPath("private/var/out"); ok {
		t.Error("OSPath escapes")
	}
}

// TestLinkTargetLimit: a link target of safearchive.MaxLink bytes is kept,
// one byte more refuses the archive (tar and zip alike), naming the link;
// a target cut short could name another file.
func TestLinkTargetLimit(t *testing.T) {
	target := func(n int) string { // resolves to private/var/a… inside the dump
		return strings.Repeat("./", (n-1)/2) + strings.Repeat("a", n-(n-1)/2*2)
	}
	zipLink := func(target string) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("private/var/a")
		w.Write([]byte("a"))
		h := &zip.FileHeader{Name: "private/var/l", Method: zip.Store}
		h.SetMode(fs.ModeSymlink | 0o777)
		w, _ = zw.CreateHeader(h)
		w.Write([]byte(target))
		zw.Close()
		p := filepath.Join(t.TempDir(), "x.zip")
		os.WriteFile(p, buf.Bytes(), 0o644)
		return p
	}
	tarLink := func(target string) string {
		return tarOf(t, &tar.Header{Name: "private/var/a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
			&tar.Header{Name: "private/var/l", Typeflag: tar.TypeSymlink, Linkname: target})
	}
	for _, tt := range []struct {
		name string
		make func(string) string
	}{{"tar", tarLink}, {"zip", zipLink}} {
		t.Run(tt.name, func(t *testing.T) {
			at := target(safearchive.MaxLink)
			if len(at) != safearchive.MaxLink {
				t.Fatalf("target of %d bytes", len(at))
			}
			a, err := OpenArchive(context.Background(), tt.make(at), t.TempDir())
			if err != nil {
				t.Fatalf("target of %d bytes: %v", len(at), err)
			}
			a.Close()
			over := target(safearchive.MaxLink + 1)
			_, err = OpenArchive(context.Background(), tt.make(over), t.TempDir())
			if !errors.Is(err, acquisition.ErrUnsafeArchive) || !strings.Contains(err.Error(), "private/var/l") || !strings.Contains(err.Error(), "longer than 4096 bytes") {
				t.Errorf("target of %d bytes: %v, want the link refused as too long", len(over), err)
			}
		})
	}
}
