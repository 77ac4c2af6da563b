package stix

import (
	"reflect"
	"strings"
	"testing"
)

const testBundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"malware","id":"malware--1","name":"Pegasus","external_references":[{"source_name":"report","url":"https://example.org/r"}]},
 {"type":"malware","id":"malware--2","name":"Predator"},
 {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='a.com']","pattern_type":"stix"},
 {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"},
 {"type":"relationship","id":"relationship--2","relationship_type":"indicates","source_ref":"indicator--404","target_ref":"malware--1"},
 {"type":"indicator","id":"indicator--2","pattern":"[process:name='bh'] OR [domain-name:value='b.com']","pattern_type":"stix"},
 {"type":"report","id":"report--1","name":"R","object_refs":["indicator--2","malware--2","indicator--3"],"external_references":[{"source_name":"x","url":"https://example.org/report"}]},
 {"type":"indicator","id":"indicator--3","pattern":"[domain-name:value LIKE '%.c.com']","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--4","pattern":"rule x {}","pattern_type":"yara"}
]}`

func TestParseBundle(t *testing.T) {
	b, err := Parse([]byte(testBundle))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Indicators) != 2 {
		t.Fatalf("indicators = %d, want 2", len(b.Indicators))
	}
	i1, i2 := b.Indicators[0], b.Indicators[1]
	if !reflect.DeepEqual(i1.Families, []string{"Pegasus"}) || !reflect.DeepEqual(i1.References, []string{"https://example.org/r"}) {
		t.Errorf("indicator--1 families %v refs %v", i1.Families, i1.References)
	}
	if !reflect.DeepEqual(i2.Families, []string{"Predator"}) || len(i2.Comparisons) != 2 || !reflect.DeepEqual(i2.References, []string{"https://example.org/report"}) {
		t.Errorf("indicator--2 (via report) families %v comparisons %v refs %v", i2.Families, i2.Comparisons, i2.References)
	}
	wantWarn := []string{"indicator--404 is not in the bundle", "indicator--3: pattern", "pattern type \"yara\""}
	all := strings.Join(b.Warnings, "\n")
	for _, w := range wantWarn {
		if !strings.Contains(all, w) {
			t.Errorf("warnings %q lack %q", all, w)
		}
	}
	if !reflect.DeepEqual(b.Malware, []string{"Pegasus", "Predator"}) {
		t.Errorf("malware = %v", b.Malware)
	}
}

func TestParseNotABundle(t *testing.T) {
	for _, in := range []string{"", "not json", `{"type":"indicator"}`, `[1,2]`, `{"type":"bundle","objects":5}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) gave no error", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(testBundle))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"report","object_refs":["x"]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { Parse(b) })
}

// TestWrongTypedFields: STIX producers write fields with other JSON types
// than the specification gives them (MVT's own test bundle has an array as
// an intrusion-set's description). Such a field is skipped with a warning
// naming the object; the rest of the bundle, that object included, is used.
func TestWrongTypedFields(t *testing.T) {
	tests := []struct {
		name, objects string
		indicators    int
		families      []string
		warn          string // "" for none
	}{
		{"description array (unused field)", `{"type":"intrusion-set","id":"intrusion-set--1","name":"APT","description":["a","b"]},` +
			`{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='a.com']","pattern_type":"stix"},` +
			`{"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"intrusion-set--1"}`,
			1, []string{"APT"}, ""},
		{"name as a number", `{"type":"malware","id":"malware--1","name":7},` +
			`{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='a.com']"},` +
			`{"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"}`,
			1, nil, "malware--1: name of another JSON type"},
		{"pattern as an array", `{"type":"indicator","id":"indicator--1","pattern":["[domain-name:value='a.com']"]},` +
			`{"type":"indicator","id":"indicator--2","pattern":"[domain-name:value='b.com']"}`,
			1, nil, "indicator--1: pattern of another JSON type"},
		{"odd list entries", `{"type":"malware","id":"malware--1","name":"M","external_references":[3,{"url":{}},{"url":"https://r.example"}]},` +
			`{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='a.com']"},` +
			`{"type":"report","id":"report--1","object_refs":[1,"indicator--1","malware--1"]}`,
			1, []string{"M"}, "report--1: an entry of object_refs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse([]byte(`{"type":"bundle","id":"bundle--1","objects":[` + tc.objects + `]}`))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Indicators) != tc.indicators {
				t.Fatalf("indicators = %d, want %d (warnings %q)", len(b.Indicators), tc.indicators, b.Warnings)
			}
			if !reflect.DeepEqual(b.Indicators[0].Families, tc.families) {
				t.Errorf("families = %v, want %v", b.Indicators[0].Families, tc.families)
			}
			all := strings.Join(b.Warnings, "\n")
			if tc.warn == "" && all != "" || !strings.Contains(all, tc.warn) {
				t.Errorf("warnings %q, want %q", all, tc.warn)
			}
		})
	}
}
