package sysdiagnose

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Every layout a user may hand over: the archive (tar.gz as iOS writes it,
// zip, tar without its top folder), the unpacked top folder itself (what
// "mvt-ios check-sysdiagnose" takes), the folder above it, and a renamed
// top folder.
func TestLayouts(t *testing.T) {
	spec := iosgen.SysdiagnoseSpec{Shutdown: []iosgen.ShutdownEntry{{Time: time.Unix(1690000000, 0),
		Clients: []iosgen.ShutdownClient{{PID: 42, Path: "/private/var/db/x"}}}}}
	top := iosgen.SysdiagnoseTop(iosgen.DefaultDevice, iosgen.DefaultTime)
	write := func(t *testing.T, name string, format iosgen.DumpFormat) string {
		p := filepath.Join(t.TempDir(), name)
		spec.Format = format
		if err := iosgen.WriteSysdiagnose(p, spec); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name  string
		input func(t *testing.T) string
	}{
		{"archive", func(t *testing.T) string { return write(t, top+".tar.gz", iosgen.DumpTarGz) }},
		{"zip", func(t *testing.T) string { return write(t, "s.zip", iosgen.DumpZip) }},
		{"folder above the top folder", func(t *testing.T) string { return write(t, "folder", iosgen.DumpFolder) }},
		{"top folder itself", func(t *testing.T) string { return filepath.Join(write(t, "folder", iosgen.DumpFolder), top) }},
		{"renamed top folder", func(t *testing.T) string {
			p := filepath.Join(write(t, "folder", iosgen.DumpFolder), top)
			renamed := filepath.Join(filepath.Dir(p), "my phone logs")
			if err := os.Rename(p, renamed); err != nil {
				t.Fatal(err)
			}
			return renamed
		}},
		{"archive without a top folder", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), top+".tar.gz")
			if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: iosgen.SysdiagnoseFiles(spec), Format: iosgen.DumpTarGz}); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.input(t)
			if !Detect(context.Background(), p) {
				t.Fatal("not detected")
			}
			s, err := Open(context.Background(), p, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			b, err := fs.ReadFile(s.FS, ShutdownLog)
			if err != nil || !strings.Contains(string(b), "remaining client pid: 42 (/private/var/db/x)") {
				t.Errorf("shutdown.log: %q, %v", b, err)
			}
			if date, build, ok := TopInfo(s.Top); !ok || build != "20G75" || date != "2023-09-12T14:30:00+00:00" {
				t.Errorf("Top %q: %q %q %v", s.Top, date, build, ok)
			}
		})
	}
}

func TestNotASysdiagnose(t *testing.T) {
	ctx := context.Background()
	if Detect(ctx, t.TempDir()) {
		t.Error("empty folder detected")
	}
	dump := filepath.Join(t.TempDir(), "dump")
	if err := iosgen.WriteDump(dump, iosgen.DumpSpec{Files: []iosgen.File{{Path: "private/var/mobile/x", Data: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	if Detect(ctx, dump) {
		t.Error("filesystem dump detected as a sysdiagnose")
	}
}

// Two captures side by side are recognised, then refused with a message
// that names both, rather than one being scanned and the other ignored.
func TestTwoCaptures(t *testing.T) {
	dir := t.TempDir()
	for _, at := range []time.Time{iosgen.DefaultTime, iosgen.DefaultTime.Add(time.Hour)} {
		if err := iosgen.WriteSysdiagnose(dir, iosgen.SysdiagnoseSpec{Time: at}); err != nil {
			t.Fatal(err)
		}
	}
	if !Detect(context.Background(), dir) {
		t.Fatal("not detected")
	}
	_, err := Open(context.Background(), dir, t.TempDir())
	if !errors.Is(err, acquisition.ErrUnrecognised) || !strings.Contains(err.Error(), "14-30-00") || !strings.Contains(err.Error(), "15-30-00") {
		t.Errorf("err %v", err)
	}
}

func TestTopInfo(t *testing.T) {
	for _, tt := range []struct{ top, date, build string }{
		{"sysdiagnose_2023.09.12_14-30-00+0200_iPhone-OS_iPhone_20G75", "2023-09-12T14:30:00+02:00", "20G75"},
		{"sysdiagnose_2026.01.02_03-04-05-0530_iPhone-OS_iPhone_23C55", "2026-01-02T03:04:05-05:30", "23C55"},
	} {
		if date, build, ok := TopInfo(tt.top); !ok || date != tt.date || build != tt.build {
			t.Errorf("%s: %q %q %v", tt.top, date, build, ok)
		}
	}
	if _, _, ok := TopInfo("sysdiagnose"); ok {
		t.Error("bare name parsed")
	}
}
