package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// passwordSource returns the acquisition.Options password function shared
// by every command that opens encrypted inputs. In order: --password-file,
// the SPYSCAN_BACKUP_PASSWORD environment variable, a no-echo prompt on the
// terminal when stdin is one; else an error saying how to give it. The
// password is asked at most once per command and never logged.
func (a *app) passwordSource(passwordFile string) func(ctx context.Context, path string) (string, error) {
	var once sync.Once
	var pw string
	var err error
	return func(_ context.Context, path string) (string, error) {
		once.Do(func() { pw, err = a.readPassword(passwordFile, path) })
		return pw, err
	}
}

// MaxPasswordFile is the largest --password-file read (a longer file is
// not a password, and /dev/zero must not exhaust memory).
const MaxPasswordFile = 4096

func (a *app) readPassword(passwordFile, path string) (string, error) {
	if passwordFile != "" {
		b, err := readSmall(passwordFile, MaxPasswordFile)
		if err != nil {
			return "", fmt.Errorf("%w: --password-file: %w", ErrUsage, err)
		}
		p := strings.TrimRight(string(b), "\r\n")
		if p == "" {
			return "", fmt.Errorf("%w: --password-file %s is empty", ErrUsage, passwordFile)
		}
		return p, nil
	}
	if p := a.getenv("SPYSCAN_BACKUP_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(a.stderr, "Password for %s: ", path)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if len(b) == 0 {
			return "", errors.Join(acquisition.ErrNeedPassword, fmt.Errorf("%s: empty password", path))
		}
		return string(b), nil
	}
	return "", fmt.Errorf("%w: %s is encrypted; give its password at the prompt (run in a terminal), in SPYSCAN_BACKUP_PASSWORD, or with --password-file FILE",
		acquisition.ErrNeedPassword, path)
}

// readSmall reads at most limit bytes of p (a file, or a pipe such as
// <(echo pw)) and refuses anything longer.
func readSmall(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: longer than %d bytes: not a password file", p, limit)
	}
	return b, nil
}
