package packages

import (
	"reflect"
	"testing"
)

// TestPkgCodec: a package comes back from the spill queue field for field,
// a nil permission list as nil and an empty one as empty.
func TestPkgCodec(t *testing.T) {
	for _, p := range []Package{
		{},
		{PackageName: "com.a.b", UID: "10001", VersionName: "1.0 beta", VersionCode: "42", CodePath: "/data/app/x",
			Installer: "com.android.vending", System: true, Timestamp: "2024-01-01 10:00:00",
			FirstInstallTime: "2024-01-01 10:00:00", LastUpdateTime: "2024-02-01", GrantedPermissions: []string{"a", "", "b\xff"}},
		{PackageName: "x\x00y", Disabled: true, GrantedPermissions: []string{}},
		{System: true, Disabled: true, GrantedPermissions: []string{"only"}},
		{PackageName: "p", Permissions: []Permission{{Name: "d", Type: PermDeclared}, {Name: "i", Type: PermInstall, Granted: GrantedTrue},
			{Name: "r", Type: PermRuntime, Granted: GrantedFalse}, {Name: "", Type: PermRuntime}}, RequestedPermissions: []string{"a.B", "a.C: restricted=true"}},
		{PackageName: "q", Permissions: []Permission{}, RequestedPermissions: []string{}},
	} {
		var got Package
		if err := pkgCodec.Decode(pkgCodec.Append(nil, &p), &got); err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		if !reflect.DeepEqual(got, p) || (got.GrantedPermissions == nil) != (p.GrantedPermissions == nil) ||
			(got.Permissions == nil) != (p.Permissions == nil) || (got.RequestedPermissions == nil) != (p.RequestedPermissions == nil) {
			t.Errorf("got %#v, want %#v", got, p)
		}
	}
	var got Package
	if err := pkgCodec.Decode([]byte{0x04, 'a'}, &got); err == nil {
		t.Error("a cut encoding decoded without error")
	}
}
