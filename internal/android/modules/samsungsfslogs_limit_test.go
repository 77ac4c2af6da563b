package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/samsungsfslogs"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

// TestInflatedLimit: a log that inflates to exactly MaxInflated bytes is
// read; one byte less of limit refuses it, naming the file.
func TestSamsungSFSLogsInflatedLimit(t *testing.T) {
	defer func(old int64) { samsungsfslogs.MaxInflated = old }(samsungsfslogs.MaxInflated)
	data := map[string][]byte{"logs/data/log/sfslog.0.gz": gzipped(mvtLog)}
	samsungsfslogs.MaxInflated = int64(len(mvtLog))
	res, err := modtest.Run(t, samsungsfslogs.New(), acquisition.AndroidQF, data)
	if err != nil || len(res.Errors) != 0 || len(res.Records) != 3 {
		t.Fatalf("at the limit: err %v errors %+v records %d", err, res.Errors, len(res.Records))
	}
	samsungsfslogs.MaxInflated--
	res, err = modtest.Run(t, samsungsfslogs.New(), acquisition.AndroidQF, data)
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Kind != model.KindRefused || !strings.Contains(res.Errors[0].Error, "sfslog.0.gz") {
		t.Fatalf("past the limit: err %v errors %+v", err, res.Errors)
	}
}

// TestLineLimit: a line of MaxLine bytes (its newline included) is read;
// one byte longer, it is skipped and counted, and the next line is read.
func TestSamsungSFSLogsLineLimit(t *testing.T) {
	const head = "24-05-19 (GMT+02:00) 03:04:05.006 1 V UsbDeviceManager: USB UEVENT: {USB_STATE=CONFIGURED, DEVPATH=/"
	line := func(n int) string { return head + strings.Repeat("a", n-len(head)-2) + "}\n" }
	for _, tc := range []struct {
		n       int
		records int
		notes   int
	}{{samsungsfslogs.MaxLine, 4, 0}, {samsungsfslogs.MaxLine + 1, 3, 1}} {
		res, err := modtest.Run(t, samsungsfslogs.New(), acquisition.AndroidQF, map[string][]byte{"logs/data/log/sfslog.0.gz": gzipped(line(tc.n) + mvtLog)})
		if err != nil || len(res.Errors) != 0 || len(res.Records) != tc.records || len(res.Notes) != tc.notes {
			t.Errorf("line of %d bytes: err %v errors %+v records %d notes %v", tc.n, err, res.Errors, len(res.Records), res.Notes)
		}
	}
}
