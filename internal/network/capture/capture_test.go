package capture

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/network/quic"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func demo(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := netgen.WriteDemo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func obs(res *Result, k Kind, v string) *Observation {
	for i := range res.Observations {
		if res.Observations[i].Kind == k && res.Observations[i].Value == v {
			return &res.Observations[i]
		}
	}
	return nil
}

func TestDemoCapture(t *testing.T) {
	res, err := Analyze(context.Background(), bytes.NewReader(demo(t)), "capture.pcapng", Options{QUIC: quic.NewAssembler(16)})
	if err != nil {
		t.Fatal(err)
	}
	// every planted domain is observed, owned by the module of its first source
	for _, d := range []struct{ name, module, source string }{
		{"free247downloads.com", ModDNS, "tls sni"},
		{"coazoa.com", ModDNS, "dns cname"},
		{"md-news-direct.com", ModDNS, "http host"},
		{"free247downloads.com.example.net", ModTLS, "certificate SAN"},
		{"cam1.duckdns.org", ModTLS, "tls sni"},
	} {
		o := obs(res, KindDomain, d.name)
		if o == nil || o.Module != d.module || !slices.Contains(o.Sources, d.source) {
			t.Errorf("domain %s: %+v", d.name, o)
			continue
		}
		if o.Evidence.PacketNumber == 0 || o.Evidence.File != "capture.pcapng" {
			t.Errorf("domain %s: evidence %+v", d.name, o.Evidence)
		}
	}
	// the SNI evidence names the TLS flow with its Community ID
	if o := obs(res, KindDomain, "cam1.duckdns.org"); o != nil &&
		(o.Evidence.Flow != "tcp 192.168.1.23:50200 -> 198.51.100.20:4444" || !strings.HasPrefix(o.Evidence.CommunityID, "1:")) {
		t.Errorf("evidence %+v", o.Evidence)
	}
	// IPs resolved through a CNAME chain are tied to every name of the chain
	if got := res.ResolvedFrom(netip.MustParseAddr("198.51.100.8")); !slices.Equal(got, []string{"static.shop-deals.net", "edge.shop-deals.net", "coazoa.com"}) {
		t.Errorf("resolved from %v", got)
	}
	if o := obs(res, KindIP, netgen.PlantedIP); o == nil || !slices.Contains(o.Sources, "flow endpoint") {
		t.Errorf("planted IP %+v", o)
	}
	if o := obs(res, KindProcess, "bh"); o == nil {
		t.Error("PKTAP process not observed")
	}
	// QUIC: v1 ClientHello over two Initials, v2, and a garbage Initial
	var quicSNI []string
	for _, q := range res.QUIC {
		quicSNI = append(quicSNI, q.Version+" "+q.SNI+" "+q.Error)
	}
	if want := []string{"v1 domain-control.net ", "v2 www.domain-control.net.example.org ", "v1  quic: truncated packet"}; !slices.Equal(quicSNI, want) {
		t.Errorf("QUIC records %q, want %q", quicSNI, want)
	}
	if o := obs(res, KindDomain, netgen.PlantedQUIC); o == nil || o.Module != ModQUIC || o.Sources[0] != "quic sni" {
		t.Errorf("QUIC SNI observation %+v", o)
	}
	if len(res.TLS) != 7 || len(res.HTTP) != 2 || len(res.DNS) != 7 {
		t.Errorf("records: %d tls %d http %d quic %d dns", len(res.TLS), len(res.HTTP), len(res.QUIC), len(res.DNS))
	}
	var withProc, v6 int
	for _, f := range res.Flows {
		if f.Process == "bh" {
			withProc++
		}
		if strings.HasPrefix(f.Client, "[2001:db8::23]") {
			v6++
		}
	}
	if withProc != 1 || v6 != 2 {
		t.Errorf("flows: %d attributed to bh, %d IPv6", withProc, v6)
	}
	if res.Summary.Reader.DecryptionSecrets["TLS key log"] != 1 || res.Summary.Decode["IP datagrams reassembled"] != 1 {
		t.Errorf("summary %+v", res.Summary)
	}
	wantFindings := []string{"Self-signed TLS certificate", "every 60 s", "free dynamic-DNS provider duckdns",
		"Unencrypted HTTP to md-news-direct.com", "free authority (Let's Encrypt)", "top-level domain .xyz",
		"198.51.100.20 (port 4444", "TLS on unusual port 4444"}
	for _, w := range wantFindings {
		if !slices.ContainsFunc(res.Findings, func(f Finding) bool { return strings.Contains(f.Message, w) }) {
			t.Errorf("no finding with %q", w)
		}
	}
	for _, f := range res.Findings {
		if f.Reason == "" || f.Benign == "" || (f.Level != "LOW" && f.Level != "MEDIUM") {
			t.Errorf("finding without reason/benign or with level %s: %+v", f.Level, f)
		}
		// a resolved address is never reported as unresolved
		if strings.Contains(f.Message, "198.51.100.7") && strings.Contains(f.Message, "no DNS answer") {
			t.Errorf("resolved IP flagged: %s", f.Message)
		}
	}
	// deterministic
	again, _ := Analyze(context.Background(), bytes.NewReader(demo(t)), "capture.pcapng", Options{})
	if len(again.Findings) != len(res.Findings) || again.Findings[3].Message != res.Findings[3].Message {
		t.Error("two passes differ")
	}
}

