package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spyscan/spyscan/internal/android/acquire/live"
	"github.com/spyscan/spyscan/internal/android/adb"
	"github.com/spyscan/spyscan/internal/output"
)

func (a *app) androidCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "android",
		Short: "Android tools: acquire a phone over adb",
	}
	cmd.AddCommand(a.androidAcquireCmd())
	return cmd
}

func (a *app) androidAcquireCmd() *cobra.Command {
	var out, serial, addr string
	var noBugreport bool
	var apks string
	var backupSMS bool
	cmd := &cobra.Command{
		Use:   "acquire --output DIR",
		Short: "Copy what androidqf collects from a USB-connected Android phone into DIR (read-only files, hashes.csv)",
		Long: "Talks to a running adb server (start it with `adb start-server`; USB debugging enabled and this computer\n" +
			"authorised on the phone). Collects properties, settings, packages with APK hashes, processes, dumpsys, logcat,\n" +
			"a bugreport, a files list, root binaries and mounts into an androidqf-compatible folder that `spyscan scan DIR`\n" +
			"and MVT can check. Nothing is installed on the phone and no setting is changed. See docs/android-acquire.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("%w: --output is required", ErrUsage)
			}
			switch apks {
			case live.APKsThirdParty, live.APKsAll, live.APKsNone:
			default:
				return fmt.Errorf("%w: --apks must be third-party, all or none", ErrUsage)
			}
			home, _ := os.UserHomeDir()
			_, existed := os.Stat(out)
			info, err := live.Acquire(cmd.Context(), live.Options{
				Output: out, Serial: serial, Client: &adb.Client{Addr: addr}, Bugreport: !noBugreport, APKs: apks, BackupSMS: backupSMS,
				Version: Version, HostKeyPath: filepath.Join(home, ".android", "adbkey.pub"), Log: a.log,
				Progress: func(step string) {
					if step == "backup" {
						fmt.Fprintln(a.stderr, "unlock the phone and confirm the backup on its screen (a password there encrypts backup.ab)")
					}
					fmt.Fprintf(a.stderr, "collecting %s...\n", step)
				},
			})
			if err != nil && cmd.Context().Err() != nil {
				if existed != nil { // an interrupted acquisition is not kept half-made
					output.RemoveAll(out)
				}
				return ErrInterrupted
			}
			if err != nil {
				if errors.Is(err, live.ErrNoDevice) {
					return fmt.Errorf("%w: %w", ErrUsage, err)
				}
				return err
			}
			fmt.Fprintf(a.stdout, "acquisition %s: %d files in %s", info.UUID, len(info.Collected), out)
			if len(info.Errors) > 0 {
				fmt.Fprintf(a.stdout, ", %d steps failed (see command.log)", len(info.Errors))
			}
			fmt.Fprintf(a.stdout, "\ncheck it with: spyscan scan %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "folder to create for the acquisition (must not exist or be empty)")
	cmd.Flags().StringVar(&serial, "serial", "", "device serial as listed by adb devices, when several are connected")
	cmd.Flags().StringVar(&addr, "adb-addr", adb.DefaultAddr, "address of the adb server")
	cmd.Flags().BoolVar(&noBugreport, "no-bugreport", false, "skip the bugreport (it takes several minutes)")
	cmd.Flags().BoolVar(&backupSMS, "backup-sms", false, "also take an adb backup of the SMS/MMS provider into backup.ab (confirm it on the phone)")
	cmd.Flags().StringVar(&apks, "apks", live.APKsThirdParty, "APKs copied into apks/ to read their signing certificates: third-party, all or none")
	return cmd
}
