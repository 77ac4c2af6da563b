package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
)

// demoInputs lists every bundled demo input (README's main job).
func demoInputs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("../../demo")
	if err != nil {
		t.Fatalf("demo data missing: %v", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") || strings.Contains(e.Name(), "encrypted") {
			continue
		}
		out = append(out, filepath.Join("../../demo", e.Name()))
	}
	sort.Strings(out)
	return out
}

// TestDemoCase scans all demo inputs as one case, twice: the planted traces
// are found, every input is recognised, and the two result folders are
// byte-identical apart from info.json's generated_at.
func TestDemoCase(t *testing.T) {
	isolate(t)
	inputs := demoInputs(t)
	if len(inputs) < 2 {
		t.Fatalf("want several demo inputs, got %v", inputs)
	}
	var outs []string
	out := filepath.Join(t.TempDir(), "out") // same path both times: it is in the command line
	for i := 0; i < 2; i++ {
		args := append([]string{"scan", "--case", "demo", "--lang", "en", "--output", out}, inputs...)
		code, stdout, stderr := run(t, args...)
		if code != ExitAlerts {
			t.Fatalf("exit %d, want 1 (planted traces)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "verdict: detected") || strings.Contains(stdout, "input not read") {
			t.Fatalf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
		// The module table, a blank line, then at most five lines ending
		// with the exit code's meaning.
		_, end, _ := strings.Cut(stdout, "\n\n")
		lines := strings.Split(strings.TrimRight(end, "\n"), "\n")
		if len(lines) > maxEndingLines || !strings.Contains(end, filepath.Join(out, "report.html")) ||
			!strings.HasPrefix(lines[len(lines)-1], "Exit code 1:") || !strings.Contains(end, "Mercenary spyware: Pegasus") {
			t.Errorf("ending of %d lines:\n%s", len(lines), end)
		}
		kept := out + "-run" + string(rune('1'+i))
		if err := os.Rename(out, kept); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, kept)
	}
	var info struct {
		Inputs []struct{ Path, Kind, Error string } `json:"inputs"`
	}
	b, err := os.ReadFile(filepath.Join(outs[0], "info.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	for _, in := range info.Inputs {
		if in.Kind == "" || in.Error != "" {
			t.Errorf("input %s: kind %q error %q", in.Path, in.Kind, in.Error)
		}
	}
	compareFolders(t, outs[0], outs[1])
	moduleGolden(t, outs[0])
}

// moduleGolden compares, for the demo case, each module's status and its
// alerts by level with testdata/demo-modules.golden: a module that stops
// running, stops finding a planted trace or starts alerting on a clean
// look-alike changes it.
func moduleGolden(t *testing.T, dir string) {
	t.Helper()
	r, _, err := output.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ input, module string }
	levels := map[key]map[model.Level]int{}
	for _, a := range r.Alerts {
		k := key{filepath.Base(a.Input), a.Module}
		if levels[k] == nil {
			levels[k] = map[model.Level]int{}
		}
		levels[k][a.Level]++
	}
	var lines []string
	for _, m := range r.Modules {
		k := key{filepath.Base(m.Input), m.Module}
		c := levels[k]
		lines = append(lines, fmt.Sprintf("%-22s %-34s %-7s alerts %3d: %d critical, %d high, %d medium, %d low, %d info",
			k.input, k.module, m.Status, len(m.Alerts), c[model.Critical], c[model.High], c[model.Medium], c[model.Low], c[model.Info]))
		delete(levels, k)
	}
	for k := range levels {
		t.Errorf("alerts of %s on %s, a module with no result", k.module, k.input)
	}
	sort.Strings(lines)
	golden.Check(t, filepath.Join("testdata", "demo-modules.golden"), []byte(strings.Join(lines, "\n")+"\n"))
}

func compareFolders(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s missing from the second run", rel)
			return nil
		}
		if rel == "info.json" || rel == "report.html" {
			x, y = dropGenerated(x), dropGenerated(y)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs of the same scan", rel)
		}
		n++
		return nil
	})
	if n < 8 {
		t.Errorf("only %d result files", n)
	}
}

// dropGenerated removes the lines that carry the generation time.
func dropGenerated(b []byte) []byte {
	var keep [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(l, []byte("generated_at")) && !bytes.Contains(l, []byte("Generated ")) && !bytes.Contains(l, []byte("Généré")) {
			keep = append(keep, l)
		}
	}
	return bytes.Join(keep, []byte("\n"))
}
