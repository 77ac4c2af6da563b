package testgen_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/netlog"
)

// TestNetLogDemoUpToDate checks that the committed demo logs are what the
// generator writes (run gen-log-demo after changing it).
func TestNetLogDemoUpToDate(t *testing.T) {
	for name, write := range map[string]func(io.Writer) error{"dns.log": netlog.WriteDemoDNS, "ssl.log": netlog.WriteDemoSSL} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("..", "..", "demo", "zeek", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), committed) {
			t.Errorf("demo/zeek/%s is stale: run go run ./internal/testgen/netlog/cmd/gen-log-demo", name)
		}
		if !strings.Contains(b.String(), ".free247downloads.com") {
			t.Errorf("%s lacks the planted domain", name)
		}
	}
}
