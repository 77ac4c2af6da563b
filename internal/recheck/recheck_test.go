package recheck

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

func index(inds ...match.Indicator) *match.Index {
	ix, _ := match.NewIndex(inds)
	return ix
}

func src(f string) []model.Provenance { return []model.Provenance{{Source: "test", Family: f}} }

// scanOnce runs values through a Recorder as a module would and returns
// what a scan stores: the alerts and the observables.
func scanOnce(ix *match.Index) (*model.Report, []output.ObservableRecord) {
	rec := module.NewRecorder("safari_history", ix, nil)
	t0 := time.Date(2021, 7, 14, 9, 30, 0, 0, time.UTC)
	rec.CheckURL("https://x.free247downloads.com/a", module.Where{Artifact: "History.db", Time: t0, Label: i18n.M("type.url")})
	rec.CheckURL("https://new-evil.example/p", module.Where{Artifact: "History.db", Time: t0.Add(time.Hour), Label: i18n.M("type.url")})
	rec.CheckDomain("example.org", module.Where{Artifact: "History.db", Label: i18n.M("type.domain")})
	rec.Flag(model.Medium, module.Where{Artifact: "History.db"}, i18n.M("literal", "text", "odd"), i18n.M("literal", "text", "why"), i18n.M("literal", "text", "benign"))
	r := &model.Report{Alerts: rec.Result().Alerts}
	var obs []output.ObservableRecord
	for _, o := range rec.Observables() {
		obs = append(obs, output.ObservableRecord{Module: "safari_history", Observable: o})
	}
	return r, obs
}

