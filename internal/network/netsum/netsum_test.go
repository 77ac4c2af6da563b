package netsum

import (
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

func TestTableDedupes(t *testing.T) {
	tb := NewTable()
	t0 := time.Unix(1700000000, 0).UTC()
	for i, d := range []string{"b.example", "a.example", "b.example", "b.example"} {
		tb.Add([]byte(d), t0.Add(time.Duration(3-i)*time.Minute), "dns.log", "dns query")
	}
	got := tb.Sorted()
	if len(got) != 2 || got[0].Value != "a.example" || got[1].Count != 3 {
		t.Fatalf("got %+v", got)
	}
	if !got[1].First.Equal(t0) || !got[1].Last.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("first/last = %v/%v", got[1].First, got[1].Last)
	}
	n := testing.AllocsPerRun(100, func() { tb.Add([]byte("b.example"), t0, "dns.log", "dns query") })
	if n != 0 {
		t.Errorf("%v allocations when adding a known value", n)
	}
}

func TestNormDomain(t *testing.T) {
	for in, want := range map[string]string{
		"WWW.Example.COM.": "www.example.com", "*.cdn.example": "cdn.example", "1.2.3.4": "",
		"localhost": "", "bad host.example": "", "::1": "", "": "", "a_b.example": "a_b.example",
		// a DNS tunnel label (suricata-verify dns/v2/bug-1158)
		"hvmakwa/BA.srv.tunnel.com": "hvmakwa/ba.srv.tunnel.com", "aaaao1kqa.=auth.srv.tunnel.com": "aaaao1kqa.=auth.srv.tunnel.com",
	} {
		if got := string(NormDomain([]byte(in))); got != want {
			t.Errorf("NormDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckDomains(t *testing.T) {
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "free247downloads.com",
		Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}}})
	rec := module.NewRecorder("t", ix, nil)
	tb := NewTable()
	ts := time.Unix(1700000000, 0).UTC()
	for _, d := range []string{"x.free247downloads.com", "free247downloads.com.example.net", "c2.duckdns.org", "promo.xyz"} {
		tb.Add([]byte(d), ts, "dns.log", "dns query")
	}
	CheckDomains(rec, tb, i18n.M("net.what.domain", "sources", "dns"), 10)
	res := rec.Result()
	var crit, low int
	for _, a := range res.Alerts {
		switch a.Level {
		case model.Critical:
			crit++
		case model.Low:
			low++
			if a.Reason == "" || a.Benign == "" {
				t.Errorf("heuristic without reason/benign: %+v", a)
			}
		}
	}
	if crit != 1 || low != 2 {
		t.Errorf("critical=%d low=%d, want 1 and 2: %+v", crit, low, res.Alerts)
	}
	if len(res.Timeline) != 4 {
		t.Errorf("%d timeline events, want one per domain (4)", len(res.Timeline))
	}
}

func TestBeacons(t *testing.T) {
	b := NewBeacons()
	t0 := time.Unix(1700000000, 0).UTC()
	for i := 0; i < 30; i++ {
		jitter := time.Duration(i%3) * 700 * time.Millisecond
		b.Add([]byte("10.0.0.2"), []byte("203.0.113.9"), 443, t0.Add(time.Duration(i)*time.Minute+jitter))
	}
	for i := 0; i < 30; i++ { // irregular: squares of i seconds
		b.Add([]byte("10.0.0.2"), []byte("198.51.100.1"), 443, t0.Add(time.Duration(i*i)*time.Second))
	}
	for i := 0; i < 5; i++ { // too few
		b.Add([]byte("10.0.0.2"), []byte("192.0.2.1"), 80, t0.Add(time.Duration(i)*time.Hour))
	}
	got := b.Find()
	if len(got) != 1 || got[0].Destination != "203.0.113.9" || got[0].Period < 59*time.Second || got[0].Period > 62*time.Second || got[0].Connections != 30 {
		t.Fatalf("got %+v", got)
	}
}

func TestIsIP(t *testing.T) {
	for in, want := range map[string]bool{"1.2.3.4": true, "255.255.255.255": true, "256.1.1.1": false, "01.2.3.4": false,
		"1.2.3": false, "1.2.3.4.5": false, "::1": true, "2001:db8::ab": true, "cafe.be": false, "example.com": false,
		"": false, "1..2.3": false} {
		if got := IsIP([]byte(in)); got != want {
			t.Errorf("IsIP(%q) = %v, want %v", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { IsIP([]byte("203.0.113.9")) }); n != 0 {
		t.Errorf("%v allocations for an IPv4", n)
	}
}

// TestNormDomainEveryByte checks the byte classes of NormDomain against
// the rule they encode, for every byte value in every position.
func TestNormDomainEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		lower := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_+/=.", byte(c)) >= 0
		upper := c >= 'A' && c <= 'Z'
		for _, in := range []string{string(rune(0)) + "x.example", "x" + string([]byte{byte(c)}) + "y.example", "x.example" + string([]byte{byte(c)})} {
			in = strings.Replace(in, string(rune(0)), string([]byte{byte(c)}), 1)
			got := NormDomain([]byte(in))
			switch {
			case lower && strings.Trim(in, ".") != in && got != nil && string(got) != strings.TrimRight(in, "."):
				t.Errorf("NormDomain(%q) = %q", in, got)
			case lower && strings.Trim(in, ".") == in && string(got) != in:
				t.Errorf("NormDomain(%q) = %q, want it unchanged", in, got)
			case upper && string(got) != strings.ToLower(in):
				t.Errorf("NormDomain(%q) = %q, want it lower-cased", in, got)
			case !lower && !upper && got != nil:
				t.Errorf("NormDomain(%q) = %q, want nil", in, got)
			}
		}
	}
}
