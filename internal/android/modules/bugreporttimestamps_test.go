package modules_test

import (
	"archive/zip"
	"bytes"
	"github.com/spyscan/spyscan/internal/safearchive"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/bugreporttimestamps"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestBugreportTimestampsGolden(t *testing.T) {
	modtest.GoldenCases(t, bugreporttimestamps.New(), modtest.Cases()[:1], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if len(res.Records) != 10 || len(res.Timeline) != 10 || len(res.Alerts) != 0 { // the FS/ files of the bugreport
			t.Errorf("records %d events %d alerts %d", len(res.Records), len(res.Timeline), len(res.Alerts))
		}
	})
}

func TestBugreportTimestampsNoFS(t *testing.T) {
	if _, err := modtest.Run(t, bugreporttimestamps.New(), acquisition.AndroidBugreport, map[string][]byte{"main_entry.txt": nil}); err == nil {
		t.Fatal("want ErrNotFound")
	}
}

// A bugreport zip stores each entry's time as the phone's wall clock
// (MS-DOS time, no zone: dumpstate writes no UTC timestamp). With the
// phone's zone known, it is converted to UTC (as MVT since 2026-08); an
// entry that carries a UTC timestamp, or a zone that is not known, leaves
// the time as stored.
func TestBugreportTimestampsZipWallClock(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(fh *zip.FileHeader) {
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x\n"))
	}
	add(&zip.FileHeader{Name: "main_entry.txt", Method: zip.Store})
	// 2024-05-20 14:03:10 as MS-DOS date and time fields, without Modified
	// (archive/zip then writes no extended timestamp, like dumpstate).
	dos := &zip.FileHeader{Name: "FS/data/anr/anr_2024-05-20-14-03-10", Method: zip.Store,
		ModifiedDate: uint16((2024-1980)<<9 | 5<<5 | 20), ModifiedTime: uint16(14<<11 | 3<<5 | 10/2)}
	add(dos)
	add(&zip.FileHeader{Name: "FS/data/misc/adb/adb_keys", Method: zip.Store,
		Modified: time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC)})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	z, err := safearchive.New(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "bugreport.zip", safearchive.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tz        string
		anr, keys time.Time
		wall      string
	}{
		{"Europe/Paris", time.Date(2024, 5, 20, 12, 3, 10, 0, time.UTC), time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC), "2024-05-20 14:03:10"},
		{"", time.Date(2024, 5, 20, 14, 3, 10, 0, time.UTC), time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC), ""},
		{"Not/AZone", time.Date(2024, 5, 20, 14, 3, 10, 0, time.UTC), time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC), ""},
	} {
		acq := &acquisition.Acquisition{Path: "bugreport.zip", Kind: acquisition.AndroidBugreport, FS: z, TZ: tc.tz}
		res, err := modtest.RunAcq(t, bugreporttimestamps.New(), acq, modtest.Index(t))
		if err != nil {
			t.Fatal(err)
		}
		files := modtest.Records[bugreporttimestamps.File](t, res)
		if len(files) != 2 {
			t.Fatalf("%s: %+v", tc.tz, files)
		}
		anr, keys := files[0], files[1]
		wantTZ := ""
		if tc.wall != "" {
			wantTZ = tc.tz
		}
		if !anr.ModifiedTime.Equal(tc.anr) || anr.WallClock != tc.wall || anr.Timezone != wantTZ {
			t.Errorf("%s: anr %+v", tc.tz, anr)
		}
		if !keys.ModifiedTime.Equal(tc.keys) || keys.WallClock != "" || keys.Timezone != "" {
			t.Errorf("%s: adb_keys %+v", tc.tz, keys)
		}
	}
}
