// Package hashes owns the androidqf hashes module: it verifies the
// acquisition against the hashes.csv androidqf wrote when it finished
// ("<storage path>/<file>,<sha256>" lines). A file whose SHA-256 differs, or
// that is listed but missing, means the acquisition was altered after it was
// taken: a HIGH alert naming the file. Every listed SHA-256 is also checked
// against the file-hash indicators. Files present but not listed are
// reported at MEDIUM. androidqf keeps writing command.log after hashing and
// writes acquisition.json afterwards, so those two are expected to differ
// or be absent from the list (LOW / ignored).
package hashes

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/layout"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_hashes"

// File is the list androidqf writes.
const File = "hashes.csv"

// maxLines bounds the lines of hashes.csv (a variable only so that tests
// can lower it).
var maxLines = 2_000_000

// Module is the hashes module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Entry is one verified line of hashes.csv.
type Entry struct {
	Path   string `json:"path"`
	Listed string `json:"sha256_listed"`
	Actual string `json:"sha256_actual,omitempty"`
	Status string `json:"status"` // ok, mismatch, missing, unlisted, unreadable
}

type line struct{ raw, sum string }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	fsys := in.Acq.FS
	lines, err := readList(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		return module.ErrNotFound
	}
	rec.File(File)
	if err != nil {
		rec.FileError(File, err)
		return nil
	}
	prefix := storagePrefix(lines)
	listed := map[string]bool{}
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := strings.TrimPrefix(norm(l.raw), prefix)
		if rel == File {
			listed[rel] = true
			continue // hashed by androidqf while still being written
		}
		sum := strings.ToLower(strings.TrimSpace(l.sum))
		w := module.Where{Artifact: rel, Label: i18n.M("android.what.hashes_csv")}
		rec.CheckFileHash(sum, w)
		if !fs.ValidPath(rel) {
			rec.FileError(File, fmt.Errorf("%s: path %q is not inside the acquisition", File, l.raw))
			continue
		}
		listed[rel] = true
		verify(ctx, fsys, rel, sum, rec)
	}
	unlisted(fsys, listed, rec)
	return nil
}

func verify(ctx context.Context, fsys fs.FS, rel, sum string, rec *module.Recorder) {
	e := Entry{Path: rel, Listed: sum}
	actual, err := hashFile(ctx, fsys, rel)
	w := module.Where{Artifact: rel, Record: &e}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e.Status = "missing"
		rec.Flag(model.High, w, i18n.M("android.title.hash_missing", "path", rel),
			i18n.M("android.reason.hash_missing"), i18n.M("android.benign.hash_missing"))
	case err != nil:
		e.Status = "unreadable"
		rec.FileError(rel, err)
	case actual == sum:
		e.Status, e.Actual = "ok", actual
	default:
		e.Status, e.Actual = "mismatch", actual
		if rel == "command.log" {
			rec.Flag(model.Low, w, i18n.M("android.title.command_log_changed"),
				i18n.M("android.reason.command_log_changed"), i18n.M("android.benign.command_log_changed"))
		} else {
			rec.Flag(model.High, w, i18n.M("android.title.hash_mismatch", "path", rel, "listed", sum, "now", actual),
				i18n.M("android.reason.hash_mismatch"), i18n.M("android.benign.hash_mismatch"))
		}
	}
	rec.Record(e)
}

func unlisted(fsys fs.FS, listed map[string]bool, rec *module.Recorder) {
	var extra []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p == layout.QFBugreportDir || p == layout.QFBackupDir {
				return fs.SkipDir // the nested containers, mounted
			}
			return nil
		}
		if !listed[p] && p != "acquisition.json" && p != File {
			extra = append(extra, p)
		}
		return nil
	})
	sort.Strings(extra)
	for _, p := range extra {
		e := Entry{Path: p, Status: "unlisted"}
		rec.Record(e)
		rec.Flag(model.Medium, module.Where{Artifact: p, Record: &e}, i18n.M("android.title.hash_unlisted", "path", p),
			i18n.M("android.reason.hash_unlisted"), i18n.M("android.benign.hash_unlisted"))
	}
}

func readList(fsys fs.FS) ([]line, error) {
	f, err := fsys.Open(File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var out []line
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", File, err)
		}
		if len(rec) < 2 {
			return out, fmt.Errorf("%s: line %d: want path,sha256", File, len(out)+1)
		}
		if len(out) >= maxLines {
			return out, fmt.Errorf("%s: more than %d lines", File, maxLines)
		}
		out = append(out, line{raw: rec[0], sum: rec[1]})
	}
}

// storagePrefix is the storage path androidqf prepended to every line:
// taken from the line naming hashes.csv itself, else the longest common
// directory of all lines.
func storagePrefix(lines []line) string {
	for _, l := range lines {
		if p := norm(l.raw); path.Base(p) == File {
			return strings.TrimSuffix(p, File)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	first := norm(lines[0].raw)
	common := first[:strings.LastIndexByte(first, '/')+1] // its folder, as written (not cleaned: lines are compared as written)
	for _, l := range lines[1:] {
		for !strings.HasPrefix(norm(l.raw), common) && common != "" {
			common = strings.TrimSuffix(common, "/")
			i := strings.LastIndexByte(common, '/')
			common = common[:i+1]
		}
	}
	if common == "./" {
		return ""
	}
	return common
}

func norm(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	return strings.TrimPrefix(p, "./")
}

// hashFile returns the hex SHA-256 of the file name; an evidence folder's
// (acquisition.SumFS) is shared with the scan's chain of custody, which
// hashes every file too.
func hashFile(ctx context.Context, fsys fs.FS, name string) (string, error) {
	sfs, ok := fsys.(acquisition.SumFS)
	if !ok {
		sum, err := readSum(ctx, fsys, name)
		return sum.SHA256, err
	}
	sum, err := sfs.Sums().Do(name, func() (acquisition.Sum, error) { return readSum(ctx, fsys, name) })
	return sum.SHA256, err
}

// readSum reads and hashes the file name.
func readSum(ctx context.Context, fsys fs.FS, name string) (acquisition.Sum, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return acquisition.Sum{}, err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var size int64
	for {
		if err := ctx.Err(); err != nil {
			return acquisition.Sum{}, err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		size += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return acquisition.Sum{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	sum := acquisition.Sum{Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}
	if st, err := f.Stat(); err == nil {
		sum.ModTime = st.ModTime().UTC()
	}
	return sum, nil
}
