package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/output"
)

// needArgs accepts between min and max positional arguments (max < 0: no
// upper limit); otherwise it is a usage error that says what to give.
func needArgs(min, max int, hint string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) < min && len(args) == 0:
			return fmt.Errorf("%w: nothing given: %s", ErrUsage, hint)
		case len(args) < min:
			return fmt.Errorf("%w: %d given, %d needed: %s", ErrUsage, len(args), min, hint)
		case max >= 0 && len(args) > max:
			return fmt.Errorf("%w: %d given, at most %d: %s", ErrUsage, len(args), max, hint)
		}
		return nil
	}
}

// isResultFolder reports whether p is a spyscan result folder (info.json
// and modules/ side by side), which scan should not be given.
func isResultFolder(p string) bool {
	if _, err := os.Stat(filepath.Join(p, output.InfoFile)); err != nil {
		return false
	}
	st, err := os.Stat(filepath.Join(p, "modules"))
	return err == nil && st.IsDir()
}

// checkLang refuses a language without a catalog, naming those there are.
func checkLang(lang string) error {
	if !i18n.Supported(lang) {
		return fmt.Errorf("%w: --lang %s: no such language; spyscan speaks %s", ErrUsage, lang, strings.Join(i18n.Languages(), ", "))
	}
	return nil
}

// Shell completion of flag values (spyscan completion bash|zsh|fish|powershell).
var (
	levelNames = []string{"info", "low", "medium", "high", "critical"}
	logFormats = []string{logPlain, logText, logJSON}
)

func fixedValues(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFlags registers value completion for the flags of cmd and of
// every sub-command that has them: --lang, --fail-level, --format, --log-format.
func completeFlags(cmd *cobra.Command) {
	values := map[string][]string{
		"lang":       i18n.Languages(),
		"fail-level": levelNames,
		"log-format": logFormats,
	}
	for name, vals := range values {
		if cmd.Flags().Lookup(name) != nil || cmd.PersistentFlags().Lookup(name) != nil {
			cmd.RegisterFlagCompletionFunc(name, fixedValues(vals...))
		}
	}
	if f := cmd.Flags().Lookup("format"); f != nil {
		// the command's own formats are listed in its usage: "stix or misp", "zeek-intel or suricata"
		cmd.RegisterFlagCompletionFunc("format", fixedValues(formatsOf(cmd)...))
	}
	for _, sub := range cmd.Commands() {
		completeFlags(sub)
	}
}

// formatsOf lists the --format values a command accepts, as its Use line
// writes them ("export --format stix|misp DIR").
func formatsOf(cmd *cobra.Command) []string {
	_, rest, ok := strings.Cut(cmd.Use, "--format ")
	if !ok {
		return nil
	}
	vals, _, _ := strings.Cut(rest, " ")
	return strings.Split(vals, "|")
}
