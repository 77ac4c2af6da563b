// Package androidgen owns the container writers of the Android test data:
// from a list of files (path → bytes) it writes bugreport zips and folders,
// androidqf folders, zips and age-encrypted .zip.age files (with hashes.csv
// as androidqf writes it), and backup.ab files (plain, zlib-compressed, or
// encrypted with a known password), plus the zlib JSON SMS/MMS backups found
// inside backups. Everything is deterministic (fixed times, sorted entries,
// salts and IVs derived from a seed) except the age encryption, which draws
// fresh keys by design. The contents of the artifacts come from
// internal/testgen/androiddata (or the caller).
package androidgen

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"filippo.io/age"
)

// Epoch is the fixed modification time of every generated entry.
var Epoch = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// File is one file of a container.
type File struct {
	Path string // slash-separated, relative
	Data []byte
}

// Files builds a sorted file list from a map.
func Files(m map[string][]byte) []File {
	out := make([]File, 0, len(m))
	for p, b := range m {
		out = append(out, File{Path: p, Data: b})
	}
	sortFiles(out)
	return out
}

func sortFiles(fs []File) { sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path }) }

// WriteZip writes files as a zip to w (deflated unless store).
func WriteZip(w io.Writer, files []File, store bool) error {
	files = append([]File(nil), files...)
	sortFiles(files)
	zw := zip.NewWriter(w)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: Epoch}
		if store {
			h.Method = zip.Store
		}
		h.SetMode(0o644)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ZipBytes returns the zip of files.
func ZipBytes(files []File, store bool) []byte {
	var b bytes.Buffer
	if err := WriteZip(&b, files, store); err != nil {
		panic(err) // writing to memory cannot fail
	}
	return b.Bytes()
}

// WriteFolder writes files under dir with the fixed mtime.
func WriteFolder(dir string, files []File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(p, Epoch, Epoch); err != nil {
			return err
		}
	}
	return nil
}

// WriteZipFile writes the zip of files to p.
func WriteZipFile(p string, files []File, store bool) error {
	return os.WriteFile(p, ZipBytes(files, store), 0o644)
}

// HashesCSV returns androidqf's hashes.csv for files, as androidqf writes it:
// no header, one "<storage>/<path>,<sha256>" line per file in walk order,
// including a line for hashes.csv itself (hashed while still empty).
func HashesCSV(storage string, files []File) []byte {
	all := append([]File(nil), files...)
	all = append(all, File{Path: "hashes.csv"})
	sortFiles(all)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, f := range all {
		if f.Path == "acquisition.json" {
			continue // androidqf writes it after hashing
		}
		sum := sha256.Sum256(f.Data)
		_ = w.Write([]string{path.Join(storage, f.Path), hex.EncodeToString(sum[:])})
	}
	w.Flush()
	return b.Bytes()
}

// QFFiles returns files plus the hashes.csv androidqf would write for them
// in a storage folder named storage.
func QFFiles(storage string, files []File) []File {
	out := append([]File(nil), files...)
	out = append(out, File{Path: "hashes.csv", Data: HashesCSV(storage, files)})
	sortFiles(out)
	return out
}

// WriteQFFolder writes an androidqf acquisition (files + hashes.csv) in dir.
func WriteQFFolder(dir string, files []File) error {
	return WriteFolder(dir, QFFiles(filepath.Base(dir), files))
}

// WriteQFAge writes the encrypted form of an androidqf acquisition: the zip
// of the files encrypted to the age recipient.
func WriteQFAge(w io.Writer, files []File, recipient age.Recipient) error {
	aw, err := age.Encrypt(w, recipient)
	if err != nil {
		return err
	}
	if err := WriteZip(aw, files, false); err != nil {
		return err
	}
	return aw.Close()
}

// SMS is one message of an SMS backup, with the keys Android writes.
type SMS struct {
	Address string `json:"address"`
	Body    string `json:"body"`
	Date    string `json:"date"` // Unix milliseconds, as a string
	Type    string `json:"type"`
	Read    string `json:"read"`
	// fields real backups have too (MVT keeps them)
	DateSent   string   `json:"date_sent,omitempty"`
	Status     string   `json:"status,omitempty"`
	Recipients []string `json:"recipients,omitempty"`
}

// MMS is one message of an MMS backup.
type MMS struct {
	Date       string   `json:"date"` // Unix seconds, as a string
	MsgBox     string   `json:"msg_box"`
	Recipients []string `json:"recipients"`
	Body       string   `json:"mms_body"`
	// fields real backups have too (MVT keeps them)
	DateSent  string       `json:"date_sent,omitempty"`
	MType     string       `json:"m_type,omitempty"`
	V         string       `json:"v,omitempty"`
	TrID      string       `json:"tr_id,omitempty"`
	Read      string       `json:"read,omitempty"`
	Addresses []MMSAddress `json:"mms_addresses,omitempty"`
	Charset   int          `json:"mms_charset,omitempty"`
}

// MMSAddress is one address of an MMS backup entry.
type MMSAddress struct {
	Type    int    `json:"type"`
	Address string `json:"address"`
	Charset int    `json:"charset"`
}

// ZlibJSON returns v as JSON compressed with zlib, the form of the
// telephony provider's *_sms_backup and *_mms_backup files.
func ZlibJSON(v any) []byte {
	js, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("androidgen: %v", err))
	}
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	zw.Write(js)
	zw.Close()
	return b.Bytes()
}

// TarBytes returns files as a tar stream like the one inside a backup.ab.
func TarBytes(files []File) []byte {
	files = append([]File(nil), files...)
	sortFiles(files)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		_ = tw.WriteHeader(&tar.Header{Name: f.Path, Mode: 0o600, Size: int64(len(f.Data)),
			ModTime: Epoch, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR})
		_, _ = tw.Write(f.Data)
	}
	_ = tw.Close()
	return b.Bytes()
}
