// Package live owns live acquisition of an Android phone over a running adb
// server (internal/android/adb): it collects what androidqf collects
// (getprop, settings, packages with APK hashes, processes, services,
// dumpsys, logcat, a bugreport, a files list, root binaries, mounts, logs)
// into an androidqf-compatible folder with acquisition.json, command.log
// and hashes.csv, every file made read-only (0400), so that MVT and
// `spyscan scan` both accept it.
//
// It only reads: shell commands that list or print, and sync pulls. It
// never installs anything on the phone (unlike androidqf it pushes no
// collector binary) and never changes a setting. `adb backup` of the SMS
// provider runs only when asked (BackupSMS), and the phone then asks its
// owner to confirm.
// The one thing a bugreport leaves on the phone is the bugreport zip that
// Android's own bugreportz writes in the shell user's folder, as
// `adb bugreport` does.
package live

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/adb"
)

// Options configures one acquisition.
type Options struct {
	Output    string // folder to create (must not exist or be empty)
	Serial    string // device serial; the only connected device when empty
	Client    *adb.Client
	Bugreport bool // take a bugreport (several minutes)
	// BackupSMS streams an `adb backup` of the SMS/MMS provider into
	// backup.ab; the phone asks its owner to confirm (and may set a
	// password).
	BackupSMS   bool
	APKs        string // APKs copied into apks/ for their certificates: APKsThirdParty (when empty), APKsAll, APKsNone
	Version     string
	HostKeyPath string // adbkey.pub of this host, recorded for the ADB-keys check
	Log         *slog.Logger
	Now         func() time.Time
	// MaxOutput caps one command's output or one pulled file (1 GiB if 0).
	MaxOutput int64
	// Progress, when set, is told each step's name as it starts.
	Progress func(step string)
}

// Info is acquisition.json.
type Info struct {
	UUID           string            `json:"uuid"`
	Tool           string            `json:"tool"`
	SpyscanVersion string            `json:"spyscan_version"`
	StoragePath    string            `json:"storage_path"`
	Started        time.Time         `json:"started"`
	Completed      time.Time         `json:"completed"`
	Serial         string            `json:"serial"`
	Device         map[string]string `json:"device,omitempty"`
	HostPublicKey  string            `json:"adb_host_public_key,omitempty"`
	Collected      []string          `json:"collected"`
	Errors         []string          `json:"errors,omitempty"`
}

// ErrNoDevice means no usable device is connected.
var ErrNoDevice = errors.New("no usable Android device")

type run struct {
	ctx    context.Context
	o      Options
	c      *adb.Client
	serial string
	dir    string
	info   Info
	cmdlog bytes.Buffer
	log    *slog.Logger
}

// Acquire runs the acquisition and returns acquisition.json's contents.
// Steps that fail are recorded in Info.Errors and command.log; the
// acquisition goes on. Only a missing device, an unusable output folder or
// a cancelled context stop it.
func Acquire(ctx context.Context, o Options) (*Info, error) {
	if o.Client == nil {
		o.Client = &adb.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.APKs == "" {
		o.APKs = APKsThirdParty
	}
	if o.MaxOutput == 0 {
		o.MaxOutput = 1 << 30
	}
	r := &run{ctx: ctx, o: o, c: o.Client, dir: o.Output, log: o.Log}
	if r.log == nil {
		r.log = slog.Default()
	}
	dev, err := r.pickDevice()
	if err != nil {
		return nil, err
	}
	if err := prepareDir(o.Output); err != nil {
		return nil, err
	}
	r.serial = dev.Serial
	r.info = Info{UUID: newUUID(), Tool: "spyscan android acquire", SpyscanVersion: o.Version, StoragePath: o.Output,
		Started: o.Now().UTC(), Serial: dev.Serial, Device: dev.Info, HostPublicKey: hostKey(o.HostKeyPath)}
	r.logf("acquisition %s of %s started", r.info.UUID, dev.Serial)
	for _, s := range r.steps() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if o.Progress != nil {
			o.Progress(s.name)
		}
		r.logf("step %s", s.name)
		if err := s.fn(); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.fail(s.name, err)
		}
	}
	r.info.Completed = o.Now().UTC()
	if err := r.finish(); err != nil {
		return nil, err
	}
	return &r.info, nil
}

type step struct {
	name string
	fn   func() error
}

