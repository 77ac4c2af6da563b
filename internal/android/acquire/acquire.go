// Package acquire owns opening Android acquisitions for a scan: the
// acquisition.Opener of bugreports (zip or folder), androidqf acquisitions
// (folder, zip, or the age-encrypted <uuid>.zip.age), backup.ab files and
// Android Intrusion Logs given on their own (folder, zip or file).
//
// The FS each opener gives follows internal/android/layout:
//   - android-bugreport: the zip or folder contents as they are.
//   - androidqf: the acquisition folder (when a zip wraps it in one top-level
//     folder, that folder is the root). Its nested bugreport.zip is opened
//     and mounted under "bugreport/", its nested backup.ab decoded and
//     mounted under "backup/" (the raw files stay readable as
//     "bugreport.zip" and "backup.ab"). A nested container that cannot be
//     opened (encrypted backup without password, corrupt zip) is not
//     mounted; the reason goes to Acquisition.Problems and the log.
//   - android-backup: the tar inside backup.ab.
//
// Zips are read in place (internal/safearchive); an encrypted
// androidqf acquisition is decrypted with random access
// (age.DecryptReaderAt), so nothing is extracted to disk except a
// compressed nested zip, inflated into the private temp dir.
package acquire

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"filippo.io/age"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/backupab"
	"github.com/spyscan/spyscan/internal/android/layout"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// Environment variables holding the age identity of encrypted androidqf
// acquisitions: the key itself ("AGE-SECRET-KEY-1...") or a key file.
const (
	EnvAgeKey     = "SPYSCAN_AGE_KEY"
	EnvAgeKeyFile = "SPYSCAN_AGE_KEY_FILE"
)

const ageMagic = "age-encryption.org/v1\n"

