package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/jsonenc"
)

// Msg is a translatable message as a module produces it: a catalog key and
// the values of its {placeholders}. An argument is a literal (a string or an
// integer, never translated: values read from the evidence) or another Msg
// (translated too: a field label, a permission name...). The result files
// keep Msg beside its English rendering, so a report can be rendered later
// in any language and the results stay machine-readable.
//
// In JSON a Msg is {"key": "...", "args": {"name": value, ...}}, where a
// value is a string, an integer or a nested Msg object; arguments keep the
// order in which they were given.
type Msg struct {
	Key  string
	Args []Arg
}

// Arg is one named argument of a Msg. Exactly one of Str, Int or Msg is
// meaningful, according to Kind.
type Arg struct {
	Name string
	Kind ArgKind
	Str  string
	Int  int64
	Msg  *Msg
}

// ArgKind says which field of an Arg holds its value.
type ArgKind uint8

// Kinds of argument.
const (
	ArgString ArgKind = iota // literal text, shown as it is
	ArgInt                   // integer; the argument "n" selects plural forms
	ArgMsg                   // nested message, translated in the same language
)

// M builds a Msg from its key and name, value pairs. A value is a string,
// any integer type, a Msg or *Msg (translated; the zero Msg and nil are
// empty, for optional parts of a sentence), or anything else, which is
// formatted with fmt.Sprint and kept as a literal. A trailing name without
// a value is ignored.
//
//	i18n.M("ios.tcc.title", "app", bundleID, "service", i18n.M("ios.tcc.service.camera"))
func M(key string, pairs ...any) Msg {
	m := Msg{Key: key}
	if len(pairs) >= 2 {
		m.Args = make([]Arg, 0, len(pairs)/2)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, ok := pairs[i].(string) // always, in practice: fmt.Sprint was an allocation per argument
		if !ok {
			name = fmt.Sprint(pairs[i])
		}
		m.Args = append(m.Args, newArg(name, pairs[i+1]))
	}
	return m
}

// S is M for string values only: the same Msg, built with one allocation
// (M boxes every value into an interface, an allocation per string that is
// not a constant). For messages built once per row of a large table.
func S(key string, pairs ...string) Msg {
	m := Msg{Key: key}
	if len(pairs) >= 2 {
		m.Args = make([]Arg, 0, len(pairs)/2)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		m.Args = append(m.Args, Arg{Name: pairs[i], Str: pairs[i+1]})
	}
	return m
}

func newArg(name string, v any) Arg {
	a := Arg{Name: name}
	switch x := v.(type) {
	case string:
		a.Str = x
	case Msg: // the zero Msg is an empty argument, for optional parts
		if x.Key != "" {
			a.Kind, a.Msg = ArgMsg, &x
		}
	case *Msg:
		if x != nil && x.Key != "" {
			a.Kind, a.Msg = ArgMsg, x
		}
	case int:
		a.Kind, a.Int = ArgInt, int64(x)
	case int64:
		a.Kind, a.Int = ArgInt, x
	case int32:
		a.Kind, a.Int = ArgInt, int64(x)
	case int16:
		a.Kind, a.Int = ArgInt, int64(x)
	case int8:
		a.Kind, a.Int = ArgInt, int64(x)
	case uint8:
		a.Kind, a.Int = ArgInt, int64(x)
	case uint16:
		a.Kind, a.Int = ArgInt, int64(x)
	case uint32:
		a.Kind, a.Int = ArgInt, int64(x)
	case uint:
		if uint64(x) <= 1<<63-1 {
			a.Kind, a.Int = ArgInt, int64(x)
		} else {
			a.Str = strconv.FormatUint(uint64(x), 10)
		}
	case uint64:
		if x <= 1<<63-1 {
			a.Kind, a.Int = ArgInt, int64(x)
		} else {
			a.Str = strconv.FormatUint(x, 10)
		}
	default:
		a.Str = fmt.Sprint(v)
	}
	return a
}

