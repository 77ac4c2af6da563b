// Package stix owns reading STIX 2.1 bundles: the objects spyscan uses
// (indicator, malware, relationship, report) and the indicator pattern
// language, parsed properly (quotes, escapes, AND/OR, parentheses).
package stix

import (
	"fmt"
	"strings"
)

// Comparison is one `object:property = 'value'` term of a pattern.
type Comparison struct {
	Object   string // e.g. "domain-name", "file"
	Property string // e.g. "value", "hashes.sha-256" (quoted parts unquoted, lower-cased)
	Value    string
	// InAnd is true when the comparison is joined to others by AND, so it
	// alone does not satisfy the pattern.
	InAnd bool
}

// Path is "object:property".
func (c Comparison) Path() string { return c.Object + ":" + c.Property }

// ParsePattern parses a STIX 2.1 pattern into its equality comparisons.
// Comparisons joined by OR are alternatives; those joined by AND are marked
// InAnd. Operators other than '=' and observation qualifiers are rejected
// with an error that names them.
func ParsePattern(p string) ([]Comparison, error) {
	ps := &parser{lex: lexer{s: p}}
	ps.next()
	cs, err := ps.pattern()
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", trimForError(p), err)
	}
	if ps.tok.kind != tEOF {
		return nil, fmt.Errorf("pattern %q: unexpected %q at offset %d", trimForError(p), ps.tok.text, ps.tok.pos)
	}
	return cs, nil
}

