package mountlist

import (
	"slices"
	"testing"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line           string
		ok             bool
		point, fs, opt string
		system, rw     bool
	}{
		{"/dev/block/dm-1 on /system type ext4 (rw,seclabel,relatime)", true, "/system", "ext4", "rw,seclabel,relatime", true, true},
		{"/dev/block/dm-4 /system_ext ext4 ro,seclabel,relatime 0 0", true, "/system_ext", "ext4", "ro,seclabel,relatime", true, false},
		{"tmpfs on /system/bin/magisk type tmpfs (rw,seclabel,relatime,size=1000k)", true, "/system/bin/magisk", "tmpfs", "rw,seclabel,relatime,size=1000k", true, true},
		{"/dev/block/by-name/userdata on /data type f2fs (rw,lazytime)", true, "/data", "f2fs", "rw,lazytime", false, true},
		{"/dev/x /systemx ext4 ro 0 0", true, "/systemx", "ext4", "ro", false, false},
		{" on  type (", false, "", "", "", false, false},
		{"too short", false, "", "", "", false, false},
	} {
		m, ok := ParseLine(tc.line)
		if ok != tc.ok || ok && (m.MountPoint != tc.point || m.FilesystemType != tc.fs || m.MountOptions != tc.opt || m.SystemPartition != tc.system || m.ReadWrite != tc.rw) {
			t.Errorf("%q: %v %+v", tc.line, ok, m)
		}
	}
}

// TestParseMountinfo reads mountinfo records. The first two were written
// by Linux 6.1 (this project's development machine, in a private mount
// namespace: a tmpfs mounted at a path with a space, then bound read-only
// over itself), not by this project; the others follow proc(5) with
// Android's partitions.
func TestParseMountinfo(t *testing.T) {
	for _, tc := range []struct {
		line                 string
		ok                   bool
		point, dev, fs, opts string
		optional             []string
		system, rw           bool
	}{
		{`66 46 0:40 / /tmp/mi/sys\040tem ro,nosuid,relatime - tmpfs tmpfs rw`, true, "/tmp/mi/sys tem", "tmpfs", "tmpfs", "ro,nosuid,relatime,rw", []string{}, false, false},
		{`64 61 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000`, true, "/dev/pts", "devpts", "devpts", "rw,relatime,mode=600,ptmxmode=000", []string{}, false, true},
		{`30 1 253:1 / /system ro,relatime shared:2 - ext4 /dev/block/dm-1 ro,seclabel`, true, "/system", "/dev/block/dm-1", "ext4", "ro,relatime,seclabel", []string{"shared:2"}, true, false},
		{`31 1 253:1 / /system rw,relatime shared:2 master:1 - ext4 /dev/block/dm-1 rw,seclabel`, true, "/system", "/dev/block/dm-1", "ext4", "rw,relatime,seclabel", []string{"shared:2", "master:1"}, true, true},
		{`40 30 0:50 /magisk /system/bin/su rw - tmpfs magisk rw`, true, "/system/bin/su", "magisk", "tmpfs", "rw", []string{}, true, true},
		{`x 1 253:1 / /system ro - ext4 /dev/block/dm-1 ro`, false, "", "", "", "", nil, false, false},
		{`30 1 253:1 / /system ro - ext4`, false, "", "", "", "", nil, false, false},
		{`/dev/block/dm-1 /system ext4 ro 0 0`, false, "", "", "", "", nil, false, false},
	} {
		m, ok := ParseMountinfo(tc.line, 1)
		if ok != tc.ok {
			t.Errorf("%q: ok %v", tc.line, ok)
			continue
		}
		if !ok {
			continue
		}
		if m.MountPoint != tc.point || m.Device != tc.dev || m.FilesystemType != tc.fs || m.MountOptions != tc.opts ||
			!slices.Equal(m.Optional, tc.optional) || m.SystemPartition != tc.system || m.ReadWrite != tc.rw || !slices.Equal(m.ProcessIDs, []int64{1}) {
			t.Errorf("%q:\n got %+v", tc.line, m)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("/dev/block/dm-1 on /system type ext4 (rw,seclabel)")
	f.Add("/dev/x /system ext4 ro 0 0")
	f.Add(" on  type (")
	f.Add(`30 1 253:1 / /system ro,relatime shared:2 - ext4 /dev/block/dm-1 ro,seclabel`)
	f.Add(`1 1 1 1 1 1 - - - -`)
	f.Fuzz(func(t *testing.T, s string) {
		if m, ok := ParseLine(s); ok && (m.MountPoint == "" || m.Device == "") {
			t.Fatal(m)
		}
		if m, ok := ParseMountinfo(s, 1); ok && (m.MountPoint == "" || m.Device == "" || m.FilesystemType == "") {
			t.Fatal(m)
		}
	})
}
