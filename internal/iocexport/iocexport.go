// Package iocexport writes the loaded indicators for network sensors that
// watch traffic too large for one machine: a Zeek Intel framework file
// (zeek.go) and Suricata rules with their datasets and hash lists
// (suricata.go). Both carry each indicator's provenance (source, file,
// commit, family, STIX id, reference) so that a sensor's hit can be traced
// back, and both are deterministic: the same indicators give the same
// bytes.
//
// The formats follow their engines' documentation and parsers: Zeek's
// base/frameworks/intel (Intel::Type, MetaData) read by its ASCII input
// reader; Suricata's rule grammar, sticky buffers (dns.query, tls.sni,
// http.host...), transforms and datasets. Where an engine cannot express
// spyscan's matching rule the difference is said in the file's header
// (Zeek matches domains exactly; Suricata's domain rules keep spyscan's
// label-boundary rule).
package iocexport

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// Kind is the normalised form of an exported value.
type Kind string

// Exported value kinds.
const (
	KindDomain   Kind = "domain"    // host name; matches its subdomains in spyscan
	KindHostPath Kind = "host-path" // domain indicator with a path: host + path prefix
	KindIP       Kind = "ip"
	KindURL      Kind = "url" // normalised URL, scheme included
	KindEmail    Kind = "email"
	KindFileHash Kind = "file-hash" // md5, sha1 or sha256 of a file, lower-case hex
	KindFileName Kind = "file-name"
	KindCertSHA1 Kind = "tls-cert-sha1"
	KindCertSHA2 Kind = "tls-cert-sha256"
	KindJA3      Kind = "ja3"
	KindJA4      Kind = "ja4"
)

// Entry is one distinct exported value with every source that lists it.
type Entry struct {
	Kind     Kind
	Type     match.Type // the indicator type it came from
	Value    string
	Host     string // KindHostPath, KindURL: the host
	Path     string // KindHostPath, KindURL: the path (with the query, for URLs)
	Scheme   string // KindURL
	Partial  bool   // only ever seen as one term of an AND pattern
	Sources  []model.Provenance
	HashType string // KindFileHash: "md5", "sha1" or "sha256"
}

// Collection is what a set of indicators gives for export.
type Collection struct {
	Entries []Entry
	// NotNetwork counts indicators of types no network sensor sees
	// (processes, device paths, app ids...), by type.
	NotNetwork map[match.Type]int
	// Unusable counts values that could not be normalised, by type.
	Unusable map[match.Type]int
	// Origins maps a source name to its origin (repository URL or path).
	Origins map[string]string
	// Header lines describing the sources.
	Header []string
}

// Collect normalises and merges the indicators of set: one entry per kind
// and value, sorted, with the sources of every indicator that gave it.
func Collect(set *indicators.Set) (*Collection, error) {
	all, err := set.All()
	if err != nil {
		return nil, err
	}
	c := &Collection{NotNetwork: map[match.Type]int{}, Unusable: map[match.Type]int{}, Origins: map[string]string{}}
	for _, s := range set.Sources {
		c.Origins[s.Name] = s.Origin
		line := fmt.Sprintf("%s: %d indicators", s.Name, s.Indicators())
		if s.Origin != "" {
			line += " from " + s.Origin
		}
		if s.Commit != "" {
			line += " at commit " + s.Commit
		}
		if s.Date != "" {
			line += " (" + s.Date + ")"
		}
		if s.License != "" {
			line += ", licence " + s.License
		}
		c.Header = append(c.Header, line)
	}
	byKey := map[string]*Entry{}
	for _, in := range all {
		e, ok := normalise(in)
		if !ok {
			if e.Type == "" {
				c.NotNetwork[in.Type]++
			} else {
				c.Unusable[in.Type]++
			}
			continue
		}
		k := string(e.Kind) + "\x00" + e.Value
		have := byKey[k]
		if have == nil {
			e.Partial = in.Partial
			byKey[k] = &e
			continue
		}
		have.Partial = have.Partial && in.Partial
		have.Sources = mergeSources(have.Sources, in.Sources)
	}
	for _, e := range byKey {
		slices.SortFunc(e.Sources, func(a, b model.Provenance) int {
			return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Family, b.Family),
				cmp.Compare(a.File, b.File), cmp.Compare(a.IndicatorID, b.IndicatorID))
		})
		c.Entries = append(c.Entries, *e)
	}
	slices.SortFunc(c.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return c, nil
}

func mergeSources(have, add []model.Provenance) []model.Provenance {
	for _, p := range add {
		if !slices.ContainsFunc(have, func(q model.Provenance) bool {
			return q.Source == p.Source && q.File == p.File && q.Family == p.Family && q.IndicatorID == p.IndicatorID
		}) {
			have = append(have, p)
		}
	}
	return have
}

