package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

var ctx = context.Background()

func mustUser(t *testing.T, s *store.Store, name string, role store.Role) *store.User {
	t.Helper()
	u, err := s.CreateUser(ctx, name, "hash-of-"+name, role, false)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrations(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		s := db.Open(t)
		v, err := s.Version(ctx)
		if err != nil || v != store.SchemaVersion() {
			t.Fatalf("version %d (%v), want %d", v, err, store.SchemaVersion())
		}
		mustUser(t, s, "ana", store.Admin)
		s.Close()
		// A restarted server applies nothing again and keeps the data.
		s = db.Open(t)
		if _, err := s.UserByName(ctx, "ana"); err != nil {
			t.Fatalf("after reopening: %v", err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_version`).Scan(&n); err != nil || n != len(store.Migrations()) {
			t.Errorf("schema_version has %d rows (%v), want %d", n, err, len(store.Migrations()))
		}
		// A database from a newer spyscan is refused, not downgraded.
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := store.Open(ctx, store.Options{DataDir: db.DataDir, DSN: db.DSN}); !errors.Is(err, store.ErrNewerSchema) {
			t.Errorf("opening a newer schema: %v, want ErrNewerSchema", err)
		}
	})
}

// TestSameSchema: both engines get the same tables and columns, in the
// same order, from the same migrations.
func TestSameSchema(t *testing.T) {
	pg := labtest.Postgres(t)
	lite := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	ls, ps := lite.Open(t), pg.Open(t)
	liteCols, err := store.Columns(ctx, ls)
	if err != nil {
		t.Fatal(err)
	}
	pgCols, err := store.Columns(ctx, ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(liteCols) < 10 {
		t.Fatalf("only %d tables on SQLite", len(liteCols))
	}
	for table, cols := range liteCols {
		if !slices.Equal(cols, pgCols[table]) {
			t.Errorf("table %s: SQLite columns %v, PostgreSQL %v", table, cols, pgCols[table])
		}
	}
	for table := range pgCols {
		if liteCols[table] == nil {
			t.Errorf("table %s only on PostgreSQL", table)
		}
	}
}

func TestUsersAndSessions(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := db.Open(t)
		u := mustUser(t, s, "ana", store.Analyst)
		if _, err := s.CreateUser(ctx, "ana", "x", store.Viewer, false); !errors.Is(err, store.ErrConflict) {
			t.Errorf("same name again: %v, want ErrConflict", err)
		}
		if _, err := s.CreateUser(ctx, "bob", "x", "root", false); err == nil {
			t.Error("unknown role accepted")
		}
		for _, tok := range []string{"tok-1", "tok-2"} {
			if err := s.CreateSession(ctx, tok, store.Session{UserID: u.ID, CSRF: "c-" + tok, Remote: "127.0.0.1",
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		sess, got, err := s.SessionUser(ctx, "tok-1")
		if err != nil || got.ID != u.ID || sess.CSRF != "c-tok-1" {
			t.Fatalf("session: %+v %+v %v", sess, got, err)
		}
		var stored int
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash = 'tok-1'`).Scan(&stored)
		if stored != 0 {
			t.Error("the session token is stored in clear")
		}
		// A new password ends every other session.
		if err := s.SetPassword(ctx, u.ID, "new-hash", false, "tok-1"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "tok-2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other session after a password change: %v", err)
		}
		if _, _, err := s.SessionUser(ctx, "tok-1"); err != nil {
			t.Errorf("the session that changed the password: %v", err)
		}
		// Expiry and disabled accounts.
		now = now.Add(2 * time.Hour)
		if _, _, err := s.SessionUser(ctx, "tok-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session: %v", err)
		}
		s.CreateSession(ctx, "tok-3", store.Session{UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "tok-3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session of a disabled user: %v", err)
		}
	})
}

func TestCaseVisibility(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		s := db.Open(t)
		admin := mustUser(t, s, "root", store.Admin)
		ana := mustUser(t, s, "ana", store.Analyst)
		bob := mustUser(t, s, "bob", store.Analyst)
		vic := mustUser(t, s, "vic", store.Viewer)
		c1, err := s.CreateCase(ctx, "Journalist A", "", ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := s.CreateCase(ctx, "Lawyer B", "", bob.ID)
		if err := s.AddMember(ctx, c1.ID, vic.ID); err != nil {
			t.Fatal(err)
		}
		s.AddMember(ctx, c1.ID, vic.ID) // twice is fine
		want := map[string][]int64{"root": {c2.ID, c1.ID}, "ana": {c1.ID}, "bob": {c2.ID}, "vic": {c1.ID}}
		for _, u := range []*store.User{admin, ana, bob, vic} {
			cs, err := s.Cases(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, want[u.Name]) {
				t.Errorf("%s sees cases %v, want %v", u.Name, ids, want[u.Name])
			}
			for _, c := range []*store.Case{c1, c2} {
				ok, err := s.CanSee(ctx, u, c.ID)
				if err != nil || ok != slices.Contains(want[u.Name], c.ID) {
					t.Errorf("CanSee(%s, %d) = %v, %v", u.Name, c.ID, ok, err)
				}
			}
		}
		if err := s.RemoveMember(ctx, c1.ID, vic.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.CanSee(ctx, vic, c1.ID); ok {
			t.Error("a removed member still sees the case")
		}
		ms, _ := s.Members(ctx, c1.ID)
		if len(ms) != 1 || ms[0].User.Name != "ana" {
			t.Errorf("members %+v", ms)
		}
	})
}

