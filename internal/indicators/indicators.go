// Package indicators owns where indicators come from: the snapshot embedded
// in the binary, the user's cache filled by `spyscan iocs update`, and files
// or folders given with --iocs or SPYSCAN_IOCS. It turns STIX bundles into
// match.Indicators that each carry their provenance (source, file, commit or
// download date, malware family).
package indicators

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/stix"
)

// Kind says how a source was given.
type Kind string

// Source kinds.
const (
	Embedded Kind = "embedded"
	Cache    Kind = "cache"
	Path     Kind = "path"
)

// File is one indicator file that was loaded.
type File struct {
	Path       string             `json:"path"` // relative to the source root
	SHA256     string             `json:"sha256"`
	URL        string             `json:"url,omitempty"`
	Downloaded string             `json:"downloaded,omitempty"` // RFC 3339, cache only
	Indicators int                `json:"indicators"`
	Families   []string           `json:"families,omitempty"`
	Counts     map[match.Type]int `json:"counts"`
}

// Source is one origin of indicators.
type Source struct {
	Name    string `json:"name"`
	Kind    Kind   `json:"kind"`
	Title   string `json:"title,omitempty"`
	Origin  string `json:"origin,omitempty"` // repository URL, cache or folder path
	Commit  string `json:"commit,omitempty"`
	Date    string `json:"date,omitempty"`
	License string `json:"license,omitempty"`
	Files   []File `json:"files"`
}

// Indicators is the number of indicator objects across the source's files.
func (s *Source) Indicators() int {
	n := 0
	for _, f := range s.Files {
		n += f.Indicators
	}
	return n
}

// Set is every loaded indicator with its sources.
type Set struct {
	Sources []Source
	// Indicators are those read at run time (--iocs and SPYSCAN_IOCS
	// paths, and the update cache's when they were parsed), not the
	// embedded snapshot's nor the update cache's parsed form's: those stay
	// in their stored indexes until All decodes them. Match with Index or
	// NewIndex, list with All.
	Indicators []match.Indicator
	// Warnings name the file and the reason for everything skipped.
	Warnings []string
	// Unread are the indicator files (of --iocs, SPYSCAN_IOCS or the
	// update cache) that could not be used at all: unreadable, too large,
	// not a STIX bundle. A scan with any is inconclusive.
	Unread []model.Problem
	// Notes are the same for the embedded snapshot: known oddities of the
	// public data (SOURCES.md lists them) that a user cannot act on.
	Notes []string

	embedded embedded
}

// Digest identifies the indicator snapshot: a SHA-256 over every loaded
// file's source, path and content hash.
func (s *Set) Digest() string {
	var lines []string
	for _, src := range s.Sources {
		for _, f := range src.Files {
			lines = append(lines, src.Name+"\x00"+f.Path+"\x00"+f.SHA256)
		}
	}
	sort.Strings(lines)
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(h[:])
}

// embedded is the embedded snapshot's stored index and its rejects
// (values NewIndex leaves out), when the set has it, and the update
// cache's parsed form layered over it, when the cache was read from it.
type embedded struct {
	stored  *match.Stored
	rejects []match.Indicator
	// cache is the update cache's indicators (not in Set.Indicators),
	// stored over stored; cacheRejects are its rejects.
	cache        *match.Stored
	cacheRejects []match.Indicator
}

// snapshotStored is the embedded snapshot's stored index, the base of the
// update cache's parsed form: the set's, else opened here (a load without
// the snapshot still keeps the parsed form over it); nil if it is corrupt.
func (s *Set) snapshotStored() *match.Stored {
	if s.embedded.stored != nil {
		return s.embedded.stored
	}
	c, err := decodeCompiled(compiledSnapshot)
	if err != nil {
		return nil
	}
	return c.Stored
}

// layerCache takes in the update cache's parsed form: layered under the
// run-time indicators when the set has the embedded snapshot, else decoded
// into Indicators (its tables hold the snapshot's entries merged in).
func (s *Set) layerCache(st *match.Stored, rejects []match.Indicator) error {
	if s.embedded.stored != nil {
		s.embedded.cache, s.embedded.cacheRejects = st, rejects
		return nil
	}
	inds, err := st.Indicators()
	if err != nil {
		return err
	}
	s.Indicators = append(s.Indicators, inds...)
	return nil
}

