package iocexport

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// rule is a Suricata rule as the validator reads it.
type rule struct {
	action, proto, src, sport, dir, dst, dport string
	opts                                       []opt
}

type opt struct{ name, value string }

func (r rule) get(name string) (string, bool) {
	for _, o := range r.opts {
		if o.name == name {
			return o.value, true
		}
	}
	return "", false
}

// Keywords the exported rules may use, each checked against Suricata 7.0's
// rule documentation (doc/userguide/rules/*.rst): meta-keywords, the
// sticky buffers, content modifiers, transforms, dataset, flow and the file
// hash keywords.
var (
	metaKeywords    = []string{"msg", "sid", "rev", "classtype", "reference", "metadata"}
	stickyBuffers   = map[string][]string{"dns.query": {"dns"}, "tls.sni": {"tls"}, "http.host": {"http"}, "http.uri": {"http"}, "tls.cert_fingerprint": {"tls"}, "ja3.hash": {"tls", "quic"}, "ja4.hash": {"tls", "quic"}, "ip.src": {"ip"}, "ip.dst": {"ip"}}
	transforms      = []string{"dotprefix", "to_lowercase", "pcrexform"}
	contentMods     = []string{"nocase", "startswith", "endswith"}
	fileHashKws     = []string{"filemd5", "filesha1", "filesha256"}
	ruleActions     = []string{"alert", "pass", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth"}
	ruleProtos      = []string{"ip", "tcp", "udp", "icmp", "dns", "tls", "http", "http2", "quic", "smtp", "ftp-data", "smb", "nfs"}
	datasetTypes    = []string{"string", "md5", "sha256", "ipv4", "ip"}
	suricataClasses = []string{"trojan-activity"}
)

// parseRule reads one rule with Suricata's grammar (detect-parse.c): the
// header's seven fields, then options in parentheses separated by ';'
// unless escaped with a backslash; "name" or "name:value"; quoted values
// may escape '"', ';' and '\' only.
func parseRule(line string) (rule, error) {
	var r rule
	open := strings.IndexByte(line, '(')
	if open < 0 || !strings.HasSuffix(line, ")") {
		return r, fmt.Errorf("no option list in parentheses")
	}
	h := strings.Fields(line[:open])
	if len(h) != 7 {
		return r, fmt.Errorf("header has %d fields, want 7", len(h))
	}
	r.action, r.proto, r.src, r.sport, r.dir, r.dst, r.dport = h[0], h[1], h[2], h[3], h[4], h[5], h[6]
	if !slices.Contains(ruleActions, r.action) || !slices.Contains(ruleProtos, r.proto) {
		return r, fmt.Errorf("action %q or protocol %q unknown", r.action, r.proto)
	}
	if r.dir != "->" && r.dir != "<>" {
		return r, fmt.Errorf("direction %q", r.dir)
	}
	for _, a := range []string{r.src, r.dst} {
		if a == "any" {
			continue
		}
		if !strings.HasPrefix(a, "[") || !strings.HasSuffix(a, "]") {
			return r, fmt.Errorf("address %q", a)
		}
		for _, x := range strings.Split(a[1:len(a)-1], ",") {
			if _, err := netip.ParseAddr(x); err != nil {
				return r, fmt.Errorf("address %q: %v", x, err)
			}
		}
	}
	if r.sport != "any" || r.dport != "any" {
		return r, fmt.Errorf("ports %q %q", r.sport, r.dport)
	}
	body := line[open+1 : len(line)-1]
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\':
			// an escaped character never ends an option; which escapes a
			// value may hold depends on its keyword (unquote: msg, content)
			if i+1 >= len(body) {
				return r, fmt.Errorf("backslash at the end")
			}
			cur.WriteByte(c)
			cur.WriteByte(body[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
			cur.WriteByte(c)
		case c == ';' && !inQuote:
			o := strings.TrimSpace(cur.String())
			cur.Reset()
			if o == "" {
				return r, fmt.Errorf("empty option")
			}
			name, value, _ := strings.Cut(o, ":")
			r.opts = append(r.opts, opt{strings.TrimSpace(name), strings.TrimSpace(value)})
		default:
			cur.WriteByte(c)
		}
	}
	if inQuote || strings.TrimSpace(cur.String()) != "" {
		return r, fmt.Errorf("unterminated option list")
	}
	return r, nil
}

// unquote reads a quoted option value.
func unquote(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", fmt.Errorf("%q is not quoted", v)
	}
	v = v[1 : len(v)-1]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			i++
			if i >= len(v) || !strings.ContainsRune("\";\\", rune(v[i])) {
				return "", fmt.Errorf("bad escape in %q", v)
			}
		} else if v[i] == '"' || v[i] == ';' {
			return "", fmt.Errorf("unescaped %q", v[i])
		}
		b.WriteByte(v[i])
	}
	return b.String(), nil
}

