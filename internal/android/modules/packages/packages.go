// Package packages owns the dumpsys package module: every installed
// package of the package service's "Packages:" list with its app id, uid,
// version, installer, flags, enabled state, install/update times and
// permissions (declared, install, runtime and requested, as MVT lists
// them). It
// checks app ids against indicators, applies the installed-package
// heuristics (root tools, installer is a browser, none or a third-party
// store, disabled security or update packages) and puts installs and
// updates on the timeline. Packages wait for the end of the pass over the
// dump in a spill queue: about 1 MiB of them in memory, whatever their number.
package packages

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/spill"
)

// Name is the module's name.
const Name = "dumpsys_packages"

// Package is one installed package.
type Package struct {
	PackageName        string   `json:"package_name"`
	UID                string   `json:"uid"`
	VersionName        string   `json:"version_name"`
	VersionCode        string   `json:"version_code"`
	CodePath           string   `json:"code_path"`
	Installer          string   `json:"installer"`
	System             bool     `json:"system"`
	Disabled           bool     `json:"disabled"`
	Timestamp          string   `json:"timestamp"`
	FirstInstallTime   string   `json:"first_install_time"`
	LastUpdateTime     string   `json:"last_update_time"`
	GrantedPermissions []string `json:"granted_runtime_permissions,omitempty"`
	// Permissions are the declared and install permissions in the dump's
	// order, then the runtime permissions of the user chosen as for
	// FirstInstallTime (MVT's `permissions`); RequestedPermissions the
	// lines of "requested permissions:" as written (MVT's
	// `requested_permissions`). Both are [] when the dump lists none.
	Permissions          []Permission `json:"permissions"`
	RequestedPermissions []string     `json:"requested_permissions"`
}

// Permission types, as MVT names them.
const (
	PermDeclared = "declared"
	PermInstall  = "install"
	PermRuntime  = "runtime"
)

// Permission is one permission a package declares, holds at install or
// holds at run time for a user.
type Permission struct {
	Name string
	Type string // PermDeclared, PermInstall or PermRuntime
	// Granted is the line's granted= value: GrantedUnknown when it has
	// none (null in JSON); a declared permission has no grant (no key).
	Granted Grant
}

// Grant is a permission line's granted= value.
type Grant int8

// Grant values.
const (
	GrantedUnknown Grant = iota
	GrantedFalse
	GrantedTrue
)

// Module is the dumpsys package module.
type Module struct{ dumpmod.Module[*state] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 3, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*state]{New: newParser, Report: reportDump})}
}

// Parser reads the package section line by line and hands each complete
// package to Emit.
type Parser struct {
	Emit  func(Package)
	state int // 0 before "Packages:", 1 in it, 2 done
	cur   *Package
	user  string // "User N:" block being read
	// block is the permission list being read (blockNone outside one) and
	// minInd the indentation its lines have: less ends it.
	block  int
	minInd int
	// granted runtime permissions and first install times by user ("" before
	// any "User N:" line): the primary user's are kept, else the first seen
	perms    map[string][]string
	installs map[string]string
	users    []string
	// runtime permissions by user, and the users in the order their first
	// runtime permission was seen
	runtime map[string][]Permission
	rtUsers []string
}

// Permission lists of a package.
const (
	blockNone = iota
	blockDeclared
	blockInstall
	blockRuntime
	blockRequested
)

// blocks are the headers of the permission lists, with the least
// indentation of their lines (MVT's: six spaces, eight for the runtime
// permissions of a "User N:" block); a list is also ended by a line no
// deeper than its header.
var blocks = map[string]struct{ block, minInd int }{
	"declared permissions:":  {blockDeclared, 6},
	"install permissions:":   {blockInstall, 6},
	"runtime permissions:":   {blockRuntime, 8},
	"requested permissions:": {blockRequested, 6},
}

