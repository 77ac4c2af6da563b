package cli

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// badCase is one damaged input scanned end to end through the CLI.
type badCase struct {
	name string
	// build writes the inputs into dir and returns them, and the file the
	// error must name (an input, or a file inside one).
	build func(t *testing.T, dir string) (inputs []string, named string)
	named string            // when set: the file to name, relative to the test's folder (not an input)
	env   map[string]string // e.g. SPYSCAN_BACKUP_PASSWORD
	flags func(dir string) []string
	code  int // wanted exit code
	// ran: the scan ran and wrote a report in which the failure is listed;
	// else nothing may be written and stderr holds one error line.
	ran     bool
	wantErr string // substring of the error (stderr line or report entry)
	// evidence: hash every input file before and after and compare.
	evidence bool
	// unseen: the damage is legitimately invisible to the scan (SQLite
	// treats a -wal whose header is invalid as empty), so nothing is listed; the
	// case checks that the scan goes on and the evidence is unchanged.
	unseen bool
}

func TestBadInputs(t *testing.T) {
	isolate(t)
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "")
	catchDefaultLog(t)
	for _, tc := range badCases() {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == nil {
				t.Parallel() // the cases with an environment run first, one at a time
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			inputs, named := tc.build(t, filepath.Join(dir, "in"))
			if tc.named != "" {
				named = filepath.Join(dir, tc.named)
			}
			var before map[string]string
			if tc.evidence {
				before = snapshot(t, inputs)
			}
			out := filepath.Join(dir, "out")
			// a small indicator file keeps the many scans fast (the embedded
			// snapshot is parsed by every run); it holds the planted domain.
			iocs := filepath.Join(dir, "planted.stix2")
			write(t, iocs, []byte(plantedSTIX))
			args := []string{"scan", "--quiet", "--lang", "en", "--output", out, "--no-embedded-iocs", "--no-cache-iocs", "--iocs", iocs}
			if tc.flags != nil {
				args = append(args, tc.flags(dir)...)
			}
			code, stdout, stderr := run(t, append(args, inputs...)...)
			defer func() {
				if t.Failed() || testing.Verbose() {
					t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
				}
			}()
			for _, bad := range []string{"panic", "goroutine "} {
				if strings.Contains(stderr, bad) || strings.Contains(stdout, bad) {
					t.Errorf("output holds %q", bad)
				}
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if tc.ran && tc.unseen {
				readJSON(t, filepath.Join(out, "info.json"), &struct{}{})
			} else if tc.ran {
				checkReport(t, out, named, tc.wantErr)
				checkLogNames(t, stderr, named)
			} else {
				checkOneLine(t, stderr, named, tc.wantErr)
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("output folder %s left behind by a scan that did not run", out)
				}
			}
			if tc.evidence {
				after := snapshot(t, inputs)
				for p := range after {
					if _, ok := before[p]; !ok {
						t.Errorf("%s appeared next to the evidence (SQLite -wal, -shm or -journal?)", p)
					}
				}
				if fmt.Sprint(before) != fmt.Sprint(after) {
					t.Errorf("evidence changed by the scan:\nbefore %v\nafter  %v", before, after)
				}
			}
		})
	}
}

// plantedSTIX holds the one indicator planted in the generated and demo
// inputs used here.
const plantedSTIX = `{"type": "bundle", "id": "bundle--6f0c7a52-0c5e-4d1a-9a57-000000000001", "objects": [
{"type": "malware", "spec_version": "2.1", "id": "malware--6f0c7a52-0c5e-4d1a-9a57-000000000002", "name": "Pegasus", "is_family": true},
{"type": "indicator", "spec_version": "2.1", "id": "indicator--6f0c7a52-0c5e-4d1a-9a57-000000000003", "pattern_type": "stix",
 "pattern": "[domain-name:value = 'free247downloads.com']", "valid_from": "2021-07-18T00:00:00Z"},
{"type": "relationship", "spec_version": "2.1", "id": "relationship--6f0c7a52-0c5e-4d1a-9a57-000000000004", "relationship_type": "indicates",
 "source_ref": "indicator--6f0c7a52-0c5e-4d1a-9a57-000000000003", "target_ref": "malware--6f0c7a52-0c5e-4d1a-9a57-000000000002"}]}`

// catchDefaultLog fails the test if anything logs through the process's
// default logger (slog or log) instead of the CLI's: the library must not
// print.
func catchDefaultLog(t *testing.T) {
	h := &leakHandler{}
	prev := slog.Default()
	slog.SetDefault(slog.New(h))
	t.Cleanup(func() {
		slog.SetDefault(prev)
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, m := range h.msgs {
			t.Errorf("logged through the default logger, not the CLI's: %s", m)
		}
	})
}

type leakHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *leakHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *leakHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *leakHandler) WithGroup(string) slog.Handler            { return h }
func (h *leakHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}

func badCases() []badCase {
	pw := func(p string) map[string]string { return map[string]string{"SPYSCAN_BACKUP_PASSWORD": p} }
	return []badCase{
		{name: "truncated bugreport zip", build: truncated(bugreportZip, 0.5), code: ExitUsage, wantErr: "corrupt or truncated"},
		{name: "truncated androidqf zip", build: truncated(androidqfZip, 0.5), code: ExitUsage, wantErr: "corrupt or truncated"},
		{name: "truncated iOS dump zip", build: truncated(iosDump(iosgen.DumpZip, "dump.zip"), 0.5), code: ExitUsage, wantErr: "corrupt or truncated"},
		{name: "truncated iOS dump tar.gz", build: truncated(iosDump(iosgen.DumpTarGz, "dump.tar.gz"), 0.6), code: ExitUsage, wantErr: "corrupt or truncated"},
		{name: "corrupt Manifest.db", build: iosBackupDamaged("Manifest.db", iosdata.Corrupt), code: ExitUsage, wantErr: "Manifest.db", evidence: true},
		{name: "corrupt sms.db in an iOS backup", build: iosBackupDamaged(smsID(), iosdata.Corrupt), ran: true, code: ExitAlerts, wantErr: "sms", evidence: true},
		{name: "malformed Info.plist", build: iosBackupDamaged("Info.plist", garbagePlist), ran: true, code: ExitAlerts, wantErr: "Info.plist", evidence: true},
		{name: "malformed Manifest.plist", build: iosBackupDamaged("Manifest.plist", garbagePlist), code: ExitUsage, wantErr: "Manifest.plist"},
		{name: "malformed STIX with --iocs", build: demoCopy("backup.ab"), named: "bad.stix2", ran: true, code: ExitAlerts, wantErr: "not a STIX bundle",
			flags: func(dir string) []string {
				p := filepath.Join(dir, "bad.stix2")
				os.WriteFile(p, []byte(`{"type": "bundle", "objects": [{"type": "indicator", "pattern": "[domain-name:value = `), 0o644)
				return []string{"--iocs", p}
			}},
		{name: "garbage pcap", build: fileOf("capture.pcap", garbagePcap()), ran: true, code: ExitInconclusive, wantErr: "capture.pcap"},
		{name: "wrong magic pcap", build: fileOf("capture.pcap", randomBytes(1, 4096)), code: ExitUsage, wantErr: "capture.pcap"},
		{name: "truncated pcapng", build: truncated(demoPcapng, 0.6), ran: true, code: ExitAlerts, wantErr: "capture.pcapng", evidence: true},
		{name: "backup.ab corrupt header", build: fileOf("backup.ab", corruptABHeader()), code: ExitUsage, wantErr: "backup.ab"},
		{name: "iOS backup wrong password", build: iosEncrypted, env: pw("wrong-password"), code: ExitUsage, wantErr: "password", evidence: true},
		{name: "iOS backup no password", build: iosEncrypted, code: ExitUsage, wantErr: "SPYSCAN_BACKUP_PASSWORD"},
		{name: "backup.ab wrong password", build: fileOf("backup.ab", encryptedAB()), env: pw("wrong-password"), code: ExitUsage, wantErr: "password", evidence: true},
		{name: "backup.ab no password", build: fileOf("backup.ab", encryptedAB()), code: ExitUsage, wantErr: "SPYSCAN_BACKUP_PASSWORD"},
		{name: "zip with ../ entry", build: fileOf("bugreport.zip", zipWith(map[string][]byte{"../evil.txt": []byte("x")})), code: ExitUsage, wantErr: "../evil.txt"},
		{name: "zip bomb", build: fileOf("bugreport.zip", zipBomb()), code: ExitUsage, wantErr: "inflates"},
		{name: "empty folder", build: emptyFolder, code: ExitUsage, wantErr: "empty"},
		{name: "empty file", build: fileOf("capture.pcap", nil), code: ExitUsage, wantErr: "empty"},
		{name: "folder of random files", build: randomFolder, code: ExitUsage, wantErr: "unrecognised"},
		{name: "malformed androidqf packages.json", build: demoDamaged("androidqf", "packages.json", half), ran: true, code: ExitAlerts, wantErr: "packages.json", evidence: true},
		{name: "Zeek dns.log with a garbage header", build: demoDamaged("zeek", "dns.log", garbageZeek), ran: true, code: ExitAlerts, wantErr: "dns.log", evidence: true},
		{name: "truncated backup.ab payload", build: truncated(demoCopy("backup.ab"), 0.6), ran: true, code: ExitInconclusive, wantErr: "corrupt or truncated", evidence: true},
		{name: "backup.ab cut before its first file", build: truncated(demoCopy("backup.ab"), 0.03), code: ExitUsage, wantErr: "corrupt or truncated"},
		{name: "corrupt WAL next to sms.db in a dump folder", build: dumpWithBadWAL, ran: true, unseen: true, code: ExitAlerts, evidence: true},
		{name: "iOS backup missing a listed file", build: iosBackupDamaged(smsID(), nil), ran: true, code: ExitAlerts, wantErr: "sms.db", evidence: true},
		{name: "truncated sysdiagnose tar.gz", build: truncated(sysdiagnose, 0.5), code: ExitUsage, wantErr: "corrupt or truncated"},
		{name: "dump folder with a link escaping the root", build: dumpWithEscapingLink, ran: true, code: ExitAlerts, wantErr: "sms.db", evidence: true},
		{name: "androidqf folder with a link escaping the root", build: linkedOut("androidqf", "packages.json"), ran: true, code: ExitAlerts, wantErr: "packages.json", evidence: true},
		{name: "Zeek folder with a link escaping the root", build: linkedOut("zeek", "dns.log"), ran: true, code: ExitAlerts, wantErr: "dns.log", evidence: true},
		{name: "bugreport folder with a link escaping the root", build: bugreportFolderLinkedOut, ran: true, code: ExitInconclusive, wantErr: "adb_keys", evidence: true},
		{name: "androidqf with a truncated nested bugreport.zip", build: demoDamaged("androidqf", "bugreport.zip", half), ran: true, code: ExitAlerts, wantErr: "bugreport.zip", evidence: true},
		{name: "androidqf with a corrupt nested backup.ab", build: demoDamaged("androidqf", "backup.ab", half), ran: true, code: ExitAlerts, wantErr: "backup.ab", evidence: true},
		{name: "corrupt sms.db in an iOS dump tar.gz", build: dumpCorruptSMS, ran: true, code: ExitAlerts, wantErr: "sms.db", evidence: true},
		{name: "truncated dns.log.gz in a Zeek folder", build: zeekTruncatedGz, ran: true, code: ExitAlerts, wantErr: "dns.log.gz", evidence: true},
		{name: "iOS backup wrong password in --password-file", build: iosEncrypted, code: ExitUsage, wantErr: "wrong password",
			flags: func(dir string) []string {
				p := filepath.Join(dir, "pw.txt")
				os.WriteFile(p, []byte("wrong-password\n"), 0o600)
				return []string{"--password-file", p}
			}},
		{name: "clean and bad inputs together", build: cleanAndBad, ran: true, code: ExitInconclusive, wantErr: "corrupt or truncated", evidence: true},
		{name: "good and bad inputs together", build: goodAndBad, ran: true, code: ExitAlerts, wantErr: "bugreport.zip", evidence: true},
	}
}

