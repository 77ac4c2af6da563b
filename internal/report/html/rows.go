package html

import (
	"html/template"
	"strings"
)

// eventRows writes the rows of the timeline's events table: each row
// "\n<tr>...</tr>" exactly as the template's range over v.Events wrote it,
// without the template engine (the table lists up to maxEventsListed
// events, and evaluating each row's fields by reflection was most of a
// small scan's report). Every value is escaped as html/template escapes a
// plain string in text and in a quoted attribute (htmlEscape);
// TestEventRowsAsTemplate holds the two to the same bytes.
func eventRows(v *view) template.HTML {
	if len(v.Events) == 0 {
		return ""
	}
	var copied string
	for i := range v.Events {
		if v.Events[i].Copied {
			copied = v.T.T("timeline.copy_time")
			break
		}
	}
	var b strings.Builder
	b.Grow(len(v.Events) * 160)
	for i := range v.Events {
		e := &v.Events[i]
		b.WriteString("\n<tr")
		if e.Level != "" {
			b.WriteString(` class="marked lv-`)
			htmlEscape(&b, e.Level)
			b.WriteByte('"')
		}
		b.WriteString("><td>")
		htmlEscape(&b, e.Time.UTC)
		if e.Time.Local != "" {
			b.WriteString(`<br><span class="local">`)
			htmlEscape(&b, e.Time.Local)
			b.WriteString("</span>")
		}
		b.WriteString("</td><td>")
		htmlEscape(&b, e.Module)
		b.WriteString(`</td><td><span class="ev">`)
		htmlEscape(&b, e.Event)
		b.WriteString("</span>")
		if e.Level != "" {
			b.WriteString(` <span class="badge lv-`)
			htmlEscape(&b, e.Level)
			b.WriteString(`">`)
			htmlEscape(&b, e.LevelLabel)
			b.WriteString("</span>")
		}
		if e.Copied {
			b.WriteString(` <span class="kind copied">`)
			htmlEscape(&b, copied)
			b.WriteString("</span>")
		}
		b.WriteString("</td><td>")
		htmlEscape(&b, e.Description)
		b.WriteString("</td></tr>")
	}
	return template.HTML(b.String())
}

// htmlEscape writes s as html/template writes a plain string in HTML text
// or a quoted attribute value (its htmlReplacementTable): NUL as U+FFFD,
// the quotes, '&', '+', '<' and '>' as character references, every other
// byte as it is. Those are all ASCII, and no byte of a multi-byte or
// invalid UTF-8 sequence is ASCII, so a byte-wise pass replaces what the
// template's rune-wise one does.
func htmlEscape(b *strings.Builder, s string) {
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[written:i])
		b.WriteString(repl)
		written = i + 1
	}
	b.WriteString(s[written:])
}
