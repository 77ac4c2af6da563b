package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// iocFlags are the indicator-source flags shared by scan, iocs and recheck.
type iocFlags struct {
	paths      []string
	noEmbedded bool
	noCache    bool
}

func (f *iocFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.paths, "iocs", nil, "STIX 2.1 indicator file or folder (repeatable; also SPYSCAN_IOCS, a path list)")
	cmd.Flags().BoolVar(&f.noEmbedded, "no-embedded-iocs", false, "leave out the indicator snapshot embedded in spyscan")
	cmd.Flags().BoolVar(&f.noCache, "no-cache-iocs", false, "leave out the indicators downloaded by `spyscan iocs update`")
}

// loadIndicators loads every requested indicator source, logs each warning
// (naming the file) and builds the index.
func (a *app) loadIndicators(ctx context.Context, f iocFlags) (*indicators.Set, *match.Index, error) {
	paths := append([]string(nil), f.paths...)
	if env := a.getenv("SPYSCAN_IOCS"); env != "" {
		for _, p := range filepath.SplitList(env) {
			if p != "" {
				paths = append(paths, p)
			}
		}
	}
	opt := indicators.Options{Paths: paths, NoEmbedded: f.noEmbedded}
	if !f.noCache {
		opt.CacheDir = indicators.DefaultCacheDir()
	}
	start := time.Now()
	set, err := indicators.Load(ctx, opt)
	if err != nil {
		if errors.Is(err, indicators.ErrNoSuchPath) {
			return nil, nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		return nil, nil, err
	}
	for _, n := range set.Notes {
		a.log.Debug("embedded indicator note", "detail", n)
	}
	for _, w := range set.Warnings {
		a.log.Warn("indicator warning", "detail", w)
	}
	ix, rejects := match.NewIndex(set.Indicators)
	for _, r := range rejects {
		a.log.Warn("indicator value not usable", "type", r.Type, "value", r.Value)
	}
	a.log.Debug("indicators loaded", "indicators", len(set.Indicators), "distinct", ix.Len(), "took", time.Since(start))
	return set, ix, nil
}

func (a *app) iocsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "iocs", Short: "List, check and update indicators of compromise"}
	cmd.AddCommand(a.iocsListCmd(), a.iocsCheckCmd(), a.iocsUpdateCmd())
	return cmd
}

func (a *app) iocsListCmd() *cobra.Command {
	var f iocFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show indicator sources, families and counts by type",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, _, err := a.loadIndicators(cmd.Context(), f)
			if err != nil {
				return err
			}
			a.printSources(set)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func (a *app) printSources(set *indicators.Set) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tDATE\tCOMMIT\tFILES\tINDICATORS")
	total := 0
	for _, s := range set.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", s.Name, s.Kind, dash(s.Date), dash(short(s.Commit)), len(s.Files), s.Indicators())
		total += s.Indicators()
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t%d\n", total)
	tw.Flush()
	for _, s := range set.Sources {
		counts := map[match.Type]int{}
		fams := map[string]int{}
		for _, f := range s.Files {
			for t, n := range f.Counts {
				counts[t] += n
			}
			for _, fam := range f.Families {
				fams[fam] += f.Indicators
			}
		}
		fmt.Fprintf(a.stdout, "\n%s (%s)\n  by type:", s.Name, dash(s.Origin))
		for _, t := range match.AllTypes {
			if counts[t] > 0 {
				fmt.Fprintf(a.stdout, " %s %d,", t, counts[t])
			}
		}
		names := make([]string, 0, len(fams))
		for n := range fams {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(a.stdout, "\n  families (%d): %s\n", len(names), strings.Join(names, ", "))
	}
}

func (a *app) iocsCheckCmd() *cobra.Command {
	var f iocFlags
	cmd := &cobra.Command{
		Use:   "check VALUE...",
		Short: "Check values (URL, domain, IP, email, hash, process, path, app id) against the indicators",
		Long:  "Prints every indicator each value matches, with its provenance. Exits 1 when any value matches.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, ix, err := a.loadIndicators(cmd.Context(), f)
			if err != nil {
				return err
			}
			hit := false
			for _, v := range args {
				ms := ix.Any(v)
				if len(ms) == 0 {
					fmt.Fprintf(a.stdout, "%s: no match\n", v)
					continue
				}
				hit = true
				for _, m := range ms {
					a.printMatch(v, m)
				}
			}
			if hit {
				return ErrAlerts
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func (a *app) printMatch(v string, m model.Match) {
	fams := strings.Join(m.Families(), ", ")
	if fams == "" {
		fams = "unknown family"
	}
	partial := ""
	if m.Partial {
		partial = ", one term of an AND pattern"
	}
	fmt.Fprintf(a.stdout, "%s: MATCH %s — %s indicator %q (%s%s)\n", v, fams, m.Type, m.Indicator, m.How, partial)
	for _, p := range m.Sources {
		where := p.File
		if p.Commit != "" {
			where += " @ " + short(p.Commit)
		}
		if p.URL != "" {
			where += " from " + p.URL
		}
		fmt.Fprintf(a.stdout, "    %s: %s [%s] %s, %s\n", dash(p.Family), p.Source, dash(p.Date), where, p.IndicatorID)
	}
}

func (a *app) iocsUpdateCmd() *cobra.Command {
	var index, cacheDir string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the current indicator bundles listed by an index (mvt-indicators format)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cacheDir == "" {
				cacheDir = indicators.DefaultCacheDir()
			}
			res, err := indicators.Update(cmd.Context(), indicators.UpdateOptions{Index: index, CacheDir: cacheDir, Timeout: timeout, Log: a.log})
			if err != nil {
				return err
			}
			failed := 0
			for _, r := range res {
				if r.Err != nil {
					failed++
					fmt.Fprintf(a.stdout, "FAILED  %s: %v\n", r.Entry.Name, r.Err)
					continue
				}
				fmt.Fprintf(a.stdout, "updated %s\n        %s sha256 %s\n", r.Entry.Name, r.Entry.URL, r.Entry.SHA256)
			}
			fmt.Fprintf(a.stdout, "%d of %d bundles updated in %s\n", len(res)-failed, len(res), cacheDir)
			if failed > 0 {
				return fmt.Errorf("%d bundles could not be updated (the previous copies were kept)", failed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&index, "index", "", "index URL or file (default: "+indicators.DefaultIndexURL+")")
	cmd.Flags().StringVar(&cacheDir, "cache-dir", "", "where to store the bundles (default: $SPYSCAN_CACHE_DIR or the user cache folder)")
	cmd.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "timeout of each download")
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
