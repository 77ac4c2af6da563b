// Command gen-ios-bench writes the large synthetic iTunes/Finder backup of
// the end-to-end iOS benchmark (bench/ios.sh): every artifact fixture of
// internal/testgen/iosdata (with their planted
// indicator hits and clean look-alikes), with about -rows database rows
// spread over sms.db, Safari's History.db, DataUsage.sqlite and WebKit's
// observations.db, padded with small filler files (photos in MediaDomain,
// app caches and documents in AppDomain-*) up to -files files. Output is
// deterministic: same flags, same bytes (apart from file system metadata).
//
//	go run ./internal/testgen/iosgen/cmd/gen-ios-bench -out DIR [-files 100000] [-rows 1000000]
//	go run ./internal/testgen/iosgen/cmd/gen-ios-bench -out DIR -encrypted -password P
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func main() {
	out := flag.String("out", "", "backup folder to create (must not exist or be empty)")
	files := flag.Int("files", 100_000, "number of files in the backup")
	rows := flag.Int("rows", 1_000_000, "database rows spread over sms.db, History.db, DataUsage.sqlite and observations.db")
	encrypted := flag.Bool("encrypted", false, "write an encrypted backup (needs -password)")
	password := flag.String("password", "", "password of the encrypted backup")
	flag.Parse()
	if *out == "" || (*encrypted && *password == "") || *files < 1 || *rows < 0 {
		fmt.Fprintln(os.Stderr, "usage: gen-ios-bench -out DIR [-files N] [-rows N] [-encrypted -password P]")
		os.Exit(2)
	}
	pw := ""
	if *encrypted {
		pw = *password
	}
	start := time.Now()
	n, err := run(context.Background(), *out, *files, *rows, pw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-ios-bench:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen-ios-bench: wrote %s: %d files, %d rows, %d bytes of file data, in %s\n",
		*out, *files, n.rows, n.bytes, time.Since(start).Round(time.Millisecond))
}

type counts struct{ rows, bytes int64 }

func run(ctx context.Context, out string, nfiles, nrows int, password string) (counts, error) {
	fixtures, rows, err := artifactFiles(ctx, nrows)
	if err != nil {
		return counts{}, err
	}
	files := append(fixtures, fillerFiles(nfiles-len(fixtures))...)
	var c counts
	for _, f := range files {
		c.bytes += int64(len(f.Data))
	}
	c.rows = rows
	spec := iosgen.BackupSpec{Device: iosgen.DemoDevice, Date: iosgen.DemoTime, Apps: apps(), Files: files,
		Password: password, Seed: 2024}
	if password != "" {
		spec.DPIC, spec.Iter = 10_000_000, 10_000 // what iOS 10.2+ devices use
	}
	return c, iosgen.WriteBackup(ctx, out, spec)
}

// Shares of the rows: sms.db messages, History.db visits, DataUsage.sqlite
// live-usage rows (plus one process per ten), observations.db domains (plus
// one redirect per domain).
func split(rows int) (sms, safari, usage, webkit int) {
	sms = rows * 40 / 100
	safari = rows * 30 / 100
	usage = rows * 165 / 1000 * 10 / 11 // 1.1 rows per filler unit
	webkit = rows * 135 / 1000 / 2      // 2 rows per filler unit
	return
}

// artifactFiles returns every backup fixture, the big databases sized from
// nrows, and the number of filler rows they hold.
func artifactFiles(ctx context.Context, nrows int) ([]iosgen.File, int64, error) {
	sms, safari, usage, webkit := split(nrows)
	rows := int64(sms + safari + usage + usage/10 + webkit + max(webkit-1, 0))
	var files []iosgen.File
	files = append(files, iosgen.DemoBackupFiles()...)
	files = append(files, iosdata.SMS(sms)...)
	files = append(files, iosdata.SafariHistory(safari)...)
	files = append(files, iosdata.DataUsage(usage)...)
	files = append(files, iosdata.Observations(webkit)...)
	files = append(files, iosdata.SessionResourceLog()...)
	files = append(files, iosdata.IDStatusCache()...)
	files = append(files, iosdata.Shortcuts()...)
	files = append(files, iosdata.InteractionC()...)
	files = append(files, iosdata.Calls()...)
	files = append(files, iosdata.Contacts()...)
	files = append(files, iosdata.WhatsApp()...)
	files = append(files, iosdata.TCC()...)
	files = append(files, iosdata.Calendar()...)
	files = append(files, iosdata.VersionHistory()...)
	files = append(files, iosdata.OSAnalyticsADDaily()...)
	files = append(files, iosdata.Applications()...)
	files = append(files, iosdata.LocationdClients()...)
	for _, gen := range []func(context.Context) ([]iosgen.File, error){iosdata.Analytics, iosdata.CacheFiles} {
		f, err := gen(ctx)
		if err != nil {
			return nil, 0, err
		}
		files = append(files, f...)
	}
	files = append(files, iosdata.GlobalPreferences(1)...)
	// Dump-only files (no backup domain) are not part of a backup.
	kept := files[:0]
	for _, f := range files {
		if f.Domain != "" {
			kept = append(kept, f)
		}
	}
	return kept, rows, nil
}

// apps are the installed apps: the demo's, plus the filler app containers.
func apps() []string {
	a := append([]string(nil), iosgen.DemoApps...)
	for i := range fillerApps {
		a = append(a, fillerApp(i))
	}
	return a
}

const fillerApps = 60

func fillerApp(i int) string { return fmt.Sprintf("com.example.app%02d", i) }

// fillerFiles returns n small files with realistic places and sizes:
// about a third photos and videos' thumbnails in MediaDomain, the rest
// caches, documents and preferences of the filler apps. Contents are
// pseudo-random (incompressible, like media) from a fixed seed.
func fillerFiles(n int) []iosgen.File {
	rng := rand.New(rand.NewPCG(2024, 11))
	base := iosgen.DemoTime.Add(-400 * 24 * time.Hour)
	files := make([]iosgen.File, 0, max(n, 0))
	for i := range max(n, 0) {
		size := 256 + rng.IntN(3840) // 256 B – 4 KiB
		data := make([]byte, size)
		for j := 0; j < size; j += 8 {
			v := rng.Uint64()
			for k := 0; k < 8 && j+k < size; k++ {
				data[j+k] = byte(v >> (8 * k))
			}
		}
		var dom, rel string
		switch app := fillerApp(i % fillerApps); i % 6 {
		case 0, 1:
			dom, rel = "MediaDomain", fmt.Sprintf("Media/DCIM/%03dAPPLE/IMG_%04d.JPG", 100+i/10000, i%10000)
		case 2:
			dom, rel = "MediaDomain", fmt.Sprintf("Media/PhotoData/Thumbnails/V2/DCIM/%03dAPPLE/IMG_%04d.JPG/5005.JPG", 100+i/10000, i%10000)
		case 3:
			dom, rel = "AppDomain-"+app, fmt.Sprintf("Library/Caches/com.example.cache/%02x/%08x", i%256, i)
		case 4:
			dom, rel = "AppDomain-"+app, fmt.Sprintf("Documents/Attachments/%04d/doc-%06d.pdf", i/100, i)
		default:
			dom, rel = "AppDomain-"+app, fmt.Sprintf("Library/Application Support/state/%06d.plist", i)
		}
		files = append(files, iosgen.File{Domain: dom, RelativePath: rel, Data: data,
			ModTime: base.Add(time.Duration(i) * time.Minute)})
	}
	return files
}
