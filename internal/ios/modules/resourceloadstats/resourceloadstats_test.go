package resourceloadstats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/sqlitex"
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

// The redirects' names are joined by SQLite when domainID is the table's
// key, and looked up in memory otherwise: both give the same result,
// including a redirect from an id that names no domain.
func TestJoinedAndHeldNamesAgree(t *testing.T) {
	p := "private/var/mobile/Containers/Data/Application/X/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"
	rows := append(iosdata.ObservationsRows(30),
		iosgen.Ins("TopFrameUniqueRedirectsTo", "sourceDomainID, toDomainID", 99999, 2),
		iosgen.Ins("TopFrameUniqueRedirectsTo", "sourceDomainID, toDomainID", 5, 3))
	unkeyed := slices.Clone(iosdata.ObservationsSchema)
	unkeyed[0] = strings.Replace(unkeyed[0], "domainID INTEGER PRIMARY KEY", "domainID INTEGER", 1)
	cases := []struct {
		name   string
		schema []string
		rows   []iosgen.Stmt
		join   bool
	}{
		{"keyed", iosdata.ObservationsSchema, rows, true},
		{"unkeyed", unkeyed, rows, false},
	}
	var results [][]byte
	for _, c := range cases {
		db := iosdata.BuildDB(c.schema, c.rows)
		sdb := openDB(t, db)
		if got := sdb.IntegerKey(context.Background(), "ObservedDomains", "domainID"); got != c.join { // what chooses the join
			t.Fatalf("%s: domainID is the key: %v, want %v", c.name, got, c.join)
		}
		res, err := modtest.Run(t, resourceloadstats.New(), acquisition.IOSFilesystem, fstest.MapFS{p: {Data: db}})
		if err != nil || len(res.Errors) > 0 {
			t.Fatal(c.name, err, res.Errors)
		}
		modtest.WantAlert(t, res, model.High, false, "example.com -> "+iosdata.PegasusDomain)
		rds := modtest.Records[resourceloadstats.Redirect](t, res)
		var unknown bool
		for _, rd := range rds {
			unknown = unknown || (rd.From == "" && rd.To == iosdata.PegasusDomain)
		}
		if !unknown {
			t.Errorf("%s: no redirect from an unknown id to %s in %+v", c.name, iosdata.PegasusDomain, rds)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, b)
	}
	if !bytes.Equal(results[0], results[1]) {
		t.Errorf("keyed and unkeyed schemas differ:\n%s\n%s", results[0], results[1])
	}
}

func openDB(t *testing.T, data []byte) *sqlitex.DB {
	t.Helper()
	db, err := sqlitex.Open(context.Background(), fstest.MapFS{"o.db": {Data: data}}, "o.db", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
