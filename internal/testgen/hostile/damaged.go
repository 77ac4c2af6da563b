package hostile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// builder writes inputs under a folder and returns them with the file the
// error must name.
type builder = func(dir string) ([]string, string)

// Password is the password of the encrypted inputs generated here.
const Password = "right-password"

// damagedInputs are damaged, truncated, wrongly protected and unsafe
// acquisitions of every input kind (the cases of the first bad-input test).
func damagedInputs(demo string) []Case {
	pw := func(p string) map[string]string { return map[string]string{"SPYSCAN_BACKUP_PASSWORD": p} }
	dc := func(name string) builder { return demoCopy(demo, name) }
	dd := func(name, rel string, damage func([]byte) []byte) builder {
		return demoDamaged(demo, name, rel, damage)
	}
	c := func(name string, b builder, code int, ran bool, err string) Case {
		return Case{Name: name, Class: "damaged", build: b, Code: code, Ran: ran, Err: err}
	}
	cs := []Case{
		c("truncated bugreport zip", truncated(bugreportZip, 0.5), ExitError, false, "corrupt or truncated"),
		c("truncated androidqf zip", truncated(androidqfZip, 0.5), ExitError, false, "corrupt or truncated"),
		c("truncated iOS dump zip", truncated(iosDump(iosgen.DumpZip, "dump.zip"), 0.5), ExitError, false, "corrupt or truncated"),
		c("truncated iOS dump tar.gz", truncated(iosDump(iosgen.DumpTarGz, "dump.tar.gz"), 0.6), ExitError, false, "corrupt or truncated"),
		c("corrupt Manifest.db", iosBackupDamaged("Manifest.db", iosdata.Corrupt), ExitError, false, "Manifest.db"),
		c("corrupt sms.db in an iOS backup", iosBackupDamaged(SMSID(), iosdata.Corrupt), ExitTraces, true, "sms"),
		c("malformed Info.plist", iosBackupDamaged("Info.plist", garbagePlist), ExitTraces, true, "Info.plist"),
		c("malformed Manifest.plist", iosBackupDamaged("Manifest.plist", garbagePlist), ExitError, false, "Manifest.plist"),
		{Name: "malformed STIX with --iocs", Class: "indicators", build: dc("backup.ab"), named: "bad.stix2", Code: ExitTraces, Ran: true, Err: "not a STIX bundle",
			Flags: func(dir string) []string {
				p := filepath.Join(dir, "bad.stix2")
				writeFile(p, []byte(`{"type": "bundle", "objects": [{"type": "indicator", "pattern": "[domain-name:value = `))
				return []string{"--iocs", p}
			}},
		c("garbage pcap", fileOf("capture.pcap", GarbagePcap()), ExitInconclusive, true, "capture.pcap"),
		c("wrong magic pcap", fileOf("capture.pcap", RandomBytes(1, 4096)), ExitError, false, "capture.pcap"),
		c("truncated pcapng", truncated(demoPcapng, 0.6), ExitTraces, true, "capture.pcapng"),
		c("backup.ab corrupt header", fileOf("backup.ab", corruptABHeader()), ExitError, false, "backup.ab"),
		{Name: "iOS backup wrong password", Class: "password", build: iosEncrypted, Env: pw("wrong-password"), Code: ExitError, Err: "password"},
		{Name: "iOS backup no password", Class: "password", build: iosEncrypted, Env: pw(""), Code: ExitError, Err: "SPYSCAN_BACKUP_PASSWORD"},
		{Name: "backup.ab wrong password", Class: "password", build: fileOf("backup.ab", encryptedAB()), Env: pw("wrong-password"), Code: ExitError, Err: "password"},
		{Name: "backup.ab no password", Class: "password", build: fileOf("backup.ab", encryptedAB()), Env: pw(""), Code: ExitError, Err: "SPYSCAN_BACKUP_PASSWORD"},
		c("zip with ../ entry", fileOf("bugreport.zip", bugreportZipWith(map[string][]byte{"../evil.txt": []byte("x")})), ExitError, false, "../evil.txt"),
		c("zip bomb", fileOf("bugreport.zip", zipBomb()), ExitError, false, "inflates"),
		c("empty folder", emptyFolder, ExitError, false, "empty"),
		c("empty file", fileOf("capture.pcap", nil), ExitError, false, "empty"),
		c("folder of random files", randomFolder, ExitError, false, "unrecognised"),
		c("malformed androidqf packages.json", dd("androidqf", "packages.json", half), ExitTraces, true, "packages.json"),
		c("Zeek dns.log with a garbage header", dd("zeek", "dns.log", garbageZeek), ExitTraces, true, "dns.log"),
		c("truncated backup.ab payload", truncated(dc("backup.ab"), 0.6), ExitInconclusive, true, "corrupt or truncated"),
		c("backup.ab cut before its first file", truncated(dc("backup.ab"), 0.03), ExitError, false, "corrupt or truncated"),
		{Name: "corrupt WAL next to sms.db in a dump folder", Class: "damaged", build: dumpWithBadWAL, Code: ExitTraces, Ran: true, Unseen: true},
		c("iOS backup missing a listed file", iosBackupDamaged(SMSID(), nil), ExitTraces, true, "sms.db"),
		c("truncated sysdiagnose tar.gz", truncated(sysdiagnose, 0.5), ExitError, false, "corrupt or truncated"),
		c("androidqf with a truncated nested bugreport.zip", dd("androidqf", "bugreport.zip", half), ExitTraces, true, "bugreport.zip"),
		c("androidqf with a corrupt nested backup.ab", dd("androidqf", "backup.ab", half), ExitTraces, true, "backup.ab"),
		c("corrupt sms.db in an iOS dump tar.gz", dumpCorruptSMS, ExitTraces, true, "sms.db"),
		c("truncated dns.log.gz in a Zeek folder", zeekTruncatedGz(demo), ExitTraces, true, "dns.log.gz"),
		{Name: "iOS backup wrong password in --password-file", Class: "password", build: iosEncrypted, Code: ExitError, Err: "wrong password",
			Flags: func(dir string) []string {
				p := filepath.Join(dir, "pw.txt")
				writeFile(p, []byte("wrong-password\n"))
				return []string{"--password-file", p}
			}},
		c("clean and bad inputs together", cleanAndBad, ExitInconclusive, true, "corrupt or truncated"),
		c("good and bad inputs together", goodAndBad(demo), ExitTraces, true, "bugreport.zip"),
	}
	// Every kind of archive or capture cut at several points: a zip loses
	// its central directory (refused); a stream keeps what came before the
	// cut, and the cut is listed.
	for _, frac := range []float64{0.1, 0.3, 0.8, 0.95} {
		pct := fmt.Sprintf("%d%%", int(frac*100))
		cs = append(cs,
			c("bugreport zip cut at "+pct, truncated(bugreportZip, frac), ExitError, false, "corrupt or truncated"),
			c("androidqf zip cut at "+pct, truncated(androidqfZip, frac), ExitError, false, "corrupt or truncated"),
			c("iOS dump zip cut at "+pct, truncated(iosDump(iosgen.DumpZip, "dump.zip"), frac), ExitError, false, "corrupt or truncated"),
		)
	}
	return cs
}

