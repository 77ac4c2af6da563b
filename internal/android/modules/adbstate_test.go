package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/adbstate"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestADBStateGolden(t *testing.T) {
	modtest.GoldenCases(t, adbstate.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Low, false, "user@unknown-pc") {
			t.Error("unknown computer not flagged")
		}
		modtest.NoAlertMentions(t, res, "analyst@forensics-laptop")
		if len(res.Records) != 2 || len(res.Timeline) != 2 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestADBStateNoHostKnown(t *testing.T) {
	files := map[string][]byte{"dumpsys.txt": []byte("DUMP OF SERVICE adb:\n{\n  debugging_manager={\n    user_keys=" +
		androiddata.HostADBKey + "\n\n  }\n}\n--------- 0.001s was the duration of dumpsys adb, ending at: 2024-03-21 11:07:22\n")}
	res, err := modtest.Run(t, adbstate.New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != 1 || res.Alerts[0].Level != model.Info {
		t.Fatalf("%+v", res.Alerts)
	}
}

func TestADBStateCut(t *testing.T) {
	modtest.CutSection(t, adbstate.New(), "DUMP OF SERVICE adb:", "{\n  debugging_manager={\n    user_keys=QUJD user@x\n")
}

func FuzzADBStateParser(f *testing.F) {
	f.Add("    last_key_received=AA\n    user_keys=QUJD a@b\nQUJE c@d\n\n    <adbKey key=\"QUJD a@b\" lastConnection=\"1628501829898\" />\n")
	f.Add("user_keys=\n!!!\nkeystore=ABX\x00\x01<adbKey key=\"\" lastConnection=\"99999999999999999999\"")
	f.Fuzz(func(t *testing.T, s string) {
		var p adbstate.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, k := range p.Keys {
			if k.Valid != (k.Fingerprint != "") {
				t.Fatal(k)
			}
		}
	})
}

// The multi-line user_keys value ends where the dump's structure resumes
// (MVT #842): only key lines are keys, whatever follows them.
func TestADBStateUserKeysEnd(t *testing.T) {
	host, _, _ := strings.Cut(androiddata.HostADBKey, " ")
	other, _, _ := strings.Cut(androiddata.UnknownADBKey, " ")
	cases := []struct {
		name  string
		after string // lines right after the two key lines
	}{
		{"empty line", "\n    connected_to_adb=true\n"},
		{"name=value", "    connected_to_adb=true\n    tls_port=0\n"},
		{"nested block", "    adb_wifi={\n      enabled=false\n    }\n"},
		{"empty value", "    system_keys=\n    keystore=\n"},
		{"empty value that is base64", "    abcd=\n    true\n"},
		{"closing brace", "}\nother={\n  value=true\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p adbstate.Parser
			text := "debugging_manager={\n    user_keys=" + androiddata.HostADBKey + "\n" + androiddata.UnknownADBKey + "\n" + c.after
			for _, l := range strings.Split(text, "\n") {
				p.Line(l)
			}
			if len(p.Keys) != 2 || p.Keys[0].Key != host || p.Keys[1].Key != other {
				t.Fatalf("keys %+v", p.Keys)
			}
			for _, k := range p.Keys {
				if !k.Valid || k.User == "" {
					t.Errorf("key %+v", k)
				}
			}
		})
	}
}