// Line feeds one line.
func (p *Parser) Line(line string) {
	switch p.state {
	case 0:
		if strings.HasPrefix(line, "Packages:") {
			p.state = 1
		}
		return
	case 2:
		return
	}
	if strings.TrimSpace(line) == "" {
		p.Flush()
		p.state = 2
		return
	}
	if rest, ok := strings.CutPrefix(line, "  Package ["); ok {
		p.Flush()
		name, _, _ := strings.Cut(rest, "]")
		p.cur = &Package{PackageName: name}
		p.user, p.block = "", blockNone
		p.perms, p.installs, p.users = map[string][]string{}, map[string]string{}, nil
		p.runtime, p.rtUsers = nil, nil
		return
	}
	if p.cur == nil {
		return
	}
	p.field(line)
}

func (p *Parser) field(line string) {
	c := p.cur
	t := strings.TrimSpace(line)
	ind := dumpmod.Indent(line)
	if strings.HasPrefix(t, "User ") && strings.Contains(t, ":") {
		p.user, _, _ = strings.Cut(strings.TrimPrefix(t, "User "), ":")
		p.block = blockNone
		if p.user == "0" {
			for _, f := range strings.Fields(t) {
				if v, ok := strings.CutPrefix(f, "enabled="); ok {
					// 2 disabled, 3 disabled by the user, 4 disabled until used
					c.Disabled = v == "2" || v == "3" || v == "4"
				}
			}
		}
		return
	}
	if p.block != blockNone {
		if ind >= p.minInd {
			p.permission(t)
			return
		}
		p.block = blockNone
	}
	if b, ok := blocks[t]; ok {
		p.block, p.minInd = b.block, max(b.minInd, ind+1)
		return
	}
	key, val, ok := strings.Cut(t, "=")
	if !ok {
		return
	}
	switch key {
	case "userId":
		c.UID = val
	case "versionName":
		c.VersionName = val
	case "versionCode":
		c.VersionCode, _, _ = strings.Cut(val, " ")
	case "codePath":
		c.CodePath = val
	case "timeStamp":
		c.Timestamp = val
	case "installerPackageName":
		c.Installer = val
	case "pkgFlags":
		c.System = strings.Contains(" "+strings.Trim(val, "[]")+" ", " SYSTEM ")
	case "firstInstallTime":
		p.seen(p.user)
		p.installs[p.user] = val
	case "lastUpdateTime":
		c.LastUpdateTime = val
	}
}

// permission reads one line t (trimmed) of the permission list being
// read: "name", "name: prot=..." (declared), "name: granted=true, flags=[
// ... ]" (install, runtime) or a requested permission, kept as written.
func (p *Parser) permission(t string) {
	c := p.cur
	name, rest, _ := strings.Cut(t, ":")
	switch p.block {
	case blockRequested:
		c.RequestedPermissions = append(c.RequestedPermissions, t)
	case blockDeclared:
		c.Permissions = append(c.Permissions, Permission{Name: name, Type: PermDeclared})
	case blockInstall:
		c.Permissions = append(c.Permissions, Permission{Name: name, Type: PermInstall, Granted: grant(rest)})
	case blockRuntime:
		if strings.Contains(rest, "granted=true") {
			p.seen(p.user)
			p.perms[p.user] = append(p.perms[p.user], name)
		}
		if p.runtime == nil {
			p.runtime = map[string][]Permission{}
		}
		if _, ok := p.runtime[p.user]; !ok {
			p.rtUsers = append(p.rtUsers, p.user)
		}
		p.runtime[p.user] = append(p.runtime[p.user], Permission{Name: name, Type: PermRuntime, Granted: grant(rest)})
	}
}

// grant reads granted= in the text after a permission's name, up to the
// next colon (as MVT): unknown when it is not there.
func grant(rest string) Grant {
	rest, _, _ = strings.Cut(rest, ":")
	switch {
	case strings.Contains(rest, "granted=true"):
		return GrantedTrue
	case strings.Contains(rest, "granted="):
		return GrantedFalse
	}
	return GrantedUnknown
}