// TestBoundedFlows forces the flow table and record caps and checks that
// evicted flows are summarised, not lost.
func TestBoundedFlows(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart}
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	for i := 0; i < 300; i++ {
		g.TCP(c, s, uint16(10000+i), 443, netgen.ClientHello(netgen.Hello{SNI: "bulk.example"}), nil)
		if i == 150 {
			g.Now = g.Now.Add(10 * time.Minute) // idle timeout for the first half
		}
	}
	w.Flush()
	res, err := Analyze(context.Background(), &buf, "bulk.pcap", Options{MaxFlows: 16, MaxFlowRecords: 50})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range res.Flows {
		total += f.Flows
	}
	if total != 300 || res.Summary.MaxLiveFlows > 16 || res.Summary.Flows != 300 {
		t.Fatalf("flows summarised %d of 300, max live %d", total, res.Summary.MaxLiveFlows)
	}
	if len(res.Flows) != 51 || res.TLS[0].Connections != 300 {
		t.Errorf("%d flow records, tls %+v", len(res.Flows), res.TLS)
	}
}

func TestDamagedCapture(t *testing.T) {
	b := demo(t)
	res, err := Analyze(context.Background(), bytes.NewReader(b[:len(b)/2]), "cut.pcapng", Options{})
	if !errors.Is(err, pcapfile.ErrTruncated) || res == nil || len(res.DNS) == 0 || !strings.Contains(err.Error(), "cut.pcapng") {
		t.Fatalf("err %v, result %v", err, res != nil)
	}
	if _, err := Analyze(context.Background(), strings.NewReader("garbage garbage garbage"), "g.pcap", Options{}); !errors.Is(err, pcapfile.ErrBadMagic) {
		t.Fatalf("garbage: %v", err)
	}
}

func TestPeriodic(t *testing.T) {
	reg := []int64{0, 60e9, 120e9, 181e9, 240e9, 300e9, 359e9}
	irr := []int64{0, 5e9, 80e9, 90e9, 300e9, 302e9, 600e9}
	if p, ok := periodic(reg); !ok || p < 59 || p > 61 {
		t.Errorf("regular: %v %v", p, ok)
	}
	if _, ok := periodic(irr); ok {
		t.Error("irregular flagged")
	}
	if _, ok := periodic(reg[:4]); ok {
		t.Error("too few flagged")
	}
}

func BenchmarkAnalyzeDemo(b *testing.B) {
	d := demo(b)
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Analyze(context.Background(), bytes.NewReader(d), "demo", Options{})
	}
}

// smallCapture is a short seed: a DNS exchange and a TLS session split
// into small segments.
func smallCapture() []byte {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, MSS: 64}
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	g.DNS(c, netgen.Addr("10.0.0.1"), 5000, 1, "a.example", []string{"b.example"}, s)
	g.TCP(c, s, 5001, 443, netgen.ClientHello(netgen.Hello{SNI: "a.example"}), netgen.ServerFlight(netgen.Cert("a.example", nil, "")))
	w.Flush()
	return buf.Bytes()
}

