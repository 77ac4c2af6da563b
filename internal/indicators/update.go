package indicators

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/stix"
)

// DefaultIndexURL is the index MVT itself downloads.
const DefaultIndexURL = "https://raw.githubusercontent.com/mvt-project/mvt-indicators/main/indicators.yaml"

// maxDownload caps one downloaded file; the largest public bundle is ~5 MB.
const maxDownload = 64 << 20

// IndexEntry is one item of an mvt-indicators style indicators.yaml.
type IndexEntry struct {
	Type        string   `yaml:"type"`
	Name        string   `yaml:"name"`
	Sources     []string `yaml:"sources"`
	References  []string `yaml:"references"`
	DownloadURL string   `yaml:"download_url"`
	GitHub      struct {
		Owner  string `yaml:"owner"`
		Repo   string `yaml:"repo"`
		Branch string `yaml:"branch"`
		Path   string `yaml:"path"`
	} `yaml:"github"`
}

// DefaultRawBase is where files of GitHub repositories are downloaded from.
const DefaultRawBase = "https://raw.githubusercontent.com"

// URL is where the entry's bundle is downloaded from.
func (e IndexEntry) URL() (string, error) { return e.urlFrom(DefaultRawBase, "") }

// urlFrom gives the entry's URL with raw as the GitHub base; a non-empty
// file replaces the entry's path (another file of the same repository).
func (e IndexEntry) urlFrom(raw, file string) (string, error) {
	switch e.Type {
	case "github":
		g := e.GitHub
		if g.Owner == "" || g.Repo == "" || g.Path == "" {
			return "", fmt.Errorf("index entry %q: github owner, repo and path are required", e.Name)
		}
		br := g.Branch
		if br == "" {
			br = "main"
		}
		p := strings.TrimPrefix(g.Path, "/")
		if file != "" {
			p = file
		}
		return fmt.Sprintf("%s/%s/%s/%s/%s", strings.TrimSuffix(raw, "/"), g.Owner, g.Repo, br, p), nil
	case "download":
		if e.DownloadURL == "" {
			return "", fmt.Errorf("index entry %q: download_url is required", e.Name)
		}
		return e.DownloadURL, nil
	}
	return "", fmt.Errorf("index entry %q: unknown type %q", e.Name, e.Type)
}

// source names where the entry comes from ("owner/repo" or the URL's host).
func (e IndexEntry) source(u string) string {
	if e.Type == "github" {
		return e.GitHub.Owner + "/" + e.GitHub.Repo
	}
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return "download"
}

