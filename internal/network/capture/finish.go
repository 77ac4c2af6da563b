package capture

import (
	"cmp"
	"net/netip"
	"runtime"
	"slices"
	"strings"
)

// collectAt is the captured size past which finish collects garbage twice
// (a variable for the tests). At 4 GB of capture the pass's tables hold
// about 55 MB and its garbage about as much again when the pass ends; the
// result is built from the tables, then the modules' reports from the
// result, each allocating tens of MB more before the collector's own next
// cycle (its goal is twice the live heap): that was the scan's peak RSS
// (docs/perf/network.md, sixth round). A collection once the flows have
// ended and another once the tables are released start each step from the
// live data alone. On a small capture both would cost more than they
// save.
var collectAt uint64 = 128 << 20

func (a *analyzer) finish(captured uint64) *Result {
	a.dec.Defrag.Flush()
	a.incompleteDatagrams()
	a.flows.drain()
	flows, maxLive := a.flows.total, a.flows.maxLive
	a.flows = nil // the ended flows are garbage now
	a.ev.load()
	a.finishHeuristics()
	collect := captured >= collectAt
	if collect {
		runtime.GC()
	}
	res := &Result{}
	res.Summary = Summary{File: a.name, Flows: flows, MaxLiveFlows: maxLive,
		FirstPacket: ts(a.first), LastPacket: ts(a.last), QUICUndecoded: a.quicUndec}
	if len(a.decodeErr) > 0 {
		res.Summary.Decode = a.decodeErr
	}
	d := a.dec.Defrag
	for k, v := range map[string]uint64{"IP datagrams reassembled": d.Reassembled,
		"IP fragments dropped (bounds)": d.Dropped, "IP fragment sets expired": d.Expired,
		"IP fragments overlapping": d.Overlaps, "IP fragment sets incomplete at end": d.GivenUp - d.Expired,
		"IP datagrams read in part (fragments missing)": d.Incompletes} {
		if v > 0 {
			a.decodeErr[k] = v
			res.Summary.Decode = a.decodeErr
		}
	}
	if d.GivenUp > 0 {
		a.undecodable("IP datagrams with fragments missing", d.GivenUp)
	}
	if d.Dropped > 0 {
		a.undecodable("IP fragments dropped by the reassembly bounds", d.Dropped)
	}
	if a.undecN > 0 {
		res.Summary.Undecodable, res.Summary.UndecodableBy = a.undecN, a.undec
	}
	if a.ev.lost {
		a.dropped["evidence not read back (temporary file)"]++
	}
	if len(a.dropped) > 0 {
		res.Summary.Dropped = a.dropped
	}
	res.Flows = a.flowRecs
	aggs := make([]FlowRecord, 0, len(a.flowAgg))
	for _, g := range a.flowAgg {
		aggs = append(aggs, *g)
	}
	slices.SortFunc(aggs, func(x, y FlowRecord) int {
		return cmp.Or(x.First.Compare(y.First), strings.Compare(x.Client, y.Client), strings.Compare(x.Server, y.Server),
			strings.Compare(x.Proto, y.Proto))
	})
	res.Flows = append(res.Flows, aggs...)
	slices.SortStableFunc(res.Flows, func(x, y FlowRecord) int { return cmp.Compare(x.FirstPacket, y.FirstPacket) })

	// each table is released as soon as it is copied, so that the tables
	// and the result are not both whole at once
	res.DNS = sortedValues(a.dns, func(x, y *DNSRecord) int {
		return cmp.Or(x.First.Compare(y.First), strings.Compare(x.Name, y.Name), strings.Compare(x.Type, y.Type))
	})
	a.dns = nil
	res.TLS = sortedValues(a.tls, func(x, y *TLSRecord) int {
		return cmp.Or(x.First.Compare(y.First), strings.Compare(x.SNI, y.SNI), strings.Compare(x.Server, y.Server), strings.Compare(x.JA4, y.JA4))
	})
	a.tls = nil
	res.HTTP = sortedValues(a.http, func(x, y *HTTPRecord) int {
		return cmp.Or(x.First.Compare(y.First), strings.Compare(x.URL, y.URL), strings.Compare(x.Method, y.Method), strings.Compare(x.UserAgent, y.UserAgent),
			strings.Compare(x.Host, y.Host))
	})
	a.http = nil
	res.QUIC = sortedValues(a.quic, func(x, y *QUICRecord) int {
		return cmp.Or(x.First.Compare(y.First), strings.Compare(x.Server, y.Server), strings.Compare(x.SNI, y.SNI), strings.Compare(x.JA4, y.JA4))
	})
	a.quic, a.flowAgg, a.beacons, a.unresolved = nil, nil, nil, nil
	a.slabs = slabs{obs: a.slabs.obs}
	res.Observations = a.observations()
	a.slabs, a.ev = slabs{}, nil
	res.Findings = a.findings
	slices.SortStableFunc(res.Findings, func(x, y Finding) int {
		return cmp.Or(strings.Compare(x.Module, y.Module), x.Time.Compare(y.Time), strings.Compare(x.Message, y.Message))
	})
	if collect {
		runtime.GC()
	}
	return res
}

// observations are every observed value, ordered by owning module, kind
// and value (so each module's share is one run of the slice); the tables
// are released as they are read.
func (a *analyzer) observations() []Observation {
	n := len(a.obsIP)
	for k := range a.obs {
		n += len(a.obs[k])
	}
	type key struct {
		module string
		kind   Kind
		value  string
		o      *obsEntry
	}
	keys := make([]key, 0, n)
	for k := range a.obs {
		for v, o := range a.obs[k] {
			keys = append(keys, key{o.module, o.kind, v, o})
		}
		a.obs[k] = nil
	}
	for ip, o := range a.obsIP {
		for _, n := range a.resolved[ip] {
			addRelated(o, "resolved from "+n)
		}
		keys = append(keys, key{o.module, o.kind, ip.String(), o})
	}
	a.obsIP, a.resolved = nil, nil
	slices.SortFunc(keys, func(x, y key) int {
		return cmp.Or(strings.Compare(x.module, y.module), cmp.Compare(x.kind, y.kind), strings.Compare(x.value, y.value))
	})
	out := make([]Observation, len(keys))
	for i, k := range keys {
		out[i] = a.observation(k.o, k.value)
	}
	return out
}

// sortedValues are the records of m in order: the records themselves, not
// copies (a copy of every record while the tables still hold them was
// about 10 MB at 4 GB of capture, in new pages).
func sortedValues[K comparable, V any](m map[K]*V, f func(x, y *V) int) []*V {
	ps := make([]*V, 0, len(m))
	for _, v := range m {
		ps = append(ps, v)
	}
	slices.SortFunc(ps, f)
	return ps
}

// ResolvedFrom is exported for tests: the names an address was resolved from.
func (r *Result) ResolvedFrom(ip netip.Addr) []string {
	for _, o := range r.Observations {
		if o.Kind == KindIP && o.Value == ip.String() {
			var out []string
			for _, rel := range o.Related {
				if n, ok := strings.CutPrefix(rel, "resolved from "); ok {
					out = append(out, n)
				}
			}
			return out
		}
	}
	return nil
}
