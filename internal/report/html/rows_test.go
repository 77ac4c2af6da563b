package html

import (
	"bytes"
	"html/template"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// rowsTmpl is the events table's rows as the report's template wrote them
// before eventRows.
var rowsTmpl = template.Must(template.New("rows").Parse(`{{- range .Events}}
<tr{{if .Level}} class="marked lv-{{.Level}}"{{end}}><td>{{.Time.UTC}}{{if .Time.Local}}<br><span class="local">{{.Time.Local}}</span>{{end}}</td><td>{{.Module}}</td><td><span class="ev">{{.Event}}</span>{{if .Level}} <span class="badge lv-{{.Level}}">{{.LevelLabel}}</span>{{end}}{{if .Copied}} <span class="kind copied">{{$.T.T "timeline.copy_time"}}</span>{{end}}</td><td>{{.Description}}</td></tr>
{{- end}}`))

// rowsAsTemplate checks eventRows against rowsTmpl on v.
func rowsAsTemplate(t *testing.T, v *view) {
	t.Helper()
	var want bytes.Buffer
	if err := rowsTmpl.Execute(&want, v); err != nil {
		t.Fatal(err)
	}
	if got := string(eventRows(v)); got != want.String() {
		t.Fatalf("eventRows:\n%q\ntemplate:\n%q", got, want.String())
	}
}

// piece is a random string of the characters escaping cares about, and
// others: NUL, quotes, '+', markup, multi-byte and invalid UTF-8, bidi
// and zero-width characters.
func piece(r *rand.Rand) string {
	parts := []string{"", "a", "Z9 ", "\x00", `"`, "'", "&", "+", "<", ">", "&amp;", "é", "\u202e", "\u200d", "\xff", "\xe2\x80", "\U0001F600", "\ufdd0", "\uffff", "lv-high", "</td>"}
	var s string
	for range r.IntN(6) {
		s += parts[r.IntN(len(parts))]
	}
	return s
}

func TestEventRowsAsTemplate(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, lang := range []string{"en", "fr"} {
		rowsAsTemplate(t, &view{T: i18n.Get(lang)}) // no events
		for range 200 {
			v := &view{T: i18n.Get(lang)}
			for range r.IntN(8) {
				v.Events = append(v.Events, eventView{Time: stamp{UTC: piece(r), Local: piece(r)}, Module: piece(r), Event: piece(r),
					Description: piece(r), Level: piece(r), LevelLabel: piece(r), Copied: r.IntN(3) == 0})
			}
			rowsAsTemplate(t, v)
		}
	}
}

// filesTmpl is an input's rows of hashed files as the report's template
// wrote them before fileRows.
var filesTmpl = template.Must(template.New("files").Parse(`{{- range .Files}}
<tr><td><code>{{if .Path}}{{.Path}}{{else}}{{$.V.T.T "custody.whole_file"}}{{end}}</code></td><td>{{.Size}}</td><td><code class="hash">{{.SHA256}}</code></td></tr>
{{- end}}`))

func TestFileRowsAsTemplate(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	sizes := []int64{0, 1, -1, 1 << 40, math.MaxInt64, math.MinInt64}
	for _, lang := range []string{"en", "fr"} {
		for n := range 200 {
			v := &view{T: i18n.Get(lang)}
			var files []model.InputFile
			for range n % 9 {
				files = append(files, model.InputFile{Path: piece(r), Size: sizes[r.IntN(len(sizes))] + r.Int64N(3), SHA256: piece(r)})
			}
			var want bytes.Buffer
			if err := filesTmpl.Execute(&want, struct {
				V     *view
				Files []model.InputFile
			}{v, files}); err != nil {
				t.Fatal(err)
			}
			if got := string(fileRows(v, files)); got != want.String() {
				t.Fatalf("fileRows:\n%q\ntemplate:\n%q", got, want.String())
			}
		}
	}
}

func FuzzEventRows(f *testing.F) {
	f.Add("2024-01-01 00:00:00 UTC", "", "sms", "sms_received", `<b>"x" & 'y' + z</b>`, "high", "High", true)
	f.Add("\x00", "\xff\xfe", "\u202e", "+", "&amp;", "", "", false)
	f.Fuzz(func(t *testing.T, utc, local, mod, ev, desc, level, label string, copied bool) {
		v := &view{T: i18n.Get("en"), Events: []eventView{{Time: stamp{UTC: utc, Local: local}, Module: mod, Event: ev,
			Description: desc, Level: level, LevelLabel: label, Copied: copied}}}
		rowsAsTemplate(t, v)
	})
}

// BenchmarkEventRows: the events table's 500 rows (maxEventsListed), by
// the template as it was and by eventRows.
func BenchmarkEventRows(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	v := &view{T: i18n.Get("en")}
	for i := range maxEventsListed {
		v.Events = append(v.Events, eventView{Time: stamp{UTC: "2024-01-02 03:04:05 UTC"}, Module: "manifest", Event: "file modified",
			Description: "HomeDomain/Library/Caches/com.apple.x/" + piece(r), Copied: i%50 == 0})
	}
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := rowsTmpl.Execute(io.Discard, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("eventRows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = eventRows(v)
		}
	})
}

// BenchmarkFileRows: an input's table of hashed files at its most
// (maxFilesPerInput rows), by the template as it was and by fileRows.
func BenchmarkFileRows(b *testing.B) {
	v := &view{T: i18n.Get("en")}
	files := make([]model.InputFile, maxFilesPerInput)
	for i := range files {
		files[i] = model.InputFile{Path: "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28", Size: int64(i) * 1000, SHA256: strings.Repeat("ab", 32)}
	}
	data := struct {
		V     *view
		Files []model.InputFile
	}{v, files}
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := filesTmpl.Execute(io.Discard, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fileRows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = fileRows(v, files)
		}
	})
}