func (p *Parser) seen(user string) {
	if !slices.Contains(p.users, user) {
		p.users = append(p.users, user)
	}
}

// primary picks the user whose fields describe the package: the primary
// user 0, else the fields given outside any user block, else the first user
// of order (as MVT, since 2026-08).
func primary(order []string, has func(string) bool) string {
	for _, u := range []string{"0", ""} {
		if has(u) {
			return u
		}
	}
	for _, u := range order {
		if has(u) {
			return u
		}
	}
	return ""
}

// Flush emits the package being read.
func (p *Parser) Flush() {
	if p.cur != nil {
		u := primary(p.users, func(u string) bool { _, ok := p.perms[u]; return ok })
		p.cur.GrantedPermissions = p.perms[u]
		u = primary(p.users, func(u string) bool { _, ok := p.installs[u]; return ok })
		p.cur.FirstInstallTime = p.installs[u]
		u = primary(p.rtUsers, func(u string) bool { _, ok := p.runtime[u]; return ok })
		p.cur.Permissions = append(p.cur.Permissions, p.runtime[u]...)
		if p.cur.Permissions == nil {
			p.cur.Permissions = []Permission{}
		}
		if p.cur.RequestedPermissions == nil {
			p.cur.RequestedPermissions = []string{}
		}
		if p.Emit != nil {
			p.Emit(*p.cur)
		}
	}
	p.cur = nil
}

// newParser returns a fresh state and its parser. Packages are kept until
// Report, since the pass over the dump is shared with the other dumpsys
// modules: in a spill queue (at most pkgBudget bytes of them in memory, the
// rest in the scan's private temporary folder) rather than in a slice,
// which held ~0.7 KB of heap per package (14 MB for 20,000 packages, the
// largest term that grew with an androidqf acquisition).
func newParser(in *module.Input) (*state, dumpmod.Parser) {
	st := &state{pkgs: spill.New(in.TempDir, pkgBudget, pkgCodec)}
	st.p.Emit = func(pk Package) {
		if err := st.pkgs.Add(pk); err != nil && st.err == nil {
			st.err = err
		}
	}
	return st, dumpmod.OnService("package", st.p.Line)
}

// pkgBudget bounds the packages held in memory between the pass and Report.
const pkgBudget = 1 << 20

