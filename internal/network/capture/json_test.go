package capture

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

type jsonAppender interface {
	AppendJSON([]byte) ([]byte, error)
}

// TestRecordsAppendJSONAsMarshal: each record's AppendJSON writes what
// json.Marshal writes, on 3,000 filled values of each, and the values
// json.Marshal refuses (times out of RFC 3339's range) are among them.
func TestRecordsAppendJSONAsMarshal(t *testing.T) {
	for name, refused := range map[string]int{
		"DNSRecord":  jsonenctest.AsMarshal(t, 3000, (*DNSRecord).AppendJSON),
		"TLSRecord":  jsonenctest.AsMarshal(t, 3000, (*TLSRecord).AppendJSON),
		"HTTPRecord": jsonenctest.AsMarshal(t, 3000, (*HTTPRecord).AppendJSON),
		"QUICRecord": jsonenctest.AsMarshal(t, 3000, (*QUICRecord).AppendJSON),
		"FlowRecord": jsonenctest.AsMarshal(t, 3000, (*FlowRecord).AppendJSON),
	} {
		if refused == 0 {
			t.Errorf("%s: no value refused of 3000: the generator misses a case", name)
		}
	}
}

// benchRecords are records as a pass makes them: one of each kind.
func benchRecords() []jsonAppender {
	t0 := time.Date(2026, 12, 3, 16, 4, 5, 123456000, time.UTC)
	ev := Evidence{File: "capture.pcap", Flow: "tcp 10.0.0.2:50000 -> 93.184.216.34:443", CommunityID: "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
		FirstPacket: t0, LastPacket: t0.Add(time.Second), PacketNumber: 123456}
	return []jsonAppender{
		&DNSRecord{Name: "www.example.com", Type: "A", Queries: 3, Responses: 3, RCode: "NOERROR", CNAMEs: []string{"example.edgekey.net"},
			Addresses: []string{"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"}, First: t0, Last: t0, Evidence: ev},
		&TLSRecord{SNI: "www.example.com", Server: "93.184.216.34:443", Versions: []string{"TLS 1.3", "TLS 1.2"}, ALPN: []string{"h2", "http/1.1"},
			JA3: "773906b0efdefa24a7f2b8eb6985bf37", JA4: "t13d1516h2_8daaf6152771_02713d6af862",
			Fingerprints: []TLSFingerprint{{JA3: "773906b0efdefa24a7f2b8eb6985bf37", JA4: "t13d1516h2_8daaf6152771_02713d6af862", Hello: "first", Count: 2}},
			Negotiated:   "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", Connections: 2, First: t0, Last: t0, Evidence: ev},
		&HTTPRecord{Method: "GET", Host: "www.example.com", URL: "http://www.example.com/index.html?a=1&b=2", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
			Server: "93.184.216.34:80", Requests: 1, First: t0, Last: t0, Evidence: ev},
		&FlowRecord{Proto: "tcp", Client: "10.0.0.2:50000", Server: "93.184.216.34:443", ServerName: "www.example.com", App: "tls",
			CommunityID: ev.CommunityID, First: t0, Last: t0, FirstPacket: 1, PacketsOut: 10, PacketsIn: 12, BytesOut: 1500, BytesIn: 90000, SawStart: true, End: "fin"},
	}
}

// BenchmarkRecordJSON: the four common records encoded by AppendJSON into
// a reused buffer (the Recorder's way) and by json.Marshal.
func BenchmarkRecordJSON(b *testing.B) {
	recs := benchRecords()
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			for _, r := range recs {
				buf, _ = r.AppendJSON(buf[:0])
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				json.Marshal(r)
			}
		}
	})
}