// evidence values no engine may alter: NUL bytes, invalid UTF-8, bidi
// controls, a very long value.
var oddValues = []string{"evil.example", "a\x00b.example", "\xff\xfe.example", "\u202egpj.exe", strings.Repeat("x", 70000)}

func finishedScan(t *testing.T, s *store.Store, caseID, by int64) *store.Scan {
	t.Helper()
	acq, err := s.AddAcquisition(ctx, store.Acquisition{CaseID: caseID, Name: "backup", Origin: store.Uploaded,
		Path: "/data/x", Kind: "ios-backup", Size: 10, SHA256: "00", AddedBy: by})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.QueueScan(ctx, caseID, []int64{acq.ID}, by, 10)
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := s.ClaimNext(ctx)
	if err != nil || claimed.ID != sc.ID || claimed.State != store.Running || claimed.Attempts != 1 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	var obs []output.ObservableRecord
	for i, v := range oddValues {
		obs = append(obs, output.ObservableRecord{Module: "safari_history", Input: "/data/x", Observable: module.Observable{
			Type: match.Domain, Value: v, Artifact: "Library/\x00Safari/History.db", WhatMsg: i18n.M("what.value"), What: "Value",
			FirstSeen: time.Date(2021, 7, 1, 0, 0, i, 0, time.UTC), Count: i + 1}})
	}
	hit := model.Alert{Level: model.Critical, Module: "safari_history", Message: "hit", Artifact: "History.db", Input: "/data/x",
		Match: &model.Match{Type: "domain", Observed: "a\x00b.example", Indicator: "b.example", Sources: []model.Provenance{{Source: "s", Family: "Pegasus"}}}}
	heur := model.Alert{Level: model.Medium, Module: "tcc", Message: "odd \xff", Artifact: "TCC.db"}
	if err := s.FinishScan(ctx, sc.ID, store.Outcome{ToolVersion: "t", IndicatorDigest: "d1", Verdict: model.VerdictDetected,
		ResultDir: "/data/results/1", Alerts: []model.Alert{hit, heur}, Observables: obs}); err != nil {
		t.Fatal(err)
	}
	done, err := s.Scan(ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func TestScanLifecycle(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		s := db.Open(t)
		u := mustUser(t, s, "ana", store.Analyst)
		c, _ := s.CreateCase(ctx, "A", "", u.ID)
		if _, err := s.ClaimNext(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("claim on an empty queue: %v", err)
		}
		sc := finishedScan(t, s, c.ID, u.ID)
		if sc.State != store.Done || sc.Verdict != model.VerdictDetected || sc.CheckedDigest != "d1" || len(sc.Inputs) != 1 {
			t.Errorf("finished scan %+v", sc)
		}
		alerts, err := s.ScanAlerts(ctx, sc.ID)
		if err != nil || len(alerts) != 2 {
			t.Fatalf("alerts %d, %v", len(alerts), err)
		}
		if got := alerts[0].Alert.Match.Observed; got != "a\x00b.example" {
			t.Errorf("stored alert observed %q", got)
		}
		if alerts[1].Alert.Message != "odd \ufffd" { // JSON makes text valid UTF-8, as in the result folder
			t.Errorf("heuristic message %q", alerts[1].Alert.Message)
		}
		// Observables come back exactly, whatever bytes they hold.
		var got []string
		err = s.EachValue(ctx, nil, func(v store.Value) error { got = append(got, v.Value); return nil })
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(oddValues)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("distinct values differ: got %q", got)
		}
		sg, err := s.Sightings(ctx, store.Value{Type: match.Domain, Value: "a\x00b.example"}, nil)
		if err != nil || len(sg) != 1 || sg[0].Artifact != "Library/\x00Safari/History.db" || sg[0].Count != 2 ||
			sg[0].CaseID != c.ID || sg[0].WhatMsg.Key != "what.value" || sg[0].FirstSeen.Second() != 1 {
			t.Errorf("sightings %+v, %v", sg, err)
		}
		summary, err := s.Summary(ctx, u, c.ID)
		if err != nil || summary.Verdict != model.VerdictDetected || summary.LastScan.IsZero() {
			t.Errorf("summary %+v, %v", summary, err)
		}
	})
}

