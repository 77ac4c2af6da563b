// Package aqfprocesses owns the androidqf processes module: the processes
// running at acquisition, from every listing androidqf and MVT-era tools
// have written:
//
//   - processes.txt: `ps -A` output (androidqf without its collector, and
//     the Bugbane app), with or without the LABEL column of `ps -A -Z`;
//   - ps.txt: the same from androidqf before 2023 (the only file MVT reads),
//     and from Android 7 and older the toolbox `ps` (VSIZE and PC columns,
//     names that are paths);
//   - processes.json from androidqf's Go collector: the name in "filename"
//     wrapped in parentheses as /proc/<pid>/stat gives it (and cut to 15
//     bytes by the kernel), "path" empty, "context", "command_line" a list;
//   - processes.json from the 2025 Rust collector: the name without
//     parentheses, "path" the executable.
//
// Every name a process is known by is checked: the name, the base name of
// its executable path and of its command line's first word, against app-id
// indicators (an indicator package is running) and process indicators; the
// executable path and the command line's first word against path
// indicators.
package aqfprocesses

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/pslist"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_processes"

// Candidates are the files read; every one present is read.
var Candidates = []string{"processes.txt", "processes.json", "ps.txt"}

// MaxSize bounds the file read (a variable only so that tests can lower it).
var MaxSize = 64 << 20

// Module is the androidqf processes module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 2, module.Kinds(acquisition.AndroidQF))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	found := false
	for _, name := range Candidates {
		if err := ctx.Err(); err != nil {
			return err
		}
		ps, err := read(in.Acq.FS, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		found = true
		rec.File(name)
		if err != nil {
			rec.FileError(name, err)
			continue
		}
		for _, p := range ps {
			pslist.Report(rec, name, p)
		}
	}
	if !found {
		return module.ErrNotFound
	}
	return nil
}

// read parses one listing, JSON or ps text by its first character.
func read(fsys fs.FS, name string) ([]pslist.Process, error) {
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(MaxSize)+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxSize)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		ps, err := pslist.ParseJSON(t)
		if err != nil {
			return nil, fmt.Errorf("%s: malformed JSON: %w", name, err)
		}
		return ps, nil
	}
	return pslist.ParsePS(b), nil
}
