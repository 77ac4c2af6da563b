package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeT records failures instead of stopping the test.
type fakeT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.failed = true
	f.msg = format
}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = format
}

func TestCheckAndUpdate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "x.golden")
	old := *update
	defer func() { *update = old }()

	*update = true
	Check(t, p, []byte("a\nb\n"))
	if b, err := os.ReadFile(p); err != nil || string(b) != "a\nb\n" {
		t.Fatalf("update wrote %q, %v", b, err)
	}
	*update = false
	Check(t, p, []byte("a\nb\n")) // equal: passes
	f := &fakeT{TB: t}
	Check(f, p, []byte("a\nc\n"))
	if !f.failed {
		t.Error("a different output passed")
	}
	f = &fakeT{TB: t}
	Check(f, filepath.Join(dir, "missing"), nil)
	if !f.failed || !strings.Contains(f.msg, "-update") {
		t.Errorf("a missing golden file: failed %v, %q", f.failed, f.msg)
	}
	// Under -update, a write that cannot happen fails the test.
	*update = true
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	f = &fakeT{TB: t}
	Check(f, filepath.Join(blocker, "x.golden"), []byte("x"))
	if !f.failed {
		t.Error("a failed write under -update passed")
	}
}

func TestRedactions(t *testing.T) {
	dir := `C:\Temp\spy "1"`
	in := []byte(`{"path":"C:\\Temp\\spy \"1\"\\out","at":"2026-12-01T10:11:12.5+01:00","v":"v1.2.3","t":"2026-12-01 10:11"}` + "\n" + dir)
	out := string(in)
	for _, r := range []Redaction{TempDir(dir), Times(), Version("v1.2.3")} {
		out = string(r([]byte(out)))
	}
	want := `{"path":"<TMP>\\out","at":"<TIME>","v":"<VERSION>","t":"2026-12-01 10:11"}` + "\n<TMP>"
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestDiff(t *testing.T) {
	d := Diff([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"))
	if !strings.Contains(d, "line 2") || !strings.Contains(d, "> ") || !strings.Contains(d, "| B") {
		t.Errorf("diff:\n%s", d)
	}
}
