package resolverlog

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/cputime"
)

type got struct {
	kind                        Kind
	time                        string
	client, name, qtype, answer string
}

func collect(t *testing.T, in string) ([]got, *Reader) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), 2026)
	if err != nil {
		t.Fatal(err)
	}
	var out []got
	for r.Next() {
		e := r.Entry()
		ts := ""
		if !e.Time.IsZero() {
			ts = e.Time.Format(time.RFC3339Nano)
		}
		out = append(out, got{e.Kind, ts, string(e.Client), string(e.Name), string(e.QType), string(e.Answer)})
	}
	return out, r
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		in     string
		want   []got
		bad    map[string]int
	}{
		{"plain", Plain,
			"# exported queries\nfree247downloads.com\nWWW.Example.COM.\n\nnot a name\nexample.org\n",
			[]got{{Query, "", "", "free247downloads.com", "", ""}, {Query, "", "", "WWW.Example.COM", "", ""}, {Query, "", "", "example.org", "", ""}},
			map[string]int{BadName: 1}},
		{"dnsmasq", Dnsmasq,
			"Nov 23 21:00:00 dnsmasq[812]: query[A] api.free247downloads.com from 192.168.1.10\n" +
				"Nov 23 21:00:00 dnsmasq[812]: forwarded api.free247downloads.com to 8.8.8.8\n" +
				"Nov 23 21:00:01 dnsmasq[812]: reply api.free247downloads.com is 198.51.100.7\n" +
				"Nov  3 09:05:07 dnsmasq[812]: 17 192.168.1.11/41234 query[AAAA] example.com from 192.168.1.11\n" +
				"Nov 23 21:00:02 dnsmasq[812]: reply example.com is <CNAME>\n" +
				"garbage line here\n",
			[]got{
				{Query, "2026-11-23T21:00:00Z", "192.168.1.10", "api.free247downloads.com", "A", ""},
				{Reply, "2026-11-23T21:00:01Z", "", "api.free247downloads.com", "", "198.51.100.7"},
				{Query, "2026-11-03T09:05:07Z", "192.168.1.11", "example.com", "AAAA", ""},
				{Reply, "2026-11-23T21:00:02Z", "", "example.com", "", ""},
			},
			map[string]int{BadFormat: 1}},
		{"unbound", Unbound,
			"[1700000000] unbound[1234:0] info: 192.168.1.10 free247downloads.com. A IN\n" +
				"[1700000001] unbound[1234:0] info: 192.168.1.10 example.com. AAAA IN NOERROR 0.000000 0 45\n" +
				"[1700000002] unbound[1234:0] notice: init module 0: validator\n" +
				"Nov 23 21:00:00 resolver unbound: [1234:0] info: ::1 example.net. TXT IN\n",
			[]got{
				{Query, "2023-11-14T22:13:20Z", "192.168.1.10", "free247downloads.com", "A", ""},
				{Query, "2023-11-14T22:13:21Z", "192.168.1.10", "example.com", "AAAA", ""},
				{Query, "2026-11-23T21:00:00Z", "::1", "example.net", "TXT", ""},
			},
			map[string]int{}},
		{"bind", BIND,
			"23-Nov-2026 21:00:00.123 queries: info: client @0x7f3a0c 192.168.1.10#53421 (free247downloads.com): query: free247downloads.com IN A +E(0)K (192.168.1.1)\n" +
				"Nov 23 21:00:05 ns named[99]: client 2001:db8::1#5353 (example.com): query: example.com IN AAAA + (192.168.1.1)\n" +
				"23-Nov-2026 21:00:06.000 general: info: zone example.org/IN: loaded serial 1\n",
			[]got{
				{Query, "2026-11-23T21:00:00.123Z", "192.168.1.10", "free247downloads.com", "A", ""},
				{Query, "2026-11-23T21:00:05Z", "2001:db8::1", "example.com", "AAAA", ""},
			},
			map[string]int{BadFormat: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, r := collect(t, tc.in)
			if r.Format() != tc.format {
				t.Fatalf("format = %v, want %v", r.Format(), tc.format)
			}
			if fmt.Sprint(out) != fmt.Sprint(tc.want) {
				t.Errorf("entries:\n got %+v\nwant %+v", out, tc.want)
			}
			for k, v := range tc.bad {
				if r.Bad()[k] != v {
					t.Errorf("bad[%q] = %d, want %d (all: %v)", k, r.Bad()[k], v, r.Bad())
				}
			}
		})
	}
}

