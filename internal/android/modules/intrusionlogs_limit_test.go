package modules_test

import (
	"fmt"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/intrusionlogs"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

// dayOneRecords is the events of the first generated day.
const dayOneRecords = 15

// zipsInZips puts the first day's log in levels zips, each inside the
// previous one: l1.zip holds l2.zip ... which holds the log.
func zipsInZips(levels int) map[string][]byte {
	name, data := "2026-06-01.txt", androiddata.IntrusionLogs("", true)["2026-06-01.txt"]
	for i := levels; i >= 1; i-- {
		data = androidgen.ZipBytes(androidgen.Files(map[string][]byte{name: data}), false)
		name = fmt.Sprintf("l%d.zip", i)
	}
	return map[string][]byte{name: data}
}

// TestZipDepthLimit checks MaxZipDepth at the limit and one zip past it:
// past it the innermost zip is listed as refused, by its path through the
// zips, and its logs are not read.
func TestIntrusionLogsZipDepthLimit(t *testing.T) {
	tests := []struct {
		levels  int
		records int
		wantErr string
	}{
		{intrusionlogs.MaxZipDepth, dayOneRecords, ""},
		{intrusionlogs.MaxZipDepth + 1, 0, "l1.zip::l2.zip::l3.zip::l4.zip::l5.zip: archive entry escapes the root or is too large: zips nested deeper than 4"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.levels, " levels"), func(t *testing.T) {
			checkOutcome(t, zipsInZips(tt.levels), tt.records, tt.wantErr)
		})
	}
}

// TestNestedZipSizeLimit checks MaxNestedZip, lowered to the size of the
// test's zip, at the limit and one byte under the zip's size.
func TestIntrusionLogsNestedZipSizeLimit(t *testing.T) {
	files := zipsInZips(1)
	size := int64(len(files["l1.zip"]))
	saved := intrusionlogs.MaxNestedZip
	t.Cleanup(func() { intrusionlogs.MaxNestedZip = saved })
	tests := []struct {
		limit   int64
		records int
		wantErr string
	}{
		{size, dayOneRecords, ""},
		{size - 1, 0, fmt.Sprintf("l1.zip: archive entry escapes the root or is too large: larger than %d bytes", size-1)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			intrusionlogs.MaxNestedZip = tt.limit
			checkOutcome(t, files, tt.records, tt.wantErr)
		})
	}
}

// checkOutcome runs the module on files and checks the records read and
// the one error listed (none when wantErr is "").
func checkOutcome(t *testing.T, files map[string][]byte, records int, wantErr string) {
	t.Helper()
	res, err := modtest.Run(t, intrusionlogs.New(), acquisition.AndroidIntrusionLogs, files)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var errs []string
	for _, e := range res.Errors {
		errs = append(errs, e.Error)
	}
	if len(res.Records) != records || (wantErr == "" && len(errs) != 0) || (wantErr != "" && (len(errs) != 1 || errs[0] != wantErr)) {
		t.Fatalf("%d records, errors %q; want %d records, error %q", len(res.Records), errs, records, wantErr)
	}
}
