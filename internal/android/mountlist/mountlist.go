// Package mountlist owns reading Android mount tables and judging them,
// for every module that reads one: the lines of `mount` ("dev on /mnt
// type fs (opts)") and of /proc/mounts ("dev /mnt fs opts 0 0"), as
// androidqf's mounts.json and a bugreport's FS/proc/mounts hold them, and
// the records of /proc/<pid>/mountinfo. System partitions mounted
// read-write (a sign of root or system modification) and other suspicious
// options are flagged, and mount points and devices are checked against
// path indicators.
package mountlist

import (
	"slices"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

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
	// From /proc/<pid>/mountinfo only:
	MountID    int64    `json:"mount_id,omitempty"`
	ParentID   int64    `json:"parent_id,omitempty"`
	MajorMinor string   `json:"major_minor,omitempty"`
	Root       string   `json:"root,omitempty"`
	Optional   []string `json:"optional_fields,omitempty"`
	ProcessIDs []int64  `json:"process_ids,omitempty"` // the processes whose mountinfo lists it
}

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
	return m.finish()
}

// finish checks the fields read and fills those derived from them.
func (m Mount) finish() (Mount, bool) {
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

// ParseMountinfo reads one /proc/<pid>/mountinfo record: "ID PARENT
// MAJOR:MINOR ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE
// SUPER_OPTIONS" (proc(5)), with spaces in paths written \040. Options are
// the mount's own followed by the file system's (as MVT lists them); the
// mount is read-write when its own options say so, since a read-only mount
// of a read-write file system cannot be written through.
func ParseMountinfo(line string, pid int64) (Mount, bool) {
	f := strings.Fields(line)
	sep := slices.Index(f, "-")
	if sep < 6 || len(f) < sep+4 {
		return Mount{}, false
	}
	id, err1 := strconv.ParseInt(f[0], 10, 64)
	parent, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return Mount{}, false
	}
	unescape := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace
	own := strings.Split(f[5], ",")
	opts := slices.Clone(own)
	for _, o := range strings.Split(f[sep+3], ",") {
		if !slices.Contains(opts, o) {
			opts = append(opts, o)
		}
	}
	m := Mount{MountID: id, ParentID: parent, MajorMinor: f[2], Root: unescape(f[3]), MountPoint: unescape(f[4]),
		Device: unescape(f[sep+2]), FilesystemType: f[sep+1], MountOptions: strings.Join(opts, ","), Optional: f[6:sep]}
	if pid > 0 {
		m.ProcessIDs = []int64{pid}
	}
	m, ok := m.finish()
	m.ReadWrite = slices.Contains(own, "rw")
	return m, ok
}

// Report records m, read from artifact, checks its mount point and device
// against path indicators, and flags a system partition mounted read-write
// or with suspicious options.
func Report(rec *module.Recorder, artifact string, m Mount) {
	rec.Record(m)
	w := module.Where{Artifact: artifact, Label: i18n.M("android.what.mount_point"), Record: m}
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
