package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/scanjob"
)

type scanFlags struct {
	iocs         iocFlags
	out          string
	failLevel    string
	caseName     string
	concurrency  int
	lang         string
	passwordFile string
	timezone     string
	quiet        bool
	modules      []string
}

func (a *app) scanCmd() *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Detect what each PATH is and check it for traces of spyware",
		Long: "Detects the kind of each input (iOS backup or dump, sysdiagnose, Android bugreport, androidqf, backup.ab, pcap, DNS/Zeek logs),\n" +
			"runs every module that applies, and writes the results to --output. Several inputs of one person form one case.",
		Args: needArgs(1, -1, "give the path of at least one acquisition: spyscan scan PATH... "+
			"(an iPhone backup folder, an Android bugreport zip, an androidqf folder, a pcap...; spyscan scan --help)"),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runScan(cmd, args, f) },
	}
	f.iocs.register(cmd)
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "result folder (default: a new folder named after the input and the time)")
	cmd.Flags().StringVar(&f.failLevel, "fail-level", "high", "exit 1 when an alert is at or above this level (info, low, medium, high, critical)")
	cmd.Flags().StringVar(&f.caseName, "case", "", "case name, when scanning several inputs of one person")
	cmd.Flags().IntVar(&f.concurrency, "concurrency", 0, "modules run at once (default: number of CPUs)")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "no progress display on stderr")
	cmd.Flags().StringSliceVar(&f.modules, "modules", nil, "run only these modules (comma-separated names, see spyscan modules list)")
	cmd.Flags().StringVar(&f.lang, "lang", i18n.FromEnv(a.getenv), "report language ("+strings.Join(i18n.Languages(), ", ")+"; default from LANG)")
	cmd.Flags().StringVar(&f.passwordFile, "password-file", "", "file holding the password of encrypted inputs (else SPYSCAN_BACKUP_PASSWORD, else a prompt)")
	cmd.Flags().StringVar(&f.timezone, "timezone", "", "the device's time zone (IANA name, e.g. Europe/Paris) for inputs that do not carry it, such as intrusion logs without getprop.txt")
	return cmd
}

func (a *app) runScan(cmd *cobra.Command, args []string, f scanFlags) error {
	ctx := cmd.Context()
	fail, err := model.ParseLevel(f.failLevel)
	if err != nil {
		return fmt.Errorf("%w: --fail-level: %w", ErrUsage, err)
	}
	if err := checkLang(f.lang); err != nil {
		return err
	}
	if err := someInputExists(args); err != nil {
		return err
	}
	for _, p := range args {
		if isResultFolder(p) {
			return fmt.Errorf("%w: %s is a spyscan result folder, not an acquisition: “spyscan report %s” writes its report again "+
				"(--lang fr for French), “spyscan recheck %s” checks it against newer indicators", ErrUsage, p, p, p)
		}
	}
	if f.timezone != "" {
		if _, err := time.LoadLocation(f.timezone); err != nil || f.timezone == "Local" {
			return fmt.Errorf("%w: --timezone %q is not an IANA time zone name (e.g. Europe/Paris)", ErrUsage, f.timezone)
		}
	}
	mods, err := selectModules(f.modules)
	if err != nil {
		return err
	}
	set, ix, err := a.loadIndicators(ctx, f.iocs)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		name := args[0]
		if f.caseName != "" && len(args) > 1 {
			name = f.caseName // several inputs of one case: the folder is the case's
		}
		out = defaultOutDir(name, time.Now())
	}
	if err := outsideEvidence(out, args); err != nil {
		return err
	}
	if err := prepareOutDir(out); err != nil {
		return err
	}
	prog := a.newProgress(f.quiet)
	rep, err := scanjob.Run(ctx, scanjob.Job{Inputs: args, OutDir: out, Case: f.caseName, Version: fullVersion(),
		CommandLine: redact(a.args), Set: set, Index: ix, Lang: f.lang, Concurrency: f.concurrency, Modules: mods,
		Options: acquisition.Options{Password: a.passwordSource(f.passwordFile), DeviceTZ: f.timezone}, Log: a.log, Progress: prog})
	prog.Stop()
	if err != nil {
		return err
	}
	a.printSummary(rep, out, fail, f.lang)
	return outcome(rep, fail)
}

