// Package iocset holds the lab's current indicator set: the embedded
// snapshot, the lab's own update cache (filled by the "update" button, as
// `spyscan iocs update` fills the user's), the indicator files added from
// the interface, and --iocs paths. It is loaded once and swapped whole
// when a source changes, so a scan or a retro-hunt always works on one
// consistent set, named by its digest.
package iocset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/scanjob"
)

// Options says where the lab's indicators come from.
type Options struct {
	CacheDir   string   // the lab's update cache
	AddedDir   string   // indicator files added from the interface
	Paths      []string // --iocs files or folders
	NoEmbedded bool
	IndexURL   string // of updates; "" for indicators.DefaultIndexURL
	Timeout    time.Duration
	Log        *slog.Logger
	// Update replaces indicators.Update (tests); nil is indicators.Update.
	Update func(context.Context, indicators.UpdateOptions) ([]indicators.UpdateResult, error)
}

// Current is one loaded indicator set.
type Current struct {
	Set      *indicators.Set
	Index    *match.Index
	Digest   string
	Sources  []model.IndicatorSource
	Count    int    // distinct indicators
	Date     string // the newest date among the sources (YYYY-MM-DD)
	Problems []model.Problem
	LoadedAt time.Time
}

// Holder keeps the current set.
type Holder struct {
	opt Options
	mu  sync.Mutex // one reload, update or addition at a time
	cur atomic.Pointer[Current]
}

// New loads the indicators.
func New(ctx context.Context, opt Options) (*Holder, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Update == nil {
		opt.Update = indicators.Update
	}
	for _, d := range []string{opt.CacheDir, opt.AddedDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
	}
	h := &Holder{opt: opt}
	if _, err := h.Reload(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

// Current returns the set in use.
func (h *Holder) Current() *Current { return h.cur.Load() }

// Reload loads every source again and reports whether the set changed.
func (h *Holder) Reload(ctx context.Context) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reload(ctx)
}

func (h *Holder) reload(ctx context.Context) (bool, error) {
	c, err := Load(ctx, h.opt.Sources(), h.opt.Log)
	if err != nil {
		return false, err
	}
	old := h.cur.Swap(c)
	return old == nil || old.Digest != c.Digest, nil
}

// Sources are where a set is loaded from: what a scan worker process
// needs to load the same set as the server (Load).
type Sources struct {
	CacheDir   string   `json:"cache_dir"`
	AddedDir   string   `json:"added_dir"`
	Paths      []string `json:"paths"`
	NoEmbedded bool     `json:"no_embedded"`
}

// Sources returns the options' sources.
func (o Options) Sources() Sources {
	return Sources{CacheDir: o.CacheDir, AddedDir: o.AddedDir, Paths: o.Paths, NoEmbedded: o.NoEmbedded}
}

// Sources returns where the holder loads its set from.
func (h *Holder) Sources() Sources { return h.opt.Sources() }

// Load loads the set of src (reading only).
func Load(ctx context.Context, src Sources, log *slog.Logger) (*Current, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	paths := append([]string{src.AddedDir}, src.Paths...)
	set, err := indicators.Load(ctx, indicators.Options{Paths: paths, CacheDir: src.CacheDir, NoEmbedded: src.NoEmbedded})
	if err != nil {
		return nil, fmt.Errorf("indicators: %w", err)
	}
	for _, w := range set.Warnings {
		log.Warn("indicator warning", "detail", w)
	}
	ix, rejects := set.NewIndex()
	for _, r := range rejects {
		log.Warn("indicator value not usable", "type", r.Type, "value", r.Value)
	}
	srcs, digest, count := scanjob.Info(set, ix)
	c := &Current{Set: set, Index: ix, Digest: digest, Sources: srcs, Count: count, Problems: scanjob.Problems(set), LoadedAt: time.Now()}
	for _, s := range srcs {
		if s.Date > c.Date {
			c.Date = s.Date
		}
	}
	// The added-files folder is a source of its own; an empty one is not
	// a problem (Problems counts a path source without indicators).
	c.Problems = dropEmptyAdded(c.Problems, src.AddedDir)
	return c, nil
}

func dropEmptyAdded(ps []model.Problem, dir string) []model.Problem {
	abs, _ := filepath.Abs(dir)
	var out []model.Problem
	for _, p := range ps {
		if p.Path == abs && p.Kind == model.KindIndicators {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Update downloads the current bundles into the lab's cache (as `spyscan
// iocs update` does) and reloads. Bundles that fail keep their previous
// copy; their errors are in the results.
func (h *Holder) Update(ctx context.Context) ([]indicators.UpdateResult, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	res, err := h.opt.Update(ctx, indicators.UpdateOptions{Index: h.opt.IndexURL, CacheDir: h.opt.CacheDir, Timeout: h.opt.Timeout, Log: h.opt.Log})
	if err != nil {
		return nil, false, err
	}
	changed, err := h.reload(ctx)
	return res, changed, err
}

// ErrNotIndicators: an added file holds no indicator spyscan can use.
var ErrNotIndicators = errors.New("not a STIX 2.1 bundle with indicators spyscan can match")

// MaxAdded is the largest indicator file accepted from the interface (a
// variable only so that tests can lower it; whole MB).
var MaxAdded int64 = 64 << 20

var safeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Add stores an indicator file given from the interface, after checking
// that it parses and holds usable indicators, and reloads. The file is
// written under a name of safe characters, never outside AddedDir.
func (h *Holder) Add(ctx context.Context, name string, r io.Reader) (string, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	base := safeName.ReplaceAllString(filepath.Base(name), "_")
	if ext := filepath.Ext(base); ext != ".json" && ext != ".stix2" {
		base += ".stix2"
	}
	base = time.Now().UTC().Format("20060102-150405") + "-" + base
	tmp, err := os.CreateTemp(h.opt.AddedDir, ".incoming-*.json")
	if err != nil {
		return "", false, err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(r, MaxAdded+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", name, err)
	}
	if n > MaxAdded {
		return "", false, fmt.Errorf("%s: larger than %d MB", name, MaxAdded>>20)
	}
	check, err := indicators.Load(ctx, indicators.Options{Paths: []string{tmp.Name()}, NoEmbedded: true})
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", name, err)
	}
	if len(check.Unread) > 0 || check.Len() == 0 {
		why := ErrNotIndicators.Error()
		if len(check.Warnings) > 0 {
			why = check.Warnings[0]
		}
		return "", false, fmt.Errorf("%s: %w (%s)", name, ErrNotIndicators, why)
	}
	dst := filepath.Join(h.opt.AddedDir, base)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", false, err
	}
	os.Chmod(dst, 0o400)
	changed, err := h.reload(ctx)
	return base, changed, err
}

// Added lists the files added from the interface, newest first.
func (h *Holder) Added() ([]os.FileInfo, error) {
	entries, err := os.ReadDir(h.opt.AddedDir)
	if err != nil {
		return nil, err
	}
	var out []os.FileInfo
	for _, e := range entries {
		if e.Name()[0] == '.' || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil {
			out = append(out, fi)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() > out[j].Name() })
	return out, nil
}
