package stix

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeBundle checks the fast reader against encoding/json: both must
// accept the same documents and give the same objects.
func FuzzDecodeBundle(f *testing.F) {
	f.Add([]byte(testBundle))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"x","name":"a\"b\\u00e9\/\ud83d\ude00","n":[1,-2.5e3,true,false,null,{}]}]}`))
	f.Add([]byte(`{"type":"bundle","objects":null}`))
	f.Add([]byte("{\"type\":\"bundle\",\"id\":\"\xff\xfe\"}"))
	f.Add([]byte(`{"objects":[{"external_references":[{"url":"u","source_name":null}],"object_refs":["a","b"]}]} `))
	f.Fuzz(func(t *testing.T, data []byte) {
		if hasSpecialFold(data) {
			t.Skip("encoding/json folds K (U+212A) and ſ (U+017F) in keys; STIX keys are ASCII")
		}
		got, err := decodeAll(data)
		var want rawBundle
		werr := json.Unmarshal(data, &want)
		if (err == nil) != (werr == nil) {
			// encoding/json also rejects type mismatches (a number where a
			// string is wanted) that the fast reader reports too; only a
			// disagreement on validity is a bug.
			t.Fatalf("fast reader err=%v, encoding/json err=%v for %q", err, werr, data)
		}
		if err == nil && !reflect.DeepEqual(normalise(got), normalise(want)) {
			t.Fatalf("mismatch for %q:\n fast %+v\n json %+v", data, got, want)
		}
	})
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
		var want rawBundle
		if err := json.Unmarshal(data, &want); err != nil {
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
