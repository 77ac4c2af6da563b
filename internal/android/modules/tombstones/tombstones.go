// Package tombstones owns the tombstones module: the native crash reports
// of a bugreport (FS/data/tombstones/tombstone_NN, text or protobuf). Their
// process names, command lines (an app's is its package name) and
// executables are checked against process, app-id and path indicators
// (exploits often crash their target), every probable cause is kept, crashes go on the
// timeline, and crashes of processes running as root, system or shell are
// flagged.
package tombstones

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/android/tombstone"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "tombstones"

// Crash is one tombstone record.
type Crash struct {
	FileName      string    `json:"file_name"`
	FileTimestamp time.Time `json:"file_timestamp,omitzero"`
	tombstone.Tombstone
}

// Module is the tombstones module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.AppliesFunc(locate.Applies))} }

// privileged maps uids whose crashes are flagged to their names.
var privileged = map[int64]string{0: "root", 1000: "system", 2000: "shell"}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var files []string
	for _, root := range locate.BugreportRoots(in.Acq.FS, in.Acq.Kind) {
		_ = fs.WalkDir(in.Acq.FS, root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "tombstone_") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) == 0 {
		return module.ErrNotFound
	}
	sort.Strings(files)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		readOne(in.Acq.FS, p, rec)
	}
	return nil
}

func readOne(fsys fs.FS, p string, rec *module.Recorder) {
	f, err := fsys.Open(p)
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		return
	}
	defer f.Close()
	rec.File(p)
	b, err := io.ReadAll(io.LimitReader(f, tombstone.MaxProto+1))
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		return
	}
	var t tombstone.Tombstone
	if strings.HasSuffix(p, ".pb") {
		t, err = tombstone.ParseProto(b)
	} else {
		t, err = tombstone.Parse(b)
	}
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: unreadable tombstone: %w", p, err))
		return
	}
	c := Crash{FileName: path.Base(p), Tombstone: t}
	if st, err := f.Stat(); err == nil {
		c.FileTimestamp = st.ModTime().UTC()
	}
	report(rec, p, c)
}

func report(rec *module.Recorder, p string, c Crash) {
	rec.Record(c)
	when := c.Time
	if when.IsZero() {
		when = c.FileTimestamp
	}
	w := module.Where{Artifact: p, Time: when, Label: i18n.M("android.what.crashed_process"), Record: c}
	if !when.IsZero() {
		rec.Event(model.Event{Time: when, Event: "tombstone", Artifact: p,
			DescriptionMsg: i18n.M("android.event.tombstone", "process", c.ProcessName, "pid", c.PID, "uid", c.UID,
				"signal", c.Signal.Name, "code", c.Signal.CodeName, "file", c.FileName)})
	}
	hit := rec.CheckProcess(c.ProcessName, w)
	appID, _, _ := strings.Cut(c.ProcessName, ":")
	hit = rec.CheckAppID(appID, w) || hit
	if len(c.CommandLine) > 0 {
		w.Label = i18n.M("android.what.crashed_command")
		hit = rec.CheckProcess(path.Base(c.CommandLine[0]), w) || hit
		hit = rec.CheckPath(c.CommandLine[0], w) || hit
		// An app's command line is its process name ("pkg" or "pkg:service"),
		// whole, while the thread name above keeps only its last 15 bytes.
		if first := c.CommandLine[0]; !strings.Contains(first, "/") {
			pkg, _, _ := strings.Cut(first, ":")
			hit = (pkg != appID && rec.CheckAppID(pkg, w)) || hit
		}
	}
	if c.Executable != "" && (len(c.CommandLine) == 0 || c.Executable != c.CommandLine[0]) {
		// The binary that ran, whatever the command line says of itself.
		w.Label = i18n.M("android.what.crashed_executable")
		hit = rec.CheckPath(c.Executable, w) || hit
		hit = rec.CheckProcess(path.Base(c.Executable), w) || hit
	}
	if hit {
		return
	}
	if who, ok := privileged[c.UID]; ok {
		rec.Flag(model.Medium, w,
			i18n.M("android.title.privileged_crash", "process", c.ProcessName, "who", who, "uid", c.UID, "file", c.FileName),
			known.ReasonMsg(known.ReasonPrivilegedCrash), i18n.M("android.benign.privileged_process_crash"))
	}
}
