package backup

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var testFiles = []iosgen.File{
	{Domain: "HomeDomain", RelativePath: "Library/SMS/sms.db", Data: []byte("not really sqlite")},
	{Domain: "HomeDomain", RelativePath: "Library/Preferences/com.apple.x.plist", Data: []byte(strings.Repeat("p", 300000))},
	{Domain: "AppDomain-net.whatsapp.WhatsApp", RelativePath: "Documents/empty", Data: nil},
	{Domain: "CameraRollDomain", RelativePath: "Media/DCIM/16.txt", Data: []byte("0123456789abcdef")},
}

func pw(s string) func(context.Context, string) (string, error) {
	return func(context.Context, string) (string, error) { return s, nil }
}

func write(t *testing.T, password string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "backup")
	err := iosgen.WriteBackup(context.Background(), dir, iosgen.BackupSpec{Files: testFiles, Password: password, Apps: []string{"net.whatsapp.WhatsApp"}})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpen(t *testing.T) {
	for _, password := range []string{"", "s3cret pass"} {
		t.Run("password="+password, func(t *testing.T) {
			dir := write(t, password)
			enc, err := IsEncrypted(dir)
			if err != nil || enc != (password != "") {
				t.Fatalf("IsEncrypted = %v, %v", enc, err)
			}
			b, err := Open(context.Background(), dir, Options{Password: pw(password), TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var want []string
			for _, f := range testFiles {
				p := f.Domain + "/" + f.RelativePath
				want = append(want, p)
				got, err := fs.ReadFile(b, p)
				if err != nil || string(got) != string(f.Data) {
					t.Errorf("%s: got %d bytes, %v; want %d", p, len(got), err, len(f.Data))
				}
			}
			want = append(want, ManifestDB, InfoPlist, ManifestPlst, StatusPlist)
			if err := fstest.TestFS(b, want...); err != nil {
				t.Error(err)
			}
			// Manifest.db is served decrypted and opens as SQLite.
			db, err := sqlitex.Open(context.Background(), b, ManifestDB, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.QueryRow("SELECT count(*) FROM Files WHERE flags = 1").Scan(&n); err != nil || n != len(testFiles) {
				t.Errorf("Files = %d, %v", n, err)
			}
			db.Close()
			_, isPlainOS := b.OSPath("HomeDomain/Library/SMS/sms.db")
			if isPlainOS != (password == "") {
				t.Errorf("OSPath available = %v", isPlainOS)
			}
			r, ok := b.Record("HomeDomain/Library/SMS/sms.db")
			if !ok || r.Size != int64(len(testFiles[0].Data)) || r.Mode != 0o100644 || r.Modified.IsZero() || r.FileID != iosgen.FileID("HomeDomain", "Library/SMS/sms.db") {
				t.Errorf("record %+v", r)
			}
			if n := countRecords(b); n < 10 {
				t.Errorf("records: %d", n)
			}
		})
	}
}

func TestPasswordErrors(t *testing.T) {
	dir := write(t, "right")
	tmp := t.TempDir()
	_, err := Open(context.Background(), dir, Options{TempDir: tmp})
	if !errors.Is(err, acquisition.ErrNeedPassword) || !strings.Contains(err.Error(), "SPYSCAN_BACKUP_PASSWORD") {
		t.Errorf("no password: %v", err)
	}
	_, err = Open(context.Background(), dir, Options{Password: pw("wrong"), TempDir: tmp})
	if !errors.Is(err, acquisition.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temp dir not empty: %v", ents)
	}
}

func TestFind(t *testing.T) {
	dir := write(t, "")
	parent := filepath.Dir(dir)
	if got, ok := Find(parent); !ok || got != dir {
		t.Errorf("Find(parent) = %q, %v", got, ok)
	}
	if got, ok := Find(dir); !ok || got != dir {
		t.Errorf("Find(dir) = %q, %v", got, ok)
	}
	if _, ok := Find(t.TempDir()); ok {
		t.Error("empty folder recognised")
	}
}

// A tampered file (bad padding) gives a read error naming the file.
func TestTamperedFile(t *testing.T) {
	dir := write(t, "pw")
	id := iosgen.FileID("CameraRollDomain", "Media/DCIM/16.txt")
	p := filepath.Join(dir, id[:2], id)
	data, _ := os.ReadFile(p)
	data[len(data)-1] ^= 0x55
	os.WriteFile(p, data, 0o644)
	b, err := Open(context.Background(), dir, Options{Password: pw("pw"), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = fs.ReadFile(b, "CameraRollDomain/Media/DCIM/16.txt")
	if err == nil || !strings.Contains(err.Error(), "padding") || !strings.Contains(err.Error(), "16.txt") {
		t.Errorf("err = %v", err)
	}
}

func FuzzManifestPlist(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><plist version="1.0"><dict><key>IsEncrypted</key><true/><key>Lockdown</key><dict><key>ProductVersion</key><string>16.6</string></dict></dict></plist>`))
	f.Add([]byte("bplist00\xd1\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifestPlist(data)
		if err == nil {
			_ = m.LockdownString("ProductVersion")
		}
	})
}

func countRecords(b *Backup) int {
	n := 0
	for range b.Records() {
		n++
	}
	return n
}

// TestManifestCacheSize: the page cache loadRecords asks for is taken by
// a guarded, read-only connection to Manifest.db (a refusal would go
// unnoticed: the read is the same, with the default cache).
func TestManifestCacheSize(t *testing.T) {
	dir := write(t, "")
	db, err := sqlitex.Open(context.Background(), os.DirFS(dir), ManifestDB, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sizeManifestCache(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(context.Background(), "PRAGMA cache_size").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != -manifestCacheKiB {
		t.Errorf("cache_size %d, want %d", n, -manifestCacheKiB)
	}
}
