package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/hostile"
)

// TestInterruptDuringKeyDerivation: Ctrl-C while deriving the key of an
// encrypted backup whose keybag asks for 12 million rounds (2 s here)
// stops the scan within a second, says "interrupted, nothing written",
// exits 2, writes no result folder and leaves no temp file; the evidence
// is not blamed.
func TestInterruptDuringKeyDerivation(t *testing.T) {
	isolate(t)
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "right-password")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	ins, _ := iosEncrypted(t, filepath.Join(dir, "in"))
	mp := filepath.Join(ins[0], "Manifest.plist")
	b, err := os.ReadFile(mp)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := hostile.SlowKeybag(b, 12_000_000) // about 2 s of derivation (17 s for the 100 million a keybag may ask)
	if err != nil {
		t.Fatal(err)
	}
	write(t, mp, slow)
	before := snapshot(t, ins)
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", writePlanted(t, dir), "--output", out, ins[0]},
			strings.NewReader(""), &stdout, &stderr)
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	stopped := time.Now()
	var code int
	select {
	case code = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5 s after the interruption")
	}
	if took := time.Since(stopped); took > time.Second {
		t.Errorf("stopped %v after the interruption, want within a second", took)
	}
	if code != ExitUsage || strings.TrimSpace(stderr.String()) != "spyscan: interrupted, nothing written" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("result folder written: %v", err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("temp files left: %v", ents)
	}
	if !equalSnap(before, snapshot(t, ins)) {
		t.Error("evidence changed")
	}
}
