package output

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/timefmt"
)

// TestTimelineCSVAsEncodingCSV: the timeline CSV is byte for byte what
// encoding/csv writes for the same rows, for fields that need quotes or
// not (commas, quotes, CR, LF, leading spaces of every kind, \., empty,
// control and non-ASCII characters), zero times, and past the write
// buffer.
func TestTimelineCSVAsEncodingCSV(t *testing.T) {
	pieces := []string{"", "a", "plain text", ",", `"`, `""`, "\r", "\n", "\r\n", " ", "\t", "\u00a0", "\u2003x", `\.`, `\`, ".",
		"é", "\x00", "\x7f", "=1+2", "日本", "\xff", "x y", "https://e.example/p?a=1,2"}
	rng := rand.New(rand.NewPCG(3, 4))
	field := func() string {
		var sb strings.Builder
		for range rng.IntN(4) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return sb.String()
	}
	var events []model.Event
	for _, p := range pieces {
		events = append(events, model.Event{Time: time.Unix(1_600_000_000, 0), Module: p, Event: p, Description: p})
	}
	for i := range 20000 {
		var tm time.Time
		if i%7 != 0 {
			tm = time.Unix(rng.Int64N(4_000_000_000), rng.Int64N(1e9)).In(time.FixedZone("X", 3600))
		}
		events = append(events, model.Event{Time: tm, Module: field(), Event: field(), Description: field()})
	}
	for _, n := range []int{0, 1, len(events)} {
		var got, want bytes.Buffer
		tw := NewTimelineCSV(&got)
		cw := csv.NewWriter(&want)
		cw.Write([]string{"UTC Timestamp", "Plugin", "Event", "Description"})
		for i := range events[:n] {
			e := &events[i]
			if err := tw.Write(e); err != nil {
				t.Fatal(err)
			}
			ts := ""
			if !e.Time.IsZero() {
				ts = e.Time.UTC().Format(timefmt.Micro)
			}
			cw.Write([]string{ts, csvCell(e.Module), csvCell(e.Event), csvCell(e.Description)})
		}
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := got.String(), want.String()
			i := 0
			for i < min(len(g), len(w)) && g[i] == w[i] {
				i++
			}
			t.Fatalf("%d events: differs from encoding/csv at byte %d: %q vs %q", n, i, g[i:min(len(g), i+60)], w[i:min(len(w), i+60)])
		}
	}
}

// BenchmarkTimelineCSV writes 100,000 events of an iOS timeline's shape.
func BenchmarkTimelineCSV(b *testing.B) {
	events := make([]model.Event, 100_000)
	for i := range events {
		events[i] = model.Event{Time: time.Unix(1_600_000_000+int64(i), int64(i)*1000), Module: "safari_history", Event: "visit",
			Description: "Visited https://www.example.org/page/" + strings.Repeat("x", i%50) + " (Example page, 3 visits)"}
	}
	b.ReportAllocs()
	cpu := cputime.Process()
	defer func() { b.ReportMetric((cputime.Process()-cpu).Seconds()*1e3/float64(b.N), "cpu-ms/op") }()
	for b.Loop() {
		tw := NewTimelineCSV(discard{})
		for i := range events {
			if err := tw.Write(&events[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := tw.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
