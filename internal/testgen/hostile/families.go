package hostile

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// archives: entries that are not files (devices, FIFOs), names that
// escape or hide (.., absolute, NUL), links out of the archive, and an
// inflation bomb.
func archives(string) []Case {
	special := func(name string, data []byte) Case {
		return Case{Name: name, Class: "archive-entry", build: fileOf(archiveName(name), data), Code: ExitTraces, Ran: true, Err: "not a regular file",
			named: "sms.db"}
	}
	refused := func(name, entry, err string) Case {
		return Case{Name: name, Class: "archive-name", build: fileOf("dump.zip", DumpZipNamed(entry)), Code: ExitError, Err: err}
	}
	return []Case{
		special("char device in a dump tar", DumpTarSpecial(tar.TypeChar, false)),
		special("block device in a dump tar", DumpTarSpecial(tar.TypeBlock, false)),
		special("fifo in a dump tar", DumpTarSpecial(tar.TypeFifo, false)),
		special("char device in a dump tar.gz", DumpTarSpecial(tar.TypeChar, true)),
		special("fifo in a dump tar.gz", DumpTarSpecial(tar.TypeFifo, true)),
		special("fifo in a dump zip", DumpZipSpecial(fs.ModeNamedPipe)),
		special("char device in a dump zip", DumpZipSpecial(fs.ModeDevice|fs.ModeCharDevice)),
		special("socket in a dump zip", DumpZipSpecial(fs.ModeSocket)),
		refused("NUL in a dump zip entry name", "private/var/mobile/evil\x00.db", "NUL"),
		refused("dump zip entry climbing out with ..", "../../evil.db", "../../evil.db"),
		refused("dump zip entry climbing out inside its path", "private/var/../../../evil.db", "evil.db"),
		{Name: "dump tar whose sms.db links above the archive's root", Class: "archive-link", Code: ExitError, Err: "escapes the root",
			build: fileOf("dump.tar", dumpTarLinked("../../../../../../../etc/passwd"))},
		// an absolute target is the device's path: it is looked up inside
		// the archive (where it is missing), never on the examiner's disk
		{Name: "dump tar whose sms.db is an absolute link", Class: "archive-link", Code: ExitTraces, Ran: true, Unseen: true,
			build: fileOf("dump.tar", dumpTarLinked("/etc/passwd"))},
		{Name: "dump tar.gz inflating past the ratio limit", Class: "archive-inflation", Code: ExitError, Err: "decompression bomb",
			build: fileOf("dump.tar.gz", DumpTarGzBomb(300<<20))},
	}
}

func archiveName(caseName string) string {
	for _, ext := range []string{"tar.gz", "tar", "zip"} {
		if strings.HasSuffix(caseName, " "+ext) {
			return "dump." + ext
		}
	}
	panic("no archive kind in " + caseName)
}

// dumpTarLinked is the small dump .tar with sms.db a symbolic link to target.
func dumpTarLinked(target string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range dumpFiles() {
		h := &tar.Header{Name: f.Path, Mode: 0o644, ModTime: modTime, Typeflag: tar.TypeReg, Size: int64(len(f.Data))}
		if f.Path == SMSPath {
			h.Typeflag, h.Size, h.Linkname = tar.TypeSymlink, 0, target
		}
		must(tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write(f.Data)
			must(err)
		}
	}
	must(tw.Close())
	return b.Bytes()
}

