package locate

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
)

func fsOf(names ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for _, n := range names {
		m[n] = &fstest.MapFile{Data: []byte("x")}
	}
	return m
}

func TestDumpstate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fsys  fstest.MapFS
		want  string
		found bool
	}{
		{"main entry", func() fstest.MapFS {
			m := fsOf("bugreport-a.txt", "dumpstate-z.txt")
			m["main_entry.txt"] = &fstest.MapFile{Data: []byte("dumpstate-z.txt\n")}
			return m
		}(), "dumpstate-z.txt", true},
		{"main entry escaping", func() fstest.MapFS {
			m := fsOf("bugreport-a.txt")
			m["main_entry.txt"] = &fstest.MapFile{Data: []byte("../etc/passwd")}
			return m
		}(), "bugreport-a.txt", true},
		{"dumpState log first", fsOf("dumpState_1.log", "bugreport-a.txt"), "dumpState_1.log", true},
		{"dumpstate.txt", fsOf("dumpstate.txt", "FS/data/x"), "dumpstate.txt", true},
		{"nested dumpsys", fsOf("x/dumpsys.txt"), "x/dumpsys.txt", true},
		{"dumpstate_log is not the dump", fsOf("dumpstate_log.txt"), "", false},
		{"nothing", fsOf("a.txt"), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dumpstate(tc.fsys, ".")
			if (err == nil) != tc.found || got != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestDumpAndroidQF(t *testing.T) {
	m := fsOf("dumpsys.txt", "bugreport/dumpstate.txt")
	if p, _ := Dump(m, acquisition.AndroidQF); p != "dumpsys.txt" {
		t.Errorf("got %q", p)
	}
	m = fsOf("packages.json", "bugreport/dumpstate.txt")
	if p, _ := Dump(m, acquisition.AndroidQF); p != "bugreport/dumpstate.txt" {
		t.Errorf("nested: got %q", p)
	}
	if _, err := Dump(fsOf("packages.json"), acquisition.AndroidQF); err == nil {
		t.Error("no dump found expected")
	}
	if _, err := Dump(fsOf("dumpsys.txt"), acquisition.AndroidBackup); err == nil {
		t.Error("backup has no dump")
	}
}

func TestReferenceTime(t *testing.T) {
	m := fstest.MapFS{"acquisition.json": {Data: []byte(`{"started":"2024-05-20T16:03:11+02:00"}`)}}
	if got := ReferenceTime(m, acquisition.AndroidQF); !got.Equal(time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)) {
		t.Errorf("qf %v", got)
	}
	m = fstest.MapFS{"dumpstate.txt": {Data: []byte("====\n== dumpstate: 2024-05-20 14:03:11\n")}}
	if got := ReferenceTime(m, acquisition.AndroidBugreport); !got.Equal(time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)) {
		t.Errorf("bugreport %v", got)
	}
	if got := ReferenceTime(fstest.MapFS{}, acquisition.AndroidBugreport); !got.IsZero() {
		t.Errorf("unknown %v", got)
	}
}
