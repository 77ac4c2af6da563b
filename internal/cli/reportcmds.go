package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/recheck"
	"github.com/spyscan/spyscan/internal/report/misp"
	"github.com/spyscan/spyscan/internal/report/stixexport"
	"github.com/spyscan/spyscan/internal/scanjob"
	"github.com/spyscan/spyscan/internal/selftest"
)

// File names of the exports written beside report.html.
const (
	stixFile      = "alerts.stix2.json"
	mispFile      = "alerts.misp.json"
	newAlertsFile = "new-alerts.json"
)

// langFlag registers --lang with its default from the environment.
func (a *app) langFlag(cmd *cobra.Command, lang *string) {
	cmd.Flags().StringVar(lang, "lang", i18n.FromEnv(a.getenv), "report language ("+strings.Join(i18n.Languages(), ", ")+"; default from LANG)")
}

// loadResults reads a result folder; a folder that is not one is a usage
// error. The verdict is recomputed from the stored results: a stored verdict
// they contradict (an edited or older info.json) is not trusted.
func (a *app) loadResults(dir string) (*model.Report, []output.ObservableRecord, error) {
	if _, err := os.Stat(filepath.Join(dir, output.InfoFile)); err != nil {
		return nil, nil, fmt.Errorf("%w: %s is not a spyscan result folder (no %s)", ErrUsage, dir, output.InfoFile)
	}
	r, obs, err := output.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	stored := r.Verdict
	r.Verdict, r.Info.SelfTest.Problems = selftest.Decide(r)
	if r.Verdict != stored {
		a.log.Warn("the stored verdict does not follow from the stored results; using the recomputed one",
			"stored", stored, "recomputed", r.Verdict)
	}
	return r, obs, nil
}

func (a *app) reportCmd() *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Re-render report.html and the STIX and MISP exports of a result folder",
		Long: "Reads the JSON results of a scan (or recheck) in DIR and writes report.html, " + stixFile + " and " + mispFile + " again,\n" +
			"for example in another language. The acquisition is not needed.",
		Args: needArgs(1, 1, "give the result folder of a scan: spyscan report DIR --lang fr"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkLang(lang); err != nil {
				return err
			}
			r, _, err := a.loadResults(args[0])
			if err != nil {
				return err
			}
			if err := writeReports(args[0], r, lang); err != nil {
				return err
			}
			a.printEnding(r, args[0], model.High, false, lang)
			return nil
		},
	}
	a.langFlag(cmd, &lang)
	return cmd
}

// writeReports writes report.html and the two exports into dir.
func writeReports(dir string, r *model.Report, lang string) error {
	if err := scanjob.WriteHTML(dir, r, lang); err != nil {
		return err
	}
	if err := writeTo(filepath.Join(dir, stixFile), func(w io.Writer) error { return stixexport.Write(w, r) }); err != nil {
		return err
	}
	return writeTo(filepath.Join(dir, mispFile), func(w io.Writer) error { return misp.Write(w, r) })
}

func writeTo(path string, fill func(io.Writer) error) error {
	f, err := output.Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ferr := fill(f)
	if err := errors.Join(ferr, f.Close()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (a *app) exportCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export --format stix|misp DIR",
		Short: "Export the alerts of a result folder as a STIX 2.1 bundle or a MISP event",
		Args:  needArgs(1, 1, "give the result folder of a scan: spyscan export --format stix DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var write func(io.Writer, *model.Report) error
			switch format {
			case "stix":
				write = stixexport.Write
			case "misp":
				write = misp.Write
			default:
				return fmt.Errorf("%w: --format %q: want stix or misp", ErrUsage, format)
			}
			r, _, err := a.loadResults(args[0])
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				return write(a.stdout, r)
			}
			return writeTo(out, func(w io.Writer) error { return write(w, r) })
		},
	}
	cmd.Flags().StringVar(&format, "format", "stix", "stix (STIX 2.1 bundle of sightings) or misp (MISP event JSON)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: standard output)")
	return cmd
}

type recheckFlags struct {
	iocs      iocFlags
	out       string
	lang      string
	failLevel string
}

