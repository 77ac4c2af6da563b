package scan

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/safearchive"
)

// Sniff gives a short human description of what an unrecognised input looks
// like, for the "unsupported or unrecognised input" error.
func Sniff(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "a missing path"
	}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return "an unreadable folder"
		}
		if len(entries) == 0 {
			return "an empty folder"
		}
		return "a folder of " + plural(len(entries), "entry", "entries") + " with no known acquisition layout"
	}
	f, err := os.Open(path)
	if err != nil {
		return "an unreadable file"
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := f.Read(head)
	head = head[:n]
	desc := looksLike(head, filepath.Ext(path))
	if desc == zipDesc { // a zip that cannot be opened stays zipDesc (archiveProblem)
		desc += zipContents(path)
	}
	return desc
}

// looksLike says what a file whose first bytes are head looks like.
func looksLike(head []byte, ext string) string {
	for _, m := range magics {
		if bytes.HasPrefix(head, m.prefix) {
			return m.desc
		}
	}
	if len(head) == 0 {
		return "an empty file"
	}
	if isText(head) {
		return "a text file (" + ext + ") of an unknown format"
	}
	return "a binary file of an unknown format"
}

// maxListed bounds the entries a zip's description names.
const maxListed = 6

// zipContents names what an unrecognised zip holds, at its top (or inside
// its one top folder). The scan unpacks a zip holding acquisitions
// (unpackArchive), so the description is read only for one that holds
// none.
func zipContents(p string) string {
	z, err := safearchive.Open(p, safearchive.DefaultLimits)
	if err != nil {
		return ""
	}
	defer z.Close()
	dir := "."
	ents, err := fs.ReadDir(z, dir)
	if err == nil && len(ents) == 1 && ents[0].IsDir() {
		dir = ents[0].Name()
		ents, err = fs.ReadDir(z, dir)
	}
	if err != nil || len(ents) == 0 {
		return ""
	}
	var parts []string
	for i, e := range ents {
		if i == maxListed {
			parts = append(parts, "and "+plural(len(ents)-maxListed, "more entry", "more entries"))
			break
		}
		parts = append(parts, e.Name()+" ("+memberDesc(z, path.Join(dir, e.Name()), e)+")")
	}
	return ", holding " + strings.Join(parts, ", ") + "; none of them is an acquisition spyscan recognises (a zip of acquisitions is unpacked and each is scanned)"
}

// memberDesc says what one entry of a zip looks like.
func memberDesc(z fs.FS, name string, e fs.DirEntry) string {
	if e.IsDir() {
		return "a folder"
	}
	f, err := z.Open(name)
	if err != nil {
		return "unreadable"
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if d := looksLike(head[:n], path.Ext(name)); d != zipDesc {
		return d
	}
	return "a zip archive"
}

const (
	utf16Desc = "a UTF-16 text file, as Windows PowerShell's > writes it; spyscan reads UTF-8 text: save it again with " +
		"| Out-File -Encoding utf8 (or run the command in cmd.exe)"
	zipDesc  = "a zip archive without a known layout"
	gzipDesc = "a gzip file without a known layout"
)

var magics = []struct {
	prefix []byte
	desc   string
}{
	{[]byte("PK\x03\x04"), zipDesc},
	{[]byte("\x1f\x8b"), gzipDesc},
	{[]byte("SQLite format 3\x00"), "a lone SQLite database"},
	{[]byte("bplist00"), "a lone binary plist"},
	{[]byte("<?xml"), "an XML file"},
	{[]byte("ANDROID BACKUP"), "an Android backup"},
	{[]byte("age-encryption.org/"), "an age-encrypted file"},
	{[]byte{0xd4, 0xc3, 0xb2, 0xa1}, "a pcap capture"},
	{[]byte{0x0a, 0x0d, 0x0d, 0x0a}, "a pcapng capture"},
	{[]byte("\xff\xfe"), utf16Desc},
	{[]byte("\xfe\xff"), utf16Desc},
	{[]byte("{"), "a JSON file"},
	{[]byte("["), "a JSON file"},
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b) {
			return false
		}
	}
	return true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// isZip reports whether the file at p starts as a zip archive does.
func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	return looksLike(head[:n], "") == zipDesc
}
