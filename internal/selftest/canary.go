package selftest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/stix"
)

// ErrCanary is returned when the matching engine fails its self-check.
var ErrCanary = errors.New("the indicator matching failed its self-check")

// The canary's planted indicators, as a STIX pattern like the published ones.
const canaryPattern = "[domain-name:value = 'canary.spyscan.invalid'] OR [process:name = 'spyscancanaryd']"

// canaryArtifact is a tiny synthetic artifact: one visit per line, "host
// process". Two lines hold the planted values; the others are look-alikes
// that must not match.
const canaryArtifact = "www.example.org launchd\n" +
	"x.canary.spyscan.invalid mobilesafari\n" + // sub-domain of the planted domain: hit
	"notcanary.spyscan.invalid spyscancanary\n" + // label look-alike, truncated process: no hit
	"canary.spyscan.invalid.example.com spyscancanaryd\n" // suffix look-alike (no hit), planted process: hit

// Canary runs a planted indicator through the same path as a real scan: a
// STIX pattern parsed into indicators, a match.Index, a module reading an
// artifact from an fs.FS and checking values through a module.Recorder. It
// returns nil when exactly the planted values matched, with their family,
// and were recorded as observables; ErrCanary otherwise.
func Canary(ctx context.Context) error {
	inds, err := canaryIndicators()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCanary, err)
	}
	ix, rejects := match.NewIndex(inds)
	if len(rejects) > 0 {
		return fmt.Errorf("%w: %d planted indicators rejected by the index", ErrCanary, len(rejects))
	}
	return run(ctx, ix)
}

func canaryIndicators() ([]match.Indicator, error) {
	cmps, err := stix.ParsePattern(canaryPattern)
	if err != nil {
		return nil, err
	}
	var out []match.Indicator
	src := []model.Provenance{{Source: "spyscan-canary", File: "built-in", Family: "Canary", Pattern: canaryPattern}}
	for _, c := range cmps {
		switch c.Path() {
		case "domain-name:value":
			out = append(out, match.Indicator{Type: match.Domain, Value: c.Value, Sources: src})
		case "process:name":
			out = append(out, match.Indicator{Type: match.Process, Value: c.Value, Sources: src})
		default:
			return nil, fmt.Errorf("unexpected comparison %s", c.Path())
		}
	}
	if len(out) != 2 {
		return nil, fmt.Errorf("pattern gave %d comparisons, want 2", len(out))
	}
	return out, nil
}

// run checks the canary artifact with index ix.
func run(ctx context.Context, ix *match.Index) error {
	acq := &acquisition.Acquisition{Path: "canary", FS: fstest.MapFS{"visits.txt": {Data: []byte(canaryArtifact)}}}
	rec := module.NewRecorder("canary", ix, nil)
	in := &module.Input{Acq: acq, Index: ix, Log: slog.New(slog.DiscardHandler)}
	if err := (canaryModule{}).Run(ctx, in, rec); err != nil {
		return fmt.Errorf("%w: %w", ErrCanary, err)
	}
	res := rec.Result()
	var got []string
	for _, a := range res.Alerts {
		if a.Match == nil || !slices.Equal(a.Match.Families(), []string{"Canary"}) {
			return fmt.Errorf("%w: alert without the planted provenance: %s", ErrCanary, a.Message)
		}
		got = append(got, a.Match.Type+":"+a.Match.Observed)
	}
	slices.Sort(got)
	want := []string{"domain:x.canary.spyscan.invalid", "process:spyscancanaryd"}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%w: matched %v, want %v", ErrCanary, got, want)
	}
	if n := len(rec.Observables()); n != 8 || res.Seen != 4 {
		return fmt.Errorf("%w: %d observables and %d records, want 8 and 4", ErrCanary, n, res.Seen)
	}
	return nil
}

// canaryModule reads the canary artifact as a real module's Run would.
type canaryModule struct{}

func (canaryModule) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	f, err := in.Acq.FS.Open("visits.txt")
	if err != nil {
		return err
	}
	defer f.Close()
	rec.File("visits.txt")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		host, proc, _ := strings.Cut(sc.Text(), " ")
		w := module.Where{Artifact: "visits.txt", Label: i18n.M("selftest.what_canary"), Record: sc.Text()}
		rec.Record(sc.Text())
		rec.CheckURL("https://"+host+"/", w)
		rec.CheckProcess(proc, w)
	}
	return sc.Err()
}