// ParseIndex reads an indicators.yaml index.
func ParseIndex(data []byte) ([]IndexEntry, error) {
	var doc struct {
		Indicators []IndexEntry `yaml:"indicators"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not an indicators index: %w", err)
	}
	if len(doc.Indicators) == 0 {
		return nil, errors.New("not an indicators index: no \"indicators\" entries")
	}
	return doc.Indicators, nil
}

// CacheEntry records one downloaded bundle in the cache manifest.
type CacheEntry struct {
	Name       string   `json:"name"`
	Source     string   `json:"source"`
	URL        string   `json:"url"`
	File       string   `json:"file"` // file name inside the cache folder
	SHA256     string   `json:"sha256"`
	Downloaded string   `json:"downloaded"` // RFC 3339 UTC
	References []string `json:"references,omitempty"`
}

const manifestName = "cache.json"

// DefaultCacheDir is the user's cache folder for indicators
// ($SPYSCAN_CACHE_DIR, else the OS cache dir + /spyscan/indicators).
func DefaultCacheDir() string {
	if d := os.Getenv("SPYSCAN_CACHE_DIR"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "spyscan", "indicators")
}

func readManifest(dir string) ([]CacheEntry, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("indicator cache %s: %w", dir, err)
	}
	var es []CacheEntry
	if err := json.Unmarshal(b, &es); err != nil {
		return nil, fmt.Errorf("indicator cache %s: %w", filepath.Join(dir, manifestName), err)
	}
	return es, nil
}

// loadCache loads what `iocs update` stored; nil when the cache is empty.
// Every cached file is read and hashed at each load; its STIX is parsed
// only when the cache's parsed form (parsedcache.go) does not match what
// was read, and the parsed form is then written again for the next load.
// The parsed form's indicators stay in their stored index, layered over
// the embedded snapshot's (Set.NewIndex), when the set has the snapshot.
func loadCache(_ context.Context, dir, build string, set *Set) (*Source, error) {
	es, err := readManifest(dir)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	base := set.snapshotStored()
	sums, readErrs := hashCacheFiles(dir, es)
	key, keyed := parsedKey(build, es, sums)
	pf, cached := parsedForm{}, false
	if keyed && base != nil {
		pf, cached = readParsed(dir, key, len(es), base)
	}
	if !cached {
		pf.rs, sums, readErrs = parseCacheFiles(dir, es)
		if key, keyed = parsedKey(build, es, sums); keyed && base != nil {
			// A cache folder this user cannot write (a lab's shared cache)
			// only means parsing again at the next load: not a problem to
			// report with the scan's results.
			_ = writeParsed(dir, key, pf.rs, base)
		}
	}
	src := &Source{Name: "update-cache", Kind: Cache, Origin: dir}
	for i, e := range es {
		p := filepath.Join(dir, e.File)
		if err := readErrs[i]; err != nil {
			set.Warnings = append(set.Warnings, fmt.Sprintf("%s: %v", p, err))
			set.Unread = append(set.Unread, model.Problem{Kind: model.KindIndicators, Path: p, Cause: fmt.Sprintf("%s: %v", p, err)})
			continue
		}
		r := pf.rs[i]
		set.Warnings = append(set.Warnings, r.warns...)
		set.unread(p, r)
		if r.file.Path == "" {
			continue
		}
		src.Files = append(src.Files, r.file)
		set.Indicators = append(set.Indicators, r.inds...)
	}
	if pf.st != nil {
		if err := set.layerCache(pf.st, pf.rejects); err != nil {
			return nil, fmt.Errorf("indicator cache %s: %w", dir, err)
		}
	}
	return src, nil
}

// hashCacheFiles is the SHA-256 of each manifest entry's file ("" and the
// error when it cannot be read), read in pieces: the files themselves are
// needed only when the parsed form does not match them.
func hashCacheFiles(dir string, es []CacheEntry) ([]string, []error) {
	sums, errs := make([]string, len(es)), make([]error, len(es))
	buf := make([]byte, 256<<10)
	fsys := os.DirFS(dir)
	for i, e := range es {
		sums[i], errs[i] = hashCapped(fsys, e.File, buf)
	}
	return sums, errs
}

// parseCacheFiles reads and parses each manifest entry's file, and gives
// the SHA-256 of what it read ("" and the error when it could not).
func parseCacheFiles(dir string, es []CacheEntry) ([]loaded, []string, []error) {
	rs, sums, errs := make([]loaded, len(es)), make([]string, len(es)), make([]error, len(es))
	for i, e := range es {
		data, err := readCapped(os.DirFS(dir), e.File)
		if errs[i] = err; err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		sums[i] = hex.EncodeToString(sum[:])
		rs[i] = parseCacheEntry(e, dir, data)
	}
	return rs, sums, errs
}

// parseCacheEntry parses one cached file with the provenance its
// manifest entry gives (download URL and date, report links).
func parseCacheEntry(e CacheEntry, dir string, data []byte) loaded {
	base := model.Provenance{Source: e.Source, URL: e.URL, Date: dateOf(e.Downloaded)}
	r := parseFile(data, e.File, dir, base)
	if r.file.Path == "" {
		return r
	}
	r.file.URL, r.file.Downloaded = e.URL, e.Downloaded
	for i := range r.inds {
		for j := range r.inds[i].Sources {
			r.inds[i].Sources[j].References = append(r.inds[i].Sources[j].References, e.References...)
		}
	}
	return r
}

func dateOf(rfc string) string {
	if t, err := time.Parse(time.RFC3339, rfc); err == nil {
		return t.UTC().Format("2006-01-02")
	}
	return rfc
}

// UpdateOptions controls an update.
type UpdateOptions struct {
	Index    string // URL or file path of the index; "" for DefaultIndexURL
	CacheDir string
	Client   *http.Client // nil: a client with Timeout
	Timeout  time.Duration
	Now      func() time.Time
	Log      *slog.Logger
	RawBase  string // GitHub raw files; "" for DefaultRawBase (tests use a local server)
	// Build is the build identity (Options.Build): when set, the cache's
	// parsed form is written after the update, so that the first scan
	// after it does not parse the bundles either; "" writes none.
	Build string
}

// UpdateResult is the outcome for one index entry.
type UpdateResult struct {
	Entry  CacheEntry
	Err    error // nil when the bundle was fetched, parsed and stored
	Stored bool
}

// Update downloads every bundle the index lists over HTTPS, checks that it
// parses as STIX, and only then atomically replaces the cached copy. A
// failed or corrupt download leaves the previous copy in place.
func Update(ctx context.Context, opt UpdateOptions) ([]UpdateResult, error) {
	if opt.CacheDir == "" {
		return nil, errors.New("no cache folder: set SPYSCAN_CACHE_DIR")
	}
	if opt.Timeout == 0 {
		opt.Timeout = 60 * time.Second
	}
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: opt.Timeout}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Index == "" {
		opt.Index = DefaultIndexURL
	}
	if err := os.MkdirAll(opt.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("indicator cache %s: %w", opt.CacheDir, err)
	}
	raw, err := readIndex(ctx, opt)
	if err != nil {
		return nil, err
	}
	entries, err := ParseIndex(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opt.Index, err)
	}
	old, err := readManifest(opt.CacheDir)
	if err != nil {
		opt.Log.Warn("ignoring unreadable cache manifest", "err", err)
	}
	byFile := map[string]CacheEntry{}
	for _, e := range old {
		byFile[e.File] = e
	}
	var results []UpdateResult
	for _, e := range entries {
		if isEchap(e) {
			rs := fetchEchap(ctx, opt, e)
			for _, r := range rs {
				if r.Stored {
					byFile[r.Entry.File] = r.Entry
				}
			}
			if rs[0].Stored { // the lists replace the bundle generated from them
				for f, old := range byFile {
					if old.Name == e.Name && path.Ext(f) == path.Ext(e.GitHub.Path) {
						delete(byFile, f)
					}
				}
			}
			results = append(results, rs...)
			continue
		}
		r := fetchOne(ctx, opt, e)
		if r.Stored {
			byFile[r.Entry.File] = r.Entry
		}
		results = append(results, r)
	}
	if err := writeManifest(opt.CacheDir, byFile); err != nil {
		return results, err
	}
	if opt.Build != "" {
		// parses the new cache and stores its parsed form (a failure to
		// store it only means the next scan parses)
		if _, err := loadCache(ctx, opt.CacheDir, opt.Build, &Set{}); err != nil {
			opt.Log.Warn("indicator cache not prepared for the next scans", "err", err)
		}
	}
	return results, nil
}

func readIndex(ctx context.Context, opt UpdateOptions) ([]byte, error) {
	if strings.Contains(opt.Index, "://") {
		b, err := download(ctx, opt.Client, opt.Index)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", opt.Index, err)
		}
		return b, nil
	}
	b, err := os.ReadFile(opt.Index)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", opt.Index, err)
	}
	return b, nil
}

func fetchOne(ctx context.Context, opt UpdateOptions, e IndexEntry) UpdateResult {
	u, err := e.URL()
	if err != nil {
		return UpdateResult{Entry: CacheEntry{Name: e.Name}, Err: err}
	}
	ce := CacheEntry{Name: e.Name, Source: e.source(u), URL: u, File: cacheFileName(u), References: e.References}
	return store(opt, ce, u, func() ([]byte, error) { return download(ctx, opt.Client, u) }, func(data []byte) error {
		_, err := stix.Parse(data)
		return err
	})
}

// EchapFiles are the lists of Echap's stalkerware-indicators that spyscan
// reads instead of the STIX bundle generated from them.
var EchapFiles = []string{"ioc.yaml", "watchware.yaml", "samples.csv"}

// isEchap tells the index entry of Echap's repository.
func isEchap(e IndexEntry) bool {
	return e.Type == "github" && strings.EqualFold(e.GitHub.Owner, "AssoEchap") && strings.EqualFold(e.GitHub.Repo, "stalkerware-indicators")
}

// fetchEchap downloads Echap's lists, each checked to parse (with at least
// one indicator) before it replaces the cached copy. The first result is
// ioc.yaml's.
func fetchEchap(ctx context.Context, opt UpdateOptions, e IndexEntry) []UpdateResult {
	raw := opt.RawBase
	if raw == "" {
		raw = DefaultRawBase
	}
	var out []UpdateResult
	for _, name := range EchapFiles {
		u, err := e.urlFrom(raw, name)
		if err != nil {
			return []UpdateResult{{Entry: CacheEntry{Name: e.Name}, Err: err}}
		}
		ce := CacheEntry{Name: e.Name, Source: e.source(u), URL: u, File: cacheFileName(u), References: e.References}
		out = append(out, store(opt, ce, u, func() ([]byte, error) { return download(ctx, opt.Client, u) }, func(data []byte) error {
			var f File
			parse := ParseEchapYAML
			if path.Ext(name) == ".csv" {
				parse = ParseEchapSamples
			}
			inds, _, err := parse(data, model.Provenance{}, &f)
			if err == nil && len(inds) == 0 {
				err = errors.New("no indicators")
			}
			return err
		}))
	}
	return out
}

// store downloads, validates and atomically writes one cache file.
func store(opt UpdateOptions, ce CacheEntry, u string, get func() ([]byte, error), valid func([]byte) error) UpdateResult {
	data, err := get()
	if err != nil {
		return UpdateResult{Entry: ce, Err: fmt.Errorf("%s: %w", u, err)}
	}
	if err := valid(data); err != nil {
		return UpdateResult{Entry: ce, Err: fmt.Errorf("%s: downloaded file kept out of the cache: %w", u, err)}
	}
	sum := sha256.Sum256(data)
	ce.SHA256 = hex.EncodeToString(sum[:])
	ce.Downloaded = opt.Now().UTC().Format(time.RFC3339)
	if err := writeAtomic(filepath.Join(opt.CacheDir, ce.File), data); err != nil {
		return UpdateResult{Entry: ce, Err: err}
	}
	opt.Log.Info("indicators updated", "name", ce.Name, "url", u, "sha256", ce.SHA256)
	return UpdateResult{Entry: ce, Stored: true}
}

// cacheFileName derives a stable, safe file name from a URL.
func cacheFileName(u string) string {
	h := sha256.Sum256([]byte(u))
	base := filepath.Base(u)
	var b strings.Builder
	for _, r := range base {
		if r < 128 && (r == '.' || r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	return hex.EncodeToString(h[:6]) + "-" + strings.TrimLeft(b.String(), ".")
}

// download fetches an HTTPS URL, refusing other schemes and large bodies.
func download(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	if pu.Scheme != "https" {
		return nil, fmt.Errorf("refusing %q: only https downloads are allowed", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "spyscan-iocs-update")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDownload {
		return nil, fmt.Errorf("larger than %d bytes", maxDownload)
	}
	return b, nil
}

// writeAtomic writes data to a temp file beside p, syncs it and renames it.
func writeAtomic(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func writeManifest(dir string, byFile map[string]CacheEntry) error {
	es := make([]CacheEntry, 0, len(byFile))
	for _, e := range byFile {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].File < es[j].File })
	b, err := json.MarshalIndent(es, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, manifestName), append(b, '\n'))
}