func trimForError(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

type tokKind int

const (
	tEOF tokKind = iota
	tLBrack
	tRBrack
	tLParen
	tRParen
	tWord   // identifiers, object paths, keywords
	tString // '...'
	tOp     // = != < > <= >=
	tOther  // numbers and anything else
)

type token struct {
	kind tokKind
	text string
	pos  int
}

type lexer struct {
	s   string
	pos int
	err error
}

func (l *lexer) next() token {
	for l.pos < len(l.s) && strings.IndexByte(" \t\r\n", l.s[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.s) {
		return token{kind: tEOF, pos: start}
	}
	c := l.s[l.pos]
	switch c {
	case '[':
		l.pos++
		return token{tLBrack, "[", start}
	case ']':
		l.pos++
		return token{tRBrack, "]", start}
	case '(':
		l.pos++
		return token{tLParen, "(", start}
	case ')':
		l.pos++
		return token{tRParen, ")", start}
	case '\'':
		return l.str(start)
	case '=', '!', '<', '>':
		l.pos++
		if l.pos < len(l.s) && l.s[l.pos] == '=' {
			l.pos++
		}
		return token{tOp, l.s[start:l.pos], start}
	}
	if isWordByte(c) {
		return l.word(start)
	}
	l.pos++
	return token{tOther, string(c), start}
}

// word reads an object path such as file:hashes.'SHA-256' or a keyword.
func (l *lexer) word(start int) token {
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		switch {
		case isWordByte(c) || c == ':' || c == '.' || c == '*':
			l.pos++
		case c == '\'' && l.pos > start && (l.s[l.pos-1] == '.' || l.s[l.pos-1] == ':'):
			// quoted path component: hashes.'SHA-256'
			t := l.str(l.pos)
			if t.kind != tString {
				return t
			}
		case c == '[' && l.pos > start && isPathIndex(l.s[l.pos:]):
			l.pos += strings.IndexByte(l.s[l.pos:], ']') + 1
		default:
			return token{tWord, l.s[start:l.pos], start}
		}
	}
	return token{tWord, l.s[start:l.pos], start}
}

func isPathIndex(s string) bool {
	end := strings.IndexByte(s, ']')
	if end < 2 {
		return false
	}
	in := s[1:end]
	return in == "*" || strings.Trim(in, "0123456789") == ""
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// str reads a quoted string with \' and \\ escapes.
func (l *lexer) str(start int) token {
	var b strings.Builder
	l.pos++ // opening quote
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		switch c {
		case '\\':
			if l.pos+1 >= len(l.s) {
				l.err = fmt.Errorf("unterminated escape at offset %d", l.pos)
				return token{kind: tEOF, pos: l.pos}
			}
			b.WriteByte(l.s[l.pos+1])
			l.pos += 2
		case '\'':
			l.pos++
			return token{tString, b.String(), start}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	l.err = fmt.Errorf("unterminated string starting at offset %d", start)
	return token{kind: tEOF, pos: start}
}

type parser struct {
	lex lexer
	tok token
}

func (p *parser) next() { p.tok = p.lex.next() }

func (p *parser) keyword() string {
	if p.tok.kind == tWord {
		return strings.ToUpper(p.tok.text)
	}
	return ""
}

// pattern := observation { (AND|OR|FOLLOWEDBY) observation }
func (p *parser) pattern() ([]Comparison, error) {
	var out []Comparison
	and := false
	for {
		cs, err := p.observation()
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		if err := p.qualifiers(); err != nil {
			return nil, err
		}
		switch p.keyword() {
		case "OR":
			p.next()
		case "AND", "FOLLOWEDBY":
			and = true
			p.next()
		default:
			if and {
				for i := range out {
					out[i].InAnd = true
				}
			}
			return out, p.lex.err
		}
	}
}

func (p *parser) qualifiers() error {
	switch p.keyword() {
	case "WITHIN", "START", "REPEATS":
		return fmt.Errorf("qualifier %s is not supported", p.keyword())
	}
	return nil
}

// observation := '[' expr ']' | '(' pattern ')'
func (p *parser) observation() ([]Comparison, error) {
	switch p.tok.kind {
	case tLBrack:
		p.next()
		cs, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRBrack {
			return nil, p.unexpected("']'")
		}
		p.next()
		return cs, nil
	case tLParen:
		p.next()
		cs, err := p.pattern()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.unexpected("')'")
		}
		p.next()
		return cs, nil
	}
	return nil, p.unexpected("'[' or '('")
}

// expr := term { OR term }, where term := factor { AND factor }
func (p *parser) expr() ([]Comparison, error) {
	var out []Comparison
	for {
		cs, err := p.term()
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		if p.keyword() != "OR" {
			return out, nil
		}
		p.next()
	}
}

func (p *parser) term() ([]Comparison, error) {
	var out []Comparison
	n := 0
	for {
		cs, err := p.factor()
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		n++
		if p.keyword() != "AND" {
			break
		}
		p.next()
	}
	if n > 1 {
		for i := range out {
			out[i].InAnd = true
		}
	}
	return out, nil
}

// factor := '(' expr ')' | comparison
func (p *parser) factor() ([]Comparison, error) {
	if p.tok.kind == tLParen {
		p.next()
		cs, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.unexpected("')'")
		}
		p.next()
		return cs, nil
	}
	return p.comparison()
}

func (p *parser) comparison() ([]Comparison, error) {
	if p.tok.kind != tWord || !strings.Contains(p.tok.text, ":") {
		return nil, p.unexpected("an object path such as domain-name:value")
	}
	obj, prop, _ := strings.Cut(p.tok.text, ":")
	p.next()
	if p.keyword() == "NOT" {
		return nil, fmt.Errorf("negated comparisons are not supported")
	}
	if p.tok.kind != tOp {
		if kw := p.keyword(); kw != "" {
			return nil, fmt.Errorf("operator %s is not supported", kw)
		}
		return nil, p.unexpected("'='")
	}
	if p.tok.text != "=" {
		return nil, fmt.Errorf("operator %s is not supported", p.tok.text)
	}
	p.next()
	if p.tok.kind != tString {
		if p.lex.err != nil {
			return nil, p.lex.err
		}
		return nil, p.unexpected("a quoted string")
	}
	c := Comparison{Object: strings.ToLower(obj), Property: normProperty(prop), Value: p.tok.text}
	p.next()
	return []Comparison{c}, nil
}

// normProperty unquotes and lower-cases a property path: hashes.'SHA-256' → hashes.sha-256.
func normProperty(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "'", ""))
}

func (p *parser) unexpected(want string) error {
	if p.lex.err != nil {
		return p.lex.err
	}
	if p.tok.kind == tEOF {
		return fmt.Errorf("unexpected end of pattern, want %s", want)
	}
	return fmt.Errorf("unexpected %q at offset %d, want %s", p.tok.text, p.tok.pos, want)
}
