package netlog

import (
	"fmt"
	"io"
	"time"
)

// DemoStart is the first timestamp of the demo logs.
var DemoStart = time.Date(2026, 11, 20, 7, 30, 0, 0, time.UTC)

// demoClient is the phone whose traffic the demo logs hold.
const demoClient = "192.168.4.23"

// demoQuery is one query of the demo dns.log.
type demoQuery struct {
	name    string
	answers []string
	every   time.Duration
	count   int
}

// demoQueries: everyday traffic, clean look-alikes of the planted domain,
// and one planted Pegasus domain (a subdomain of free247downloads.com,
// listed in Amnesty's 2021 NSO indicators).
var demoQueries = []demoQuery{
	{"www.wikipedia.org", []string{"185.15.59.224"}, 17 * time.Minute, 6},
	{"mail.example.org", []string{"93.184.215.14"}, 9 * time.Minute, 10},
	{"weather.example.com", []string{"192.0.2.44"}, 31 * time.Minute, 3},
	{"free247download.com", []string{"192.0.2.60"}, time.Hour, 1},                  // look-alike: one letter short
	{"free247downloads.co", []string{"192.0.2.61"}, time.Hour, 1},                  // look-alike: other TLD
	{"notfree247downloads.com", []string{"192.0.2.62"}, time.Hour, 1},              // look-alike: no label boundary
	{"free247downloads.com.cdn.example.net", []string{"192.0.2.63"}, time.Hour, 1}, // look-alike: prefix of another zone
	{"bun54l2b67.get1tn0w.free247downloads.com", []string{"198.51.100.47"}, 0, 1},  // planted Pegasus domain
}

// WriteDemoDNS writes the demo dns.log (Zeek TSV).
func WriteDemoDNS(w io.Writer) error {
	z := NewWriter(w, "dns", false, DemoStart)
	n := 0
	var last time.Time
	for i, q := range demoQueries {
		for k := 0; k < q.count; k++ {
			t := DemoStart.Add(time.Duration(i)*41*time.Second + time.Duration(k)*q.every)
			if q.every == 0 {
				t = DemoStart.Add(2*time.Hour + 13*time.Minute + 7*time.Second)
			}
			if t.After(last) {
				last = t
			}
			n++
			if err := z.Write(DNS(t, fmt.Sprintf("CdEmO%04d", n), demoClient, q.name, "A", q.answers)); err != nil {
				return err
			}
		}
	}
	return z.Close(last.Add(time.Minute))
}

// WriteDemoSSL writes the demo ssl.log (Zeek TSV).
func WriteDemoSSL(w io.Writer) error {
	z := NewWriter(w, "ssl", false, DemoStart)
	rows := []Record{
		SSL(DemoStart.Add(3*time.Second), "CsDeMo01", demoClient, "185.15.59.224", "443", "www.wikipedia.org",
			"CN=*.wikipedia.org", "CN=E5,O=Let's Encrypt,C=US", []string{"3d2a0c5a2f9b7f4e1c7c3e9a4f0d2b8e6a1c5d7f9b3e2a4c6d8f0a1b3c5d7e9f"}, "ok"),
		SSL(DemoStart.Add(50*time.Second), "CsDeMo02", demoClient, "192.0.2.60", "443", "free247download.com",
			"CN=free247download.com", "CN=Demo Look-alike CA,O=Example,C=US", []string{"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}, "ok"),
		SSL(DemoStart.Add(2*time.Hour+13*time.Minute+8*time.Second), "CsDeMo03", demoClient, "198.51.100.47", "443",
			"bun54l2b67.get1tn0w.free247downloads.com", "CN=get1tn0w.free247downloads.com", "CN=get1tn0w.free247downloads.com",
			[]string{"0f3c6a9d2e5b8c1f4a7d0e3b6c9f2a5d8e1b4c7f0a3d6e9b2c5f8a1d4e7b0c3f"}, "self signed certificate"),
	}
	for _, r := range rows {
		if err := z.Write(r); err != nil {
			return err
		}
	}
	return z.Close(DemoStart.Add(3 * time.Hour))
}
