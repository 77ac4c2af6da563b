package eve

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// fileinfoLine is a whole line Suricata wrote, from suricata-verify's
// tests/output-eve-fileinfo/expected/eve.json (MIT; see
// internal/network/modules/suricata/testdata/suricata-verify/README.md).
const fileinfoLine = `{"timestamp":"2016-06-08T20:01:52.875791+0000","flow_id":841252990914572,"pcap_cnt":9,"event_type":"fileinfo","src_ip":"188.40.238.250","src_port":80,"dest_ip":"10.16.1.11","dest_port":59908,"proto":"TCP","http":{"hostname":"www.eicar.org","url":"\/download\/eicar.com","http_user_agent":"curl\/7.43.0","http_content_type":"application\/octet-stream","http_method":"GET","protocol":"HTTP\/1.1","status":200,"length":68},"app_proto":"http","fileinfo":{"filename":"eicar.com","state":"CLOSED","stored":false,"size":68,"tx_id":0}}`

func TestParseReal(t *testing.T) {
	var ev Event
	if err := Parse([]byte(fileinfoLine), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.EventType != "fileinfo" || ev.SrcIP != "188.40.238.250" || ev.DestPort != 59908 || ev.AppProto != "http" {
		t.Errorf("common fields = %+v", ev)
	}
	if ev.HTTP == nil || ev.HTTP.Hostname != "www.eicar.org" || ev.HTTP.URL != "/download/eicar.com" || ev.HTTP.UserAgent != "curl/7.43.0" || ev.HTTP.Status != 200 {
		t.Errorf("http = %+v", ev.HTTP)
	}
	if ev.FileInfo == nil || ev.FileInfo.Filename != "eicar.com" || ev.FileInfo.Size != 68 {
		t.Errorf("fileinfo = %+v", ev.FileInfo)
	}
	ts, ok := Time(ev.Timestamp)
	if want := time.Date(2016, 6, 8, 20, 1, 52, 875791000, time.UTC); !ok || !ts.Equal(want) {
		t.Errorf("time = %v %v, want %v", ts, ok, want)
	}
	if EventType([]byte(fileinfoLine)) != "fileinfo" || !Sniff([]byte(fileinfoLine+"\n")) {
		t.Error("EventType/Sniff do not recognise a real line")
	}
}

func TestDNSLayouts(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		questions  []string
		answers    []string
	}{
		{"v1 query", `{"timestamp":"t","event_type":"dns","dns":{"type":"query","id":1,"rrname":"a.example","rrtype":"A","tx_id":0}}`,
			[]string{"a.example"}, nil},
		{"v1 answer", `{"timestamp":"t","event_type":"dns","dns":{"type":"answer","id":1,"rcode":"NOERROR","rrname":"a.example","rrtype":"CNAME","ttl":5,"rdata":"b.example"}}`,
			[]string{"a.example"}, []string{"CNAME b.example"}},
		{"v2 answer", `{"timestamp":"t","event_type":"dns","dns":{"version":2,"type":"answer","rrname":"a.example","rrtype":"A","answers":[{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1"}],"grouped":{"AAAA":["2001:db8::1"],"CNAME":["c.example"]}}}`,
			[]string{"a.example"}, []string{"A 192.0.2.1", "AAAA 2001:db8::1", "CNAME c.example"}},
		{"v3 response", `{"timestamp":"t","event_type":"dns","dns":{"version":3,"type":"response","queries":[{"rrname":"q.example","rrtype":"A"}],"answers":[{"rrname":"q.example","rrtype":"A","rdata":"192.0.2.2"}]}}`,
			[]string{"q.example"}, []string{"A 192.0.2.2"}},
		{"alert (Suricata 7)", `{"timestamp":"t","event_type":"alert","alert":{"signature_id":1},"dns":{"query":[{"type":"query","rrname":"x.example","rrtype":"A"}],"answer":{"rrname":"x.example","answers":[{"rrtype":"A","rdata":"192.0.2.3"}]}}}`,
			[]string{"x.example", "x.example"}, []string{"A 192.0.2.3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ev Event
			if err := Parse([]byte(tc.line), &ev); err != nil {
				t.Fatal(err)
			}
			if q := ev.DNS.Questions(); !slices.Equal(q, tc.questions) {
				t.Errorf("questions = %q, want %q", q, tc.questions)
			}
			var got []string
			ev.DNS.AnswerData(func(typ, data string) { got = append(got, typ+" "+data) })
			if !slices.Equal(got, tc.answers) {
				t.Errorf("answers = %q, want %q", got, tc.answers)
			}
		})
	}
}

