package aqffiles

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestFileJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(f *File, dst []byte) ([]byte, error) { return f.AppendJSON(dst) })
}

// TestFileJSONSharedTimes: an entry whose times are equal, in every
// combination, with a zero time between them, the same instant in another
// zone, and a time json.Marshal refuses repeated, encodes as json.Marshal
// does (a repeated time's bytes are copied from the one before it).
func TestFileJSONSharedTimes(t *testing.T) {
	a := time.Unix(1700000000, 0).UTC()
	b := time.Unix(1700000001, 5).UTC()
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	zoned := a.In(time.FixedZone("z", 3600))
	choices := []time.Time{{}, a, b, zoned, far}
	for _, c := range choices {
		for _, m := range choices {
			for _, ac := range choices {
				f := File{Path: "/p", Mode: "-rw-r--r--", ChangedTime: c, ModifiedTime: m, AccessTime: ac, Context: "u:object_r:x:s0"}
				want, wantErr := json.Marshal(f)
				got, err := f.AppendJSON([]byte("prefix"))
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("%v %v %v: error %v, json.Marshal's %v", c, m, ac, err, wantErr)
				}
				if err == nil && string(got) != "prefix"+string(want) {
					t.Errorf("%v %v %v:\n got %s\nwant prefix%s", c, m, ac, got, want)
				}
			}
		}
	}
}

// TestRepeatedStringsShared: a string field equal to the previous entry's
// takes its string (no copy), one that differs is read as it is.
func TestRepeatedStringsShared(t *testing.T) {
	in := `[{"path":"/a","mode":"-rw-","context":"u:r:x:s0","user_name":"root","sha256":"ab"},
{"path":"/b","mode":"-rw-","context":"u:r:x:s0","user_name":"root","sha256":"ab"},
{"path":"/c","mode":"-rwx","context":"u:r:x:s","user_name":"","sha256":"abc"}]`
	var got []File
	if err := Decode(context.Background(), strings.NewReader(in), func(f File) { got = append(got, f) }); err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Path: "/a", Mode: "-rw-", Context: "u:r:x:s0", UserName: "root", SHA256: "ab"},
		{Path: "/b", Mode: "-rw-", Context: "u:r:x:s0", UserName: "root", SHA256: "ab"},
		{Path: "/c", Mode: "-rwx", Context: "u:r:x:s", SHA256: "abc"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for _, s := range [][2]string{{got[0].Mode, got[1].Mode}, {got[0].Context, got[1].Context}, {got[0].SHA256, got[1].SHA256}} {
		if unsafe.StringData(s[0]) != unsafe.StringData(s[1]) {
			t.Errorf("%q read twice", s[0])
		}
	}
}