// checkOneLine: a scan that did not run says why in exactly one stderr line
// that names the file.
func checkOneLine(t *testing.T, stderr, named, want string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		if strings.HasPrefix(l, "spyscan: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasSuffix(stderr, lines[0]+"\n") {
		t.Fatalf("want one final 'spyscan: ' error line, got %q", stderr)
	}
	if !strings.Contains(lines[0], named) || !strings.Contains(lines[0], want) {
		t.Errorf("error line %q does not name %s or lacks %q", lines[0], named, want)
	}
	if n := strings.Count(lines[0], named); n > 1 {
		t.Errorf("error line %q names %s %d times", lines[0], named, n)
	}
}

// checkLogNames: when the scan went on, a log line names the file.
func checkLogNames(t *testing.T, stderr, named string) {
	t.Helper()
	for _, l := range strings.Split(stderr, "\n") {
		// Plain sentences at the default level; key=value with -v.
		warn := strings.HasPrefix(l, "spyscan: warning: ") || strings.HasPrefix(l, "spyscan: error: ") ||
			strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")
		if strings.Contains(l, filepath.Base(named)) && warn {
			return
		}
	}
	t.Errorf("no warning on stderr names %s", named)
}

// checkReport: the failure is in info.json or a module file, and the verdict
// is not a clean one.
func checkReport(t *testing.T, out, named, want string) {
	t.Helper()
	var info struct {
		Inputs   []struct{ Path, Error string } `json:"inputs"`
		Warnings []string                       `json:"indicator_warnings"`
		SelfTest struct{ Problems []string }    `json:"self_test"`
	}
	readJSON(t, filepath.Join(out, "info.json"), &info)
	found := append(info.Warnings, info.SelfTest.Problems...)
	for _, in := range info.Inputs {
		if in.Error != "" {
			found = append(found, in.Error)
		}
	}
	mods, _ := filepath.Glob(filepath.Join(out, "modules", "input*", "*.json"))
	for _, m := range mods {
		var mr struct {
			Status, Reason string
			Errors         []struct{ Path, Error string }
		}
		readJSON(t, m, &mr)
		if mr.Status == "failed" {
			found = append(found, mr.Reason)
		}
		for _, e := range mr.Errors {
			found = append(found, e.Path+": "+e.Error)
		}
	}
	ok := false
	for _, f := range found {
		if strings.Contains(f, filepath.Base(named)) && strings.Contains(f, want) {
			ok = true
		}
	}
	if !ok {
		t.Errorf("failure for %s (%q) not in the report; listed failures: %q", named, want, found)
	}
	var rep struct {
		Verdict string `json:"verdict"`
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || len(b) == 0 {
		t.Errorf("report.html missing: %v", err)
	}
	readJSON(t, filepath.Join(out, "info.json"), &rep)
	if rep.Verdict == "" || rep.Verdict == "no-known-traces" {
		t.Errorf("verdict %q despite an unreadable artifact", rep.Verdict)
	}
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

// snapshot hashes every file under the inputs (content and mtime) and lists
// every name, so new -wal/-shm/-journal files show up too.
func snapshot(t *testing.T, inputs []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, in := range inputs {
		filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			st, err := d.Info()
			if err != nil {
				t.Fatal(err)
			}
			v := st.Mode().String() + " " + st.ModTime().UTC().Format(time.RFC3339Nano)
			if d.Type()&fs.ModeSymlink != 0 { // listed by its target, never followed
				target, err := os.Readlink(p)
				if err != nil {
					t.Fatal(err)
				}
				m[p] = v + " -> " + target
				return nil
			}
			if d.Type().IsRegular() { // a FIFO or device is listed by its mode, never opened
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.Sum256(b)
				v += " " + hex.EncodeToString(h[:])
			}
			m[p] = v
			return nil
		})
	}
	return m
}

