package modules_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/packages"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestPackagesGolden(t *testing.T) {
	modtest.GoldenCases(t, packages.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		for _, want := range []struct {
			level model.Level
			ind   bool
			sub   string
		}{
			{model.Critical, true, androiddata.StalkerAppID},
			{model.Medium, false, "com.topjohnwu.magisk\" is a tool to root"},
			{model.Medium, false, "\"" + androiddata.StalkerAppID + "\" has no installer"},
			{model.Medium, false, "\"org.fdroid.fdroid\" was installed from an APK"},
			{model.Info, false, "third-party store (org.fdroid.fdroid)"},
			{model.Medium, false, "Security package \"com.sec.android.soagent\" is disabled"},
		} {
			if !modtest.HasAlert(res, want.level, want.ind, want.sub) {
				t.Errorf("missing alert %q", want.sub)
			}
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeAppID)
		if len(res.Records) != 11 {
			t.Errorf("%d packages", len(res.Records))
		}
		// every key of MVT's DumpsysPackages records (dac4acb), on every record
		modtest.WantMVTKeys(t, res, nil, mvtPackageKeys, nil)
		for _, r := range res.Records {
			var m map[string]any
			if err := json.Unmarshal(r, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range mvtPackageKeys {
				if _, ok := m[k]; !ok {
					t.Errorf("%v has no %s", m["package_name"], k)
				}
			}
		}
	})
}

// mvtPackageKeys are the keys of MVT's DumpsysPackages records (dac4acb,
// and its output on its bugreport sample).
var mvtPackageKeys = []string{"package_name", "uid", "version_name", "version_code", "timestamp", "first_install_time", "last_update_time",
	"installer", "system", "permissions", "requested_permissions"}

func TestPackagesCut(t *testing.T) {
	res := modtest.CutSection(t, packages.New(), "DUMP OF SERVICE package:", "Packages:\n  Package [com.a.b] (1):\n    userId=10001\n    installerPackageName=com.android.vending\n")
	if len(res.Records) != 1 {
		t.Errorf("cut package not kept: %d", len(res.Records))
	}
}

// FuzzPackagesParser: any text gives at most one package per "  Package
// [" line, at most one permission or requested permission per line, and
// records that encode as JSON.
func FuzzPackagesParser(f *testing.F) {
	f.Add("Packages:\n  Package [a.b] (1):\n    userId=1\n    User 0: enabled=3\n      runtime permissions:\n        x: granted=true\n    pkgFlags=[ SYSTEM ]\n\n")
	f.Add("Packages:\n  Package [\n    =\n    User :")
	f.Add("Packages:\n  Package [a.b] (1):\n    declared permissions:\n      a.P: prot=signature, INSTALLED\n    requested permissions:\n      a.Q\n    install permissions:\n      a.R: granted=true\n      :\n    User 0: installed=true\n      install permissions:\n        a.S\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		lines := strings.Split(s, "\n")
		p := packages.Parser{Emit: func(pk packages.Package) {
			n++
			if len(pk.Permissions)+len(pk.RequestedPermissions) > len(lines) {
				t.Fatalf("%d permissions from %d lines", len(pk.Permissions)+len(pk.RequestedPermissions), len(lines))
			}
			if _, err := json.Marshal(pk); err != nil {
				t.Fatal(err)
			}
		}}
		for _, l := range lines {
			p.Line(l)
		}
		p.Flush()
		if n > strings.Count(s, "  Package [") {
			t.Fatalf("%d packages", n)
		}
	})
}

// TestPackagesSpilled: 5,011 packages (more than the 1 MiB kept in memory
// between the pass and the report, so most wait on disk) are recorded as
// the parser emits them, in the same order, and the queue's files are gone
// once the module is done.
func TestPackagesSpilled(t *testing.T) {
	files := androiddata.AndroidQF(androiddata.Options{Packages: 5000})
	dump := string(files["dumpsys.txt"])
	_, section, ok := strings.Cut(dump, "DUMP OF SERVICE package:\n")
	if !ok {
		t.Fatal("no package service in the generated dump")
	}
	section, _, _ = strings.Cut(section, "DUMP OF SERVICE ")
	var want []string // the records, as the recorder keeps them: JSON
	p := packages.Parser{Emit: func(pk packages.Package) {
		b, err := json.Marshal(pk)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, string(b))
	}}
	for _, l := range strings.Split(section, "\n") {
		p.Line(l)
	}
	p.Flush()
	if len(want) != 5011 {
		t.Fatalf("parser emitted %d packages", len(want))
	}
	dir, tmp := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dumpsys.txt"), files["dumpsys.txt"], 0o644); err != nil {
		t.Fatal(err)
	}
	rec := module.NewRecorder(packages.Name, modtest.Index(t), nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: os.DirFS(dir)}, Index: modtest.Index(t), TempDir: tmp}
	if err := packages.New().Run(context.Background(), in, rec); err != nil {
		t.Fatal(err)
	}
	res := rec.Result()
	if res.Status != "" && res.Status != model.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("status %q, errors %v", res.Status, res.Errors)
	}
	if len(res.Records) != len(want) {
		t.Fatalf("%d records, %d packages", len(res.Records), len(want))
	}
	for i, r := range res.Records {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want[i] {
			t.Fatalf("record %d: %s, want %s", i, b, want[i])
		}
	}
	if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
		t.Errorf("temporary folder holds %d files after the module (%v)", len(left), err)
	}
}

