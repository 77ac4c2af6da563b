package output

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// ErrFormat marks a result folder whose format this spyscan cannot read.
var ErrFormat = errors.New("unsupported result folder format")

// maxLine bounds one line of a JSON-lines result file.
const maxLine = 64 << 20

// Load reads a result folder: the report (its timeline read from disk when
// iterated, module records left on disk: see EachRecord) and the
// observables, one record per value and place. Format 1 folders (written
// before format versions existed) are migrated as they are read; a newer
// format is refused with ErrFormat.
func Load(dir string) (*model.Report, []ObservableRecord, error) {
	var in info
	if err := readJSON(filepath.Join(dir, InfoFile), &in); err != nil {
		return nil, nil, err
	}
	if err := checkVersion(dir, in.FormatVersion); err != nil {
		return nil, nil, err
	}
	if in.FormatVersion < 2 {
		return loadV1(dir, in)
	}
	r := &model.Report{Info: in.ScanInfo, Verdict: in.Verdict}
	if err := readJSON(filepath.Join(dir, AlertsFile), &r.Alerts); err != nil {
		return nil, nil, err
	}
	r.Timeline = fileTimeline{path: filepath.Join(dir, TimelineJSON), n: in.TimelineEvents}
	var obs []ObservableRecord
	err := eachLine(filepath.Join(dir, ObservablesFile), func(b []byte) error {
		var l ObservableLine
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		return l.records(func(o *ObservableRecord) error { obs = append(obs, *o); return nil })
	})
	if err != nil {
		return nil, nil, err
	}
	mods, err := loadModules(dir)
	if err != nil {
		return nil, nil, err
	}
	r.Modules = mods
	return r, obs, nil
}

// checkVersion refuses a format this package cannot read. Format 1 has no
// format_version field (0).
func checkVersion(dir string, v int) error {
	switch {
	case v > FormatVersion:
		return fmt.Errorf("%w: %s has format version %d, and this spyscan reads versions 1 to %d: use a newer spyscan",
			ErrFormat, filepath.Join(dir, InfoFile), v, FormatVersion)
	case v < 0:
		return fmt.Errorf("%w: %s: format_version %d is not one spyscan ever wrote", ErrFormat, filepath.Join(dir, InfoFile), v)
	}
	return nil
}

// timelineCSV2 is format 2's name of the timeline CSV (gzip'd).
const timelineCSV2 = "timeline.csv.gz"

// OpenTimelineCSV opens the timeline CSV of result folder dir as plain
// CSV: timeline.csv (format 3), or format 2's timeline.csv.gz
// decompressed. A format 1 folder has timeline.csv too.
func OpenTimelineCSV(dir string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(dir, TimelineCSV))
	if !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	gz := filepath.Join(dir, timelineCSV2)
	f, gerr := os.Open(gz)
	if gerr != nil {
		return nil, err // name the current file as the missing one
	}
	z, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", gz, err)
	}
	return gzReadCloser{z, f}, nil
}

type gzReadCloser struct {
	*gzip.Reader
	f *os.File
}

func (g gzReadCloser) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }

// FolderVersion is the format version of the result folder dir.
func FolderVersion(dir string) (int, error) {
	var in info
	if err := readJSON(filepath.Join(dir, InfoFile), &in); err != nil {
		return 0, err
	}
	if err := checkVersion(dir, in.FormatVersion); err != nil {
		return 0, err
	}
	return max(in.FormatVersion, 1), nil
}

// loadModules reads modules/input<N>/*.json, in input then name order.
func loadModules(dir string) ([]model.ModuleResult, error) {
	names, err := filepath.Glob(filepath.Join(dir, ModulesDir, "input*", "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Slice(names, func(i, j int) bool { return inputOrder(names[i], names[j]) })
	var out []model.ModuleResult
	for _, n := range names {
		var mf moduleFile
		if err := readJSON(n, &mf); err != nil {
			return nil, err
		}
		out = append(out, mf.ModuleResult)
	}
	return out, nil
}

// inputOrder sorts modules/input2/x before modules/input10/x.
func inputOrder(a, b string) bool {
	da, db := filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b))
	if len(da) != len(db) {
		return len(da) < len(db)
	}
	if da != db {
		return da < db
	}
	return a < b
}

// ModuleFiles lists the module files of a result folder (relative paths,
// the records files included), for copying a folder's module results.
func ModuleFiles(dir string) ([]string, error) {
	var out []string
	root := filepath.Join(dir, ModulesDir)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}

// EachRecord calls fn with every record of one module file (a path
// relative to dir, as listed by ModuleFiles).
func EachRecord(dir, file string, fn func(json.RawMessage) error) error {
	var mf moduleFile
	p := filepath.Join(dir, file)
	if err := readJSON(p, &mf); err != nil {
		return err
	}
	if mf.RecordsFile == "" {
		return nil
	}
	if strings.ContainsAny(mf.RecordsFile, `/\`) {
		return fmt.Errorf("%s: records_file %q is not a file name", p, mf.RecordsFile)
	}
	return eachLine(filepath.Join(filepath.Dir(p), mf.RecordsFile), func(b []byte) error { return fn(b) })
}

// fileTimeline is a timeline read again from timeline.jsonl.gz at each Each.
type fileTimeline struct {
	path string
	n    int
}

func (t fileTimeline) Len() int { return t.n }

func (t fileTimeline) Each(fn func(*model.Event) error) error {
	return eachLine(t.path, func(b []byte) error {
		var e model.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		return fn(&e)
	})
}

// eachLine calls fn with every non-empty line of a gzip-compressed JSON
// lines file; errors name the file and the line.
func eachLine(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	z, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := fn(sc.Bytes()); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
