package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/scan"
)

func TestModulesList(t *testing.T) {
	code, out, _ := run(t, "modules", "list")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(scan.Modules())+1 {
		t.Errorf("%d lines for %d modules", len(lines), len(scan.Modules()))
	}
	for _, want := range []string{"sms  ", "ios-backup, ios-backup-encrypted, ios-filesystem", "network_dns", "pcap", "aqf_packages", "androidqf"} {
		if !strings.Contains(out, want) {
			t.Errorf("modules list lacks %q:\n%s", want, out)
		}
	}
}

// TestScanSelectedModules: --modules runs only the named modules; an
// unknown name is a usage error that names it, before anything is written.
func TestScanSelectedModules(t *testing.T) {
	isolate(t)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, "scan", "-q", "--modules", "sms,safari_history", "--output", out, "../../demo/ios-backup")
	if code != ExitAlerts {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	r, _, err := output.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	for _, m := range r.Modules {
		ran = append(ran, m.Module)
	}
	if strings.Join(ran, ",") != "safari_history,sms" && strings.Join(ran, ",") != "sms,safari_history" {
		t.Errorf("modules run: %v", ran)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	code, _, stderr = run(t, "scan", "-q", "--modules", "sms,no_such_module", "--output", bad, "../../demo/ios-backup")
	if code != ExitUsage || !strings.Contains(stderr, "no_such_module") || !strings.Contains(stderr, "modules list") {
		t.Errorf("unknown module: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a refused scan wrote %s", bad)
	}
}
