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
	"slices"
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
	// TextFile names the text tombstone of the same crash when FileName is
	// its protobuf form (tombstone_01 beside tombstone_01.pb): one record
	// holds both, the protobuf's fields first and the text's where the
	// protobuf has none.
	TextFile string `json:"text_file,omitempty"`
	tombstone.Tombstone
}

// Module is the tombstones module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 2, module.AppliesFunc(locate.Applies))} }

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
	for i := 0; i < len(files); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := files[i]
		text, ok := readOne(in.Acq.FS, p, rec)
		// Android 12+ writes each crash twice, tombstone_NN and
		// tombstone_NN.pb (sorted right after it): one crash, one record
		// (as MVT since 2026-08).
		if i+1 < len(files) && files[i+1] == p+".pb" {
			i++
			pb, okPB := readOne(in.Acq.FS, files[i], rec)
			switch {
			case okPB && ok:
				report(rec, files[i], merge(pb, text), text)
				continue
			case okPB:
				text, ok, p = pb, true, files[i]
			}
		}
		if ok {
			report(rec, p, text)
		}
	}
	return nil
}

func readOne(fsys fs.FS, p string, rec *module.Recorder) (Crash, bool) {
	f, err := fsys.Open(p)
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		return Crash{}, false
	}
	defer f.Close()
	rec.File(p)
	b, err := io.ReadAll(io.LimitReader(f, tombstone.MaxProto+1))
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		return Crash{}, false
	}
	var t tombstone.Tombstone
	if strings.HasSuffix(p, ".pb") {
		t, err = tombstone.ParseProto(b)
	} else {
		t, err = tombstone.Parse(b)
	}
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: unreadable tombstone: %w", p, err))
		return Crash{}, false
	}
	c := Crash{FileName: path.Base(p), Tombstone: t}
	if st, err := f.Stat(); err == nil {
		c.FileTimestamp = st.ModTime().UTC()
	}
	return c, true
}

// merge is the record of a crash kept in both forms: the protobuf's
// fields, and the text's where the protobuf left one empty.
func merge(pb, text Crash) Crash {
	m := pb
	m.TextFile = text.FileName
	t, x := &m.Tombstone, text.Tombstone
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&t.BuildFingerprint, x.BuildFingerprint}, {&t.Revision, x.Revision}, {&t.Arch, x.Arch},
		{&t.Timestamp, x.Timestamp}, {&t.ProcessName, x.ProcessName}, {&t.BinaryPath, x.BinaryPath},
		{&t.Executable, x.Executable}, {&t.SELinuxLabel, x.SELinuxLabel}, {&t.Cause, x.Cause},
		{&t.AbortMessage, x.AbortMessage},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if t.Time.IsZero() {
		t.Time = x.Time
	}
	if len(t.CommandLine) == 0 {
		t.CommandLine = x.CommandLine
	}
	if len(t.Causes) == 0 {
		t.Causes = x.Causes
	}
	return m
}

// report records c and checks it; also, when c merges two files, holds the
// text form, whose names are checked too where they differ.
func report(rec *module.Recorder, p string, c Crash, also ...Crash) {
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
	hit := check(rec, c, w)
	for _, o := range also {
		if o.ProcessName != c.ProcessName || !slices.Equal(o.CommandLine, c.CommandLine) || o.Executable != c.Executable {
			wo := w
			wo.Artifact = path.Join(path.Dir(p), o.FileName)
			hit = check(rec, o, wo) || hit
		}
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

// check checks a crash's process, command line and executable against
// indicators.
func check(rec *module.Recorder, c Crash, w module.Where) bool {
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
	return hit
}
