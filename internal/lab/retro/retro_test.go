package retro

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

var ctx = context.Background()

// storeScan stores a finished scan whose observables and alerts come from
// a module.Recorder checking values against the set in use, as a scan's
// modules do.
func storeScan(t *testing.T, s *store.Store, h *iocset.Holder, caseID, by int64, input string, values ...string) *store.Scan {
	t.Helper()
	acq, err := s.AddAcquisition(ctx, store.Acquisition{CaseID: caseID, Name: "backup", Origin: store.ServerPath, Path: input, Kind: "ios-backup"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.QueueScan(ctx, caseID, []int64{acq.ID}, by, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimNext(ctx); err != nil {
		t.Fatal(err)
	}
	cur := h.Current()
	rec := module.NewRecorder("safari_history", cur.Index, nil)
	t0 := time.Date(2021, 7, 14, 9, 30, 0, 0, time.UTC)
	for i, v := range values {
		rec.CheckURL("https://"+v+"/p", module.Where{Artifact: "History.db", Time: t0.Add(time.Duration(i) * time.Hour), Label: i18n.M("type.url")})
	}
	var obs []output.ObservableRecord
	for _, o := range rec.Observables() {
		obs = append(obs, output.ObservableRecord{Module: "safari_history", Observable: o})
	}
	if err := s.FinishScan(ctx, sc.ID, store.Outcome{IndicatorDigest: cur.Digest, Verdict: model.VerdictClean,
		Alerts: rec.Result().Alerts, Observables: obs}); err != nil {
		t.Fatal(err)
	}
	done, _ := s.Scan(ctx, sc.ID)
	return done
}

func TestRetroHunt(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		s := db.Open(t)
		first := filepath.Join(t.TempDir(), "first")
		os.Mkdir(first, 0o755)
		os.WriteFile(filepath.Join(first, "pegasus.stix2"), labtest.Bundle("Pegasus", "free247downloads.com"), 0o644)
		h, err := iocset.New(ctx, iocset.Options{CacheDir: t.TempDir(), AddedDir: t.TempDir(), Paths: []string{first}, NoEmbedded: true})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := s.CreateUser(ctx, "ana", "x", store.Analyst, false)
		c, _ := s.CreateCase(ctx, "Journalist A", "", u.ID)
		other, _ := s.CreateCase(ctx, "Lawyer B", "", u.ID)
		sc := storeScan(t, s, h, c.ID, u.ID, "/evidence/a", "x.free247downloads.com", "cdn.new-evil.example", "benign.example")
		sc2 := storeScan(t, s, h, other.ID, u.ID, "/evidence/b", "benign.example", "www.bbc.co.uk")
		if a, _ := s.ScanAlerts(ctx, sc.ID); len(a) != 1 {
			t.Fatalf("the scan raised %d alerts, want the Pegasus hit", len(a))
		}
		hunter := &Hunter{Store: s, Indicators: h}

		// Same indicators: nothing new.
		run, err := hunter.Run(ctx, "test", u.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.NewMatches != 0 || run.Gone != 0 || run.Scans != 2 || run.Values != 4 || run.Observables != 5 {
			t.Fatalf("first run %+v: want nothing new, 2 scans, 4 distinct values in 5 observables", run)
		}

		// A new indicator file matches a value already stored.
		if _, changed, err := h.Add(ctx, "predator.json", bytes.NewReader(labtest.Bundle("Predator", "new-evil.example"))); err != nil || !changed {
			t.Fatalf("add: changed %v, %v", changed, err)
		}
		if pending, _ := hunter.Pending(ctx); !pending {
			t.Error("the indicator change is not pending a retro-hunt")
		}
		run, err = hunter.Run(ctx, "indicator file added", u.ID, nil)
		if err != nil || run.NewMatches != 1 || run.Gone != 0 || run.State != "done" {
			t.Fatalf("run after the new file: %+v, %v", run, err)
		}
		news, err := s.NewMatches(ctx, u)
		if err != nil || len(news) != 1 {
			t.Fatalf("new matches %d, %v", len(news), err)
		}
		n := news[0]
		m := n.Alert.Match
		if n.ScanID != sc.ID || n.CaseID != c.ID || n.Origin != store.FromRetro || n.RetroRun != run.ID || !n.New ||
			m.Observed != "cdn.new-evil.example" || m.Indicator != "new-evil.example" || m.Families()[0] != "Predator" ||
			n.Alert.Level != model.Critical || n.Alert.Module != "safari_history" || n.Alert.Artifact != "History.db" {
			t.Errorf("new match %+v %+v", n, m)
		}
		if src := m.Sources[0]; src.File == "" || src.Source == "" {
			t.Errorf("the new match has no provenance: %+v", src)
		}
		if !n.Alert.Time.Equal(time.Date(2021, 7, 14, 10, 30, 0, 0, time.UTC)) {
			t.Errorf("the new match's time %v is not when the value was first seen", n.Alert.Time)
		}
		if sum, _ := s.Summary(ctx, u, c.ID); sum.New != 1 || sum.Verdict != model.VerdictDetected {
			t.Errorf("case summary %+v: want 1 NEW and detected", sum)
		}
		if sum, _ := s.Summary(ctx, u, other.ID); sum.New != 0 || sum.Verdict != model.VerdictClean {
			t.Errorf("the other case %+v", sum)
		}
		if pending, _ := hunter.Pending(ctx); pending {
			t.Error("still pending after a complete run")
		}

		// Again: idempotent.
		run, _ = hunter.Run(ctx, "again", 0, nil)
		if run.NewMatches != 0 || run.Gone != 0 {
			t.Errorf("a second run found %d new, %d gone", run.NewMatches, run.Gone)
		}

		// The first indicator is withdrawn: the scan's own hit is gone.
		os.Remove(filepath.Join(first, "pegasus.stix2"))
		if changed, err := h.Reload(ctx); err != nil || !changed {
			t.Fatalf("reload: %v %v", changed, err)
		}
		run, _ = hunter.Run(ctx, "withdrawn", 0, nil)
		if run.Gone != 1 || run.NewMatches != 0 {
			t.Errorf("after the withdrawal: %+v", run)
		}
		alerts, _ := s.ScanAlerts(ctx, sc.ID)
		for _, a := range alerts {
			if gone := a.GoneRun != 0; gone != (a.Alert.Match.Indicator == "free247downloads.com") {
				t.Errorf("alert on %s: gone run %d", a.Alert.Match.Indicator, a.GoneRun)
			}
		}

		// Seen: the NEW mark is cleared for the case.
		if n, err := s.MarkSeen(ctx, c.ID, u.ID); err != nil || n != 1 {
			t.Errorf("mark seen: %d, %v", n, err)
		}
		if news, _ := s.NewMatches(ctx, u); len(news) != 0 {
			t.Errorf("%d new matches after marking them seen", len(news))
		}

		// One scan only.
		run, err = hunter.Run(ctx, "one scan", 0, []int64{sc2.ID})
		if err != nil || run.Scans != 1 || run.Observables != 2 {
			t.Errorf("scoped run %+v, %v", run, err)
		}
		runs, _ := s.RetroRuns(ctx, 10)
		if len(runs) != 5 || runs[0].ID != run.ID {
			t.Errorf("%d runs listed", len(runs))
		}
	})
}

// TestUserSeesOnlyTheirNewMatches: the new-matches list follows case
// membership.
func TestUserSeesOnlyTheirNewMatches(t *testing.T) {
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	s := db.Open(t)
	dir := t.TempDir()
	h, _ := iocset.New(ctx, iocset.Options{CacheDir: t.TempDir(), AddedDir: dir, NoEmbedded: true})
	ana, _ := s.CreateUser(ctx, "ana", "x", store.Analyst, false)
	bob, _ := s.CreateUser(ctx, "bob", "x", store.Analyst, false)
	root, _ := s.CreateUser(ctx, "root", "x", store.Admin, false)
	c, _ := s.CreateCase(ctx, "A", "", ana.ID)
	storeScan(t, s, h, c.ID, ana.ID, "/e", "evil.example")
	h.Add(ctx, "x.json", bytes.NewReader(labtest.Bundle("Predator", "evil.example")))
	if _, err := (&Hunter{Store: s, Indicators: h}).Run(ctx, "t", 0, nil); err != nil {
		t.Fatal(err)
	}
	for u, want := range map[*store.User]int{ana: 1, bob: 0, root: 1} {
		if got, _ := s.NewMatches(ctx, u); len(got) != want {
			t.Errorf("%s sees %d new matches, want %d", u.Name, len(got), want)
		}
	}
}