// contentBytes decodes a content value: text with |hex hex| runs.
func contentBytes(v string) ([]byte, error) {
	s, err := unquote(v)
	if err != nil {
		return nil, err
	}
	var out []byte
	for {
		i := strings.IndexByte(s, '|')
		if i < 0 {
			return append(out, s...), nil
		}
		out = append(out, s[:i]...)
		j := strings.IndexByte(s[i+1:], '|')
		if j < 0 {
			return nil, fmt.Errorf("unclosed |hex| in %q", v)
		}
		for _, h := range strings.Fields(s[i+1 : i+1+j]) {
			for len(h) > 0 {
				if len(h) < 2 {
					return nil, fmt.Errorf("odd hex in %q", v)
				}
				n, err := strconv.ParseUint(h[:2], 16, 8)
				if err != nil {
					return nil, err
				}
				out = append(out, byte(n))
				h = h[2:]
			}
		}
		s = s[i+1+j+1:]
	}
}

// checkRule applies the rules of the keywords used: a content, transform or
// dataset follows a sticky buffer valid for the rule's protocol; nocase is
// refused after http.host; metadata is "key value" pairs; sid and rev set.
func checkRule(r rule, files map[string][]byte) error {
	buffer := ""
	seen := map[string]bool{}
	for _, o := range r.opts {
		n, v := o.name, o.value
		switch {
		case slices.Contains(metaKeywords, n):
			if seen[n] && n != "reference" {
				return fmt.Errorf("%s twice", n)
			}
			seen[n] = true
			switch n {
			case "msg":
				if _, err := unquote(v); err != nil {
					return fmt.Errorf("msg: %v", err)
				}
			case "sid":
				sid, err := strconv.ParseUint(v, 10, 32)
				if err != nil || sid < SIDBase || sid >= SIDBase+SIDSpan {
					return fmt.Errorf("sid %q", v)
				}
			case "rev":
				if v != "1" {
					return fmt.Errorf("rev %q", v)
				}
			case "classtype":
				if !slices.Contains(suricataClasses, v) {
					return fmt.Errorf("classtype %q", v)
				}
			case "reference":
				typ, val, ok := strings.Cut(v, ",")
				if !ok || typ != "url" || val == "" || strings.Contains(val, "://") {
					return fmt.Errorf("reference %q", v)
				}
			case "metadata":
				for _, kv := range strings.Split(v, ",") {
					k, val, ok := strings.Cut(strings.TrimSpace(kv), " ")
					if !ok || k == "" || strings.TrimSpace(val) == "" {
						return fmt.Errorf("metadata item %q", kv)
					}
				}
			}
		case stickyBuffers[n] != nil:
			if v != "" || !slices.Contains(stickyBuffers[n], r.proto) {
				return fmt.Errorf("buffer %s in an %s rule", n, r.proto)
			}
			buffer = n
		case slices.Contains(transforms, n):
			if buffer == "" {
				return fmt.Errorf("transform %s before a buffer", n)
			}
			if n == "pcrexform" {
				if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
					return fmt.Errorf("pcrexform %q is not quoted", v)
				}
				re := v[1 : len(v)-1]
				c, err := regexp.Compile(re)
				if err != nil || c.NumSubexp() != 1 {
					return fmt.Errorf("pcrexform %q needs one capture group", re)
				}
			} else if v != "" {
				return fmt.Errorf("%s takes no value", n)
			}
		case n == "content":
			if buffer == "" {
				return fmt.Errorf("content before a buffer")
			}
			b, err := contentBytes(v)
			if err != nil || len(b) == 0 {
				return fmt.Errorf("content %s: %v", v, err)
			}
			if buffer == "http.host" && strings.ToLower(string(b)) != string(b) {
				return fmt.Errorf("http.host content %q is not lower case", b)
			}
		case slices.Contains(contentMods, n):
			if !slices.ContainsFunc(r.opts, func(o opt) bool { return o.name == "content" }) || v != "" {
				return fmt.Errorf("%s without content", n)
			}
			if n == "nocase" && buffer == "http.host" {
				return fmt.Errorf("nocase is refused with http.host")
			}
		case n == "dataset":
			if buffer == "" {
				return fmt.Errorf("dataset before a buffer")
			}
			parts := strings.Split(v, ",")
			if len(parts) < 3 || parts[0] != "isset" {
				return fmt.Errorf("dataset %q", v)
			}
			opts := map[string]string{}
			for _, p := range parts[2:] {
				k, val, ok := strings.Cut(strings.TrimSpace(p), " ")
				if !ok {
					return fmt.Errorf("dataset option %q", p)
				}
				opts[k] = val
			}
			if !slices.Contains(datasetTypes, opts["type"]) || files[opts["load"]] == nil || opts["memcap"] == "" || opts["hashsize"] == "" {
				return fmt.Errorf("dataset options %v (load file present: %v)", opts, files[opts["load"]] != nil)
			}
		case n == "flow":
			if v != "established,to_server" {
				return fmt.Errorf("flow %q", v)
			}
		case slices.Contains(fileHashKws, n):
			if files[v] == nil || !slices.Contains([]string{"http", "smtp", "ftp-data", "smb", "nfs", "http2"}, r.proto) {
				return fmt.Errorf("%s:%s (list present: %v) in an %s rule", n, v, files[v] != nil, r.proto)
			}
		default:
			return fmt.Errorf("keyword %q not in the documented set", n)
		}
	}
	if !seen["msg"] || !seen["sid"] || !seen["rev"] {
		return fmt.Errorf("msg, sid or rev missing")
	}
	return nil
}

