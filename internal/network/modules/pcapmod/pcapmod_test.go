package pcapmod

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func index() *match.Index {
	src := func(fam string) []model.Provenance { return []model.Provenance{{Source: "test", Family: fam}} }
	ix, _ := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: "free247downloads.com", Sources: src("Pegasus")},
		{Type: match.Domain, Value: "coazoa.com", Sources: src("Predator")},
		{Type: match.Domain, Value: "md-news-direct.com", Sources: src("Predator")},
		{Type: match.IP, Value: netgen.PlantedIP, Sources: src("ResidentBat")},
		{Type: match.Process, Value: "bh", Sources: src("Pegasus")},
		{Type: match.Domain, Value: netgen.PlantedQUIC, Sources: src("Pegasus")},
		// values of the public nDPI capture
		{Type: match.TLSCertSHA1, Value: "0ddb34f875632c7e1ec09d75827f82d2336dfeb6", Sources: src("TestCert")},
		{Type: match.JA4, Value: "t12d2808h2_d943125447b4_dd0a478c1db3", Sources: src("TestJA4")},
	})
	return ix
}

// scan runs the five modules on a file, as the scan core does.
func scan(t *testing.T, path string) []model.ModuleResult {
	t.Helper()
	op := pcapfile.Opener{}
	kind, ok := op.Detect(context.Background(), path)
	if !ok {
		t.Fatalf("%s not detected", path)
	}
	acq, err := op.Open(context.Background(), path, kind, acquisition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []model.ModuleResult
	for _, m := range Modules() {
		if !m.Applies(acq.Kind) {
			t.Fatalf("%s does not apply to pcap", m.Name())
		}
		rec := module.NewRecorder(m.Name(), index(), nil)
		if err := m.Run(context.Background(), &module.Input{Acq: acq, Index: index()}, rec); err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		out = append(out, rec.Result())
	}
	return out
}

func TestDemoGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "capture.pcapng")
	var buf bytes.Buffer
	if err := netgen.WriteDemo(&buf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o644)
	var sb strings.Builder
	for _, r := range scan(t, path) {
		fmt.Fprintf(&sb, "## %s: %d records, %d events\n", r.Module, len(r.Records), len(r.Timeline))
		for _, a := range r.Alerts {
			fmt.Fprintf(&sb, "%s %s\n", a.Level, a.Message)
			if a.Match == nil && (a.Reason == "" || a.Benign == "") {
				t.Errorf("heuristic without reason or benign note: %s", a.Message)
			}
			if a.Record == nil {
				t.Errorf("alert without evidence: %s", a.Message)
			}
		}
		for _, n := range r.Notes {
			fmt.Fprintf(&sb, "note: %s\n", n)
		}
	}
	got := sb.String()
	for _, clean := range netgen.LookAlikes {
		for _, line := range strings.Split(got, "\n") {
			if strings.HasPrefix(line, "CRITICAL") && strings.Contains(line, `"`+clean+`"`) {
				t.Errorf("look-alike %s matched: %s", clean, line)
			}
		}
	}
	golden.Check(t, filepath.Join("testdata", "demo.golden"), []byte(got))
}

func TestPublicIndicators(t *testing.T) {
	res := scan(t, "../../testdata/public/ndpi-tls_malicious_sha1.pcapng")
	var hits []string
	for _, r := range res {
		for _, a := range r.Alerts {
			if a.Match != nil {
				hits = append(hits, a.Match.Type+" "+a.Match.Observed)
			}
		}
	}
	want := "ja4 t12d2808h2_d943125447b4_dd0a478c1db3|tls-cert-sha1 0ddb34f875632c7e1ec09d75827f82d2336dfeb6"
	if got := strings.Join(hits, "|"); got != want {
		t.Errorf("hits %q, want %q", got, want)
	}
}

func TestNotACapture(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.pcap")
	os.WriteFile(p, []byte("hello"), 0o644)
	if _, ok := (pcapfile.Opener{}).Detect(context.Background(), p); ok {
		t.Fatal("text file detected as a capture")
	}
}