func logger(l *slog.Logger) *slog.Logger {
	if l == nil { // the library never prints: the scan core reports Acquisition.Problems
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// ---- bugreport ----

// Bugreport opens bugreport zips and folders.
type Bugreport struct {
	Limits *safearchive.Limits // nil: safearchive.DefaultLimits
}

// Name implements acquisition.Opener.
func (*Bugreport) Name() string { return "android-bugreport" }

var dumpstateRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(dumpstate.*\.txt|bugreport-.*\.txt|dumpState_.*\.log)$`)
})

// IsBugreport reports whether a file system looks like a bugreport's root.
func IsBugreport(fsys fs.FS) bool {
	es, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return false
	}
	for _, e := range es {
		n := e.Name()
		if !e.IsDir() && (n == "main_entry.txt" || dumpstateRE().MatchString(n)) {
			return true
		}
	}
	// a dumpsys.txt one folder down counts only when that folder is all the
	// root holds: beside other entries it is one acquisition among others
	// (an androidqf in a zip with a capture), and reading the whole as a
	// bugreport would leave them unread.
	var only fs.DirEntry
	for _, e := range es {
		if n := e.Name(); strings.HasPrefix(n, ".") || n == "__MACOSX" {
			continue
		}
		if only != nil {
			return false
		}
		only = e
	}
	if only == nil || !only.IsDir() {
		return false
	}
	st, err := fs.Stat(fsys, only.Name()+"/dumpsys.txt")
	return err == nil && !st.IsDir()
}

func limits(l *safearchive.Limits) safearchive.Limits {
	if l == nil {
		return safearchive.DefaultLimits
	}
	return *l
}

// Detect implements acquisition.Opener.
func (b *Bugreport) Detect(ctx context.Context, p string) (acquisition.Kind, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	if st.IsDir() {
		return acquisition.AndroidBugreport, IsBugreport(os.DirFS(p))
	}
	if !isZip(p) {
		return acquisition.AndroidBugreport, IsDumpText(p)
	}
	z, err := safearchive.Open(p, limits(b.Limits))
	if err != nil {
		return "", false
	}
	defer z.Close()
	return acquisition.AndroidBugreport, IsBugreport(z)
}

// Open implements acquisition.Opener.
func (b *Bugreport) Open(ctx context.Context, p string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	acq := &acquisition.Acquisition{Path: p, Kind: acquisition.AndroidBugreport, Meta: map[string]string{}}
	if st.IsDir() {
		d, err := acquisition.OpenDir(p) // links cannot lead outside the input
		if err != nil {
			return nil, err
		}
		acq.FS, acq.Close = d, d.Close
		acq.Meta["container"] = "folder"
	} else if !isZip(p) && IsDumpText(p) {
		// a dumpstate or dumpsys text on its own, read where the modules
		// look for a bugreport's dumpstate
		acq.FS = acquisition.FileFS{Name: DumpTextName, Path: p}
		acq.Meta["container"] = "text file"
		acq.Meta["file"] = filepath.Base(p)
	} else {
		z, err := safearchive.Open(p, limits(b.Limits))
		if err != nil {
			return nil, err
		}
		acq.FS, acq.Close = z, z.Close
		acq.Meta["container"] = "zip"
	}
	if !IsBugreport(acq.FS) {
		if acq.Close != nil {
			acq.Close()
		}
		return nil, fmt.Errorf("%s: %w: no main_entry.txt, dumpstate or dumpsys.txt", p, acquisition.ErrUnrecognised)
	}
	if name := mainEntry(acq.FS); name != "" {
		acq.Meta["dumpstate"] = name
		readProps(acq, name, 16<<20)
	}
	return acq, nil
}

// DumpTextName is the name a dumpstate or dumpsys text given on its own
// has in its acquisition's FS.
const DumpTextName = "dumpstate.txt"

// dumpTextHead is how much of a text file IsDumpText reads.
const dumpTextHead = 64 << 10

// IsDumpText reports whether the file at p is a dumpstate text on its own
// (what `adb bugreport` wrote before Android 7, or `adb shell bugreport`
// redirected to a file: its "== dumpstate: " header in the first lines)
// or the output of `adb shell dumpsys` (a "DUMP OF SERVICE" section, or
// the "Currently running services:" list, in its first 64 KiB).
func IsDumpText(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, dumpTextHead)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.IndexByte(head[:min(len(head), 512)], 0) >= 0 {
		return false // not text (a dump may hold binary bytes further on)
	}
	for i, line := range bytes.SplitN(head, []byte("\n"), 40) {
		line = bytes.TrimRight(line, "\r")
		if i < 20 && bytes.HasPrefix(line, []byte("== dumpstate: ")) {
			return true
		}
	}
	return bytes.HasPrefix(head, []byte("Currently running services:")) || bytes.Contains(head, []byte("\nCurrently running services:")) ||
		bytes.HasPrefix(head, []byte("DUMP OF SERVICE ")) || bytes.Contains(head, []byte("\nDUMP OF SERVICE "))
}

func isZip(p string) bool {
	return hasPrefix(p, "PK\x03\x04") || hasPrefix(p, "PK\x05\x06")
}

func hasPrefix(p, magic string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(magic))
	if _, err := io.ReadFull(f, b); err != nil {
		return false
	}
	return string(b) == magic
}

// ---- backup.ab ----

// Backup opens backup.ab files.
type Backup struct {
	Limits *backupab.Limits // nil: backupab.DefaultLimits
}

// Name implements acquisition.Opener.
func (*Backup) Name() string { return "android-backup" }

// Detect implements acquisition.Opener: a backup.ab file, or a folder
// holding its tar contents unpacked ("apps/<package>/<domain>/...", the
// folder MVT's check-backup also takes).
func (*Backup) Detect(ctx context.Context, p string) (acquisition.Kind, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	if st.IsDir() {
		return acquisition.AndroidBackup, isExtractedBackup(os.DirFS(p))
	}
	return acquisition.AndroidBackup, hasPrefix(p, backupab.Magic+"\n")
}

// backupDomains are the folder names Android's full backup writes under
// apps/<package>/ (FullBackup's domain tokens).
var backupDomains = map[string]bool{"_manifest": true, "_meta": true, "a": true, "obb": true, "f": true, "db": true,
	"sp": true, "r": true, "c": true, "nb": true, "ef": true, "k": true, "d_r": true, "d_f": true, "d_db": true, "d_sp": true}

// isExtractedBackup reports whether fsys is a backup.ab's tar unpacked: an
// apps/ folder with a package folder holding a backup domain.
func isExtractedBackup(fsys fs.FS) bool {
	pkgs, err := fs.ReadDir(fsys, "apps")
	if err != nil {
		return false
	}
	for _, pkg := range pkgs {
		if !pkg.IsDir() || !strings.Contains(pkg.Name(), ".") {
			continue
		}
		doms, err := fs.ReadDir(fsys, "apps/"+pkg.Name())
		if err != nil {
			continue
		}
		for _, d := range doms {
			if backupDomains[d.Name()] {
				return true
			}
		}
	}
	return false
}

// openExtracted opens an unpacked backup folder read-only. Files at its top
// (a backup.ab kept beside it, say) are not part of it: they are named in
// Beside, and the scan reads each as an input of its own or lists it as
// not read, so the folder is never called clean without them.
func openExtracted(p string) (*acquisition.Acquisition, error) {
	d, err := acquisition.OpenDir(p)
	if err != nil {
		return nil, err
	}
	acq := &acquisition.Acquisition{Path: p, Kind: acquisition.AndroidBackup, FS: d, Close: d.Close,
		Meta: map[string]string{"container": "folder"}}
	ents, err := fs.ReadDir(d, ".")
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	for _, e := range ents {
		if name := e.Name(); name != "apps" && name != "shared" && !strings.HasPrefix(name, ".") {
			acq.Beside = append(acq.Beside, name)
		}
	}
	return acq, nil
}

// Open implements acquisition.Opener.
func (b *Backup) Open(ctx context.Context, p string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return openExtracted(p)
	}
	lim := backupab.DefaultLimits
	if b.Limits != nil {
		lim = *b.Limits
	}
	src := func() (io.ReadCloser, error) { return os.Open(p) }
	f, err := backupab.Open(ctx, p, src, passwordFunc(ctx, opts, p), lim)
	meta := map[string]string{}
	var problems []model.Problem
	if err != nil {
		if !cutShort(f, err) {
			return nil, err
		}
		// the files before the cut are scanned; the cut is reported
		problems = append(problems, model.ProblemOf(p, fmt.Errorf("%w (the files before this point were read)", err)))
	}
	maps.Copy(meta, backupMeta(f.Header))
	return &acquisition.Acquisition{Path: p, Kind: acquisition.AndroidBackup, FS: f, Meta: meta, Problems: problems}, nil
}

// cutShort reports whether backupab.Open returned the files read before a
// truncated or corrupt part, and there is at least one.
func cutShort(f *backupab.FS, err error) bool {
	if f == nil || !errors.Is(err, acquisition.ErrCorrupt) {
		return false
	}
	ents, _ := fs.ReadDir(f, ".")
	return len(ents) > 0
}

func backupMeta(h *backupab.Header) map[string]string {
	return map[string]string{
		"backup_version":    fmt.Sprint(h.Version),
		"backup_compressed": fmt.Sprint(h.Compressed),
		"backup_encryption": h.Encryption,
	}
}

func passwordFunc(ctx context.Context, opts acquisition.Options, p string) backupab.PasswordFunc {
	if opts.Password == nil {
		return nil
	}
	return func() (string, error) { return opts.Password(ctx, p) }
}

// ---- androidqf ----

// QF opens androidqf acquisitions: folders, zips and <uuid>.zip.age.
type QF struct {
	Limits       *safearchive.Limits
	BackupLimits *backupab.Limits
	// Identities returns the age identities for .zip.age inputs; nil reads
	// EnvAgeKey, then the file named by EnvAgeKeyFile.
	Identities func() ([]age.Identity, error)
	Log        *slog.Logger
}

// Name implements acquisition.Opener.
func (*QF) Name() string { return "androidqf" }

// qfMarkers are files androidqf writes at the root of an acquisition.
var qfMarkers = []string{"packages.json", "getprop.txt", "hashes.csv", "processes.txt", "processes.json", "ps.txt",
	"settings_secure.txt", "settings_system.txt", "settings_global.txt", "files.json", "root_binaries.json",
	"mounts.json", "command.log", "selinux.txt", "env.txt", "services.txt", "logcat.txt"}

// IsQF reports whether a file system looks like an androidqf root:
// acquisition.json, or at least two of the files androidqf writes, or a
// getprop.txt alone that holds getprop's output (a partial acquisition,
// such as the one-file androidqf zip of MVT's tests, which check-androidqf
// reads; beside other files or folders, getprop.txt may belong to another
// kind of input, intrusion logs for one).
func IsQF(fsys fs.FS) bool {
	if exists(fsys, "acquisition.json") {
		return true
	}
	n := 0
	for _, m := range qfMarkers {
		if exists(fsys, m) {
			n++
		}
	}
	return n >= 2 || n == 1 && onlyEntry(fsys, "getprop.txt") && isGetprop(fsys, "getprop.txt")
}

// onlyEntry reports whether name is the one entry of the root, dot files
// aside.
func onlyEntry(fsys fs.FS, name string) bool {
	es, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return false
	}
	es = slices.DeleteFunc(es, func(e fs.DirEntry) bool { return strings.HasPrefix(e.Name(), ".") })
	return len(es) == 1 && es[0].Name() == name
}

// isGetprop reports whether the first non-empty line of the named file is
// a getprop property line: "[name]: [value]".
func isGetprop(fsys fs.FS, name string) bool {
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	for line := range strings.SplitSeq(string(head[:n]), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "]: [")
		name, bracketed := strings.CutPrefix(key, "[")
		closed := strings.HasSuffix(val, "]") || n == len(head) // a long first value may be cut by the read
		return ok && bracketed && name != "" && !strings.ContainsAny(name, " []\t") && closed
	}
	return false
}

func exists(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}

// qfRoot returns the root of the acquisition inside fsys: "." or the single
// top-level folder wrapping it.
func qfRoot(fsys fs.FS) (string, bool) {
	if IsQF(fsys) {
		return ".", true
	}
	es, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", false
	}
	var dirs []string
	for _, e := range es {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else if !strings.HasPrefix(e.Name(), ".") {
			return "", false
		}
	}
	if len(dirs) != 1 {
		return "", false
	}
	sub, err := fs.Sub(fsys, dirs[0])
	if err != nil || !IsQF(sub) {
		return "", false
	}
	return dirs[0], true
}

// Detect implements acquisition.Opener.
func (q *QF) Detect(ctx context.Context, p string) (acquisition.Kind, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	if st.IsDir() {
		_, ok := qfRoot(os.DirFS(p))
		return acquisition.AndroidQF, ok
	}
	if hasPrefix(p, ageMagic) && strings.HasSuffix(strings.ToLower(p), ".zip.age") {
		return acquisition.AndroidQF, true
	}
	if !isZip(p) {
		return "", false
	}
	z, err := safearchive.Open(p, limits(q.Limits))
	if err != nil {
		return "", false
	}
	defer z.Close()
	_, ok := qfRoot(z)
	return acquisition.AndroidQF, ok
}

// Open implements acquisition.Opener.
func (q *QF) Open(ctx context.Context, p string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	acq := &acquisition.Acquisition{Path: p, Kind: acquisition.AndroidQF, Meta: map[string]string{}}
	var closers []func() error
	acq.Close = func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	fail := func(err error) (*acquisition.Acquisition, error) { acq.Close(); return nil, err }

	var base fs.FS
	var z *safearchive.FS // set when the acquisition is a zip
	switch {
	case st.IsDir():
		d, err := acquisition.OpenDir(p) // links cannot lead outside the input
		if err != nil {
			return fail(err)
		}
		closers = append(closers, d.Close)
		base = d
		acq.Meta["container"] = "folder"
	case hasPrefix(p, ageMagic):
		z, err = q.openAge(p)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, z.Close)
		base = z
		acq.Meta["container"] = "zip.age"
	default:
		z, err = safearchive.Open(p, limits(q.Limits))
		if err != nil {
			return fail(err)
		}
		closers = append(closers, z.Close)
		base = z
		acq.Meta["container"] = "zip"
	}
	root, ok := qfRoot(base)
	if !ok {
		return fail(fmt.Errorf("%s: %w: no androidqf files found", p, acquisition.ErrUnrecognised))
	}
	if root != "." {
		base, _ = fs.Sub(base, root)
		acq.Meta["root"] = root
	}
	acq.Problems = append(acq.Problems, missingCore(base, root)...)
	mounts := map[string]fs.FS{}
	note := func(name string, err error) {
		if !strings.Contains(err.Error(), name) {
			err = fmt.Errorf("%s: %w", name, err)
		}
		acq.Problems = append(acq.Problems, model.ProblemOf(path.Join(root, name), err))
		logger(q.Log).Warn("nested container not opened", "input", p, "file", name, "err", err)
	}
	entry := func(name string) string { return path.Join(root, name) }

	if exists(base, "bugreport.zip") {
		bz, closeBZ, err := q.nestedZip(ctx, p, st.IsDir(), z, entry("bugreport.zip"), opts.TempDir)
		if err != nil {
			note("bugreport.zip", err)
		} else {
			closers = append(closers, closeBZ)
			mounts[layout.QFBugreportDir] = bz
		}
	}
	if exists(base, "backup.ab") {
		var src backupab.Source
		if st.IsDir() {
			bp := filepath.Join(p, filepath.FromSlash(entry("backup.ab")))
			src = func() (io.ReadCloser, error) { return os.Open(bp) }
		} else {
			zf := z.Entry(entry("backup.ab"))
			src = func() (io.ReadCloser, error) { return zf.Open() }
		}
		lim := backupab.DefaultLimits
		if q.BackupLimits != nil {
			lim = *q.BackupLimits
		}
		name := p + "/backup.ab"
		bf, err := backupab.Open(ctx, name, src, passwordFunc(ctx, opts, name), lim)
		if err != nil {
			note("backup.ab", err)
		} else {
			mounts[layout.QFBackupDir] = bf
			for k, v := range backupMeta(bf.Header) {
				acq.Meta[k] = v
			}
		}
	}
	if len(mounts) > 0 {
		base = &mountFS{base: base, mounts: mounts}
	}
	acq.FS = base
	readQFInfo(acq)
	readQFProps(acq)
	return acq, nil
}

// qfCore lists the files every androidqf version writes (any one name of
// each group) without which no check of the device's apps can run: the
// installed packages. A file hashes.csv lists but the acquisition lacks is
// the hashes module's (a HIGH alert); other files androidqf may fail to
// collect on some devices, and their modules say so.
var qfCore = [][]string{{"packages.json"}}

// errQFCoreMissing is the cause given for a missing core file.
var errQFCoreMissing = model.NewError(model.KindMissing,
	"missing: androidqf always writes it, so the acquisition is incomplete (cut short, or files left out when it was copied)")

// missingCore returns a problem for each core file absent from an androidqf
// root, so that a partial acquisition is inconclusive, never clean.
func missingCore(base fs.FS, root string) []model.Problem {
	var out []model.Problem
	for _, group := range qfCore {
		if !slices.ContainsFunc(group, func(n string) bool { return exists(base, n) }) {
			name := strings.Join(group, " or ")
			out = append(out, model.ProblemOf(path.Join(root, group[0]), fmt.Errorf("%s: %w", name, errQFCoreMissing)))
		}
	}
	return out
}

// nestedZip opens the bugreport.zip of an acquisition.
func (q *QF) nestedZip(ctx context.Context, p string, dir bool, outer *safearchive.FS, name, tempDir string) (fs.FS, func() error, error) {
	if dir {
		z, err := safearchive.Open(filepath.Join(p, filepath.FromSlash(name)), limits(q.Limits))
		if err != nil {
			return nil, nil, err
		}
		return z, z.Close, nil
	}
	ra, size, closeRA, err := outer.ReaderAt(ctx, name, tempDir)
	if err != nil {
		return nil, nil, err
	}
	z, err := safearchive.New(ra, size, p+"/"+name, limits(q.Limits))
	if err != nil {
		closeRA()
		return nil, nil, err
	}
	return z, closeRA, nil
}

// openAge opens <uuid>.zip.age with random access to the plaintext.
func (q *QF) openAge(p string) (*safearchive.FS, error) {
	ids, err := q.identities()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	ra, size, err := age.DecryptReaderAt(f, st.Size(), ids...)
	if err != nil {
		f.Close()
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, fmt.Errorf("%s: %w: the age key does not open this acquisition", p, acquisition.ErrWrongPassword)
		}
		return nil, fmt.Errorf("%s: %w: %w", p, acquisition.ErrCorrupt, err)
	}
	z, err := safearchive.New(ra, size, p, limits(q.Limits))
	if err != nil {
		f.Close()
		return nil, err
	}
	return safearchive.WithCloser(z, f.Close), nil
}

func (q *QF) identities() ([]age.Identity, error) {
	if q.Identities != nil {
		return q.Identities()
	}
	return AgeIdentitiesFromEnv(os.Getenv)
}

// AgeIdentitiesFromEnv reads the age identity from EnvAgeKey or the file
// named by EnvAgeKeyFile.
func AgeIdentitiesFromEnv(getenv func(string) string) ([]age.Identity, error) {
	if k := strings.TrimSpace(getenv(EnvAgeKey)); k != "" {
		ids, err := age.ParseIdentities(strings.NewReader(k))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvAgeKey, err)
		}
		return ids, nil
	}
	if kf := getenv(EnvAgeKeyFile); kf != "" {
		b, err := os.ReadFile(kf)
		if err != nil {
			return nil, err
		}
		ids, err := age.ParseIdentities(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kf, err)
		}
		return ids, nil
	}
	return nil, fmt.Errorf("%w: encrypted androidqf acquisition: set %s or %s to its age key", acquisition.ErrNeedPassword, EnvAgeKey, EnvAgeKeyFile)
}

// readQFInfo copies a few facts of acquisition.json into Meta.
func readQFInfo(acq *acquisition.Acquisition) {
	f, err := acq.FS.Open("acquisition.json")
	if err != nil {
		return
	}
	defer f.Close()
	var info struct {
		UUID      string `json:"uuid"`
		Version   string `json:"androidqf_version"`
		Started   string `json:"started"`
		Completed string `json:"completed"`
		Tool      string `json:"tool"`
	}
	if json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&info) != nil {
		return
	}
	for k, v := range map[string]string{"uuid": info.UUID, "androidqf_version": info.Version,
		"acquisition_started": info.Started, "acquisition_completed": info.Completed, "acquisition_tool": info.Tool} {
		if v != "" {
			acq.Meta[k] = v
		}
	}
}

// propMeta are the getprop.txt properties copied into Meta.
var propMeta = map[string]string{
	"ro.product.model":                "device_model",
	"ro.product.vendor.model":         "device_model",
	"ro.product.manufacturer":         "device_manufacturer",
	"ro.product.vendor.manufacturer":  "device_manufacturer",
	"ro.build.version.release":        "android_version",
	"ro.build.version.security_patch": "security_patch",
	"ro.build.fingerprint":            "build_fingerprint",
}

// readQFProps copies a few getprop.txt properties into Meta and the time
// zone into TZ.
func readQFProps(acq *acquisition.Acquisition) { readProps(acq, "getprop.txt", 4<<20) }

// readProps reads getprop lines from the first limit bytes of name (a
// getprop.txt, or a dumpstate whose SYSTEM PROPERTIES block comes early).
func readProps(acq *acquisition.Acquisition, name string, limit int64) {
	f, err := acq.FS.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, limit))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	inDump, seen := false, 0
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "------ SYSTEM PROPERTIES") {
			inDump = true
		} else if inDump && strings.HasPrefix(l, "------ ") && seen > 0 {
			return // end of the properties block
		}
		name, value, ok := parseProp(sc.Text())
		if !ok {
			continue
		}
		seen++
		if name == "persist.sys.timezone" {
			acq.TZ = value
		}
		if k, ok := propMeta[name]; ok && value != "" && (acq.Meta[k] == "" || !strings.Contains(name, ".vendor.")) {
			acq.Meta[k] = value // ro.product.model wins over ro.product.vendor.model
		}
	}
}

// parseProp parses a getprop line: "[name]: [value]".
func parseProp(l string) (string, string, bool) {
	name, value, ok := strings.Cut(l, "]: [")
	if !ok || !strings.HasPrefix(name, "[") || !strings.HasSuffix(value, "]") {
		return "", "", false
	}
	return name[1:], value[:len(value)-1], true
}

// mainEntry names the dumpstate of a bugreport root: main_entry.txt's
// target, else the first dumpstate-like file.
func mainEntry(fsys fs.FS) string {
	if f, err := fsys.Open("main_entry.txt"); err == nil {
		b, _ := io.ReadAll(io.LimitReader(f, 4096))
		f.Close()
		if n := strings.TrimSpace(string(b)); n != "" && fs.ValidPath(n) && exists(fsys, n) {
			return n
		}
	}
	es, _ := fs.ReadDir(fsys, ".")
	for _, e := range es {
		if !e.IsDir() && dumpstateRE().MatchString(e.Name()) {
			return e.Name()
		}
	}
	return ""
}
