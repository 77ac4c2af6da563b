package modules_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/modules/globalpreferences"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestGlobalPreferencesGolden(t *testing.T) {
	modtest.GoldenLayouts(t, globalpreferences.New(), iosdata.GlobalPreferences(iosdata.LockdownOff), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if res.Seen != 12 || len(res.Alerts) != 1 || res.Alerts[0].Level != model.Low || len(res.Errors) != 0 {
			t.Errorf("seen %d, alerts %+v, errors %v", res.Seen, res.Alerts, res.Errors)
		}
	})
}

func TestGlobalPreferencesLockdownStates(t *testing.T) {
	for _, c := range []struct {
		state  int
		alerts int
		level  model.Level
		notes  int
	}{
		{iosdata.LockdownOn, 1, model.Info, 0},
		{iosdata.LockdownOff, 1, model.Low, 0},
		{iosdata.LockdownNever, 0, 0, 1},
	} {
		files := iosdata.GlobalPreferences(c.state)
		res, err := modtest.Run(t, globalpreferences.New(), acquisition.IOSBackup, iosdata.BackupFiles(files))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Alerts) != c.alerts || len(res.Notes) != c.notes || (c.alerts == 1 && res.Alerts[0].Level != c.level) {
			t.Errorf("state %d: alerts %+v notes %v", c.state, res.Alerts, res.Notes)
		}
	}
}

func TestGlobalPreferencesBadFiles(t *testing.T) {
	res, err := modtest.Run(t, globalpreferences.New(), acquisition.IOSFilesystem,
		map[string][]byte{"private/var/mobile/Library/Preferences/.GlobalPreferences.plist": []byte("bplist00\x01garbage")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, ".GlobalPreferences.plist") {
		t.Fatalf("errors %v", res.Errors)
	}
	// A 250-byte plist that would expand into 2^40 values is refused at once.
	start := time.Now()
	res, err = modtest.Run(t, globalpreferences.New(), acquisition.IOSBackup,
		map[string][]byte{"HomeDomain/Library/Preferences/.GlobalPreferences.plist": iosdata.PlistBomb(40, false)})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "expands into too many objects") || time.Since(start) > 5*time.Second {
		t.Fatalf("plist bomb: %v %v (%v)", err, res.Errors, time.Since(start))
	}
	_, err = modtest.Run(t, globalpreferences.New(), acquisition.IOSBackup, map[string][]byte{"HomeDomain/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func FuzzGlobalPreferencesParse(f *testing.F) {
	for _, s := range []int{iosdata.LockdownOn, iosdata.LockdownNever} {
		files := iosdata.GlobalPreferences(s)
		f.Add(files[0].Data)
	}
	f.Add([]byte(`<plist><dict><key>a</key><array><dict/></array></dict></plist>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := globalpreferences.Parse(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(iosmod.JSONValue(m)); err != nil {
			t.Fatalf("accepted preferences are not JSON-encodable: %v", err)
		}
	})
}
