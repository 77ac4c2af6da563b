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
		{reflect.TypeFor[ObservableLine](), func(b []byte, v any) ([]byte, error) { return appendObservableLine(b, v.(*ObservableLine), nil) }},
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

// TestObservableLinesCachedAsEncoder: lines written one after the other
// by one lineWriter, whose sightings share a few places and labels (the
// cache then hits and misses in every order), are byte for byte what a
// json.Encoder writes.
func TestObservableLinesCachedAsEncoder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	places := []Sighting{
		{Module: "aqf_files", Artifact: "files.json", What: "File path", WhatMsg: i18n.M("android.what.file_path")},
		{Module: "aqf_files", Artifact: "files.json", What: "File hash", WhatMsg: i18n.M("android.what.file_hash")},
		{Module: "aqf_files", Input: "in1", Artifact: "files.json", What: "File path", WhatMsg: i18n.M("android.what.file_path")},
		{Module: "aqf_files", Artifact: "files.json", What: "File path"},
		{Module: "aqf_files", Artifact: "other.json", What: "File path", WhatMsg: i18n.M("android.what.file_path")},
		{Module: "sms", Artifact: "a<b>&\"c\"", WhatMsg: i18n.M("literal", "text", "x")},
		{Module: "sms", Artifact: "a<b>&\"c\"", WhatMsg: i18n.M("literal", "text", "y")},
	}
	var got, want bytes.Buffer
	lw := newLineWriter(&got)
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	for i := range 2000 {
		l := ObservableLine{Type: "file-path", Value: "/sdcard/" + string(rune('a'+i%26)), Count: i, FirstSeen: time.Unix(int64(i), 0).UTC()}
		if i%7 == 0 {
			l.FirstSeen = time.Time{}
		}
		for range 1 + r.IntN(3) {
			s := places[r.IntN(len(places))]
			s.Count = r.IntN(5)
			switch r.IntN(4) {
			case 1:
				s.FirstSeen = time.Unix(r.Int64N(1<<31), int64(r.IntN(1e9))).UTC()
			case 2:
				s.FirstSeen = l.FirstSeen // the line's bytes, copied
			case 3:
				s.FirstSeen = l.FirstSeen.In(time.FixedZone("z", 3600)) // the same instant elsewhere
			}
			l.Seen = append(l.Seen, s)
		}
		if err := lw.observables(&l); err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(&l); err != nil {
			t.Fatal(err)
		}
	}
	if got.String() != want.String() {
		g, w := bytes.Split(got.Bytes(), []byte("\n")), bytes.Split(want.Bytes(), []byte("\n"))
		for i := range min(len(g), len(w)) {
			if !bytes.Equal(g[i], w[i]) {
				t.Fatalf("line %d:\nwritten      %s\njson.Encoder %s", i, g[i], w[i])
			}
		}
		t.Fatalf("%d lines written, json.Encoder %d", len(g), len(w))
	}
}

// BenchmarkObservableLine: one files.json path's observables line, its
// sighting's place from the cache (the writer's way) and encoded each time.
func BenchmarkObservableLine(b *testing.B) {
	l := &ObservableLine{Type: "file-path", Value: "/sdcard/DCIM/Camera/IMG_20240519_101010.jpg", Count: 1,
		FirstSeen: time.Date(2024, 5, 19, 10, 10, 10, 0, time.UTC),
		Seen: []Sighting{{Module: "aqf_files", Artifact: "files.json", What: "File path", WhatMsg: i18n.M("android.what.file_path"),
			Count: 1, FirstSeen: time.Date(2024, 5, 19, 10, 10, 10, 0, time.UTC)}}}
	for _, c := range []struct {
		name  string
		cache *sightingCache
	}{{"cached", &sightingCache{}}, {"encoded", nil}} {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				buf, _ = appendObservableLine(buf[:0], l, c.cache)
			}
		})
	}
}
