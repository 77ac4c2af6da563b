package zeek

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

const leafFP = "6f1e3d2c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"

func writeLog(t testing.TB, name string, jsonLines bool, recs []netlog.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	w := netlog.NewWriter(&b, name, jsonLines, t0)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Close(t0.Add(time.Hour))
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

func fixture(t testing.TB, jsonLines bool) fstest.MapFS {
	var dns, ssl, conn, http, x509 []netlog.Record
	for i := 0; i < 3; i++ {
		dns = append(dns, netlog.DNS(t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf("Cd%d", i), "192.168.1.20",
			"api.free247downloads.com", "A", []string{"198.51.100.7"}))
	}
	dns = append(dns,
		netlog.DNS(t0, "Cx1", "192.168.1.20", "free247downloads.com.cdn.example.net", "A", []string{"cname.example.net", "203.0.113.80"}),
		netlog.DNS(t0, "Cx2", "192.168.1.20", "updates.example.xyz", "A", nil),
		netlog.DNS(t0, "Cx3", "192.168.1.20", "cam.duckdns.org", "AAAA", []string{}),
	)
	ssl = append(ssl,
		netlog.SSL(t0, "Cs1", "192.168.1.20", "198.51.100.7", "443", "api.free247downloads.com", "CN=api", "CN=R3,O=Let's Encrypt,C=US", []string{leafFP}, "ok"),
		netlog.SSL(t0, "Cs2", "192.168.1.20", "203.0.113.50", "8883", "mqtt.example.org", "CN=mqtt", "CN=mqtt", nil, "self signed certificate"),
	)
	for i := 0; i < 20; i++ {
		conn = append(conn, netlog.Conn(t0.Add(time.Duration(i)*5*time.Minute), fmt.Sprintf("Cc%d", i), "192.168.1.20", "203.0.113.99", "443", "tcp", "ssl"))
	}
	conn = append(conn, netlog.Conn(t0, "Cd", "192.168.1.20", "192.168.1.1", "53", "udp", "dns"))
	http = append(http, netlog.HTTP(t0, "Ch1", "192.168.1.20", "198.51.100.7", "free247downloads.com", "/a/b?c=1", "Mozilla/5.0"))
	x509 = append(x509, netlog.X509(t0, "F1", leafFP, "CN=api", "CN=R3,O=Let's Encrypt,C=US", []string{"*.free247downloads.com", "free247downloads.com"}, false))
	return fstest.MapFS{
		"dns.log":                         {Data: append(writeLog(t, "dns", jsonLines, dns), "garbage\twith\ttabs\n"...)},
		"ssl.log":                         {Data: writeLog(t, "ssl", jsonLines, ssl)},
		"conn.2026-11-20-08-00-00.log.gz": {Data: gz(writeLog(t, "conn", jsonLines, conn))},
		"http.log":                        {Data: writeLog(t, "http", jsonLines, http)},
		"x509.log":                        {Data: writeLog(t, "x509", jsonLines, x509)},
		"broken.log.gz":                   {Data: []byte{0x1f, 0x8b, 1, 2, 3}},
		"notes.txt":                       {Data: []byte("not a log\n")},
	}
}

func index(t testing.TB) *match.Index {
	ix, _ := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: "free247downloads.com", Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}},
		{Type: match.IP, Value: "198.51.100.7", Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}},
		{Type: match.TLSCertSHA256, Value: leafFP, Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}},
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

func TestZeekModule(t *testing.T) {
	for _, jsonLines := range []bool{false, true} {
		t.Run(fmt.Sprintf("json=%v", jsonLines), func(t *testing.T) {
			res := run(t, fixture(t, jsonLines))
			var critical []string
			heur := map[string]int{}
			for _, a := range res.Alerts {
				if a.Level == model.Critical {
					critical = append(critical, a.Match.Type+" "+a.Match.Observed)
				} else {
					heur[strings.SplitN(a.Reason, " ", 3)[0]+" "+strings.SplitN(a.Reason, " ", 3)[1]]++
					if a.Benign == "" {
						t.Errorf("heuristic without benign note: %s", a.Message)
					}
				}
			}
			want := []string{"domain api.free247downloads.com", "domain free247downloads.com", "ip 198.51.100.7", "sha256 " + leafFP}
			for _, w := range want {
				found := 0
				for _, c := range critical {
					if strings.Contains(c, w) {
						found++
					}
				}
				if found == 0 {
					t.Errorf("no critical alert for %s in %q", w, critical)
				}
			}
			for _, c := range critical {
				if strings.Contains(c, "cdn.example.net") {
					t.Errorf("look-alike matched: %s", c)
				}
			}
			// The planted domain must be alerted once per distinct value, not per line.
			n := 0
			for _, c := range critical {
				if c == "domain api.free247downloads.com" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("api.free247downloads.com alerted %d times, want 1 (deduped)", n)
			}
			msgs := ""
			for _, a := range res.Alerts {
				msgs += a.Message + "\n"
			}
			for _, w := range []string{"suspicious top-level domain .xyz", "free dynamic-DNS zone (duckdns)", "Self-signed certificate", "Free automated certificate", "unusual port", "Unencrypted HTTP", "Periodic connections", "no DNS query in these logs resolved"} {
				if !strings.Contains(msgs, w) {
					t.Errorf("no alert mentioning %q in:\n%s", w, msgs)
				}
			}
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Path, "broken.log.gz") {
				t.Errorf("errors = %+v, want one for broken.log.gz", res.Errors)
			}
			if !jsonLines && !strings.Contains(strings.Join(res.Notes, "\n"), "dns.log: 1 lines skipped") {
				t.Errorf("notes = %q", res.Notes)
			}
			// One timeline event per domain.
			domains := map[string]bool{}
			for _, e := range res.Timeline {
				if domains[e.Description] {
					t.Errorf("duplicate timeline event %q", e.Description)
				}
				domains[e.Description] = true
			}
			if len(res.Timeline) != 7 {
				t.Errorf("%d timeline events, want 7 (one per domain): %+v", len(res.Timeline), res.Timeline)
			}
		})
	}
}

func TestNoZeekLogs(t *testing.T) {
	rec := module.NewRecorder(Name, index(t), nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fstest.MapFS{"a.txt": {Data: []byte("x.example\n")}}}}
	if err := New().Run(context.Background(), in, rec); !errors.Is(err, module.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := run(t, fixture(t, false)), run(t, fixture(t, false))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) || len(ja) < 1000 {
		t.Error("two runs on the same input differ")
	}
}

// FuzzModule runs the whole module on arbitrary dns.log and ssl.log
// contents: it must never panic.
func FuzzModule(f *testing.F) {
	fx := fixture(f, false)
	f.Add(fx["dns.log"].Data, fx["ssl.log"].Data)
	fj := fixture(f, true)
	f.Add(fj["dns.log"].Data, fj["ssl.log"].Data)
	f.Fuzz(func(t *testing.T, dns, ssl []byte) {
		fsys := fstest.MapFS{"dns.log": {Data: dns}, "ssl.log": {Data: ssl}, "conn.log": {Data: dns}, "x509.log": {Data: ssl}}
		rec := module.NewRecorder(Name, index(t), nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fsys}}
		_ = New().Run(context.Background(), in, rec)
		rec.Result()
	})
}
