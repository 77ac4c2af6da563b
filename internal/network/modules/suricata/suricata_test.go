package suricata

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/netlog"
)

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

const (
	certSHA1  = "0ddb34f875632c7e1ec09d75827f82d2336dfeb6"
	fileHash  = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
	ja3Hash   = "e7eca2baf4458d095b7f45da28c16c34"
	ja4Value  = "t13d1516h2_8daaf6152771_e5627efa2ab1"
	badDomain = "free247downloads.com"
)

func colons(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(h[i : i+2]))
	}
	return b.String()
}

func eveFile(t testing.TB, events []netlog.Eve) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := netlog.WriteEve(&b, events); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// fixture is a folder with an eve.json in every DNS layout, TLS, HTTP,
// QUIC, fileinfo, flow and alert events, a rotated gzipped eve log, and
// files that are not EVE logs.
func fixture(t testing.TB) fstest.MapFS {
	c, r := "192.168.1.20", "192.168.1.1"
	ev := []netlog.Eve{
		netlog.EveStats(t0),
		netlog.EveDNSQuery(t0, c, r, "api."+badDomain, "A"),
		netlog.EveDNSAnswerV1(t0, c, r, "v1.example.net", "CNAME", "cdn."+badDomain),
		netlog.EveDNSAnswerV2(t0, c, r, "v2.example.net", [][2]string{{"A", "198.51.100.7"}}),
		netlog.EveDNSV3(t0, c, r, "v3."+badDomain, "AAAA", nil),
		netlog.EveDNSV3(t0, c, r, "lookalike-"+badDomain+".example.com", "A", [][2]string{{"A", "203.0.113.10"}}),
		netlog.EveDNSQuery(t0, c, r, "updates.example.xyz", "A"),
		netlog.EveTLS(t0, c, "203.0.113.5", 443, "tls."+badDomain, "CN=api", "CN=R3, O=Let's Encrypt, C=US", colons(certSHA1), ja3Hash, ja4Value),
		netlog.EveTLS(t0, c, "203.0.113.50", 8883, "mqtt.example.org", "CN=mqtt", "CN=mqtt", colons("11"+certSHA1[2:]), "", ""),
		netlog.EveHTTP(t0, c, "203.0.113.80", 80, "evil.example.org", "/payload.bin", "curl/8"),
		netlog.EveQUIC(t0, c, "203.0.113.90", "quic."+badDomain, "", false),
		netlog.EveFileInfo(t0, c, "203.0.113.80", "evil.example.org", "/payload.bin", "payload.bin", fileHash),
		netlog.EveAlert(t0, c, "203.0.113.66", 443, 2030001, "ET MALWARE Example beacon", "A Network Trojan was detected", 1, nil),
		netlog.EveAlert(t0.Add(time.Minute), c, "203.0.113.66", 443, 2030001, "ET MALWARE Example beacon", "A Network Trojan was detected", 1, nil),
		netlog.EveAlert(t0, c, "203.0.113.67", 80, 2013028, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak", 2, nil),
		netlog.EveAlert(t0, c, "198.18.0.1", 53, 9100001, "spyscan: Pegasus domain "+badDomain, "spyscan indicator", 1,
			map[string][]string{"spyscan_type": {"domain"}, "spyscan_value": {badDomain}}),
	}
	for i := 0; i < 20; i++ {
		ev = append(ev, netlog.EveFlow(t0.Add(time.Duration(i)*5*time.Minute), c, "203.0.113.99", 443, "TCP", "tls"))
	}
	ev = append(ev, netlog.EveFlow(t0, c, r, 53, "UDP", "dns"))
	rotated := []netlog.Eve{
		netlog.EveQUIC(t0.Add(time.Hour), c, "203.0.113.91", "quic2."+badDomain, ja4Value, true),
	}
	return fstest.MapFS{
		"eve.json":      {Data: append(eveFile(t, ev), "{not json\n"...)},
		"eve.json.1.gz": {Data: gz(eveFile(t, rotated))},
		"broken.json":   {Data: []byte{0x1f, 0x8b, 1, 2, 3}},
		"notes.txt":     {Data: []byte("not a log\n")},
	}
}

func index(t testing.TB) *match.Index {
	p := []model.Provenance{{Source: "test", Family: "Pegasus"}}
	ix, _ := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: badDomain, Sources: p},
		{Type: match.Domain, Value: "evil.example.org", Sources: p},
		{Type: match.IP, Value: "198.51.100.7", Sources: p},
		{Type: match.TLSCertSHA1, Value: certSHA1, Sources: p},
		{Type: match.JA3, Value: ja3Hash, Sources: p},
		{Type: match.JA4, Value: ja4Value, Sources: p},
		{Type: match.FileSHA256, Value: fileHash, Sources: p},
		{Type: match.URL, Value: "http://evil.example.org/payload.bin", Sources: p},
	})
	return ix
}

func run(t *testing.T, fsys fstest.MapFS) model.ModuleResult {
	t.Helper()
	rec := module.NewRecorder(Name, index(t), nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fsys}}
	if err := New().Run(context.Background(), in, rec); err != nil {
		t.Fatal(err)
	}
	return rec.Result()
}

