package suricata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/netlog"
)

// benchEve writes n events of a sensor's usual mix: DNS requests and
// responses, TLS, HTTP, flows, a few alerts, stats; names drawn from
// distinct values so the tables grow as in a real log.
func benchEve(b *testing.B, n, distinct int) []byte {
	b.Helper()
	var buf bytes.Buffer
	ev := make([]netlog.Eve, 0, 1024)
	flush := func() {
		if err := netlog.WriteEve(&buf, ev); err != nil {
			b.Fatal(err)
		}
		ev = ev[:0]
	}
	for i := 0; i < n; i++ {
		t := t0.Add(time.Duration(i) * time.Second)
		name := fmt.Sprintf("host%d.example%d.com", i%distinct, i%97)
		ip := fmt.Sprintf("198.51.%d.%d", (i/250)%250, i%250)
		switch i % 10 {
		case 0, 1:
			ev = append(ev, netlog.EveDNSV3(t, "10.0.0.2", "10.0.0.1", name, "A", nil))
		case 2, 3:
			ev = append(ev, netlog.EveDNSV3(t, "10.0.0.2", "10.0.0.1", name, "A", [][2]string{{"A", ip}}))
		case 4, 5:
			ev = append(ev, netlog.EveTLS(t, "10.0.0.2", ip, 443, name, "CN="+name, "CN=R3, O=Let's Encrypt, C=US",
				"0d:db:34:f8:75:63:2c:7e:1e:c0:9d:75:82:7f:82:d2:33:6d:fe:b6", ja3Hash, ja4Value))
		case 6:
			ev = append(ev, netlog.EveHTTP(t, "10.0.0.2", ip, 80, name, "/index.html", "Mozilla/5.0"))
		case 7, 8:
			ev = append(ev, netlog.EveFlow(t, "10.0.0.2", ip, 443, "TCP", "tls"))
		default:
			if i%100 == 9 {
				ev = append(ev, netlog.EveAlert(t, "10.0.0.2", ip, 443, int64(2000000+i%50), "ET POLICY example", "Policy", 2, nil))
			} else {
				ev = append(ev, netlog.EveStats(t))
			}
		}
		if len(ev) == cap(ev) {
			flush()
		}
	}
	flush()
	return buf.Bytes()
}

// BenchmarkModule reads a 200,000-event eve.json: go test -bench Module
// ./internal/network/modules/suricata (MB/s and events/s per run).
func BenchmarkModule(b *testing.B) {
	data := benchEve(b, 200_000, 20_000)
	fsys := fstest.MapFS{"eve.json": {Data: data}}
	ix := index(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		rec := module.NewRecorder(Name, ix, func(json.RawMessage) error { return nil })
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fsys}}
		if err := New().Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(200_000*b.N)/b.Elapsed().Seconds(), "events/s")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		// CPU time counts every thread (GC included): events per core-second.
		b.ReportMetric(float64(200_000*b.N)/cpu.Seconds(), "events/cpu-s")
	}
}
