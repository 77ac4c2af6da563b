package i18n

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"slices"
	"sync"
	"testing"
)

// TestCatalogsComplete checks that every catalog has exactly the keys of the
// English one, the plural forms its rule needs, and the same placeholders.
func TestCatalogsComplete(t *testing.T) {
	langs := Languages()
	if !slices.Contains(langs, "en") || !slices.Contains(langs, "fr") {
		t.Fatalf("languages = %v, want en and fr at least", langs)
	}
	en := Get("en")
	for _, code := range langs {
		c := Get(code)
		if c.Code != code {
			t.Fatalf("Get(%q) returned %q", code, c.Code)
		}
		if c.Name == "" {
			t.Errorf("%s: no language name", code)
		}
		cats := Categories(c.Plural)
		for key, m := range en.Messages {
			tm, ok := c.Messages[key]
			if !ok {
				t.Errorf("%s: missing key %q", code, key)
				continue
			}
			if tm.Plural() != m.Plural() {
				t.Errorf("%s: %q plural=%v, English plural=%v", code, key, tm.Plural(), m.Plural())
			}
			want := Placeholders(m.Other)
			for _, form := range forms(tm, cats) {
				if form == "" {
					t.Errorf("%s: %q lacks a plural form of %v", code, key, cats)
					continue
				}
				got := Placeholders(form)
				if tm.Plural() {
					// A singular form may spell the count out ("one alert").
					got = withN(got)
					want = withN(want)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %q placeholders %v, English has %v", code, key, got, want)
				}
			}
		}
		for key := range c.Messages {
			if _, ok := en.Messages[key]; !ok {
				t.Errorf("%s: key %q is not in the English catalog", code, key)
			}
		}
	}
}

func forms(m Message, cats []string) []string {
	if !m.Plural() {
		return []string{m.Other}
	}
	var out []string
	for _, c := range cats {
		switch c {
		case "one":
			out = append(out, m.One)
		case "few":
			out = append(out, m.Few)
		case "many":
			out = append(out, m.Many)
		case "other":
			out = append(out, m.Other)
		}
	}
	return out
}

func withN(ps []string) []string {
	if !slices.Contains(ps, "n") {
		ps = append(ps, "n")
		slices.Sort(ps)
	}
	return ps
}

func TestTranslate(t *testing.T) {
	en, fr := Get("en"), Get("fr_FR.UTF-8")
	tests := []struct {
		name, got, want string
	}{
		{"plain", en.T("level.critical"), "Critical"},
		{"placeholder", en.T("verdict.detected.headline", "families", "Pegasus"), "Traces of Pegasus were found"},
		{"fr placeholder", fr.T("verdict.detected.headline", "families", "Pegasus"), "Des traces de Pegasus ont été trouvées"},
		{"en one", en.N("summary.alerts", 1), "1 alert"},
		{"en zero", en.N("summary.alerts", 0), "0 alerts"},
		{"en many", en.N("summary.alerts", 12), "12 alerts"},
		{"fr zero is singular", fr.N("summary.alerts", 0), "0 alerte"},
		{"fr one", fr.N("summary.alerts", 1), "1 alerte"},
		{"fr two", fr.N("summary.alerts", 2), "2 alertes"},
		{"list en", en.List([]string{"Pegasus", "Predator", "Candiru"}), "Pegasus, Predator and Candiru"},
		{"list fr", fr.List([]string{"Pegasus", "Predator"}), "Pegasus et Predator"},
		{"list one", fr.List([]string{"Pegasus"}), "Pegasus"},
		{"missing key shows", en.T("no.such.key"), "[no.such.key]"},
		{"unknown language falls back", Get("xx").T("level.high"), "High"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "en"},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "fr"},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"},
		{map[string]string{"LC_MESSAGES": "fr_CA", "LANG": "en_US"}, "fr"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "en"},
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "fr:en"}, "fr"},
		{map[string]string{"LC_ALL": "C", "LANG": "fr_FR"}, "en"},
	}
	for _, tt := range tests {
		if got := FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("FromEnv(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestPluralRules(t *testing.T) {
	tests := []struct {
		rule string
		n    int
		want string
	}{
		{"one-is-1", 0, "other"}, {"one-is-1", 1, "one"}, {"one-is-1", 2, "other"},
		{"one-is-0-1", 0, "one"}, {"one-is-0-1", 1, "one"}, {"one-is-0-1", 2, "other"},
		{"east-slavic", 1, "one"}, {"east-slavic", 21, "one"}, {"east-slavic", 11, "many"},
		{"east-slavic", 3, "few"}, {"east-slavic", 13, "many"}, {"east-slavic", 5, "many"},
		{"none", 1, "other"},
	}
	for _, tt := range tests {
		if got := PluralRules[tt.rule](tt.n); got != tt.want {
			t.Errorf("%s(%d) = %q, want %q", tt.rule, tt.n, got, tt.want)
		}
	}
	if got := Categories("east-slavic"); !reflect.DeepEqual(got, []string{"one", "few", "many"}) {
		t.Errorf("Categories(east-slavic) = %v", got)
	}
}

// TestCatalogsParsedOnUse: listing the languages parses no catalog; Get
// parses the one asked for and English, its fallback, and no other.
func TestCatalogsParsedOnUse(t *testing.T) {
	codesOnce, codes, codeList = sync.Once{}, nil, nil // as at start-up
	if langs := Languages(); !slices.Contains(langs, "fr") || !Supported("fr_FR.UTF-8") || Supported("xx") {
		t.Fatalf("languages %v: want fr listed and supported, xx not", langs)
	}
	for code, l := range codes {
		if l.c != nil {
			t.Errorf("%s parsed by Languages/Supported", code)
		}
	}
	if c := Get("en"); c.Code != "en" || c.fallback != nil || codes["fr"].c != nil {
		t.Fatalf("Get(en): code %q, fallback %v, fr parsed %v", c.Code, c.fallback, codes["fr"].c != nil)
	}
	fr := Get("fr")
	if fr.Code != "fr" || fr.fallback != Get("en") || Get("xx") != Get("en") {
		t.Fatalf("Get(fr): code %q, fallback not English's catalog, or Get(xx) not English", fr.Code)
	}
}

// BenchmarkParseEnglish is the first use of the English catalog, which
// every scan makes (its records' descriptions).
func BenchmarkParseEnglish(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(locales, "locales/en.json"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseSameAsJSON: every message of every catalog parses to what
// json.Unmarshal gives (UnmarshalJSON takes plain strings as they are), and
// so do strings with escapes, quotes, control characters and invalid UTF-8.
func TestParseSameAsJSON(t *testing.T) {
	ref := func(b []byte) Message {
		var s string
		if err := json.Unmarshal(b, &s); err == nil {
			return Message{Other: s}
		}
		type plain Message
		var p plain
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return Message(p)
	}
	var raws [][]byte
	for _, code := range Languages() {
		b, err := fs.ReadFile(locales, "locales/"+code+".json")
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ Messages map[string]json.RawMessage }
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Messages {
			raws = append(raws, r)
		}
	}
	for _, s := range []string{`"a\"b"`, `"a\\b"`, `"\u00e9\ud83d\ude00"`, "\"a\xffb\"", `"tab\tx"`, `"é — “x”"`, `""`, `{"one":"a","other":"b"}`} {
		raws = append(raws, []byte(s))
	}
	for _, r := range raws {
		var m Message
		if err := m.UnmarshalJSON(r); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if want := ref(r); m != want {
			t.Errorf("%s: %+v, json.Unmarshal gives %+v", r, m, want)
		}
	}
}