// --- builders ---

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileOf(name string, b []byte) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		p := filepath.Join(dir, name)
		write(t, p, b)
		return []string{p}, p
	}
}

// truncated cuts the single file built by b to frac of its size.
func truncated(b func(*testing.T, string) ([]string, string), frac float64) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		ins, named := b(t, dir)
		data, err := os.ReadFile(named)
		if err != nil {
			t.Fatal(err)
		}
		write(t, named, data[:int(float64(len(data))*frac)])
		return ins, named
	}
}

func bugreportZip(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "bugreport.zip")
	write(t, p, androidgen.ZipBytes(androidgen.Files(androiddata.Bugreport(androiddata.Options{})), false))
	return []string{p}, p
}

func androidqfZip(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "androidqf.zip")
	write(t, p, androidgen.ZipBytes(androidgen.Files(androiddata.AndroidQF(androiddata.Options{})), false))
	return []string{p}, p
}

func iosDump(f iosgen.DumpFormat, name string) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(dir, 0o755)
		files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
		if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: f}); err != nil {
			t.Fatal(err)
		}
		return []string{p}, p
	}
}

func demoPcapng(t *testing.T, dir string) ([]string, string) {
	var b bytes.Buffer
	if err := netgen.WriteDemo(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "capture.pcapng")
	write(t, p, b.Bytes())
	return []string{p}, p
}

func smsID() string {
	id := iosgen.FileID("HomeDomain", "Library/SMS/sms.db")
	return filepath.Join(id[:2], id)
}

// iosBackupDamaged writes a plain backup with sms.db and damages one file.
func iosBackupDamaged(rel string, damage func([]byte) []byte) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		p := filepath.Join(dir, "backup")
		files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
		if err := iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: files, Apps: iosgen.DemoApps}); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(p, rel)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if damage == nil {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		} else {
			write(t, f, damage(b))
		}
		named := f
		if rel == smsID() {
			named = "sms.db"
		}
		return []string{p}, named
	}
}