func fileOf(name string, b []byte) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, name)
		writeFile(p, b)
		return []string{p}, p
	}
}

// truncated cuts the single file built by b to frac of its size.
func truncated(b builder, frac float64) builder {
	return func(dir string) ([]string, string) {
		ins, named := b(dir)
		data := readFile(named)
		writeFile(named, data[:int(float64(len(data))*frac)])
		return ins, named
	}
}

func bugreportZip(dir string) ([]string, string) {
	p := filepath.Join(dir, "bugreport.zip")
	writeFile(p, androidgen.ZipBytes(androidgen.Files(androiddata.Bugreport(androiddata.Options{})), false))
	return []string{p}, p
}

func androidqfZip(dir string) ([]string, string) {
	p := filepath.Join(dir, "androidqf.zip")
	writeFile(p, androidgen.ZipBytes(androidgen.Files(androiddata.AndroidQF(androiddata.Options{})), false))
	return []string{p}, p
}

func iosDump(f iosgen.DumpFormat, name string) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, name)
		files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
		check(iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: f}))
		return []string{p}, p
	}
}

func demoPcapng(dir string) ([]string, string) {
	var b bytes.Buffer
	check(netgen.WriteDemo(&b))
	p := filepath.Join(dir, "capture.pcapng")
	writeFile(p, b.Bytes())
	return []string{p}, p
}

