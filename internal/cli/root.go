// Package cli owns the spyscan command line: flags, sub-commands, the
// mapping of outcomes (sentinel errors) to exit codes, and logging set-up.
// It is the only package that writes to stdout and stderr.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/lab/queue"
)

// Build facts, set at build time (README, "Build"):
//
//	go build -ldflags "-X github.com/spyscan/spyscan/internal/cli.Version=1.2.0 \
//	  -X github.com/spyscan/spyscan/internal/cli.Commit=$(git rev-parse HEAD) \
//	  -X github.com/spyscan/spyscan/internal/cli.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" ./cmd/spyscan
//
// When Commit or BuildDate are not set, they come from the build
// information Go stamps into a binary built from a checkout (vcs.revision,
// vcs.time).
var (
	Version   = "0.1.0-dev"
	Commit    = ""
	BuildDate = ""
)

// buildFacts returns the commit (with "-dirty" for uncommitted changes
// known from the build information) and the build or commit date.
func buildFacts() (commit, date string) {
	commit, date = Commit, BuildDate
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return commit, date
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if commit == "" {
				commit = s.Value
			}
		case "vcs.time":
			if date == "" {
				date = s.Value
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && commit != "" && Commit == "" {
		commit += "-dirty"
	}
	return commit, date
}

// cacheBuild identifies this build for the indicator cache's parsed form
// (indicators.Options.Build): the version and commit of a build from a
// clean tree, else the module version of `go install …@version`, else ""
// (a development build, whose parser may change under the same version,
// parses the cache every time).
func cacheBuild() string {
	commit, _ := buildFacts()
	if commit != "" && !strings.HasSuffix(commit, "-dirty") {
		return Version + "+" + commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Path + "@" + bi.Main.Version
	}
	return ""
}

// fullVersion is Version plus the commit's first 12 digits, so a report
// names the exact code that made it.
func fullVersion() string {
	commit, _ := buildFacts()
	if commit == "" {
		return Version
	}
	short, dirty := strings.CutSuffix(commit, "-dirty")
	if len(short) > 12 {
		short = short[:12]
	}
	if dirty {
		short += "-dirty"
	}
	return Version + " (" + short + ")"
}

// Exit codes, decided only in ExitCode.
const (
	ExitOK           = 0 // done: no known traces (nothing at or above --fail-level)
	ExitAlerts       = 1 // done: traces at or above --fail-level
	ExitUsage        = 2 // an error stopped the command before results: usage, unreadable input, password, interrupted
	ExitInconclusive = 3 // done, but the scan cannot say "no known traces": something was not read or checked
)

// Outcome sentinels returned by commands and turned into exit codes.
var (
	ErrAlerts = errors.New("alerts at or above the fail level")
	// ErrInconclusive: the scan ran but cannot say "no known traces".
	ErrInconclusive = errors.New("the scan is inconclusive")
	ErrUsage        = errors.New("usage error")
	// ErrInterrupted: Ctrl-C or SIGTERM stopped the command; what it was
	// writing has been removed.
	ErrInterrupted = errors.New("interrupted, nothing written")
)

// app holds what every sub-command shares.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	verbose        bool
	logFormat      string
	args           []string
	getenv         func(string) string
}

// Run runs the command line args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if queue.IsWorker() { // started by `spyscan serve` to run one scan at a lower priority
		return queue.WorkerMain(ctx, stdin, stdout, slog.New(slog.NewJSONHandler(stderr, nil)))
	}
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, args: args, getenv: os.Getenv}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrInterrupted) {
		// whatever failed on the way out was stopped by the user: never
		// blame the evidence ("corrupt input: context canceled")
		err = ErrInterrupted
	}
	code := ExitCode(err)
	if err != nil && !errors.Is(err, ErrAlerts) {
		fmt.Fprintf(stderr, "spyscan: %v\n", err)
	}
	return code
}

// ExitCode maps an outcome to the process exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrAlerts):
		return ExitAlerts
	case errors.Is(err, ErrInconclusive):
		return ExitInconclusive
	default:
		return ExitUsage
	}
}

// versionTemplateOnce guards the registration of the --version template
// function in cobra's global map.
var versionTemplateOnce sync.Once

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "spyscan",
		Short:         "Find traces of mercenary spyware and stalkerware on phones and in network traffic",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			l, err := newLogger(a.stderr, a.logFormat, a.verbose)
			if err != nil {
				return err
			}
			a.log = l
			return nil
		},
	}
	root.Version = Version // adds --version, which prints what `spyscan version` prints
	versionTemplateOnce.Do(func() {
		// cobra's template functions are one global map: registered once,
		// as Run may be called concurrently (the tests do).
		cobra.AddTemplateFunc("spyscanVersion", func() string { return versionText(context.Background()) })
	})
	root.SetVersionTemplate("{{spyscanVersion}}")
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "debug logging on stderr (key=value records)")
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "", "log format on stderr: plain (sentences, the default), text (key=value, the default with -v) or json")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fmt.Errorf("%w: %w", ErrUsage, err) })
	root.AddCommand(
		a.versionCmd(),
		a.iosCmd(),
		a.scanCmd(),
		a.iocsCmd(),
		a.reportCmd(),
		a.recheckCmd(),
		a.exportCmd(),
		a.androidCmd(),
		a.modulesCmd(),
		a.serveCmd(),
	)
	completeFlags(root)
	return root
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and embedded indicators of spyscan",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(a.stdout, versionText(cmd.Context()))
			return nil
		},
	}
}

// versionText is what `spyscan version` and `spyscan --version` print.
func versionText(ctx context.Context) string {
	commit, date := buildFacts()
	var b strings.Builder
	fmt.Fprintf(&b, "spyscan %s\n", Version)
	fmt.Fprintf(&b, "commit      %s\n", dash(commit))
	fmt.Fprintf(&b, "built       %s\n", dash(date))
	fmt.Fprintf(&b, "go          %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	set, err := indicators.Load(ctx, indicators.Options{}) // the embedded snapshot only
	if err != nil {
		fmt.Fprintf(&b, "indicators  embedded snapshot unreadable: %v\n", err)
		return b.String()
	}
	newest, n := "", 0
	for _, s := range set.Sources {
		if s.Date > newest {
			newest = s.Date
		}
		n += s.Indicators()
	}
	fmt.Fprintf(&b, "indicators  embedded snapshot of %s: %d indicators from %d sources, digest %s\n", dash(newest), n, len(set.Sources), set.Digest())
	return b.String()
}