func FuzzAnalyze(f *testing.F) {
	f.Add(smallCapture())
	f.Add(tunnelCapture(f))
	// TLS inside OpenVPN over TCP and UDP, and an h2c connection
	client, server := ovpnSession(20, netgen.ClientHello(netgen.Hello{SNI: "f.example"}), netgen.ServerFlight(netgen.Cert("f.example", nil, "")))
	f.Add(ovpnCapture(f, true, client, server))
	f.Add(ovpnCapture(f, false, client, server))
	f.Add(rawTCP(f, 80, segment{false, 1, 0, netgen.SYN, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Analyze(context.Background(), bytes.NewReader(b), "fuzz", Options{MaxFlows: 64})
	})
}

// BenchmarkAnalyzeMixed is the decode hot path on a 64 MB generated mix
// (DNS, TLS, HTTP, QUIC, bulk TCP) held in memory.
func BenchmarkAnalyzeMixed(b *testing.B) {
	var buf bytes.Buffer
	if _, err := netgen.WriteBenchCapture(&buf, 64<<20, 1); err != nil {
		b.Fatal(err)
	}
	d := buf.Bytes()
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(context.Background(), bytes.NewReader(d), "bench", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeShortFlows is the flow-ending hot path: 20,000 short
// TCP connections from 50 clients to 500 public servers, most of them
// ending past the flow-record bound (aggregated), as in a large capture of
// real traffic.
func BenchmarkAnalyzeShortFlows(b *testing.B) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, Step: time.Millisecond}
	req := []byte("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n")
	for i := 0; i < 20000; i++ {
		c := netip.AddrFrom4([4]byte{10, 0, byte(i % 50), 2})
		s := netip.AddrFrom4([4]byte{198, 51, byte(i % 500 / 250), byte(i % 250)})
		g.TCP(c, s, uint16(20000+i%40000), 8000, req, []byte("HTTP/1.1 204 No Content\r\n\r\n"))
	}
	if g.Err != nil {
		b.Fatal(g.Err)
	}
	w.Flush()
	d := buf.Bytes()
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(context.Background(), bytes.NewReader(d), "bench", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRecordBoundKeepsChecks: past the per-name record bound, names are
// still observed (checked) and addresses still tied to them.
func TestRecordBoundKeepsChecks(t *testing.T) {
	res, err := Analyze(context.Background(), bytes.NewReader(demo(t)), "capture.pcapng", Options{MaxRecords: 1, MaxObserved: 1,
		Keep: func(k Kind, v string) bool { return v == "coazoa.com" || v == "md-news-direct.com" }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.DNS) != 1 {
		t.Fatalf("%d DNS records kept, want 1", len(res.DNS))
	}
	for _, d := range []string{"coazoa.com", "md-news-direct.com"} {
		if obs(res, KindDomain, d) == nil {
			t.Errorf("%s not observed past the bounds", d)
		}
	}
	if got := res.ResolvedFrom(netip.MustParseAddr("198.51.100.8")); !slices.Contains(got, "coazoa.com") {
		t.Errorf("resolved from %v", got)
	}
	if obs(res, KindDomain, "notfree247downloads.com") != nil {
		t.Error("a value that Keep rejects was stored past the bound")
	}
}

// TestHotPathDoesNotAllocate: once a flow is known, a data segment of an
// uninspected (bulk) or finished (TLS after the handshake) flow, and a
// repeated DNS query, are processed without allocating.
func TestHotPathDoesNotAllocate(t *testing.T) {
	a := newAnalyzer("t", Options{})
	a.opts.defaults()
	a.flows = newFlowTable(1024, a.endFlow)
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	tcp := func(flags uint8, seq uint32, payload []byte) pcapfile.Packet {
		return pcapfile.Packet{LinkType: pcapfile.LinkEthernet, Data: netgen.Ethernet(netgen.IP(c, s, 6, netgen.TCP(50000, 443, seq, 1, flags, payload)))}
	}
	syn := tcp(netgen.SYN, 0, nil)
	hello := tcp(netgen.ACK|netgen.PSH, 1, netgen.ClientHello(netgen.Hello{SNI: "a.example"}))
	a.packet(&syn)
	a.packet(&hello)
	bulk := tcp(netgen.ACK, 5000, make([]byte, 1400))
	q := netgen.DNSQuery(1, "repeat.example", 1)
	dns := pcapfile.Packet{LinkType: pcapfile.LinkEthernet, Data: netgen.Ethernet(netgen.IP(c, netgen.Addr("10.0.0.1"), 17, netgen.UDP(5353, 53, q)))}
	a.packet(&dns)
	allocs := testing.AllocsPerRun(200, func() {
		bulk.Time += 1000
		a.packet(&bulk)
		dns.Time += 1000
		a.packet(&dns)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet pair", allocs)
	}
}

func TestDNSOverTCP(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, true)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, MSS: 20} // segments split the messages
	c, s, ip := netgen.Addr("10.0.0.2"), netgen.Addr("10.0.0.1"), netgen.Addr("198.51.100.33")
	frame := func(m []byte) []byte { return append([]byte{byte(len(m) >> 8), byte(len(m))}, m...) }
	q := append(frame(netgen.DNSQuery(1, "tcp.example", 1)), frame(netgen.DNSQuery(2, "second.example", 1))...)
	r := append(frame(netgen.DNSResponse(1, "tcp.example", 1, nil, []netip.Addr{ip})), frame(netgen.DNSResponse(2, "second.example", 1, nil, nil))...)
	g.TCP(c, s, 40000, 53, q, r)
	w.Flush()
	res, err := Analyze(context.Background(), &buf, "dnstcp.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.DNS) != 2 || res.DNS[0].Name != "tcp.example" || res.DNS[0].Queries != 1 || res.DNS[0].Responses != 1 ||
		!slices.Equal(res.DNS[0].Addresses, []string{"198.51.100.33"}) || res.DNS[1].Name != "second.example" {
		t.Fatalf("DNS records %+v", res.DNS)
	}
	if got := res.ResolvedFrom(ip); !slices.Equal(got, []string{"tcp.example"}) {
		t.Errorf("resolved from %v", got)
	}
}

// TestSameInstantHTTPIsDeterministic: two requests to one host read from
// the same segment are first seen at the same instant; the HTTP records and
// the one finding per host and server come out the same on every run (they
// took the order of a map before).
func TestSameInstantHTTPIsDeterministic(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, MSS: 1400}
	reqs := "GET /z HTTP/1.1\r\nHost: same.example\r\nUser-Agent: b\r\n\r\n" +
		"GET /a HTTP/1.1\r\nHost: same.example\r\nUser-Agent: a\r\n\r\n" +
		"GET /a HTTP/1.1\r\nHost: SAME.example\r\nUser-Agent: a\r\n\r\n"
	g.TCP(netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.9"), 50000, 80, []byte(reqs), []byte("HTTP/1.1 200 OK\r\n\r\n"))
	w.Flush()
	var want string
	for i := 0; i < 20; i++ {
		res := analyzeBytes(t, buf.Bytes())
		var got []string
		for _, r := range res.HTTP {
			got = append(got, r.Host+" "+r.URL+" "+r.UserAgent)
		}
		for _, f := range res.Findings {
			if f.MessageMsg.Key == "net.http.title" {
				got = append(got, "finding "+f.Evidence.(map[string]any)["url"].(string))
			}
		}
		if len(res.HTTP) != 3 {
			t.Fatalf("%d HTTP records, want 3: %v", len(res.HTTP), got)
		}
		if i == 0 {
			want = strings.Join(got, "|")
			if !strings.HasSuffix(want, "|finding http://SAME.example/a") { // the least URL ("S" < "s")
				t.Fatalf("the finding does not name the first request in URL order: %s", want)
			}
			continue
		}
		if g := strings.Join(got, "|"); g != want {
			t.Fatalf("run %d: %s\nrun 0: %s", i, g, want)
		}
	}
}

// TestBeaconKeySameAsText: the beacon key keeps an address instead of its
// text; two keys must be equal exactly when the destination texts the
// findings print are, and dest must give that text.
func TestBeaconKeySameAsText(t *testing.T) {
	client := netip.MustParseAddr("10.0.0.2")
	type dst struct {
		name string
		addr netip.Addr
	}
	text := func(d dst) string {
		if d.name != "" {
			return d.name
		}
		return d.addr.String()
	}
	a4, a6 := netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")
	dsts := []dst{{"", a4}, {"", a6}, {"192.0.2.7", a6}, {"2001:db8::7", a4}, {"2001:DB8::7", a4},
		{"192.000.2.7", a4}, {"example.com", a4}, {"example.com", a6}, {"::ffff:192.0.2.7", a4},
		{"", netip.MustParseAddr("::ffff:192.0.2.7")}, {"1.2.3.4", a4}}
	for _, x := range dsts {
		kx := newBeaconKey(client, x.name, x.addr, 443, 6)
		if got := kx.dest(); got != text(x) {
			t.Errorf("dest of %+v = %q, want %q", x, got, text(x))
		}
		for _, y := range dsts {
			ky := newBeaconKey(client, y.name, y.addr, 443, 6)
			if (kx == ky) != (text(x) == text(y)) {
				t.Errorf("keys of %+v and %+v: equal %v, texts %q and %q", x, y, kx == ky, text(x), text(y))
			}
		}
	}
}
