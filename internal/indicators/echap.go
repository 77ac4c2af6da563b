package indicators

import (
	"bytes"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// Echap's stalkerware-indicators repository publishes its indicators as
// YAML lists (ioc.yaml for stalkerware, watchware.yaml for watch and
// tracker apps) and a CSV of APK samples (samples.csv); its STIX bundle is
// generated from them, and was last published whole in 2023. spyscan reads
// the lists themselves, so nothing published is left out: packages (and
// iOS bundle ids) are app ids, websites, distribution hosts and C2 domains
// are domains, C2 addresses (under "ips", or the misspelled "ip") are IP
// addresses, certificates are APK signing-certificate SHA-1s, and each
// sample gives an APK SHA-256, its package and its certificate. Every
// indicator keeps the same provenance fields as a STIX one: the pattern it
// stands for, a stable indicator id derived from it, and the app's name as
// its family ("name (watchware)" for watchware).

// MaxEchapFile bounds an Echap YAML or CSV file (the current ones are
// under 400 kB). A variable only so that tests can lower it.
var MaxEchapFile = 32 << 20

// EchapEntry is one app of ioc.yaml or watchware.yaml.
type EchapEntry struct {
	Name         string   `yaml:"name"`
	Names        []string `yaml:"names"`
	Type         string   `yaml:"type"`
	Packages     []string `yaml:"packages"`
	IOSBundles   []string `yaml:"ios_bundles"`
	Certificates []string `yaml:"certificates"`
	Websites     []string `yaml:"websites"`
	Distribution []string `yaml:"distribution"`
	C2           struct {
		Domains []string `yaml:"domains"`
		IPs     []string `yaml:"ips"`
		IP      []string `yaml:"ip"` // misspelling found in two entries
	} `yaml:"c2"`
}

// errNotEchap marks a file that is not in Echap's format (an index, some
// other YAML or CSV): it is skipped without a warning.
var errNotEchap = errors.New("not an Echap indicator list")

// echapSet accumulates indicators, one per (type, value), with every family
// that lists the value.
type echapSet struct {
	base  model.Provenance
	byKey map[string]*match.Indicator
	order []string
	fams  map[string]bool
	warns []string
}

func newEchapSet(base model.Provenance) *echapSet {
	return &echapSet{base: base, byKey: map[string]*match.Indicator{}, fams: map[string]bool{}}
}

// stixPath is the STIX object path each type stands for in the pattern.
var stixPath = map[match.Type]string{
	match.AppID: "app:id", match.Domain: "domain-name:value", match.IP: "ipv4-addr:value",
	match.AppCertSHA1: "app:cert.sha1", match.FileSHA256: "file:hashes.sha256",
}

func (s *echapSet) add(t match.Type, v, family string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	orig := v
	switch t {
	case match.Domain:
		v = strings.ToLower(strings.TrimSuffix(v, "."))
	case match.AppCertSHA1, match.FileSHA256:
		v = strings.ToLower(v)
		if _, err := hex.DecodeString(v); err != nil || (t == match.AppCertSHA1 && len(v) != 40) || (t == match.FileSHA256 && len(v) != 64) {
			s.warns = append(s.warns, fmt.Sprintf("%s: %q is not a valid %s, skipped", family, orig, t))
			return
		}
	case match.IP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			s.warns = append(s.warns, fmt.Sprintf("%s: C2 address %q is not an IP address, kept as a domain", family, v))
			t = match.Domain
		} else if a.Is6() {
			v = a.String()
		}
	}
	path := stixPath[t]
	if t == match.IP && strings.Contains(v, ":") {
		path = "ipv6-addr:value"
	}
	pattern := fmt.Sprintf("[%s='%s']", path, v)
	key := string(t) + "\x00" + v
	in := s.byKey[key]
	if in == nil {
		in = &match.Indicator{Type: t, Value: v}
		s.byKey[key] = in
		s.order = append(s.order, key)
	}
	for _, p := range in.Sources {
		if p.Family == family {
			return
		}
	}
	p := s.base
	p.Pattern, p.Family, p.IndicatorID = pattern, family, stableID(pattern)
	in.Sources = append(in.Sources, p)
	s.fams[family] = true
}

// stableID is a STIX-shaped id derived from the pattern (a name-based UUID,
// version 5 layout), so it is the same in every build and update.
func stableID(pattern string) string {
	h := sha1.Sum([]byte("spyscan/echap\x00" + pattern))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return "indicator--" + x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func (s *echapSet) result(f *File) []match.Indicator {
	out := make([]match.Indicator, 0, len(s.order))
	f.Counts = map[match.Type]int{}
	for _, k := range s.order {
		in := s.byKey[k]
		out = append(out, *in)
		f.Counts[in.Type]++
	}
	f.Indicators = len(out)
	f.Families = f.Families[:0]
	for fam := range s.fams {
		f.Families = append(f.Families, fam)
	}
	sort.Strings(f.Families)
	return out
}

// ParseEchapYAML reads ioc.yaml or watchware.yaml.
func ParseEchapYAML(data []byte, base model.Provenance, f *File) ([]match.Indicator, []string, error) {
	if len(data) > MaxEchapFile {
		return nil, nil, fmt.Errorf("larger than %d bytes", MaxEchapFile)
	}
	var entries []EchapEntry
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errNotEchap, err)
	}
	s := newEchapSet(base)
	named := 0
	for _, e := range entries {
		name := strings.TrimSpace(e.Name)
		if name == "" {
			continue
		}
		named++
		fam := name
		if ty := strings.TrimSpace(e.Type); ty != "" && !strings.EqualFold(ty, "stalkerware") {
			fam = name + " (" + ty + ")"
		}
		for _, v := range append(append([]string{}, e.Packages...), e.IOSBundles...) {
			s.add(match.AppID, v, fam)
		}
		for _, v := range append(append(append([]string{}, e.Websites...), e.Distribution...), e.C2.Domains...) {
			s.add(match.Domain, v, fam)
		}
		for _, v := range append(append([]string{}, e.C2.IPs...), e.C2.IP...) {
			s.add(match.IP, v, fam)
		}
		for _, v := range e.Certificates {
			s.add(match.AppCertSHA1, v, fam)
		}
	}
	if named == 0 {
		return nil, nil, fmt.Errorf("%w: no named entry", errNotEchap)
	}
	return s.result(f), s.warns, nil
}

// ParseEchapSamples reads samples.csv (SHA256, Package Name, Certificate,
// Version, App).
func ParseEchapSamples(data []byte, base model.Provenance, f *File) ([]match.Indicator, []string, error) {
	if len(data) > MaxEchapFile {
		return nil, nil, fmt.Errorf("larger than %d bytes", MaxEchapFile)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errNotEchap, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	iHash, ok1 := col["sha256"]
	iApp, ok2 := col["app"]
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("%w: no SHA256 and App columns", errNotEchap)
	}
	iPkg, hasPkg := col["package name"]
	iCert, hasCert := col["certificate"]
	s := newEchapSet(base)
	get := func(rec []string, i int, ok bool) string {
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.warns = append(s.warns, fmt.Sprintf("line %d: %v", line, err))
			break
		}
		fam := strings.TrimSpace(get(rec, iApp, true))
		if fam == "" {
			fam = "stalkerware"
		}
		s.add(match.FileSHA256, get(rec, iHash, true), fam)
		s.add(match.AppID, get(rec, iPkg, hasPkg), fam)
		s.add(match.AppCertSHA1, get(rec, iCert, hasCert), fam)
	}
	return s.result(f), s.warns, nil
}
