package iocexport

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// SID range of spyscan's rules: stable, derived from the buffer and the
// value, away from the ranges of the common rule sets (ET uses 2,000,000 to
// 2,999,999, local rules 1,000,000 to 1,999,999).
const (
	SIDBase = 4_000_000_000
	SIDSpan = 290_000_000
)

// SuricataOptions tune the rules.
type SuricataOptions struct {
	// DatasetsOver: domain or address lists longer than this go to a
	// dataset (one file, a few rules) instead of one rule per value. 0
	// means always.
	DatasetsOver int
	// SideFiles says whether dataset and hash-list files can be written
	// next to the rules (false when the rules go to standard output: the
	// rules that need them are then left out, and the header says so).
	SideFiles bool
}

// File is a dataset or hash list to write next to the rules file, which
// refers to it by its base name.
type File struct {
	Name string
	Data []byte
}

// Dataset and list file names.
const (
	DomainDataset = "spyscan-domains.lst"
	IPDataset     = "spyscan-ips.lst"
)

// WriteSuricata writes the collection as Suricata rules (7.0 or later) and
// returns the side files the rules load.
//
// Domains become dns.query, tls.sni and http.host rules with the
// dotprefix transform and an anchored ".domain" content, which keeps
// spyscan's label-boundary rule (a.example.com matches example.com,
// notexample.com does not). Long lists go to a string dataset, looked up
// with the last 2, 3... labels of the name (pcrexform), which keeps the same
// rule. Addresses become "ip any any <> [address]" rules, or ip.src/ip.dst
// dataset rules. URLs become http.host and http.uri rules; certificate
// SHA-1 tls.cert_fingerprint rules; JA3 and JA4 ja3.hash and ja4.hash
// rules; file hashes filemd5/filesha1/filesha256 rules over list files.
// Each per-value rule carries its provenance: families in msg, source,
// family, file, STIX id in metadata (spyscan_type and spyscan_value let
// `spyscan scan eve.json` check the value again), a reference URL.
func WriteSuricata(w io.Writer, c *Collection, opt SuricataOptions) (Summary, []File, error) {
	s := &suricataWriter{c: c, sum: newSummary(c), opt: opt, sids: map[uint32]string{}}
	var domains, ips []Entry
	for _, e := range c.Entries {
		switch e.Kind {
		case KindDomain:
			domains = append(domains, e)
		case KindIP:
			ips = append(ips, e)
		}
	}
	useDomainSet := len(domains) > 0 && len(domains) > opt.DatasetsOver && opt.SideFiles
	useIPSet := len(ips) > 0 && len(ips) > opt.DatasetsOver && opt.SideFiles
	hashes := map[string][]string{}
	for _, e := range c.Entries {
		switch e.Kind {
		case KindDomain:
			if !useDomainSet {
				s.domainRules(e)
			}
			s.bareRules(e)
		case KindIP:
			if !useIPSet {
				s.ipRule(e)
			}
		case KindURL, KindHostPath:
			s.urlRule(e)
		case KindCertSHA1:
			s.valueRule(e, "tls", "tls.cert_fingerprint", colonHex(e.Value), "TLS certificate SHA-1")
		case KindJA3:
			s.valueRule(e, "tls", "ja3.hash", e.Value, "JA3")
		case KindJA4:
			proto := "tls"
			if strings.HasPrefix(e.Value, "q") {
				proto = "quic"
			}
			s.valueRule(e, proto, "ja4.hash", e.Value, "JA4")
		case KindFileHash:
			hashes[e.HashType] = append(hashes[e.HashType], e.Value)
		default:
			s.sum.Skipped[e.Kind]++
		}
	}
	if useDomainSet {
		s.domainDataset(domains)
	}
	if useIPSet {
		s.ipDataset(ips)
	}
	s.hashLists(hashes)

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Indicators exported by spyscan iocs export --format suricata, for Suricata 7.0 or later.\n")
	fmt.Fprintf(bw, "# ja3.hash rules need app-layer.protocols.tls.ja3-fingerprints: yes; ja4.hash rules a build with JA4.\n")
	fmt.Fprintf(bw, "# Keep the .lst files beside this file in Suricata's default-rule-path: datasets are looked for\n")
	fmt.Fprintf(bw, "# beside the rules file, hash lists (filesha256...) in default-rule-path.\n")
	fmt.Fprintf(bw, "# SIDs are stable: %d + a hash of the buffer and value (mod %d).\n", SIDBase, SIDSpan)
	for _, h := range c.Header {
		fmt.Fprintf(bw, "# source %s\n", strings.ReplaceAll(h, "\n", " "))
	}
	for _, n := range s.notes {
		fmt.Fprintf(bw, "# note: %s\n", n)
	}
	for _, r := range s.rules {
		bw.WriteString(r)
		bw.WriteByte('\n')
	}
	return s.sum, s.files, bw.Flush()
}

