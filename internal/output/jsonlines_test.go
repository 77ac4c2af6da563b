package output

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
	"github.com/spyscan/spyscan/internal/model"
)

func TestJSONLinesAsEncoder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, tc := range []struct {
		typ    reflect.Type
		append func([]byte, any) ([]byte, error)
	}{
		{reflect.TypeFor[model.Event](), func(b []byte, v any) ([]byte, error) { return appendEvent(b, v.(*model.Event)) }},
		{reflect.TypeFor[ObservableLine](), func(b []byte, v any) ([]byte, error) { return appendObservableLine(b, v.(*ObservableLine)) }},
	} {
		refused := 0
		for i := range 3000 {
			p := reflect.New(tc.typ)
			if i > 0 {
				jsonenctest.Fill(r, p.Elem())
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			werr := enc.Encode(p.Interface())
			got, err := tc.append([]byte("x"), p.Interface())
			if (err != nil) != (werr != nil) {
				t.Fatalf("%s: append error %v, json.Encoder %v", tc.typ, err, werr)
			}
			if werr != nil {
				refused++
				continue
			}
			if string(got[:1]) != "x" || string(got[1:])+"\n" != want.String() {
				t.Fatalf("%s:\nappended     %s\njson.Encoder %s", tc.typ, got[1:], want.Bytes())
			}
		}
		if refused == 0 || refused > 2000 {
			t.Errorf("%s: %d refused of 3000: the generator misses a case", tc.typ, refused)
		}
	}
}

// A line the encoder refuses fails as it did: through the encoder's error.
func TestJSONLineRefusedTime(t *testing.T) {
	var b bytes.Buffer
	lw := newLineWriter(&b)
	if err := lw.event(&model.Event{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("a year-10000 event was written")
	}
	if err := lw.event(&model.Event{Time: time.Unix(0, 0).UTC(), Module: "m"}); err != nil || b.Len() == 0 {
		t.Errorf("event not written: %v", err)
	}
}

// BenchmarkTimelineLine: one network timeline event, appended (the
// timeline's way) and through json.Encoder.
func BenchmarkTimelineLine(b *testing.B) {
	lvl := model.Low
	e := &model.Event{Time: time.Date(2026, 12, 3, 16, 4, 5, 123456000, time.UTC), Module: "network_tls", Event: "tls_client_hello",
		Description:    "TLS to 93.184.216.34:443 (SNI www.example.com, JA4 t13d1516h2_8daaf6152771_02713d6af862), 2 connections",
		DescriptionMsg: i18n.M("net.event.tls", "server", "93.184.216.34:443", "sni", "www.example.com", "ja4", "t13d1516h2_8daaf6152771_02713d6af862", "connections", i18n.M("net.n_connections", "n", 2)),
		Artifact:       "capture.pcap", Level: &lvl}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		lw := newLineWriter(io.Discard)
		for b.Loop() {
			lw.event(e)
		}
	})
	b.Run("json.Encoder", func(b *testing.B) {
		b.ReportAllocs()
		enc := json.NewEncoder(io.Discard)
		enc.SetEscapeHTML(false)
		for b.Loop() {
			enc.Encode(e)
		}
	})
}