// normalise gives the exported form of one indicator. ok is false when the
// indicator is not exported; e.Type is then set only when the value was
// unusable (as opposed to a type no sensor sees).
func normalise(in match.Indicator) (e Entry, ok bool) {
	v := strings.TrimSpace(in.Value)
	e = Entry{Type: in.Type, Sources: append([]model.Provenance(nil), in.Sources...)}
	switch in.Type {
	case match.Domain:
		host, path := v, ""
		if strings.Contains(v, "://") {
			_, host, _, path = match.SplitURL(v)
		} else if i := strings.IndexByte(v, '/'); i >= 0 {
			host, path = v[:i], v[i:]
		}
		host = match.NormalizeHost(host)
		if host == "" || strings.ContainsAny(host, "\"';\\|,") {
			return e, false
		}
		if a, err := netip.ParseAddr(host); err == nil && (path == "" || path == "/") {
			e.Kind, e.Value = KindIP, a.String()
			return e, true
		}
		if !strings.Contains(host, ".") {
			return e, false // one label: a top-level domain or a typo, never a registered name
		}
		if path != "" && path != "/" {
			e.Kind, e.Host, e.Path, e.Value = KindHostPath, host, path, host+path
			return e, true
		}
		e.Kind, e.Value = KindDomain, host
	case match.IP:
		a, err := netip.ParseAddr(strings.Trim(v, "[]"))
		if err != nil {
			return e, false
		}
		e.Kind, e.Value = KindIP, a.Unmap().String()
	case match.URL:
		n := match.NormalizeURL(v)
		if n == "" {
			return e, false
		}
		scheme, rest, _ := strings.Cut(n, "://")
		host, path := rest, "/"
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			host, path = rest[:i], rest[i:]
		}
		if path[0] == '?' {
			path = "/" + path
		}
		if hostName(host) == "" {
			return e, false
		}
		e.Kind, e.Value, e.Scheme, e.Host, e.Path = KindURL, n, scheme, host, path
	case match.Email:
		if !strings.Contains(v, "@") {
			return e, false
		}
		e.Kind, e.Value = KindEmail, strings.ToLower(v)
	case match.FileSHA256, match.FileSHA1, match.FileMD5:
		h := strings.ToLower(v)
		n := map[match.Type]int{match.FileSHA256: 64, match.FileSHA1: 40, match.FileMD5: 32}[in.Type]
		if len(h) != n || !isHex(h) {
			return e, false
		}
		e.Kind, e.Value, e.HashType = KindFileHash, h, string(in.Type)
	case match.FileName:
		if strings.ContainsAny(v, "/\\") || v == "" {
			e.Type = "" // a device path, not a transferred file's name
			return e, false
		}
		e.Kind, e.Value = KindFileName, v
	case match.TLSCertSHA1, match.TLSCertSHA256:
		h := strings.ToLower(strings.ReplaceAll(v, ":", ""))
		want, kind := 40, KindCertSHA1
		if in.Type == match.TLSCertSHA256 {
			want, kind = 64, KindCertSHA2
		}
		if len(h) != want || !isHex(h) {
			return e, false
		}
		e.Kind, e.Value = kind, h
	case match.JA3:
		h := strings.ToLower(v)
		if len(h) != 32 || !isHex(h) {
			return e, false
		}
		e.Kind, e.Value = KindJA3, h
	case match.JA4:
		if v == "" || strings.ContainsFunc(v, func(r rune) bool { return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') }) {
			return e, false
		}
		e.Kind, e.Value = KindJA4, v
	default:
		e.Type = ""
		return e, false
	}
	return e, true
}

// hostName returns the name or address of a URL's host[:port], without
// port or brackets, or "" when it is not a usable host.
func hostName(host string) string {
	if a, err := netip.ParseAddrPort(host); err == nil {
		return a.Addr().String()
	}
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return a.String()
	}
	h := match.NormalizeHost(host)
	if h == "" || strings.ContainsAny(h, "\"';\\|,[] ") {
		return ""
	}
	return h
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// families returns the distinct families of the sources, or "unknown family".
func families(ps []model.Provenance) string {
	var out []string
	for _, p := range ps {
		if p.Family != "" && !slices.Contains(out, p.Family) {
			out = append(out, p.Family)
		}
	}
	if len(out) == 0 {
		return "unknown family"
	}
	return strings.Join(out, ", ")
}

// bySource groups provenance by source name, in order.
func bySource(ps []model.Provenance) [][]model.Provenance {
	var out [][]model.Provenance
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1][0].Source == p.Source {
			out[n-1] = append(out[n-1], p)
			continue
		}
		out = append(out, []model.Provenance{p})
	}
	return out
}

// where describes one provenance: file, commit or date, STIX id.
func where(p model.Provenance) string {
	s := p.File
	switch {
	case p.Commit != "":
		c := p.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " @ " + c
	case p.Date != "":
		s += " (" + p.Date + ")"
	}
	if p.IndicatorID != "" {
		s += " " + p.IndicatorID
	}
	return strings.TrimSpace(s)
}

// referenceURL is the first report link of the sources, else the download
// URL, else the source's origin when it is a URL.
func (c *Collection) referenceURL(ps []model.Provenance) string {
	for _, p := range ps {
		for _, r := range p.References {
			if strings.HasPrefix(r, "https://") || strings.HasPrefix(r, "http://") {
				return r
			}
		}
	}
	for _, p := range ps {
		if p.URL != "" {
			return p.URL
		}
	}
	for _, p := range ps {
		if o := c.Origins[p.Source]; strings.HasPrefix(o, "https://") {
			return o
		}
	}
	return ""
}

// Summary counts what was written, by output kind.
type Summary struct {
	Written    map[string]int     // "Intel::DOMAIN" or "dns.query rule"... -> count
	Skipped    map[Kind]int       // exported kinds the format cannot express
	NotNetwork map[match.Type]int // indicator types no sensor sees
	Unusable   map[match.Type]int
}

func newSummary(c *Collection) Summary {
	return Summary{Written: map[string]int{}, Skipped: map[Kind]int{}, NotNetwork: c.NotNetwork, Unusable: c.Unusable}
}
