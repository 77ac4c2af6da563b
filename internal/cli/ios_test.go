package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func encryptedBackup(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "enc")
	err := iosgen.WriteBackup(context.Background(), dir, iosgen.BackupSpec{Password: "open sesame",
		Files: []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/Notes/hello.txt", Data: []byte("hello")}}})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestIOSDecrypt(t *testing.T) {
	isolate(t)
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "")
	enc := encryptedBackup(t)
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("open sesame\n"), 0o600)
	badFile := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(badFile, []byte("nope\n"), 0o600)
	out := filepath.Join(t.TempDir(), "out")

	code, _, stderr := run(t, "ios", "decrypt", "--output", out, "--password-file", badFile, enc)
	if code != ExitUsage || !strings.Contains(stderr, "wrong password") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("wrong password: code %d stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written on wrong password: %v", err)
	}
	code, _, stderr = run(t, "ios", "decrypt", "--output", out, enc)
	if code != ExitUsage || !strings.Contains(stderr, "SPYSCAN_BACKUP_PASSWORD") || !strings.Contains(stderr, "--password-file") {
		t.Errorf("no password: code %d stderr %q", code, stderr)
	}
	code, stdout, stderr := run(t, "ios", "decrypt", "--output", out, "--password-file", pwFile, enc)
	if code != ExitOK || !strings.Contains(stdout, "decrypted 1 files") {
		t.Fatalf("decrypt: code %d out %q err %q", code, stdout, stderr)
	}
	id := iosgen.FileID("HomeDomain", "Library/Notes/hello.txt")
	if b, err := os.ReadFile(filepath.Join(out, id[:2], id)); err != nil || string(b) != "hello" {
		t.Errorf("decrypted file: %q, %v", b, err)
	}
	// The copy scans as a plain backup.
	res := filepath.Join(t.TempDir(), "res")
	code, stdout, stderr = run(t, "scan", "--output", res, out)
	if code == ExitUsage {
		t.Fatalf("scan of decrypted copy: code %d out %q err %q", code, stdout, stderr)
	}
	info, err := os.ReadFile(filepath.Join(res, "info.json"))
	if err != nil || !strings.Contains(string(info), `"ios-backup"`) || strings.Contains(string(info), "open sesame") {
		t.Errorf("info.json: %v\n%s", err, info)
	}
	// Scanning the encrypted backup with the env password works and the password is not stored.
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "open sesame")
	res2 := filepath.Join(t.TempDir(), "res2")
	code, _, stderr = run(t, "scan", "--output", res2, enc)
	if code == ExitUsage {
		t.Fatalf("scan encrypted: %q", stderr)
	}
	info, _ = os.ReadFile(filepath.Join(res2, "info.json"))
	if !strings.Contains(string(info), `"ios-backup-encrypted"`) || strings.Contains(string(info), "open sesame") {
		t.Errorf("info.json:\n%s", info)
	}
}
