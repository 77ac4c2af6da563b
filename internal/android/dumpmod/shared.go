package dumpmod

import (
	"context"
	"fmt"
	"sync"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/module"
)

// Parser is what one dumpsys module contributes to a pass over the dump:
// the sections it wants and what it does with their lines. State is the
// module's parser, handed back to Report.
type Parser struct {
	Match func(*dumpsys.Section) bool
	Line  func(s *dumpsys.Section, line []byte)
	State any
}

// Dump says what the pass found for one module.
type Dump struct {
	Path  string // the dump read; "" when the acquisition has none
	Found int    // matching sections seen
}

// Spec is a module that reads dumpsys sections. Its parser is fed during a
// pass over the dump (shared with the other dumpsys modules when they are
// built with Shared), then Report records what it parsed.
type Spec interface {
	module.Info
	NewParser() Parser
	// Report records the parsed state. It returns module.ErrNotFound when
	// there was nothing to read (see NotFound).
	Report(ctx context.Context, in *module.Input, rec *module.Recorder, d Dump, state any) error
}

// NotFound is the usual Report prologue: ErrNotFound when no section matched.
func NotFound(d Dump) error {
	if d.Found == 0 {
		return module.ErrNotFound
	}
	return nil
}

// OnService builds a Parser for one dumpsys service whose parser takes
// string lines.
func OnService(name string, line func(string), state any) Parser {
	return Parser{Match: dumpsys.IsService(name), Line: func(_ *dumpsys.Section, l []byte) { line(string(l)) }, State: state}
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
	states  []any
}

// runPass splits the dump of in once and feeds every parser.
func runPass(ctx context.Context, in *module.Input, ps []Parser) (*pass, error) {
	p := &pass{out: make([]outcome, len(ps)), states: make([]any, len(ps))}
	for i := range ps {
		p.states[i] = ps[i].State
	}
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
			want[i] = false
			for t := s; t != nil; t = t.Parent {
				if t.Kind != dumpsys.None && ps[i].Match(t) {
					want[i] = true
					break
				}
			}
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
func (p *pass) report(ctx context.Context, in *module.Input, rec *module.Recorder, i int, s Spec) error {
	if p.path != "" {
		rec.File(p.path)
	}
	if p.readErr != nil {
		rec.FileError(p.path, p.readErr)
	}
	for _, t := range p.out[i].truncated {
		rec.FileError(p.path, dumpsys.TruncatedError(p.path, t))
	}
	return s.Report(ctx, in, rec, Dump{Path: p.path, Found: p.out[i].found}, p.states[i])
}

// Run runs one Spec on its own pass (tests, or a module used alone).
func Run(ctx context.Context, in *module.Input, rec *module.Recorder, s Spec) error {
	p, err := runPass(ctx, in, []Parser{s.NewParser()})
	if err != nil {
		return err
	}
	return p.report(ctx, in, rec, 0, s)
}

// Shared returns the specs as modules that share ONE pass over the dump of
// each acquisition: the first module to run splits the dump and feeds every
// applicable module's parser; each module then reports its own share. The
// pass is dropped once every applicable module has taken its share.
func Shared(specs ...Spec) []module.Module {
	g := &group{specs: specs, passes: map[*acquisition.Acquisition]*groupPass{}}
	out := make([]module.Module, len(specs))
	for i := range specs {
		out[i] = &shared{g: g, i: i}
	}
	return out
}

type group struct {
	specs  []Spec
	mu     sync.Mutex
	passes map[*acquisition.Acquisition]*groupPass
}

type groupPass struct {
	once  sync.Once
	p     *pass
	err   error
	index map[int]int // spec index → parser index
	left  int
}

func (g *group) share(ctx context.Context, in *module.Input, i int) (*pass, int, error) {
	g.mu.Lock()
	gp := g.passes[in.Acq]
	if gp == nil {
		gp = &groupPass{index: map[int]int{}}
		for j, s := range g.specs {
			if s.Applies(in.Acq.Kind) {
				gp.index[j] = len(gp.index)
			}
		}
		gp.left = len(gp.index)
		g.passes[in.Acq] = gp
	}
	gp.left--
	if gp.left <= 0 {
		delete(g.passes, in.Acq)
	}
	g.mu.Unlock()
	gp.once.Do(func() {
		ps := make([]Parser, len(gp.index))
		for j, k := range gp.index {
			ps[k] = g.specs[j].NewParser()
		}
		gp.p, gp.err = runPass(ctx, in, ps)
	})
	k, ok := gp.index[i]
	if !ok {
		return nil, 0, fmt.Errorf("%s does not apply to %s", g.specs[i].Name(), in.Acq.Kind)
	}
	return gp.p, k, gp.err
}

// shared is one module of a group.
type shared struct {
	g *group
	i int
}

func (m *shared) Name() string                    { return m.g.specs[m.i].Name() }
func (m *shared) Version() int                    { return m.g.specs[m.i].Version() }
func (m *shared) Applies(k acquisition.Kind) bool { return m.g.specs[m.i].Applies(k) }
func (m *shared) Unwrap() module.Info             { return m.g.specs[m.i] }
func (m *shared) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	p, k, err := m.g.share(ctx, in, m.i)
	if err != nil {
		return err
	}
	return p.report(ctx, in, rec, k, m.g.specs[m.i])
}
