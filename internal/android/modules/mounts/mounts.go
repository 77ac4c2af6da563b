// Package mounts owns the androidqf mounts module: mounts.json, the mount
// table lines androidqf captured ("dev on /mnt type fs (opts)" or the
// /proc/mounts form). System partitions mounted read-write (a sign of root
// or system modification) and other suspicious options are flagged, and
// mount points and devices are checked against path indicators.
package mounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_mounts"

// FileName is the artifact read.
const FileName = "mounts.json"

// SystemMounts are the read-only system partitions.
var SystemMounts = []string{"/system", "/vendor", "/product", "/system_ext", "/odm", "/system_dlkm", "/vendor_dlkm"}

// allowNoatime are system partitions that legitimately use noatime.
var allowNoatime = []string{"/system_dlkm", "/system_ext", "/product", "/vendor", "/vendor_dlkm", "/odm"}

// Mount is one mount.
type Mount struct {
	Device          string   `json:"device"`
	MountPoint      string   `json:"mount_point"`
	FilesystemType  string   `json:"filesystem_type"`
	MountOptions    string   `json:"mount_options"`
	Options         []string `json:"options_list"`
	SystemPartition bool     `json:"is_system_partition"`
	ReadWrite       bool     `json:"is_read_write"`
}

// Module is the androidqf mounts module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// ParseLine reads one mount line in either form.
func ParseLine(line string) (Mount, bool) {
	line = strings.TrimSpace(line)
	var m Mount
	if dev, rest, ok := strings.Cut(line, " on "); ok && strings.Contains(rest, " type ") {
		mp, fsPart, _ := strings.Cut(rest, " type ")
		m.Device, m.MountPoint = strings.TrimSpace(dev), strings.TrimSpace(mp)
		fsPart = strings.TrimSpace(fsPart)
		if i := strings.IndexByte(fsPart, '('); i >= 0 && strings.HasSuffix(fsPart, ")") {
			m.FilesystemType, m.MountOptions = strings.TrimSpace(fsPart[:i]), fsPart[i+1:len(fsPart)-1]
		} else {
			m.FilesystemType = fsPart
		}
	} else {
		f := strings.Fields(line)
		if len(f) < 4 {
			return m, false
		}
		m.Device, m.MountPoint, m.FilesystemType, m.MountOptions = f[0], f[1], f[2], f[3]
	}
	if m.Device == "" || m.MountPoint == "" || m.FilesystemType == "" {
		return m, false
	}
	m.Options = []string{}
	for _, o := range strings.Split(m.MountOptions, ",") {
		if o = strings.TrimSpace(o); o != "" {
			m.Options = append(m.Options, o)
		}
	}
	for _, s := range SystemMounts {
		if m.MountPoint == s || strings.HasPrefix(m.MountPoint, s+"/") {
			m.SystemPartition = true
		}
	}
	m.ReadWrite = slices.Contains(m.Options, "rw")
	return m, true
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	f, err := in.Acq.FS.Open(FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return module.ErrNotFound
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
		return nil
	}
	defer f.Close()
	rec.File(FileName)
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	var lines []string
	if err == nil {
		err = json.Unmarshal(b, &lines)
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: expected a JSON list of mount lines: %w", FileName, err))
		return nil
	}
	for _, l := range lines {
		m, ok := ParseLine(l)
		if !ok {
			rec.Note(i18n.M("android.note.mount_line", "file", FileName, "line", l))
			continue
		}
		report(rec, m)
	}
	return nil
}

func report(rec *module.Recorder, m Mount) {
	rec.Record(m)
	w := module.Where{Artifact: FileName, Label: i18n.M("android.what.mount_point"), Record: m}
	hit := rec.CheckPath(m.MountPoint, w)
	w.Label = i18n.M("android.what.mounted_device")
	if strings.HasPrefix(m.Device, "/") {
		hit = rec.CheckPath(m.Device, w) || hit
	}
	if hit || !m.SystemPartition {
		return
	}
	if m.ReadWrite {
		rec.Flag(model.High, w, i18n.M("android.title.system_rw", "mount", m.MountPoint, "options", m.MountOptions),
			known.ReasonMsg(known.ReasonSystemRW), i18n.M("android.benign.system_partition_read_write"))
	}
	var odd []string
	for _, o := range m.Options {
		switch o {
		case "remount":
			odd = append(odd, o)
		case "noatime", "nodiratime":
			if !slices.Contains(allowNoatime, m.MountPoint) {
				odd = append(odd, o)
			}
		}
	}
	if len(odd) > 0 {
		rec.Flag(model.Medium, w, i18n.M("android.title.mount_options", "mount", m.MountPoint, "options", strings.Join(odd, ", ")),
			known.ReasonMsg(known.ReasonSuspiciousMount), i18n.M("android.benign.suspicious_mount_option"))
	}
}