// IsZero reports whether m is the empty message (no key). Fields of type
// Msg are written with `json:",omitzero"`.
func (m Msg) IsZero() bool { return m.Key == "" }

// Arg returns the argument called name.
func (m Msg) Arg(name string) (Arg, bool) {
	for _, a := range m.Args {
		if a.Name == name {
			return a, true
		}
	}
	return Arg{}, false
}

// Keys returns m's key and the keys of its nested messages, depth first.
func (m Msg) Keys() []string {
	out := []string{m.Key}
	for _, a := range m.Args {
		if a.Kind == ArgMsg && a.Msg != nil {
			out = append(out, a.Msg.Keys()...)
		}
	}
	return out
}

// Literals returns the literal (string) arguments of m and of its nested
// messages: the parts of a rendering that are the same in every language.
func (m Msg) Literals() []string {
	var out []string
	for _, a := range m.Args {
		switch a.Kind {
		case ArgString:
			out = append(out, a.Str)
		case ArgMsg:
			if a.Msg != nil {
				out = append(out, a.Msg.Literals()...)
			}
		}
	}
	return out
}

// String renders m in English.
func (m Msg) String() string { return English(m) }

// English renders m with the English catalog: the text written beside a Msg
// in the result files and in logs.
func English(m Msg) string { return english().Render(m) }

// english is the English catalog, found once: Get normalises the language
// name and looks it up, a quarter of the cost of rendering a timeline
// event's short description.
var english = sync.OnceValue(func() *Catalog { return Get(Default) })

// maxDepth bounds the nesting of messages, when rendering and when reading
// them from result files (which a user may hand us from elsewhere).
const maxDepth = 16

// Render returns m in the catalog's language: its message with the
// placeholders replaced by the arguments, nested messages rendered in the
// same language. A message with plural forms takes its form from the
// integer argument "n". A key that neither the catalog nor English has is
// shown between brackets, so that a missing message shows. The zero Msg
// renders as "".
func (c *Catalog) Render(m Msg) string {
	if m.IsZero() {
		return ""
	}
	bp := renderBufs.Get().(*bytes.Buffer)
	bp.Reset()
	c.render(bp, m, 0)
	s := bp.String() // one allocation of the text's size (a Builder grew 4-5 times per event)
	if bp.Cap() <= 4<<10 {
		renderBufs.Put(bp)
	}
	return s
}

// renderBufs are Render's buffers, reused: a network scan renders every
// timeline event and observable label.
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Text renders m when the catalogs know its key, and returns fallback
// otherwise (an empty Msg, or one from a newer spyscan): the way to show a
// text that result files carry both as a Msg and as English.
func (c *Catalog) Text(m Msg, fallback string) string {
	if m.Key == "" {
		return fallback
	}
	if _, _, ok := c.message(m.Key); !ok {
		return fallback
	}
	return c.Render(m)
}

