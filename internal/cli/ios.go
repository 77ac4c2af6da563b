package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/backup"
)

func (a *app) iosCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ios",
		Short: "iOS tools (decrypt an encrypted backup)",
	}
	cmd.AddCommand(a.iosDecryptCmd())
	return cmd
}

func (a *app) iosDecryptCmd() *cobra.Command {
	var out, passwordFile string
	cmd := &cobra.Command{
		Use:   "decrypt --output DIR BACKUP",
		Short: "Write a decrypted copy of an encrypted iTunes/Finder backup",
		Long: "Decrypts an encrypted iOS backup into DIR (Manifest.db and every file decrypted, Manifest.plist marked\n" +
			"not encrypted), so that spyscan scan and other tools read it as a plain backup. The password comes from\n" +
			"--password-file, SPYSCAN_BACKUP_PASSWORD, or a prompt. A wrong password writes nothing.",
		Args: needArgs(1, 1, "give the backup folder: spyscan ios decrypt --output DIR BACKUP"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("%w: --output DIR is required", ErrUsage)
			}
			if ents, err := os.ReadDir(out); err == nil && len(ents) > 0 {
				return fmt.Errorf("%w: output folder %s exists and is not empty: give a new folder with --output", ErrUsage, out)
			}
			if err := outsideEvidence(out, args); err != nil {
				return err
			}
			dir, ok := backup.Find(args[0])
			if !ok {
				return fmt.Errorf("%w: %s is not an iTunes/Finder backup folder", ErrUsage, args[0])
			}
			tmp, err := os.MkdirTemp("", "spyscan-decrypt-*")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			b, err := backup.Open(cmd.Context(), dir, backup.Options{Password: a.passwordSource(passwordFile), TempDir: tmp})
			if err != nil {
				if errors.Is(err, acquisition.ErrWrongPassword) || errors.Is(err, acquisition.ErrNeedPassword) {
					return fmt.Errorf("%w: %w", ErrUsage, err)
				}
				return err
			}
			defer b.Close()
			if !b.Encrypted {
				return fmt.Errorf("%w: %s is not encrypted; scan it directly", ErrUsage, dir)
			}
			_, statErr := os.Stat(out)
			created := os.IsNotExist(statErr)
			st, err := b.DecryptTo(cmd.Context(), out)
			if err != nil {
				if created { // interrupted or failed: leave no half-decrypted copy behind
					os.RemoveAll(out)
				}
				return err
			}
			for _, e := range st.Failed {
				a.log.Warn("file not decrypted", "err", e)
			}
			fmt.Fprintf(a.stdout, "decrypted %d files (%d bytes) into %s\n", st.Files, st.Bytes, out)
			if len(st.Failed) > 0 {
				return fmt.Errorf("%d files could not be decrypted (listed above)", len(st.Failed))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "folder to write the decrypted backup into (must be empty or absent)")
	cmd.Flags().StringVar(&passwordFile, "password-file", "", "file holding the backup password (first line)")
	return cmd
}
