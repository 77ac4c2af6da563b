// Package golden owns the golden files of the tests: Check compares what a
// test produced with a file under the package's testdata/ folder, and
// `go test -update` rewrites the files instead (the one -update flag of the
// repository, so a test binary may use any number of harnesses). Values
// that differ from run to run (generation times, temporary paths, the
// tool's version) are replaced by placeholders first, with Redactions.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// A Redaction replaces what varies between runs by a stable placeholder.
type Redaction func([]byte) []byte

// Replace redacts every occurrence of old (and of its JSON-escaped form)
// with placeholder.
func Replace(old, placeholder string) Redaction {
	esc, _ := json.Marshal(old)
	escaped := string(esc[1 : len(esc)-1])
	return func(b []byte) []byte {
		if old == "" {
			return b
		}
		b = bytes.ReplaceAll(b, []byte(old), []byte(placeholder))
		if escaped != old {
			b = bytes.ReplaceAll(b, []byte(escaped), []byte(placeholder))
		}
		return b
	}
}

// Pattern redacts every match of the regular expression re with
// placeholder (which may use $1-style references).
func Pattern(re *regexp.Regexp, placeholder string) Redaction {
	return func(b []byte) []byte { return re.ReplaceAll(b, []byte(placeholder)) }
}

// TempDir redacts a temporary folder (as written natively and with forward
// slashes) as "<TMP>".
func TempDir(dir string) Redaction {
	a, b := Replace(dir, "<TMP>"), Replace(filepath.ToSlash(dir), "<TMP>")
	return func(x []byte) []byte { return b(a(x)) }
}

// Version redacts the tool's version string v as "<VERSION>".
func Version(v string) Redaction { return Replace(v, "<VERSION>") }

var rfc3339 = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)

// Times redacts every RFC 3339 time as "<TIME>". Use it only where every
// time is the clock's (a generation time), never on evidence times.
func Times() Redaction { return Pattern(rfc3339, "<TIME>") }

// Check compares got, redacted, with the golden file at path (relative to
// the test's package folder, normally "testdata/..."). With -update it
// writes the file instead, creating its folder; a failed write fails the
// test.
func Check(t testing.TB, path string, got []byte, redact ...Redaction) {
	t.Helper()
	for _, r := range redact {
		got = r(got)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff with git diff):\n%s", path, Diff(want, got))
	}
}

// JSON compares v, encoded as indented JSON with a final newline, with the
// golden file at path (see Check).
func JSON(t testing.TB, path string, v any, redact ...Redaction) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	Check(t, path, append(b, '\n'), redact...)
}

// Diff describes the first difference between want and got: its line
// number and a few lines of each around it.
func Diff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "first difference at line %d (golden %d lines, got %d lines)\n", i+1, len(w), len(g))
	lines := func(label string, l []string) {
		for j := max(i-2, 0); j < min(i+3, len(l)); j++ {
			mark := " "
			if j == i {
				mark = ">"
			}
			fmt.Fprintf(&sb, "%s %s %4d | %s\n", label, mark, j+1, clip(l[j]))
		}
	}
	lines("golden", w)
	lines("got   ", g)
	return sb.String()
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
