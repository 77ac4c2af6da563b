package keyedarchive

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/ios/typedstream"

	"howett.net/plist"
)

// The hand-written binary-plist reader (parseBinary) is checked against an
// independent reader, howett.net/plist, on documents we did not write: the
// binary plists of bpylist2's test suite, the NSKeyedArchiver archives that
// iOS embeds in real iMessage bodies (kept with the typedstream decoder's
// samples), random documents written by howett.net/plist's encoder, and
// fuzzed bytes. Whenever parseBinary accepts a document, howett.net/plist
// must accept it too and give the same value; parseBinary may refuse a
// document (its callers then fall back to howett.net/plist).

// agree compares parseBinary's value with howett.net/plist's. Dates are
// compared within what each side may lose (dateTolerance).
func agree(got, want any) bool {
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		d, tol := g.Sub(w), dateTolerance(w)
		return ok && d <= tol && d >= -tol && g.Location() == w.Location()
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !agree(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !agree(g[i], w[i]) {
				return false
			}
		}
		return true
	case float64:
		g, ok := got.(float64)
		return ok && (g == w || math.IsNaN(g) && math.IsNaN(w))
	case float32:
		g, ok := got.(float32)
		return ok && (g == w || math.IsNaN(float64(g)) && math.IsNaN(float64(w)))
	}
	return reflect.DeepEqual(got, want)
}

// dateTolerance is how far apart the two readers may place a date stored
// as the double f seconds since 2001-01-01. parseBinary splits off the whole
// seconds exactly and rounds the fraction to the microsecond (at most 0.5
// µs off). howett.net/plist first adds 978 307 200 to f in float64, which
// rounds the sum to the resolution of a double at the sum's magnitude (half
// a ULP: 0.12 µs in 2026, 7.6 µs past 2^36 s, in the year 4147), then
// truncates to the nanosecond. The tolerance is therefore 1 µs plus half
// the ULP of the Unix time at that date: relative to the magnitude, never a
// blanket allowance.
func dateTolerance(w time.Time) time.Duration {
	x := math.Abs(float64(w.Unix()))
	ulp := math.Nextafter(x, math.Inf(1)) - x
	return time.Microsecond + time.Duration(math.Ceil(ulp/2*1e9))
}

func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// differential checks one document; it reports whether parseBinary read it.
func differential(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, err := parseBinary(data)
	if err != nil {
		return false
	}
	var want any
	if herr := Unmarshal(data, &want); herr != nil {
		t.Errorf("%s: parseBinary accepted a document howett.net/plist refuses (%v): %s", name, herr, short(got))
		return true
	}
	if !agree(got, want) {
		t.Errorf("%s: disagree\nparseBinary %s\nhowett      %s", name, short(got), short(want))
	}
	return true
}

