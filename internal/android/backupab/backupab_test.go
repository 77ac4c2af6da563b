package backupab_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/backupab"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

var testFiles = []androidgen.File{
	{Path: "apps/com.android.providers.telephony/_manifest", Data: []byte("manifest")},
	{Path: "apps/com.android.providers.telephony/d_f/000000_sms_backup", Data: androidgen.ZlibJSON([]androidgen.SMS{{Address: "123", Body: "hi https://free247downloads.com/x", Date: "1645543781956", Type: "1"}})},
	{Path: "apps/com.example/f/big.bin", Data: bytes.Repeat([]byte("0123456789abcdef"), 4096)},
}

func src(b []byte) backupab.Source {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func pw(p string) backupab.PasswordFunc { return func() (string, error) { return p, nil } }

func TestOpenVariants(t *testing.T) {
	small := backupab.DefaultLimits
	small.CacheFile = 1024 // big.bin is re-streamed
	for _, tc := range []struct {
		name string
		opt  androidgen.BackupOptions
		pw   backupab.PasswordFunc
		lim  backupab.Limits
	}{
		{"plain", androidgen.BackupOptions{}, nil, backupab.DefaultLimits},
		{"compressed", androidgen.BackupOptions{Compressed: true}, nil, backupab.DefaultLimits},
		{"encrypted", androidgen.BackupOptions{Compressed: true, Password: "s3cret", Rounds: 50, Seed: "a"}, pw("s3cret"), backupab.DefaultLimits},
		{"encrypted-v1", androidgen.BackupOptions{Version: 1, Password: "s3cret", Rounds: 50, Seed: "b"}, pw("s3cret"), backupab.DefaultLimits},
		{"encrypted-restream", androidgen.BackupOptions{Compressed: true, Password: "s3cret", Rounds: 50, Seed: "c"}, pw("s3cret"), small},
		{"plain-restream", androidgen.BackupOptions{}, nil, small},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ab := androidgen.Backup(testFiles, tc.opt)
			f, err := backupab.Open(context.Background(), "backup.ab", src(ab), tc.pw, tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tf := range testFiles {
				names = append(names, tf.Path)
				got, err := fs.ReadFile(f, tf.Path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, tf.Data) {
					t.Errorf("%s: content differs (%d vs %d bytes)", tf.Path, len(got), len(tf.Data))
				}
			}
			if err := fstest.TestFS(f, names...); err != nil {
				t.Error(err)
			}
			if f.Header.Compressed != tc.opt.Compressed || f.Header.Encrypted() != (tc.opt.Password != "") {
				t.Errorf("header %+v", f.Header)
			}
		})
	}
}

