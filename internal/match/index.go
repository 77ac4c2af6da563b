package match

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// entry is one indexed indicator value with all its sources merged.
type entry struct {
	typ     Type
	value   string // normalised value as indexed
	partial bool
	sources []model.Provenance
}

func (e *entry) match(observed, how string) model.Match {
	return model.Match{Type: string(e.typ), Observed: observed, Indicator: e.value, How: how, Partial: e.partial, Sources: e.sources}
}

type pathPrefix struct {
	prefix string // "/x" part of a "host/x" domain indicator
	e      *entry
}

// Index answers "does this value match an indicator?" for every type.
// It is safe for concurrent use once built.
type Index struct {
	domains     map[string]*entry       // label-boundary suffix match
	domFilter   suffixFilter            // pre-check in front of domains
	singleLabel bool                    // some domain indicator has no dot
	wwwBare     map[string]*entry       // bare form of "www." indicators: exact host only
	domainPaths map[string][]pathPrefix // "host/path" indicators, by host
	ips         map[netip.Addr]*entry
	urls        map[string]*entry // normalised URL, exact
	emails      map[string]*entry
	procs       map[string]*entry
	procTrunc   [2]map[string][]*entry // indicators longer than 15/16 chars by their first 15/16
	fileNames   map[string]*entry
	filePaths   map[string]*entry
	pathLens    lengths                    // of the filePaths keys: the prefixes worth looking up
	exact       map[Type]map[string]*entry // hashes, app ids, profiles, properties, JA3/JA4
	count       map[Type]int
	total       int
	// st is the stored index under the maps, or nil (see stored.go): a
	// look-up asks the maps, then st.
	st *stored
}

// exactTypes lists the exact-match types compared case-insensitively.
var exactTypes = [...]Type{FileSHA256, FileSHA1, FileMD5, AppID, AppCertSHA256, AppCertSHA1,
	AppCertMD5, TLSCertSHA256, TLSCertSHA1, Profile, AndroidProperty, JA3, JA4}

// NewIndex builds an index. The same value listed by several indicators or
// sources becomes one entry that keeps every source. Values that cannot be
// normalised (an empty host, say) are skipped and returned as rejects.
func NewIndex(inds []Indicator) (*Index, []Indicator) { return newIndex(nil, inds) }

// newIndex builds the maps of inds over the stored index st (nil for none).
// A value also in st gets a map entry that starts as a copy of st's and
// merges inds' sources into it, as NewIndex over st's list then inds would;
// the counts count it once.
func newIndex(st *stored, inds []Indicator) (*Index, []Indicator) {
	// The maps are sized from the indicators' types up front: growing them
	// one doubling at a time was most of the index's build time.
	n := map[Type]int{}
	for i := range inds {
		n[inds[i].Type]++
	}
	ix := &Index{
		domains: make(map[string]*entry, n[Domain]), wwwBare: map[string]*entry{}, domainPaths: map[string][]pathPrefix{},
		ips: make(map[netip.Addr]*entry, n[IP]), urls: make(map[string]*entry, n[URL]), emails: make(map[string]*entry, n[Email]),
		procs: make(map[string]*entry, n[Process]), procTrunc: [2]map[string][]*entry{{}, {}},
		fileNames: make(map[string]*entry, n[FileName]), filePaths: make(map[string]*entry, n[FilePath]),
		exact: map[Type]map[string]*entry{}, count: map[Type]int{}, st: st,
	}
	if st != nil {
		for i, t := range storedTypes {
			if c := st.counts[i]; c > 0 {
				ix.count[t] = int(c)
			}
		}
		ix.total, ix.singleLabel = st.total, st.singleLabel
	}
	for _, t := range exactTypes {
		ix.exact[t] = make(map[string]*entry, n[t])
	}
	var rejects []Indicator
	for _, in := range inds {
		if !ix.add(in) {
			rejects = append(rejects, in)
		}
	}
	ix.domFilter = newSuffixFilter(ix.domains)
	for d := range ix.domains {
		if ix.singleLabel {
			break
		}
		if !strings.Contains(d, ".") {
			ix.singleLabel = true
			break
		}
	}
	return ix, rejects
}

// put merges an indicator into m (the image of stored table tab) under
// key, creating the entry if needed.
func (ix *Index) put(m map[string]*entry, tab int, key string, in Indicator, t Type) *entry {
	e := m[key]
	if e == nil {
		if e = ix.st.copyEntry(tab, key); e == nil {
			e = &entry{typ: t, value: key, partial: in.Partial}
			ix.count[t]++
			ix.total++
		}
		m[key] = e
	}
	if !in.Partial {
		e.partial = false
	}
	e.sources = mergeSources(e.sources, in.Sources)
	return e
}

func mergeSources(have, add []model.Provenance) []model.Provenance {
	if len(have) == 0 && len(add) == 1 {
		return add[:1:1] // shared, not copied: an append to it copies it first
	}
	for _, p := range add {
		if !slices.ContainsFunc(have, func(q model.Provenance) bool {
			return q.Source == p.Source && q.File == p.File && q.Family == p.Family && q.IndicatorID == p.IndicatorID
		}) {
			have = append(have, p)
		}
	}
	return have
}

