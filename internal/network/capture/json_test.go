package capture

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// fill sets every field of v (recursively, through reflection, so that a
// field added later is filled too) to a random value: empty and zero
// values often, strings that need escaping, times in other zones and out
// of RFC 3339's range now and then.
func fill(r *rand.Rand, v reflect.Value) {
	strs := []string{"", "", "a.example", "<&>\"\\", "caf\u00e9\u2028", "\xff\x01", "t12d2808h2_d943125447b4_dd0a478c1db3"}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[r.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		if r.IntN(3) > 0 {
			v.SetInt(r.Int64N(1<<40) - 1<<39)
		}
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16:
		if r.IntN(3) > 0 {
			v.SetUint(r.Uint64() >> (64 - v.Type().Bits()))
		}
	case reflect.Slice:
		switch r.IntN(4) {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+r.IntN(3), 3)
			for i := range s.Len() {
				fill(r, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			var t time.Time
			switch r.IntN(8) {
			case 0: // zero
			case 1:
				t = time.Date(10000+r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC) // json.Marshal refuses it
			case 2:
				t = time.Unix(r.Int64N(2e9), r.Int64N(1e9)).In(time.FixedZone("x", 3600*r.IntN(14)-1800))
			default:
				t = time.Unix(r.Int64N(2e9), r.Int64N(1e9)*int64(r.IntN(2))).UTC()
			}
			v.Set(reflect.ValueOf(t))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i))
			}
		}
	default:
		panic("fill: no generator for " + v.Type().String())
	}
}

type jsonAppender interface {
	AppendJSON([]byte) ([]byte, error)
}

func TestRecordsAppendJSONAsMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	for _, typ := range []reflect.Type{
		reflect.TypeFor[DNSRecord](), reflect.TypeFor[TLSRecord](), reflect.TypeFor[HTTPRecord](),
		reflect.TypeFor[QUICRecord](), reflect.TypeFor[FlowRecord](),
	} {
		refused := 0
		for i := range 3000 {
			p := reflect.New(typ)
			if i > 0 { // the first is the zero record
				fill(r, p.Elem())
			}
			want, werr := json.Marshal(p.Interface())
			got, err := p.Interface().(jsonAppender).AppendJSON([]byte("prefix"))
			if (err != nil) != (werr != nil) {
				t.Fatalf("%s: AppendJSON error %v, json.Marshal %v", typ, err, werr)
			}
			if werr != nil {
				refused++
				continue
			}
			if string(got[:6]) != "prefix" || string(got[6:]) != string(want) {
				t.Fatalf("%s:\nAppendJSON   %s\njson.Marshal %s", typ, got[6:], want)
			}
		}
		if refused == 0 || refused > 2000 {
			t.Errorf("%s: %d refused times of 3000: the generator misses a case", typ, refused)
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
