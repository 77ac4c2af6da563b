// Package samsungsfslogs owns the Samsung system framework logs of an
// androidqf acquisition (logs/data/log/sfslog.N.gz, copied from the phone's
// /data/log): the USB-debugging (ADB) key authorisations, the USB devices
// attached and the USB state changes they record. Every event goes on the
// timeline. A computer allowed to debug the phone that is not the one that
// made the acquisition is flagged as dumpsys_adb_state flags it (LOW
// adb_key_not_acquiring_host); MVT's module raises nothing.
package samsungsfslogs

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/adbkey"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_samsung_sfs_logs"

// Dir is the androidqf folder searched (androidqf copies /data/log to
// logs/data/log).
const Dir = "logs"

// Limits on one log.
const (
	MaxLine = 64 << 10 // a longer line is skipped and counted
)

// MaxInflated bounds what one sfslog.N.gz may inflate to (a variable only
// so that tests can lower it).
var MaxInflated int64 = 512 << 20

// ErrTooLarge is the error of a log that inflates past MaxInflated.
var ErrTooLarge = model.NewError(model.KindRefused, "inflates past the limit")

// Event kinds.
const (
	EventADB       = "adb_connection"
	EventUSBDevice = "usb_device_attached"
	EventUSBState  = "usb_state"
)

// Record is one event of a log.
type Record struct {
	Time  time.Time `json:"time"`
	Event string    `json:"event"`
	// adb_connection
	Key                string `json:"key,omitempty"`
	User               string `json:"user,omitempty"`
	Fingerprint        string `json:"fingerprint,omitempty"`
	State              *int   `json:"state,omitempty"`
	StateName          string `json:"state_name,omitempty"`
	AlwaysAllow        *bool  `json:"always_allow,omitempty"`
	LastConnectionTime *int64 `json:"last_connection_time,omitempty"`
	AuthWindow         *int64 `json:"auth_window,omitempty"`
	// usb_device_attached
	VendorID     string `json:"vendor_id,omitempty"`
	ProductID    string `json:"product_id,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	Version      string `json:"version,omitempty"`
	Serial       string `json:"serial,omitempty"`
	HasAudio     *bool  `json:"has_audio,omitempty"`
	HasHID       *bool  `json:"has_hid,omitempty"`
	HasStorage   *bool  `json:"has_storage,omitempty"`
	// usb_state
	USBState       string `json:"usb_state,omitempty"`
	Subsystem      string `json:"subsystem,omitempty"`
	SequenceNumber string `json:"sequence_number,omitempty"`
	Action         string `json:"action,omitempty"`
	DevicePath     string `json:"device_path,omitempty"`

	File string `json:"file"`
	Line int    `json:"line"`
}

// adbStates names AdbDebuggingManager's connection states.
var adbStates = []string{"unknown", "awaiting_user_approval", "user_allowed", "user_denied",
	"automatically_allowed", "denied_invalid_key", "denied_vold_decrypt", "disconnected"}

// allowed reports whether a state means the key was let in.
func allowed(state int) bool { return state == 2 || state == 4 }

var (
	lineRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\d{2}-\d{2}-\d{2} \(GMT[+-]\d{2}:\d{2}\) \d{2}:\d{2}:\d{2}\.\d{3}) \d+ [VDIWEAF] ([^:]+): (.*)$`)
	})
	adbRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^Logging key (.*), state = (\d+), alwaysAllow = (true|false), lastConnectionTime = (\d+), authWindow = (\d+)$`)
	})
	usbRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^USB device attached: vidpid ([^:\s]+):(\S+) mfg/product/ver(/serial)? (.*) hasAudio/HID/Storage: (true|false)/(true|false)/(true|false)$`)
	})
	ueRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^USB UEVENT: \{(.*)\}$`) })
	nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^sfslog\.\d+\.gz$`) })
)

// timeLayout is the log's time stamp: two-digit year and the offset from GMT.
const timeLayout = "06-01-02 (GMT-07:00) 15:04:05.000"

// ParseLine reads one log line; ok is false for a line that is not one of
// the three events (most lines of the log).
func ParseLine(line string) (r Record, ok bool) {
	if !hasTag(line) {
		return r, false // most lines: no regular expression runs
	}
	m := lineRE().FindStringSubmatch(strings.TrimRight(line, "\r\n"))
	if m == nil {
		return r, false
	}
	t, err := time.Parse(timeLayout, m[1])
	if err != nil {
		return r, false
	}
	r.Time = t.UTC()
	switch m[2] {
	case "AdbDebuggingManager":
		return r, r.adb(m[3])
	case "UsbHostManager":
		return r, r.usbDevice(m[3])
	case "UsbDeviceManager":
		return r, r.usbState(m[3])
	}
	return r, false
}

