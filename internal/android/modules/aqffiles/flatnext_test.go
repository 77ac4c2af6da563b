package aqffiles

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// decodeSplit is Decode as it was before nextFlat: every entry split into
// its bytes first (objects.next), then parsed (parseObject).
func decodeSplit(b []byte) ([]File, error) {
	br := bufio.NewReaderSize(bytes.NewReader(b), 256<<10)
	first, err := peek(br)
	if err != nil {
		return nil, err
	}
	o := objects{br: br}
	if first == '[' {
		_, _ = br.ReadByte()
		o.array = true
	}
	var out []File
	for {
		obj, err := o.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var f raw
		if err := parseObject(obj, &f); err != nil && !isTypeError(err) {
			return out, err
		}
		out = append(out, f.file())
	}
}

// checkAsSplit holds Decode to decodeSplit on b: the same entries, then
// the same error.
func checkAsSplit(t *testing.T, b []byte) {
	t.Helper()
	want, wantErr := decodeSplit(b)
	var got []File
	err := Decode(context.Background(), bytes.NewReader(b), func(f File) { got = append(got, f) })
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("error %v, split then parsed: %v", err, wantErr)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, split then parsed: %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("entry %d: %+v, split then parsed: %+v", i, got[i], want[i])
		}
	}
}

// TestDecodeAsSplit: entries read straight from the read buffer are those
// split and parsed, on generated files.json (flat entries across many
// refills of the buffer) and on entries of every kind (flat, escaped,
// nested, mistyped, unknown keys) of growing lengths, so that the buffer
// ends at every place in them, as an array and one object per line,
// whole and cut short.
func TestDecodeAsSplit(t *testing.T) {
	checkAsSplit(t, androiddata.FilesJSON(androiddata.Options{Files: 20000}))
	kinds := []string{
		`{"path":"/data/f%d","size":%d,"mode":"-rw-------","user_id":1000,"modified_time":1712757791,"context":"u:object_r:x:s0"}`,
		`{"path":"/data/esc\/aped%d","size":%d}`,
		`{"path":"/nested/%d","extra":{"a":[1,2,{"b":null}]},"size":%d}`,
		`{"path":"/mistyped/%d","size":"%d"}`,
		`{"path":"/unknown/%d","other":"x","n":-%d, "z" : null }`,
		`{"PATH":"/case/%d","size":%d}`,
		`{"path":"/é/%d","size":%d}`,
	}
	var array, lines bytes.Buffer
	array.WriteByte('[')
	for i := range 40000 {
		e := fmt.Sprintf(kinds[i%len(kinds)], i, i*7)
		if i > 0 {
			array.WriteString(",\n ")
		}
		array.WriteString(e)
		lines.WriteString(e + "\n")
	}
	array.WriteByte(']')
	for _, b := range [][]byte{array.Bytes(), lines.Bytes()} {
		checkAsSplit(t, b)
		checkAsSplit(t, b[:len(b)*2/3])
		checkAsSplit(t, append(b[:len(b)/3:len(b)/3], " x"...))
	}
}

// FuzzDecodeAsSplit holds Decode to decodeSplit on any input.
func FuzzDecodeAsSplit(f *testing.F) {
	f.Add(androiddata.FilesJSON(androiddata.Options{Files: 3}))
	f.Add([]byte(`{"path":1}{"changed_time":99999999999999999}`))
	f.Add([]byte(`[{"path":"/a"} , {"path":"\u0041","x":[{}]},{"size":01}]`))
	f.Add([]byte(`[{"path":"/a"}{"path":"/b"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAsSplit(t, b)
	})
}
