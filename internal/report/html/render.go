// Package html owns the single-file HTML report: the verdict in plain
// language first, then the alerts with their evidence and provenance, an
// inline SVG timeline, the chain of custody and the module statuses. The
// file has no external assets and no script, works offline and prints to
// PDF. Everything taken from the evidence is escaped by html/template, and
// characters that would hide or reorder what is shown (bidi overrides,
// zero-width characters, invalid UTF-8) are written as visible escapes
// (textsafe.VisibleBytes over the whole page).
package html

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	_ "time/tzdata" // device time zones resolve on any system

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/textsafe"
)

//go:embed report.tmpl
var reportTmpl string

//go:embed report.css
var reportCSS string

// CSS is the report's style sheet; the lab's pages use it too, so the
// interface and the report look alike.
func CSS() string { return reportCSS }

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"css":       func() template.CSS { return template.CSS(reportCSS) },
	"base":      inputName,
	"whereArgs": func(v *view, w whereView) whereArgs { return whereArgs{V: v, W: w} },
	"modArgs":   func(v *view, mods []moduleView) modArgs { return modArgs{V: v, Mods: mods} },
	"eventRows": eventRows,
	"fileRows":  fileRows,
}).Parse(reportTmpl))

// Render writes the report r as HTML in language lang ("en", "fr"...; an
// unknown language falls back to English).
func Render(w io.Writer, r *model.Report, lang string) error {
	return RenderPass(w, r, lang, nil)
}

// RenderPass is Render with the timeline's pass p already made (every event
// of r's timeline given to p.Add, in order): the report does not read the
// timeline again. A nil p is Render.
func RenderPass(w io.Writer, r *model.Report, lang string, p *TimelinePass) error {
	v := buildView(r, i18n.Get(lang), p)
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(textsafe.VisibleBytes(buf.Bytes()))
	return err
}

// whereArgs and modArgs carry the view into the sub-templates.
type whereArgs struct {
	V *view
	W whereView
}

type modArgs struct {
	V    *view
	Mods []moduleView
}

// inputName is the last element of an input path, as given on the command
// line (the full path is in the chain of custody).
func inputName(p string) string {
	p = strings.TrimRight(p, `/\`)
	if i := strings.LastIndexAny(p, `/\`); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return p
}
