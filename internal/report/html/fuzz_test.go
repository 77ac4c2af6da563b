package html

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// tagRE finds elements the template does not write: anything hostile
// evidence could inject.
var tagRE = regexp.MustCompile(`<(script|img|iframe|object|embed|link|meta http-equiv="refresh"|base|form|input|svg onload)[\s>/]`)

// FuzzRender puts arbitrary evidence text in every field that comes from an
// acquisition and checks that the report stays inert.
func FuzzRender(f *testing.F) {
	for _, s := range []string{reportgen.Hostile, "</pre><script>x</script>", "]]><svg onload=alert(1)>", "\x00\xff\xfe", `{"a":"</style><script>"}`, "javascript:alert(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := reportgen.Detected()
		rec, _ := json.Marshal(map[string]string{"v": s})
		for i := range r.Alerts {
			r.Alerts[i].Message, r.Alerts[i].Artifact, r.Alerts[i].Module, r.Alerts[i].Record = s, s, s, rec
			r.Alerts[i].Input = s
		}
		r.Alerts[0].Match.Observed = s
		r.Alerts[0].Match.Sources[0].References = []string{s}
		r.Alerts[2].Record = json.RawMessage(s) // not even JSON
		events := r.Timeline.(model.Events)
		events[0].Description, events[0].Event = s, s
		r.Modules[0].Errors = []model.FileError{{Path: s, Error: s}}
		r.Info.Inputs[0].Meta = map[string]string{s: s}
		r.Info.CommandLine = []string{s}
		r.Info.Case = s
		var b bytes.Buffer
		if err := Render(&b, r, "en"); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if m := tagRE.FindString(out); m != "" {
			t.Fatalf("evidence injected %q", m)
		}
		if strings.Count(out, "<style>") != 1 || strings.Count(out, "</style>") != 1 {
			t.Fatal("evidence broke out of or into the style element")
		}
		if regexp.MustCompile(`<[a-zA-Z][^>]*\son[a-z]+=`).MatchString(out) {
			t.Fatal("evidence injected an event handler")
		}
	})
}
