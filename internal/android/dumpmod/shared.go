package dumpmod

import (
	"context"
	"fmt"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/module"
)

// Parser is what one dumpsys module contributes to a pass over the dump:
// the sections it wants and what it does with their lines.
type Parser struct {
	Match func(*dumpsys.Section) bool
	Line  func(s *dumpsys.Section, line []byte)
}

// Dump says what the pass found for one module.
type Dump struct {
	Path  string // the dump read; "" when the acquisition has none
	Found int    // matching sections seen
}

// Sections is how a dumpsys module reads the dump. S is the module's own
// state (its parser, say), made fresh for each pass.
type Sections[S any] struct {
	// New returns a fresh state and the Parser that fills it; in is the
	// input of the module that runs the pass (its TempDir is where a state
	// that grows with the dump spills, as the package list does).
	New func(in *module.Input) (S, Parser)
	// Report records what the state holds once the pass is over. It is
	// called only when a section matched (the module is otherwise "empty"),
	// unless EvenIfAbsent is set; then Report decides, returning
	// module.ErrNotFound when there was nothing to read.
	Report       func(ctx context.Context, in *module.Input, rec *module.Recorder, d Dump, s S) error
	EvenIfAbsent bool
}

// Module is a dumpsys module: a module.Module that reads its Sections on a
// pass of its own over the dump, or on one pass shared with the other
// dumpsys modules when they are built with Shared. A module package embeds
// it and sets it with NewModule.
type Module[S any] struct {
	module.Base
	sections Sections[S]
}

// NewModule returns the dumpsys module with base (name, version, kinds)
// that reads sections.
func NewModule[S any](base module.Base, sections Sections[S]) Module[S] {
	return Module[S]{Base: base, sections: sections}
}

// Run implements module.Module on the module's own pass over the dump.
func (m Module[S]) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	p, r := m.start(in)
	ps, err := runPass(ctx, in, []Parser{p})
	if err != nil {
		return err
	}
	return ps.report(ctx, in, rec, 0, r)
}

// start makes a fresh state and returns its parser and the function that
// reports it after the pass.
func (m Module[S]) start(in *module.Input) (Parser, reporter) {
	st, p := m.sections.New(in)
	return p, func(ctx context.Context, in *module.Input, rec *module.Recorder, d Dump) error {
		if d.Found == 0 && !m.sections.EvenIfAbsent {
			return module.ErrNotFound
		}
		return m.sections.Report(ctx, in, rec, d, st)
	}
}

type reporter func(ctx context.Context, in *module.Input, rec *module.Recorder, d Dump) error

// Spec is a dumpsys module, as Shared takes them: any type embedding a
// Module.
type Spec interface {
	module.Module
	start(in *module.Input) (Parser, reporter)
}

// OnService builds a Parser for one dumpsys service whose parser takes
// string lines.
func OnService(name string, line func(string)) Parser {
	return Parser{Match: dumpsys.IsService(name), Line: func(_ *dumpsys.Section, l []byte) { line(string(l)) }}
}

// outcome is one parser's share of a pass.
type outcome struct {
	found     int
	truncated []*dumpsys.Section
}

// pass is one split of one dump, feeding several parsers.
type pass struct {
	path    string
	readErr error
	out     []outcome
}

// runPass splits the dump of in once and feeds every parser.
func runPass(ctx context.Context, in *module.Input, ps []Parser) (*pass, error) {
	p := &pass{out: make([]outcome, len(ps))}
	path, err := locate.Dump(in.Acq.FS, in.Acq.Kind)
	if err != nil {
		return p, nil // no dump: every module reports ErrNotFound
	}
	p.path = path
	f, err := in.Acq.FS.Open(path)
	if err != nil {
		p.readErr = fmt.Errorf("%s: %w", path, err)
		return p, nil
	}
	defer f.Close()
	// Which parsers want the current section (and its parent block).
	var cur *dumpsys.Section
	want := make([]bool, len(ps))
	wants := func(s *dumpsys.Section) []bool {
		if s == cur {
			return want
		}
		cur = s
		for i := range ps {
			want[i] = dumpsys.Within(s, ps[i].Match)
		}
		return want
	}
	_, err = dumpsys.Split(ctx, f, dumpsys.Visitor{
		Line: func(s *dumpsys.Section, line []byte) error {
			for i, ok := range wants(s) {
				if ok {
					ps[i].Line(s, line)
				}
			}
			return nil
		},
		End: func(s *dumpsys.Section) error {
			for i := range ps {
				if ps[i].Match(s) {
					p.out[i].found++
					if s.Truncated {
						p.out[i].truncated = append(p.out[i].truncated, s)
					}
				}
			}
			return nil
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p.readErr = fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// report hands parser i's share of the pass to its module.
func (p *pass) report(ctx context.Context, in *module.Input, rec *module.Recorder, i int, r reporter) error {
	if p.path != "" {
		rec.File(p.path)
	}
	if p.readErr != nil {
		rec.FileError(p.path, p.readErr)
	}
	for _, t := range p.out[i].truncated {
		rec.FileError(p.path, dumpsys.TruncatedError(p.path, t))
	}
	return r(ctx, in, rec, Dump{Path: p.path, Found: p.out[i].found})
}

// Shared returns the specs as modules that share ONE pass over the dump of
// each acquisition (a module.Pass): the first module to run splits the
// dump and feeds the parser of every spec that applies to it; each module
// then reports its own share.
func Shared(specs ...Spec) []module.Module {
	g := &group{specs: specs}
	out := make([]module.Module, len(specs))
	for i := range specs {
		out[i] = &shared{g: g, i: i}
	}
	return out
}

type group struct {
	specs []Spec
	pass  module.Pass[*groupPass]
}

// groupPass is the shared pass of one acquisition.
type groupPass struct {
	p         *pass
	index     map[int]int // spec index → parser index
	reporters []reporter
}

// share returns the pass of in.Acq (running it if it has not run), and
// spec i's parser index in it and reporter.
func (g *group) share(ctx context.Context, in *module.Input, i int) (*pass, int, reporter, error) {
	users := 0
	for _, s := range g.specs {
		if s.Applies(in.Acq.Kind) {
			users++
		}
	}
	gp, err := g.pass.Get(in.Acq, users, func() (*groupPass, error) {
		gp := &groupPass{index: map[int]int{}}
		var ps []Parser
		for j, s := range g.specs {
			if s.Applies(in.Acq.Kind) {
				p, r := s.start(in)
				gp.index[j] = len(ps)
				ps = append(ps, p)
				gp.reporters = append(gp.reporters, r)
			}
		}
		var err error
		gp.p, err = runPass(ctx, in, ps)
		return gp, err
	})
	if err != nil {
		return nil, 0, nil, err
	}
	k, ok := gp.index[i]
	if !ok {
		return nil, 0, nil, fmt.Errorf("%s does not apply to %s", g.specs[i].Name(), in.Acq.Kind)
	}
	return gp.p, k, gp.reporters[k], nil
}

// shared is one module of a group.
type shared struct {
	g *group
	i int
}

func (m *shared) Name() string                    { return m.g.specs[m.i].Name() }
func (m *shared) Version() int                    { return m.g.specs[m.i].Version() }
func (m *shared) Applies(k acquisition.Kind) bool { return m.g.specs[m.i].Applies(k) }

// Unwrap returns the module itself (for the registry's test).
func (m *shared) Unwrap() module.Info { return m.g.specs[m.i] }

func (m *shared) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	p, k, r, err := m.g.share(ctx, in, m.i)
	if err != nil {
		return err
	}
	return p.report(ctx, in, rec, k, r)
}