func TestDetectRefusesOtherText(t *testing.T) {
	for _, in := range []string{
		"",
		"hello world, this is a letter\nwith sentences\n",
		"{\"ts\":1,\"query\":\"x.example\"}\n",
		"#fields\tts\tquery\n1\ta.example\n",
		// an unzipped bugreport's main_entry.txt and version.txt
		"bugreport-oriole-UP1A.231005.007-2024-05-20-14-03-11.txt\n",
		"2.0\n",
		"10.0.0.1\n192.168.1.1\n",
		"notes.txt\nlist.csv\nfiles.json\n",
	} {
		if f := Detect([]byte(in)); f != Unknown {
			t.Errorf("Detect(%q) = %v, want unknown", in, f)
		}
	}
}

func TestGzipAndLongLine(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	fmt.Fprintf(zw, "a.example\nb.example\n%s\nc.example\n", strings.Repeat("x", MaxLine+5))
	zw.Close()
	r, err := NewReader(&b, 2026)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	if n != 3 || r.Bad()[BadTooLong] != 1 {
		t.Errorf("n=%d bad=%v", n, r.Bad())
	}
}

func fuzzParser(f *testing.F, seeds []string, parse func([]byte, *Entry) string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var e Entry
		if parse(line, &e) == "" && len(e.Name) == 0 {
			t.Fatalf("entry without a name from %q", line)
		}
	})
}

func FuzzDnsmasq(f *testing.F) {
	fuzzParser(f, []string{"Nov 23 21:00:00 dnsmasq[812]: query[A] a.example from 1.2.3.4", "Nov  3 09:05:07 dnsmasq[1]: 1 1.2.3.4/5 reply a.b is 1.2.3.4"},
		func(b []byte, e *Entry) string { return ParseDnsmasq(b, 2026, e) })
}

func FuzzUnbound(f *testing.F) {
	fuzzParser(f, []string{"[1700000000] unbound[1234:0] info: 192.168.1.10 a.example. A IN", "Nov 23 21:00:00 h unbound: [1:0] info: ::1 a.b. A IN"},
		func(b []byte, e *Entry) string { return ParseUnbound(b, 2026, e) })
}

func FuzzBIND(f *testing.F) {
	fuzzParser(f, []string{"23-Nov-2026 21:00:00.123 queries: info: client @0x7f 1.2.3.4#1 (a.b): query: a.b IN A +"},
		func(b []byte, e *Entry) string { return ParseBIND(b, 2026, e) })
}

func FuzzPlain(f *testing.F) {
	fuzzParser(f, []string{"a.example", "# c", "x"}, ParsePlain)
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte("a.example\nb.example\n"))
	f.Add([]byte("Nov 23 21:00:00 dnsmasq[812]: query[A] a.example from 1.2.3.4\n"))
	f.Fuzz(func(t *testing.T, b []byte) { Detect(b) })
}

func BenchmarkDnsmasq(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&buf, "Nov 23 21:%02d:%02d dnsmasq[812]: query[A] host%d.example.com from 192.168.1.%d\n", i/60%60, i%60, i, i%250)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		r, _ := NewReader(bytes.NewReader(data), 2026)
		for r.Next() {
		}
	}
	b.ReportMetric(float64(b.N*20000)/b.Elapsed().Seconds(), "lines/s")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*20000)/cpu.Seconds(), "lines/cpu-s")
	}
}
