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

// TestInterrupt: Ctrl-C while deriving the key of an encrypted backup
// whose keybag asks for 12 million rounds (2 s here), or while inflating
// a 250 MB dump .tar.gz, stops the scan within a second, says
// "interrupted, nothing written", exits 2, writes no result folder and
// leaves no temp file; the evidence is not blamed.
func TestInterrupt(t *testing.T) {
	isolate(t)
	cases := []struct {
		name  string
		build func(t *testing.T, dir string) []string
		// busy reports that the scan is at the slow step (given TMPDIR)
		busy func(tmp string) bool
	}{
		{"during key derivation", func(t *testing.T, dir string) []string {
			t.Setenv("SPYSCAN_BACKUP_PASSWORD", hostile.Password)
			ins, _ := iosEncrypted(t, dir)
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
			return ins
		}, nil},
		{"while inflating a dump", func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "dump.tar.gz")
			write(t, p, hostile.DumpTarGzBomb(250<<20)) // under the ratio limit's 256 MiB floor: inflated to its end if not stopped
			return []string{p}
		}, func(tmp string) bool { // the inflated copy has begun
			m, _ := filepath.Glob(filepath.Join(tmp, "*", "archive-*", "inflated.tar"))
			m2, _ := filepath.Glob(filepath.Join(tmp, "archive-*", "inflated.tar"))
			for _, p := range append(m, m2...) {
				if st, err := os.Stat(p); err == nil && st.Size() > 0 {
					return true
				}
			}
			return false
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			dir := t.TempDir()
			ins := c.build(t, filepath.Join(dir, "in"))
			before := snapshot(t, ins)
			out := filepath.Join(dir, "out")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr strings.Builder
			done := make(chan int, 1)
			go func() {
				done <- Run(ctx, append([]string{"scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", writePlanted(t, dir), "--output", out}, ins...),
					strings.NewReader(""), &stdout, &stderr)
			}()
			if c.busy == nil {
				time.Sleep(300 * time.Millisecond)
			}
			// Reaching the slow step is not what is timed (a loaded machine
			// can take long to start the scan): wait for it as long as the
			// scan runs, with a safety net far above any load.
			for deadline := time.Now().Add(3 * time.Minute); c.busy != nil && !c.busy(tmp); time.Sleep(5 * time.Millisecond) {
				select {
				case code := <-done:
					t.Fatalf("the scan ended (exit %d) before reaching the slow step; stderr %q", code, stderr.String())
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("the scan never reached the slow step")
				}
			}
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
		})
	}
}
