package hostile

import (
	"fmt"
	"os"
	"path/filepath"
)

// The exit codes a scan must give (the contract internal/cli's ExitCode
// implements; the end-to-end test checks the two agree).
const (
	ExitClean        = 0 // no known traces, everything read
	ExitTraces       = 1 // traces at or above --fail-level
	ExitError        = 2 // an error stopped the scan before results
	ExitInconclusive = 3 // the scan completed but something was not read
)

// Case is one hostile input (or set of inputs) and the outcome a scan of
// it must give.
type Case struct {
	Name  string
	Class string // the attack: "plist-depth", "sqlite-view", "archive-entry"...
	// build writes the inputs under dir and returns them, and the file the
	// error must name: an input, or the base name of a file inside one.
	build func(dir string) (inputs []string, named string)
	// named, when set, is the file to name instead of build's.
	named string
	// Env is set for the scan (e.g. SPYSCAN_BACKUP_PASSWORD).
	Env map[string]string
	// Flags returns more command-line flags; it may write files in dir.
	Flags func(dir string) []string
	// Code is the exit code the scan must give.
	Code int
	// Ran: the scan completed and wrote results in which the failure is
	// listed naming the file; else nothing may be written and the one
	// error line names the file.
	Ran bool
	// Err is a substring of the error (the error line or the report entry).
	Err string
	// Unseen: nothing is listed as unreadable, because the input is read
	// in full (misleading text) or the damage is invisible to a correct
	// reader (SQLite reads a -wal whose header is invalid as empty); the
	// case checks the scan goes on and the evidence is unchanged.
	Unseen bool
	// WithClean scans a clean capture (CleanCapture) next to the hostile
	// input: its modules must complete, showing the rest of the scan goes on.
	WithClean bool
	// Check, when set, makes more assertions on the result folder.
	Check func(out string) error
}

// Build writes the case's inputs under dir. A generator that fails to
// write (a full disk) is reported as an error.
func (c Case) Build(dir string) (inputs []string, named string, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(genError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s: %w", c.Name, e.err)
		}
	}()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	inputs, named = c.build(dir)
	if c.named != "" {
		named = c.named
	}
	return inputs, named, nil
}

// genError carries a generator's I/O failure to Build.
type genError struct{ err error }

// check stops a generator on an I/O error (Build returns it).
func check(err error) {
	if err != nil {
		panic(genError{err})
	}
}

// writeFile writes b at p, creating its folder.
func writeFile(p string, b []byte) {
	check(os.MkdirAll(filepath.Dir(p), 0o755))
	check(os.WriteFile(p, b, 0o644))
}

func readFile(p string) []byte {
	b, err := os.ReadFile(p)
	check(err)
	return b
}

// Corpus returns every hostile case. demo is the repository's demo/
// folder (some cases damage a copy of a demo input).
func Corpus(demo string) []Case {
	var cs []Case
	for _, f := range []func(string) []Case{damagedInputs, iosArtifacts, misleadingText, archives, links, passwords, network, android} {
		cs = append(cs, f(demo)...)
	}
	return cs
}
