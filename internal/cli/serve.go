package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/lab"
)

func (a *app) serveCmd() *cobra.Command {
	var cfg lab.Config
	var initAdmin bool
	var adminName string
	var maxUploadMB int64
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the lab: a case store and web interface, with retro-hunt when indicators change",
		Long: "Serves the lab's web interface (http://127.0.0.1:8080/ by default) over a case store: embedded SQLite in --data,\n" +
			"or PostgreSQL with --db or SPYSCAN_LAB_DB (a DSN such as postgres://user@host/db). Scans run in the background;\n" +
			"when the indicators change, every stored scan is checked again without its acquisition.\n" +
			"First run `spyscan serve --init-admin`: it creates the account \"admin\" and prints its one-time password.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if cfg.DSN == "" {
				cfg.DSN = a.getenv("SPYSCAN_LAB_DB")
			}
			cfg.MaxUpload = maxUploadMB << 20
			cfg.Version, cfg.Log = fullVersion(), a.log
			// Scans run in worker processes of lower priority (this
			// program again), so that pages stay quick while they run.
			if exe, err := os.Executable(); err == nil {
				cfg.ScanWorker = []string{exe}
			} else {
				a.log.Warn("scans run in the server's process", "err", err)
			}
			l, err := lab.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer l.Close()
			if initAdmin {
				pw, err := l.InitAdmin(ctx, adminName)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "account %q, one-time password (shown once; you choose your own at the first login):\n\n    %s\n\n"+
					"then run: spyscan serve --data %s\n", adminName, pw, cfg.DataDir)
				return nil
			}
			ln, err := l.Listen()
			if err != nil {
				return fmt.Errorf("%w: %v", ErrUsage, err)
			}
			fmt.Fprintf(a.stdout, "spyscan lab: %s (data: %s, store: %s)\n", lab.URL(ln.Addr().String(), cfg.TLSCert != ""), cfg.DataDir, l.Store.Where())
			return l.Serve(ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data", "spyscan-lab", "data folder: store, uploads, result folders")
	f.StringVar(&cfg.DSN, "db", "", "PostgreSQL DSN instead of SQLite (prefer SPYSCAN_LAB_DB: a flag shows in the process list)")
	f.StringVar(&cfg.Listen, "listen", lab.DefaultListen, "address to listen on (beyond this machine only with TLS)")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate (PEM)")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key (PEM)")
	f.StringArrayVar(&cfg.Roots, "root", nil, "server folder acquisitions may be added from by path (repeatable)")
	f.IntVar(&cfg.Workers, "workers", 0, "scans run at once (default: one per core)")
	f.IntVar(&cfg.MaxQueued, "max-queued", 100, "scans that may wait in the queue")
	f.Int64Var(&maxUploadMB, "max-upload-mb", 16<<10, "largest upload, in MiB")
	f.StringArrayVar(&cfg.IOCPaths, "iocs", nil, "more STIX 2.1 indicator files or folders (repeatable)")
	f.BoolVar(&cfg.NoEmbedded, "no-embedded-iocs", false, "leave out the indicator snapshot embedded in spyscan")
	f.BoolVar(&initAdmin, "init-admin", false, "create the administrator account (or give it a new one-time password), print its one-time password and exit")
	f.StringVar(&adminName, "admin-name", "admin", "name of the account --init-admin creates")
	return cmd
}
