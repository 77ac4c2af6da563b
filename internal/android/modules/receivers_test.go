package modules_test

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/receivers"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestReceiversGolden(t *testing.T) {
	modtest.GoldenCases(t, receivers.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware receiver not detected")
		}
		if !modtest.HasAlert(res, model.Info, false, "com.google.android.apps.messaging") {
			t.Error("SMS receiver heuristic missing")
		}
		if len(res.Records) != 4 {
			t.Errorf("%d records", len(res.Records))
		}
	})
}

func TestReceiversCut(t *testing.T) {
	modtest.CutSection(t, receivers.New(), "DUMP OF SERVICE package:", "Receiver Resolver Table:\n  Non-Data Actions:\n")
}

// A receiver registered only under a MIME type or a scheme (a data SMS
// arrives as an "sms" scheme intent) is listed under that category of the
// table, not under "Non-Data Actions": its package is still checked. The
// SMS heuristic is kept for the categories keyed by an action.
func TestEveryCategoryChecked(t *testing.T) {
	dump := "== dumpstate: 2024-05-20 14:03:11\nDUMP OF SERVICE package:\nReceiver Resolver Table:\n" +
		"  Full MIME Types:\n      application/vnd.wap.mms-message:\n        1a2b3c4 com.example.mms/.PushReceiver\n\n" +
		"  Schemes:\n      sms:\n        5d6e7f8 " + androiddata.StalkerAppID + "/.DataSmsReceiver\n\n" +
		"  Non-Data Actions:\n      android.intent.action.BOOT_COMPLETED:\n        9a0b1c2 com.example.boot/.Boot\n\n" +
		"  MIME Typed Actions:\n      android.provider.Telephony.SMS_RECEIVED:\n        3c4d5e6 com.example.sms/.Incoming\n\n" +
		"Key Set Manager:\n  [com.example.boot]\n"
	res, err := modtest.Run(t, receivers.New(), acquisition.AndroidBugreport, map[string][]byte{
		"main_entry.txt": []byte("dumpstate.txt\n"), "dumpstate.txt": []byte(dump)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 4 {
		t.Errorf("%d records, want 4", len(res.Records))
	}
	modtest.WantAlert(t, res, model.Critical, true, androiddata.StalkerAppID)
	modtest.WantAlert(t, res, model.Info, false, "com.example.sms")
	modtest.NoAlertMentions(t, res, "com.example.mms")
}