func TestSuricataModule(t *testing.T) {
	res := run(t, fixture(t))
	var critical []string
	msgs := ""
	for _, a := range res.Alerts {
		msgs += a.Level.String() + " " + a.Message + "\n"
		if a.Level == model.Critical {
			critical = append(critical, a.Match.Type+" "+a.Match.Observed)
			continue
		}
		if a.Reason == "" || a.Benign == "" {
			t.Errorf("alert without reason or benign note: %s", a.Message)
		}
	}
	for _, w := range []string{
		"domain api." + badDomain,   // v1/v2 query event
		"domain cdn." + badDomain,   // v1 answer event, CNAME target
		"domain v3." + badDomain,    // v3 request
		"ip 198.51.100.7",           // v2 answer
		"domain tls." + badDomain,   // TLS SNI
		"tls-cert-sha1 " + certSHA1, // TLS fingerprint, colons removed
		"ja3 " + ja3Hash,
		"ja4 " + ja4Value,
		"domain evil.example.org",                 // HTTP hostname
		"url http://evil.example.org/payload.bin", // HTTP URL
		"domain quic." + badDomain,                // QUIC SNI from the extensions only (Suricata 7)
		"domain quic2." + badDomain,               // QUIC "sni", in the gzipped rotated log
		"sha256 " + fileHash,                      // fileinfo
		"domain " + badDomain,                     // the value of spyscan's own rule that alerted
	} {
		if !slices.Contains(critical, w) {
			t.Errorf("no critical alert for %q in\n%s", w, strings.Join(critical, "\n"))
		}
	}
	for _, c := range critical {
		if strings.Contains(c, "lookalike") {
			t.Errorf("look-alike matched: %s", c)
		}
	}
	for _, w := range []string{
		"MEDIUM Suricata alert: ET MALWARE Example beacon (rule 2030001, 2 times)",
		"LOW Suricata alert: ET POLICY curl User-Agent Outbound (rule 2013028, 1 time)",
		"suspicious top-level domain .xyz", "Self-signed certificate", "Free automated certificate",
		"TLS to 203.0.113.50:8883, an unusual port", "Unencrypted HTTP", "Periodic connections",
		"no DNS query in these logs resolved",
	} {
		if !strings.Contains(msgs, w) {
			t.Errorf("no alert with %q in:\n%s", w, msgs)
		}
	}
	if strings.Contains(msgs, "rule 9100001") {
		t.Errorf("spyscan's own rule alerted again as a Suricata alert although its indicator matched:\n%s", msgs)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Path, "broken.json") {
		t.Errorf("errors = %+v, want one for broken.json", res.Errors)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "eve.json: 1 lines skipped: not an EVE event") {
		t.Errorf("notes = %q", res.Notes)
	}
	var files, rules int
	for _, r := range res.Records {
		var m map[string]any
		json.Unmarshal(r, &m)
		switch {
		case m["events_by_type"] != nil:
			files++
			if m["file"] == "eve.json" && m["events_by_type"].(map[string]any)["stats"] != 1.0 {
				t.Errorf("eve.json summary = %s", r)
			}
		case m["signature_id"] != nil:
			rules++
		}
	}
	if files != 2 || rules != 3 {
		t.Errorf("%d file summaries and %d rule summaries, want 2 and 3", files, rules)
	}
	if res.Seen == 0 {
		t.Error("no line counted as seen")
	}
}

func TestNoEveLogs(t *testing.T) {
	rec := module.NewRecorder(Name, index(t), nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog,
		FS: fstest.MapFS{"dns.log": {Data: []byte("#separator \\x09\n")}, "a.json": {Data: []byte(`{"ts":1}` + "\n")}}}}
	if err := New().Run(context.Background(), in, rec); !errors.Is(err, module.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

// TestLongLines checks that a line over the limit is skipped and counted
// without stopping the file.
func TestLongLines(t *testing.T) {
	long := `{"timestamp":"` + netlog.EveTS(t0) + `","event_type":"alert","payload":"` + strings.Repeat("A", 1<<20+10) + "\"}\n"
	data := append([]byte(long), eveFile(t, []netlog.Eve{netlog.EveDNSQuery(t0, "10.0.0.1", "10.0.0.2", "api."+badDomain, "A")})...)
	res := run(t, fstest.MapFS{"eve.json": {Data: append(eveFile(t, []netlog.Eve{netlog.EveStats(t0)}), data...)}})
	if !strings.Contains(strings.Join(res.Notes, "\n"), "1 lines skipped: longer than 1 MiB") {
		t.Errorf("notes = %q", res.Notes)
	}
	hit := false
	for _, a := range res.Alerts {
		hit = hit || (a.Match != nil && a.Match.Observed == "api."+badDomain)
	}
	if !hit {
		t.Error("the line after the long one was not read")
	}
}

func TestDeterministic(t *testing.T) {
	a, b := run(t, fixture(t)), run(t, fixture(t))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) || len(ja) < 1000 {
		t.Error("two runs on the same input differ")
	}
}

// FuzzModule runs the whole module on arbitrary eve.json contents (the
// first line made to look like EVE so that the file is read): it must
// never panic, and a line is never longer than the reader's bound.
func FuzzModule(f *testing.F) {
	f.Add(fixture(f)["eve.json"].Data)
	f.Add([]byte(`{"timestamp":"x","event_type":"dns","dns":{"grouped":{"A":[1]},"answers":[{"rdata":{}}]}}`))
	f.Add([]byte(`{"timestamp":"2026-01-01T00:00:00.000000+0000","event_type":"alert","alert":{"metadata":{"spyscan_type":["ip"],"spyscan_value":["::1"]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		head := []byte(`{"timestamp":"2026-01-01T00:00:00Z","event_type":"stats"}` + "\n")
		rec := module.NewRecorder(Name, index(t), nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog,
			FS: fstest.MapFS{"eve.json": {Data: append(head, data...)}}}}
		if err := New().Run(context.Background(), in, rec); err != nil {
			t.Fatalf("Run: %v", err)
		}
		res := rec.Result()
		if res.Seen == 0 {
			t.Fatal("nothing counted")
		}
		_ = fmt.Sprint(res.Alerts)
	})
}
