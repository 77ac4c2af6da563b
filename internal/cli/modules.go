package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/scan"
)

func (a *app) modulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "modules",
		Short: "The artifact modules (list them; choose some with scan --modules)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List every module with its version and the inputs it reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.listModules(scan.Modules())
			return nil
		},
	})
	return cmd
}

// listModules prints one line per module: name, version, input kinds.
func (a *app) listModules(mods []module.Module) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tVERSION\tREADS")
	for _, m := range mods {
		var kinds []string
		for _, k := range acquisition.Kinds() {
			if m.Applies(k) {
				kinds = append(kinds, string(k))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", m.Name(), m.Version(), strings.Join(kinds, ", "))
	}
	tw.Flush()
}

// selectModules returns the modules named by --modules (comma-separated),
// or nil (every module) when the flag is not given.
func selectModules(names []string) ([]module.Module, error) {
	if names == nil {
		return nil, nil
	}
	mods, err := scan.Select(scan.Modules(), names)
	if err != nil {
		return nil, fmt.Errorf("%w: --modules: %w (see spyscan modules list)", ErrUsage, err)
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("%w: --modules: no module named (see spyscan modules list)", ErrUsage)
	}
	return mods, nil
}
