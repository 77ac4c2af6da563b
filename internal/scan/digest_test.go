package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/modules/pcapmod"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// demoCapture writes the generated demo capture and returns its path and
// SHA-256, taken here over the whole file in memory.
func demoCapture(t *testing.T) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := netgen.WriteDemo(&buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "capture.pcapng")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return p, hex.EncodeToString(sum[:])
}

// A capture is hashed in the read of the network modules' pass: the
// custody digest must be the file's SHA-256 all the same, as sha256sum
// gives it.
func TestCaptureDigestIsSha256sums(t *testing.T) {
	p, want := demoCapture(t)
	if sha256sum, err := exec.LookPath("sha256sum"); err == nil {
		out, err := exec.Command(sha256sum, p).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(string(out))[0]; got != want {
			t.Fatalf("sha256sum says %s, crypto/sha256 %s", got, want)
		}
	} else {
		t.Log("sha256sum not installed: compared with crypto/sha256 over the file only")
	}
	cfg := testConfig([]string{p}, "")
	cfg.Openers = []acquisition.Opener{pcapfile.Opener{}}
	cfg.Modules = pcapmod.Modules()
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	files := res.Report.Info.Inputs[0].Files
	if len(files) != 1 || files[0].SHA256 != want || files[0].Size != st.Size() || files[0].Path != "capture.pcapng" {
		t.Errorf("input files = %+v, want one capture.pcapng of %d bytes, sha256 %s", files, st.Size(), want)
	}
}

// The pass reads the whole capture through the digest, so that nothing is
// left for the scan core to read again; what a module did not read is
// hashed by the core.
func TestCaptureIsReadOnce(t *testing.T) {
	p, want := demoCapture(t)
	st, _ := os.Stat(p)
	for _, tc := range []struct {
		name   string
		read   func(t *testing.T, in *opened)
		hashed int64
	}{
		{"the network pass", func(t *testing.T, in *opened) {
			for _, m := range pcapmod.Modules() {
				rec := module.NewRecorder(m.Name(), testIndex(), nil)
				if err := m.Run(context.Background(), &module.Input{Acq: in.acq, Index: testIndex()}, rec); err != nil {
					t.Fatal(err)
				}
			}
		}, st.Size()},
		{"no module", func(*testing.T, *opened) {}, 0},
		{"a module reading the start", func(t *testing.T, in *opened) {
			f, err := in.acq.FS.Open("capture.pcapng")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.Read(make([]byte, 100))
		}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acq, err := pcapfile.Opener{}.Open(context.Background(), p, acquisition.PCAP, acquisition.Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := &opened{path: p, acq: acq}
			shareDigests([]*opened{in})
			if in.digest == nil {
				t.Fatal("a capture's FS does not share its digest")
			}
			if _, err := fs.ReadDir(acq.FS, "."); err != nil {
				t.Fatal(err)
			}
			tc.read(t, in)
			if n, _ := in.digest.Take(); n != tc.hashed {
				t.Errorf("hashed in the modules' read: %d bytes, want %d", n, tc.hashed)
			}
			if err := finishDigests(context.Background(), []*opened{in}, noProgress{}); err != nil {
				t.Fatal(err)
			}
			if f := in.input.Files; len(f) != 1 || f[0].SHA256 != want || f[0].Size != st.Size() {
				t.Errorf("input files = %+v, want sha256 %s", f, want)
			}
		})
	}
}

// A capture whose rest cannot be read for the digest is listed as
// unreadable with a problem naming it, as hashInputs lists any file.
func TestCaptureDigestUnreadable(t *testing.T) {
	p, _ := demoCapture(t)
	open := openForHash
	t.Cleanup(func() { openForHash = open })
	openForHash = func(string) (io.ReadCloser, error) { return nil, fs.ErrPermission }
	acq, err := pcapfile.Opener{}.Open(context.Background(), p, acquisition.PCAP, acquisition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := &opened{path: p, acq: acq}
	shareDigests([]*opened{in})
	if err := finishDigests(context.Background(), []*opened{in}, noProgress{}); err != nil {
		t.Fatal(err)
	}
	f, pb := in.input.Files, in.input.Problems
	if len(f) != 1 || f[0].Type != "unreadable" || f[0].Path != "capture.pcapng" || f[0].SHA256 != "" {
		t.Errorf("files %+v", f)
	}
	if len(pb) != 1 || pb[0].Path != "capture.pcapng" || pb[0].Kind != model.KindUnreadable {
		t.Errorf("problems %+v", pb)
	}
}