func (r *run) steps() []step {
	s := []step{
		{"getprop", r.text("getprop.txt", "getprop")},
		{"settings", r.settings},
		{"processes", r.text("processes.txt", "ps -A")},
		{"services", r.text("services.txt", "service list")},
		{"selinux", r.text("selinux.txt", "getenforce")},
		{"env", r.text("env.txt", "env")},
		{"packages", r.packages},
		{"dumpsys", r.text("dumpsys.txt", "dumpsys")},
		{"logcat", r.logcat},
		{"files", r.files},
		{"root_binaries", r.rootBinaries},
		{"mounts", r.mounts},
		{"logs", r.logs},
	}
	if r.o.Bugreport {
		s = append(s, step{"bugreport", r.bugreport})
	}
	if r.o.BackupSMS {
		s = append(s, step{"backup", r.backup})
	}
	return s
}

func (r *run) pickDevice() (adb.Device, error) {
	ds, err := r.c.Devices(r.ctx)
	if err != nil {
		return adb.Device{}, err
	}
	var ready []adb.Device
	for _, d := range ds {
		if r.o.Serial != "" && d.Serial != r.o.Serial {
			continue
		}
		if d.State != "device" {
			if r.o.Serial != "" {
				return adb.Device{}, fmt.Errorf("%w: %s is %s (unlock the phone and accept the USB debugging prompt)", ErrNoDevice, d.Serial, d.State)
			}
			continue
		}
		ready = append(ready, d)
	}
	switch {
	case len(ready) == 1:
		return ready[0], nil
	case len(ready) == 0 && r.o.Serial != "":
		return adb.Device{}, fmt.Errorf("%w: %s is not connected", ErrNoDevice, r.o.Serial)
	case len(ready) == 0:
		return adb.Device{}, fmt.Errorf("%w: none connected and authorised (adb devices lists %d)", ErrNoDevice, len(ds))
	}
	var ss []string
	for _, d := range ready {
		ss = append(ss, d.Serial)
	}
	return adb.Device{}, fmt.Errorf("%w: several devices (%s): choose one with --serial", ErrNoDevice, strings.Join(ss, ", "))
}

