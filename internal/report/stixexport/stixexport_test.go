package stixexport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

const schemaRoot = "testdata/stix-schemas/schemas"

// compiler loads the vendored official schemas under their $id, so that no
// network access is needed.
func compiler(t *testing.T) (*jsonschema.Compiler, map[string]string) {
	t.Helper()
	compileOnce.Do(func() { compiled, compiledIDs, compileErr = loadSchemas() })
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiled, compiledIDs
}

var (
	compileOnce sync.Once
	compiled    *jsonschema.Compiler
	compiledIDs map[string]string
	compileErr  error
)

func loadSchemas() (*jsonschema.Compiler, map[string]string, error) {
	c := jsonschema.NewCompiler()
	ids := map[string]string{} // relative file → $id
	err := filepath.WalkDir(schemaRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			return err
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			return fmt.Errorf("%s has no $id", p)
		}
		rel, _ := filepath.Rel(schemaRoot, p)
		ids[filepath.ToSlash(rel)] = id
		return c.AddResource(id, doc)
	})
	return c, ids, err
}

func export(t *testing.T, r *model.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestValidAgainstOfficialSchema validates the bundle, and each object
// against the schema of its own type.
func TestValidAgainstOfficialSchema(t *testing.T) {
	c, ids := compiler(t)
	bundle, err := c.Compile(ids["common/bundle.json"])
	if err != nil {
		t.Fatal(err)
	}
	perType := map[string]string{"identity": "sdos/identity.json", "indicator": "sdos/indicator.json",
		"observed-data": "sdos/observed-data.json", "sighting": "sros/sighting.json", "domain-name": "observables/domain-name.json",
		"process": "observables/process.json", "file": "observables/file.json", "directory": "observables/directory.json",
		"software": "observables/software.json", "url": "observables/url.json", "ipv4-addr": "observables/ipv4-addr.json",
		"ipv6-addr": "observables/ipv6-addr.json", "email-addr": "observables/email-addr.json", "x509-certificate": "observables/x509-certificate.json"}
	for name, r := range map[string]*model.Report{"detected": reportgen.Detected(), "all types": allTypes()} {
		out := export(t, r)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := bundle.Validate(doc); err != nil {
			t.Errorf("%s: bundle is not valid STIX 2.1: %v", name, err)
		}
		var b struct{ Objects []map[string]any }
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatal(err)
		}
		for _, o := range doc.(map[string]any)["objects"].([]any) {
			typ := o.(map[string]any)["type"].(string)
			file, ok := perType[typ]
			if !ok {
				t.Errorf("%s: unexpected object type %q", name, typ)
				continue
			}
			s, err := c.Compile(ids[file])
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(o); err != nil {
				t.Errorf("%s: %s %v is not valid: %v", name, typ, o.(map[string]any)["id"], err)
			}
		}
		checkRefs(t, name, b.Objects)
	}
}

// checkRefs: every *_ref and *_refs names an object of the bundle.
func checkRefs(t *testing.T, name string, objs []map[string]any) {
	have := map[string]bool{}
	for _, o := range objs {
		id := o["id"].(string)
		if have[id] {
			t.Errorf("%s: duplicate id %s", name, id)
		}
		have[id] = true
	}
	for _, o := range objs {
		for k, v := range o {
			var refs []any
			switch {
			case strings.HasSuffix(k, "_ref"):
				refs = []any{v}
			case strings.HasSuffix(k, "_refs"):
				refs = v.([]any)
			}
			for _, r := range refs {
				if !have[r.(string)] {
					t.Errorf("%s: %s.%s names %v, absent from the bundle", name, o["id"], k, r)
				}
			}
		}
	}
}

