package modules_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/sessionresourcelog"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestSessionResourceLogGolden(t *testing.T) {
	modtest.GoldenLayouts(t, sessionresourcelog.New(), iosdata.SessionResourceLog(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.High, false, "ORIGIN news.example.com -> DESTINATION "+iosdata.PegasusSubdomain)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen != 2 || len(res.Alerts) != 2 || len(res.Timeline) != 2 {
			t.Errorf("seen %d alerts %d events %d", res.Seen, len(res.Alerts), len(res.Timeline))
		}
	})
}

func TestSessionResourceLogMalformed(t *testing.T) {
	f := iosdata.SessionResourceLog()[0]
	res, err := modtest.Run(t, sessionresourcelog.New(), acquisition.IOSBackup, fstest.MapFS{f.Domain + "/" + f.RelativePath: {Data: f.Data[:len(f.Data)/2]}})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "resourceLog.plist") {
		t.Errorf("%v %+v", err, res.Errors)
	}
}

func FuzzSessionResourceLogParse(f *testing.F) {
	f.Add(iosdata.SessionResourceLog()[0].Data)
	f.Add([]byte(`<plist><dict><key>browsingStatistics</key><array><dict><key>topFrameUniqueRedirectsTo</key><array><string>a</string><integer>3</integer></array></dict></array></dict></plist>`))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = sessionresourcelog.Parse(b)
	})
}
