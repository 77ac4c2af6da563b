package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var stringCases = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "\b\f\n\r\t\x00\x01\x1f\x7f",
	"caf\u00e9 \u4e2d\u6587 \U0001F600", "line\u2028sep\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate",
	strings.Repeat("a<", 100),
}

// encodeNoHTML is what a json.Encoder with SetEscapeHTML(false) writes
// for v, without the newline.
func encodeNoHTML(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func TestStringAsMarshal(t *testing.T) {
	for _, s := range stringCases {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, json.Marshal %s", s, got, want)
		}
		want = encodeNoHTML(s)
		if got := StringNoHTMLEscape(nil, s); string(got) != string(want) {
			t.Errorf("StringNoHTMLEscape(%q) = %s, json.Encoder %s", s, got, want)
		}
	}
	for _, v := range [][]string{nil, {}, {"a"}, stringCases} {
		want, _ := json.Marshal(v)
		if got := Strings(nil, v); string(got) != string(want) {
			t.Errorf("Strings(%q) = %s, json.Marshal %s", v, got, want)
		}
	}
}

func FuzzStringAsMarshal(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		want, _ := json.Marshal(s)
		if got := String([]byte("x"), s); string(got[1:]) != string(want) {
			t.Errorf("String(%q) = %s, json.Marshal %s", s, got[1:], want)
		}
		want = encodeNoHTML(s)
		if got := StringNoHTMLEscape([]byte("x"), s); string(got[1:]) != string(want) {
			t.Errorf("StringNoHTMLEscape(%q) = %s, json.Encoder %s", s, got[1:], want)
		}
	})
}

func TestTimeAsMarshalJSON(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	for _, tm := range []time.Time{
		{}, time.Unix(0, 0).UTC(), time.Date(2026, 12, 3, 16, 4, 5, 123456789, time.UTC),
		time.Date(2026, 12, 3, 16, 4, 5, 120000000, east), time.Date(2026, 1, 1, 0, 0, 0, 1000, time.FixedZone("w", -11*3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 24*3600)),
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("near", 23*3600+59*60)),
	} {
		want, werr := tm.MarshalJSON()
		got, err := Time(nil, tm)
		if (werr != nil) != (err != nil) || (err == nil && string(got) != string(want)) {
			t.Errorf("Time(%v) = %s, %v; MarshalJSON %s, %v", tm, got, err, want, werr)
		}
	}
}

func TestScalarsAndKeys(t *testing.T) {
	b := append([]byte(nil), '{')
	b = Int(Key(b, "a"), -42)
	b = Uint(Key(b, "b"), 1<<63)
	b = Bool(Key(b, "c"), true)
	b = append(Key(b, "d"), '{')
	b = Bool(Key(b, "e"), false)
	b = append(b, '}', '}')
	want, _ := json.Marshal(map[string]any{"a": -42, "b": uint64(1 << 63), "c": true, "d": map[string]bool{"e": false}})
	if string(b) != string(want) {
		t.Errorf("%s, want %s", b, want)
	}
}

var floatCases = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99999e-7, 1e-7, -1e-7, 1.5e-300, 1e20, 1e21, -1e21,
	123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, 1e100, 12e-10, math.NaN(), math.Inf(1), math.Inf(-1)}

func TestFloat64AsMarshal(t *testing.T) {
	for _, f := range floatCases {
		want, werr := json.Marshal(f)
		got, err := Float64([]byte("x"), f)
		if (werr != nil) != (err != nil) || (err == nil && string(got[1:]) != string(want)) {
			t.Errorf("Float64(%v) = %s, %v; json.Marshal %s, %v", f, got, err, want, werr)
		}
	}
}

func FuzzFloat64AsMarshal(f *testing.F) {
	for _, v := range floatCases {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		want, werr := json.Marshal(v)
		got, err := Float64([]byte("x"), v)
		if (werr != nil) != (err != nil) || (err == nil && string(got[1:]) != string(want)) {
			t.Errorf("Float64(%v) = %s, %v; json.Marshal %s, %v", v, got, err, want, werr)
		}
	})
}

