package sysdiagnose

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestOpen(t *testing.T) {
	spec := iosgen.SysdiagnoseSpec{Shutdown: []iosgen.ShutdownEntry{{Time: time.Unix(1690000000, 0),
		Clients: []iosgen.ShutdownClient{{PID: 42, Path: "/private/var/db/x"}}}}}
	for _, tt := range []struct {
		name   string
		format iosgen.DumpFormat
	}{{"sysdiagnose.tar.gz", iosgen.DumpTarGz}, {"folder", iosgen.DumpFolder}, {"s.zip", iosgen.DumpZip}} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tt.name)
			spec.Format = tt.format
			if err := iosgen.WriteSysdiagnose(p, spec); err != nil {
				t.Fatal(err)
			}
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
		})
	}
	if date, build, ok := TopInfo(iosgen.SysdiagnoseTop(iosgen.DefaultDevice, iosgen.DefaultTime)); !ok || build != "20G75" || date != "2023-09-12T14:30:00+00:00" {
		t.Errorf("TopInfo = %q %q %v", date, build, ok)
	}
	if Detect(context.Background(), t.TempDir()) {
		t.Error("empty folder detected")
	}
}