func TestTLSAndQUIC(t *testing.T) {
	var ev Event
	line := `{"timestamp":"2026-11-20T08:00:00.000000+0100","event_type":"tls","tls":{"sni":"a.example","fingerprint":"0D:DB:34:F8:75:63:2C:7E:1E:C0:9D:75:82:7F:82:D2:33:6D:FE:B6","ja3":{"hash":"e7eca2baf4458d095b7f45da28c16c34"},"ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1"}}`
	if err := Parse([]byte(line), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.TLS.CertSHA1() != "0ddb34f875632c7e1ec09d75827f82d2336dfeb6" || ev.TLS.JA3.Hash == "" || ev.TLS.JA4 == "" {
		t.Errorf("tls = %+v", ev.TLS)
	}
	if ts, _ := Time(ev.Timestamp); ts.Hour() != 7 {
		t.Errorf("time zone not applied: %v", ts)
	}
	bad := TLS{Fingerprint: "zz:11"}
	if bad.CertSHA1() != "" {
		t.Error("malformed fingerprint accepted")
	}
	q := QUIC{Extensions: []Extension{{Name: "alpn", Values: []string{"h3"}}, {Name: "server_name", Values: []string{"msquic.net"}}}}
	if q.ServerName() != "msquic.net" {
		t.Errorf("QUIC server name = %q", q.ServerName())
	}
}

func TestParseErrors(t *testing.T) {
	var ev Event
	for line, want := range map[string]error{
		`[1,2]`:                                  ErrNotObject,
		``:                                       ErrNotObject,
		`{"timestamp":"t"}`:                      ErrNoType,
		`{"event_type":"dns",`:                   nil, // a JSON syntax error
		strings.Repeat(" ", 10):                  ErrNotObject,
		"{" + strings.Repeat(" ", MaxLine) + "}": ErrTooLong,
	} {
		err := Parse([]byte(line), &ev)
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Errorf("Parse(%.30q) = %v, want %v", line, err, want)
		}
	}
	// A field of an unexpected type loses that field only.
	err := Parse([]byte(`{"timestamp":"t","event_type":"tls","src_ip":"192.0.2.1","tls":{"sni":"a.example"},"http":{"status":"two hundred"}}`), &ev)
	if !errors.Is(err, ErrPartial) || ev.TLS == nil || ev.TLS.SNI != "a.example" || ev.SrcIP != "192.0.2.1" || ev.HTTP != nil {
		t.Errorf("partial parse: %v %+v", err, ev)
	}
}

func TestSniffAndEventType(t *testing.T) {
	for head, want := range map[string]bool{
		`{"timestamp":"2026-01-01T00:00:00Z","event_type":"stats"}` + "\n": true,
		"\n\n" + `{"timestamp": "x", "event_type" : "dns"}`:                true,
		`{"ts":1.5,"uid":"C1","query":"a.example"}`:                        false, // Zeek JSON
		"#separator \\x09\n":     false,
		`{"event_type":"dns"}`:   false,
		"a.example\nb.example\n": false,
	} {
		if got := Sniff([]byte(head)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", head, got, want)
		}
	}
	if EventType([]byte(`{"event_type" :  "flow"}`)) != "flow" || EventType([]byte(`{"event_type":1}`)) != "" {
		t.Error("EventType")
	}
}

// FuzzParse decodes arbitrary lines: no panic, and an accepted event always
// has a type.
func FuzzParse(f *testing.F) {
	f.Add([]byte(fileinfoLine))
	f.Add([]byte(`{"timestamp":"t","event_type":"dns","dns":{"version":3,"queries":[{"rrname":"q"}],"answers":[{"rdata":"1.2.3.4","rrtype":"A"}],"grouped":{"A":["x"]}}}`))
	f.Add([]byte(`{"timestamp":"t","event_type":"tls","http":{"status":"x"},"tls":{"fingerprint":"aa"}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) > 1<<16 {
			return
		}
		var ev Event
		err := Parse(line, &ev)
		if (err == nil || errors.Is(err, ErrPartial)) && ev.EventType == "" {
			t.Fatalf("accepted an event without a type: %q", line)
		}
		if ev.DNS != nil {
			ev.DNS.Questions()
			ev.DNS.AnswerData(func(string, string) {})
		}
		if ev.TLS != nil {
			ev.TLS.CertSHA1()
		}
		if ev.QUIC != nil {
			ev.QUIC.ServerName()
		}
		Time(ev.Timestamp)
		EventType(line)
		Sniff(line)
	})
}
