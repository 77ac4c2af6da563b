package artifact

import (
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
