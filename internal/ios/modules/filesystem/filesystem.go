// Package filesystem owns the Filesystem module: a walk of a full iOS
// filesystem dump checking every path against file indicators, every path
// component once against process indicators (implants hide as folders or
// binaries named like their process), and host names in WebKit-style path
// components against domain indicators. Files in locations spyware has
// used for staging go on the timeline with their modification time.
package filesystem

import (
	"context"
	"io/fs"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/modules/manifest"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Module is the Filesystem module.
type Module struct{ module.Base }

// New returns the module.
func New() Module {
	return Module{module.NewBase("filesystem", 1, module.Kinds(acquisition.IOSFilesystem))}
}

// Entry is the module's record: one path of the dump.
type Entry struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Mode     string    `json:"mode"`
	Modified time.Time `json:"modified,omitzero"`
}

// stagingDirs are folders where Pegasus and others dropped their binaries
// (Amnesty's Forensic Methodology Report; Kaspersky's iShutdown work).
var stagingDirs = []string{"/private/var/db/com.apple.xpc.roleaccountd.staging/", "/private/var/tmp/"}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	_, err1 := fs.Stat(in.Acq.FS, "private/var")
	_, err2 := fs.Stat(in.Acq.FS, "var")
	if err1 != nil && err2 != nil {
		return module.ErrNotFound
	}
	procSeen := map[string]bool{}
	n := 0
	return fs.WalkDir(in.Acq.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rec.FileError(p, err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		devPath := "/" + p
		if strings.HasPrefix(devPath, "/var/") {
			devPath = "/private" + devPath // indicators name the real folder
		}
		e := Entry{Path: devPath}
		if info, err := d.Info(); err == nil {
			e.Size, e.Mode, e.Modified = info.Size(), info.Mode().String(), info.ModTime().UTC()
			if info.IsDir() {
				e.Size = 0
			}
		}
		rec.Record(e)
		w := module.Where{Artifact: p, Time: e.Modified, Label: i18n.M("ios.filesystem.what_path"), Record: e}
		hit := rec.CheckPath(devPath, w)
		w.Label = i18n.M("ios.filesystem.what_process")
		for _, c := range strings.Split(p, "/") {
			if !procSeen[c] {
				procSeen[c] = true
				hit = rec.CheckProcess(c, w) || hit
			}
		}
		w.Label = i18n.M("ios.filesystem.what_host")
		for _, h := range manifest.Hosts(p) {
			hit = rec.CheckDomain(h, w) || hit
		}
		if hit || inStaging(devPath) && !d.IsDir() {
			rec.Event(model.Event{Time: e.Modified, Event: "file modified", Description: devPath, Artifact: p})
		}
		return nil
	})
}

func inStaging(p string) bool {
	for _, d := range stagingDirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}
