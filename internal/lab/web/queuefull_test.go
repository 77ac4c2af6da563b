package web_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/module"
)

// holder is a module that holds its scan until the scan is stopped, so a
// test knows what the queue holds.
type holder struct {
	module.Base
	started chan struct{}
}

func (h *holder) Run(ctx context.Context, _ *module.Input, _ *module.Recorder) error {
	close(h.started)
	<-ctx.Done()
	return ctx.Err()
}

// TestQueueFullIs503: with its one worker busy and --max-queued scans
// waiting, asking for one more scan answers HTTP 503 with a page that
// says so in the user's language, and queues nothing.
func TestQueueFullIs503(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		h := &holder{Base: module.NewBase("hold", 1, module.AppliesFunc(func(acquisition.Kind) bool { return true })),
			started: make(chan struct{})}
		e := newEnv(t, db, func(c *lab.Config) { c.Workers, c.MaxQueued, c.Modules = 1, 1, []module.Module{h} })
		ana := e.user("ana", store.Analyst)
		cs, err := e.lab.Store.CreateCase(bg, "Journalist A", "", ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.lab.Store.AddMember(bg, cs.ID, ana.ID)
		acq, err := e.lab.Store.AddAcquisition(bg, store.Acquisition{CaseID: cs.ID, Name: "capture.pcapng", Origin: store.ServerPath,
			Path: filepath.Join(repo(t), "demo", "capture.pcapng"), Kind: string(acquisition.PCAP), AddedBy: ana.ID})
		if err != nil {
			t.Fatal(err)
		}
		casePath := "/cases/" + strconv.FormatInt(cs.ID, 10)
		form := url.Values{"acquisition": {strconv.FormatInt(acq.ID, 10)}}
		c := e.login("ana")
		c.get(casePath)
		if r := c.post(casePath+"/scans", form); r.status != http.StatusSeeOther {
			t.Fatalf("first scan: %d", r.status)
		}
		select { // the worker has it: running, not waiting
		case <-h.started:
		case <-time.After(2 * time.Minute):
			t.Fatal("the first scan did not start")
		}
		if r := c.post(casePath+"/scans", form); r.status != http.StatusSeeOther {
			t.Fatalf("second scan (the one place in the queue): %d", r.status)
		}
		for _, lang := range []string{"en", "fr"} {
			c.get(casePath + "?lang=" + lang)
			r := c.post(casePath+"/scans?lang="+lang, form)
			want := i18n.Get(lang).T("lab.scan.queue_full")
			if r.status != http.StatusServiceUnavailable || !strings.Contains(r.header.Get("Content-Type"), "text/html") ||
				!strings.Contains(r.body, want) || !strings.Contains(r.body, `lang="`+lang+`"`) {
				t.Errorf("%s: a scan past a full queue: %d %q, want 503 and a page saying %q", lang, r.status,
					r.header.Get("Content-Type"), want)
			}
		}
		if scans, _ := e.lab.Store.Scans(bg, cs.ID); len(scans) != 2 {
			t.Errorf("%d scans stored, want 2: the refused ones must not be queued", len(scans))
		}
	})
}
