package indicators

import (
	"context"
	"crypto/sha256"
	_ "embed" // the compiled snapshot
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/stix"
)

// compiledSnapshot is the embedded snapshot, compiled (see compiled.go).
//
//go:embed compiled/snapshot.idx
var compiledSnapshot string

// ErrNoSuchPath is returned when a --iocs path does not exist.
var ErrNoSuchPath = errors.New("indicator path does not exist")

// Options says which sources to load.
type Options struct {
	Paths      []string // --iocs files or folders, then SPYSCAN_IOCS entries
	CacheDir   string   // the update cache; "" to skip
	NoEmbedded bool     // leave out the embedded snapshot
	// Build identifies the build of spyscan (version and commit) for the
	// update cache's parsed form (parsedcache.go); "" leaves it off: the
	// cache is parsed at every load and nothing is written beside it.
	Build string
}

// loaded is one parsed file.
type loaded struct {
	file  File
	inds  []match.Indicator
	warns []string
}

// Load reads every requested source. A missing --iocs path is an error
// (ErrNoSuchPath); a bad file inside a source is a warning and the rest loads.
func Load(ctx context.Context, opt Options) (*Set, error) {
	set := &Set{}
	if !opt.NoEmbedded {
		src, err := loadEmbedded(set)
		if err != nil {
			return nil, err
		}
		set.Sources = append(set.Sources, src...)
	}
	if opt.CacheDir != "" {
		if src, err := loadCache(ctx, opt.CacheDir, opt.Build, set); err != nil {
			set.Warnings = append(set.Warnings, err.Error())
		} else if src != nil {
			set.Sources = append(set.Sources, *src)
		}
	}
	for _, p := range opt.Paths {
		src, err := loadPath(ctx, p, set)
		if err != nil {
			return nil, err
		}
		set.Sources = append(set.Sources, *src)
	}
	return set, nil
}

// snapshotSource is one entry of snapshot/sources.json.
type snapshotSource struct {
	Name, Title, Origin, Commit, Date, License string
}

// loadEmbedded adds the compiled embedded snapshot to set: its stored
// index, opened in place (nothing is decoded but its sources, notes and
// rejects).
func loadEmbedded(set *Set) ([]Source, error) {
	c, err := decodeCompiled(compiledSnapshot)
	if err != nil {
		return nil, fmt.Errorf("embedded snapshot: %w", err)
	}
	rejects, err := c.Stored.Rejects()
	if err != nil {
		return nil, fmt.Errorf("embedded snapshot: %w", err)
	}
	set.embedded = embedded{stored: c.Stored, rejects: rejects}
	set.Notes = append(set.Notes, c.Notes...)
	return c.Sources, nil
}

// parseSnapshot parses a snapshot folder (sources.json and one folder of
// STIX bundles per source) into set, the notes of each source apart from
// the warnings: known oddities of public data that users cannot act on.
func parseSnapshot(ctx context.Context, fsys fs.FS, set *Set) ([]Source, error) {
	b, err := fs.ReadFile(fsys, "sources.json")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var metas []snapshotSource
	if err := json.Unmarshal(b, &metas); err != nil {
		return nil, fmt.Errorf("snapshot sources.json: %w", err)
	}
	var out []Source
	for _, m := range metas {
		sub, err := fs.Sub(fsys, m.Name)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", m.Name, err)
		}
		src := Source{Name: m.Name, Kind: Embedded, Title: m.Title, Origin: m.Origin, Commit: m.Commit, Date: m.Date, License: m.License}
		base := model.Provenance{Source: m.Name, Commit: m.Commit, Date: m.Date}
		before, unread := len(set.Warnings), len(set.Unread)
		if err := loadFS(ctx, sub, m.Name, base, &src, set); err != nil {
			return nil, err
		}
		set.Notes = append(set.Notes, set.Warnings[before:]...)
		set.Warnings, set.Unread = set.Warnings[:before], set.Unread[:unread] // known oddities of the public data
		out = append(out, src)
	}
	return out, nil
}

