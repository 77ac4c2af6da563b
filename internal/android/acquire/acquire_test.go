package acquire_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"github.com/spyscan/spyscan/internal/scan"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"filippo.io/age"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/safearchive"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

const password = "correct horse"

func bugreportFiles() []androidgen.File {
	return androidgen.Files(androiddata.Bugreport(androiddata.Options{}))
}

func backupFiles() []androidgen.File {
	return []androidgen.File{{Path: "apps/com.android.providers.telephony/d_f/000000_sms_backup",
		Data: androidgen.ZlibJSON([]androidgen.SMS{{Address: "1", Body: "https://" + androiddata.PegasusDomain + "/a", Date: "1645543781956", Type: "1"}})}}
}

// qfFiles is an androidqf acquisition with a nested bugreport.zip and an
// encrypted backup.ab.
func qfFiles(store bool) []androidgen.File {
	m := androiddata.AndroidQF(androiddata.Options{})
	m["bugreport.zip"] = androidgen.ZipBytes(bugreportFiles(), store)
	m["backup.ab"] = androidgen.Backup(backupFiles(), androidgen.BackupOptions{Compressed: true, Password: password, Rounds: 10, Seed: "qf"})
	return androidgen.QFFiles("3f1c2b9e", androidgen.Files(m))
}

func opts(t *testing.T, pw string) acquisition.Options {
	o := acquisition.Options{TempDir: t.TempDir()}
	if pw != "" {
		o.Password = func(context.Context, string) (string, error) { return pw, nil }
	}
	return o
}

func detect(t *testing.T, p string) (acquisition.Opener, acquisition.Kind) {
	t.Helper()
	for _, o := range scan.Openers() {
		if k, ok := o.Detect(context.Background(), p); ok {
			return o, k
		}
	}
	t.Fatalf("%s: not recognised", p)
	return nil, ""
}

func open(t *testing.T, p string, o acquisition.Options) *acquisition.Acquisition {
	t.Helper()
	op, k := detect(t, p)
	acq, err := op.Open(context.Background(), p, k, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if acq.Close != nil {
			if err := acq.Close(); err != nil {
				t.Error(err)
			}
		}
	})
	return acq
}

func TestBugreport(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "br")
	if err := androidgen.WriteFolder(folder, bugreportFiles()); err != nil {
		t.Fatal(err)
	}
	zp := filepath.Join(dir, "bugreport.zip")
	if err := androidgen.WriteZipFile(zp, bugreportFiles(), false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{folder, zp} {
		acq := open(t, p, opts(t, ""))
		if acq.Kind != acquisition.AndroidBugreport {
			t.Fatalf("%s: kind %s", p, acq.Kind)
		}
		if acq.TZ != "Europe/Paris" || acq.Meta["android_version"] != "14" || acq.Meta["dumpstate"] == "" {
			t.Errorf("%s: tz %q meta %v", p, acq.TZ, acq.Meta)
		}
		var names []string
		for _, f := range bugreportFiles() {
			names = append(names, f.Path)
			got, err := fs.ReadFile(acq.FS, f.Path)
			if err != nil || !bytes.Equal(got, f.Data) {
				t.Fatalf("%s: %s: %v", p, f.Path, err)
			}
		}
		if err := fstest.TestFS(acq.FS, names...); err != nil {
			t.Error(err)
		}
	}
}

