package modules_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/idstatuscache"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestIDStatusCacheGolden(t *testing.T) {
	modtest.GoldenLayouts(t, idstatuscache.New(), iosdata.IDStatusCache(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		modtest.WantAlert(t, res, model.High, false, `x\x00\x00y@icloud.example`)
		for _, a := range res.Alerts {
			if strings.Contains(a.Message, `"`+iosdata.LookalikeMail) {
				t.Errorf("look-alike alerted: %s", a.Message)
			}
		}
		if res.Seen != 5 || len(res.Alerts) != 2 || !strings.Contains(string(res.Records[len(res.Records)-1]), `"occurrences":2`) {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestIDStatusCacheMalformed(t *testing.T) {
	res, err := modtest.Run(t, idstatuscache.New(), acquisition.IOSBackup, fstest.MapFS{
		"HomeDomain/Library/Preferences/com.apple.identityservices.idstatuscache.plist": {Data: []byte("bplist00\x01\x02garbage")}})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "idstatuscache.plist") {
		t.Errorf("%v %+v", err, res.Errors)
	}
}

func FuzzIDStatusCacheParse(f *testing.F) {
	f.Add(iosdata.IDStatusCache()[0].Data)
	f.Add([]byte(`<plist><dict><key>a</key><dict><key>mailto:x</key><dict><key>IDStatus</key><string>1</string></dict></dict></dict></plist>`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = idstatuscache.Parse(b) })
}
