// Package i18n owns the translated text of spyscan's reports: one message
// catalog per language (locales/<code>.json, embedded), the plural rules
// they use, and the choice of language from --lang or the environment.
// Adding a language is a translation job: copy locales/en.json to
// locales/<code>.json, translate every message, and pick a plural rule.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed locales/*.json
var locales embed.FS

// Default is the language used when none is asked for or the one asked for
// has no catalog.
const Default = "en"

// Message is one translatable text. Plain messages have only Other; plural
// messages have one form per category of the catalog's plural rule.
type Message struct {
	One   string `json:"one,omitempty"`
	Few   string `json:"few,omitempty"`
	Many  string `json:"many,omitempty"`
	Other string `json:"other"`
}

// UnmarshalJSON accepts either a string or an object of plural forms.
func (m *Message) UnmarshalJSON(b []byte) error {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && !slices.ContainsFunc(b[1:n-1], needsDecoding) && utf8.Valid(b[1:n-1]) {
		// A plain string, most messages: the catalog was checked as JSON
		// before its values are decoded, so its bytes are the text (a
		// json.Unmarshal per message was most of the first use's 3 ms).
		*m = Message{Other: string(b[1 : n-1])}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = Message{Other: s}
		return nil
	}
	type plain Message
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = Message(p)
	return nil
}

// needsDecoding reports whether byte c of a JSON string's bytes needs
// json.Unmarshal: an escape, a quote or a control character (and invalid
// UTF-8, which it replaces, checked apart).
func needsDecoding(c byte) bool { return c == '\\' || c == '"' || c < 0x20 }

// Plural reports whether the message has plural forms.
func (m Message) Plural() bool { return m.One != "" || m.Few != "" || m.Many != "" }

// Catalog is the messages of one language.
type Catalog struct {
	Code     string             `json:"code"`   // BCP 47 primary tag, e.g. "fr"
	Name     string             `json:"name"`   // the language's own name, e.g. "Français"
	Plural   string             `json:"plural"` // a key of PluralRules
	Messages map[string]Message `json:"messages"`
	fallback *Catalog
}

// PluralRules maps a rule name to the function giving the plural category
// ("one", "few", "many" or "other") of a count, after CLDR.
var PluralRules = map[string]func(n int) string{
	// English, German, Spanish, Italian, Dutch, Swedish...: 1 is singular.
	"one-is-1": func(n int) string {
		if n == 1 {
			return "one"
		}
		return "other"
	},
	// French, Brazilian Portuguese: 0 and 1 are singular.
	"one-is-0-1": func(n int) string {
		if n == 0 || n == 1 {
			return "one"
		}
		return "other"
	},
	// Chinese, Japanese, Korean, Vietnamese...: no plural.
	"none": func(int) string { return "other" },
	// Russian, Ukrainian, Serbian, Croatian...
	"east-slavic": func(n int) string {
		switch {
		case n%10 == 1 && n%100 != 11:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		default:
			return "many"
		}
	},
}

// Categories lists the plural categories a rule uses.
func Categories(rule string) []string {
	f := PluralRules[rule]
	if f == nil {
		return nil
	}
	seen := map[string]bool{}
	for n := 0; n < 200; n++ {
		seen[f(n)] = true
	}
	var out []string
	for _, c := range []string{"one", "few", "many", "other"} {
		if seen[c] {
			out = append(out, c)
		}
	}
	return out
}

// The catalogs are parsed on first use, each on its own: a scan in one
// language parses that catalog and English (its fallback), and a command
// that only lists the languages (every command's --lang help) parses none.
// Parsing both catalogs at start-up was 45% of `spyscan help` (4 ms).
var (
	codesOnce sync.Once
	codes     map[string]*lazyCatalog // by language code, from the file names
	codeList  []string                // sorted
)

type lazyCatalog struct {
	name string // the file in locales
	once sync.Once
	c    *Catalog
	err  error
}

func listCodes() {
	codes = map[string]*lazyCatalog{}
	names, _ := fs.Glob(locales, "locales/*.json") // a valid pattern: no error
	for _, n := range names {
		code := strings.TrimSuffix(path.Base(n), ".json")
		codes[code] = &lazyCatalog{name: n}
		codeList = append(codeList, code)
	}
	sort.Strings(codeList)
}

