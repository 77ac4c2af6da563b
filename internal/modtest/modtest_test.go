package modtest

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// lister reads every file of the acquisition and checks it as a domain.
type lister struct{ module.Base }

func (lister) Run(_ context.Context, in *module.Input, rec *module.Recorder) error {
	return fs.WalkDir(in.Acq.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(in.Acq.FS, p)
		if err != nil {
			return err
		}
		rec.File(p)
		rec.CheckDomain(string(b), module.Where{Artifact: p, Label: i18n.M("type.domain")})
		return nil
	})
}

func TestRunBothForms(t *testing.T) {
	m := lister{module.NewBase("lister", 1, module.Kinds(acquisition.NetworkLog))}
	files := map[string][]byte{"a/x.txt": []byte("free247downloads.com"), "y.txt": []byte("notfree247downloads.com")}
	for name, run := range map[string]func() error{
		"map": func() error {
			res, err := Run(t, m, acquisition.NetworkLog, files)
			WantFiles(t, res, "y.txt", "a/x.txt")
			WantAlert(t, res, 0, true, `"free247downloads.com"`)
			NoAlertMentions(t, res, "notfree247downloads.com")
			return err
		},
		"fs": func() error {
			res, err := Run(t, m, acquisition.NetworkLog, fstest.MapFS{"only.txt": {Data: []byte("example.org")}})
			WantFiles(t, res, "only.txt")
			if len(res.Alerts) != 0 || Alerted(res, "example.org") {
				t.Errorf("alerts %+v", res.Alerts)
			}
			return err
		},
	} {
		if err := run(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