// links: files and folders of evidence folders that are symbolic links
// out of the evidence; they are listed, never followed.
func links(demo string) []Case {
	c := func(name string, b builder) Case {
		return Case{Name: name, Class: "link", build: b, Code: ExitTraces, Ran: true}
	}
	cs := []Case{
		c("dump folder with sms.db linked out of the root", dumpWithEscapingLink),
		c("dump folder with sms.db linked to /dev/zero", dumpLinkedTo("/dev/zero")),
		c("dump folder with sms.db in a link loop", dumpLinkLoop),
		c("androidqf folder with packages.json linked out", linkedOut(demo, "androidqf", "packages.json")),
		c("androidqf folder with files.json linked out", linkedOut(demo, "androidqf", "files.json")),
		c("Zeek folder with dns.log linked out", linkedOut(demo, "zeek", "dns.log")),
		c("iOS backup with sms.db linked out", backupLinkedOut(false)),
		c("iOS backup with the folder of sms.db linked out", backupLinkedOut(true)),
		// exit 3 before: the folder was split apart (its main_entry.txt read
		// as a DNS list, its FS/ not read), so its planted traces went unseen
		{Name: "bugreport folder with adb_keys linked out", Class: "link", build: bugreportFolderLinkedOut, Code: ExitTraces, Ran: true, Err: "adb_keys"},
	}
	for i := range cs {
		if cs[i].Err == "" {
			cs[i].Err = "outside the evidence"
		}
	}
	cs[1].Err, cs[2].Err = "", "" // a link to a device or a loop: listed, whatever the reason given
	return cs
}

// dumpWithEscapingLink: an iOS dump folder whose sms.db is a symbolic link
// to a database outside the dump.
func dumpWithEscapingLink(dir string) ([]string, string) {
	ins, _ := iosDump(iosgen.DumpFolder, "dump")(dir)
	linkOut(dir, ins[0], SMSPath)
	return ins, "sms.db"
}

func dumpLinkedTo(target string) builder {
	return func(dir string) ([]string, string) {
		ins, _ := iosDump(iosgen.DumpFolder, "dump")(dir)
		p := filepath.Join(ins[0], filepath.FromSlash(SMSPath))
		check(os.Remove(p))
		check(os.Symlink(target, p))
		return ins, "sms.db"
	}
}

func dumpLinkLoop(dir string) ([]string, string) {
	ins, _ := iosDump(iosgen.DumpFolder, "dump")(dir)
	p := filepath.Join(ins[0], filepath.FromSlash(SMSPath))
	check(os.Remove(p))
	check(os.Symlink("sms2.db", p))
	check(os.Symlink("sms.db", filepath.Join(filepath.Dir(p), "sms2.db")))
	return ins, "sms.db"
}

// linkedOut copies a demo folder and replaces rel by a symbolic link to a
// copy of it outside the input.
func linkedOut(demo, name, rel string) builder {
	return func(dir string) ([]string, string) {
		ins, _ := demoCopy(demo, name)(dir)
		linkOut(dir, ins[0], rel)
		return ins, filepath.Join(ins[0], rel)
	}
}

// bugreportFolderLinkedOut: a bugreport folder whose adb_keys is a link to
// a file outside it.
func bugreportFolderLinkedOut(dir string) ([]string, string) {
	p := filepath.Join(dir, "bugreport")
	check(androidgen.WriteFolder(p, androidgen.Files(androiddata.Bugreport(androiddata.Options{}))))
	rel := "FS/data/misc/adb/adb_keys"
	linkOut(dir, p, rel)
	return []string{p}, filepath.Join(p, rel)
}

// backupLinkedOut: a backup of the demo files and sms.db whose sms.db (or
// its whole folder) is moved out of the backup and linked to.
func backupLinkedOut(folder bool) builder {
	return func(dir string) ([]string, string) {
		ins, _ := iosBackupDamaged("Info.plist", func(b []byte) []byte { return b })(dir)
		link := filepath.Join(ins[0], SMSID())
		if folder {
			link = filepath.Dir(link)
		}
		outside := filepath.Join(dir, "outside")
		check(os.Rename(link, outside))
		check(os.Symlink(outside, link))
		return ins, "sms.db"
	}
}

// linkOut moves rel (inside in) out of the input and leaves a symbolic
// link to it in its place.
func linkOut(dir, in, rel string) {
	p := filepath.Join(in, filepath.FromSlash(rel))
	outside := filepath.Join(dir, "outside-"+filepath.Base(rel))
	check(os.Rename(p, outside))
	check(os.Symlink(outside, p))
}

