// Package pcapmod owns the five network modules of a packet capture
// (network_dns, network_tls, network_http, network_quic, network_flows).
// They share ONE pass over the capture (internal/network/capture), run once
// per acquisition and memoised; each module reports its own records,
// timeline events, indicator checks and heuristic alerts from that result.
package pcapmod

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/capture"
	"github.com/spyscan/spyscan/internal/network/quic"
)

// pass is the analysis of one acquisition's capture.
type pass struct {
	file string
	res  *capture.Result
	err  error
}

// Shared is the one pass per acquisition of the modules built from it.
type Shared struct {
	pass module.Pass[*pass]
	// Options of the pass (zero: defaults).
	Options capture.Options
	n       int
}

// Modules returns the five network modules sharing one pass.
func Modules() []module.Module {
	s := &Shared{}
	names := []string{capture.ModDNS, capture.ModTLS, capture.ModHTTP, capture.ModQUIC, capture.ModFlows}
	s.n = len(names)
	out := make([]module.Module, len(names))
	for i, n := range names {
		out[i] = &Module{Base: module.NewBase(n, 1, module.Kinds(acquisition.PCAP)), shared: s}
	}
	return out
}

// result runs (or waits for) the pass of in.Acq. The entry is dropped once
// every module has read it, so memory is released.
func (s *Shared) result(ctx context.Context, in *module.Input) (*pass, error) {
	p, _ := s.pass.Get(in.Acq, s.n, func() (*pass, error) {
		p := &pass{}
		p.file, p.res, p.err = run(ctx, in, s.Options)
		return p, nil
	})
	if p.res == nil && p.err != nil {
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
		if errors.Is(err, module.ErrNotFound) {
			return err
		}
		return err
	}
	rec.File(p.file)
	if p.err != nil {
		rec.FileError(p.file, p.err)
	}
	if m.Name() == capture.ModFlows && p.res.Summary.Undecodable > 0 {
		// what could not be decoded was not checked: never "clean"
		rec.FileError(p.file, undecodableError(p.file, p.res.Summary))
	}
	res := p.res
	switch m.Name() {
	case capture.ModDNS:
		reportDNS(rec, p.file, res)
		resolvedFromIndicators(rec, in.Index, p.file, res)
	case capture.ModTLS:
		reportTLS(rec, p.file, res)
	case capture.ModHTTP:
		reportHTTP(rec, p.file, res)
	case capture.ModQUIC:
		reportQUIC(rec, p.file, res)
	case capture.ModFlows:
		reportFlows(rec, p.file, res)
	}
	checkObservations(rec, m.Name(), p.file, res)
	findings(rec, m.Name(), p.file, res)
	return nil
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
