package modules_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/locationdclients"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestLocationdClientsGolden(t *testing.T) {
	modtest.GoldenLayouts(t, locationdclients.New(), iosdata.LocationdClients(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, `"`+iosdata.PegasusProcess2+`"`) {
			t.Error("planted Pegasus process not found")
		}
		if !modtest.HasAlert(res, model.Medium, false, "/private/var/db/") {
			t.Error("executable in a writable folder not flagged")
		}
		modtest.NoAlertMentions(t, res, iosdata.LookalikeProcess)
		modtest.NoAlertMentions(t, res, "WhatsApp")
		if res.Seen != 5 || len(res.Timeline) != 9 || len(res.Errors) != 0 {
			t.Errorf("seen %d, events %d, errors %v", res.Seen, len(res.Timeline), res.Errors)
		}
	})
}

func TestLocationdClientsBadFiles(t *testing.T) {
	res, err := modtest.Run(t, locationdclients.New(), acquisition.IOSFilesystem,
		map[string][]byte{"private/var/root/Library/Caches/locationd/clients.plist": []byte("<plist><array><string>x</string></array></plist>")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "locationd/clients.plist") {
		t.Fatalf("errors %v", res.Errors)
	}
	_, err = modtest.Run(t, locationdclients.New(), acquisition.IOSBackup, map[string][]byte{"HomeDomain/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestLocationdClientsUnusualLocation(t *testing.T) {
	for p, want := range map[string]bool{
		"/private/var/db/x/y": true, "/var/tmp/z": true, "/usr/libexec/locationd": false,
		"/private/var/containers/Bundle/Application/U/A.app/A": false, "/Applications/Maps.app": false, "": false,
	} {
		if got := locationdclients.UnusualLocation(p); got != want {
			t.Errorf("%q: got %v", p, got)
		}
	}
}

func FuzzLocationdClientsParse(f *testing.F) {
	files := iosdata.LocationdClients()
	f.Add(files[0].Data)
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := locationdclients.Parse(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(recs); err != nil {
			t.Fatalf("records not JSON-encodable: %v", err)
		}
	})
}
