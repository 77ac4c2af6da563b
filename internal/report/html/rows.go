package html

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
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
	size := 0
	for i := range v.Events {
		e := &v.Events[i]
		size += len(e.Time.UTC) + len(e.Time.Local) + len(e.Module) + len(e.Event) + len(e.Description) + 96
	}
	b.Grow(size)
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

// fileRows writes the rows of an input's table of hashed files, each
// "\n<tr>...</tr>" exactly as the template's range over them wrote it
// (up to maxFilesPerInput rows an input); TestFileRowsAsTemplate holds
// the two to the same bytes.
func fileRows(v *view, files []model.InputFile) template.HTML {
	if len(files) == 0 {
		return ""
	}
	var whole string
	var b strings.Builder
	size := 0
	for i := range files {
		size += len(files[i].Path) + len(files[i].SHA256) + 96 // the markup, the size, a few escapes
	}
	b.Grow(size)
	for i := range files {
		f := &files[i]
		b.WriteString("\n<tr><td><code>")
		if f.Path != "" {
			htmlEscape(&b, f.Path)
		} else {
			if whole == "" {
				whole = v.T.T("custody.whole_file")
			}
			htmlEscape(&b, whole)
		}
		b.WriteString("</code></td><td>")
		var n [20]byte
		b.Write(strconv.AppendInt(n[:0], f.Size, 10))
		b.WriteString(`</td><td><code class="hash">`)
		htmlEscape(&b, f.SHA256)
		b.WriteString("</code></td></tr>")
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