// passwords: password files that are not password files.
func passwords(string) []Case {
	pwFile := func(name string, data []byte) Case {
		return Case{Name: name, Class: "password-file", Code: ExitError, Err: "not a password file",
			build: func(dir string) ([]string, string) {
				ins, _ := iosEncrypted(dir)
				return ins, filepath.Join(dir, "pw.txt")
			},
			Flags: func(dir string) []string {
				p := filepath.Join(dir, "pw.txt")
				writeFile(p, data)
				return []string{"--password-file", p}
			}}
	}
	cs := []Case{
		pwFile("password file one byte over the limit", bytes.Repeat([]byte("p"), MaxPasswordFile+1)),
		pwFile("password file of 1 MiB", bytes.Repeat([]byte("p"), 1<<20)),
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cs = append(cs, Case{Name: "password file /dev/zero", Class: "password-file", Code: ExitError, Err: "not a password file", named: "/dev/zero",
			build: iosEncrypted, Flags: func(string) []string { return []string{"--password-file", "/dev/zero"} }})
	}
	return cs
}

// MaxPasswordFile mirrors the CLI's limit on --password-file (the test
// checks the two agree).
const MaxPasswordFile = 4096

// network: captures and logs with lengths and nesting no real one has.
func network(string) []Case {
	c := func(name, file string, data []byte, code int, err string) Case {
		return Case{Name: name, Class: "network", build: fileOf(file, data), Code: code, Ran: code != ExitError, Err: err}
	}
	return []Case{
		c("pcap record claiming 4 GiB", "capture.pcap", pcapHugeRecord(0xFFFFFFF0), ExitInconclusive, ""),
		c("pcap record longer than the snapshot length", "capture.pcap", pcapHugeRecord(70000), ExitInconclusive, ""),
		c("pcapng block claiming 4 GiB", "capture.pcapng", pcapngHugeBlock(), ExitInconclusive, ""),
		c("pcap of an unknown link type", "capture.pcap", pcapLinkType(CleanCapture(), 0xBEEF), ExitInconclusive, ""),
		c("eve.json line nested 100000 deep", "eve.json", eveNested(100_000), ExitInconclusive, "eve.json"),
		c("eve.json line of 2 MiB", "eve.json", eveLong(2<<20), ExitInconclusive, "eve.json"),
		c("Zeek dns.log line of 1 MiB", "dns.log", zeekLong(1<<20), ExitInconclusive, "dns.log"),
		c("pcapng of random bytes after its section header", "capture.pcapng", append(pcapngHugeBlock()[:48], RandomBytes(8, 4096)...), ExitInconclusive, ""),
		c("eve.json with NUL bytes and invalid UTF-8", "eve.json", []byte("{\"timestamp\":\"2024-03-01T10:00:00.000000+0000\",\"event_type\":\"dns\",\"dns\":{\"rrname\":\"a\x00\xff.example\"}}\n\x00\x00\xff\xfe\n"), ExitInconclusive, "eve.json"),
	}
}

// pcapHugeRecord is the clean capture followed by a record header whose
// captured length is n, and a few bytes.
func pcapHugeRecord(n uint32) []byte {
	b := bytes.Clone(CleanCapture())
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], 1709287300)
	binary.LittleEndian.PutUint32(h[8:], n)
	binary.LittleEndian.PutUint32(h[12:], n)
	return append(append(b, h[:]...), RandomBytes(4, 512)...)
}

// pcapLinkType sets a pcap's link type.
func pcapLinkType(b []byte, lt uint32) []byte {
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[20:], lt)
	return b
}