// readRules validates every rule of an export and returns them by sid.
func readRules(t *testing.T, data []byte, files []File) map[string]rule {
	t.Helper()
	fm := map[string][]byte{}
	for _, f := range files {
		fm[f.Name] = f.Data
	}
	out := map[string]rule{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		r, err := parseRule(line)
		if err == nil {
			err = checkRule(r, fm)
		}
		if err != nil {
			t.Errorf("line %d: %v\n%s", n, err, line)
			continue
		}
		sid, _ := r.get("sid")
		if _, dup := out[sid]; dup {
			t.Errorf("line %d: sid %s used twice", n, sid)
		}
		out[sid] = r
	}
	return out
}

// TestValidatorOnDocumentedRules checks the validator itself: rules written
// the way Suricata's documentation shows pass, broken ones fail for the
// right reason.
func TestValidatorOnDocumentedRules(t *testing.T) {
	good := []string{
		`alert dns any any -> any any (msg:"x"; dns.query; dotprefix; content:".example.com"; nocase; endswith; sid:4000000001; rev:1;)`,
		`alert tls any any -> any any (msg:"match cert fingerprint"; tls.cert_fingerprint; content:"4a:a3:66:76:82:cb:6b:23:bb:c3:58:47:23:a4:63:a7:78:a4:a1:18"; sid:4000000002; rev:1;)`,
		`alert ip any any <> [192.0.2.1] any (msg:"a \"quoted\; escaped\" msg"; metadata:k v, k2 two words; sid:4000000003; rev:1;)`,
		`alert http any any -> any any (msg:"x"; http.host; content:"a|2E|b"; startswith; endswith; sid:4000000004; rev:1;)`,
	}
	for _, l := range good {
		r, err := parseRule(l)
		if err == nil {
			err = checkRule(r, nil)
		}
		if err != nil {
			t.Errorf("%v\n%s", err, l)
		}
	}
	bad := map[string]string{
		`alert dns any any -> any any (msg:"x"; content:"a"; dns.query; sid:4000000001; rev:1;)`:          "content before a buffer",
		`alert http any any -> any any (msg:"x"; http.host; content:"a"; nocase; sid:4000000001; rev:1;)`: "nocase is refused",
		`alert dns any any -> any any (msg:"x; y"; sid:4000000001; rev:1;)`:                               "unescaped",
		`alert dns any any -> any any (msg:"x"; dns.query; content:"|4|"; sid:4000000001; rev:1;)`:        "odd hex",
		`alert dns any any -> any any (msg:"x"; rev:1;)`:                                                  "missing",
		`alert tls any any -> any any (msg:"x"; dns.query; content:"a"; sid:4000000001; rev:1;)`:          "buffer dns.query in an tls rule",
		`alert dns any any -> any any (msg:"x"; sid:12; rev:1;)`:                                          "sid",
		`alert dns any any => any any (msg:"x"; sid:4000000001; rev:1;)`:                                  "direction",
		`alert dns any any -> any any (msg:"x"; metadata:novalue; sid:4000000001; rev:1;)`:                "metadata item",
	}
	for l, want := range bad {
		r, err := parseRule(l)
		if err == nil {
			err = checkRule(r, nil)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one about %q", l, err, want)
		}
	}
}

