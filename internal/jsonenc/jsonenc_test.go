package jsonenc

import (
	"bytes"
	"encoding/json"
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
