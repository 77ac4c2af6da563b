package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/shortcuts"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestShortcutsGolden(t *testing.T) {
	modtest.GoldenLayouts(t, shortcuts.New(), iosdata.Shortcuts(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen != 2 || len(res.Alerts) != 1 || len(res.Timeline) != 4 {
			t.Errorf("seen %d alerts %d events %d", res.Seen, len(res.Alerts), len(res.Timeline))
		}
	})
}

func TestShortcutsCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, shortcuts.New(), iosdata.Shortcuts())
}

func FuzzShortcutsParseActions(f *testing.F) {
	f.Add(iosdata.Plist([]any{map[string]any{"WFWorkflowActionIdentifier": "x", "WFWorkflowActionParameters": map[string]any{"u": "https://a.com", "n": []any{"www.b.org"}}}}))
	f.Add([]byte("bplist00\xd0\x08"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _, _ = shortcuts.ParseActions(b) })
}