func checkQF(t *testing.T, acq *acquisition.Acquisition, withBackup bool) {
	t.Helper()
	if acq.Kind != acquisition.AndroidQF {
		t.Fatalf("kind %s", acq.Kind)
	}
	want := []string{"packages.json", "getprop.txt", "hashes.csv", "bugreport.zip", "backup.ab",
		"bugreport/main_entry.txt", "bugreport/FS/data/tombstones/tombstone_00"}
	if withBackup {
		want = append(want, "backup/apps/com.android.providers.telephony/d_f/000000_sms_backup")
	}
	for _, n := range want {
		if _, err := fs.ReadFile(acq.FS, n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if err := fstest.TestFS(acq.FS, want...); err != nil {
		t.Error(err)
	}
	if acq.Meta["uuid"] == "" || acq.Meta["device_model"] == "" || acq.Meta["android_version"] == "" || acq.TZ == "" {
		t.Errorf("meta %v tz %q", acq.Meta, acq.TZ)
	}
}

func TestQFFolderAndZips(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "3f1c2b9e")
	if err := androidgen.WriteFolder(folder, qfFiles(false)); err != nil {
		t.Fatal(err)
	}
	checkQF(t, open(t, folder, opts(t, password)), true)

	for _, tc := range []struct {
		name   string
		store  bool
		prefix string
	}{{"deflated", false, ""}, {"stored", true, ""}, {"wrapped", false, "3f1c2b9e/"}} {
		t.Run(tc.name, func(t *testing.T) {
			var files []androidgen.File
			for _, f := range qfFiles(tc.store) {
				files = append(files, androidgen.File{Path: tc.prefix + f.Path, Data: f.Data})
			}
			zp := filepath.Join(dir, tc.name+".zip")
			if err := androidgen.WriteZipFile(zp, files, tc.store); err != nil {
				t.Fatal(err)
			}
			o := opts(t, password)
			checkQF(t, open(t, zp, o), true)
		})
	}
}

func TestQFNestedBackupNeedsPassword(t *testing.T) {
	folder := filepath.Join(t.TempDir(), "qf")
	if err := androidgen.WriteFolder(folder, qfFiles(false)); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "wrong"} {
		acq := open(t, folder, opts(t, pw))
		checkQF(t, acq, false)
		if !strings.Contains(causes(acq), "backup.ab") {
			t.Errorf("pw %q: nested errors %q", pw, causes(acq))
		}
		if _, err := fs.Stat(acq.FS, "backup/apps"); err == nil {
			t.Error("backup mounted without the password")
		}
	}
}

func TestQFAge(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "3f1c2b9e.zip.age")
	f, _ := os.Create(p)
	if err := androidgen.WriteQFAge(f, qfFiles(true), id.Recipient()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Setenv(acquire.EnvAgeKey, id.String())
	checkQF(t, open(t, p, opts(t, password)), true)

	other, _ := age.GenerateX25519Identity()
	kf := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(kf, []byte("# comment\n"+other.String()+"\n"), 0o600)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want error
	}{
		{"no key", map[string]string{}, acquisition.ErrNeedPassword},
		{"wrong key file", map[string]string{acquire.EnvAgeKeyFile: kf}, acquisition.ErrWrongPassword},
	} {
		q := &acquire.QF{Identities: func() ([]age.Identity, error) {
			return acquire.AgeIdentitiesFromEnv(func(k string) string { return tc.env[k] })
		}}
		if _, ok := q.Detect(context.Background(), p); !ok {
			t.Fatal("not detected")
		}
		_, err := q.Open(context.Background(), p, acquisition.AndroidQF, opts(t, ""))
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: got %v, want %v naming the file", tc.name, err, tc.want)
		}
	}
}

func TestBackupOpener(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []androidgen.BackupOptions{{}, {Compressed: true}, {Compressed: true, Password: password, Rounds: 10, Seed: "x"}} {
		p := filepath.Join(dir, "backup.ab")
		os.WriteFile(p, androidgen.Backup(backupFiles(), o), 0o644)
		acq := open(t, p, opts(t, password))
		if acq.Kind != acquisition.AndroidBackup {
			t.Fatalf("kind %s", acq.Kind)
		}
		if _, err := fs.ReadFile(acq.FS, backupFiles()[0].Path); err != nil {
			t.Fatal(err)
		}
	}
}

func rawZip(t *testing.T, add func(*zip.Writer)) string {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add(zw)
	zw.Close()
	p := filepath.Join(t.TempDir(), "x.zip")
	os.WriteFile(p, b.Bytes(), 0o644)
	return p
}

