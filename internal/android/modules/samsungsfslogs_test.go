package modules_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/samsungsfslogs"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// mvtLog holds the lines of MVT's published test of its Samsung log module
// (tests/android_androidqf/test_samsung_sfs_logs.py): its expected values
// are independent known answers for ours.
const mvtLog = `25-06-18 (GMT-03:00) 18:09:15.139 1498 D AdbDebuggingManager: Logging key QUJDRA== host@example, state = 2, alwaysAllow = true, lastConnectionTime = 0, authWindow = 604800000
25-06-18 (GMT-03:00) 18:10:00.000 1498 D UsbHostManager: USB device attached: vidpid 18d1:4ee7 mfg/product/ver/serial Google/Pixel/1.00/ABC123 hasAudio/HID/Storage: true/false/true
25-06-18 (GMT-03:00) 18:10:01.000 1498 V UsbDeviceManager: USB UEVENT: {SUBSYSTEM=android_usb, SEQNUM=42, ACTION=change, USB_STATE=CONFIGURED, DEVPATH=/devices/test}
malformed line
`

func ptr[T any](v T) *T { return &v }

// TestKnownAnswers: MVT's test expects three events with these values
// (its time 2025-06-18 21:09:15.139 is UTC; the fingerprint is the MD5 of
// the key's four bytes "ABCD").
func TestSamsungSFSLogsKnownAnswers(t *testing.T) {
	var got []samsungsfslogs.Record
	for _, l := range strings.Split(mvtLog, "\n") {
		if r, ok := samsungsfslogs.ParseLine(l); ok {
			got = append(got, r)
		}
	}
	want := []samsungsfslogs.Record{
		{Time: time.Date(2025, 6, 18, 21, 9, 15, 139e6, time.UTC), Event: samsungsfslogs.EventADB, Key: "QUJDRA==", User: "host@example",
			Fingerprint: "CB:08:CA:4A:7B:B5:F9:68:3C:19:13:3A:84:87:2C:A7", State: ptr(2), StateName: "user_allowed",
			AlwaysAllow: ptr(true), LastConnectionTime: ptr(int64(0)), AuthWindow: ptr(int64(604800000))},
		{Time: time.Date(2025, 6, 18, 21, 10, 0, 0, time.UTC), Event: samsungsfslogs.EventUSBDevice, VendorID: "18d1", ProductID: "4ee7",
			Manufacturer: "Google", Product: "Pixel", Version: "1.00", Serial: "ABC123",
			HasAudio: ptr(true), HasHID: ptr(false), HasStorage: ptr(true)},
		{Time: time.Date(2025, 6, 18, 21, 10, 1, 0, time.UTC), Event: samsungsfslogs.EventUSBState, USBState: "CONFIGURED",
			Subsystem: "android_usb", SequenceNumber: "42", Action: "change", DevicePath: "/devices/test"},
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if !bytes.Equal(gj, wj) {
		t.Errorf("got  %s\nwant %s", gj, wj)
	}
}

func TestSamsungSFSLogsParseLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		event      string // "" when not an event
	}{
		{"no serial", "24-05-19 (GMT+02:00) 03:04:05.006 1 I UsbHostManager: USB device attached: vidpid 18d1:4ee7 mfg/product/ver Google/Pixel/1.00 hasAudio/HID/Storage: false/true/false", samsungsfslogs.EventUSBDevice},
		{"serial with slash", "24-05-19 (GMT+02:00) 03:04:05.006 1 I UsbHostManager: USB device attached: vidpid 1:2 mfg/product/ver/serial a/b/c/d/e hasAudio/HID/Storage: false/true/false", samsungsfslogs.EventUSBDevice},
		{"too few fields", "24-05-19 (GMT+02:00) 03:04:05.006 1 I UsbHostManager: USB device attached: vidpid 1:2 mfg/product/ver/serial a/b/c hasAudio/HID/Storage: false/true/false", ""},
		{"uevent without state", "24-05-19 (GMT+02:00) 03:04:05.006 1 V UsbDeviceManager: USB UEVENT: {SUBSYSTEM=android_usb, SEQNUM=5}", ""},
		{"other tag", "24-05-19 (GMT+02:00) 03:04:05.006 1 V Other: USB UEVENT: {USB_STATE=CONFIGURED}", ""},
		{"bad month", "24-13-19 (GMT+02:00) 03:04:05.006 1 V UsbDeviceManager: USB UEVENT: {USB_STATE=CONFIGURED}", ""},
		{"state out of range", "24-05-19 (GMT+02:00) 03:04:05.006 1 D AdbDebuggingManager: Logging key QUJDRA== a@b, state = 99, alwaysAllow = false, lastConnectionTime = 1, authWindow = 2", samsungsfslogs.EventADB},
		{"huge number", "24-05-19 (GMT+02:00) 03:04:05.006 1 D AdbDebuggingManager: Logging key QUJDRA== a@b, state = 2, alwaysAllow = false, lastConnectionTime = 99999999999999999999, authWindow = 2", ""},
		{"CRLF", "24-05-19 (GMT+02:00) 03:04:05.006 1 V UsbDeviceManager: USB UEVENT: {USB_STATE=DISCONNECTED}\r\n", samsungsfslogs.EventUSBState},
	} {
		r, ok := samsungsfslogs.ParseLine(tc.line)
		if ok != (tc.event != "") || r.Event != tc.event {
			t.Errorf("%s: got %v %+v, want %q", tc.name, ok, r, tc.event)
		}
	}
	r, _ := samsungsfslogs.ParseLine("24-05-19 (GMT+02:00) 03:04:05.006 1 D AdbDebuggingManager: Logging key QUJDRA== a@b, state = 99, alwaysAllow = false, lastConnectionTime = 1, authWindow = 2")
	if r.StateName != "unknown" || !r.Time.Equal(time.Date(2024, 5, 19, 1, 4, 5, 6e6, time.UTC)) {
		t.Errorf("%+v", r)
	}
}

