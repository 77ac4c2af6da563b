package zeeklog

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/cputime"
)

const tsvDNS = "#separator \\x09\n" +
	"#set_separator\t,\n" +
	"#empty_field\t(empty)\n" +
	"#unset_field\t-\n" +
	"#path\tdns\n" +
	"#open\t2024-01-01-00-00-00\n" +
	"#fields\tts\tuid\tid.orig_h\tquery\tanswers\tTTLs\n" +
	"#types\ttime\tstring\taddr\tstring\tvector[string]\tvector[interval]\n" +
	"1700000000.123456\tC1\t10.0.0.2\tfree247downloads.com\t1.2.3.4,cname.example\t60.0,60.0\n" +
	"1700000001.5\tC2\t10.0.0.2\ttab\\x09in\\x2cname.example\t-\t-\n" +
	"1700000002\tC3\t10.0.0.3\t(empty)\t(empty)\t(empty)\n" +
	"1700000003\tC4\ttoo-few-fields\n" +
	"#close\t2024-01-01-00-00-10\n"

func TestTSV(t *testing.T) {
	r, err := NewReader(strings.NewReader(tsvDNS), "ts", "query", "answers", "missing")
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		ts      time.Time
		query   string
		answers []string
		unset   bool
	}
	var got []rec
	for r.Next() {
		var rc rec
		rc.ts, _ = r.Time(0)
		rc.query = r.String(1)
		r.Each(2, func(e []byte) { rc.answers = append(rc.answers, string(e)) })
		rc.unset = r.Get(2) == nil
		if r.Get(3) != nil {
			t.Error("a field absent from the header has a value")
		}
		got = append(got, rc)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	want := []rec{
		{time.Unix(1700000000, 123456000).UTC(), "free247downloads.com", []string{"1.2.3.4", "cname.example"}, false},
		{time.Unix(1700000001, 500000000).UTC(), "tab\tin,name.example", nil, true},
		{time.Unix(1700000002, 0).UTC(), "", nil, false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.ts.Equal(w.ts) || g.query != w.query || !slices.Equal(g.answers, w.answers) || g.unset != w.unset {
			t.Errorf("record %d = %+v, want %+v", i, g, w)
		}
	}
	if r.Path() != "dns" || r.Format() != FormatTSV {
		t.Errorf("path %q format %v", r.Path(), r.Format())
	}
	if r.Bad()[BadFieldCount] != 1 {
		t.Errorf("bad = %v, want one %q", r.Bad(), BadFieldCount)
	}
	if !r.HasField("query") || r.HasField("missing") {
		t.Error("HasField wrong")
	}
}

const jsonSSL = `{"ts":1700000000.25,"uid":"C1","id.orig_h":"10.0.0.2","server_name":"evil\u002eexample","cert_chain_fps":["aa","bb"],"subject":"CN=x,O=\"Q\\\"","issuer":null,"nested":{"a":[1,{"b":"}"}]},"established":true}
{"ts":"2024-01-02T03:04:05.678Z","server_name":"iso.example"}
{"ts":1700000002, "server_name" : "spaced.example" , "cert_chain_fps" : [ ] }
{"ts":1700000003,"server_name":"broken.example"
not json at all
{}
`

func TestJSON(t *testing.T) {
	r, err := NewReader(strings.NewReader(jsonSSL), "ts", "server_name", "cert_chain_fps", "subject", "issuer", "established")
	if err != nil {
		t.Fatal(err)
	}
	var names, fps, subjects []string
	var times []time.Time
	for r.Next() {
		names = append(names, r.String(1))
		r.Each(2, func(e []byte) { fps = append(fps, string(e)) })
		subjects = append(subjects, r.String(3))
		if r.Get(4) != nil {
			t.Error("null issuer has a value")
		}
		ts, _ := r.Time(0)
		times = append(times, ts)
	}
	wantNames := []string{"evil.example", "iso.example", "spaced.example", ""}
	if !slices.Equal(names, wantNames) {
		t.Errorf("names = %q, want %q", names, wantNames)
	}
	if !slices.Equal(fps, []string{"aa", "bb"}) {
		t.Errorf("fps = %q", fps)
	}
	if subjects[0] != `CN=x,O="Q\"` {
		t.Errorf("subject = %q", subjects[0])
	}
	if !times[1].Equal(time.Date(2024, 1, 2, 3, 4, 5, 678000000, time.UTC)) || !times[0].Equal(time.Unix(1700000000, 250000000)) {
		t.Errorf("times = %v", times)
	}
	if r.Bad()[BadJSON] != 1 || r.Bad()[BadNoHeader]+r.Bad()[BadNotZeekLine] != 1 {
		t.Errorf("bad = %v", r.Bad())
	}
	if r.Format() != FormatJSON {
		t.Errorf("format %v", r.Format())
	}
}

func TestGzipAndLongLines(t *testing.T) {
	var raw bytes.Buffer
	raw.WriteString("#fields\tts\tquery\n")
	raw.WriteString("1\t" + strings.Repeat("a", MaxLine+10) + "\n")
	raw.WriteString("2\tafter.example\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	r, err := NewReader(&gz, "ts", "query")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for r.Next() {
		got = append(got, r.String(1))
	}
	if !slices.Equal(got, []string{"after.example"}) || r.Bad()[BadTooLong] != 1 {
		t.Errorf("got %q bad %v", got, r.Bad())
	}
	if r.Line() != 3 {
		t.Errorf("line = %d, want 3", r.Line())
	}
}

func TestHeaderChangeMidFile(t *testing.T) {
	in := "#fields\tts\tquery\n1\ta.example\n#fields\tquery\tts\tx\nb.example\t2\tz\n"
	r, _ := NewReader(strings.NewReader(in), "ts", "query")
	var got []string
	for r.Next() {
		ts, _ := r.Time(0)
		got = append(got, fmt.Sprintf("%d %s", ts.Unix(), r.String(1)))
	}
	if !slices.Equal(got, []string{"1 a.example", "2 b.example"}) {
		t.Errorf("got %q", got)
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"1700000000.123456789123", true}, {"17x", false}, {"", false}, {"-", false}, {"1.2.3", false}, {"99999999999999999999999", false}} {
		if _, ok := ParseTime([]byte(tc.in)); ok != tc.ok {
			t.Errorf("ParseTime(%q) ok=%v", tc.in, ok)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(tsvDNS))
	f.Add([]byte(jsonSSL))
	f.Add([]byte("#separator \\x2c\n#fields,a,b\n1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "ts", "query", "answers")
		if err != nil {
			return
		}
		for n := 0; r.Next() && n < 10000; n++ {
			r.Time(0)
			_ = r.String(1)
			r.Each(2, func([]byte) {})
		}
	})
}

// genDNS writes n TSV dns.log lines.
func genDNS(n int) []byte {
	var b bytes.Buffer
	b.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n")
	b.WriteString("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d.%06d\tCabc%d\t10.0.0.%d\t5%04d\t8.8.8.8\t53\tudp\t%d\t0.012\thost%d.example%d.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t93.184.216.%d\t300.0\tF\n",
			1700000000+i, i%1000000, i, i%250, i%10000, i%65536, i%5000, i%50, i%250)
	}
	return b.Bytes()
}