func TestUnsafeAndCorruptZips(t *testing.T) {
	entry := func(name string, data []byte, mode fs.FileMode) func(*zip.Writer) {
		return func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: name, Method: zip.Deflate}
			h.SetMode(mode)
			w, _ := zw.CreateHeader(h)
			w.Write(data)
		}
	}
	both := func(fns ...func(*zip.Writer)) func(*zip.Writer) {
		return func(zw *zip.Writer) {
			for _, f := range fns {
				f(zw)
			}
		}
	}
	main := entry("main_entry.txt", []byte("bugreport-x.txt"), 0o644)
	good := rawZip(t, both(main, entry("bugreport-x.txt", []byte("== dumpstate"), 0o644)))
	goodBytes, _ := os.ReadFile(good)
	trunc := filepath.Join(t.TempDir(), "trunc.zip")
	os.WriteFile(trunc, goodBytes[:len(goodBytes)-30], 0o644)
	lim := safearchive.Limits{MaxEntry: 1 << 20, MaxTotal: 3 << 20, MaxEntries: 100}
	for _, tc := range []struct {
		name string
		p    string
		want error
	}{
		{"dotdot", rawZip(t, both(main, entry("../../evil.txt", []byte("x"), 0o644))), acquisition.ErrUnsafeArchive},
		{"absolute", rawZip(t, both(main, entry("/etc/evil", []byte("x"), 0o644))), acquisition.ErrUnsafeArchive},
		{"backslash", rawZip(t, both(main, entry(`FS\..\..\evil`, []byte("x"), 0o644))), acquisition.ErrUnsafeArchive},
		{"escaping link", rawZip(t, both(main, entry("FS/link", []byte("../../../etc/passwd"), fs.ModeSymlink|0o777))), acquisition.ErrUnsafeArchive},
		{"absolute link", rawZip(t, both(main, entry("FS/link", []byte("/etc/passwd"), fs.ModeSymlink|0o777))), acquisition.ErrUnsafeArchive},
		{"bomb entry", rawZip(t, both(main, entry("big", make([]byte, 2<<20), 0o644))), acquisition.ErrUnsafeArchive},
		{"bomb total", rawZip(t, both(main, entry("a", make([]byte, 1<<20), 0o644), entry("b", make([]byte, 1<<20), 0o644),
			entry("c", make([]byte, 1<<20), 0o644), entry("d", make([]byte, 1<<20), 0o644))), acquisition.ErrUnsafeArchive},
		{"truncated", trunc, acquisition.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &acquire.Bugreport{Limits: &lim}
			_, err := b.Open(context.Background(), tc.p, acquisition.AndroidBugreport, opts(t, ""))
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.p) {
				t.Fatalf("got %v, want %v naming the file", err, tc.want)
			}
		})
	}
	// An in-root link is fine.
	p := rawZip(t, both(main, entry("bugreport-x.txt", []byte("x"), 0o644), entry("FS/link", []byte("../bugreport-x.txt"), fs.ModeSymlink|0o777)))
	if _, err := (&acquire.Bugreport{}).Open(context.Background(), p, acquisition.AndroidBugreport, opts(t, "")); err != nil {
		t.Fatal(err)
	}
}

func TestNotRecognised(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	z := rawZip(t, func(zw *zip.Writer) { w, _ := zw.Create("photo.jpg"); w.Write([]byte("x")) })
	for _, p := range []string{dir, filepath.Join(dir, "notes.txt"), z} {
		for _, o := range scan.Openers() {
			if k, ok := o.Detect(context.Background(), p); ok {
				t.Errorf("%s detected %s as %s", o.Name(), p, k)
			}
		}
	}
	// An androidqf folder is not taken for a bugreport.
	qf := filepath.Join(dir, "qf")
	androidgen.WriteFolder(qf, qfFiles(false))
	if _, ok := (&acquire.Bugreport{}).Detect(context.Background(), qf); ok {
		t.Error("androidqf folder detected as a bugreport")
	}
}

