package backup

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// domainPatterns are the backup patterns of the iOS modules that list
// folders (safari_history, safari_browser_state, webkit folders,
// resource-load statistics, session resource logs).
var domainPatterns = []string{
	"HomeDomain/Library/Safari/Profiles/*/History.db", "AppDomain-*/Library/Safari/History.db",
	"AppDomain-*/Library/Safari/Profiles/*/History.db", "HomeDomain/Library/Safari/Profiles/*/BrowserState.db",
	"AppDomain-*/Library/Safari/BrowserState.db", "AppDomain-*/Library/Safari/Profiles/*/BrowserState.db",
	"AppDomain-*/Library/WebKit/WebsiteData/IndexedDB/*", "AppDomain-*/Library/WebKit/WebsiteData/IndexedDB/v1/*",
	"AppDomain-*/Library/WebKit/WebsiteData/LocalStorage/*",
	"AppDomain-*/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
	"AppDomain-*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db",
	"AppDomain-*/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist",
	"HomeDomain/Library/WebClips/*/Storage/full_browsing_session_resourceLog.plist",
}

// domainsBackup writes (once per process) a backup shaped like MVT's
// sample: 560 domains, 110 of them AppDomain folders with a Library of a
// few files, some with WebKit data, and about 3,700 files.
func domainsBackup(tb testing.TB) string {
	tb.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchDirs["domains"]; ok {
		return d
	}
	var files []iosgen.File
	add := func(domain, rel string) {
		files = append(files, iosgen.File{Domain: domain, RelativePath: rel, Data: []byte("x")})
	}
	for i := range 110 {
		d := fmt.Sprintf("AppDomain-com.example.app%03d", i)
		for _, rel := range []string{"Library/Preferences/com.example.plist", "Library/Caches/c.db", "Documents/d.json",
			"Library/Application Support/s.sqlite", "Library/Cookies/Cookies.binarycookies", "tmp/t", "Library/SplashBoard/Snapshots/a.ktx"} {
			add(d, rel)
		}
		for f := range i % 20 {
			add(d, fmt.Sprintf("Library/Caches/files/%02d", f))
		}
		if i%10 == 0 {
			add(d, "Library/WebKit/WebsiteData/LocalStorage/https_example.com_0.localstorage")
			add(d, "Library/WebKit/WebsiteData/IndexedDB/v1/https_example.com_0/IndexedDB.sqlite3")
			add(d, "Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db")
		}
	}
	for i := range 450 {
		d := fmt.Sprintf("AppDomainPlugin-com.example.plugin%03d", i)
		if i%2 == 1 {
			d = fmt.Sprintf("SysContainerDomain-com.apple.service%03d", i)
		}
		add(d, "Library/Preferences/p.plist")
		add(d, "Library/Caches/c")
	}
	for f := range 1000 {
		add("HomeDomain", fmt.Sprintf("Library/Media/%02d/%04d", f%40, f))
	}
	for _, rel := range []string{"Library/SMS/sms.db", "Library/Safari/History.db", "Library/Safari/Profiles/P1/History.db",
		"Library/WebClips/W1/Storage/full_browsing_session_resourceLog.plist"} {
		add("HomeDomain", rel)
	}
	if benchRoot == "" {
		var err error
		if benchRoot, err = os.MkdirTemp("", "backup-bench-*"); err != nil {
			tb.Fatal(err)
		}
	}
	dir := benchRoot + "/domains"
	if err := iosgen.WriteBackup(context.Background(), dir, iosgen.BackupSpec{Files: files}); err != nil {
		tb.Fatal(err)
	}
	benchDirs["domains"] = dir
	return dir
}

// TestFindAsFSGlob: artifact.Find on an opened backup returns, for each
// module pattern, what fs.Glob returns through the backup's FS.
func TestFindAsFSGlob(t *testing.T) {
	bk, err := Open(context.Background(), domainsBackup(t), Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer bk.Close()
	total := 0
	for _, p := range append(domainPatterns, "*", "*/Library", "AppDomain-*/Library/*", "HomeDomain/Library/Media/*/0001") {
		want, err := fs.Glob(bk, p)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		got := artifact.Find(bk, acquisition.IOSBackup, artifact.Spec{Backup: []string{p}})
		if !slices.Equal(got, want) {
			t.Errorf("%s: Find %d paths %q, fs.Glob %d %q", p, len(got), got, len(want), want)
		}
		total += len(got)
	}
	if total < 600 {
		t.Errorf("the patterns matched only %d paths", total)
	}
}

// BenchmarkFindDomains: the look-ups of the modules that list folders, on
// a backup of 560 domains (MVT's sample has 562).
func BenchmarkFindDomains(b *testing.B) {
	bk, err := Open(context.Background(), domainsBackup(b), Options{TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer bk.Close()
	spec := artifact.Spec{Backup: domainPatterns}
	b.ResetTimer()
	for range b.N {
		if got := artifact.Find(bk, acquisition.IOSBackup, spec); len(got) != 46 {
			b.Fatal(len(got), got)
		}
	}
}