func (a *app) recheckCmd() *cobra.Command {
	var f recheckFlags
	cmd := &cobra.Command{
		Use:   "recheck DIR",
		Short: "Check the values a past scan read against the current indicators, without the acquisition",
		Long: "Reads observables.jsonl.gz in the result folder DIR, checks every value with the current indicators (the same\n" +
			"sources and flags as scan), and writes a new result folder (default DIR/recheck-<time>) with the alerts,\n" +
			newAlertsFile + " (the indicator alerts that the scan did not have), report.html and the exports.\n" +
			"Heuristic alerts are kept as they were; they need the acquisition to be re-run.",
		Args: needArgs(1, 1, "give the result folder of a scan: spyscan recheck DIR"),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runRecheck(cmd, args[0], f) },
	}
	f.iocs.register(cmd)
	a.langFlag(cmd, &f.lang)
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "result folder for the recheck (default: DIR/recheck-<UTC time>)")
	cmd.Flags().StringVar(&f.failLevel, "fail-level", "high", "exit 1 when an alert is at or above this level (info, low, medium, high, critical)")
	return cmd
}

func (a *app) runRecheck(cmd *cobra.Command, dir string, f recheckFlags) error {
	ctx := cmd.Context()
	fail, err := model.ParseLevel(f.failLevel)
	if err != nil {
		return fmt.Errorf("%w: --fail-level: %w", ErrUsage, err)
	}
	if err := checkLang(f.lang); err != nil {
		return err
	}
	stored, obs, err := a.loadResults(dir)
	if err != nil {
		return err
	}
	set, ix, err := a.loadIndicators(ctx, f.iocs)
	if err != nil {
		return err
	}
	res, err := recheck.Run(ctx, stored, obs, ix)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	out := f.out
	if out == "" {
		out = filepath.Join(dir, "recheck-"+now.Format("20060102-150405"))
	}
	if err := prepareOutDir(out); err != nil {
		return err
	}
	r := *stored
	r.Alerts = res.Alerts
	srcs, digest, count := scanjob.Info(set, ix)
	r.Info.IndicatorSources, r.Info.IndicatorDigest, r.Info.IndicatorCount = srcs, digest, count
	r.Info.IndicatorWarnings, r.Info.IndicatorProblems = set.Warnings, scanjob.Problems(set)
	r.Info.CommandLine, r.Info.GeneratedAt = redact(a.args), now
	r.Info.SelfTest.CanaryOK = selftest.Canary(ctx) == nil
	r.Verdict, r.Info.SelfTest.Problems = selftest.Decide(&r)
	if err := writeRecheck(dir, out, &r, obs, res); err != nil {
		return err
	}
	if err := writeReports(out, &r, f.lang); err != nil {
		return err
	}
	a.printRecheck(&r, res, out, fail, f.lang)
	return outcome(&r, fail)
}

// writeRecheck writes the recheck's result folder: the files of a scan
// (module files copied from the stored scan, in the current format), plus
// new-alerts.json.
func writeRecheck(stored, out string, r *model.Report, obs []output.ObservableRecord, res *recheck.Result) error {
	if err := output.Write(out, r, output.ObservableList(obs)); err != nil {
		return err
	}
	if err := output.CopyModules(stored, out); err != nil {
		return err
	}
	fresh := res.New
	if fresh == nil {
		fresh = []model.Alert{}
	}
	return writeTo(filepath.Join(out, newAlertsFile), func(w io.Writer) error { return encodeJSON(w, fresh) })
}

func (a *app) printRecheck(r *model.Report, res *recheck.Result, out string, fail model.Level, lang string) {
	fmt.Fprintf(a.stdout, "checked %d stored values against %d indicators\n", res.Checked, r.Info.IndicatorCount)
	if res.Unsupported > 0 {
		fmt.Fprintf(a.stdout, "skipped %d values of a type recheck does not handle\n", res.Unsupported)
	}
	fmt.Fprintf(a.stdout, "new alerts since the scan: %d\n", len(res.New))
	for _, al := range res.New {
		fmt.Fprintf(a.stdout, "  NEW %s %s: %s\n", al.Level, al.Module, al.Message)
	}
	if len(res.Gone) > 0 {
		fmt.Fprintf(a.stdout, "alerts the current indicators no longer raise: %d\n", len(res.Gone))
		for _, al := range res.Gone {
			fmt.Fprintf(a.stdout, "  GONE %s %s: %s\n", al.Level, al.Module, al.Message)
		}
	}
	a.printEnding(r, out, fail, true, lang)
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