func iosEncrypted(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "backup")
	if err := iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: iosgen.DemoBackupFiles(), Password: "right-password"}); err != nil {
		t.Fatal(err)
	}
	return []string{p}, p
}

func garbagePlist(b []byte) []byte {
	return []byte("<?xml version=\"1.0\"?>\n<plist><dict><key>Unterminated")
}

func garbagePcap() []byte {
	var b bytes.Buffer
	w, err := netgen.NewPcapWriter(&b, 1, false)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		panic(err)
	}
	return append(b.Bytes(), randomBytes(2, 4096)...)
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func corruptABHeader() []byte {
	b := androidgen.Backup(androidgen.BackupContents(), androidgen.BackupOptions{Compressed: true})
	// keep the magic line, break the version, compression and encryption lines
	i := bytes.IndexByte(b, '\n')
	return append(append([]byte{}, b[:i+1]...), append([]byte("99x\n7\nrot13\n"), b[i+1+20:]...)...)
}

func encryptedAB() []byte {
	return androidgen.Backup(androidgen.BackupContents(), androidgen.BackupOptions{Compressed: true, Password: "right-password", Rounds: 10, Seed: "t"})
}

func zipWith(entries map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	add := func(n string, data []byte) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		w.Write(data)
	}
	add("version.txt", []byte("2.0"))
	add("dumpstate_board.txt", []byte("x"))
	add("bugreport-test.txt", androiddata.Dumpstate(androiddata.Options{}))
	for _, n := range names {
		add(n, entries[n])
	}
	zw.Close()
	return b.Bytes()
}

// zipBomb: a bugreport zip with an entry of 8 MB of zeros deflated to a few
// KB that declares an inflated size of 1 TB, a ratio no real bugreport has.
func zipBomb() []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "version.txt", Method: zip.Store})
	w.Write([]byte("2.0"))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "bugreport-test.txt", Method: zip.Store})
	w.Write(androiddata.Dumpstate(androiddata.Options{}))
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	zero := make([]byte, 1<<20)
	crc := crc32.NewIEEE()
	for i := 0; i < 8; i++ {
		fw.Write(zero)
		crc.Write(zero)
	}
	fw.Close()
	rw, _ := zw.CreateRaw(&zip.FileHeader{Name: "FS/data/bomb.bin", Method: zip.Deflate,
		CRC32: crc.Sum32(), CompressedSize64: uint64(z.Len()), UncompressedSize64: 1 << 40})
	io.Copy(rw, &z)
	zw.Close()
	return b.Bytes()
}

func emptyFolder(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "empty")
	os.MkdirAll(p, 0o755)
	return []string{p}, p
}

func randomFolder(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "random")
	for i := 0; i < 5; i++ {
		write(t, filepath.Join(p, fmt.Sprintf("file%d.bin", i)), randomBytes(uint64(i+10), 1000+i*300))
	}
	return []string{p}, p
}

// demoCopy copies one demo input into dir.
func demoCopy(name string) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		dst := filepath.Join(dir, name)
		copyTree(t, filepath.Join("../../demo", name), dst)
		return []string{dst}, dst
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		write(t, filepath.Join(dst, rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// goodAndBad: the demo backup.ab (planted hits) and a truncated bugreport.
func goodAndBad(t *testing.T, dir string) ([]string, string) {
	good, _ := demoCopy("backup.ab")(t, dir)
	bad, named := truncated(bugreportZip, 0.5)(t, dir)
	return append(good, bad...), named
}

func half(b []byte) []byte { return b[:len(b)/2] }

// garbageZeek replaces the #fields line of a Zeek log.
func garbageZeek(b []byte) []byte {
	return bytes.Replace(b, []byte("#fields\t"), []byte("#fie\x00lds\xff\t"), 1)
}

// demoDamaged copies a demo input and damages one file inside it.
func demoDamaged(name, rel string, damage func([]byte) []byte) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		ins, _ := demoCopy(name)(t, dir)
		p := filepath.Join(ins[0], rel)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		write(t, p, damage(b))
		return ins, p
	}
}

// dumpWithBadWAL: an iOS dump folder whose sms.db has a garbage -wal.
func dumpWithBadWAL(t *testing.T, dir string) ([]string, string) {
	ins, _ := iosDump(iosgen.DumpFolder, "dump")(t, dir)
	p := filepath.Join(ins[0], "private/var/mobile/Library/SMS/sms.db-wal")
	write(t, p, randomBytes(3, 8192))
	return ins, "sms.db"
}