func exportSuricata(t *testing.T, over int, side bool) (string, map[string]rule, []File, Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, files, err := WriteSuricata(&buf, mustCollect(t, testSet()), SuricataOptions{DatasetsOver: over, SideFiles: side})
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), readRules(t, buf.Bytes(), files), files, sum
}

// suricataMatch evaluates the content part of a domain rule the way
// Suricata does for this rule shape (buffer, optional transforms, one
// content, its modifiers): enough to compare with spyscan's own matching.
func suricataMatch(t *testing.T, r rule, value string, datasets map[string][]byte) bool {
	t.Helper()
	buf := []byte(value)
	var content []byte
	nocase, starts, ends := false, false, false
	for _, o := range r.opts {
		switch o.name {
		case "dotprefix":
			buf = append([]byte("."), buf...)
		case "to_lowercase":
			buf = bytes.ToLower(buf)
		case "pcrexform":
			m := regexp.MustCompile(o.value[1 : len(o.value)-1]).FindSubmatch(buf)
			if m == nil {
				return false
			}
			buf = m[1]
		case "dataset":
			parts := strings.Split(o.value, ",")
			for _, p := range parts[2:] {
				if k, v, _ := strings.Cut(strings.TrimSpace(p), " "); k == "load" {
					for _, line := range strings.Split(strings.TrimSpace(string(datasets[v])), "\n") {
						d, _ := base64.StdEncoding.DecodeString(line)
						if string(d) == string(buf) {
							return true
						}
					}
				}
			}
			return false
		case "content":
			content, _ = contentBytes(o.value)
		case "nocase":
			nocase = true
		case "startswith":
			starts = true
		case "endswith":
			ends = true
		}
	}
	if nocase {
		buf, content = bytes.ToLower(buf), bytes.ToLower(content)
	}
	switch {
	case starts && ends:
		return bytes.Equal(buf, content)
	case ends:
		return bytes.HasSuffix(buf, content)
	case starts:
		return bytes.HasPrefix(buf, content)
	}
	return bytes.Contains(buf, content)
}

// names are looked up both by spyscan's index and by the exported rules:
// the answers must agree (label-boundary rule, case, subdomains).
var names = []string{"free247downloads.com", "API.Free247Downloads.com", "a.b.c.free247downloads.com",
	"notfree247downloads.com", "free247downloads.com.evil.net", "urlpush.net", "www.urlpush.net", "xn--bcher-kva.example",
	"mail.xn--bcher-kva.example", "example", "partial.example.net", "x.partial.example.net"}

func TestSuricataRules(t *testing.T) {
	for _, over := range []int{10000, 0} {
		t.Run(fmt.Sprintf("datasets-over=%d", over), func(t *testing.T) {
			text, rules, files, sum := exportSuricata(t, over, true)
			if len(rules) == 0 {
				t.Fatal("no rule")
			}
			ix, _ := match.NewIndex(testSet().Indicators)
			datasets := map[string][]byte{}
			for _, f := range files {
				datasets[f.Name] = f.Data
			}
			for _, buffer := range []string{"dns.query", "tls.sni", "http.host"} {
				for _, name := range names {
					want := len(ix.Domain(name)) > 0
					got := false
					for _, r := range rules {
						if _, ok := r.get(buffer); ok {
							v := name
							if buffer == "http.host" {
								v = strings.ToLower(v) // Suricata normalises the Host
							}
							got = got || suricataMatch(t, r, v, datasets)
						}
					}
					if got != want {
						t.Errorf("%s %q: rules match %v, spyscan %v", buffer, name, got, want)
					}
				}
			}
			if over == 0 {
				if sum.Written["domain in dataset"] != 4 || sum.Written["address in dataset"] != 2 || !strings.Contains(text, "ip.dst; dataset:isset,spyscan-ips,type ip,load spyscan-ips.lst") {
					t.Errorf("datasets not used: %v", sum.Written)
				}
				return
			}
			for _, want := range []string{
				`alert ip any any <> [2001:db8::1] any (msg:"spyscan Pegasus address 2001:db8::1"`,
				`tls.cert_fingerprint; content:"0d:db:34:f8:75:63:2c:7e:1e:c0:9d:75:82:7f:82:d2:33:6d:fe:b6";`,
				`alert tls any any -> any any (msg:"spyscan Pegasus JA3 e7eca2baf4458d095b7f45da28c16c34"; ja3.hash; content:"e7eca2baf4458d095b7f45da28c16c34";`,
				`alert quic any any -> any any (msg:"spyscan Pegasus JA4 q13d0310h3_55b375c5d22e_cd85d2d88918"; ja4.hash;`,
				`http.host; content:"x.example.com"; startswith; endswith; http.uri; content:"/a/b?c=1"; startswith; endswith;`,
				`http.host; content:"y.example.com"; startswith; endswith; http.uri; content:"/p"; startswith; endswith;`,
				`http.host; content:"cdn.example.org"; startswith; endswith; http.uri; content:"/payload/"; startswith; classtype`,
				`filesha256:spyscan-sha256.lst;`, `filemd5:spyscan-md5.lst;`,
				`reference:url,www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/;`,
				`metadata:spyscan_type domain, spyscan_value free247downloads.com, spyscan_source amnesty-investigations, spyscan_family Pegasus, spyscan_indicator 2021-07-18_nso/pegasus.stix2 @ 3d8f248a0d01 indicator--1, spyscan_source mvt-indicators, spyscan_indicator nso/pegasus.stix2 @ e035f4fbdb8a indicator--3;`,
				`spyscan_source local_list, spyscan_family Odd_ _Family__x`,
				`spyscan_type domain, spyscan_value partial.example.net`, `spyscan_partial true`,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("no %q in the rules", want)
				}
			}
			if sum.Skipped[KindEmail] != 1 || sum.Skipped[KindFileName] != 1 || sum.Skipped[KindCertSHA2] != 1 {
				t.Errorf("skipped = %v", sum.Skipped)
			}
		})
	}
}

