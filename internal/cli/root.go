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
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=...".
var Version = "0.1.0-dev"

// fullVersion is Version plus the VCS revision Go stamps into the binary
// when built from a checkout, so a report names the exact code that made it.
func fullVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return Version
	}
	if dirty {
		rev += "-dirty"
	}
	return Version + " (" + rev + ")"
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
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, args: args, getenv: os.Getenv}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
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
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "debug logging on stderr (key=value records)")
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "", "log format on stderr: plain (sentences, the default), text (key=value, the default with -v) or json")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fmt.Errorf("%w: %v", ErrUsage, err) })
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
	)
	return root
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the spyscan version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "spyscan %s\n", fullVersion())
			return nil
		},
	}
}
