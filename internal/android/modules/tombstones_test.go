package modules_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/tombstones"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestTombstonesGolden(t *testing.T) {
	// The androidqf case exposes the nested bugreport under "bugreport/".
	qf := androiddata.AndroidQF(androiddata.Options{})
	for p, b := range androiddata.Bugreport(androiddata.Options{}) {
		qf["bugreport/"+p] = b
	}
	cases := []modtest.Case{modtest.Cases()[0], {Name: "androidqf", Kind: acquisition.AndroidQF, FS: modtest.FS(qf)}}
	modtest.GoldenCases(t, tombstones.New(), cases, func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware crash not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "running as shell (uid 2000)") {
			t.Error("shell crash not flagged")
		}
		if len(res.Records) != 2 || len(res.Timeline) != 2 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestTombstonesBadTombstone(t *testing.T) {
	files := map[string][]byte{
		"FS/data/tombstones/tombstone_00":    []byte("garbage"),
		"FS/data/tombstones/tombstone_01.pb": {0x12, 0x50, 0x01},
		"FS/data/tombstones/tombstone_02":    androiddata.TombstoneText(),
	}
	res, err := modtest.Run(t, tombstones.New(), acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 2 || len(res.Records) != 1 {
		t.Fatalf("errors %+v records %d", res.Errors, len(res.Records))
	}
}

func TestTombstonesNone(t *testing.T) {
	if _, err := modtest.Run(t, tombstones.New(), acquisition.AndroidQF, map[string][]byte{"packages.json": nil}); err == nil {
		t.Fatal("want ErrNotFound")
	}
}

// TestRealTombstone runs the module on a real Android 16 protobuf tombstone
// (internal/android/tombstone/testdata/SOURCES.md) of an app crash. Its
// crashing thread is named "samples.android" (the kernel keeps the last 15
// bytes of a process name): only the command line names the app whole, so
// an app-id indicator is found there, and its executable is checked too.
func TestTombstonesRealTombstone(t *testing.T) {
	z, err := os.ReadFile("../tombstone/testdata/sentry-java/tombstone.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	src := []model.Provenance{{Source: "test", Family: "Test"}}
	ix, rejects := match.NewIndex([]match.Indicator{
		{Type: match.AppID, Value: "io.sentry.samples.android", Sources: src},
		{Type: match.Process, Value: "app_process64", Sources: src},
	})
	if len(rejects) > 0 {
		t.Fatal(rejects)
	}
	acq := &acquisition.Acquisition{Path: "test", Kind: acquisition.AndroidBugreport,
		FS: modtest.FS(map[string][]byte{"FS/data/tombstones/tombstone_00.pb": pb})}
	res, err := modtest.RunAcq(t, tombstones.New(), acq, ix)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 1 || len(res.Errors) != 0 || len(res.Timeline) != 1 {
		t.Fatalf("records %d errors %+v events %d", len(res.Records), res.Errors, len(res.Timeline))
	}
	if got := res.Timeline[0].Time; !got.Equal(time.Date(2025, 11, 24, 15, 26, 18, 7439439, time.UTC)) {
		t.Errorf("time %v", got)
	}
	modtest.WantAlert(t, res, model.Critical, true, "io.sentry.samples.android")
	modtest.WantAlert(t, res, model.Critical, true, "app_process64")
	if modtest.HasAlert(res, model.Medium, false, "uid") {
		t.Error("an app crash (uid 10302) flagged as privileged")
	}
}

// Android 12+ writes each crash twice, tombstone_NN in text and
// tombstone_NN.pb: one crash is one record (as MVT since 2026-08), the
// protobuf's, naming the text file, with the text's fields where the
// protobuf has none; both files are read. When one form is unreadable, the
// other is reported and the unreadable one is an error.
func TestTextAndProtobufOfOneCrash(t *testing.T) {
	// The crash of TombstoneProto, as debuggerd writes it in text.
	text := []byte(strings.Join([]string{
		"*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***",
		"Build fingerprint: 'google/oriole/oriole:14/UP1A.231005.007/10754064:user/release-keys'",
		"Revision: 'MP1.0'",
		"ABI: 'arm64'",
		"Timestamp: 2024-05-19 23:41:07.000123456+0200",
		"Process uptime: 3600s",
		"Cmdline: /data/local/tmp/" + androiddata.StalkerAppID + "-daemon --silent",
		"pid: 4242, tid: 4243, name: " + androiddata.StalkerAppID + ":daemon  >>> /data/local/tmp/" + androiddata.StalkerAppID + "-daemon <<<",
		"uid: 0",
		"signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x000000000000dead",
		"Cause: null pointer dereference",
		"",
	}, "\n"))
	dir := "FS/data/tombstones/"
	for _, tc := range []struct {
		name          string
		text, pb      []byte
		records, errs int
		file, textRef string
	}{
		{"both read", text, androiddata.TombstoneProto(), 1, 0, "tombstone_05.pb", "tombstone_05"},
		{"protobuf unreadable", text, []byte{0x12, 0x50, 0x01}, 1, 1, "tombstone_05", ""},
		{"text unreadable", []byte("garbage"), androiddata.TombstoneProto(), 1, 1, "tombstone_05.pb", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, tombstones.New(), acquisition.AndroidBugreport, map[string][]byte{
				dir + "tombstone_05": tc.text, dir + "tombstone_05.pb": tc.pb,
				dir + "tombstone_06": androiddata.TombstoneText()})
			if err != nil {
				t.Fatal(err)
			}
			modtest.WantFiles(t, res, dir+"tombstone_05", dir+"tombstone_05.pb", dir+"tombstone_06")
			crashes := modtest.Records[tombstones.Crash](t, res)
			if len(crashes) != tc.records+1 || len(res.Errors) != tc.errs || len(res.Timeline) != tc.records+1 {
				t.Fatalf("records %d errors %+v events %d", len(crashes), res.Errors, len(res.Timeline))
			}
			c := crashes[0]
			if c.FileName != tc.file || c.TextFile != tc.textRef || c.ProcessName != androiddata.StalkerAppID+":daemon" {
				t.Errorf("record %+v", c)
			}
			if tc.textRef != "" && (c.Format != "protobuf" || c.Executable == "" || c.Arch == "" || len(c.Causes) != 2) {
				t.Errorf("merged record %+v", c)
			}
			modtest.WantAlert(t, res, model.Critical, true, androiddata.StalkerAppID)
			modtest.WantAlert(t, res, model.Medium, false, "running as shell (uid 2000)")
		})
	}
}
