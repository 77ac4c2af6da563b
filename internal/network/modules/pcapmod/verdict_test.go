package pcapmod_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/network/capture"
	"github.com/spyscan/spyscan/internal/scan"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// scanVerdict runs the whole scan core on one capture, as the CLI does.
func scanVerdict(t *testing.T, path string) *model.Report {
	t.Helper()
	ix, rejected := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "example.invalid"}})
	if len(rejected) != 0 {
		t.Fatal(rejected)
	}
	res, err := scan.Run(context.Background(), scan.Config{Inputs: []string{path}, Index: ix,
		Info: model.ScanInfo{SelfTest: model.SelfTest{CanaryOK: true}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() }) // removes the scan's spool
	return res.Report
}

func flowsModule(t *testing.T, r *model.Report) model.ModuleResult {
	t.Helper()
	for _, m := range r.Modules {
		if m.Module == capture.ModFlows {
			return m
		}
	}
	t.Fatal("no network_flows result")
	return model.ModuleResult{}
}

// TestUndecodableIsInconclusive: a capture whose packets could not be
// decoded (an unsupported link type, encrypted 802.11 frames) is never
// reported as clean; a capture that decodes entirely is.
func TestUndecodableIsInconclusive(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, link uint32, frames ...[]byte) string {
		var buf bytes.Buffer
		w, err := netgen.NewPcapWriter(&buf, link, false)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range frames {
			w.WritePacket(0, netgen.DemoStart.Add(time.Duration(i)*time.Millisecond), f)
		}
		w.Flush()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("10.0.0.1")
	dns := netgen.IP(c, s, 17, netgen.UDP(5000, 53, netgen.DNSQuery(1, "clean.example", 1)))
	tests := []struct {
		name   string
		path   string
		want   model.Verdict
		reason string
	}{
		{"decodes entirely", write("clean.pcap", netgen.LinkRadiotap, netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{}, dns), false),
			netgen.Radiotap(netgen.Dot11Beacon(), false)), model.VerdictClean, ""},
		{"encrypted 802.11 data", write("wpa.pcap", netgen.LinkRadiotap, netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{}, dns), false),
			netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{Protected: true}, dns), false)), model.VerdictInconclusive,
			"1 of 2 packets could not be decoded and were not checked (IEEE 802.11 protected (encrypted) data frame: 1)"},
		{"unsupported link type", "../../testdata/public/zeek-ieee80211.15.4.pcap", model.VerdictInconclusive,
			"1 of 1 packets could not be decoded and were not checked (unsupported link type 230 (IEEE 802.15.4): 1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scanVerdict(t, tc.path)
			if r.Verdict != tc.want {
				t.Errorf("verdict %s, want %s (problems %q)", r.Verdict, tc.want, r.Info.SelfTest.Problems)
			}
			m := flowsModule(t, r)
			if tc.reason == "" {
				if m.Status != model.StatusOK || len(m.Errors) != 0 {
					t.Errorf("flows status %s errors %v", m.Status, m.Errors)
				}
				return
			}
			if m.Status != model.StatusPartial || len(m.Errors) != 1 || !strings.Contains(m.Errors[0].Error, tc.reason) {
				t.Errorf("flows status %s errors %+v, want partial with %q", m.Status, m.Errors, tc.reason)
			}
		})
	}
}