// catalog returns the parsed catalog of code (which must be listed), with
// its fallback set.
func catalog(code string) (*Catalog, error) {
	l := codes[code]
	l.once.Do(func() {
		c, err := parse(locales, l.name)
		if err != nil {
			l.err = err
			return
		}
		if code != Default {
			if codes[Default] == nil {
				l.err = fmt.Errorf("i18n: no %s catalog", Default)
				return
			}
			if c.fallback, l.err = catalog(Default); l.err != nil {
				return
			}
		}
		l.c = c
	})
	return l.c, l.err
}

func parse(fsys fs.FS, name string) (*Catalog, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c, ok := parseShaped(b)
	if !ok {
		c = &Catalog{}
		if err := json.Unmarshal(b, c); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if want := strings.TrimSuffix(path.Base(name), ".json"); c.Code != want {
		return nil, fmt.Errorf("%s: code %q does not match the file name", name, c.Code)
	}
	if PluralRules[c.Plural] == nil {
		return nil, fmt.Errorf("%s: unknown plural rule %q", name, c.Plural)
	}
	return c, nil
}

// Languages lists the codes of every catalog, sorted.
func Languages() []string {
	codesOnce.Do(listCodes)
	return slices.Clone(codeList)
}

// Get returns the catalog for lang ("fr", "fr-CA", "fr_FR.UTF-8"...), or
// the English one when there is none for it.
func Get(lang string) *Catalog {
	codesOnce.Do(listCodes)
	code := Normalize(lang)
	if codes[code] == nil {
		code = Default
		if codes[code] == nil {
			panic(fmt.Errorf("i18n: no %s catalog", Default)) // the embedded catalogs are checked by the tests
		}
	}
	c, err := catalog(code)
	if err != nil {
		panic(err) // the embedded catalogs are checked by the tests
	}
	return c
}

// Supported reports whether lang has a catalog.
func Supported(lang string) bool {
	codesOnce.Do(listCodes)
	return codes[Normalize(lang)] != nil
}

// Normalize reduces a locale name such as "fr_FR.UTF-8@euro" to its
// primary language tag, "fr".
func Normalize(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(l, "_-.@"); i >= 0 {
		l = l[:i]
	}
	return l
}

// FromEnv picks the language from the POSIX locale variables, in their
// order of precedence (LC_ALL, LC_MESSAGES, LANG); LANGUAGE's first entry
// is honoured when set. It returns Default when none names a catalog.
func FromEnv(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			return Default
		}
		if k == "LANG" {
			if l := getenv("LANGUAGE"); l != "" {
				first, _, _ := strings.Cut(l, ":")
				if Supported(first) {
					return Normalize(first)
				}
			}
		}
		if Supported(v) {
			return Normalize(v)
		}
		return Default
	}
	return Default
}

// Has reports whether the catalog itself (not its fallback) has key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.Messages[key]
	return ok
}

func (c *Catalog) message(key string) (Message, *Catalog, bool) {
	for k := c; k != nil; k = k.fallback {
		if m, ok := k.Messages[key]; ok {
			return m, k, true
		}
	}
	return Message{}, nil, false
}

// T returns the message key with its {name} placeholders replaced by the
// values that follow in name, value pairs (see M for the kinds of value).
// An unknown key is returned between brackets, so that a missing
// translation shows.
func (c *Catalog) T(key string, pairs ...any) string { return c.Render(M(key, pairs...)) }

// N returns the plural form of key for count n, with {n} (digits grouped
// as the language does) and the given placeholders replaced.
func (c *Catalog) N(key string, n int, pairs ...any) string {
	return c.Render(M(key, append([]any{"n", n}, pairs...)...))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Placeholders returns the {name} placeholders of s, sorted and distinct.
func Placeholders(s string) []string {
	var out []string
	seen := map[string]bool{}
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		p := s[i+1 : i+j]
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
		s = s[i+j+1:]
	}
	sort.Strings(out)
	return out
}

// List joins items as the language writes a list: "a, b and c".
func (c *Catalog) List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	head := strings.Join(items[:len(items)-1], c.T("list.separator"))
	return c.T("list.last", "head", head, "last", items[len(items)-1])
}
