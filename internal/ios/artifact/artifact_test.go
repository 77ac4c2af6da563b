package artifact

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
)

func TestFind(t *testing.T) {
	spec := Spec{
		Backup: []string{"HomeDomain/Library/SMS/sms.db", "AppDomainGroup-*/ChatStorage.sqlite"},
		Dump:   []string{"private/var/mobile/Library/SMS/sms.db", "private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite"},
	}
	backup := fstest.MapFS{
		"HomeDomain/Library/SMS/sms.db":                 {},
		"AppDomainGroup-group.a/ChatStorage.sqlite":     {},
		"AppDomainGroup-group.b/ChatStorage.sqlite":     {},
		"AppDomainGroup-group.c/Other.sqlite":           {},
		"HomeDomain/Library/SMS/sms.db-wal":             {},
		"CameraRollDomain/Media/DCIM/100APPLE/IMG.JPEG": {},
	}
	dump := fstest.MapFS{
		"var/mobile/Library/SMS/sms.db":                                          {},
		"private/var/mobile/Containers/Shared/AppGroup/UUID1/ChatStorage.sqlite": {},
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		kind acquisition.Kind
		want []string
	}{
		{"backup", backup, acquisition.IOSBackup, []string{"AppDomainGroup-group.a/ChatStorage.sqlite", "AppDomainGroup-group.b/ChatStorage.sqlite", "HomeDomain/Library/SMS/sms.db"}},
		{"encrypted backup", backup, acquisition.IOSBackupEncrypted, []string{"AppDomainGroup-group.a/ChatStorage.sqlite", "AppDomainGroup-group.b/ChatStorage.sqlite", "HomeDomain/Library/SMS/sms.db"}},
		{"dump under var and private/var", dump, acquisition.IOSFilesystem, []string{"private/var/mobile/Containers/Shared/AppGroup/UUID1/ChatStorage.sqlite", "var/mobile/Library/SMS/sms.db"}},
		{"no sysdiagnose pattern", dump, acquisition.IOSSysdiagnose, nil},
		{"android kind", backup, acquisition.AndroidQF, nil},
	}
	for _, tt := range tests {
		if got := Find(tt.fsys, tt.kind, spec); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Find = %q, want %q", tt.name, got, tt.want)
		}
	}
	if !spec.Applies(acquisition.IOSFilesystem) || spec.Applies(acquisition.IOSSysdiagnose) {
		t.Error("Applies is wrong")
	}
}

// A "**" segment finds a file at any depth below a folder, as MVT's walk
// for Cache.db does.
func TestFindAnyDepth(t *testing.T) {
	spec := Spec{Dump: []string{"private/var/**/Cache.db"}}
	dump := fstest.MapFS{
		"private/var/mobile/Library/Caches/com.apple.x/Cache.db":                                  {},
		"private/var/mobile/Containers/Shared/AppGroup/U1/Library/Caches/com.y/Cache.db":          {},
		"private/var/mobile/Containers/Data/Application/U2/Library/Caches/com.z/fsCachedData/abc": {},
		"var/root/Cache.db":               {},
		"private/var/mobile/Cache.db-wal": {},
		"private/etc/Cache.db":            {},
	}
	want := []string{"private/var/mobile/Containers/Shared/AppGroup/U1/Library/Caches/com.y/Cache.db",
		"private/var/mobile/Library/Caches/com.apple.x/Cache.db", "var/root/Cache.db"}
	if got := Find(dump, acquisition.IOSFilesystem, spec); !reflect.DeepEqual(got, want) {
		t.Errorf("Find = %q, want %q", got, want)
	}
}

// glob returns what fs.Glob returns, in the same order, on a layout of
// domains, folders, files in place of folders, and symbolic links (one
// whose target is missing, one to a folder), held in memory and on disk.
func TestGlobAsFSGlob(t *testing.T) {
	files := []string{
		"HomeDomain/Library/SMS/sms.db", "HomeDomain/Library/SMS/sms.db-wal",
		"HomeDomain/Library/Safari/History.db", "HomeDomain/Library/Safari/Profiles/P1/History.db",
		"HomeDomain/Library/Safari/Profiles/P2/History.db", "HomeDomain/Library/Safari/Profiles/file",
		"AppDomain-a/Library/Safari/History.db", "AppDomain-b/Library/Safari/Profiles/X/History.db",
		"AppDomain-c/Library", "AppDomain-d/Library/WebKit/WebsiteData/IndexedDB/v1/k",
		"AppDomain-d/Library/WebKit/WebsiteData/IndexedDB/x", "AppDomain-e/Library/WebKit/WebsiteData/LocalStorage/s",
		"AppDomainGroup-g/ChatStorage.sqlite", "a[b]/c", "a*b/c", "Manifest.db", "Info.plist",
	}
	patterns := []string{
		"HomeDomain/Library/SMS/sms.db", "HomeDomain/Library/SMS/*", "HomeDomain/Library/Safari/Profiles/*/History.db",
		"AppDomain-*/Library/Safari/History.db", "AppDomain-*/Library/Safari/Profiles/*/History.db",
		"AppDomain-*/Library/WebKit/WebsiteData/IndexedDB/*", "AppDomain-*/Library/WebKit/WebsiteData/IndexedDB/v1/*",
		"AppDomain-*/Library/*", "AppDomain-c/Library/*", "*", "*/*", "*/Library", "*/Library/*/History.db",
		"AppDomain-?/Library/Safari/History.db", "AppDomain-[a-c]/Library", `a\[b]/c`, `a\*b/c`, "a[b]/c", "a[/c",
		"*.db", "Info.plist", "Absent/*", "*/Absent", "AppDomainGroup-*/ChatStorage.sqlite", "link*/*", "link-dir/*",
		"*/dangling", "links/*", "links/dangling",
	}
	mem := fstest.MapFS{}
	disk := t.TempDir()
	for _, f := range files {
		mem[f] = &fstest.MapFile{Data: []byte("x")}
		p := filepath.Join(disk, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(disk, "links"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := [][2]string{{"links/dangling", "absent"}, {"link-dir", "HomeDomain/Library"}}
	for _, l := range links {
		if err := os.Symlink(l[1], filepath.Join(disk, filepath.FromSlash(l[0]))); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	for name, fsys := range map[string]fs.FS{"memory": mem, "disk": os.DirFS(disk)} {
		for _, p := range patterns {
			want, _ := fs.Glob(fsys, p)
			if got := glob(fsys, p); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: glob(%q) = %q, fs.Glob = %q", name, p, got, want)
			}
		}
	}
}
