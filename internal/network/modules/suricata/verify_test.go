package suricata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/module"
)

// verifyTest is the part of a suricata-verify test.yaml read here: each
// check's filter lists fields of one EVE event Suricata wrote for the
// test's capture, with their values.
type verifyTest struct {
	Checks []struct {
		Filter struct {
			Count *int           `yaml:"count"`
			Match map[string]any `yaml:"match"`
		} `yaml:"filter"`
	} `yaml:"checks"`
}

var indexRE = regexp.MustCompile(`^(.*)\[(\d+)\]$`)

// setPath sets a dotted EVE field path ("dns.answers[2].rdata") in obj.
func setPath(obj map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	var cur any = obj
	for i, p := range parts {
		last := i == len(parts)-1
		name, idx := p, -1
		if m := indexRE.FindStringSubmatch(p); m != nil {
			name = m[1]
			idx, _ = strconv.Atoi(m[2])
		}
		parent := cur.(map[string]any)
		if idx < 0 {
			if last {
				parent[name] = v
				return
			}
			next, ok := parent[name].(map[string]any)
			if !ok {
				next = map[string]any{}
				parent[name] = next
			}
			cur = next
			continue
		}
		arr, _ := parent[name].([]any)
		for len(arr) <= idx {
			arr = append(arr, nil)
		}
		if last {
			arr[idx] = v
			parent[name] = arr
			return
		}
		next, ok := arr[idx].(map[string]any)
		if !ok {
			next = map[string]any{}
			arr[idx] = next
		}
		parent[name] = arr
		cur = next
	}
}

// valuePaths are the EVE fields spyscan checks, with the indicator type
// their value is checked as; a value found here must be among the module's
// observables.
var valuePaths = []struct {
	re  *regexp.Regexp
	typ match.Type
}{
	{regexp.MustCompile(`^(dns|mdns|llmnr)\.(rrname|queries\[\d+\]\.rrname|query\[\d+\]\.rrname)$`), match.Domain},
	{regexp.MustCompile(`^(tls|quic)\.sni$`), match.Domain},
	{regexp.MustCompile(`^http\.hostname$`), match.Domain},
	{regexp.MustCompile(`^tls\.fingerprint$`), match.TLSCertSHA256}, // one namespace for certificate hashes
	{regexp.MustCompile(`^(tls|quic)\.ja3\.hash$`), match.JA3},
	{regexp.MustCompile(`^(tls|quic)\.ja4$`), match.JA4},
	{regexp.MustCompile(`^(fileinfo|files\[\d+\])\.(sha256|sha1|md5)$`), match.FileSHA256},
	{regexp.MustCompile(`^dns\.grouped\.(A|AAAA)\[\d+\]$`), match.IP},
	{regexp.MustCompile(`^dns\.grouped\.CNAME\[\d+\]$`), match.Domain},
}

// normalise spells a checked value as the module's observables do.
func normalise(t match.Type, v string) string {
	v = strings.ToLower(strings.TrimSuffix(v, "."))
	if t == match.TLSCertSHA256 {
		v = strings.ReplaceAll(v, ":", "")
	}
	return v
}

// TestSuricataVerifyEvents reads the EVE fields that suricata-verify's own
// tests expect Suricata to write (testdata/suricata-verify, copied
// unchanged; see its README.md), plus a whole eve.json line from that
// suite, and checks that every domain, address, certificate fingerprint,
// JA3/JA4 and file hash among them is read and checked against the
// indicators, whatever the DNS layout (v1, v2, v3) or event type.
func TestSuricataVerifyEvents(t *testing.T) {
	files, err := filepath.Glob("testdata/suricata-verify/*.yaml")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d suricata-verify tests found (%v)", len(files), err)
	}
	var lines bytes.Buffer
	want := map[string]string{} // "type value" -> test
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vt verifyTest
		if err := yaml.Unmarshal(b, &vt); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range vt.Checks {
			m := c.Filter.Match
			if m == nil || m["event_type"] == nil || (c.Filter.Count != nil && *c.Filter.Count == 0) {
				continue
			}
			ev := map[string]any{"timestamp": "2020-01-01T00:00:00.000000+0000"}
			for k, v := range m {
				if strings.Contains(k, ".__") {
					continue // a suricata-verify operator ("rrname.__len: 1025"), not a field
				}
				setPath(ev, k, v)
			}
			for k, v := range m {
				s, ok := v.(string)
				if !ok || s == "" {
					continue
				}
				for _, p := range valuePaths {
					if p.re.MatchString(k) && (p.typ != match.Domain || strings.Contains(s, ".")) {
						// single-label names (LLMNR's "hs2011", "localhost")
						// can never match a domain indicator and are not checked
						want[string(p.typ)+" "+normalise(p.typ, s)] = filepath.Base(f)
					}
				}
			}
			if q, ok := ev["quic"].(map[string]any); ok {
				for _, e := range anySlice(q["extensions"]) {
					if e, ok := e.(map[string]any); ok && e["name"] == "server_name" {
						if vs := anySlice(e["values"]); len(vs) > 0 {
							want["domain "+normalise(match.Domain, fmt.Sprint(vs[0]))] = filepath.Base(f)
						}
					}
				}
			}
			line, err := json.Marshal(ev)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			lines.Write(append(line, '\n'))
		}
	}
	real, err := os.ReadFile("testdata/suricata-verify/output-eve-fileinfo.eve.json")
	if err != nil {
		t.Fatal(err)
	}
	want["domain www.eicar.org"] = "output-eve-fileinfo.eve.json"
	want["url http://www.eicar.org/download/eicar.com"] = "output-eve-fileinfo.eve.json"
	want["ip 188.40.238.250"] = "output-eve-fileinfo.eve.json"
	if len(want) < 40 {
		t.Fatalf("only %d values to look for: the test files changed?", len(want))
	}

	ix, _ := match.NewIndex(nil)
	rec := module.NewRecorder(Name, ix, nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog,
		FS: fstest.MapFS{"eve.json": {Data: lines.Bytes()}, "eve-fileinfo.json": {Data: real}}}}
	if err := New().Run(context.Background(), in, rec); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, o := range rec.Observables() {
		typ := o.Type
		if typ == match.FileSHA1 || typ == match.FileMD5 {
			typ = match.FileSHA256 // one check for every file hash
		}
		got[string(typ)+" "+o.Value] = true
	}
	for _, k := range sortedKeys(want) {
		typ, v, _ := strings.Cut(k, " ")
		if !got[k] && !(typ == string(match.FileSHA256) && (got["sha1 "+v] || got["md5 "+v])) {
			t.Errorf("%s: %s not read", want[k], k)
		}
	}
	res := rec.Result()
	if len(res.Errors) > 0 || len(res.Notes) > 0 {
		t.Errorf("errors %v, notes %v", res.Errors, res.Notes)
	}
	t.Logf("%d distinct values from %d suricata-verify tests read", len(want), len(files))
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
