package modules_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/configprofiles"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/mvtparity"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var configProfilesT0 = time.Date(2022, 3, 4, 5, 6, 7, 0, time.UTC)

var profiles = []iosgen.Profile{
	{UUID: "76DAB334-7E17-475D-A5D6-0794EB5818A5", Identifier: "com.example.update", DisplayName: "Update", PayloadTypes: []string{"com.apple.notificationsettings"}, Installed: configProfilesT0},
	{UUID: "11111111-2222-3333-4444-555555555555", Identifier: "org.example.corp", DisplayName: "Corp CA", PayloadTypes: []string{"com.apple.security.root", "com.apple.wifi.managed"}, Installed: configProfilesT0.Add(time.Hour)},
	{UUID: "AAAAAAAA-2222-3333-4444-555555555555", Identifier: "org.example.wifi", DisplayName: "Wi-Fi", PayloadTypes: []string{"com.apple.wifi.managed"}, Installed: configProfilesT0.Add(2 * time.Hour)},
}

func configProfilesFiles(dump bool) []iosgen.File {
	var out []iosgen.File
	for i, p := range profiles {
		name := "profile-" + string(rune('a'+i)) + "0f1e2d.stub"
		f := iosgen.File{Data: iosgen.ProfileStub(p)}
		if dump {
			f.Path = iosgen.ProfilesDumpDir + "/" + name
		} else {
			f.Domain, f.RelativePath = iosgen.ProfilesDomain, iosgen.ProfilesRelDir+"/"+name
		}
		out = append(out, f)
	}
	return out
}

func TestConfigProfiles(t *testing.T) {
	for _, dump := range []bool{false, true} {
		p := filepath.Join(t.TempDir(), "in")
		var err error
		kind := acquisition.IOSBackup
		if dump {
			kind = acquisition.IOSFilesystem
			err = iosgen.WriteDump(p, iosgen.DumpSpec{Files: configProfilesFiles(true), Format: iosgen.DumpTar})
		} else {
			err = iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: configProfilesFiles(false)})
		}
		if err != nil {
			t.Fatal(err)
		}
		res, err := modtest.RunAcq(t, configprofiles.New(), modtest.OpenIOS(t, p, kind, acquisition.Options{}), modtest.SmallIndex(t))
		if err != nil {
			t.Fatal(err)
		}
		levels := map[model.Level]int{}
		for _, a := range res.Alerts {
			levels[a.Level]++
		}
		// malicious UUID: CRITICAL (and no heuristic on top); root CA: LOW; Wi-Fi only: nothing.
		if levels[model.Critical] != 1 || levels[model.Low] != 1 || len(res.Alerts) != 2 || res.Seen != 3 || len(res.Timeline) != 3 {
			t.Errorf("dump=%v: levels %v, seen %d, events %d", dump, levels, res.Seen, len(res.Timeline))
		}
		// MVT's file_id: the backup's id of the stub (Manifest.db's
		// fileID); a dump has none.
		for _, r := range res.Records {
			var m map[string]any
			if err := json.Unmarshal(r, &m); err != nil {
				t.Fatal(err)
			}
			p, _ := m["path"].(string)
			domain, rel, _ := strings.Cut(p, "/")
			if id, ok := m["file_id"]; dump && ok || !dump && id != iosgen.FileID(domain, rel) {
				t.Errorf("dump=%v: %s: file_id %v", dump, p, id)
			}
		}
		if !dump {
			modtest.WantMVTKeys(t, res, nil, []string{"file_id", "relative_path", "domain", "plist", "install_date"}, mvtparity.Renamed["configuration_profiles"])
			modtest.Golden(t, "configprofiles", res)
		}
	}
}
