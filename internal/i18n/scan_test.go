package i18n

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"testing"
)

// jsonCatalog is what encoding/json reads from b.
func jsonCatalog(b []byte) (*Catalog, error) {
	var c Catalog
	err := json.Unmarshal(b, &c)
	return &c, err
}

// TestParseShapedSameAsJSON: the embedded catalogs are in the shape
// parseShaped reads and it gives exactly json.Unmarshal's catalog; other
// documents either give json.Unmarshal's too or are left to it.
func TestParseShapedSameAsJSON(t *testing.T) {
	docs := map[string]bool{ // document → parseShaped must read it
		`{"code":"en","name":"E","plural":"one-is-1","messages":{}}`:                                             true,
		` { "code" : "x" , "messages" : { "a" : "b" , "c":{"one":"1","other":"n"} , "a":"again" } } `:            true,
		`{"messages":{"e":"\u00e9\ud83d\ude00 \"q\" \\ \/","k\"ey":"v","bad":"a` + "\xff" + `b","u":"é — “x”"}}`: true,
		`{"messages":{"a":{"one":"1","few":"f","many":"m","other":"o"},"b":{}}}`:                                 true,
		`{"messages":{"a":{"One":"1"}}}`:        false, // json matches field names without case
		`{"messages":{"a":{"zero":"0"}}}`:       false, // json ignores unknown fields
		`{"messages":{"a":1}}`:                  false,
		`{"messages":null}`:                     false,
		`{"code":"a","code":"b","messages":{}}`: false,
		`{"other":1,"messages":{}}`:             false,
		`{"messages":{"a":"b"}} x`:              false,
		`{"messages":{"a":"b",}}`:               false,
		`{"messages":{"a":"` + "\t" + `"}}`:     false,
		`{"messages":{"a":"\x"}}`:               false,
		`{"code":"en"}`:                         false,
	}
	for _, code := range Languages() {
		b, err := fs.ReadFile(locales, "locales/"+code+".json")
		if err != nil {
			t.Fatal(err)
		}
		docs[string(b)] = true
	}
	for doc, must := range docs {
		got, ok := parseShaped([]byte(doc))
		if ok != must {
			t.Errorf("%.60q: read %v, want %v", doc, ok, must)
			continue
		}
		if !ok {
			continue
		}
		want, err := jsonCatalog([]byte(doc))
		if err != nil {
			t.Errorf("%.60q: read, but json.Unmarshal fails: %v", doc, err)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%.60q:\n got %+v\nwant %+v", doc, got, want)
		}
	}
}

// FuzzParseShaped: whatever parseShaped reads, json.Unmarshal reads the same.
func FuzzParseShaped(f *testing.F) {
	f.Add([]byte(`{"code":"x","messages":{"a":"b","c":{"one":"1","other":"n"},"d":"\u00e9"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseShaped(b)
		if !ok {
			return
		}
		want, err := jsonCatalog(b)
		if err != nil {
			t.Fatalf("read, but json.Unmarshal fails: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	})
}
