package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
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
	for _, m := range magics {
		if bytes.HasPrefix(head, m.prefix) {
			return m.desc
		}
	}
	if n == 0 {
		return "an empty file"
	}
	if isText(head) {
		return "a text file (" + filepath.Ext(path) + ") of an unknown format"
	}
	return "a binary file of an unknown format"
}

const (
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