func prepareDir(dir string) error {
	if dir == "" {
		return errors.New("no output folder")
	}
	es, err := os.ReadDir(dir)
	if err == nil && len(es) > 0 {
		return fmt.Errorf("%s: output folder is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil { // personal data: the user alone
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(&r.cmdlog, "%s %s\n", r.o.Now().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
	r.log.Debug(fmt.Sprintf(format, args...))
}

func (r *run) fail(what string, err error) {
	msg := fmt.Sprintf("%s: %v", what, err)
	r.info.Errors = append(r.info.Errors, msg)
	r.logf("ERROR %s", msg)
	r.log.Warn("acquisition step failed", "step", what, "err", err)
}

// create opens a new file of the acquisition for writing.
func (r *run) create(rel string) (*os.File, error) {
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

func (r *run) write(rel string, b []byte) error {
	f, err := r.create(rel)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	r.info.Collected = append(r.info.Collected, rel)
	return f.Close()
}

func (r *run) writeJSON(rel string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return r.write(rel, b)
}

// shell returns a command's output.
func (r *run) shell(cmd string) (string, error) {
	r.logf("shell: %s", cmd)
	b, err := r.c.ShellOutput(r.ctx, r.serial, cmd, r.o.MaxOutput)
	return string(b), err
}

// text streams a command's output into a file.
func (r *run) text(rel, cmd string) func() error {
	return func() error {
		f, err := r.create(rel)
		if err != nil {
			return err
		}
		r.logf("shell: %s > %s", cmd, rel)
		_, err = r.c.Shell(r.ctx, r.serial, cmd, f, r.o.MaxOutput)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			r.info.Collected = append(r.info.Collected, rel)
		}
		return err
	}
}

func (r *run) settings() error {
	var errs []error
	for _, ns := range []string{"system", "secure", "global"} {
		errs = append(errs, r.text("settings_"+ns+".txt", "cmd settings list "+ns)())
	}
	return errors.Join(errs...)
}

func (r *run) logcat() error {
	return errors.Join(r.text("logcat.txt", "logcat -d -b all '*:V'")(), r.text("logcat_old.txt", "logcat -L -b all '*:V'")())
}

// rootBinaryNames are the names androidqf looks for.
var rootBinaryNames = []string{"su", "busybox", "supersu", "Superuser.apk", "KingoUser.apk", "SuperSu.apk",
	"magisk", "magiskhide", "magiskinit", "magiskpolicy"}

func (r *run) rootBinaries() error {
	found := []string{}
	for _, b := range rootBinaryNames {
		out, err := r.shell("which -a " + b + " 2>/dev/null")
		if err != nil {
			return err
		}
		for _, l := range lines(out) {
			if strings.HasPrefix(l, "/") {
				found = append(found, l)
			}
		}
	}
	return r.writeJSON("root_binaries.json", found)
}

func (r *run) mounts() error {
	seen := map[string]bool{}
	out := []string{}
	for _, cmd := range []string{"mount", "cat /proc/mounts"} {
		s, err := r.shell(cmd)
		if err != nil {
			r.fail("mounts: "+cmd, err)
			continue
		}
		for _, l := range lines(s) {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return r.writeJSON("mounts.json", out)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// logFiles are pulled into logs/ when readable.
var logFiles = []string{"/data/system/uiderrors.txt", "/proc/last_kmsg", "/sys/fs/pstore/console-ramoops"}

func (r *run) logs() error {
	files := append([]string(nil), logFiles...)
	for _, dir := range []string{"/data/anr/", "/data/log/", "/sdcard/log/"} {
		out, _ := r.shell("find " + shq(dir) + " -type f 2>/dev/null")
		for _, l := range lines(out) {
			if strings.HasPrefix(l, dir) {
				files = append(files, l)
			}
		}
	}
	for _, f := range files {
		rel, ok := localPath("logs", f)
		if !ok {
			r.logf("skipping log with an unsafe path: %q", f)
			continue
		}
		st, err := r.c.Stat(r.ctx, r.serial, f)
		if err != nil {
			return err
		}
		if !st.Exists() {
			continue
		}
		if err := r.pull(f, rel); err != nil {
			r.logf("log %s not pulled: %v", f, err)
		}
	}
	return nil
}

// localPath maps a device path under dir, refusing anything that would
// leave it.
func localPath(dir, device string) (string, bool) {
	clean := path.Clean("/" + device)
	if clean != "/"+strings.TrimPrefix(device, "/") || strings.Contains(device, "\\") {
		return "", false
	}
	rel := path.Join(dir, clean)
	return rel, fs.ValidPath(rel)
}

// pull copies a device file into the acquisition.
func (r *run) pull(device, rel string) error {
	f, err := r.create(rel)
	if err != nil {
		return err
	}
	r.logf("pull: %s > %s", device, rel)
	_, err = r.c.Pull(r.ctx, r.serial, device, f, r.o.MaxOutput)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	r.info.Collected = append(r.info.Collected, rel)
	return nil
}

func (r *run) bugreport() error {
	out, err := r.shell("bugreportz")
	if err != nil {
		return err
	}
	for _, l := range lines(out) {
		if p, ok := strings.CutPrefix(l, "OK:"); ok {
			return r.pull(p, "bugreport.zip")
		}
		if msg, ok := strings.CutPrefix(l, "FAIL:"); ok {
			return fmt.Errorf("bugreportz: %s", msg)
		}
	}
	return fmt.Errorf("bugreportz: unexpected output %q", clip(out))
}

// backupService is what `adb backup -nocompress com.android.providers.telephony` asks.
const backupService = "backup: '-nocompress' 'com.android.providers.telephony'"

func (r *run) backup() error {
	f, err := r.create("backup.ab")
	if err != nil {
		return err
	}
	r.logf("service: %s > backup.ab (confirm on the phone)", backupService)
	n, err := r.c.Service(r.ctx, r.serial, backupService, f, r.o.MaxOutput)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n < int64(len("ANDROID BACKUP\n")) {
		err = errors.New("empty backup: refused on the phone, or not supported")
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	r.info.Collected = append(r.info.Collected, "backup.ab")
	return nil
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// shq quotes s for the device's sh.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func hostKey(p string) string {
	if p == "" {
		return ""
	}
	b, err := os.ReadFile(p)
	if err != nil || len(b) > 16<<10 {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// finish writes command.log, acquisition.json and hashes.csv, then makes
// every file read-only.
func (r *run) finish() error {
	sort.Strings(r.info.Collected)
	r.logf("acquisition completed: %d files, %d errors", len(r.info.Collected), len(r.info.Errors))
	if err := r.writeJSON("acquisition.json", &r.info); err != nil {
		return err
	}
	if err := r.write("command.log", r.cmdlog.Bytes()); err != nil {
		return err
	}
	if err := r.hashes(); err != nil {
		return err
	}
	return filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chmod(p, 0o400)
	})
}

// hashes writes hashes.csv as androidqf does: "<storage>/<file>,<sha256>".
func (r *run) hashes() error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	err := filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.dir, p)
		return w.Write([]string{filepath.Join(r.o.Output, rel), sum})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return r.write("hashes.csv", buf.Bytes())
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