func FuzzZip(f *testing.F) {
	f.Add(androidgen.ZipBytes(bugreportFiles()[:3], false))
	f.Add(androidgen.ZipBytes(bugreportFiles()[:2], true))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := safearchive.New(bytes.NewReader(data), int64(len(data)), "f.zip", safearchive.Limits{MaxEntry: 1 << 20, MaxTotal: 4 << 20, MaxEntries: 1000})
		if err != nil {
			return
		}
		acquire.IsBugreport(z)
		acquire.IsQF(z)
		_ = fs.WalkDir(z, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				_, _ = fs.ReadFile(z, p)
			}
			return nil
		})
	})
}

func FuzzAge(f *testing.F) {
	id, _ := age.GenerateX25519Identity()
	var b bytes.Buffer
	androidgen.WriteQFAge(&b, bugreportFiles()[:2], id.Recipient())
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x.zip.age")
		os.WriteFile(p, data, 0o644)
		q := &acquire.QF{Identities: func() ([]age.Identity, error) { return []age.Identity{id}, nil }}
		if acq, err := q.Open(context.Background(), p, acquisition.AndroidQF, acquisition.Options{TempDir: t.TempDir()}); err == nil {
			acq.Close()
		}
	})
}

func TestQFCorruptNestedBugreport(t *testing.T) {
	var files []androidgen.File
	for _, f := range qfFiles(false) {
		if f.Path == "bugreport.zip" {
			f.Data = f.Data[:len(f.Data)/2]
		}
		files = append(files, f)
	}
	folder := filepath.Join(t.TempDir(), "qf")
	if err := androidgen.WriteFolder(folder, files); err != nil {
		t.Fatal(err)
	}
	acq := open(t, folder, opts(t, password))
	if !strings.Contains(causes(acq), "bugreport.zip") || !strings.Contains(causes(acq), "corrupt") {
		t.Errorf("nested errors %q", causes(acq))
	}
	if _, err := fs.Stat(acq.FS, "backup/apps"); err != nil {
		t.Errorf("backup not mounted: %v", err)
	}
	if _, err := fs.Stat(acq.FS, "bugreport.zip"); err != nil {
		t.Errorf("raw bugreport.zip hidden: %v", err)
	}
}

// causes joins the causes of the parts of acq that were not opened.
func causes(acq *acquisition.Acquisition) string {
	var out []string
	for _, p := range acq.Problems {
		out = append(out, p.Cause)
	}
	return strings.Join(out, "; ")
}

// TestExtractedBackupFolder: a backup.ab's tar unpacked into a folder (what
// MVT's check-backup also takes) is read as an Android backup; files kept
// beside apps/ are listed as not read, so the folder cannot be called clean
// without them.
func TestExtractedBackupFolder(t *testing.T) {
	dir := t.TempDir()
	files := append(backupFiles(), androidgen.File{Path: "apps/com.android.providers.telephony/_manifest", Data: []byte("1\n")},
		androidgen.File{Path: "backup2.ab", Data: []byte("ANDROID BACKUP\n5\n1\nnone\n")})
	if err := androidgen.WriteFolder(dir, files); err != nil {
		t.Fatal(err)
	}
	acq := open(t, dir, opts(t, ""))
	if acq.Kind != acquisition.AndroidBackup {
		t.Fatalf("kind %s, want %s", acq.Kind, acquisition.AndroidBackup)
	}
	if _, err := fs.ReadFile(acq.FS, backupFiles()[0].Path); err != nil {
		t.Fatal(err)
	}
	if len(acq.Problems) != 0 || !slices.Equal(acq.Beside, []string{"backup2.ab"}) {
		t.Fatalf("problems %+v, beside %q: want backup2.ab beside, no problem (the scan decides)", acq.Problems, acq.Beside)
	}

	// apps/ without a package folder holding a backup domain is something else.
	other := t.TempDir()
	androidgen.WriteFolder(other, []androidgen.File{{Path: "apps/notes/readme.txt", Data: []byte("x")},
		{Path: "apps/com.example.app/photos/a.jpg", Data: []byte("x")}})
	for _, o := range scan.Openers() {
		if k, ok := o.Detect(context.Background(), other); ok {
			t.Errorf("%s detected a folder of apps as %s", o.Name(), k)
		}
	}
}

