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

func TestEveryRecorderCheckIsCovered(t *testing.T) {
	// Each type a Recorder stores as an observable must be recheckable.
	ix := index()
	rec := module.NewRecorder("m", ix, nil)
	w := module.Where{Artifact: "a"}
	rec.CheckDomain("a.example", w)
	rec.CheckURL("https://a.example/", w)
	rec.CheckIP("192.0.2.1", w)
	rec.CheckEmail("a@a.example", w)
	rec.CheckProcess("p", w)
	rec.CheckPath("/a/b", w)
	rec.CheckFileHash("00", w)
	rec.CheckAppID("com.a", w)
	rec.CheckAppCert("01", w)
	rec.CheckTLSCert("02", w)
	rec.CheckProfile("prof", w)
	rec.CheckAndroidProperty("prop", w)
	rec.CheckJA3("03", w)
	rec.CheckJA4("t13", w)
	for _, o := range rec.Observables() {
		if checks[o.Type] == nil {
			t.Errorf("observable type %q cannot be rechecked", o.Type)
		}
	}
	if n := len(rec.Observables()); n != 14 {
		t.Errorf("%d observables, want 14", n)
	}
}

// TestLookupsAgreeWithChecks: for every type, Lookup finds what the
// Recorder's Check method finds, so retro-hunt and a scan agree.
func TestLookupsAgreeWithChecks(t *testing.T) {
	values := map[match.Type]string{
		match.Domain: "evil.example", match.URL: "https://evil.example/x", match.IP: "192.0.2.7",
		match.Email: "a@evil.example", match.Process: "bh", match.FilePath: "/private/var/tmp/evil",
		match.FileSHA256: strings.Repeat("ab", 32), match.AppID: "com.evil.app", match.AppCertSHA256: strings.Repeat("cd", 32),
		match.TLSCertSHA256: strings.Repeat("ef", 32), match.Profile: "com.evil.profile", match.AndroidProperty: "persist.evil",
		match.JA3: strings.Repeat("0a", 16), match.JA4: "t13d1516h2_8daaf6152771_b186095e22b6",
	}
	var inds []match.Indicator
	for typ, v := range values {
		inds = append(inds, match.Indicator{Type: typ, Value: v, Sources: src("Fam")})
	}
	ix := index(inds...)
	for typ := range checks {
		v, ok := values[typ]
		if !ok {
			t.Errorf("type %s: no test value", typ)
			continue
		}
		rec := module.NewRecorder("m", ix, nil)
		checks[typ](rec, v, module.Where{Artifact: "a"})
		got := Lookup(ix, typ)(v)
		if len(got) == 0 || len(got) != len(rec.Result().Alerts) {
			t.Errorf("type %s: Lookup found %d matches, the Check method %d alerts", typ, len(got), len(rec.Result().Alerts))
			continue
		}
		for i, m := range got {
			if a := rec.Result().Alerts[i]; a.Match.Indicator != m.Indicator {
				t.Errorf("type %s: Lookup matched %q, Check %q", typ, m.Indicator, a.Match.Indicator)
			}
		}
	}
	if len(lookups) != len(checks) {
		t.Errorf("%d lookups for %d checks", len(lookups), len(checks))
	}
	if Lookup(ix, "no-such-type") != nil {
		t.Error("Lookup of an unknown type is not nil")
	}
}
