package iosmod_test

import (
	"context"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestBackslashReplace compares with Python's
// bytes.decode("utf-8", "backslashreplace"), which MVT's JSON encoder uses
// for blobs (values written from Python 3.11).
func TestBackslashReplace(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"plain":                "plain",
		"caf\xc3\xa9":          "café",
		"a\xffb\x00c\x01":      `a\xffb` + "\x00c\x01",
		"\xc3":                 `\xc3`,
		"\xed\xa0\x80 x":       `\xed\xa0\x80 x`,
		"\x04\x0bstreamtyped":  "\x04\x0bstreamtyped",
		"\x81\x0f\xe2\x82\xac": `\x81` + "\x0f€",
	} {
		if got := iosmod.BackslashReplace([]byte(in)); got != want {
			t.Errorf("BackslashReplace(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOtherColumns reads a table's columns besides the named ones and
// writes them after a record's fields, in the table's order, with NULL as
// null, numbers as numbers and blobs as text.
func TestOtherColumns(t *testing.T) {
	db := openDB(t, []string{"CREATE TABLE t (ID INTEGER PRIMARY KEY, Name TEXT, Extra INTEGER, Ratio REAL, Blob BLOB, Empty TEXT)"},
		iosgen.Ins("t", "ID, Name, Extra, Ratio, Blob", 1, "a", 7, 1.5, []byte("x\xff")))
	ctx := context.Background()
	named := []string{"ID", "name"}
	sel, set := iosmod.OtherColumns(ctx, db, "t", named)
	if want := []string{"?Extra", "?Ratio", "?Blob", "?Empty"}; !slices.Equal(sel, want) {
		t.Fatalf("other columns %q, want %q", sel, want)
	}
	rec := module.NewRecorder("t", nil, nil)
	var got []string
	err := iosmod.Query(ctx, db, rec, "t", append(named, sel...), "", func(r iosmod.Row) error {
		type rec struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		b, err := iosmod.MarshalWith(rec{r.Int("id"), r.Str("name")}, r.Tail(set))
		got = append(got, string(b))
		if err != nil {
			return err
		}
		b, err = iosmod.MarshalWith(struct{}{}, r.Tail(set))
		got = append(got, string(b))
		if err != nil {
			return err
		}
		// appended to an object that follows other bytes (a record's
		// AppendJSON), empty or not; and refused on what is no object
		for _, obj := range []string{`{}`, `{"id":1}`} {
			b, err = r.Tail(set).AppendObject([]byte("line\n"+obj), len("line\n"))
			got = append(got, string(b))
			if err != nil {
				return err
			}
		}
		if _, err := r.Tail(set).AppendObject([]byte("[1]"), 0); err == nil {
			t.Error("columns added to [1]: no error")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"id":1,"name":"a","Extra":7,"Ratio":1.5,"Blob":"x\\xff","Empty":null}`, `{"Extra":7,"Ratio":1.5,"Blob":"x\\xff","Empty":null}`,
		"line\n" + `{"Extra":7,"Ratio":1.5,"Blob":"x\\xff","Empty":null}`, "line\n" + `{"id":1,"Extra":7,"Ratio":1.5,"Blob":"x\\xff","Empty":null}`}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("got %q, want %q", got, want)
			break
		}
	}
	// the blobs MVT writes in base64 (named without case)
	sel, set = iosmod.OtherColumns(ctx, db, "t", named, "blob")
	err = iosmod.Query(ctx, db, rec, "t", append(named, sel...), "", func(r iosmod.Row) error {
		b, err := iosmod.MarshalWith(struct{}{}, r.Tail(set))
		if want := `{"Extra":7,"Ratio":1.5,"Blob":"eP8=","Empty":null}`; string(b) != want {
			t.Errorf("with base64: %s, want %s", b, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Result().Notes) != 0 {
		t.Errorf("notes %q", rec.Result().Notes)
	}
}