// SMSID is sms.db's stored path in a backup.
func SMSID() string {
	id := iosgen.FileID("HomeDomain", "Library/SMS/sms.db")
	return filepath.Join(id[:2], id)
}

// iosBackupDamaged writes a plain backup with sms.db and damages one file
// (damage nil: removes it).
func iosBackupDamaged(rel string, damage func([]byte) []byte) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, "backup")
		files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
		check(iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: files, Apps: iosgen.DemoApps}))
		f := filepath.Join(p, rel)
		b := readFile(f)
		if damage == nil {
			check(os.Remove(f))
		} else {
			writeFile(f, damage(b))
		}
		named := f
		if rel == SMSID() {
			named = "sms.db"
		}
		return []string{p}, named
	}
}

// EncryptedBackup writes an encrypted backup of the demo files (password
// Password) in dir/backup and returns its path.
func EncryptedBackup(dir string) (string, error) {
	p := filepath.Join(dir, "backup")
	return p, iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: iosgen.DemoBackupFiles(), Password: Password})
}

func iosEncrypted(dir string) ([]string, string) {
	p, err := EncryptedBackup(dir)
	check(err)
	return []string{p}, p
}

func garbagePlist([]byte) []byte {
	return []byte("<?xml version=\"1.0\"?>\n<plist><dict><key>Unterminated")
}

// GarbagePcap is a valid pcap header followed by random bytes.
func GarbagePcap() []byte {
	var b bytes.Buffer
	w, err := netgen.NewPcapWriter(&b, 1, false)
	if err == nil {
		err = w.Flush()
	}
	must(err)
	return append(b.Bytes(), RandomBytes(2, 4096)...)
}

// RandomBytes returns n reproducible random bytes.
func RandomBytes(seed uint64, n int) []byte {
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
	return androidgen.Backup(androidgen.BackupContents(), androidgen.BackupOptions{Compressed: true, Password: Password, Rounds: 10, Seed: "t"})
}

// bugreportZipWith is a small bugreport zip with more entries.
func bugreportZipWith(entries map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	add := func(n string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		must(err)
		_, err = w.Write(data)
		must(err)
	}
	add("version.txt", []byte("2.0"))
	add("dumpstate_board.txt", []byte("x"))
	add("bugreport-test.txt", androiddata.Dumpstate(androiddata.Options{}))
	for _, n := range names {
		add(n, entries[n])
	}
	must(zw.Close())
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
	rw, err := zw.CreateRaw(&zip.FileHeader{Name: "FS/data/bomb.bin", Method: zip.Deflate,
		CRC32: crc.Sum32(), CompressedSize64: uint64(z.Len()), UncompressedSize64: 1 << 40})
	must(err)
	_, err = io.Copy(rw, &z)
	must(err)
	must(zw.Close())
	return b.Bytes()
}

func emptyFolder(dir string) ([]string, string) {
	p := filepath.Join(dir, "empty")
	check(os.MkdirAll(p, 0o755))
	return []string{p}, p
}