func TestPasswordOutcomes(t *testing.T) {
	ab := androidgen.Backup(testFiles, androidgen.BackupOptions{Compressed: true, Password: "right", Rounds: 20, Seed: "p"})
	for _, tc := range []struct {
		name string
		pw   backupab.PasswordFunc
		want error
	}{
		{"none", nil, acquisition.ErrNeedPassword},
		{"empty", pw(""), acquisition.ErrNeedPassword},
		{"wrong", pw("wrong"), acquisition.ErrWrongPassword},
		{"source error", func() (string, error) { return "", acquisition.ErrNeedPassword }, acquisition.ErrNeedPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backupab.Open(context.Background(), "x/backup.ab", src(ab), tc.pw, backupab.DefaultLimits)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !bytes.Contains([]byte(err.Error()), []byte("x/backup.ab")) {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	good := androidgen.Backup(testFiles, androidgen.BackupOptions{Compressed: true})
	enc := androidgen.Backup(testFiles, androidgen.BackupOptions{Password: "p", Rounds: 10, Seed: "z"})
	var unsafeTar bytes.Buffer
	tw := tar.NewWriter(&unsafeTar)
	tw.WriteHeader(&tar.Header{Name: "../../etc/passwd", Size: 1, Mode: 0o600, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	var linkTar bytes.Buffer
	tw = tar.NewWriter(&linkTar)
	tw.WriteHeader(&tar.Header{Name: "apps/a/link", Linkname: "../../../etc", Typeflag: tar.TypeSymlink})
	tw.Close()
	for _, tc := range []struct {
		name string
		data []byte
		pw   backupab.PasswordFunc
		want error
	}{
		{"not a backup", []byte("PK\x03\x04 something"), nil, acquisition.ErrUnrecognised},
		{"bad version", []byte("ANDROID BACKUP\nx\n0\nnone\n"), nil, acquisition.ErrCorrupt},
		{"bad flag", []byte("ANDROID BACKUP\n5\n7\nnone\n"), nil, acquisition.ErrCorrupt},
		{"bad encryption", []byte("ANDROID BACKUP\n5\n0\nROT13\n"), nil, acquisition.ErrCorrupt},
		{"header cut", []byte("ANDROID BACKUP\n5\n"), nil, acquisition.ErrCorrupt},
		{"bad hex", []byte("ANDROID BACKUP\n5\n0\nAES-256\nZZ\n"), pw("p"), acquisition.ErrCorrupt},
		{"huge rounds", []byte("ANDROID BACKUP\n5\n0\nAES-256\n00\n00\n999999999\n"), pw("p"), acquisition.ErrCorrupt},
		{"truncated compressed", good[:len(good)/2], nil, acquisition.ErrCorrupt},
		{"truncated encrypted", enc[:len(enc)-7], pw("p"), acquisition.ErrCorrupt},
		{"unsafe entry", append([]byte("ANDROID BACKUP\n5\n0\nnone\n"), unsafeTar.Bytes()...), nil, acquisition.ErrUnsafeArchive},
		{"escaping link", append([]byte("ANDROID BACKUP\n5\n0\nnone\n"), linkTar.Bytes()...), nil, acquisition.ErrUnsafeArchive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backupab.Open(context.Background(), "b.ab", src(tc.data), tc.pw, backupab.DefaultLimits)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBombCapped(t *testing.T) {
	files := []androidgen.File{{Path: "apps/a/f/zeros", Data: make([]byte, 4<<20)}}
	ab := androidgen.Backup(files, androidgen.BackupOptions{Compressed: true})
	lim := backupab.DefaultLimits
	lim.MaxTotal = 1 << 20
	_, err := backupab.Open(context.Background(), "bomb.ab", src(ab), nil, lim)
	if !errors.Is(err, acquisition.ErrUnsafeArchive) {
		t.Fatalf("got %v", err)
	}
}

func TestMangle(t *testing.T) {
	got := backupab.Mangle(2, []byte{0x41, 0x80, 0xff})
	want := []byte{0x41, 0xEF, 0xBE, 0x80, 0xEF, 0xBF, 0xBF} // U+FF80, U+FFFF
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x want % x", got, want)
	}
	if got := backupab.Mangle(1, []byte{0x80}); !bytes.Equal(got, []byte{0x80}) {
		t.Fatalf("v1: % x", got)
	}
}

func FuzzHeader(f *testing.F) {
	f.Add(androidgen.Backup(testFiles[:1], androidgen.BackupOptions{}))
	f.Add(androidgen.Backup(testFiles[:1], androidgen.BackupOptions{Compressed: true}))
	f.Add(androidgen.Backup(testFiles[:1], androidgen.BackupOptions{Password: "p", Rounds: 2, Seed: "f"})[:400])
	f.Add([]byte("ANDROID BACKUP\n5\n1\nAES-256\n00\n00\n1\n00\n00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := backupab.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
		if err == nil && h.Encrypted() {
			if h.Rounds > 50 {
				h.Rounds = 50
			}
			_, _ = h.Unlock("p")
		}
		lim := backupab.DefaultLimits
		lim.MaxTotal = 1 << 20
		fsys, err := backupab.Open(context.Background(), "f.ab", src(data), pw("p"), lim)
		if err == nil {
			_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					_, _ = fs.ReadFile(fsys, p)
				}
				return nil
			})
		}
	})
}