// TestQFPartial: an androidqf acquisition holding only getprop.txt (MVT's
// own androidqf.zip test sample has that shape) is recognised, in a folder
// and in a wrapped zip, and the package list it lacks is a missing-file
// problem, so the scan is inconclusive, never clean. A getprop.txt that is
// not getprop's output is not enough.
func TestQFPartial(t *testing.T) {
	gp := []androidgen.File{{Path: "getprop.txt", Data: androiddata.Getprop()}}
	dir := t.TempDir()
	androidgen.WriteFolder(filepath.Join(dir, "qf"), gp)
	zp := filepath.Join(dir, "qf.zip")
	if err := androidgen.WriteZipFile(zp, []androidgen.File{{Path: "acq/getprop.txt", Data: gp[0].Data}}, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "qf"), zp} {
		acq := open(t, p, opts(t, ""))
		if acq.Kind != acquisition.AndroidQF {
			t.Fatalf("%s: kind %s", p, acq.Kind)
		}
		var missing []string
		for _, pb := range acq.Problems {
			if pb.Kind != model.KindMissing {
				t.Errorf("%s: problem %+v, want kind missing", p, pb)
			}
			missing = append(missing, path.Base(pb.Path))
		}
		if want := []string{"packages.json"}; !reflect.DeepEqual(missing, want) {
			t.Errorf("%s: missing %v, want %v", p, missing, want)
		}
	}
	for _, body := range []string{"hello\n", "[ro.build]\n", "[]: [x]\n", "[a b]: [x]\n"} {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, "getprop.txt"), []byte(body), 0o644)
		if _, ok := (&acquire.QF{}).Detect(context.Background(), d); ok {
			t.Errorf("getprop.txt holding %q detected as androidqf", body)
		}
	}
}

// TestDumpText: a dumpstate or dumpsys text on its own is a bugreport; its
// dump is found where the modules look, and the device's properties are
// read from it. Text that only mentions the markers further down, binary
// data and other text are not taken.
func TestDumpText(t *testing.T) {
	dir := t.TempDir()
	dump := androiddata.Dumpstate(androiddata.Options{})
	for _, tc := range []struct {
		name, data string
		want       bool
	}{
		{"adb-bugreport.txt", string(dump), true},
		{"crlf.txt", strings.ReplaceAll(string(dump[:4096]), "\n", "\r\n"), true},
		{"dumpsys.txt", "Currently running services:\n  adb\n  package\n-------\nDUMP OF SERVICE adb:\n", true},
		{"dumpsys-noise.txt", "some text first\n\nDUMP OF SERVICE accessibility:\n" + strings.Repeat("x", 600) + "\x00y\n", true},
		{"notes.txt", "how to read a bugreport: look for == dumpstate: and DUMP OF SERVICE", false},
		{"late-header.txt", strings.Repeat("line\n", 30) + "== dumpstate: 2024-05-20 14:03:11\n", false},
		{"binary.bin", "\x00\x01DUMP OF SERVICE x:\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := acquire.IsDumpText(p); got != tc.want {
				t.Fatalf("IsDumpText %v, want %v", got, tc.want)
			}
			if !tc.want {
				return
			}
			acq := open(t, p, opts(t, ""))
			if acq.Kind != acquisition.AndroidBugreport || acq.Meta["container"] != "text file" {
				t.Fatalf("kind %s meta %v", acq.Kind, acq.Meta)
			}
			b, err := fs.ReadFile(acq.FS, acquire.DumpTextName)
			if err != nil || string(b) != tc.data {
				t.Fatalf("dump read back: %v (%d bytes)", err, len(b))
			}
			if tc.name == "adb-bugreport.txt" && acq.Meta["dumpstate"] != acquire.DumpTextName {
				t.Errorf("dumpstate not found: %v", acq.Meta)
			}
		})
	}
}