func (r *Record) adb(msg string) bool {
	m := adbRE().FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	state, err1 := strconv.Atoi(m[2])
	last, err2 := strconv.ParseInt(m[4], 10, 64)
	window, err3 := strconv.ParseInt(m[5], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	k := adbkey.Parse(m[1])
	always := m[3] == "true"
	r.Event, r.Key, r.User, r.Fingerprint = EventADB, k.Key, k.User, k.Fingerprint
	r.State, r.AlwaysAllow, r.LastConnectionTime, r.AuthWindow = &state, &always, &last, &window
	r.StateName = "unknown"
	if state >= 0 && state < len(adbStates) {
		r.StateName = adbStates[state]
	}
	return true
}

func (r *Record) usbDevice(msg string) bool {
	m := usbRE().FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	// "mfg/product/ver/serial A/B/C/D", or without a serial "mfg/product/ver A/B/C"
	// (MVT reads only the first form); the last field keeps any further '/'.
	n := 3
	if m[3] != "" {
		n = 4
	}
	f := strings.SplitN(m[4], "/", n)
	if len(f) != n {
		return false
	}
	audio, hid, storage := m[5] == "true", m[6] == "true", m[7] == "true"
	r.Event, r.VendorID, r.ProductID = EventUSBDevice, m[1], m[2]
	r.Manufacturer, r.Product, r.Version = f[0], f[1], f[2]
	if n == 4 {
		r.Serial = f[3]
	}
	r.HasAudio, r.HasHID, r.HasStorage = &audio, &hid, &storage
	return true
}

func (r *Record) usbState(msg string) bool {
	m := ueRE().FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	props := map[string]string{}
	for _, item := range strings.Split(m[1], ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(item), "="); ok {
			props[k] = v
		}
	}
	st, ok := props["USB_STATE"]
	if !ok {
		return false
	}
	r.Event, r.USBState = EventUSBState, st
	r.Subsystem, r.SequenceNumber, r.Action, r.DevicePath = props["SUBSYSTEM"], props["SEQNUM"], props["ACTION"], props["DEVPATH"]
	return true
}

// hasTag reports whether line may be one of the three events: it names
// one of their tags followed by ": " (what lineRE requires of an event).
func hasTag(line string) bool {
	return strings.Contains(line, "AdbDebuggingManager: ") || strings.Contains(line, "UsbHostManager: ") ||
		strings.Contains(line, "UsbDeviceManager: ")
}

// IsLogName reports whether a file name is a Samsung framework log.
func IsLogName(name string) bool { return nameRE().MatchString(name) }

// Module is the Samsung framework log module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// run is one module run.
type run struct {
	rec     *module.Recorder
	host    adbkey.Host
	flagged map[string]bool // fingerprints (or keys) already flagged
	long    int             // lines over MaxLine, skipped
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var logs []string
	err := fs.WalkDir(in.Acq.FS, Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != Dir {
				rec.FileError(p, fmt.Errorf("%s: %w", p, err))
			}
			return nil
		}
		if !d.IsDir() && IsLogName(d.Name()) {
			logs = append(logs, p)
		}
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	if len(logs) == 0 {
		return module.ErrNotFound
	}
	r := &run{rec: rec, host: adbkey.QFHost(in.Acq.FS), flagged: map[string]bool{}}
	for _, p := range logs {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		if err := r.read(ctx, in.Acq.FS, p); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		}
	}
	if r.long > 0 {
		rec.Note(i18n.M("android.samsung_sfs_logs.note_long_lines", "n", r.long, "limit", MaxLine))
	}
	return nil
}

// read reads one gzipped log.
func (r *run) read(ctx context.Context, fsys fs.FS, p string) error {
	f, err := fsys.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	lr := &io.LimitedReader{R: zr, N: MaxInflated + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, long, err := readLine(br)
		if long {
			r.long++
		} else if rec, ok := ParseLine(line); ok {
			rec.File, rec.Line = p, n
			r.report(rec)
		}
		if err == io.EOF {
			if lr.N <= 0 {
				return fmt.Errorf("%w (%d bytes)", ErrTooLarge, MaxInflated)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
}

// readLine reads one line; a line longer than MaxLine is read to its end
// and reported as long (its text dropped).
func readLine(br *bufio.Reader) (string, bool, error) {
	var b []byte
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !long {
			if len(b)+len(chunk) > MaxLine {
				long, b = true, nil
			} else {
				b = append(b, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(b) == 0 && !long {
			return "", false, io.EOF
		}
		return string(b), long, err
	}
}

// report records one event, puts it on the timeline and flags a computer
// other than the acquiring one that was allowed to debug the phone.
func (r *run) report(e Record) {
	r.rec.Record(e)
	w := module.Where{Artifact: e.File, Time: e.Time, Record: e}
	switch e.Event {
	case EventADB:
		key := i18n.M("android.adb_key", "fingerprint", orUnknown(e.Fingerprint, e.Key), "user", orUnknown(e.User, "unknown user"))
		r.rec.Event(model.Event{Time: e.Time, Event: e.Event, Artifact: e.File,
			DescriptionMsg: i18n.M("android.samsung_sfs_logs.event_adb", "key", key, "state", e.StateName)})
		id := orUnknown(e.Fingerprint, e.Key)
		if r.host.Known() && allowed(*e.State) && !r.host.Matches(adbkey.Key{Key: e.Key, Fingerprint: e.Fingerprint}) && !r.flagged[id] {
			r.flagged[id] = true
			w.Label = i18n.M("android.what.adb_key")
			r.rec.Flag(model.Low, w, i18n.M("android.samsung_sfs_logs.title_adb_other", "key", key, "state", e.StateName),
				known.ReasonMsg(known.ReasonUnknownADBKey), i18n.M("android.benign.adb_key_other"))
		}
	case EventUSBDevice:
		r.rec.Event(model.Event{Time: e.Time, Event: e.Event, Artifact: e.File,
			DescriptionMsg: i18n.M("android.samsung_sfs_logs.event_usb_device", "vendor", e.VendorID, "product", e.ProductID,
				"manufacturer", e.Manufacturer, "name", e.Product, "serial", e.Serial)})
	case EventUSBState:
		r.rec.Event(model.Event{Time: e.Time, Event: e.Event, Artifact: e.File,
			DescriptionMsg: i18n.M("android.samsung_sfs_logs.event_usb_state", "state", e.USBState, "path", orUnknown(e.DevicePath, "-"))})
	}
}

func orUnknown(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
