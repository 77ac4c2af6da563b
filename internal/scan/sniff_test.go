package scan

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// writeZip writes a zip holding files (name → content) at dir/name.
func writeZip(t *testing.T, dir, name string, files [][2]string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range files {
		w, err := zw.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	pcapng := "\x0a\x0d\x0d\x0a\x1c\x00\x00\x00"
	many := [][2]string{}
	for i := range 8 {
		many = append(many, [2]string{"f" + strconv.Itoa(i) + ".txt", "x"})
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope"), "a missing path"},
		{"empty folder", filepath.Join(dir, "empty"), "an empty folder"},
		{"empty file", file("e.bin", ""), "an empty file"},
		{"text", file("notes.md", "# notes\n"), "a text file (.md) of an unknown format"},
		{"binary", file("x.bin", "\x00\x01\x02"), "a binary file of an unknown format"},
		{"capture", file("c.pcapng", pcapng), "a pcapng capture"},
		{"PowerShell redirect", file("dumpsys.txt", "\xff\xfeD\x00U\x00M\x00P\x00"), utf16Desc},
		{"zip of acquisitions", writeZip(t, dir, "case.zip", [][2]string{{"case/capture.pcapng", pcapng}, {"case/backup.ab", "ANDROID BACKUP\n5\n"}, {"case/bugreport.zip", "PK\x03\x04"}, {"case/logs/dns.log", "#separator \\x09\n"}}),
			"a zip archive without a known layout, holding backup.ab (an Android backup), bugreport.zip (a zip archive), capture.pcapng (a pcapng capture), logs (a folder); none of them is an acquisition spyscan recognises (a zip of acquisitions is unpacked and each is scanned)"},
		{"zip of many files", writeZip(t, dir, "many.zip", many),
			"a zip archive without a known layout, holding f0.txt (a text file (.txt) of an unknown format), f1.txt (a text file (.txt) of an unknown format), f2.txt (a text file (.txt) of an unknown format), f3.txt (a text file (.txt) of an unknown format), f4.txt (a text file (.txt) of an unknown format), f5.txt (a text file (.txt) of an unknown format), and 2 more entries; none of them is an acquisition spyscan recognises (a zip of acquisitions is unpacked and each is scanned)"},
		{"damaged zip", file("bad.zip", "PK\x03\x04 cut short"), "a zip archive without a known layout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff(tc.path); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