func BenchmarkTSVDNS(b *testing.B) {
	data := genDNS(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		r, _ := NewReader(bytes.NewReader(data), "ts", "id.orig_h", "query", "answers")
		for r.Next() {
			r.Time(0)
			_ = r.Get(2)
			r.Each(3, func([]byte) {})
		}
	}
	b.ReportMetric(float64(b.N*20000)/b.Elapsed().Seconds(), "lines/s")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*20000)/cpu.Seconds(), "lines/cpu-s")
	}
}

func BenchmarkJSONDNS(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&buf, `{"ts":%d.5,"uid":"C%d","id.orig_h":"10.0.0.%d","id.orig_p":5353,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp","query":"host%d.example.com","qtype_name":"A","rcode_name":"NOERROR","answers":["93.184.216.34"],"TTLs":[300.0],"rejected":false}`+"\n", 1700000000+i, i, i%250, i%5000)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		r, _ := NewReader(bytes.NewReader(data), "ts", "id.orig_h", "query", "answers")
		for r.Next() {
			r.Time(0)
			_ = r.Get(2)
			r.Each(3, func([]byte) {})
		}
	}
	b.ReportMetric(float64(b.N*20000)/b.Elapsed().Seconds(), "lines/s")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*20000)/cpu.Seconds(), "lines/cpu-s")
	}
}

func TestElemMatchesEach(t *testing.T) {
	for _, in := range []string{tsvDNS, jsonSSL} {
		r, _ := NewReader(strings.NewReader(in), "answers", "cert_chain_fps")
		for r.Next() {
			for i := 0; i < 2; i++ {
				var a, b []string
				r.Each(i, func(e []byte) { a = append(a, string(e)) })
				for pos := 0; ; {
					e, ok := r.Elem(i, &pos)
					if !ok {
						break
					}
					b = append(b, string(e))
				}
				if !slices.Equal(a, b) {
					t.Errorf("line %d field %d: Each %q, Elem %q", r.Line(), i, a, b)
				}
			}
		}
	}
	r, _ := NewReader(strings.NewReader(`{"a":["x",null,["n"],"y\u0041"]}`+"\n"), "a")
	r.Next()
	var got []string
	for pos := 0; ; {
		e, ok := r.Elem(0, &pos)
		if !ok {
			break
		}
		got = append(got, string(e))
	}
	if !slices.Equal(got, []string{"x", "yA"}) {
		t.Errorf("got %q", got)
	}
}

// TestSplitSep compares the word-at-a-time separator scan with a plain
// byte loop on lines of bytes chosen to trip a carry between bytes (the
// separator's neighbours, 0x00, 0x80, 0xff), of every length around a
// word.
func TestSplitSep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{'\t', '\t' ^ 1, '\t' - 1, '\t' | 0x80, 0, 0x80, 0xff, 0x7f, ',', 'a'}
	for i := 0; i < 20000; i++ {
		line := make([]byte, rng.IntN(40))
		for j := range line {
			line[j] = alphabet[rng.IntN(len(alphabet))]
		}
		sep := []byte{'\t', ',', 0, 0xff}[rng.IntN(4)]
		want := rng.IntN(8)
		var wantEnds []int
		wantN := 0
		for j, c := range line {
			if c == sep {
				if len(wantEnds) < want {
					wantEnds = append(wantEnds, j)
				}
				wantN++
			}
		}
		ends, n := splitSep(line, sep, want, []int{-1})
		if n != wantN || ends[0] != -1 || !slices.Equal(ends[1:], wantEnds) {
			t.Fatalf("splitSep(%q, %q, %d) = %v, %d; want %v, %d", line, sep, want, ends, n, wantEnds, wantN)
		}
	}
}
