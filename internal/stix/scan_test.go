package stix

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeBundle checks the fast reader against a reference built on
// encoding/json: both must accept the same documents and give the same
// objects. A field of the wrong JSON type is skipped by both (it costs a
// warning, not the bundle).
func FuzzDecodeBundle(f *testing.F) {
	f.Add([]byte(testBundle))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"x","name":"a\"b\\u00e9\/\ud83d\ude00","n":[1,-2.5e3,true,false,null,{}]}]}`))
	f.Add([]byte(`{"type":"bundle","objects":null}`))
	f.Add([]byte("{\"type\":\"bundle\",\"id\":\"\xff\xfe\"}"))
	f.Add([]byte(`{"objects":[{"external_references":[{"url":"u","source_name":null}],"object_refs":["a","b"]}]} `))
	f.Add([]byte(`{"objects":[{"description":["a"],"name":7,"object_refs":["a",1],"external_references":[3,{"url":{}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if hasSpecialFold(data) {
			t.Skip("encoding/json folds K (U+212A) and ſ (U+017F) in keys; STIX keys are ASCII")
		}
		got, err := decodeAll(data)
		want, werr := referenceDecode(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("fast reader err=%v, reference err=%v for %q", err, werr, data)
		}
		if err == nil && !reflect.DeepEqual(normalise(got), normalise(want)) {
			t.Fatalf("mismatch for %q:\n fast %+v\n ref  %+v", data, got, want)
		}
	})
}

// referenceDecode is the fast reader's specification written with
// encoding/json (same key folding, last duplicate wins): the top level and
// its objects must have the JSON types STIX gives them; inside an object, a
// field of another type is dropped.
func referenceDecode(data []byte) (rawBundle, error) {
	var top struct {
		Type, ID string
		Objects  []map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return rawBundle{}, err
	}
	var raw struct{ Objects []json.RawMessage }
	_ = json.Unmarshal(data, &raw)
	rb := rawBundle{Type: top.Type, ID: top.ID}
	for i, ro := range raw.Objects {
		if string(ro) == "null" {
			return rb, errors.New("null object") // the fast reader wants an object
		}
		rb.Objects = append(rb.Objects, referenceObject(ro, top.Objects[i]))
	}
	return rb, nil
}

func referenceObject(whole json.RawMessage, fields map[string]json.RawMessage) Object {
	var f struct {
		Type, ID, Name, Pattern, Pattern_type, Relationship_type json.RawMessage
		Source_ref, Target_ref, Valid_from                       json.RawMessage
		Object_refs, External_references                         json.RawMessage
	}
	_ = json.Unmarshal(whole, &f)
	str := func(r json.RawMessage) string {
		var s string
		_ = json.Unmarshal(r, &s) // a value of another type leaves ""
		return s
	}
	o := Object{Type: str(f.Type), ID: str(f.ID), Name: str(f.Name), Pattern: str(f.Pattern),
		PatternType: str(f.Pattern_type), RelationshipType: str(f.Relationship_type),
		SourceRef: str(f.Source_ref), TargetRef: str(f.Target_ref), ValidFrom: str(f.Valid_from)}
	var refs []json.RawMessage
	if json.Unmarshal(f.Object_refs, &refs) == nil {
		for _, r := range refs {
			if len(r) > 0 && r[0] == '"' {
				o.ObjectRefs = append(o.ObjectRefs, str(r))
			}
		}
	}
	var exts []json.RawMessage
	if json.Unmarshal(f.External_references, &exts) == nil {
		for _, r := range exts {
			if len(r) > 0 && r[0] == '{' {
				var e struct{ Source_name, URL json.RawMessage }
				_ = json.Unmarshal(r, &e)
				o.ExternalRefs = append(o.ExternalRefs, ExternalReference{SourceName: str(e.Source_name), URL: str(e.URL)})
			}
		}
	}
	return o
}

func hasSpecialFold(b []byte) bool {
	s := strings.ToLower(string(b))
	return strings.ContainsAny(s, "\u212a\u017f") || strings.Contains(s, `\u212a`) || strings.Contains(s, `\u017f`)
}

// decodeAll collects every object the fast reader hands out.
func decodeAll(data []byte) (rawBundle, error) {
	var objs []Object
	rb, err := decodeBundle(data, func(o *Object) {
		c := *o
		c.ObjectRefs = append([]string(nil), o.ObjectRefs...)
		c.ExternalRefs = append([]ExternalReference(nil), o.ExternalRefs...)
		objs = append(objs, c)
	})
	rb.Objects = objs
	return rb, err
}

// normalise makes empty and nil slices compare equal.
func normalise(rb rawBundle) rawBundle {
	if len(rb.Objects) == 0 {
		rb.Objects = nil
	}
	for i := range rb.Objects {
		o := &rb.Objects[i]
		o.wrongTypes = nil // warnings; TestWrongTypedFields checks them
		if len(o.ObjectRefs) == 0 {
			o.ObjectRefs = nil
		}
		if len(o.ExternalRefs) == 0 {
			o.ExternalRefs = nil
		}
	}
	return rb
}

func TestDecodeMatchesEncodingJSONOnSnapshot(t *testing.T) {
	files, _ := filepath.Glob("../indicators/snapshot/*/*/*.stix2")
	more, _ := filepath.Glob("../indicators/snapshot/*/*.stix2")
	files = append(files, more...)
	if len(files) < 16 {
		t.Fatalf("found %d snapshot bundles", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeAll(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want, err := referenceDecode(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalise(got), normalise(want)) {
			t.Errorf("%s: fast reader and encoding/json disagree", f)
		}
	}
}

// BenchmarkParseLargest parses the largest embedded bundle (Amnesty's 2023
// Android campaign, 2.2 MB; Echap's 3.9 MB bundle left the snapshot when its
// indicators came to be read from ioc.yaml).
func BenchmarkParseLargest(b *testing.B) {
	data, err := os.ReadFile("../indicators/snapshot/amnesty-investigations/2023-03-29_android_campaign/malware.stix2")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNestingLimit: a bundle whose values nest maxDepth levels deep (the
// bundle, its objects array, an object and arrays inside it) is read; one
// level more is refused as not a STIX bundle, and so is a megabyte of
// nesting, without recursing through it.
func TestNestingLimit(t *testing.T) {
	nested := func(depth int) []byte {
		n := depth - 3 // bundle, objects, the object
		return []byte(`{"type":"bundle","id":"bundle--1","objects":[{"type":"x-deep","id":"x-deep--1","v":` +
			strings.Repeat("[", n) + strings.Repeat("]", n) + `}]}`)
	}
	if _, err := Parse(nested(maxDepth)); err != nil {
		t.Errorf("%d levels: %v", maxDepth, err)
	}
	for _, depth := range []int{maxDepth + 1, 500_000} {
		_, err := Parse(nested(depth))
		if err == nil || !strings.Contains(err.Error(), "not a STIX bundle") || !strings.Contains(err.Error(), "nesting too deep") {
			t.Errorf("%d levels: %v, want nesting too deep", depth, err)
		}
	}
}