func sysdiagnose(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "sysdiagnose_2023.09.12_14-30-00+0200_iPhone-OS_iPhone_20G75.tar.gz")
	os.MkdirAll(dir, 0o755)
	if err := iosgen.WriteSysdiagnose(p, iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz}); err != nil {
		t.Fatal(err)
	}
	return []string{p}, p
}

// dumpWithEscapingLink: an iOS dump folder whose sms.db is a symbolic link
// to a database outside the dump; it must not be read.
func dumpWithEscapingLink(t *testing.T, dir string) ([]string, string) {
	ins, _ := iosDump(iosgen.DumpFolder, "dump")(t, dir)
	p := filepath.Join(ins[0], "private/var/mobile/Library/SMS/sms.db")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "outside.db")
	write(t, outside, b)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, p); err != nil {
		t.Fatal(err)
	}
	return ins, "sms.db"
}

// TestDecryptWrongPassword: `ios decrypt` with a wrong password says so in
// one line and leaves no output folder behind.
func TestDecryptWrongPassword(t *testing.T) {
	isolate(t)
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "wrong-password")
	dir := t.TempDir()
	ins, named := iosEncrypted(t, filepath.Join(dir, "in"))
	before := snapshot(t, ins)
	out := filepath.Join(dir, "decrypted")
	code, stdout, stderr := run(t, "ios", "decrypt", "--output", out, ins[0])
	if code != ExitUsage || stdout != "" {
		t.Errorf("exit %d stdout %q, want 2 and nothing", code, stdout)
	}
	checkOneLine(t, stderr, named, "wrong password")
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder %s left behind", out)
	}
	if fmt.Sprint(before) != fmt.Sprint(snapshot(t, ins)) {
		t.Errorf("evidence changed")
	}
}

// linkedOut copies a demo folder and replaces rel by a symbolic link to a
// copy of it outside the input, which must not be read.
func linkedOut(name, rel string) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		ins, _ := demoCopy(name)(t, dir)
		return linkOut(t, dir, ins[0], rel), filepath.Join(ins[0], rel)
	}
}

// cleanAndBad: a capture without any hit and a truncated bugreport: the
// scan runs, and exits 2 because an input was not read.
func cleanAndBad(t *testing.T, dir string) ([]string, string) {
	var b bytes.Buffer
	w, err := netgen.NewPcapWriter(&b, 1, false)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "clean.pcap")
	write(t, good, b.Bytes())
	bad, named := truncated(bugreportZip, 0.5)(t, dir)
	return append([]string{good}, bad...), named
}

// bugreportFolderLinkedOut: a bugreport folder whose adb_keys is a link to
// a file outside it.
func bugreportFolderLinkedOut(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "bugreport")
	if err := androidgen.WriteFolder(p, androidgen.Files(androiddata.Bugreport(androiddata.Options{}))); err != nil {
		t.Fatal(err)
	}
	return linkOut(t, dir, p, "FS/data/misc/adb/adb_keys"), filepath.Join(p, "FS/data/misc/adb/adb_keys")
}

// linkOut moves rel (inside in) out of the input and leaves a symbolic
// link to it in its place.
func linkOut(t *testing.T, dir, in, rel string) []string {
	t.Helper()
	p := filepath.Join(in, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "outside-"+filepath.Base(rel))
	write(t, outside, b)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, p); err != nil {
		t.Fatal(err)
	}
	return []string{in}
}

// dumpCorruptSMS: an iOS dump .tar.gz whose sms.db is corrupt.
func dumpCorruptSMS(t *testing.T, dir string) ([]string, string) {
	p := filepath.Join(dir, "dump.tar.gz")
	os.MkdirAll(dir, 0o755)
	files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
	for i := range files {
		if strings.HasSuffix(files[i].Path, "/sms.db") {
			files[i].Data = iosdata.Corrupt(files[i].Data)
		}
	}
	if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: iosgen.DumpTarGz}); err != nil {
		t.Fatal(err)
	}
	return []string{p}, "sms.db"
}

// zeekTruncatedGz: the demo Zeek folder with its dns.log gzipped and cut.
func zeekTruncatedGz(t *testing.T, dir string) ([]string, string) {
	ins, _ := demoCopy("zeek")(t, dir)
	p := filepath.Join(ins[0], "dns.log")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	os.Remove(p)
	write(t, p+".gz", z.Bytes()[:z.Len()/2])
	return ins, p + ".gz"
}