// NewIndex builds the match index of the set: the embedded snapshot's
// stored index (when loaded), the update cache's parsed form over it (when
// used), with the run-time indicators on top. It matches exactly as
// match.NewIndex over All would. The rejects are the values that could not
// be indexed, in All's order.
func (s *Set) NewIndex() (*match.Index, []match.Indicator) {
	e := &s.embedded
	if e.stored == nil {
		return match.NewIndex(s.Indicators)
	}
	top := e.stored
	if e.cache != nil {
		top = e.cache
	}
	ix, rejects := top.Index(s.Indicators)
	if len(e.rejects)+len(e.cacheRejects) == 0 {
		return ix, rejects
	}
	return ix, slices.Concat(e.rejects, e.cacheRejects, rejects)
}

// Index is NewIndex without the rejects.
func (s *Set) Index() *match.Index {
	ix, _ := s.NewIndex()
	return ix
}

// All is every loaded indicator in load order: the embedded snapshot's and
// the update cache's parsed form's (decoded here), then the run-time ones.
func (s *Set) All() ([]match.Indicator, error) {
	if s.embedded.stored == nil {
		return s.Indicators, nil
	}
	all, err := s.embedded.stored.Indicators()
	if err != nil {
		return nil, fmt.Errorf("embedded snapshot: %w", err)
	}
	if s.embedded.cache != nil {
		c, err := s.embedded.cache.Indicators()
		if err != nil {
			return nil, fmt.Errorf("update cache: %w", err)
		}
		all = append(all, c...)
	}
	return append(all, s.Indicators...), nil
}

// Len is the number of loaded indicators (All's length).
func (s *Set) Len() int {
	n := len(s.Indicators)
	for _, st := range []*match.Stored{s.embedded.stored, s.embedded.cache} {
		if st != nil {
			n += st.Len()
		}
	}
	return n
}

// typeOf maps a STIX object path to an indicator type.
func typeOf(c stix.Comparison) (match.Type, bool) {
	switch c.Path() {
	case "domain-name:value":
		return match.Domain, true
	case "ipv4-addr:value", "ipv6-addr:value":
		return match.IP, true
	case "url:value":
		return match.URL, true
	case "email-addr:value", "email-message:from_ref.value", "email-message:sender_ref.value":
		return match.Email, true
	case "process:name", "process:image_ref.name":
		return match.Process, true
	case "file:name":
		return match.FileName, true
	case "file:path":
		return match.FilePath, true
	case "file:hashes.sha256", "file:hashes.sha-256":
		return match.FileSHA256, true
	case "file:hashes.sha1", "file:hashes.sha-1":
		return match.FileSHA1, true
	case "file:hashes.md5":
		return match.FileMD5, true
	case "app:id":
		return match.AppID, true
	case "app:cert.sha256", "app:cert.sha-256":
		return match.AppCertSHA256, true
	case "app:cert.sha1", "app:cert.sha-1":
		return match.AppCertSHA1, true
	case "app:cert.md5":
		return match.AppCertMD5, true
	case "x509-certificate:hashes.sha256", "x509-certificate:hashes.sha-256":
		return match.TLSCertSHA256, true
	case "x509-certificate:hashes.sha1", "x509-certificate:hashes.sha-1":
		return match.TLSCertSHA1, true
	case "configuration-profile:id":
		return match.Profile, true
	case "android-property:name":
		return match.AndroidProperty, true
	case "x-ja3:value", "network-traffic:extensions.'x-ja3'.value", "ja3:value":
		return match.JA3, true
	case "x-ja4:value", "ja4:value":
		return match.JA4, true
	}
	return "", false
}

// fromBundle converts a parsed bundle into indicators with provenance base,
// filling the file's counts. Unknown pattern forms become warnings.
func fromBundle(b *stix.Bundle, base model.Provenance, f *File) ([]match.Indicator, []string) {
	var out []match.Indicator
	var warns []string
	fams := map[string]bool{}
	f.Counts = map[match.Type]int{}
	for _, in := range b.Indicators {
		var got []match.Indicator
		for _, c := range in.Comparisons {
			t, ok := typeOf(c)
			if !ok {
				warns = append(warns, fmt.Sprintf("%s: unsupported pattern form %s", in.ID, c.Path()))
				continue
			}
			got = append(got, match.Indicator{Type: t, Value: c.Value, Partial: c.InAnd})
		}
		if len(got) == 0 {
			continue
		}
		f.Indicators++
		families := in.Families
		if len(families) == 0 {
			families = []string{""}
		}
		for _, g := range got {
			f.Counts[g.Type]++
			for _, fam := range families {
				p := base
				p.IndicatorID, p.Pattern, p.Family, p.References = in.ID, in.Pattern, fam, in.References
				g.Sources = append(g.Sources, p)
				if fam != "" {
					fams[fam] = true
				}
			}
			out = append(out, g)
		}
	}
	for k := range fams {
		f.Families = append(f.Families, k)
	}
	sort.Strings(f.Families)
	return out, warns
}