type suricataWriter struct {
	c     *Collection
	sum   Summary
	opt   SuricataOptions
	rules []string
	files []File
	notes []string
	sids  map[uint32]string
}

// sid derives a stable SID from key, probing past a collision.
func (s *suricataWriter) sid(key string) uint32 {
	h := fnv.New64a()
	h.Write([]byte(key))
	n := uint32(h.Sum64() % SIDSpan)
	for {
		sid := SIDBase + n
		if have, taken := s.sids[sid]; !taken || have == key {
			s.sids[sid] = key
			return sid
		}
		n = (n + 1) % SIDSpan
	}
}

// ruleMeta is the provenance part of a per-value rule.
type ruleMeta struct {
	typ, value string
	sources    []model.Provenance
	partial    bool
}

// options writes classtype, reference, metadata, sid and rev.
func (s *suricataWriter) options(key string, m ruleMeta) string {
	var b strings.Builder
	b.WriteString("classtype:trojan-activity; ")
	if u := s.c.referenceURL(m.sources); u != "" {
		if ref := referenceValue(u); ref != "" {
			fmt.Fprintf(&b, "reference:url,%s; ", ref)
		}
	}
	var meta []string
	add := func(key, value string) { // Suricata needs "key value" items: empty values are left out
		if v := strings.TrimSpace(metaValue(value)); v != "" {
			meta = append(meta, key+" "+v)
		}
	}
	add("spyscan_type", m.typ)
	if v := metaValue(m.value); v == m.value && strings.TrimSpace(v) == v {
		add("spyscan_value", v)
	}
	for _, group := range bySource(m.sources) {
		add("spyscan_source", group[0].Source)
		for _, p := range group {
			add("spyscan_family", p.Family)
			add("spyscan_indicator", where(p))
		}
	}
	if m.partial {
		add("spyscan_partial", "true")
	}
	fmt.Fprintf(&b, "metadata:%s; sid:%d; rev:1;", strings.Join(dedupe(meta), ", "), s.sid(key))
	return b.String()
}