// outcome maps a finished scan (or recheck) to its exit sentinel: traces
// at or above the fail level first; else an inconclusive verdict (never
// exit 0, which a script reads as clean), with its first reason on the
// line; else success.
func outcome(r *model.Report, fail model.Level) error {
	for _, al := range r.Alerts {
		if al.Level >= fail {
			return ErrAlerts
		}
	}
	if r.Verdict == model.VerdictInconclusive {
		first := "see info.json"
		if ps := r.Info.SelfTest.Problems; len(ps) > 0 {
			first = ps[0]
			if len(ps) > 1 {
				first += fmt.Sprintf(" (and %d more problems, see info.json)", len(ps)-1)
			}
		}
		return fmt.Errorf("%w: %s", ErrInconclusive, first)
	}
	return nil
}

// defaultOutDir is "spyscan-<name>-<UTC time>" in the working folder,
// name being the input's base name or the case's name.
func defaultOutDir(input string, now time.Time) string {
	base := filepath.Base(filepath.Clean(input))
	base = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, base)
	return "spyscan-" + base + "-" + now.UTC().Format("20060102-150405")
}

// prepareOutDir creates the result folder; an existing non-empty folder is
// refused so that results never mix.
func prepareOutDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > 0 {
		return fmt.Errorf("%w: output folder %s exists and is not empty: give a new folder with --output, "+
			"or leave --output out for a new one named after the input and the time", ErrUsage, dir)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if err := output.MkdirPrivate(dir); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}

// redact keeps the command line but drops anything that could be a secret.
func redact(args []string) []string {
	out := make([]string, 0, len(args))
	for _, s := range args {
		if k, _, ok := strings.Cut(s, "="); ok && strings.Contains(strings.ToLower(k), "password") && !strings.Contains(strings.ToLower(k), "password-file") {
			s = k + "=REDACTED"
		}
		out = append(out, s)
	}
	return out
}

// printSummary writes the module table, then the ending (at most five
// lines: verdict, findings or causes, stale indicators, report path, exit
// code).
func (a *app) printSummary(r *model.Report, out string, fail model.Level, lang string) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tINPUT\tSTATUS\tRECORDS\tALERTS")
	for _, m := range r.Modules {
		if m.Status == model.StatusEmpty {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", m.Module, filepath.Base(m.Input), m.Status, m.Seen, len(m.Alerts))
	}
	tw.Flush()
	fmt.Fprintln(a.stdout)
	a.printEnding(r, out, fail, true, lang)
}

// outsideEvidence refuses an output folder inside (or equal to) a folder
// given as evidence, symbolic links resolved on both sides: results written
// there would change the evidence and be hashed as evidence next time.
func outsideEvidence(out string, inputs []string) error {
	o, err := resolve(out)
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	for _, in := range inputs {
		st, err := os.Stat(in)
		if err != nil || !st.IsDir() {
			continue
		}
		e, err := resolve(in)
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		if rel, err := filepath.Rel(e, o); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%w: output folder %s is inside the evidence %s: results must never be written into the evidence", ErrUsage, out, in)
		}
	}
	return nil
}

// resolve returns the absolute path of p with symbolic links resolved, for
// a path that may not exist yet (its deepest existing folder is resolved).
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; cur = filepath.Dir(cur) {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest), nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if filepath.Dir(cur) == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}

// someInputExists refuses a scan none of whose inputs exists (a mistyped
// path). When some exist, the scan goes on and an absent one is listed in
// the results as missing, so the verdict cannot be clean.
func someInputExists(args []string) error {
	var missing []string
	for _, p := range args {
		if _, err := os.Lstat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == len(args) {
		return fmt.Errorf("%w: %s: no such file or folder", ErrUsage, strings.Join(missing, ", "))
	}
	return nil
}