func randomFolder(dir string) ([]string, string) {
	p := filepath.Join(dir, "random")
	for i := 0; i < 5; i++ {
		writeFile(filepath.Join(p, fmt.Sprintf("file%d.bin", i)), RandomBytes(uint64(i+10), 1000+i*300))
	}
	return []string{p}, p
}

// demoCopy copies one demo input into dir.
func demoCopy(demo, name string) builder {
	return func(dir string) ([]string, string) {
		dst := filepath.Join(dir, name)
		copyTree(filepath.Join(demo, name), dst)
		return []string{dst}, dst
	}
}

func copyTree(src, dst string) {
	check(filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		writeFile(filepath.Join(dst, rel), readFile(p))
		return nil
	}))
}

// goodAndBad: the demo backup.ab (planted hits) and a truncated bugreport.
func goodAndBad(demo string) builder {
	return func(dir string) ([]string, string) {
		good, _ := demoCopy(demo, "backup.ab")(dir)
		bad, named := truncated(bugreportZip, 0.5)(dir)
		return append(good, bad...), named
	}
}

func half(b []byte) []byte { return b[:len(b)/2] }

// garbageZeek replaces the #fields line of a Zeek log.
func garbageZeek(b []byte) []byte {
	return bytes.Replace(b, []byte("#fields\t"), []byte("#fie\x00lds\xff\t"), 1)
}

// demoDamaged copies a demo input and damages one file inside it.
func demoDamaged(demo, name, rel string, damage func([]byte) []byte) builder {
	return func(dir string) ([]string, string) {
		ins, _ := demoCopy(demo, name)(dir)
		p := filepath.Join(ins[0], rel)
		writeFile(p, damage(readFile(p)))
		return ins, p
	}
}

// dumpWithBadWAL: an iOS dump folder whose sms.db has a garbage -wal.
func dumpWithBadWAL(dir string) ([]string, string) {
	ins, _ := iosDump(iosgen.DumpFolder, "dump")(dir)
	writeFile(filepath.Join(ins[0], SMSPath+"-wal"), RandomBytes(3, 8192))
	return ins, "sms.db"
}

func sysdiagnose(dir string) ([]string, string) {
	p := filepath.Join(dir, "sysdiagnose_2023.09.12_14-30-00+0200_iPhone-OS_iPhone_20G75.tar.gz")
	check(iosgen.WriteSysdiagnose(p, iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz}))
	return []string{p}, p
}

// cleanAndBad: a capture without any hit and a truncated bugreport: the
// scan runs, and is inconclusive because an input was not read.
func cleanAndBad(dir string) ([]string, string) {
	good := filepath.Join(dir, "clean.pcap")
	writeFile(good, CleanCapture())
	bad, named := truncated(bugreportZip, 0.5)(dir)
	return append([]string{good}, bad...), named
}

// dumpCorruptSMS: an iOS dump .tar.gz whose sms.db is corrupt.
func dumpCorruptSMS(dir string) ([]string, string) {
	p := filepath.Join(dir, "dump.tar.gz")
	files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
	for i := range files {
		if strings.HasSuffix(files[i].Path, "/sms.db") {
			files[i].Data = iosdata.Corrupt(files[i].Data)
		}
	}
	check(iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: iosgen.DumpTarGz}))
	return []string{p}, "sms.db"
}

// zeekTruncatedGz: the demo Zeek folder with its dns.log gzipped and cut.
func zeekTruncatedGz(demo string) builder {
	return func(dir string) ([]string, string) {
		ins, _ := demoCopy(demo, "zeek")(dir)
		p := filepath.Join(ins[0], "dns.log")
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, err := zw.Write(readFile(p))
		must(err)
		must(zw.Close())
		check(os.Remove(p))
		writeFile(p+".gz", z.Bytes()[:z.Len()/2])
		return ins, p + ".gz"
	}
}
