package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/iocexport"
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
	cmd.Flags().BoolVar(&f.noCache, "no-cache-iocs", false, "leave out the indicators downloaded by “spyscan iocs update”")
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
		opt.CacheDir, opt.Build = indicators.DefaultCacheDir(), cacheBuild()
	}
	start := time.Now()
	set, err := indicators.Load(ctx, opt)
	if err != nil {
		if errors.Is(err, indicators.ErrNoSuchPath) {
			return nil, nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		return nil, nil, err
	}
	for _, n := range set.Notes {
		a.log.Debug("embedded indicator note", "detail", n)
	}
	for _, w := range set.Warnings {
		a.log.Warn("indicator warning", "detail", w)
	}
	ix, rejects := set.NewIndex()
	for _, r := range rejects {
		a.log.Warn("indicator value not usable", "type", r.Type, "value", r.Value)
	}
	a.log.Debug("indicators loaded", "indicators", set.Len(), "distinct", ix.Len(), "took", time.Since(start))
	return set, ix, nil
}

func (a *app) iocsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "iocs", Short: "List, check and update indicators of compromise"}
	cmd.AddCommand(a.iocsListCmd(), a.iocsCheckCmd(), a.iocsUpdateCmd(), a.iocsExportCmd())
	return cmd
}

func (a *app) iocsExportCmd() *cobra.Command {
	var f iocFlags
	var format, out string
	var datasetsOver int
	cmd := &cobra.Command{
		Use:   "export --format zeek-intel|suricata [--output FILE]",
		Short: "Write the indicators as a Zeek Intel file or Suricata rules, for network sensors",
		Long: "Writes the loaded indicators, with their provenance, for sensors that watch a network:\n" +
			"  zeek-intel  a Zeek Intel framework file (add it to Intel::read_files)\n" +
			"  suricata    Suricata 7+ rules; dataset and hash-list files go next to --output\n" +
			"Without --output the file goes to standard output (Suricata rules that need a list file are then left out).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "zeek-intel" && format != "suricata" {
				return fmt.Errorf("%w: --format must be zeek-intel or suricata, not %q", ErrUsage, format)
			}
			if datasetsOver < 0 {
				return fmt.Errorf("%w: --datasets-over must be 0 or more", ErrUsage)
			}
			set, _, err := a.loadIndicators(cmd.Context(), f)
			if err != nil {
				return err
			}
			return a.exportIndicators(set, format, out, datasetsOver)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "", "zeek-intel or suricata")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: standard output)")
	cmd.Flags().IntVar(&datasetsOver, "datasets-over", 10000, "suricata: put domain and address lists longer than this in a dataset file (0: always)")
	return cmd
}

// exportIndicators writes the export to out (standard output when empty)
// and the Suricata side files next to it, each atomically.
func (a *app) exportIndicators(set *indicators.Set, format, out string, datasetsOver int) error {
	c, err := iocexport.Collect(set)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	var sum iocexport.Summary
	var files []iocexport.File
	if format == "zeek-intel" {
		sum, err = iocexport.WriteZeekIntel(&buf, c)
	} else {
		sum, files, err = iocexport.WriteSuricata(&buf, c, iocexport.SuricataOptions{DatasetsOver: datasetsOver, SideFiles: out != ""})
	}
	if err != nil {
		return err
	}
	if out == "" {
		_, err = a.stdout.Write(buf.Bytes())
	} else {
		err = writeFileAtomic(out, buf.Bytes())
		for _, sf := range files {
			if err != nil {
				break
			}
			err = writeFileAtomic(filepath.Join(filepath.Dir(out), sf.Name), sf.Data)
		}
	}
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(sum.Written)) {
		a.log.Info("exported", "format", format, "what", k, "count", sum.Written[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sum.Skipped)) {
		a.log.Info("not expressible in this format", "format", format, "kind", k, "count", sum.Skipped[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sum.NotNetwork)) {
		a.log.Debug("not a network indicator", "type", k, "count", sum.NotNetwork[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sum.Unusable)) {
		a.log.Warn("indicator values not usable", "type", k, "count", sum.Unusable[k])
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// over path, so a sensor reloading the file never reads half of it.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (a *app) iocsListCmd() *cobra.Command {
	var f iocFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show indicator sources, families and counts by type",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, ix, err := a.loadIndicators(cmd.Context(), f)
			if err != nil {
				return err
			}
			a.printSources(set, ix)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func (a *app) printSources(set *indicators.Set, ix *match.Index) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tDATE\tCOMMIT\tFILES\tINDICATORS")
	total := 0
	for _, s := range set.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", s.Name, s.Kind, dash(s.Date), dash(short(s.Commit)), len(s.Files), s.Indicators())
		total += s.Indicators()
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t%d\n", total)
	tw.Flush()
	// A scan and its report count the distinct values checked: the same
	// value listed twice, or by two sources, is checked once.
	if n := ix.Len(); n != total {
		fmt.Fprintf(a.stdout, "%d distinct values are checked (the count a scan reports): %d of the %d are the same value listed again, by the same or another source, or a value that cannot be used.\n",
			n, total-n, total)
	} else {
		fmt.Fprintf(a.stdout, "%d distinct values are checked (the count a scan reports).\n", n)
	}
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
		Args:  needArgs(1, -1, "give the values to check, e.g. spyscan iocs check https://example.com/a"),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, v := range args {
				if strings.TrimSpace(v) == "" {
					return fmt.Errorf("%w: an empty value cannot be checked: give a URL, domain, IP address, email, hash, process, path or app id", ErrUsage)
				}
			}
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
			res, err := indicators.Update(cmd.Context(), indicators.UpdateOptions{Index: index, CacheDir: cacheDir, Timeout: timeout, Log: a.log, Build: cacheBuild()})
			if err != nil {
				return offline(err)
			}
			failed := 0
			for _, r := range res {
				if r.Err != nil {
					failed++
					fmt.Fprintf(a.stdout, "FAILED  %s: %v\n", r.Entry.Name, offline(r.Err))
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

// offline rewords a download error that comes from having no network into
// a sentence that says so and what to do; other errors are returned as
// they are.
func offline(err error) error {
	var dns *net.DNSError
	var op *net.OpError
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
	}
	switch {
	case errors.As(err, &dns), errors.As(err, &op), errors.Is(err, os.ErrDeadlineExceeded), ue != nil && ue.Timeout():
		if host == "" {
			host = "the indicator server"
		}
		return fmt.Errorf("cannot reach %s: no Internet access, or the server is down (%w). "+
			"The indicators you have are kept; connect and run “spyscan iocs update” again, or give indicator files with --iocs", host, err)
	}
	return err
}
