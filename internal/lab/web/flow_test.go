package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
)

var caseLink = regexp.MustCompile(`/cases/(\d+)`)

// TestFlow walks what a helpline does, on both engines: the first admin
// logs in with the one-time password of --init-admin and chooses one,
// creates a case, uploads a capture, scans it, sees the verdict and the
// report, adds an indicator file matching a value already stored, and
// sees the NEW match without rescanning.
func TestFlow(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		e := newEnv(t, db)
		otp, err := e.lab.InitAdmin(bg, "admin")
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.get("/login")
		if st, loc := c.postLogin("admin", otp); st != http.StatusSeeOther || loc != "/account/password" {
			t.Fatalf("first login: %d to %q, want the password page", st, loc)
		}
		if r := c.getR("/cases"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/password" {
			t.Fatalf("with a one-time password, /cases gives %d to %q", r.status, r.header.Get("Location"))
		}
		c.get("/account/password")
		pw := "four random words here"
		if r := c.post("/account/password", url.Values{"current": {otp}, "new": {pw}, "confirm": {pw}}); r.status != http.StatusSeeOther {
			t.Fatalf("password change: %d %s", r.status, r.body)
		}

		// A case.
		c.get("/cases")
		r := c.post("/cases", url.Values{"name": {"Journalist A"}, "description": {"phone seen 2026-11"}})
		m := caseLink.FindStringSubmatch(r.header.Get("Location"))
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("create case: %d %q", r.status, r.header.Get("Location"))
		}
		caseID, _ := strconv.ParseInt(m[1], 10, 64)
		casePath := "/cases/" + m[1]

		// Upload the demo capture; its SHA-256 is computed while it arrives.
		capture, err := os.ReadFile(filepath.Join(repo(t), "demo", "capture.pcapng"))
		if err != nil {
			t.Fatal(err)
		}
		c.get(casePath + "/acquisitions/new")
		if r := c.upload(casePath+"/acquisitions", map[string][]byte{"capture.pcapng": capture}); r.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		acqs, _ := e.lab.Store.Acquisitions(bg, caseID)
		sum := sha256.Sum256(capture)
		if len(acqs) != 1 || acqs[0].SHA256 != hex.EncodeToString(sum[:]) || acqs[0].Kind != "pcap" || acqs[0].Size != int64(len(capture)) {
			t.Fatalf("acquisition %+v", acqs)
		}
		if st, err := os.Stat(acqs[0].Path); err != nil || st.Mode().Perm() != 0o400 || !strings.HasPrefix(acqs[0].Path, e.db.DataDir+string(filepath.Separator)) {
			t.Errorf("uploaded evidence %s: %v %v, want read-only inside the data folder", acqs[0].Path, st.Mode(), err)
		}

		// Scan it.
		_, body := c.get(casePath)
		if !strings.Contains(body, `name="acquisition" value="`+strconv.FormatInt(acqs[0].ID, 10)) {
			t.Fatal("the case page offers no acquisition to scan")
		}
		if r := c.post(casePath+"/scans", url.Values{"acquisition": {strconv.FormatInt(acqs[0].ID, 10)}}); r.status != http.StatusSeeOther {
			t.Fatalf("queue: %d %s", r.status, r.body)
		}
		scans, _ := e.lab.Store.Scans(bg, caseID)
		sc := e.waitScan(scans[0].ID)
		if sc.State != store.Done || sc.Verdict != model.VerdictDetected {
			t.Fatalf("scan %+v", sc)
		}
		_, body = c.get(casePath)
		for _, want := range []string{`data-verdict="detected"`, "coazoa.com", "Pegasus", "/scans/" + strconv.FormatInt(sc.ID, 10) + "/report?lang=fr"} {
			if !strings.Contains(body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}

		// The case's timeline: the scan's events, from its result folder.
		stored, _, err := output.Load(sc.ResultDir)
		if err != nil {
			t.Fatal(err)
		}
		_, body = c.get(casePath + "/timeline")
		if n := stored.Timeline.Len(); n == 0 || strings.Count(body, "<tr><td><code>") != min(n, 500) ||
			!strings.Contains(body, fmt.Sprintf("%d events", n)) || !strings.Contains(body, "capture.pcapng") {
			t.Errorf("timeline page: %d rows for %d events", strings.Count(body, "<tr><td><code>"), n)
		}

		// The report, in French, under a policy that runs no script.
		rr := c.getR("/scans/" + strconv.FormatInt(sc.ID, 10) + "/report?lang=fr")
		csp := rr.header.Get("Content-Security-Policy")
		if rr.status != 200 || !strings.Contains(rr.body, `lang="fr"`) || !strings.Contains(csp, "sandbox") ||
			!strings.Contains(csp, "style-src 'sha256-") || strings.Contains(csp, "script-src") {
			t.Errorf("report: %d, policy %q", rr.status, csp)
		}
		if ex := c.getR("/scans/" + strconv.FormatInt(sc.ID, 10) + "/export/stix"); ex.status != 200 || !strings.Contains(ex.body, `"type": "bundle"`) && !strings.Contains(ex.body, `"type":"bundle"`) {
			t.Errorf("STIX export: %d", ex.status)
		}

		// A new indicator file matching a name the capture resolved.
		// The name is in the report before any indicator names it.
		baseline := strings.Count(rr.body, "big.example.org")
		if st, body := c.get("/new"); st != 200 || !strings.Contains(body, `id="no-new"`) {
			t.Fatalf("new matches before: %d", st)
		}
		runs, _ := e.lab.Store.RetroRuns(bg, 1)
		c.get("/indicators")
		up := c.upload("/indicators/files", map[string][]byte{"predator.json": labtest.Bundle("Predator", "big.example.org")})
		if up.status != http.StatusSeeOther {
			t.Fatalf("indicator file: %d %s", up.status, up.body)
		}
		run := e.waitRetro(runs[0].ID + 1)
		if run.NewMatches != 1 || run.State != "done" {
			t.Fatalf("retro-hunt %+v", run)
		}
		if sc2, _ := e.lab.Store.Scans(bg, caseID); len(sc2) != 1 {
			t.Errorf("%d scans: the new match must come without a rescan", len(sc2))
		}
		_, body = c.get("/new")
		for _, want := range []string{"big.example.org", "Predator", "predator.json", "Journalist A"} {
			if !strings.Contains(body, want) {
				t.Errorf("new matches page lacks %q", want)
			}
		}
		_, body = c.get(casePath)
		if !strings.Contains(body, `id="case-new"`) || !strings.Contains(body, "NEW") {
			t.Error("the case page does not mark the new match")
		}
		// The report seen before the retro-hunt (rendered reports are
		// cached) shows the new match, and stops showing it once a later
		// run withdraws it.
		reportPath := "/scans/" + strconv.FormatInt(sc.ID, 10) + "/report?lang=fr"
		_, withMatch := c.get(reportPath)
		if strings.Count(withMatch, "big.example.org") <= baseline || !strings.Contains(withMatch, "Predator") {
			t.Error("the report does not show the retro-hunt's new match")
		}
		var newID int64
		shown, _ := e.lab.Store.ScanAlerts(bg, sc.ID)
		for _, a := range shown {
			if a.Origin == store.FromRetro {
				newID = a.ID
			}
		}
		if err := e.lab.Store.MarkGone(bg, run.ID, []int64{newID}, nil); err != nil {
			t.Fatal(err)
		}
		if _, body := c.get(reportPath); strings.Count(body, "big.example.org") != baseline || !strings.Contains(body, "coazoa.com") {
			t.Error("the report still shows a withdrawn match")
		}
		if err := e.lab.Store.MarkGone(bg, run.ID, nil, []int64{newID}); err != nil {
			t.Fatal(err)
		}
		if _, body := c.get(reportPath); body != withMatch {
			t.Error("the report of a match that matches again differs from the first one")
		}
		_, body = c.get("/cases")
		if !strings.Contains(body, "1 new match") {
			t.Error("the cases list does not count the new match")
		}
		if r := c.post(casePath+"/seen", nil); r.status != http.StatusSeeOther {
			t.Errorf("mark seen: %d", r.status)
		}
		if _, body := c.get("/new"); !strings.Contains(body, `id="no-new"`) {
			t.Error("still new after marking seen")
		}
		// Every step is in the audit log, and the chain holds.
		if n, err := e.lab.Store.VerifyAudit(bg); err != nil || n < 8 {
			t.Errorf("audit chain: %d entries, %v", n, err)
		}
		log, _ := e.lab.Store.AuditLog(bg, store.AuditFilter{})
		seen := map[string]bool{}
		for _, a := range log {
			seen[a.Action] = true
		}
		for _, want := range []string{"user.init_admin", "login", "password.change", "case.create", "acquisition.add", "scan.queue",
			"report.view", "export", "indicators.add", "alerts.seen"} {
			if !seen[want] {
				t.Errorf("audit log has no %s", want)
			}
		}
	})
}