func dedupe(ss []string) []string {
	out := ss[:0]
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// domainBuffers are the sticky buffers a domain is looked for in.
var domainBuffers = []struct{ proto, buffer, where string }{
	{"dns", "dns.query", "DNS query"},
	{"tls", "tls.sni", "TLS SNI"},
	{"http", "http.host", "HTTP Host"},
}

func (s *suricataWriter) domainRules(e Entry) {
	for _, b := range domainBuffers {
		nocase := " nocase;"
		if b.buffer == "http.host" {
			nocase = "" // http.host is normalised to lower case; nocase is refused
		}
		msg := fmt.Sprintf("spyscan %s domain %s in %s", families(e.Sources), e.Value, b.where)
		s.add(fmt.Sprintf(`alert %s any any -> any any (msg:"%s"; %s; dotprefix; content:"%s";%s endswith; %s)`,
			b.proto, msgEscape(msg), b.buffer, contentEscape("."+e.Value), nocase,
			s.options(b.buffer+"\x00"+e.Value, ruleMeta{"domain", e.Value, e.Sources, e.Partial})))
		s.sum.Written[b.buffer+" rule"]++
	}
}

// bareRules match the bare form of a "www." domain exactly, as spyscan does
// (www.example.com listed: example.com matches, mail.example.com does not).
func (s *suricataWriter) bareRules(e Entry) {
	bare, ok := strings.CutPrefix(e.Value, "www.")
	if !ok || !strings.Contains(bare, ".") {
		return
	}
	for _, b := range domainBuffers {
		nocase := " nocase;"
		if b.buffer == "http.host" {
			nocase = ""
		}
		msg := fmt.Sprintf("spyscan %s domain %s (bare form) in %s", families(e.Sources), e.Value, b.where)
		s.add(fmt.Sprintf(`alert %s any any -> any any (msg:"%s"; %s; content:"%s";%s startswith; endswith; %s)`,
			b.proto, msgEscape(msg), b.buffer, contentEscape(bare), nocase,
			s.options(b.buffer+"\x00bare\x00"+e.Value, ruleMeta{"domain", e.Value, e.Sources, e.Partial})))
		s.sum.Written[b.buffer+" rule"]++
	}
}

func (s *suricataWriter) ipRule(e Entry) {
	msg := fmt.Sprintf("spyscan %s address %s", families(e.Sources), e.Value)
	s.add(fmt.Sprintf(`alert ip any any <> [%s] any (msg:"%s"; %s)`, e.Value, msgEscape(msg),
		s.options("ip\x00"+e.Value, ruleMeta{"ip", e.Value, e.Sources, e.Partial})))
	s.sum.Written["ip rule"]++
}

// urlRule matches the host exactly and the path (exactly for a URL, as a
// prefix for a domain indicator with a path). The port is not matched:
// http.host holds the name only.
func (s *suricataWriter) urlRule(e Entry) {
	host := hostName(e.Host)
	what, endsWith, value := "URL", " endswith;", e.Value
	if e.Kind == KindHostPath {
		what, endsWith, value = "URL prefix", "", "http://"+e.Value
	}
	msg := fmt.Sprintf("spyscan %s %s %s", families(e.Sources), what, e.Value)
	uri := ""
	if e.Path != "/" || e.Kind == KindURL {
		uri = fmt.Sprintf(` http.uri; content:"%s"; startswith;%s`, contentEscape(e.Path), endsWith)
	}
	s.add(fmt.Sprintf(`alert http any any -> any any (msg:"%s"; flow:established,to_server; http.host; content:"%s"; startswith; endswith;%s %s)`,
		msgEscape(msg), contentEscape(host), uri, s.options("http.uri\x00"+e.Value, ruleMeta{"url", value, e.Sources, e.Partial})))
	s.sum.Written["http.uri rule"]++
}

func (s *suricataWriter) valueRule(e Entry, proto, buffer, content, what string) {
	msg := fmt.Sprintf("spyscan %s %s %s", families(e.Sources), what, e.Value)
	s.add(fmt.Sprintf(`alert %s any any -> any any (msg:"%s"; %s; content:"%s"; %s)`, proto, msgEscape(msg), buffer,
		contentEscape(content), s.options(buffer+"\x00"+e.Value, ruleMeta{string(e.Type), e.Value, e.Sources, e.Partial})))
	s.sum.Written[buffer+" rule"]++
}

// domainDataset writes every domain to one string dataset and, per buffer,
// one rule per label count: the rule for n labels looks up the last n labels
// of the name, so a name matches when it is, or is under, a listed domain.
func (s *suricataWriter) domainDataset(domains []Entry) {
	var data bytes.Buffer
	minLabels, maxLabels := 1<<30, 0
	for _, e := range domains {
		data.WriteString(base64.StdEncoding.EncodeToString([]byte(e.Value)))
		data.WriteByte('\n')
		n := strings.Count(e.Value, ".") + 1
		minLabels, maxLabels = min(minLabels, n), max(maxLabels, n)
	}
	s.files = append(s.files, File{Name: DomainDataset, Data: data.Bytes()})
	set := datasetOptions("spyscan-domains", "string", DomainDataset, len(domains))
	for _, b := range domainBuffers {
		for n := minLabels; n <= maxLabels; n++ {
			re := "([^.]+)$"
			if n > 1 {
				re = fmt.Sprintf(`((?:[^.]+\.){%d}[^.]+)$`, n-1)
			}
			msg := fmt.Sprintf("spyscan domain of the indicator list in %s (last %d labels), provenance: spyscan iocs check", b.where, n)
			key := fmt.Sprintf("dataset\x00%s\x00%d", b.buffer, n)
			s.add(fmt.Sprintf(`alert %s any any -> any any (msg:"%s"; %s; to_lowercase; pcrexform:"%s"; dataset:isset,%s; classtype:trojan-activity; metadata:spyscan_list domains; sid:%d; rev:1;)`,
				b.proto, msgEscape(msg), b.buffer, re, set, s.sid(key)))
			s.sum.Written[b.buffer+" dataset rule"]++
		}
	}
	s.sum.Written["domain in dataset"] = len(domains)
}

func (s *suricataWriter) ipDataset(ips []Entry) {
	var data bytes.Buffer
	for _, e := range ips {
		data.WriteString(e.Value)
		data.WriteByte('\n')
	}
	s.files = append(s.files, File{Name: IPDataset, Data: data.Bytes()})
	set := datasetOptions("spyscan-ips", "ip", IPDataset, len(ips))
	for _, dir := range []string{"ip.src", "ip.dst"} {
		msg := fmt.Sprintf("spyscan address of the indicator list as %s, provenance: spyscan iocs check", dir)
		s.add(fmt.Sprintf(`alert ip any any -> any any (msg:"%s"; %s; dataset:isset,%s; classtype:trojan-activity; metadata:spyscan_list addresses; sid:%d; rev:1;)`,
			msgEscape(msg), dir, set, s.sid("dataset\x00"+dir)))
		s.sum.Written[dir+" dataset rule"]++
	}
	s.sum.Written["address in dataset"] = len(ips)
}

// datasetOptions sizes a dataset for n entries.
func datasetOptions(name, typ, file string, n int) string {
	hashsize := 1024
	for hashsize < n {
		hashsize *= 2
	}
	memcap := max(16, (n*512)>>20+1)
	return fmt.Sprintf("%s,type %s,load %s,memcap %dmb,hashsize %d", name, typ, file, memcap, hashsize)
}

// fileProtos are the app-layer protocols Suricata extracts files from.
var fileProtos = []string{"http", "smtp", "ftp-data", "smb", "nfs", "http2"}

// hashLists writes one list file per hash type and, per protocol that
// carries files, one rule using it.
func (s *suricataWriter) hashLists(hashes map[string][]string) {
	types := make([]string, 0, len(hashes))
	for t := range hashes {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		if !s.opt.SideFiles {
			s.notes = append(s.notes, fmt.Sprintf("%d file %s hashes left out: hash lists are written next to a rules file given with --output", len(hashes[t]), t))
			s.sum.Skipped[KindFileHash] += len(hashes[t])
			continue
		}
		vs := hashes[t]
		sort.Strings(vs)
		name := "spyscan-" + t + ".lst"
		s.files = append(s.files, File{Name: name, Data: []byte(strings.Join(vs, "\n") + "\n")})
		kw := map[string]string{"md5": "filemd5", "sha1": "filesha1", "sha256": "filesha256"}[t]
		for _, p := range fileProtos {
			msg := fmt.Sprintf("spyscan file whose %s is in the indicator list (%s), provenance: spyscan iocs check", t, p)
			s.add(fmt.Sprintf(`alert %s any any -> any any (msg:"%s"; %s:%s; classtype:trojan-activity; metadata:spyscan_list %s; sid:%d; rev:1;)`,
				p, msgEscape(msg), kw, name, t, s.sid("filehash\x00"+t+"\x00"+p)))
			s.sum.Written[kw+" rule"]++
		}
		s.sum.Written["file hash in list"] += len(vs)
	}
}

func (s *suricataWriter) add(rule string) { s.rules = append(s.rules, rule) }

// msgEscape escapes what Suricata's option parser reserves inside msg.
func msgEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == ';' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// contentEscape writes bytes Suricata's content parser reserves (quote,
// semicolon, backslash, pipe) and non-printable bytes as |XX| hex.
func contentEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == ';' || c == '\\' || c == '|' || c < 0x20 || c > 0x7e {
			fmt.Fprintf(&b, "|%02X|", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// metaValue makes a metadata value: no comma, semicolon, quote or
// backslash (Suricata splits metadata on commas), spaces kept.
func metaValue(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ',' || r == ';' || r == '"' || r == '\\' || r < 0x20 || r == 0x7f:
			return '_'
		}
		return r
	}, s)
}

// referenceValue gives a reference:url value (Suricata's "url" reference
// type adds http:// itself), or "" when the URL holds reserved characters.
func referenceValue(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	if u == "" || strings.ContainsAny(u, "\";\\ \t") {
		return ""
	}
	return u
}

// colonHex writes a hex hash as Suricata prints fingerprints: lower case,
// bytes separated by colons.
func colonHex(h string) string {
	var b strings.Builder
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}
