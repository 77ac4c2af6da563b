package props

import (
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Property
		ok   bool
	}{
		{"[ro.build.version.sdk]: [34]", Property{"ro.build.version.sdk", "34"}, true},
		{"  [persist.sys.x]: []", Property{"persist.sys.x", ""}, true},
		{"[a]: [b]: [c]", Property{"a", "b]: [c"}, true},
		{"[]: [x]", Property{}, false},
		{"ro.x=1", Property{}, false},
		{"[a]: [b", Property{}, false},
	} {
		got, ok := ParseLine(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%q: %+v %v", tc.in, got, ok)
		}
	}
}

func TestCheck(t *testing.T) {
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.AndroidProperty, Value: "sys.evil",
		Sources: []model.Provenance{{Source: "test", Family: "Test"}}}})
	ref := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		patch  string
		alerts int
		notes  int
	}{
		{"2024-01-05", 1, 0}, // 4.5 months old, plus the indicator hit
		{"2023-10-05", 2, 0}, // more than six months
		{"bogus", 1, 1},
	} {
		rec := module.NewRecorder("t", ix, nil)
		Check(rec, "getprop.txt", []Property{{"sys.evil", "1"}, {"ro.build.version.security_patch", tc.patch}}, ref)
		res := rec.Result()
		if len(res.Alerts) != tc.alerts || len(res.Notes) != tc.notes || len(res.Records) != 2 {
			t.Errorf("%s: alerts %d notes %d", tc.patch, len(res.Alerts), len(res.Notes))
		}
	}
}

// FuzzParseLine: any line parses or is refused without panicking; a parsed
// property has a name and reads back to the same line.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"[ro.build.version.release]: [14]", "[a]: []", "[]: [x]", "[a]: [b", "  [x]: [y]  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p, ok := ParseLine(line)
		if !ok {
			return
		}
		if p.Name == "" {
			t.Fatalf("%q: empty name", line)
		}
		if back, ok := ParseLine("[" + p.Name + "]: [" + p.Value + "]"); !ok || back != p {
			t.Fatalf("%q: %+v does not read back (%+v)", line, p, back)
		}
	})
}