type state struct {
	p    Parser
	pkgs *spill.Sorter[Package] // in the order emitted (pkgCodec.Compare is 0)
	err  error                  // the first spill failure
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, st *state) error {
	defer st.pkgs.Close()
	st.p.Flush() // a section cut inside a package
	if st.err != nil {
		return fmt.Errorf("%s: packages: %w", d.Path, st.err)
	}
	err := st.pkgs.Each(func(pk *Package) error {
		report(rec, d.Path, *pk)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: packages: %w", d.Path, err)
	}
	return nil
}

// permTypes numbers the permission types for the spill codec; permTypeNames
// is its inverse.
var (
	permTypes     = map[string]int{PermDeclared: 0, PermInstall: 1, PermRuntime: 2}
	permTypeNames = [4]string{PermDeclared, PermInstall, PermRuntime, ""}
)

// pkgCodec spills packages in the order they were emitted, every field as
// it was (a nil list stays nil, an empty one empty).
var pkgCodec = spill.Codec[Package]{
	Append: func(dst []byte, p *Package) []byte {
		for _, s := range [...]string{p.PackageName, p.UID, p.VersionName, p.VersionCode, p.CodePath, p.Installer,
			p.Timestamp, p.FirstInstallTime, p.LastUpdateTime} {
			dst = spill.AppendString(dst, s)
		}
		var flags int64
		if p.System {
			flags |= 1
		}
		if p.Disabled {
			flags |= 2
		}
		dst = spill.AppendInt(dst, flags)
		if p.GrantedPermissions == nil {
			dst = spill.AppendInt(dst, -1)
		} else {
			dst = spill.AppendInt(dst, int64(len(p.GrantedPermissions)))
			for _, s := range p.GrantedPermissions {
				dst = spill.AppendString(dst, s)
			}
		}
		if p.Permissions == nil {
			dst = spill.AppendInt(dst, -1)
		} else {
			dst = spill.AppendInt(dst, int64(len(p.Permissions)))
			for _, pm := range p.Permissions {
				dst = spill.AppendString(dst, pm.Name)
				dst = spill.AppendInt(dst, int64(permTypes[pm.Type])<<2|int64(pm.Granted&3))
			}
		}
		if p.RequestedPermissions == nil {
			return spill.AppendInt(dst, -1)
		}
		dst = spill.AppendInt(dst, int64(len(p.RequestedPermissions)))
		for _, s := range p.RequestedPermissions {
			dst = spill.AppendString(dst, s)
		}
		return dst
	},
	Decode: func(src []byte, p *Package) error {
		d := spill.NewDecoder(src)
		for _, s := range [...]*string{&p.PackageName, &p.UID, &p.VersionName, &p.VersionCode, &p.CodePath, &p.Installer,
			&p.Timestamp, &p.FirstInstallTime, &p.LastUpdateTime} {
			*s = d.String()
		}
		flags := d.Int()
		p.System, p.Disabled = flags&1 != 0, flags&2 != 0
		if n := d.Int(); n >= 0 && n <= int64(d.Len()) {
			p.GrantedPermissions = make([]string, n)
			for i := range p.GrantedPermissions {
				p.GrantedPermissions[i] = d.String()
			}
		}
		if n := d.Int(); n >= 0 && n <= int64(d.Len()) {
			p.Permissions = make([]Permission, n)
			for i := range p.Permissions {
				p.Permissions[i].Name = d.String()
				v := d.Int()
				p.Permissions[i].Type, p.Permissions[i].Granted = permTypeNames[(v>>2)&3], Grant(v&3)
			}
		}
		if n := d.Int(); n >= 0 && n <= int64(d.Len()) {
			p.RequestedPermissions = make([]string, n)
			for i := range p.RequestedPermissions {
				p.RequestedPermissions[i] = d.String()
			}
		}
		return d.Err()
	},
	Compare: func(a, b *Package) int { return 0 },
	Size: func(p *Package) int {
		n := 256 + len(p.PackageName) + len(p.UID) + len(p.VersionName) + len(p.VersionCode) + len(p.CodePath) +
			len(p.Installer) + len(p.Timestamp) + len(p.FirstInstallTime) + len(p.LastUpdateTime)
		for _, s := range p.GrantedPermissions {
			n += 16 + len(s)
		}
		for _, pm := range p.Permissions {
			n += 40 + len(pm.Name)
		}
		for _, s := range p.RequestedPermissions {
			n += 16 + len(s)
		}
		return n
	},
}

func report(rec *module.Recorder, path string, pk Package) {
	rec.Record(pk)
	w := module.Where{Artifact: path, Label: i18n.M("android.what.installed_package"), Record: pk}
	rec.CheckAppID(pk.PackageName, w)
	inst := pk.Installer
	if inst == "" {
		inst = "null"
	}
	for _, f := range known.PackageFindings(known.Package{Name: pk.PackageName, Installer: inst, HasInst: true, System: pk.System, Disabled: pk.Disabled}) {
		rec.Flag(f.Level, w, f.Title, f.Reason, f.Benign)
	}
	seen := map[string]bool{}
	for _, e := range []struct{ ev, ts string }{
		{"package_first_install", pk.FirstInstallTime},
		{"package_last_update", pk.LastUpdateTime},
	} {
		t, ok := dumpmod.ParseTime(e.ts)
		if !ok || seen[e.ev+e.ts] {
			continue
		}
		seen[e.ev+e.ts] = true
		rec.Event(model.Event{Time: t, Event: e.ev, Artifact: path,
			DescriptionMsg: i18n.M("android.event.install", "name", pk.PackageName, "installer", inst)})
	}
}