func (c *Catalog) render(b *bytes.Buffer, m Msg, depth int) {
	msg, owner, ok := c.message(m.Key)
	if !ok || depth > maxDepth {
		b.WriteString("[" + m.Key + "]")
		return
	}
	form := msg.Other
	if msg.Plural() {
		if n, ok := m.Arg("n"); ok && n.Kind == ArgInt {
			form = msg.form(PluralRules[owner.Plural](int(n.Int)))
		}
	}
	for {
		i := strings.IndexByte(form, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(form[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(form[:i])
		name := form[i+1 : i+j]
		if a, ok := m.Arg(name); ok {
			c.renderArg(b, a, depth)
		} else {
			b.WriteString(form[i : i+j+1])
		}
		form = form[i+j+1:]
	}
	b.WriteString(form)
}

func (c *Catalog) renderArg(b *bytes.Buffer, a Arg, depth int) {
	switch a.Kind {
	case ArgInt:
		if a.Name == "n" && (a.Int >= 1000 || a.Int <= -1000) { // digit groups
			b.WriteString(c.Num(a.Int))
		} else {
			b.Write(strconv.AppendInt(b.AvailableBuffer(), a.Int, 10))
		}
	case ArgMsg:
		if a.Msg != nil {
			c.render(b, *a.Msg, depth+1)
		}
	default:
		b.WriteString(a.Str)
	}
}

func (m Message) form(category string) string {
	switch category {
	case "one":
		return firstNonEmpty(m.One, m.Other)
	case "few":
		return firstNonEmpty(m.Few, m.Other)
	case "many":
		return firstNonEmpty(m.Many, m.Other)
	}
	return m.Other
}

// Num writes an integer the way the language groups digits ("1,089" in
// English, "1 089" in French, with a narrow no-break space): the catalog's
// "number.group" separator between groups of three digits.
func (c *Catalog) Num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	sep := ""
	if g, _, ok := c.message("number.group"); ok {
		sep = g.Other
	}
	if len(s) > 3 && sep != "" {
		var b strings.Builder
		head := len(s) % 3
		if head > 0 {
			b.WriteString(s[:head])
		}
		for i := head; i < len(s); i += 3 {
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	if neg {
		return "-" + s
	}
	return s
}

// MarshalJSON writes {"key": ..., "args": {...}} with the arguments in order.
func (m Msg) MarshalJSON() ([]byte, error) {
	return m.AppendJSON(nil), nil
}

// AppendJSON appends what MarshalJSON returns, for encoders without
// reflection (the timeline and observables of a large scan).
func (m Msg) AppendJSON(b []byte) []byte {
	b = append(b, `{"key":`...)
	b = jsonenc.String(b, m.Key)
	if len(m.Args) > 0 {
		b = append(b, `,"args":{`...)
		for i, a := range m.Args {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.String(b, a.Name)
			b = append(b, ':')
			switch a.Kind {
			case ArgInt:
				b = strconv.AppendInt(b, a.Int, 10)
			case ArgMsg:
				if a.Msg == nil {
					b = append(b, `""`...)
				} else {
					b = a.Msg.AppendJSON(b)
				}
			default:
				b = jsonenc.String(b, a.Str)
			}
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// UnmarshalJSON reads what MarshalJSON writes, refusing nesting deeper than
// maxDepth and argument values other than strings, integers and messages.
func (m *Msg) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := m.decode(dec, 0); err != nil {
		return fmt.Errorf("i18n message: %w", err)
	}
	return nil
}

var errMsgShape = errors.New("not a message object")

func (m *Msg) decode(dec *json.Decoder, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("nested more than %d deep", maxDepth)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	*m = Msg{}
	for dec.More() {
		field, err := dec.Token()
		if err != nil {
			return err
		}
		switch field {
		case "key":
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			s, ok := tok.(string)
			if !ok {
				return errMsgShape
			}
			m.Key = s
		case "args":
			if err := m.decodeArgs(dec, depth); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	return expectDelim(dec, '}')
}

func (m *Msg) decodeArgs(dec *json.Decoder, depth int) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		a := Arg{Name: name}
		if !dec.More() {
			return errMsgShape
		}
		// Peek: a nested object is a message; anything else is a token.
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		switch {
		case len(raw) > 0 && raw[0] == '{':
			var sub Msg
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			if err := sub.decode(d, depth+1); err != nil {
				return err
			}
			a.Kind, a.Msg = ArgMsg, &sub
		case len(raw) > 0 && raw[0] == '"':
			if err := json.Unmarshal(raw, &a.Str); err != nil {
				return err
			}
		default:
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil {
				return fmt.Errorf("argument %q: %w", name, errMsgShape)
			}
			a.Kind, a.Int = ArgInt, n
		}
		m.Args = append(m.Args, a)
	}
	return expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return errMsgShape
	}
	return nil
}
