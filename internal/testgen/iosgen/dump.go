package iosgen

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// DumpFormat is how a filesystem dump is laid out.
type DumpFormat int

// Dump formats.
const (
	DumpFolder DumpFormat = iota
	DumpTar
	DumpTarGz
	DumpZip
)

// Link is a symbolic link in a dump.
type Link struct {
	Path, Target string
}

// DumpSpec describes a filesystem dump (or any archive of files: the
// sysdiagnose writer uses it too).
type DumpSpec struct {
	Files  []File // by Path; files with an empty Path are skipped
	Links  []Link
	Wrap   string // optional top folder wrapping everything
	Format DumpFormat
}

type dumpEntry struct {
	path   string
	data   []byte
	mod    time.Time
	dir    bool
	target string
}

// WriteDump writes the dump to out: a folder for DumpFolder, else a file.
func WriteDump(out string, s DumpSpec) error {
	ents := dumpEntries(s)
	switch s.Format {
	case DumpFolder:
		return writeFolder(out, ents)
	case DumpTar, DumpTarGz:
		return writeArchive(out, func(w io.Writer) error {
			if s.Format == DumpTarGz {
				zw := gzip.NewWriter(w) // no name, zero time: reproducible
				if err := writeTar(zw, ents); err != nil {
					return err
				}
				return zw.Close()
			}
			return writeTar(w, ents)
		})
	case DumpZip:
		return writeArchive(out, func(w io.Writer) error { return writeZip(w, ents) })
	}
	return fmt.Errorf("unknown dump format %d", s.Format)
}

func dumpEntries(s DumpSpec) []dumpEntry {
	seen := map[string]bool{}
	var ents []dumpEntry
	addDirs := func(p string, mod time.Time) {
		var dirs []string
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			dirs = append(dirs, d)
		}
		for _, d := range dirs {
			if !seen[d] {
				seen[d] = true
				ents = append(ents, dumpEntry{path: d, dir: true, mod: mod})
			}
		}
	}
	wrap := func(p string) string {
		if s.Wrap == "" {
			return p
		}
		return s.Wrap + "/" + p
	}
	for _, f := range s.Files {
		if f.Path == "" {
			continue
		}
		mod := f.ModTime
		if mod.IsZero() {
			mod = DefaultTime
		}
		p := wrap(f.Path)
		if seen[p] {
			continue
		}
		addDirs(p, mod)
		seen[p] = true
		ents = append(ents, dumpEntry{path: p, data: f.Data, mod: mod})
	}
	for _, l := range s.Links {
		p := wrap(l.Path)
		addDirs(p, DefaultTime)
		seen[p] = true
		ents = append(ents, dumpEntry{path: p, target: l.Target, mod: DefaultTime})
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].path < ents[j].path })
	return ents
}

func writeFolder(out string, ents []dumpEntry) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, e := range ents {
		p := filepath.Join(out, filepath.FromSlash(e.path))
		switch {
		case e.dir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case e.target != "":
			if err := os.Symlink(e.target, p); err != nil {
				return err
			}
		default:
			if err := writeFile(p, e.data, e.mod); err != nil {
				return err
			}
		}
	}
	// folder mtimes last, deepest first, so writing files does not change them
	for i := len(ents) - 1; i >= 0; i-- {
		if e := ents[i]; e.dir {
			if err := os.Chtimes(filepath.Join(out, filepath.FromSlash(e.path)), e.mod, e.mod); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeArchive(out string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chtimes(out, DefaultTime, DefaultTime)
}

func writeTar(w io.Writer, ents []dumpEntry) error {
	tw := tar.NewWriter(w)
	for _, e := range ents {
		h := &tar.Header{Name: e.path, ModTime: e.mod, Mode: 0o644, Uname: "mobile", Gname: "mobile", Uid: 501, Gid: 501, Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, e.path+"/", 0o755
		case e.target != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, e.target, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

func writeZip(w io.Writer, ents []dumpEntry) error {
	zw := zip.NewWriter(w)
	for _, e := range ents {
		h := &zip.FileHeader{Name: e.path, Method: zip.Deflate, Modified: e.mod}
		switch {
		case e.dir:
			h.Name, h.Method = e.path+"/", zip.Store
			h.SetMode(0o755 | os.ModeDir)
		case e.target != "":
			h.SetMode(0o777 | os.ModeSymlink)
		default:
			h.SetMode(0o644)
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		data := e.data
		if e.target != "" {
			data = []byte(e.target)
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}