// BenchmarkDumpsysPackages5000 parses the package section of a dumpsys with 5,000
// packages.
func BenchmarkDumpsysPackages5000(b *testing.B) {
	files := androiddata.AndroidQF(androiddata.Options{Packages: 5000})
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dumpsys.txt"), files["dumpsys.txt"], 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(files["dumpsys.txt"])))
	b.ResetTimer()
	for range b.N {
		rec := module.NewRecorder(packages.Name, modtest.Index(b), nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: os.DirFS(dir)}, Index: modtest.Index(b), TempDir: dir}
		if err := (packages.New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if r := rec.Result(); len(r.Records) != 5011 {
			b.Fatalf("%d records", len(r.Records))
		}
	}
}

// TestPackagePermissions: the permission lists of a package, as MVT reads
// them (`permissions`: declared and install permissions in order, then the
// runtime permissions of the primary user; `requested_permissions`: the
// lines as written). The lines are from real dumps: MVT's bugreport sample
// (a Samsung, Android 10) and its dumpsys_packages.txt sample; the last
// cases are layouts the readers must not mistake for permissions.
func TestPackagePermissions(t *testing.T) {
	declared := func(n string) packages.Permission {
		return packages.Permission{Name: n, Type: packages.PermDeclared}
	}
	perm := func(n, typ string, g packages.Grant) packages.Permission {
		return packages.Permission{Name: n, Type: typ, Granted: g}
	}
	for _, c := range []struct {
		name      string
		lines     string // after "    userId=1"
		perms     []packages.Permission
		requested []string
	}{
		{"declared", `    declared permissions:
      com.instagram.android.permission.SYSTEM_ONLY: prot=signature|privileged, INSTALLED
      com.instagram.android.permission.RECEIVE_ADM_MESSAGE: prot=signature, INSTALLED
    User 0: ceDataInode=-4294835341 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=4 instant=false virtual=false
`, []packages.Permission{declared("com.instagram.android.permission.SYSTEM_ONLY"), declared("com.instagram.android.permission.RECEIVE_ADM_MESSAGE")}, nil},
		{"install then user", `    install permissions:
      com.google.android.finsky.permission.BIND_GET_INSTALL_REFERRER_SERVICE: granted=true
      android.permission.USE_CREDENTIALS: granted=true
    User 0: ceDataInode=-4294835341 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=4 instant=false virtual=false
      lastDisabledCaller: auto_disabler
      gids=[3002, 3003, 3001]
`, []packages.Permission{perm("com.google.android.finsky.permission.BIND_GET_INSTALL_REFERRER_SERVICE", packages.PermInstall, packages.GrantedTrue),
			perm("android.permission.USE_CREDENTIALS", packages.PermInstall, packages.GrantedTrue)}, nil},
		{"runtime, flags, then disabled components", `    User 0: ceDataInode=-4294835341 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=4 instant=false virtual=false
      runtime permissions:
        android.permission.ACCESS_FINE_LOCATION: granted=false, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
        android.permission.READ_EXTERNAL_STORAGE: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED|RESTRICTION_INSTALLER_EXEMPT|RESTRICTION_UPGRADE_EXEMPT]
      disabledComponents:
        com.instagram.direct.share.handler.DirectExternalMediaShareActivityVideoInterop
`, []packages.Permission{perm("android.permission.ACCESS_FINE_LOCATION", packages.PermRuntime, packages.GrantedFalse),
			perm("android.permission.READ_EXTERNAL_STORAGE", packages.PermRuntime, packages.GrantedFalse)}, nil},
		{"requested, declared after it", `    declared permissions:
      com.sec.android.app.DataCreate.permission.KEYSTRING: prot=signature|privileged, INSTALLED
    requested permissions:
      android.permission.ACCESS_WIFI_STATE
      android.permission.INTERNET
    install permissions:
      android.permission.WRITE_SETTINGS: granted=true
`, []packages.Permission{declared("com.sec.android.app.DataCreate.permission.KEYSTRING"), perm("android.permission.WRITE_SETTINGS", packages.PermInstall, packages.GrantedTrue)},
			[]string{"android.permission.ACCESS_WIFI_STATE", "android.permission.INTERNET"}},
		{"requested with restriction kept as written", "    requested permissions:\n      android.permission.READ_SMS: restricted=true\n    pkgFlags=[ HAS_CODE ]\n",
			nil, []string{"android.permission.READ_SMS: restricted=true"}},
		{"runtime of user 0 over user 10", "    User 10: installed=true\n      runtime permissions:\n        a.B: granted=true\n    User 0: installed=true\n      runtime permissions:\n        a.C: granted=false\n",
			[]packages.Permission{perm("a.C", packages.PermRuntime, packages.GrantedFalse)}, nil},
		{"runtime of the first user without user 0", "    User 10: installed=true\n      runtime permissions:\n        a.B: granted=true\n    User 11: installed=true\n      runtime permissions:\n        a.C: granted=true\n",
			[]packages.Permission{perm("a.B", packages.PermRuntime, packages.GrantedTrue)}, nil},
		{"no granted= is null", "    install permissions:\n      a.B\n      a.C: flags=[ X ]\n",
			[]packages.Permission{perm("a.B", packages.PermInstall, packages.GrantedUnknown), perm("a.C", packages.PermInstall, packages.GrantedUnknown)}, nil},
		{"list nested in a user block ends at its sibling", "    User 0: installed=true\n      install permissions:\n        a.B: granted=true\n      runtime permissions:\n        a.C: granted=true\n",
			[]packages.Permission{perm("a.B", packages.PermInstall, packages.GrantedTrue), perm("a.C", packages.PermRuntime, packages.GrantedTrue)}, nil},
		{"no lists", "    versionName=1.0\n    timeStamp=2008-12-31 16:00:00\n", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []packages.Package
			p := packages.Parser{Emit: func(pk packages.Package) { got = append(got, pk) }}
			for _, l := range strings.Split("Packages:\n  Package [a.b] (1):\n    userId=1\n"+c.lines, "\n") {
				p.Line(l)
			}
			p.Flush()
			if len(got) != 1 {
				t.Fatalf("%d packages", len(got))
			}
			want := c.perms
			if want == nil {
				want = []packages.Permission{}
			}
			req := c.requested
			if req == nil {
				req = []string{}
			}
			if !reflect.DeepEqual(got[0].Permissions, want) || !reflect.DeepEqual(got[0].RequestedPermissions, req) {
				t.Errorf("permissions %+v, requested %q; want %+v, %q", got[0].Permissions, got[0].RequestedPermissions, want, req)
			}
		})
	}
}

