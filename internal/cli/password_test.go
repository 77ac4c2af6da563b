package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordFileLimit: a password file of MaxPasswordFile bytes is read,
// one byte more is refused, and /dev/zero is refused without reading it
// all.
func TestPasswordFileLimit(t *testing.T) {
	dir := t.TempDir()
	at := filepath.Join(dir, "at")
	over := filepath.Join(dir, "over")
	os.WriteFile(at, []byte(strings.Repeat("p", MaxPasswordFile)), 0o600)
	os.WriteFile(over, []byte(strings.Repeat("p", MaxPasswordFile+1)), 0o600)
	a := &app{getenv: func(string) string { return "" }}
	if pw, err := a.readPassword(at, "backup"); err != nil || len(pw) != MaxPasswordFile {
		t.Errorf("at the limit: %d bytes, %v", len(pw), err)
	}
	if _, err := a.readPassword(over, "backup"); err == nil || !strings.Contains(err.Error(), "not a password file") || !strings.Contains(err.Error(), over) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := a.readPassword("/dev/zero", "backup"); err == nil || !strings.Contains(err.Error(), "not a password file") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
}
