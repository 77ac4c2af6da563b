// Package bugreportmounts owns the bugreport mounts module: the mount
// tables a bugreport keeps under FS/proc (FS/proc/mounts, and the
// mountinfo of the processes whose mount namespace dumpstate copied,
// FS/proc/<pid>/mountinfo). A mount listed by several processes is kept
// once, with the list of their pids. System partitions mounted read-write
// and other suspicious options are flagged, and mount points and devices
// are checked against path indicators (internal/android/mountlist).
package bugreportmounts

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/android/mountlist"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "bugreport_mounts"

// MaxMounts bounds the distinct mounts kept.
const MaxMounts = 100_000

// maxFile bounds one mount table read.
const maxFile = 16 << 20

// Module is the bugreport mounts module.
type Module struct{ module.Base }

// New returns the module. androidqf has its own mounts.json (aqf_mounts),
// so this one reads bugreports only.
func New() Module {
	return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidBugreport))}
}

// tables returns the mount tables of the bugreport: FS/proc/mounts first,
// then every FS/proc/<pid>/mountinfo by pid.
func tables(fsys fs.FS) []string {
	var out []string
	if st, err := fs.Stat(fsys, "FS/proc/mounts"); err == nil && st.Mode().IsRegular() {
		out = append(out, "FS/proc/mounts")
	}
	infos, _ := fs.Glob(fsys, "FS/proc/*/mountinfo")
	sort.Slice(infos, func(i, j int) bool {
		a, _ := strconv.Atoi(path.Base(path.Dir(infos[i])))
		b, _ := strconv.Atoi(path.Base(path.Dir(infos[j])))
		if a != b {
			return a < b
		}
		return infos[i] < infos[j]
	})
	return append(out, infos...)
}

// identity is what makes two records the same mount.
type identity struct{ majorMinor, root, point, device, fsType, options string }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var names []string
	for _, r := range locate.BugreportRoots(in.Acq.FS, in.Acq.Kind) {
		sub := in.Acq.FS
		if r != "." {
			var err error
			if sub, err = fs.Sub(in.Acq.FS, r); err != nil {
				continue
			}
		}
		for _, n := range tables(sub) {
			names = append(names, locate.Join(r, n))
		}
	}
	if len(names) == 0 {
		return module.ErrNotFound
	}
	var order []identity
	mounts := map[identity]*mountlist.Mount{}
	artifact := map[identity]string{}
	dropped := 0
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(name)
		err := read(in.Acq.FS, name, func(m mountlist.Mount) {
			id := identity{m.MajorMinor, m.Root, m.MountPoint, m.Device, m.FilesystemType, m.MountOptions}
			if have, ok := mounts[id]; ok {
				have.ProcessIDs = append(have.ProcessIDs, m.ProcessIDs...)
				return
			}
			if len(order) >= MaxMounts {
				dropped++
				return
			}
			order = append(order, id)
			mounts[id], artifact[id] = &m, name
		})
		if err != nil {
			rec.FileError(name, err)
		}
	}
	if dropped > 0 {
		rec.FileError(names[0], fmt.Errorf("more than %d distinct mounts: %d not read", MaxMounts, dropped))
	}
	for _, id := range order {
		mountlist.Report(rec, artifact[id], *mounts[id])
	}
	return nil
}

// read calls add for every mount of one table; a line that is not a mount
// is skipped (a table is not judged on its formatting).
func read(fsys fs.FS, name string, add func(mountlist.Mount)) error {
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	pid, _ := strconv.ParseInt(path.Base(path.Dir(name)), 10, 64)
	info := path.Base(name) == "mountinfo"
	sc := bufio.NewScanner(io.LimitReader(f, maxFile))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var m mountlist.Mount
		var ok bool
		if info {
			m, ok = mountlist.ParseMountinfo(line, pid)
		} else {
			m, ok = mountlist.ParseLine(line)
		}
		if ok && strings.TrimSpace(m.MountPoint) != "" {
			add(m)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