func TestNewIndicatorFound(t *testing.T) {
	old := index(match.Indicator{Type: match.Domain, Value: "free247downloads.com", Sources: src("Pegasus")})
	stored, obs := scanOnce(old)
	if len(stored.Alerts) != 2 {
		t.Fatalf("stored scan has %d alerts, want 1 hit and 1 heuristic", len(stored.Alerts))
	}
	updated := index(
		match.Indicator{Type: match.Domain, Value: "free247downloads.com", Sources: src("Pegasus")},
		match.Indicator{Type: match.Domain, Value: "new-evil.example", Sources: src("Predator")})
	res, err := Run(context.Background(), stored, append(obs, output.ObservableRecord{Module: "x",
		Observable: module.Observable{Type: "no-such-type", Value: "v"}}), updated)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 1 || res.New[0].Match.Observed != "new-evil.example" || res.New[0].Match.Families()[0] != "Predator" {
		t.Fatalf("new alerts = %+v, want the Predator hit only", res.New)
	}
	if got := res.New[0].Time; !got.Equal(time.Date(2021, 7, 14, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("new alert time = %v, want the first time the value was seen", got)
	}
	if len(res.Alerts) != 3 || len(res.Gone) != 0 {
		t.Errorf("alerts = %d (want 2 hits + 1 heuristic), gone = %d", len(res.Alerts), len(res.Gone))
	}
	if res.Checked != 3 || res.Unsupported != 1 {
		t.Errorf("checked %d, unsupported %d; want 3 and 1", res.Checked, res.Unsupported)
	}
}

func TestWithdrawnIndicatorIsGone(t *testing.T) {
	old := index(match.Indicator{Type: match.Domain, Value: "free247downloads.com", Sources: src("Pegasus")})
	stored, obs := scanOnce(old)
	res, err := Run(context.Background(), stored, obs, index())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 0 || len(res.Gone) != 1 || len(res.Alerts) != 1 {
		t.Errorf("new %d gone %d alerts %d; want 0, 1 and the heuristic", len(res.New), len(res.Gone), len(res.Alerts))
	}
}

func TestSameIndicatorsNothingNew(t *testing.T) {
	ix := index(match.Indicator{Type: match.Domain, Value: "free247downloads.com", Sources: src("Pegasus")})
	stored, obs := scanOnce(ix)
	res, err := Run(context.Background(), stored, obs, ix)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 0 || len(res.Gone) != 0 {
		t.Errorf("new %v gone %v; want none", res.New, res.Gone)
	}
}

// samples gives, for every indicator type, an indicator value and how a
// module observes something it matches: the observed type and value.
var samples = map[match.Type]struct {
	indicator string
	observed  match.Type
	value     string
}{
	match.Domain:          {"evil.example", match.Domain, "a.evil.example"},
	match.IP:              {"192.0.2.7", match.IP, "192.0.2.7"},
	match.URL:             {"https://evil.example/x", match.URL, "https://evil.example/x"},
	match.Email:           {"spy@evil.example", match.Email, "spy@evil.example"},
	match.Process:         {"bh", match.Process, "/usr/bin/bh"},
	match.FileName:        {"rce_loader.js", match.FilePath, "/private/var/tmp/rce_loader.js"},
	match.FilePath:        {"/private/var/db/staging", match.FilePath, "/private/var/db/staging/x"},
	match.FileSHA256:      {strings.Repeat("ab", 32), match.FileSHA256, strings.Repeat("ab", 32)},
	match.FileSHA1:        {strings.Repeat("cd", 20), match.FileSHA256, strings.Repeat("cd", 20)},
	match.FileMD5:         {strings.Repeat("ef", 16), match.FileSHA256, strings.Repeat("ef", 16)},
	match.AppID:           {"com.spy.app", match.AppID, "com.spy.app"},
	match.AppCertSHA256:   {strings.Repeat("12", 32), match.AppCertSHA256, strings.Repeat("12", 32)},
	match.AppCertSHA1:     {strings.Repeat("34", 20), match.AppCertSHA256, strings.Repeat("34", 20)},
	match.AppCertMD5:      {strings.Repeat("56", 16), match.AppCertSHA256, strings.Repeat("56", 16)},
	match.TLSCertSHA256:   {strings.Repeat("78", 32), match.TLSCertSHA256, strings.Repeat("78", 32)},
	match.TLSCertSHA1:     {strings.Repeat("9a", 20), match.TLSCertSHA256, strings.Repeat("9a", 20)},
	match.Profile:         {"76DAB334-7E17-475D-A5D6-0794EB5818A5", match.Profile, "76DAB334-7E17-475D-A5D6-0794EB5818A5"},
	match.AndroidProperty: {"persist.spy.enabled", match.AndroidProperty, "persist.spy.enabled"},
	match.JA3:             {strings.Repeat("0f", 16), match.JA3, strings.Repeat("0f", 16)},
	match.JA4:             {"t13d1516h2_8daaf6152771_b186095e22b6", match.JA4, "t13d1516h2_8daaf6152771_b186095e22b6"},
}

// TestRecheckCoversEveryType: for every indicator type (match.AllTypes, the
// one table), a value a module observed during a scan with no indicators
// is found by recheck once an indicator of that type is added, as the same
// hit a scan with that indicator raises. A new type fails here until it
// has a sample, and until an observed type reaches it.
func TestRecheckCoversEveryType(t *testing.T) {
	for _, typ := range match.AllTypes {
		sm, ok := samples[typ]
		if !ok {
			t.Errorf("%s: no sample here: add one", typ)
			continue
		}
		if match.Lookup(sm.observed) == nil {
			t.Errorf("%s: observed as %s, which has no lookup", typ, sm.observed)
			continue
		}
		rec := module.NewRecorder("m", index(), nil)
		rec.Check(sm.observed, sm.value, module.Where{Artifact: "a", Label: i18n.M("what.value")})
		var obs []output.ObservableRecord
		for _, o := range rec.Observables() {
			obs = append(obs, output.ObservableRecord{Module: "m", Observable: o})
		}
		ix := index(match.Indicator{Type: typ, Value: sm.indicator, Sources: src("Spy")})
		res, err := Run(context.Background(), &model.Report{}, obs, ix)
		if err != nil {
			t.Fatal(err)
		}
		if res.Unsupported != 0 || res.Checked != 1 || len(res.New) != 1 || res.New[0].Match.Type != string(typ) {
			t.Errorf("%s: checked %d, unsupported %d, new %+v", typ, res.Checked, res.Unsupported, res.New)
			continue
		}
		scan := module.NewRecorder("m", ix, nil)
		scan.Check(sm.observed, sm.value, module.Where{Artifact: "a", Label: i18n.M("what.value")})
		if got := scan.Result().Alerts; len(got) != 1 || Key(got[0]) != Key(res.New[0]) {
			t.Errorf("%s: recheck found %q, a scan finds %+v", typ, Key(res.New[0]), got)
		}
	}
	for _, typ := range match.ObservedTypes() {
		if samples[typ].observed != typ {
			t.Errorf("observed type %s is never exercised as one", typ)
		}
	}
}

// TestLookupsAgreeWithChecks: for every observed type, Lookup (what the
// lab's retro-hunt runs) finds what a scan's Recorder.Check finds, so
// retro-hunt and a scan agree.
func TestLookupsAgreeWithChecks(t *testing.T) {
	var inds []match.Indicator
	for typ, sm := range samples {
		inds = append(inds, match.Indicator{Type: typ, Value: sm.indicator, Sources: src("Fam")})
	}
	ix := index(inds...)
	for _, typ := range match.ObservedTypes() {
		v := samples[typ].value
		rec := module.NewRecorder("m", ix, nil)
		rec.Check(typ, v, module.Where{Artifact: "a"})
		look := Lookup(ix, typ)
		if look == nil {
			t.Errorf("type %s: no Lookup", typ)
			continue
		}
		got := look(v)
		if len(got) == 0 || len(got) != len(rec.Result().Alerts) {
			t.Errorf("type %s: Lookup found %d matches, Check %d alerts", typ, len(got), len(rec.Result().Alerts))
			continue
		}
		for i, m := range got {
			if a := rec.Result().Alerts[i]; a.Match.Indicator != m.Indicator {
				t.Errorf("type %s: Lookup matched %q, Check %q", typ, m.Indicator, a.Match.Indicator)
			}
		}
	}
	if Lookup(ix, "no-such-type") != nil {
		t.Error("Lookup of an unknown type is not nil")
	}
}