// embeddedArchives returns the binary plists stored as NSData inside real
// iMessage bodies (data-detector results archived by iOS).
func embeddedArchives(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../typedstream/testdata/crabstep/*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || !bytes.HasPrefix(b, []byte("\x04\x0bstreamtyped")) {
			continue
		}
		s, _ := typedstream.Decode(b)
		if s == nil {
			continue
		}
		n := 0
		var walk func(v any, depth int)
		seen := map[*typedstream.Object]bool{}
		walk = func(v any, depth int) {
			if depth > 32 {
				return
			}
			switch x := v.(type) {
			case []byte:
				if bytes.HasPrefix(x, []byte("bplist00")) {
					n++
					out[fmt.Sprintf("%s#%d", filepath.Base(f), n)] = x
				}
			case *typedstream.Object:
				if seen[x] {
					return
				}
				seen[x] = true
				for _, g := range x.Groups {
					for _, gv := range g.Values {
						walk(gv, depth+1)
					}
				}
			case []any:
				for _, e := range x {
					walk(e, depth+1)
				}
			}
		}
		for _, g := range s.Groups {
			for _, v := range g.Values {
				walk(v, 0)
			}
		}
	}
	return out
}

func publicSamples(t testing.TB) map[string][]byte {
	t.Helper()
	out := embeddedArchives(t)
	files, err := filepath.Glob("testdata/bpylist2/*plist")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out["bpylist2/"+filepath.Base(f)] = b
	}
	return out
}

func TestDifferentialPublicSamples(t *testing.T) {
	samples := publicSamples(t)
	read, embedded := 0, 0
	for name, b := range samples {
		if differential(t, name, b) {
			read++
			if strings.Contains(name, "#") {
				embedded++
			}
		}
	}
	// Every sample is a valid binary plist: parseBinary must read them all,
	// not fall back.
	if read != len(samples) || embedded < 10 {
		t.Errorf("parseBinary read %d of %d samples (%d archives embedded in message bodies)", read, len(samples), embedded)
	}
}

// randomValue builds a random plist value of the kinds Apple's archives use.
func randomValue(r *rand.Rand, depth int) any {
	k := r.IntN(12)
	if depth > 4 {
		k = r.IntN(8)
	}
	switch k {
	case 0:
		return r.Uint64() >> r.IntN(64)
	case 1:
		return -int64(r.Uint64()>>r.IntN(64)) - 1
	case 2:
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(20)-10))
	case 3:
		return r.IntN(2) == 1
	case 4:
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	case 5:
		return strings.Repeat("ab", r.IntN(30))
	case 6:
		return strings.Repeat("é€😀", r.IntN(10)) // UTF-16 in the plist
	case 7:
		return time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1e9)).UTC()
	case 8:
		return plist.UID(r.Uint64() >> r.IntN(64))
	case 9, 10:
		m := map[string]any{}
		for range r.IntN(20) {
			m[fmt.Sprintf("k%d", r.IntN(1000))] = randomValue(r, depth+1)
		}
		return m
	}
	a := make([]any, r.IntN(20))
	for i := range a {
		a[i] = randomValue(r, depth+1)
	}
	return a
}

func TestDifferentialRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		v := randomValue(r, 0)
		data, err := plist.Marshal(v, plist.BinaryFormat)
		if err != nil {
			t.Fatal(err)
		}
		if !differential(t, fmt.Sprintf("random #%d", i), data) {
			// Only 128-bit integers are left to howett.net/plist; the
			// encoder writes none for these values.
			_, err := parseBinary(data)
			t.Errorf("random #%d: parseBinary refused it (%v): %s", i, err, short(v))
		}
	}
}

func FuzzParseBinary(f *testing.F) {
	for _, b := range publicSamples(f) {
		if len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		differential(t, "fuzz", data)
	})
}

// Known answers from bpylist2's tests (testdata/SOURCES.md) for the
// NSKeyedArchiver layer.
func TestKeyedArchiveKnownAnswers(t *testing.T) {
	decode := func(t *testing.T, name string) any {
		t.Helper()
		b, err := os.ReadFile("testdata/bpylist2/" + name + "_archive.plist")
		if err != nil {
			t.Fatal(err)
		}
		v, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	fields := func(t *testing.T, name string) map[string]any {
		t.Helper()
		o, ok := decode(t, name).(Object)
		if !ok || o.Class != "crap.Foo" {
			t.Fatalf("%s: %#v", name, o)
		}
		return o.Fields
	}
	if f := fields(t, "simple"); f["title"] != "yo" || f["count"] != uint64(42) {
		t.Errorf("simple: %#v", f)
	}
	f := fields(t, "complex")
	if !reflect.DeepEqual(f["categories"], []any{"banana", "apple"}) ||
		!reflect.DeepEqual(f["metadata"], map[string]any{"fruit": "kiwi", "veg": "asparagus"}) {
		t.Errorf("complex: %#v", f)
	}
	f = fields(t, "recursive")
	inner, _ := f["recursive"].(Object)
	if f["title"] != "hello" || inner.Fields["title"] != "yo" {
		t.Errorf("recursive: %#v", f)
	}
	want := time.Date(2017, 2, 23, 6, 15, 58, 684097000, time.UTC)
	if got := fields(t, "date")["stamp"]; got != want {
		t.Errorf("date: %v, want %v", got, want)
	}
	if got, ok := fields(t, "data")["stamp"].([]byte); !ok || len(got) != 0 {
		t.Errorf("data: %#v", got)
	}
	if got := decode(t, "nsmutabledata"); !reflect.DeepEqual(got, []byte("hello")) {
		t.Errorf("nsmutabledata: %#v", got)
	}
	if f := fields(t, "null"); f["empty"] != nil || f["title"] != "yo" {
		t.Errorf("null: %#v", f)
	}
	o, _ := decode(t, "dataclass").(Object)
	if o.Class != "FooDataclass" || o.Fields["int_field"] != uint64(5) || o.Fields["str_field"] != "hello" ||
		o.Fields["float_field"] != 3.15 || !reflect.DeepEqual(o.Fields["list_field"], []any{"foo", "bar", "baz"}) {
		t.Errorf("dataclass: %#v", o)
	}
	// bpylist2 refuses these; so do we.
	for _, name := range []string{"circular", "invalid_uid", "no_objects", "no_top"} {
		b, _ := os.ReadFile("testdata/bpylist2/" + name + "_archive.plist")
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		} else if name == "circular" && strings.Count(err.Error(), "recursive") > 1 {
			t.Errorf("circular: error repeats the path: %v", err)
		}
	}
	if _, err := Decode([]byte("bplist00")); err == nil || errors.Is(err, nil) {
		t.Error("truncated: no error")
	}
}
