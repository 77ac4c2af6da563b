package output

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaBase = "https://spyscan.invalid/schema/2/"

func schemas(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	names, err := fs.Glob(Schemas, "schema/*.json")
	if err != nil || len(names) < 6 {
		t.Fatalf("embedded schemas: %v %v", names, err)
	}
	for _, n := range names {
		b, _ := Schemas.ReadFile(n)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if err := c.AddResource(schemaBase+filepath.Base(n), doc); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// validateFolder checks every JSON file (and every line of the JSON-lines
// files) of a result folder against its schema, and that every file but
// the CSV timeline and the HTML report has one.
func validateFolder(t *testing.T, dir string) {
	t.Helper()
	c := schemas(t)
	checked := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		name := SchemaFor(rel)
		if name == "" {
			if rel != TimelineCSV && rel != ReportHTML {
				t.Errorf("%s has no schema", rel)
			}
			return nil
		}
		sch, err := c.Compile(schemaBase + strings.TrimPrefix(name, "schema/"))
		if err != nil {
			t.Fatal(err)
		}
		var docs [][]byte
		if strings.HasSuffix(rel, ".jsonl.gz") {
			docs = bytes.Split(bytes.TrimSpace(readPlain(t, p)), []byte("\n"))
		} else {
			docs = [][]byte{readPlain(t, p)}
		}
		for i, b := range docs {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Errorf("%s (%d): %v", rel, i+1, err)
				continue
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s (%d) does not follow %s: %v", rel, i+1, name, err)
			}
			checked++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 7 {
		t.Errorf("only %d documents validated", checked)
	}
}

func TestFolderFollowsSchemas(t *testing.T) {
	validateFolder(t, writeFixture(t))
}

// TestSchemasRejectDrift: the schemas are not so loose that anything passes.
func TestSchemasRejectDrift(t *testing.T) {
	c := schemas(t)
	for _, tt := range []struct{ schema, doc string }{
		{"event.schema.json", `{"timestamp":"2021-01-01T00:00:00Z","module":"m","event":"e","description":"d","extra":1}`},
		{"event.schema.json", `{"timestamp":"yesterday","module":"m","event":"e","description":"d"}`},
		{"observable.schema.json", `{"type":"url","value":"x","count":1,"seen":[]}`},
		{"info.schema.json", `{"format_version":3}`},
		{"module.schema.json", `{"module":"m","status":"fine","records_seen":1}`},
		{"module.schema.json", `{"module":"m","status":"ok","records_seen":1,"records_file":"../x.records.jsonl.gz"}`},
		{"alerts.schema.json", `[{"level":"SEVERE","module":"m","message":"x","artifact":"a"}]`},
	} {
		sch, err := c.Compile(schemaBase + tt.schema)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(tt.doc))
		if sch.Validate(v) == nil {
			t.Errorf("%s accepts %s", tt.schema, tt.doc)
		}
	}
}
