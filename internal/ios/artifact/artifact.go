// Package artifact owns where an iOS artifact lives in each acquisition
// layout: a backup ("<domain>/<relativePath>"), a filesystem dump (device
// paths without the leading slash, under "private/var/..." or "var/..."), or
// a sysdiagnose archive. A module declares one Spec and asks Find for the
// paths present in the acquisition.
package artifact

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Spec lists the glob patterns (path.Match syntax, one '*' per segment at
// most where needed) of one artifact in each layout. A "**" segment stands
// for any number of folders, for artifacts that may be anywhere below a
// folder (a walk, so keep it for those).
type Spec struct {
	Backup      []string // e.g. "HomeDomain/Library/SMS/sms.db", "AppDomain-*/Library/Preferences/x.plist"
	Dump        []string // e.g. "private/var/mobile/Library/SMS/sms.db"
	Sysdiagnose []string // e.g. "system_logs.logarchive/..." or "*/shutdown.log"
}

// Patterns returns the patterns that apply to an acquisition kind. Dump
// patterns starting with "private/var/" are also tried under "var/", since
// dumps are taken from either side of that symlink.
func (s Spec) Patterns(kind acquisition.Kind) []string {
	switch kind {
	case acquisition.IOSBackup, acquisition.IOSBackupEncrypted:
		return s.Backup
	case acquisition.IOSFilesystem:
		var out []string
		for _, p := range s.Dump {
			out = append(out, p)
			if rest, ok := strings.CutPrefix(p, "private/var/"); ok {
				out = append(out, "var/"+rest)
			}
		}
		return out
	case acquisition.IOSSysdiagnose:
		return s.Sysdiagnose
	}
	return nil
}

// Find returns the paths of fsys that match the spec for kind, sorted and
// without duplicates. Unreadable folders are passed over; a file whose
// Stat fails for another reason than its absence is returned.
func Find(fsys fs.FS, kind acquisition.Kind, s Spec) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.Patterns(kind) {
		var hits []string
		if strings.Contains(p, "**") {
			hits = walkGlob(fsys, p)
		} else if hasMeta(p) {
			hits = glob(fsys, p)
		} else if st, err := fs.Stat(fsys, p); err == nil && !st.IsDir() || err != nil && !errors.Is(err, fs.ErrNotExist) {
			// present but unreadable (e.g. a link escaping the input):
			// kept, so the module's open fails and lists the file.
			hits = []string{p}
		}
		for _, h := range hits {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	sort.Strings(out)
	return out
}

// walkGlob returns the files matching a pattern with one "**" segment:
// the part before it is globbed, everything below is walked, and the part
// after it must match the end of the path. Unreadable folders are passed
// over.
func walkGlob(fsys fs.FS, p string) []string {
	before, after, _ := strings.Cut(p, "**")
	before, after = strings.TrimSuffix(before, "/"), strings.TrimPrefix(after, "/")
	roots := []string{before}
	if before == "" {
		roots = []string{"."}
	} else if hasMeta(before) {
		roots = glob(fsys, before)
	}
	depth := strings.Count(after, "/") + 1
	var out []string
	for _, root := range roots {
		_ = fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			parts := strings.Split(name, "/")
			if len(parts) < depth {
				return nil
			}
			if ok, _ := path.Match(after, strings.Join(parts[len(parts)-depth:], "/")); ok {
				out = append(out, name)
			}
			return nil
		})
	}
	return out
}

// glob returns what fs.Glob returns for pattern (nothing for a bad
// pattern, the only error fs.Glob has), in the same order, but lists only
// the folders a segment with a meta character has to match in: a run of
// literal segments is one fs.Lstat of the joined path, where fs.Glob lists
// the folder above each of them. In a backup of hundreds of domains a
// pattern such as "AppDomain-*/Library/Safari/History.db" thus costs one
// listing of the root and one look-up per AppDomain folder, instead of
// listing every AppDomain folder and every Library folder below them.
// fs.Lstat, like a folder listing, finds a symbolic link whose target is
// missing; a literal segment that is not a folder fails the next listing
// or look-up, as it fails fs.Glob's.
func glob(fsys fs.FS, pattern string) []string {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil
	}
	if !hasMeta(pattern) { // as fs.Glob
		if _, err := fs.Stat(fsys, pattern); err != nil {
			return nil
		}
		return []string{pattern}
	}
	segs := strings.Split(pattern, "/")
	cur := []string{"."}
	for i := 0; i < len(segs) && len(cur) > 0; {
		var next []string
		if !hasMeta(segs[i]) {
			j := i + 1
			for j < len(segs) && !hasMeta(segs[j]) {
				j++
			}
			lit := strings.Join(segs[i:j], "/")
			for _, d := range cur {
				if p := joinPath(d, lit); fs.ValidPath(p) {
					if _, err := fs.Lstat(fsys, p); err == nil {
						next = append(next, p)
					}
				}
			}
			cur, i = next, j
			continue
		}
		for _, d := range cur {
			ents, err := fs.ReadDir(fsys, d)
			if err != nil {
				continue
			}
			for _, e := range ents {
				if ok, _ := path.Match(segs[i], e.Name()); ok {
					next = append(next, joinPath(d, e.Name()))
				}
			}
		}
		cur, i = next, i+1
	}
	return cur
}

// joinPath is path.Join(dir, name) for a clean dir and a name of clean
// segments.
func joinPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// Applies reports whether the spec has patterns for kind.
func (s Spec) Applies(kind acquisition.Kind) bool { return len(s.Patterns(kind)) > 0 }
