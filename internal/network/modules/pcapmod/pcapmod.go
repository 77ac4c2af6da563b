// Package pcapmod owns the five network modules of a packet capture
// (network_dns, network_tls, network_http, network_quic, network_flows).
// They share ONE pass over the capture (internal/network/capture), run once
// per acquisition and memoised; each module reports its own records,
// timeline events, indicator checks and heuristic alerts from that result.
package pcapmod

import (
	"context"
	"fmt"
	"io/fs"
	"sync"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/capture"
	"github.com/spyscan/spyscan/internal/network/quic"
)

// pass is the analysis of one acquisition's capture, split into one share
// per module. Each module takes its share once, so that what a module has
// reported is released while the others still run (the records,
// observations and messages of a large capture are tens of MB).
type pass struct {
	file string
	err  error

	mu     sync.Mutex
	shares map[string]*share // by module name; taken (removed) by its module
}

// share is what one module reports from the pass.
type share struct {
	res capture.Result // its records, observations and findings, and the Summary
	// resolved (network_dns only) are the addresses, of any module, that a
	// DNS answer resolved from a name: checked against domain indicators.
	resolved []*capture.Observation
}

// split gives each of names its share of res, keeping the order of res.
func split(res *capture.Result, names []string) map[string]*share {
	out := make(map[string]*share, len(names))
	for _, n := range names {
		out[n] = &share{res: capture.Result{Summary: res.Summary}}
	}
	if s := out[capture.ModDNS]; s != nil {
		s.res.DNS = res.DNS
	}
	if s := out[capture.ModTLS]; s != nil {
		s.res.TLS = res.TLS
	}
	if s := out[capture.ModHTTP]; s != nil {
		s.res.HTTP = res.HTTP
	}
	if s := out[capture.ModQUIC]; s != nil {
		s.res.QUIC = res.QUIC
	}
	if s := out[capture.ModFlows]; s != nil {
		s.res.Flows = res.Flows
	}
	// res.Observations are ordered by module: each share is a run of it,
	// not a copy (tens of MB at 4 GB of capture)
	obs := res.Observations
	for i := 0; i < len(obs); {
		j := i + 1
		for j < len(obs) && obs[j].Module == obs[i].Module {
			j++
		}
		if s := out[obs[i].Module]; s != nil && s.res.Observations == nil {
			s.res.Observations = obs[i:j:j]
		} else if s != nil { // not ordered by module: a copy
			s.res.Observations = append(s.res.Observations, obs[i:j]...)
		}
		i = j
	}
	if dns := out[capture.ModDNS]; dns != nil {
		for i := range obs {
			if o := &obs[i]; o.Kind == capture.KindIP && resolvedFromName(o) {
				dns.resolved = append(dns.resolved, o)
			}
		}
	}
	for _, f := range res.Findings {
		if s := out[f.Module]; s != nil {
			s.res.Findings = append(s.res.Findings, f)
		}
	}
	return out
}

// take hands module name its share, once; the pass keeps no reference to it.
func (p *pass) take(name string) *share {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.shares[name]
	delete(p.shares, name)
	if s == nil {
		s = &share{}
	}
	return s
}

// Shared is the one pass per acquisition of the modules built from it.
type Shared struct {
	pass module.Pass[*pass]
	// Options of the pass (zero: defaults).
	Options capture.Options
	names   []string // the modules sharing the pass
}

// Modules returns the five network modules sharing one pass.
func Modules() []module.Module {
	s := &Shared{}
	names := []string{capture.ModDNS, capture.ModTLS, capture.ModHTTP, capture.ModQUIC, capture.ModFlows}
	s.names = names
	out := make([]module.Module, len(names))
	for i, n := range names {
		out[i] = &Module{Base: module.NewBase(n, 1, module.Kinds(acquisition.PCAP)), shared: s}
	}
	return out
}

// result runs (or waits for) the pass of in.Acq. The entry is dropped once
// every module has read it, so memory is released.
func (s *Shared) result(ctx context.Context, in *module.Input) (*pass, error) {
	p, _ := s.pass.Get(in.Acq, len(s.names), func() (*pass, error) {
		p := &pass{}
		var res *capture.Result
		p.file, res, p.err = run(ctx, in, s.Options)
		if res != nil {
			p.shares = split(res, s.names)
		}
		return p, nil
	})
	if p.shares == nil && p.err != nil {
		return nil, p.err
	}
	return p, nil
}

func run(ctx context.Context, in *module.Input, opts capture.Options) (string, *capture.Result, error) {
	entries, err := fs.ReadDir(in.Acq.FS, ".")
	if err != nil {
		return "", nil, err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		f, err := in.Acq.FS.Open(e.Name())
		if err != nil {
			return e.Name(), nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		defer f.Close()
		if in.Log != nil {
			in.Log.Debug("reading capture", "file", e.Name())
		}
		if opts.QUIC == nil {
			opts.QUIC = quic.NewAssembler(1024)
		}
		if opts.TempDir == "" {
			opts.TempDir = in.TempDir
		}
		if opts.Keep == nil && in.Index != nil {
			opts.Keep = keeper(in.Index)
		}
		res, err := capture.Analyze(ctx, f, e.Name(), opts)
		return e.Name(), res, err
	}
	return "", nil, module.ErrNotFound
}

// Module is one of the five network modules.
type Module struct {
	module.Base
	shared *Shared
}

// Run implements module.Module.
func (m *Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	p, err := m.shared.result(ctx, in)
	if err != nil {
		return err
	}
	rec.File(p.file)
	if p.err != nil {
		rec.FileError(p.file, p.err)
	}
	report(rec, m.Name(), in.Index, p.file, p.take(m.Name()))
	return nil
}

// report records what module mod found in its share of the pass.
func report(rec *module.Recorder, mod string, ix *match.Index, file string, sh *share) {
	res := &sh.res
	if mod == capture.ModFlows && res.Summary.Undecodable > 0 {
		// what could not be decoded was not checked: never "clean"
		rec.FileError(file, undecodableError(file, res.Summary))
	}
	switch mod {
	case capture.ModDNS:
		reportDNS(rec, file, res)
		resolvedFromIndicators(rec, ix, file, sh.resolved)
	case capture.ModTLS:
		reportTLS(rec, file, res)
	case capture.ModHTTP:
		reportHTTP(rec, file, res)
	case capture.ModQUIC:
		reportQUIC(rec, file, res)
	case capture.ModFlows:
		reportFlows(rec, file, res)
	}
	checkObservations(rec, mod, file, res)
	findings(rec, mod, file, res)
}

// keeper tells the pass which values match an indicator, so that they are
// kept even past its memory bounds.
func keeper(ix *match.Index) func(capture.Kind, string) bool {
	return func(k capture.Kind, v string) bool {
		switch k {
		case capture.KindDomain:
			return len(ix.Domain(v)) > 0
		case capture.KindURL:
			return len(ix.URL(v)) > 0
		case capture.KindIP:
			return len(ix.IP(v)) > 0
		case capture.KindTLSCert:
			return len(ix.TLSCert(v)) > 0
		case capture.KindJA3:
			return len(ix.JA3(v)) > 0
		case capture.KindJA4:
			return len(ix.JA4(v)) > 0
		case capture.KindProcess:
			return len(ix.Process(v)) > 0
		}
		return true
	}
}
