package output

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/spill"
)

// BenchmarkSpoolTimeline reads back a spooled timeline of 25,000 network
// events (what a capture's five modules write at most): the result files
// and the report read it four times per scan.
func BenchmarkSpoolTimeline(b *testing.B) { benchSpoolTimeline(b, 25000) }

// BenchmarkSpoolTimeline6k is BenchmarkSpoolTimeline for 6,000 events,
// about MVT's sample backup's timeline: the spool holds them in its
// buffer, read back without encoding (spill.Codec.RoundTrip).
func BenchmarkSpoolTimeline6k(b *testing.B) { benchSpoolTimeline(b, 6000) }

func benchSpoolTimeline(b *testing.B, events int) {
	s, err := NewSpool(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sinks := s.Sinks("network_dns", "")
	for i := range events {
		desc := i18n.M("net.event.dns", "type", "A", "name", fmt.Sprintf("host%d.example", i),
			"queries", i18n.M("net.n_queries", "n", i%7+1), "responses", i18n.M("net.n_responses", "n", i%5),
			"cnames", i18n.Msg{}, "addresses", i18n.M("net.event.addresses", "addresses", "192.0.2.1"))
		e := model.Event{Time: time.Unix(int64(1_700_000_000+i%997), 0), Module: "network_dns", Event: "dns_query",
			DescriptionMsg: desc, Artifact: "capture.pcap"}
		e.FillEnglish()
		if err := sinks.Events(e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := s.Timeline().Each(func(*model.Event) error { n++; return nil }); err != nil || n != events {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkSpoolEvents adds 25,000 events to a spool (sorted runs written
// as the budget fills).
func BenchmarkSpoolEvents(b *testing.B) {
	events := make([]model.Event, 25000)
	for i := range events {
		desc := i18n.M("net.event.dns", "type", "A", "name", fmt.Sprintf("host%d.example", i))
		events[i] = model.Event{Time: time.Unix(int64(1_700_000_000+i%997), 0), Module: "network_dns", Event: "dns_query",
			DescriptionMsg: desc, Artifact: "capture.pcap"}
		events[i].FillEnglish()
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewSpool(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		sinks := s.Sinks("network_dns", "")
		for _, e := range events {
			if err := sinks.Events(e); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
}

// BenchmarkObservableSpill sorts and merges 200,000 checked values in the
// proportions of an androidqf's files.json (a path and a SHA-256 per
// file) through the spool's items, in a recorder's batches.
func BenchmarkObservableSpill(b *testing.B) {
	obs := make([]module.Observable, 0, 200000)
	for i := range 100000 {
		for _, o := range []module.Observable{
			{Type: match.FilePath, Value: fmt.Sprintf("/data/data/com.example.app%d/files/f%d", i%5000, i), What: "File path"},
			{Type: match.FileSHA256, Value: fmt.Sprintf("%064x", uint64(i)*0x9e3779b97f4a7c15), What: "File hash"},
		} {
			o.Artifact, o.Count = "files.json", 1
			obs = append(obs, o)
		}
	}
	for b.Loop() {
		table := newPlaceTable()
		s := spill.New(b.TempDir(), observableBudget, itemCodec(table))
		sink := &obsSink{table: table, sorter: s, mod: "aqf_files"}
		for batch := range slices.Chunk(obs, module.ObservableBatch) {
			if err := sink.add(batch); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		if err := (spoolObservables{s}).Each(func(*ObservableRecord) error { n++; return nil }); err != nil || n != len(obs) {
			b.Fatal(n, err)
		}
		s.Close()
	}
}