// pcapngHugeBlock is a section header block and an interface description,
// then an enhanced packet block whose total length claims 4 GiB.
func pcapngHugeBlock() []byte {
	var b []byte
	le := binary.LittleEndian
	shb := []byte{}
	shb = le.AppendUint32(shb, 0x0A0D0D0A)
	shb = le.AppendUint32(shb, 28)
	shb = le.AppendUint32(shb, 0x1A2B3C4D)
	shb = le.AppendUint16(shb, 1)
	shb = le.AppendUint16(shb, 0)
	shb = le.AppendUint64(shb, 0xFFFFFFFFFFFFFFFF)
	shb = le.AppendUint32(shb, 28)
	b = append(b, shb...)
	idb := []byte{}
	idb = le.AppendUint32(idb, 1)
	idb = le.AppendUint32(idb, 20)
	idb = le.AppendUint16(idb, 1)
	idb = le.AppendUint16(idb, 0)
	idb = le.AppendUint32(idb, 65535)
	idb = le.AppendUint32(idb, 20)
	b = append(b, idb...)
	b = le.AppendUint32(b, 6)
	b = le.AppendUint32(b, 0xFFFFFFF0)
	return append(b, RandomBytes(5, 512)...)
}

func eveNested(depth int) []byte {
	line := `{"timestamp":"2024-03-01T10:00:00.000000+0000","event_type":"dns","x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "}\n"
	return []byte(line)
}

func eveLong(n int) []byte {
	return []byte(`{"timestamp":"2024-03-01T10:00:00.000000+0000","event_type":"dns","x":"` + strings.Repeat("a", n) + "\"}\n")
}

func zeekLong(n int) []byte {
	head := "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tquery\n#types\ttime\tstring\taddr\tstring\n"
	return []byte(head + "1709287200.0\tCx\t192.168.1.20\t" + strings.Repeat("a", n) + "\n")
}

// android: Android acquisitions with hostile content.
func android(string) []Case {
	qf := func(name, file string, data []byte, code int, err string) Case {
		return Case{Name: name, Class: "android", Code: code, Ran: true, Err: err, build: androidqfWith(file, data)}
	}
	return []Case{
		qf("androidqf packages.json nested 100000 deep", "packages.json", deep(100_000), ExitTraces, "packages.json"),
		qf("androidqf files.json nested 100000 deep", "files.json", deep(100_000), ExitTraces, "files.json"),
		qf("androidqf mounts.json nested 100000 deep", "mounts.json", deep(100_000), ExitTraces, "mounts.json"),
		qf("androidqf root_binaries.json nested 100000 deep", "root_binaries.json", deep(100_000), ExitTraces, "root_binaries.json"),
		qf("androidqf packages.json of random bytes", "packages.json", RandomBytes(6, 8192), ExitTraces, "packages.json"),
		qf("androidqf files.json of random bytes", "files.json", RandomBytes(7, 8192), ExitTraces, "files.json"),
		{Name: "backup.ab holding a ../ entry", Class: "android", build: fileOf("backup.ab", abWith("../../evil.txt")), Code: ExitError, Err: `escapes the root or is too large: entry "../../evil.txt"`},
		{Name: "backup.ab holding an absolute entry", Class: "android", build: fileOf("backup.ab", abWith("/etc/evil.txt")), Code: ExitError, Err: `escapes the root or is too large: entry "/etc/evil.txt"`},
	}
}

// androidqfWith is an androidqf folder whose file is data.
func androidqfWith(file string, data []byte) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, "androidqf")
		m := androiddata.AndroidQF(androiddata.Options{})
		m[file] = data
		check(androidgen.WriteQFFolder(p, androidgen.Files(m)))
		return []string{p}, filepath.Join(p, file)
	}
}

// deep is n nested JSON arrays.
func deep(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }

// abWith is a backup.ab of the usual contents plus an entry named name.
func abWith(name string) []byte {
	files := append(androidgen.BackupContents(), androidgen.File{Path: name, Data: []byte("x")})
	return androidgen.Backup(files, androidgen.BackupOptions{Compressed: true})
}