// TestPermissionJSON: MVT's objects: a declared permission has no
// "granted", an install or runtime one true, false or null.
func TestPermissionJSON(t *testing.T) {
	for _, c := range []struct {
		p    packages.Permission
		want string
	}{
		{packages.Permission{Name: "a.<B>", Type: packages.PermDeclared}, `{"name":"a.\u003cB\u003e","type":"declared"}`},
		{packages.Permission{Name: "a", Type: packages.PermInstall, Granted: packages.GrantedTrue}, `{"name":"a","granted":true,"type":"install"}`},
		{packages.Permission{Name: "a", Type: packages.PermRuntime, Granted: packages.GrantedFalse}, `{"name":"a","granted":false,"type":"runtime"}`},
		{packages.Permission{Name: "a", Type: packages.PermInstall}, `{"name":"a","granted":null,"type":"install"}`},
	} {
		b, err := json.Marshal(c.p)
		if err != nil || string(b) != c.want {
			t.Errorf("%+v: %s, %v; want %s", c.p, b, err, c.want)
		}
	}
}

// BenchmarkPackagesParser: the package section of a generated androidqf
// dump with 5,000 packages (each with install permissions, some with
// runtime ones), parsed and each package encoded as the recorder encodes
// its record (module.JSONAppender, else json.Marshal).
func BenchmarkPackagesParser(b *testing.B) {
	dump := string(androiddata.AndroidQF(androiddata.Options{Packages: 5000})["dumpsys.txt"])
	_, section, _ := strings.Cut(dump, "DUMP OF SERVICE package:\n")
	section, _, _ = strings.Cut(section, "DUMP OF SERVICE ")
	lines := strings.Split(section, "\n")
	b.SetBytes(int64(len(section)))
	b.ReportAllocs()
	for b.Loop() {
		var buf []byte
		p := packages.Parser{Emit: func(pk packages.Package) {
			var err error
			if a, ok := any(pk).(module.JSONAppender); ok {
				buf, err = a.AppendJSON(buf[:0])
			} else {
				buf, err = json.Marshal(pk)
			}
			if err != nil {
				b.Fatal(err)
			}
		}}
		for _, l := range lines {
			p.Line(l)
		}
		p.Flush()
	}
}
