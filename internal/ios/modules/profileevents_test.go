package modules_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/profileevents"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestProfileEvents(t *testing.T) {
	t0 := time.Date(2022, 3, 4, 5, 6, 7, 0, time.UTC)
	data := iosgen.ProfileEvents([]iosgen.ProfileEvent{
		{ProfileID: "76DAB334-7E17-475D-A5D6-0794EB5818A5", Operation: "install", Process: "MobileSafari", Time: t0},
		{ProfileID: "org.example.corp", Operation: "install", Process: "bh", Time: t0.Add(time.Minute)},
		{ProfileID: "org.example.wifi", Operation: "remove", Process: "Preferences", Time: t0.Add(time.Hour)},
	})
	p := filepath.Join(t.TempDir(), "b")
	err := iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: []iosgen.File{
		{Domain: iosgen.ProfilesDomain, RelativePath: iosgen.ProfilesRelDir + "/MCProfileEvents.plist", Data: data}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := modtest.RunAcq(t, profileevents.New(), modtest.OpenIOS(t, p, acquisition.IOSBackup, acquisition.Options{}), modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	levels := map[model.Level]int{}
	for _, a := range res.Alerts {
		levels[a.Level]++
	}
	if levels[model.Critical] != 2 || levels[model.Low] != 1 || res.Seen != 3 || len(res.Timeline) != 3 {
		t.Errorf("levels %v seen %d events %d", levels, res.Seen, len(res.Timeline))
	}
	modtest.Golden(t, "profileevents", res)
}

func FuzzProfileEventsParse(f *testing.F) {
	f.Add(iosgen.ProfileEvents([]iosgen.ProfileEvent{{ProfileID: "x", Operation: "install", Process: "p", Time: time.Unix(0, 0)}}))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = profileevents.Parse(b) })
}