func TestQueueBoundsAndRecovery(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		s := db.Open(t)
		u := mustUser(t, s, "ana", store.Analyst)
		c, _ := s.CreateCase(ctx, "A", "", u.ID)
		other, _ := s.CreateCase(ctx, "B", "", u.ID)
		acq, _ := s.AddAcquisition(ctx, store.Acquisition{CaseID: c.ID, Name: "a", Origin: store.ServerPath, Path: "/x", Kind: "pcap"})
		if _, err := s.QueueScan(ctx, other.ID, []int64{acq.ID}, u.ID, 10); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("scan of another case's acquisition: %v", err)
		}
		var ids []int64
		for range 3 {
			sc, err := s.QueueScan(ctx, c.ID, []int64{acq.ID}, u.ID, 3)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, sc.ID)
		}
		if _, err := s.QueueScan(ctx, c.ID, []int64{acq.ID}, u.ID, 3); !errors.Is(err, store.ErrQueueFull) {
			t.Errorf("4th scan in a queue of 3: %v", err)
		}
		first, _ := s.ClaimNext(ctx)
		second, _ := s.ClaimNext(ctx)
		if first.ID != ids[0] || second.ID != ids[1] {
			t.Errorf("claimed %d, %d; want the oldest first", first.ID, second.ID)
		}
		s.SetProgress(ctx, first.ID, 3, 10)
		if err := s.FailScan(ctx, second.ID, store.Failed, "bad input"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		// The server restarts: the running scan is interrupted, the queued
		// one still waits, the failed one is kept.
		s = db.Open(t)
		got, err := s.InterruptRunning(ctx)
		if err != nil || !slices.Equal(got, []int64{first.ID}) {
			t.Fatalf("interrupted %v, %v", got, err)
		}
		for id, want := range map[int64]store.ScanState{ids[0]: store.Interrupted, ids[1]: store.Failed, ids[2]: store.Queued} {
			sc, _ := s.Scan(ctx, id)
			if sc.State != want {
				t.Errorf("scan %d is %s, want %s", id, sc.State, want)
			}
		}
		if err := s.Retry(ctx, ids[2]); !errors.Is(err, store.ErrState) {
			t.Errorf("retry of a queued scan: %v", err)
		}
		for _, id := range ids[:2] {
			if err := s.Retry(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		next, _ := s.ClaimNext(ctx)
		if next.ID != ids[0] || next.Attempts != 2 || next.ProgressDone != 0 {
			t.Errorf("retried scan %+v", next)
		}
	})
}

func TestAuditLog(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		s := db.Open(t)
		u := mustUser(t, s, "ana", store.Admin)
		for i, a := range []string{"login", "case.create", "scan.queue"} {
			if err := s.Audit(ctx, store.AuditEntry{UserID: u.ID, UserName: u.Name, Remote: "127.0.0.1", Action: a, CaseID: int64(i), Target: "t\x00"}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 3 {
			t.Fatalf("verify: %d, %v", n, err)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{})
		if len(log) != 3 || log[0].Action != "scan.queue" || log[2].PrevHash != "" || log[1].PrevHash != log[2].Hash {
			t.Errorf("log %+v", log)
		}
		byCase, _ := s.AuditLog(ctx, store.AuditFilter{CaseID: 1})
		if len(byCase) != 1 || byCase[0].Action != "case.create" {
			t.Errorf("case 1 log %+v", byCase)
		}
		for _, q := range []string{`UPDATE audit SET action = 'nothing' WHERE id = 2`, `DELETE FROM audit WHERE id = 3`} {
			if _, err := s.DB().ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want the append-only refusal", q, err)
			}
		}
		if db.Engine == store.Postgres {
			if _, err := s.DB().ExecContext(ctx, `TRUNCATE audit`); err == nil {
				t.Error("TRUNCATE audit accepted")
			}
		}
		// Someone going around the triggers is caught by the chain.
		if db.Engine == store.SQLite {
			s.DB().ExecContext(ctx, `DROP TRIGGER audit_no_update`)
			s.DB().ExecContext(ctx, `UPDATE audit SET detail = 'edited' WHERE id = 2`)
			if _, err := s.VerifyAudit(ctx); err == nil || !strings.Contains(err.Error(), "entry 2 was changed") {
				t.Errorf("verify after an edit: %v", err)
			}
		}
	})
}

func TestCaseVerdict(t *testing.T) {
	for _, c := range []struct {
		worst  int
		latest model.Verdict
		want   model.Verdict
	}{
		{-1, "", ""},
		{-1, model.VerdictClean, model.VerdictClean},
		{int(model.Critical), model.VerdictClean, model.VerdictDetected}, // a retro-hunt hit on a clean scan
		{int(model.High), model.VerdictInconclusive, model.VerdictDetected},
		{int(model.Medium), model.VerdictInconclusive, model.VerdictInconclusive},
		{int(model.Medium), model.VerdictClean, model.VerdictSuspicious},
		{int(model.Info), model.VerdictClean, model.VerdictClean},
	} {
		if got := store.CaseVerdict(c.worst, c.latest); got != c.want {
			t.Errorf("CaseVerdict(%d, %q) = %q, want %q", c.worst, c.latest, got, c.want)
		}
	}
}
