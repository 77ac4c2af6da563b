// Package locate owns finding Android artifacts inside an acquisition's
// fs.FS for both layouts: the bugreport (zip or folder contents as they are)
// and the androidqf folder, whose nested bugreport.zip may be exposed as the
// sub-tree "bugreport/". Modules ask it where the dumpstate, the bugreport
// root and the reference time of the acquisition are, so a layout change is
// wired in one place.
package locate

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/layout"
)

// QFBugreportDir is the sub-tree of an androidqf FS where its nested
// bugreport.zip is exposed by the opener.
const QFBugreportDir = layout.QFBugreportDir

// ErrNoDump means no dumpstate or dumpsys text was found.
var ErrNoDump = errors.New("no dumpstate or dumpsys text found")

// BugreportRoots returns the directories of fsys holding bugreport contents
// ("." for the root) for this kind, keeping only those that exist.
func BugreportRoots(fsys fs.FS, kind acquisition.Kind) []string {
	switch kind {
	case acquisition.AndroidBugreport:
		return []string{"."}
	case acquisition.AndroidQF:
		if st, err := fs.Stat(fsys, QFBugreportDir); err == nil && st.IsDir() {
			return []string{QFBugreportDir}
		}
	}
	return nil
}

// Join joins a root from BugreportRoots with a path inside it.
func Join(root, name string) string {
	if root == "." || root == "" {
		return path.Clean(name)
	}
	return path.Join(root, name)
}

// Dumpstate finds the main dump of the bugreport rooted at root: the file
// named by main_entry.txt, else dumpState_*.log, bugreport-*.txt,
// dumpstate-*.txt or dumpstate.txt, else */dumpsys.txt.
func Dumpstate(fsys fs.FS, root string) (string, error) {
	if b, err := readSmall(fsys, Join(root, "main_entry.txt"), 4096); err == nil {
		name := strings.TrimSpace(string(b))
		if p := Join(root, name); name != "" && fs.ValidPath(p) {
			if st, err := fs.Stat(fsys, p); err == nil && st.Mode().IsRegular() {
				return p, nil
			}
		}
	}
	for _, pat := range []string{"dumpState_*.log", "bugreport-*.txt", "dumpstate-*.txt", "dumpstate.txt", "*/dumpsys.txt"} {
		ms, _ := fs.Glob(fsys, Join(root, pat))
		sort.Strings(ms)
		for _, m := range ms {
			if st, err := fs.Stat(fsys, m); err == nil && st.Mode().IsRegular() {
				return m, nil
			}
		}
	}
	return "", ErrNoDump
}

// Dump returns the dumpsys text the dumpsys modules read for this kind: the
// dumpstate of a bugreport; for androidqf its dumpsys.txt, else the
// dumpstate of its nested bugreport.
func Dump(fsys fs.FS, kind acquisition.Kind) (string, error) {
	if kind == acquisition.AndroidQF {
		if st, err := fs.Stat(fsys, "dumpsys.txt"); err == nil && st.Mode().IsRegular() {
			return "dumpsys.txt", nil
		}
	}
	for _, root := range BugreportRoots(fsys, kind) {
		if p, err := Dumpstate(fsys, root); err == nil {
			return p, nil
		}
	}
	return "", ErrNoDump
}

// Applies reports whether a dumpsys module applies to kind.
func Applies(kind acquisition.Kind) bool {
	return kind == acquisition.AndroidBugreport || kind == acquisition.AndroidQF
}

func readSmall(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// ReferenceTime is when the acquisition was taken, as the acquisition says:
// androidqf's acquisition.json "started", or the "== dumpstate: <time>"
// header of the dump (device local time, read as UTC). Zero when unknown.
// Heuristics that age things ("patch older than six months") measure from
// it so the same input always gives the same alerts.
func ReferenceTime(fsys fs.FS, kind acquisition.Kind) time.Time {
	if kind == acquisition.AndroidQF {
		if b, err := readSmall(fsys, "acquisition.json", 1<<20); err == nil {
			var a struct {
				Started time.Time `json:"started"`
			}
			if json.Unmarshal(b, &a) == nil && !a.Started.IsZero() {
				return a.Started.UTC()
			}
		}
	}
	p, err := Dump(fsys, kind)
	if err != nil {
		return time.Time{}
	}
	f, err := fsys.Open(p)
	if err != nil {
		return time.Time{}
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		if t, ok := DumpstateHeaderTime(sc.Text()); ok {
			return t
		}
	}
	return time.Time{}
}

// DumpstateHeaderTime parses "== dumpstate: 2024-05-01 10:00:00".
func DumpstateHeaderTime(line string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(line, "== dumpstate: ")
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02 15:04:05", strings.TrimSpace(rest))
	return t, err == nil
}