// allTypes has one indicator hit of every match type.
func allTypes() *model.Report {
	r := reportgen.Detected()
	vals := map[string]string{"domain": "evil.example", "url": "https://evil.example/x?y='z'", "ip": "192.0.2.7",
		"email": "a@evil.example", "process": "/usr/libexec/evild", "file-name": "evil.dylib", "file-path": "/private/var/db/evil/x",
		"sha256": strings.Repeat("ab", 32), "sha1": strings.Repeat("cd", 20), "md5": strings.Repeat("ef", 16),
		"app-id": "com.evil.app", "app-cert-sha256": strings.Repeat("01", 32), "tls-cert-sha1": strings.Repeat("02", 20),
		"configuration-profile": "com.evil.profile", "android-property": "persist.evil", "ja3": strings.Repeat("03", 16),
		"ja4": "t13d1516h2_8daaf6152771_b186095e22b6"}
	r.Alerts = nil
	for typ, v := range vals {
		r.Alerts = append(r.Alerts, model.Alert{Level: model.Critical, Module: "m", Artifact: "a", Message: typ,
			Match: &model.Match{Type: typ, Observed: v, Indicator: v, How: "exact",
				Sources: []model.Provenance{{Source: "list", File: "iocs.txt", Family: "Evil"}}}})
	}
	return r
}

func TestGolden(t *testing.T) {
	out := export(t, reportgen.Detected())
	golden.Check(t, filepath.Join("testdata", "detected.stix2.json"), out)
	if !bytes.Equal(out, export(t, reportgen.Detected())) {
		t.Error("two exports of the same report differ")
	}
}

func TestContent(t *testing.T) {
	b := Build(reportgen.Detected())
	count := map[string]int{}
	var sightingOf []string
	for _, o := range b.Objects {
		count[o["type"].(string)]++
		if o["type"] == "sighting" {
			sightingOf = append(sightingOf, o["sighting_of_ref"].(string))
		}
		if o["type"] == "indicator" && o["id"] == "indicator--4c8f8d2a-3b0b-4b7e-9f39-1f6c2b1d5e01" {
			if o["pattern"] != "[domain-name:value = 'free247downloads.com']" {
				t.Errorf("indicator pattern = %v", o["pattern"])
			}
		}
	}
	// Two indicator hits, the heuristic is left out.
	if count["sighting"] != 2 || count["observed-data"] != 2 || count["indicator"] != 2 || count["identity"] != 1 {
		t.Errorf("object counts = %v", count)
	}
	if len(sightingOf) != 2 || sightingOf[0] != "indicator--4c8f8d2a-3b0b-4b7e-9f39-1f6c2b1d5e01" {
		t.Errorf("sightings refer to %v, want the original indicator ids", sightingOf)
	}
	if empty := Build(reportgen.Clean()); len(empty.Objects) != 1 {
		t.Errorf("a clean report exports %d objects, want the identity only", len(empty.Objects))
	}
}

func TestPatternQuoting(t *testing.T) {
	if got := Pattern("url", `https://x/'a'\b`); got != `[url:value = 'https://x/\'a\'\\b']` {
		t.Errorf("Pattern = %s", got)
	}
}

// TestSchemaCatchesErrors proves the validation can fail: broken objects
// are rejected by the same schemas.
func TestSchemaCatchesErrors(t *testing.T) {
	c, ids := compiler(t)
	bundle, err := c.Compile(ids["common/bundle.json"])
	if err != nil {
		t.Fatal(err)
	}
	breaks := map[string]func(o map[string]any){
		"sighting without sighting_of_ref": func(o map[string]any) {
			if o["type"] == "sighting" {
				delete(o, "sighting_of_ref")
			}
		},
		"bad timestamp": func(o map[string]any) {
			if o["type"] == "observed-data" {
				o["first_observed"] = "2021-07-14 09:30"
			}
		},
		"indicator without pattern_type": func(o map[string]any) {
			if o["type"] == "indicator" {
				delete(o, "pattern_type")
			}
		},
	}
	for name, brk := range breaks {
		var b map[string]any
		if err := json.Unmarshal(export(t, reportgen.Detected()), &b); err != nil {
			t.Fatal(err)
		}
		for _, o := range b["objects"].([]any) {
			brk(o.(map[string]any))
		}
		raw, _ := json.Marshal(b)
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := bundle.Validate(doc); err == nil {
			t.Errorf("%s: the schema accepted a broken bundle", name)
		}
	}
}
