package output

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// TestSpillSizeCountsMessages: the size a buffered timeline event is
// counted at (what the spill's memory budget adds up) is at least the
// memory its catalog message tree holds, measured as what building the
// event keeps live, so that the spool stays within its budget.
func TestSpillSizeCountsMessages(t *testing.T) {
	const n = 2000
	events := make([]model.Event, n)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range events {
		// the shape of a network module's DNS event
		name := fmt.Sprintf("host%d.example", i)
		desc := i18n.M("net.event.dns", "type", "A", "name", name, "queries", i18n.M("net.n_queries", "n", i),
			"responses", i18n.M("net.n_responses", "n", i+1), "cnames", i18n.M("net.event.cnames", "names", "a.example, b.example"),
			"addresses", i18n.M("net.event.addresses", "addresses", "192.0.2.1, 192.0.2.2"))
		events[i] = model.Event{Time: time.Unix(int64(i), 0), Module: "network_dns", Event: "dns_query", DescriptionMsg: desc, Artifact: "x.pcap"}
		events[i].FillEnglish()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int(after.HeapAlloc) - int(before.HeapAlloc)
	counted := 0
	for i := range events {
		counted += eventCodec.Size(&events[i])
	}
	runtime.KeepAlive(events)
	if counted < held*3/4 {
		t.Errorf("%d events counted at %d bytes, but they hold %d", n, counted, held)
	}
	t.Logf("%d events: counted %d bytes, held %d", n, counted, held)
}