func (ix *Index) add(in Indicator) bool {
	v := strings.TrimSpace(in.Value)
	if v == "" {
		return false
	}
	switch in.Type {
	case Domain:
		return ix.addDomain(v, in)
	case IP:
		a, ok := parseIP(v)
		if !ok {
			return false
		}
		ix.putIP(a, in)
	case URL:
		n := NormalizeURL(v)
		if n == "" {
			return false
		}
		ix.put(ix.urls, tabURLs, n, in, URL)
	case Email:
		ix.put(ix.emails, tabEmails, normEmail(v), in, Email)
	case Process:
		ix.addProcess(v, in)
	case FileName:
		ix.put(ix.fileNames, tabFileNames, v, in, FileName)
	case FilePath:
		key := strings.TrimRight(v, "/")
		ix.put(ix.filePaths, tabFilePaths, key, in, FilePath)
		ix.pathLens.add(len(key))
	default:
		m, ok := ix.exact[in.Type]
		if !ok {
			return false
		}
		ix.put(m, exactTab(in.Type), strings.ToLower(v), in, in.Type)
	}
	return true
}

func (ix *Index) putIP(a netip.Addr, in Indicator) {
	e := ix.ips[a]
	if e == nil {
		if se := ix.st.ip(a); se != nil {
			e = &entry{typ: se.typ, value: se.value, partial: se.partial, sources: slices.Clip(se.sources)}
		} else {
			e = &entry{typ: IP, value: a.String(), partial: in.Partial}
			ix.count[IP]++
			ix.total++
		}
		ix.ips[a] = e
	}
	e.sources = mergeSources(e.sources, in.Sources)
}

func (ix *Index) addDomain(v string, in Indicator) bool {
	host, path := v, ""
	if strings.Contains(v, "://") {
		_, host, _, path = SplitURL(v)
	} else if i := strings.IndexByte(v, '/'); i >= 0 {
		host, path = v[:i], v[i:]
	}
	host = NormalizeHost(host)
	if host == "" {
		return false
	}
	if a, ok := parseIP(host); ok && path == "" {
		ix.putIP(a, in) // feeds list IP literals as domain-name values
		return true
	}
	if path != "" && path != "/" {
		list, ok := ix.domainPaths[host]
		if !ok {
			list = ix.storedPaths(host)
		}
		for _, pp := range list {
			if pp.prefix == path {
				pp.e.sources = mergeSources(pp.e.sources, in.Sources)
				ix.domainPaths[host] = list
				return true
			}
		}
		e := &entry{typ: Domain, value: host + path, partial: in.Partial, sources: mergeSources(nil, in.Sources)}
		ix.domainPaths[host] = append(list, pathPrefix{prefix: path, e: e})
		ix.count[Domain]++
		ix.total++
		return true
	}
	e := ix.put(ix.domains, tabDomains, host, in, Domain)
	if bare, ok := strings.CutPrefix(host, "www."); ok && strings.Contains(bare, ".") {
		if ix.wwwBare[bare] == nil {
			ix.wwwBare[bare] = e
		}
	}
	return true
}

func (ix *Index) addProcess(v string, in Indicator) {
	e := ix.put(ix.procs, tabProcs, v, in, Process)
	for i, n := range [2]int{15, 16} {
		if len(v) > n {
			k := v[:n]
			list, ok := ix.procTrunc[i][k]
			if !ok {
				list = ix.storedTruncated(i, k)
			}
			if !slices.Contains(list, e) {
				list = append(list, e)
			}
			ix.procTrunc[i][k] = list
		}
	}
}

// storedPaths copies the stored host-path list of host (entries copied,
// to merge into), or nil.
func (ix *Index) storedPaths(host string) []pathPrefix {
	var out []pathPrefix
	for _, pp := range ix.st.hostPaths(host) {
		e := *pp.e
		e.sources = slices.Clip(e.sources)
		out = append(out, pathPrefix{prefix: pp.prefix, e: &e})
	}
	return out
}

// storedTruncated is the stored list of truncated-name key k (i 0: 15
// characters, 1: 16) as the maps' process entries, each entered into the
// maps from the stored one if not there yet.
func (ix *Index) storedTruncated(i int, k string) []*entry {
	var out []*entry
	for _, se := range ix.st.truncated(i, k) {
		e := ix.procs[se.value]
		if e == nil {
			e = &entry{typ: se.typ, value: se.value, partial: se.partial, sources: slices.Clip(se.sources)}
			ix.procs[se.value] = e
		}
		out = append(out, e)
	}
	return out
}

func normEmail(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	return lowerASCII(v)
}

// Len is the number of distinct indexed values.
func (ix *Index) Len() int { return ix.total }

// Count is the number of distinct indexed values of one type.
func (ix *Index) Count(t Type) int { return ix.count[t] }

// lengths is a set of string lengths: a look-up of a string whose length
// no key has is skipped (a path is looked up once per folder above it, and
// path indicators have few lengths).
type lengths []uint64

func (l *lengths) add(n int) {
	for len(*l) <= n/64 {
		*l = append(*l, 0)
	}
	(*l)[n/64] |= 1 << (n % 64)
}

func (l lengths) has(n int) bool { return n/64 < len(l) && l[n/64]&(1<<(n%64)) != 0 }
