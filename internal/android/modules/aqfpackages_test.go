package modules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/aqfpackages"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAQFPackagesGolden(t *testing.T) {
	modtest.GoldenCases(t, aqfpackages.New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		for _, sub := range []string{
			"Installed package \"" + androiddata.StalkerAppID + "\"",
			"APK file hash of " + androiddata.StalkerAppID,
			"APK signing certificate of " + androiddata.StalkerAppID,
		} {
			if !modtest.HasAlert(res, model.Critical, true, sub) {
				t.Errorf("stalkerware indicator not hit: %s", sub)
			}
		}
		for _, sub := range []string{"com.topjohnwu.magisk\" is a tool to root", "\"" + androiddata.StalkerAppID + "\" has no installer",
			"\"org.fdroid.fdroid\" was installed from an APK", "Security package \"com.sec.android.soagent\" is disabled"} {
			if !modtest.HasAlert(res, model.Medium, false, sub) {
				t.Errorf("missing heuristic %q", sub)
			}
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeAppID)
		if len(res.Records) != 11 {
			t.Errorf("%d packages", len(res.Records))
		}
	})
}

// Entries with missing keys, null files or certificates, and mistyped
// values are read (MVT #565, #574, #823); a syntax error is one file error.
func TestAQFPackagesMissingKeysAndMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, data    string
		records, errs int
	}{
		{"missing keys", `[{"name":"a.b"},{"files":null},{"name":"c.d","files":[{"path":"/x","certificate":null}]}]`, 3, 0},
		{"mistyped", `[{"name":"a.b","uid":"10058","files":{}},{"name":"c.d","installer":"null"}]`, 2, 0},
		{"truncated", `[{"name":"a.b"},{"name":"c.`, 1, 1},
		{"not an array", `{"name":"a.b"}`, 0, 1},
		{"garbage", "\x00\x01", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, aqfpackages.New(), acquisition.AndroidQF, map[string][]byte{aqfpackages.FileName: []byte(tc.data)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != tc.records || len(res.Errors) != tc.errs {
				t.Fatalf("records %d errors %+v", len(res.Records), res.Errors)
			}
			for _, e := range res.Errors {
				if !strings.Contains(e.Error, aqfpackages.FileName) {
					t.Errorf("error does not name the file: %s", e.Error)
				}
			}
		})
	}
}

func FuzzAQFPackagesDecode(f *testing.F) {
	f.Add(androiddata.PackagesJSON(androiddata.Options{}))
	f.Add([]byte(`[{"name":1,"files":[{"certificate":{"Md5":2}}]}, null, 3]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = aqfpackages.Decode(bytes.NewReader(b), func(p aqfpackages.Package, _, _ bool) {
			if _, err := json.Marshal(p); err != nil {
				t.Fatal(err)
			}
		}, func(string) {})
	})
}

// BenchmarkPackagesJSON5000 reads a packages.json of 5,000 packages.
func BenchmarkPackagesJSON5000(b *testing.B) {
	files := androiddata.AndroidQF(androiddata.Options{Packages: 5000})
	fsys := modtest.FS(map[string][]byte{aqfpackages.FileName: files[aqfpackages.FileName]})
	ix := modtest.Index(b)
	b.SetBytes(int64(len(files[aqfpackages.FileName])))
	b.ResetTimer()
	for range b.N {
		rec := module.NewRecorder(aqfpackages.Name, ix, func(json.RawMessage) error { return nil })
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: fsys}, Index: ix}
		if err := (aqfpackages.New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if r := rec.Result(); r.Seen != 5011 {
			b.Fatalf("%d packages", r.Seen)
		}
	}
}
