package modules_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func cacheFilesDump(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := iosdata.CacheFiles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return iosdata.DumpFiles(files)
}

func TestCacheFilesGolden(t *testing.T) {
	res, err := modtest.Run(t, cachefiles.New(), acquisition.IOSFilesystem, cacheFilesDump(t))
	if err != nil {
		t.Fatal(err)
	}
	modtest.Golden(t, "cachefiles.dump", res)
	modtest.WantFiles(t, res, iosdata.CacheStorePath, iosdata.CacheSafariPath)
	if !modtest.HasAlert(res, model.Critical, true, iosdata.PegasusSubdomain2) {
		t.Error("planted Pegasus URL not found")
	}
	modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
	if res.Seen != 6 || len(res.Timeline) != 6 || len(res.Alerts) != 1 || len(res.Errors) != 0 {
		t.Errorf("seen %d, events %d, alerts %d, errors %v", res.Seen, len(res.Timeline), len(res.Alerts), res.Errors)
	}
	// The older iTunes Store cache has no partition column: a note, not a failure.
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "partition") {
		t.Errorf("notes %v", res.Notes)
	}
}

func TestCacheFilesCorruptAndMissing(t *testing.T) {
	fs := cacheFilesDump(t)
	fs[iosdata.CacheStorePath] = []byte("SQLite format 3\x00 but then nothing useful at all, truncated")
	noTable := iosdata.BuildDB([]string{"CREATE TABLE other(x)"}, nil)
	fs["private/var/root/Library/Caches/com.apple.nsurlsessiond/Cache.db"] = noTable
	res, err := modtest.Run(t, cachefiles.New(), acquisition.IOSFilesystem, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "com.apple.itunesstored/Cache.db") {
		t.Fatalf("errors %v", res.Errors)
	}
	if res.Seen != 4 || !modtest.HasAlert(res, model.Critical, true, iosdata.PegasusSubdomain2) {
		t.Errorf("the readable cache was not read: seen %d", res.Seen)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "no table cfurl_cache_response") {
		t.Errorf("notes %v", res.Notes)
	}
	_, err = modtest.Run(t, cachefiles.New(), acquisition.IOSFilesystem, map[string][]byte{"private/var/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestCacheFilesParseTime(t *testing.T) {
	if got := cachefiles.ParseTime("2021-07-12 09:37:00"); got.Format("2006-01-02T15:04:05Z07:00") != "2021-07-12T09:37:00Z" {
		t.Errorf("got %v", got)
	}
	if !cachefiles.ParseTime("yesterday").IsZero() {
		t.Error("garbage parsed")
	}
}

// A Cache.db outside the usual containers (an app group's, here) is read
// too: MVT walks the whole dump for Cache.db files.
func TestCacheFilesAnyLocation(t *testing.T) {
	fs := cacheFilesDump(t)
	moved := "private/var/mobile/Containers/Shared/AppGroup/0C6B5F6E-1A2B-4C3D-8E9F-000000000001/Library/Caches/com.example.share/Cache.db"
	fs[moved] = fs[iosdata.CacheSafariPath]
	delete(fs, iosdata.CacheSafariPath)
	res, err := modtest.Run(t, cachefiles.New(), acquisition.IOSFilesystem, fs)
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantFiles(t, res, iosdata.CacheStorePath, moved)
	if res.Seen != 6 || !modtest.HasAlert(res, model.Critical, true, iosdata.PegasusSubdomain2) {
		t.Errorf("seen %d, alerts %d", res.Seen, len(res.Alerts))
	}
}
