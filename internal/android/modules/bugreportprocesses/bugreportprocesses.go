// Package bugreportprocesses owns the bugreport processes module: the
// processes and threads running when the bugreport was taken, from the
// dumpstate's PROCESSES AND THREADS block (`ps -A -T -Z -O
// pri,nice,rtprio,sched,pcy,time` since Android 8; `ps -t -p -P` before)
// and, on Android 6 and older, its PROCESSES and PROCESSES (SELINUX LABELS)
// blocks. Every row is kept; each distinct name and executable path is
// checked once (a process's threads carry their own names, which are
// checked too, as MVT does), against app-id, process and path indicators.
package bugreportprocesses

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/android/pslist"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "bugreport_processes"

// Blocks are the dumpstate blocks read.
var Blocks = []string{"PROCESSES AND THREADS", "PROCESSES", "PROCESSES (SELINUX LABELS)"}

// MaxRows bounds the rows kept (a phone runs a few thousand threads).
const MaxRows = 200_000

// Module is the bugreport processes module.
type Module struct {
	dumpmod.Module[*state]
}

// New returns the module. androidqf has its own process listings
// (aqf_processes), so this one reads bugreports only.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.Kinds(acquisition.AndroidBugreport)),
		dumpmod.Sections[*state]{New: newState, Report: report})}
}

// state is what one pass reads.
type state struct {
	table   pslist.Table
	block   *dumpsys.Section
	rows    []pslist.Process
	seen    map[rowKey]bool
	dropped int
}

// rowKey identifies a row across the blocks of an old dumpstate, which list
// the same processes several times.
type rowKey struct {
	pid, tid int64
	name     string
}

func isProcessBlock(s *dumpsys.Section) bool {
	return s.Kind == dumpsys.Block && slices.Contains(Blocks, s.Name)
}

func newState(*module.Input) (*state, dumpmod.Parser) {
	st := &state{seen: map[rowKey]bool{}}
	return st, dumpmod.Parser{Match: isProcessBlock, Line: st.line}
}

func (st *state) line(s *dumpsys.Section, line []byte) {
	if s != st.block {
		st.block = s
		st.table.Reset()
	}
	p, ok := st.table.Line(string(line))
	if !ok {
		return
	}
	k := rowKey{p.PID, p.TID, p.Name}
	if st.seen[k] {
		return
	}
	if len(st.rows) >= MaxRows {
		st.dropped++
		return
	}
	st.seen[k] = true
	st.rows = append(st.rows, p)
}

// report records every row and checks each distinct name and path once
// (an app's processes and threads would otherwise raise one alert each).
func report(ctx context.Context, _ *module.Input, rec *module.Recorder, d dumpmod.Dump, st *state) error {
	if st.dropped > 0 {
		rec.FileError(d.Path, fmt.Errorf("%s: more than %d process rows: %d not read", d.Path, MaxRows, st.dropped))
	}
	checked := map[string]bool{}
	for i, p := range st.rows {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec.Record(p)
		key, _, _ := strings.Cut(p.Name, ":") // "x" and "x:remote" are one app
		for _, x := range p.Paths() {
			key += "\x00" + x
		}
		if !checked[key] {
			checked[key] = true
			pslist.Check(rec, d.Path, p)
		}
	}
	return nil
}