// TestSuricataWithoutSideFiles: on standard output, the rules that need a
// list file are left out and the header says so.
func TestSuricataWithoutSideFiles(t *testing.T) {
	text, rules, files, _ := exportSuricata(t, 0, false)
	if len(files) != 0 || strings.Contains(text, "dataset:") || strings.Contains(text, "filesha256:") {
		t.Errorf("side files or rules needing them written to standard output: %d files", len(files))
	}
	if !strings.Contains(text, "# note: 1 file sha256 hashes left out") || len(rules) < 10 {
		t.Errorf("no note of the hashes left out, or too few rules (%d)", len(rules))
	}
}

// TestSIDsStable: a value keeps its SID when other indicators come and go.
func TestSIDsStable(t *testing.T) {
	sids := func(set []match.Indicator) map[string]string {
		var buf bytes.Buffer
		s := testSet()
		s.Indicators = set
		WriteSuricata(&buf, mustCollect(t, s), SuricataOptions{DatasetsOver: 10000})
		out := map[string]string{}
		for _, r := range readRules(t, buf.Bytes(), nil) {
			msg, _ := r.get("msg")
			sid, _ := r.get("sid")
			out[msg] = sid
		}
		return out
	}
	all := testSet().Indicators
	a, b := sids(all), sids(all[2:])
	common := 0
	for msg, sid := range b {
		if a[msg] != "" {
			common++
			if a[msg] != sid {
				t.Errorf("%s: sid %s, then %s", msg, a[msg], sid)
			}
		}
	}
	if common < 10 {
		t.Errorf("only %d rules in common", common)
	}
}

// FuzzSuricataValues exports indicators with arbitrary values and
// provenance: every rule must still parse with Suricata's grammar and pass
// the keyword checks (no value breaks out of a content, msg or metadata),
// and a domain rule's content must decode back to the domain.
func FuzzSuricataValues(f *testing.F) {
	f.Add("free247downloads.com", "https://x.example/a?b=1", "Pegasus", "amnesty", "indicator--1")
	f.Add("a;b\".example", "http://h/\"p;q|r", "Fam, \"x\"; y", "src;name", "id\\x")
	f.Add("xn--bcher-kva.example", "//y.example:8080/z", "", "", "")
	f.Fuzz(func(t *testing.T, domain, url, family, source, id string) {
		if len(domain)+len(url)+len(family)+len(source)+len(id) > 1024 {
			return
		}
		p := []model.Provenance{{Source: source, Family: family, IndicatorID: id, File: id}}
		set := &indicators.Set{Indicators: []match.Indicator{
			{Type: match.Domain, Value: domain, Sources: p},
			{Type: match.URL, Value: url, Sources: p},
		}}
		c := mustCollect(t, set)
		var buf bytes.Buffer
		_, files, err := WriteSuricata(&buf, c, SuricataOptions{DatasetsOver: 10000, SideFiles: true})
		if err != nil {
			t.Fatal(err)
		}
		rules := readRules(t, buf.Bytes(), files)
		for _, e := range c.Entries {
			if e.Kind != KindDomain {
				continue
			}
			found := false
			for _, r := range rules {
				if v, ok := r.get("content"); ok {
					if b, err := contentBytes(v); err == nil && string(b) == "."+e.Value {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("no rule whose content is .%s", e.Value)
			}
		}
	})
}