func TestSamsungSFSLogsGolden(t *testing.T) {
	modtest.GoldenQF(t, samsungsfslogs.New(), androiddata.SamsungSFSLogs(), func(t *testing.T, _ string, res model.ModuleResult) {
		if len(res.Errors) > 0 || len(res.Records) != 7 || len(res.Timeline) != 7 {
			t.Errorf("errors %+v records %d events %d", res.Errors, len(res.Records), len(res.Timeline))
		}
		// the unknown computer, allowed, is flagged once; the acquiring
		// computer and the denied key are not
		unknown := androiddata.ADBFingerprint(androiddata.UnknownADBKey)
		modtest.WantAlert(t, res, model.Low, false, unknown)
		if len(res.Alerts) != 1 {
			t.Errorf("alerts %+v", res.Alerts)
		}
		modtest.NoAlertMentions(t, res, androiddata.ADBFingerprint(androiddata.HostADBKey))
		modtest.WantFiles(t, res, "logs/data/log/sfslog.0.gz", "logs/data/log/sfslog.1.gz")
	})
}

// TestMVTSample: MVT's test lines as sfslog.1.gz, in both shapes (its zip
// test wraps the acquisition in a folder too): three events. The
// acquisition's acquiring key is not QUJDRA==, which was allowed, so that
// key is flagged LOW.
func TestSamsungSFSLogsMVTSample(t *testing.T) {
	acqs := modtest.QFShapes(t, map[string][]byte{"logs/data/log/sfslog.1.gz": gzipped(mvtLog)})
	for shape, acq := range acqs {
		res, err := modtest.RunAcq(t, samsungsfslogs.New(), acq, modtest.Index(t))
		if err != nil || len(res.Errors) > 0 || len(res.Records) != 3 || len(res.Timeline) != 3 {
			t.Fatalf("%s: err %v errors %+v records %d events %d", shape, err, res.Errors, len(res.Records), len(res.Timeline))
		}
		modtest.WantAlert(t, res, model.Low, false, "CB:08:CA:4A:7B:B5:F9:68:3C:19:13:3A:84:87:2C:A7")
	}
}

func TestSamsungSFSLogsNoHostKnown(t *testing.T) {
	res, err := modtest.Run(t, samsungsfslogs.New(), acquisition.AndroidQF, map[string][]byte{"logs/data/log/sfslog.0.gz": gzipped(mvtLog)})
	if err != nil || len(res.Records) != 3 || len(res.Alerts) != 0 {
		t.Fatalf("err %v records %d alerts %+v", err, len(res.Records), res.Alerts)
	}
}

func TestSamsungSFSLogsBadFiles(t *testing.T) {
	defer func(old int64) { samsungsfslogs.MaxInflated = old }(samsungsfslogs.MaxInflated)
	samsungsfslogs.MaxInflated = 1 << 20
	long := "24-05-19 (GMT+02:00) 03:04:05.006 1 V UsbDeviceManager: USB UEVENT: {USB_STATE=" + strings.Repeat("A", samsungsfslogs.MaxLine) + "}\n"
	bomb := gzipped(strings.Repeat(mvtLog, (2<<20)/len(mvtLog)))
	res, err := modtest.Run(t, samsungsfslogs.New(), acquisition.AndroidQF, map[string][]byte{
		"logs/data/log/sfslog.0.gz":   []byte("this is not a gzip file at all"),
		"logs/data/log/sfslog.1.gz":   gzipped(mvtLog)[:40], // cut short
		"logs/data/log/sfslog.2.gz":   bomb,
		"logs/data/log/SFSLOG.3.GZ":   gzipped(long + mvtLog),
		"logs/data/log/sfslog.txt":    []byte("ignored"),
		"logs/data/log/sfslog.4.gz.1": []byte("ignored"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sfslog.0.gz": "invalid header", "sfslog.1.gz": "unexpected EOF", "sfslog.2.gz": "inflates past the limit"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for _, e := range res.Errors {
		base := e.Path[strings.LastIndex(e.Path, "/")+1:]
		if !strings.Contains(e.Error, want[base]) || !strings.Contains(e.Error, e.Path) {
			t.Errorf("%s: %s, want %q", e.Path, e.Error, want[base])
		}
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "1 line longer than") {
		t.Errorf("notes %+v", res.Notes)
	}
	if res.Errors[0].Kind == "" {
		t.Errorf("no problem kind: %+v", res.Errors)
	}
}

func TestSamsungSFSLogsNone(t *testing.T) {
	if _, err := modtest.Run(t, samsungsfslogs.New(), acquisition.AndroidQF, map[string][]byte{"logs/last_kmsg": []byte("x")}); err == nil {
		t.Fatal("no sfslog: want ErrNotFound")
	}
}

// FuzzParseLine: any line, bounded as the reader bounds it, parses without
// panicking, and an event always has a time and a kind.
func FuzzSamsungSFSLogsParseLine(f *testing.F) {
	for _, l := range strings.Split(mvtLog, "\n") {
		f.Add(l)
	}
	f.Add("24-05-19 (GMT+02:00) 03:04:05.006 1 I UsbHostManager: USB device attached: vidpid 1:2 mfg/product/ver a/b/c hasAudio/HID/Storage: false/true/false")
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > samsungsfslogs.MaxLine {
			return
		}
		r, ok := samsungsfslogs.ParseLine(line)
		if ok && (r.Time.IsZero() || r.Event == "") {
			t.Fatalf("%q: %+v", line, r)
		}
	})
}
