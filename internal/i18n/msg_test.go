package i18n

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	en, fr := Get("en"), Get("fr")
	hit := M("alert.indicator", "what", M("what.value"), "observed", "x.example", "families", "Pegasus",
		"type", M("type.domain"), "indicator", "example")
	tests := []struct {
		name string
		c    *Catalog
		m    Msg
		want string
	}{
		{"en nested", en, hit, `Value "x.example" matches an indicator of Pegasus (domain "example")`},
		{"fr nested", fr, hit, "Valeur «\u00a0x.example\u00a0» correspond à un indicateur de Pegasus (domaine «\u00a0example\u00a0»)"},
		{"plural from n, en", en, M("summary.alerts", "n", 1), "1 alert"},
		{"plural from n, fr zero", fr, M("summary.alerts", "n", 0), "0 alerte"},
		{"n grouped, en", en, M("summary.alerts", "n", 1089), "1,089 alerts"},
		{"n grouped, fr", fr, M("summary.alerts", "n", 1089), "1\u202f089 alertes"},
		{"n grouped, millions", en, M("summary.alerts", "n", int64(-1234567)), "-1,234,567 alerts"},
		{"other ints plain", en, M("literal", "text", 8443), "8443"},
		{"literal kept", fr, M("literal", "text", "{n} stays"), "{n} stays"},
		{"unknown placeholder kept", en, M("list.last", "head", "a"), "a and {last}"},
		{"missing key shows", en, M("no.such.key"), "[no.such.key]"},
		{"missing nested key shows", fr, M("literal", "text", M("no.such")), "[no.such]"},
		{"uint64 beyond int64", en, M("literal", "text", uint64(1<<63)), "9223372036854775808"},
		{"nil *Msg is empty", en, M("literal", "text", (*Msg)(nil)), ""},
		{"zero Msg is empty (an ok module has no reason)", en, Msg{}, ""},
	}
	for _, tt := range tests {
		if got := tt.c.Render(tt.m); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	fr := Get("fr")
	if got := fr.Text(Msg{}, "stored English"); got != "stored English" {
		t.Errorf("empty Msg: %q", got)
	}
	if got := fr.Text(M("from.a.newer.spyscan"), "stored English"); got != "stored English" {
		t.Errorf("unknown key: %q", got)
	}
	if got := fr.Text(M("level.high"), "High"); got != "Élevé" {
		t.Errorf("known key: %q", got)
	}
}

func TestMsgJSONRoundTrip(t *testing.T) {
	m := M("alert.indicator", "what", M("literal", "text", "Safari \"URL\""), "observed", "ü<>&",
		"n", 3, "families", "Pegasus", "type", M("type.url"), "indicator", "")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"key":"alert.indicator","args":{"what":{"key":"literal","args":{"text":"Safari \"URL\""}},` +
		`"observed":"ü\u003c\u003e\u0026","n":3,"families":"Pegasus","type":{"key":"type.url"},"indicator":""}}`
	if string(b) != want {
		t.Errorf("json:\n got %s\nwant %s", b, want)
	}
	var back Msg
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip:\n got %#v\nwant %#v", back, m)
	}
	type holder struct {
		M Msg `json:"m,omitzero"`
	}
	if b, _ := json.Marshal(holder{}); string(b) != `{}` {
		t.Errorf("zero Msg written: %s", b)
	}
}

func TestMsgJSONRefused(t *testing.T) {
	deep := strings.Repeat(`{"key":"k","args":{"a":`, maxDepth+2) + `"x"` + strings.Repeat(`}}`, maxDepth+2)
	for name, in := range map[string]string{
		"too deep":    deep,
		"array arg":   `{"key":"k","args":{"a":[1]}}`,
		"float arg":   `{"key":"k","args":{"a":1.5}}`,
		"key number":  `{"key":1}`,
		"not object":  `"k"`,
		"args array":  `{"key":"k","args":[]}`,
		"truncated":   `{"key":"k","args":{"a":`,
		"bool arg":    `{"key":"k","args":{"a":true}}`,
		"missing val": `{"key":"k","args":{"a"}}`,
	} {
		var m Msg
		if err := json.Unmarshal([]byte(in), &m); err == nil {
			t.Errorf("%s: accepted as %#v", name, m)
		}
	}
	var m Msg
	if err := json.Unmarshal([]byte(`{"key":"k","extra":[1,2],"args":{"a":-7}}`), &m); err != nil {
		t.Errorf("unknown fields must be skipped: %v", err)
	}
	if a, _ := m.Arg("a"); a.Kind != ArgInt || a.Int != -7 {
		t.Errorf("arg a = %#v", a)
	}
}

func TestKeysAndLiterals(t *testing.T) {
	m := M("a", "x", "lit1", "y", M("b", "z", "lit2", "k", 3))
	if got := m.Keys(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Keys = %v", got)
	}
	if got := m.Literals(); !reflect.DeepEqual(got, []string{"lit1", "lit2"}) {
		t.Errorf("Literals = %v", got)
	}
}

// FuzzMsgJSON reads arbitrary bytes as a Msg (result files come from
// elsewhere); whatever it accepts must render and write back to the same Msg.
func FuzzMsgJSON(f *testing.F) {
	f.Add([]byte(`{"key":"alert.indicator","args":{"what":{"key":"what.value"},"n":2,"observed":"x"}}`))
	f.Add([]byte(`{"key":"summary.alerts","args":{"n":-3}}`))
	f.Add([]byte(`{"key":"k","args":{"a":{"key":"k","args":{"a":{"key":"k"}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		var m Msg
		if err := json.Unmarshal(b, &m); err != nil {
			return
		}
		_ = Get("fr").Render(m)
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back Msg
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip differs: %#v vs %#v", back, m)
		}
	})
}

// TestOptionalParts: a zero Msg argument renders as nothing, so that
// optional parts of a sentence are messages of their own.
func TestOptionalParts(t *testing.T) {
	en := Get("en")
	if got := en.Render(M("list.last", "head", "a", "last", Msg{})); got != "a and " {
		t.Errorf("zero Msg: %q", got)
	}
	if got := en.Render(M("list.last", "head", "a", "last", (*Msg)(nil))); got != "a and " {
		t.Errorf("nil *Msg: %q", got)
	}
}

// TestSAsM: S builds the Msg M builds from the same string pairs (a
// trailing name without a value ignored), and allocates once, for the
// arguments.
func TestSAsM(t *testing.T) {
	for _, pairs := range [][]string{nil, {"path"}, {"path", "/a"}, {"path", "/a", "context", ""}, {"a", "1", "b", "2", "c"}} {
		anys := make([]any, len(pairs))
		for i, p := range pairs {
			anys[i] = p
		}
		if got, want := S("k", pairs...), M("k", anys...); !reflect.DeepEqual(got, want) {
			t.Errorf("S(%q) = %+v, M %+v", pairs, got, want)
		}
	}
	path, ctx := strings.Repeat("p", 20), strings.Repeat("c", 20)
	if n := testing.AllocsPerRun(100, func() { _ = S("android.event.file", "path", path, "context", ctx) }); n != 1 {
		t.Errorf("S: %v allocations, want 1", n)
	}
}

// BenchmarkEnglishEvent renders a files.json timeline event's description
// in English, as the recorder does for every event.
func BenchmarkEnglishEvent(b *testing.B) {
	m := S("android.event.file", "path", "/sdcard/DCIM/Camera/IMG_20240519_101010.jpg", "context", "u:object_r:media_rw_data_file:s0")
	b.ReportAllocs()
	for b.Loop() {
		_ = English(m)
	}
}