// loadFS parses every .stix2/.json file under fsys in parallel and appends
// them to src and set in path order.
func loadFS(ctx context.Context, fsys fs.FS, label string, base model.Provenance, src *Source, set *Set) error {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			set.Warnings = append(set.Warnings, fmt.Sprintf("%s: %v", path.Join(label, p), err))
			return nil
		}
		if !d.IsDir() && isIndicatorFile(p) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	results := make([]loaded, len(names))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, name := range names {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			data, err := readCapped(fsys, name)
			if err != nil {
				results[i].warns = []string{fmt.Sprintf("%s: %v", path.Join(label, name), err)}
				return nil
			}
			results[i] = parseFile(data, name, label, base)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, r := range results {
		set.Warnings = append(set.Warnings, r.warns...)
		set.unread(path.Join(label, names[i]), r)
		if r.file.Path != "" {
			src.Files = append(src.Files, r.file)
			set.Indicators = append(set.Indicators, r.inds...)
		}
	}
	return nil
}

// isIndicatorFile selects indicator files by name: STIX bundles, and
// Echap's YAML lists and samples CSV. Other files in an indicator folder
// (README, LICENSE, txt lists) are ignored silently.
func isIndicatorFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".stix2", ".stix", ".json", ".yaml", ".yml", ".csv":
		return true
	}
	return false
}

// parseFile parses one indicator file; a failure is a warning naming the
// file. YAML and CSV files not in Echap's format are skipped silently.
func parseFile(data []byte, name, label string, base model.Provenance) loaded {
	sum := sha256.Sum256(data)
	base.File = name
	f := File{Path: name, SHA256: hex.EncodeToString(sum[:])}
	var inds []match.Indicator
	var warns []string
	var err error
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml":
		inds, warns, err = ParseEchapYAML(data, base, &f)
	case ".csv":
		inds, warns, err = ParseEchapSamples(data, base, &f)
	default:
		var b *stix.Bundle
		if b, err = stix.Parse(data); err == nil {
			inds, warns = fromBundle(b, base, &f)
			warns = append(b.Warnings, warns...)
		}
	}
	if errors.Is(err, errNotEchap) {
		return loaded{}
	}
	if err != nil {
		return loaded{warns: []string{fmt.Sprintf("%s: %v", path.Join(label, name), err)}}
	}
	var out []string
	for _, w := range warns {
		out = append(out, fmt.Sprintf("%s: %s", path.Join(label, name), w))
	}
	return loaded{file: f, inds: inds, warns: out}
}

// loadPath loads a --iocs file or folder.
func loadPath(ctx context.Context, p string, set *Set) (*Source, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchPath, p)
	}
	src := &Source{Name: filepath.Base(abs), Kind: Path, Origin: abs}
	base := model.Provenance{Source: src.Name, Date: st.ModTime().UTC().Format("2006-01-02")}
	if !st.IsDir() {
		data, err := readCapped(os.DirFS(filepath.Dir(abs)), filepath.Base(abs))
		if err != nil {
			set.Warnings = append(set.Warnings, fmt.Sprintf("%s: %v", p, err))
			set.Unread = append(set.Unread, model.Problem{Kind: model.KindIndicators, Path: p, Cause: fmt.Sprintf("%s: %v", p, err)})
			return src, nil
		}
		r := parseFile(data, filepath.Base(abs), filepath.Dir(p), base)
		set.Warnings = append(set.Warnings, r.warns...)
		set.unread(p, r)
		if r.file.Path != "" {
			src.Files = append(src.Files, r.file)
			set.Indicators = append(set.Indicators, r.inds...)
		}
		return src, nil
	}
	return src, loadFS(ctx, os.DirFS(abs), p, base, src, set)
}

// MaxFile is the largest indicator file read (the largest public bundle
// is a few MB). A variable only so that tests can lower it.
var MaxFile = 256 << 20

// readCapped reads an indicator file of at most MaxFile bytes.
func readCapped(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(MaxFile)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFile {
		return nil, fmt.Errorf("larger than %d bytes: not read", MaxFile)
	}
	return b, nil
}

// hashCapped is the hex SHA-256 of a file of at most MaxFile bytes (as
// readCapped would read it), read through buf.
func hashCapped(fsys fs.FS, name string, buf []byte) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, io.LimitReader(f, int64(MaxFile)+1), buf)
	if err != nil {
		return "", err
	}
	if n > int64(MaxFile) {
		return "", fmt.Errorf("larger than %d bytes: not read", MaxFile)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unread records a file that gave nothing (it failed to read or parse).
func (s *Set) unread(p string, r loaded) {
	if r.file.Path == "" && len(r.warns) > 0 {
		s.Unread = append(s.Unread, model.Problem{Kind: model.KindIndicators, Path: p, Cause: r.warns[0]})
	}
}