func TestBytesAsMarshal(t *testing.T) {
	for _, b := range [][]byte{nil, {}, {0}, {0xff, 0xfe}, []byte("abc"), []byte("abcd"), bytes.Repeat([]byte{0x80, 1, 2}, 100)} {
		want, _ := json.Marshal(b)
		if got := Bytes([]byte("x"), b); string(got[1:]) != string(want) {
			t.Errorf("Bytes(%v) = %s, json.Marshal %s", b, got[1:], want)
		}
	}
}

// TestTimeAsMarshalJSONSpread: Time gives MarshalJSON's bytes, or an error
// where it does, for times over years -100 to 10100 with every fraction
// length, in UTC and other locations.
func TestTimeAsMarshalJSONSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	locs := []*time.Location{time.UTC, time.FixedZone("UTC", 0), time.FixedZone("X", -5*3600-30*60), time.Local}
	lo := time.Date(-100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(10100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range 20000 {
		ns := []int{0, rng.IntN(1e9), rng.IntN(1e6) * 1000, 120000000}[rng.IntN(4)]
		tm := time.Unix(lo+rng.Int64N(hi-lo), int64(ns)).In(locs[i%len(locs)])
		want, werr := tm.MarshalJSON()
		got, err := Time([]byte("x"), tm)
		if (werr != nil) != (err != nil) || (err == nil && string(got) != "x"+string(want)) || (err != nil && string(got) != "x") {
			t.Fatalf("Time(%v) = %s, %v; MarshalJSON %s, %v", tm, got, err, want, werr)
		}
	}
}

func BenchmarkTime(b *testing.B) {
	tm := time.Date(2023, 9, 9, 10, 2, 30, 0, time.UTC)
	var buf []byte
	for b.Loop() {
		buf, _ = Time(buf[:0], tm)
	}
}

// BenchmarkStringPlain appends the strings of a files.json entry's record
// (a path, a SELinux context, a mode, a SHA-256) and an event's English
// description: plain ASCII, nothing to escape, the common case.
func BenchmarkStringPlain(b *testing.B) {
	ss := []string{"/data/data/com.example.app1234/files/cache/f98765.bin", "u:object_r:app_data_file:s0:c512,c768",
		"-rw-rw----", "d07c495d093b60de69e0f612a0d3bd75144532e377153b1c1b9128092e9d4f93",
		"/data/data/com.example.app1234/files/cache/f98765.bin (u:object_r:app_data_file:s0:c512,c768)", "files.json"}
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	b.SetBytes(int64(n))
	var dst []byte
	for b.Loop() {
		dst = dst[:0]
		for _, s := range ss {
			dst = String(dst, s)
		}
	}
}

// TestStringWords: strings written eight bytes at a time match json.Marshal
// (and an Encoder without HTML escaping) with every byte value at every
// position of 8 to 17 bytes of plain ASCII (bytes next to the special
// ones, and the lowest and highest plain ones, which a borrow could
// turn), alone and followed by a control character.
func TestStringWords(t *testing.T) {
	for _, fill := range []byte{' ', 0x7f, 'a', '=', '%', '!', '[', ']'} {
		for n := 8; n <= 17; n++ {
			for pos := range n {
				for c := range 256 {
					for _, second := range []bool{false, true} {
						b := bytes.Repeat([]byte{fill}, n)
						b[pos] = byte(c)
						if second && pos+1 < n {
							b[n-1] = 0x1f
						}
						s := string(b)
						want, _ := json.Marshal(s)
						if got := String(nil, s); string(got) != string(want) {
							t.Fatalf("String(%q) = %s, json.Marshal %s", s, got, want)
						}
						want = encodeNoHTML(s)
						if got := StringNoHTMLEscape(nil, s); string(got) != string(want) {
							t.Fatalf("StringNoHTMLEscape(%q) = %s, json.Encoder %s", s, got, want)
						}
					}
				}
			}
		}
	}
}
