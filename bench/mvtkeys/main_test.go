package main

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestSpyRecordKeys: top-level keys, nested ones (k.field, k[].field) and,
// for a module MVT keys by a field's values, field=VALUE.
func TestSpyRecordKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.records.jsonl.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(f)
	z.Write([]byte(`{"namespace":"random","key":"a","sender":{"resolved_name":null},"recipient_contacts":[{"resolved_phone_number":"+1"}]}` + "\n" +
		`{"namespace":7,"key":"b"}` + "\n"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, c := range []struct {
		keyedBy string
		want    map[string]bool
	}{
		{"", map[string]bool{"namespace": true, "key": true, "sender.resolved_name": true, "recipient_contacts[].resolved_phone_number": true, "namespace=random": false}},
		{"namespace", map[string]bool{"namespace=random": true, "namespace=7": false, "key": true}},
	} {
		keys, n, err := spyRecordKeys(p, c.keyedBy)
		if err != nil || n != 2 {
			t.Fatal(n, err)
		}
		for k, want := range c.want {
			if keys[k] != want {
				t.Errorf("keyedBy %q: key %q present %v, want %v", c.keyedBy, k, keys[k], want)
			}
		}
	}
}

// TestMVTRowKeys: the rows of an MVT results file that is one object of
// lists (webkit_session_resource_log's) give the keys, in first-seen
// order, those ever non-null, and the number of rows.
func TestMVTRowKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(p, []byte(`{"/x/a5/a500": [{"origin": "a", "last_seen": null}, {"origin": "b", "user_interaction": true}], "/x/b": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, nonNull, n, err := mvtRowKeys(p)
	if err != nil || n != 2 || !reflect.DeepEqual(keys, []string{"last_seen", "origin", "user_interaction"}) ||
		nonNull["last_seen"] || !nonNull["origin"] || !nonNull["user_interaction"] {
		t.Errorf("keys %q, non-null %v, %d rows, %v", keys, nonNull, n, err)
	}
}
