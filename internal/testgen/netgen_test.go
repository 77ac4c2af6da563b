package testgen_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// TestNetGenDemoInSync: the committed demo capture is what the generator writes
// (regenerate with go run ./internal/testgen/netgen/cmd/gen-net-demo).
func TestNetGenDemoInSync(t *testing.T) {
	var a, b bytes.Buffer
	if err := netgen.WriteDemo(&a); err != nil {
		t.Fatal(err)
	}
	if err := netgen.WriteDemo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the demo generator is not deterministic")
	}
	committed, err := os.ReadFile("../../demo/capture.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, a.Bytes()) {
		t.Fatal("demo/capture.pcapng is stale: run go run ./internal/testgen/netgen/cmd/gen-net-demo")
	}
	if a.Len() > 1<<20 {
		t.Errorf("demo capture of %d bytes, want < 1 MB", a.Len())
	}
}

func TestNetGenBenchCaptureSize(t *testing.T) {
	var buf bytes.Buffer
	n, err := netgen.WriteBenchCapture(&buf, 2<<20, 1)
	if err != nil || n != int64(buf.Len()) || n < 2<<20 || n > 4<<20 {
		t.Fatalf("wrote %d bytes (buffer %d), %v", n, buf.Len(), err)
	}
}
