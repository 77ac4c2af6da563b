package resourceloadstats_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestGolden(t *testing.T) {
	modtest.GoldenLayouts(t, resourceloadstats.New(), iosdata.Observations(0), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusDomain)
		modtest.WantAlert(t, res, model.High, false, "example.com -> "+iosdata.PegasusDomain)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen != 4 || len(res.Alerts) != 2 {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestDriftAndCorrupt(t *testing.T) {
	db := iosdata.BuildDB([]string{`CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL, hadUserInteraction INTEGER)`},
		[]iosgen.Stmt{iosgen.Ins("ObservedDomains", "domainID, registrableDomain, lastSeen, hadUserInteraction", 1, iosdata.PegasusDomain, 1.7e9, 0)})
	p := "private/var/mobile/Containers/Data/Application/X/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"
	res, err := modtest.Run(t, resourceloadstats.New(), acquisition.IOSFilesystem, fstest.MapFS{p: {Data: db}})
	if err != nil || len(res.Errors) > 0 || len(res.Notes) != 2 {
		t.Fatal(err, res.Errors, res.Notes)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusDomain)
	res, _ = modtest.Run(t, resourceloadstats.New(), acquisition.IOSFilesystem, fstest.MapFS{p: {Data: iosdata.Corrupt(iosdata.ObservationsDB(2000))}})
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "observations.db") {
		t.Errorf("errors %+v", res.Errors)
	}
}
