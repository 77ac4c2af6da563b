package pcapmod

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/capture"
)

// Timeline events per module are bounded; the records hold everything.
const maxEvents = 5000

func reportDNS(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.DNS {
		rec.Record(r) // a pointer: AppendJSON, no copy
		if i < maxEvents {
			var cnames, addrs i18n.Msg
			if len(r.CNAMEs) > 0 {
				cnames = i18n.M("net.event.cnames", "names", strings.Join(r.CNAMEs, ", "))
			}
			if len(r.Addresses) > 0 {
				addrs = i18n.M("net.event.addresses", "addresses", strings.Join(r.Addresses, ", "))
			}
			desc := i18n.M("net.event.dns", "type", r.Type, "name", r.Name, "queries", i18n.M("net.n_queries", "n", r.Queries),
				"responses", i18n.M("net.n_responses", "n", r.Responses), "cnames", cnames, "addresses", addrs)
			rec.Event(model.Event{Time: r.First, Event: "dns_query", DescriptionMsg: desc, Artifact: file})
		}
	}
}

func reportTLS(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.TLS {
		rec.Record(r) // a pointer: AppendJSON, no copy
		if i < maxEvents {
			desc := i18n.M("net.event.tls", "server", r.Server, "sni", r.SNI, "ja4", r.JA4,
				"connections", i18n.M("net.n_connections", "n", r.Connections))
			rec.Event(model.Event{Time: r.First, Event: "tls_client_hello", DescriptionMsg: desc, Artifact: file})
		}
	}
}

func reportHTTP(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.HTTP {
		rec.Record(r) // a pointer: AppendJSON, no copy
		if i < maxEvents {
			desc := i18n.M("net.event.http", "method", r.Method, "target", orTarget(r), "requests", i18n.M("net.n_requests", "n", r.Requests),
				"ua", r.UserAgent)
			rec.Event(model.Event{Time: r.First, Event: "http_request", DescriptionMsg: desc, Artifact: file})
		}
	}
}

func orTarget(r *capture.HTTPRecord) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Host + " " + r.Server
}

func reportQUIC(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.QUIC {
		rec.Record(r) // a pointer: AppendJSON, no copy
		if i < maxEvents {
			var sni, undecoded i18n.Msg
			if r.SNI != "" {
				sni = i18n.M("net.event.quic_sni", "sni", r.SNI)
			}
			if !r.Decoded {
				undecoded = i18n.M("net.event.quic_undecoded")
			}
			desc := i18n.M("net.event.quic", "version", r.Version, "server", r.Server, "sni", sni, "undecoded", undecoded)
			rec.Event(model.Event{Time: r.First, Event: "quic_initial", DescriptionMsg: desc, Artifact: file})
		}
	}
	if res.Summary.QUICUndecoded > 0 {
		rec.Note(i18n.M("net.note.quic_undecoded", "n", res.Summary.QUICUndecoded))
	}
}

func reportFlows(rec *module.Recorder, file string, res *capture.Result) {
	s := res.Summary
	st := s.Reader
	rec.Note(i18n.M("net.note.capture", "file", file, "format", st.Format, "packets", st.Packets, "bytes", st.Bytes, "flows", s.Flows, "live", s.MaxLiveFlows))
	if st.SnapCut > 0 {
		rec.Note(i18n.M("net.note.snap_cut", "n", st.SnapCut))
	}
	if st.Corrupt > 0 {
		rec.Note(i18n.M("net.note.corrupt", "n", st.Corrupt))
	}
	if st.BadIface > 0 {
		rec.Note(i18n.M("net.note.bad_iface", "n", st.BadIface))
	}
	if st.Truncated {
		rec.Note(i18n.M("net.note.truncated"))
	}
	for _, k := range sortedKeys(st.DecryptionSecrets) {
		rec.Note(i18n.M("net.note.dsb", "kind", k, "n", st.DecryptionSecrets[k]))
	}
	for _, k := range sortedKeys(s.Decode) {
		rec.Note(i18n.M("net.note.decode", "what", k, "n", s.Decode[k]))
	}
	for _, k := range sortedKeys(s.Dropped) {
		rec.Note(i18n.M("net.note.bounded", "what", k, "n", s.Dropped[k]))
	}
	for i, f := range res.Flows {
		rec.Record(&res.Flows[i]) // a pointer: AppendJSON, no copy
		if i < maxEvents {
			var name, app, proc, flows i18n.Msg
			if f.ServerName != "" {
				name = i18n.M("net.event.flow_name", "name", f.ServerName)
			}
			if f.App != "" {
				app = i18n.M("net.event.flow_app", "app", f.App)
			}
			if f.Process != "" {
				proc = i18n.M("net.event.flow_process", "process", f.Process)
			}
			if f.Flows > 1 {
				flows = i18n.M("net.event.flow_flows", "flows", i18n.M("net.n_flows", "n", f.Flows))
			}
			desc := i18n.M("net.event.flow", "proto", f.Proto, "client", f.Client, "server", f.Server, "name", name, "app", app,
				"process", proc, "packets", i18n.M("net.event.flow_packets", "out", f.PacketsOut, "in", f.PacketsIn), "flows", flows)
			rec.Event(model.Event{Time: f.First, Event: "flow", DescriptionMsg: desc, Artifact: file})
		}
	}
}

// undecodableError describes the packets of a capture that could not be
// decoded, largest reason first.
func undecodableError(file string, s capture.Summary) error {
	reasons := sortedKeys(s.UndecodableBy)
	sort.SliceStable(reasons, func(i, j int) bool { return s.UndecodableBy[reasons[i]] > s.UndecodableBy[reasons[j]] })
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%s: %d", r, s.UndecodableBy[r]))
	}
	return fmt.Errorf("%s: %d of %d packets could not be decoded and were not checked (%s)",
		file, s.Undecodable, s.Reader.Packets, strings.Join(parts, "; "))
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// whatByKind is the label key of each kind of observed value.
var whatByKind = map[capture.Kind]string{
	capture.KindDomain: "net.what.domain", capture.KindURL: "net.what.url", capture.KindIP: "net.what.ip",
	capture.KindTLSCert: "net.what.tls_cert", capture.KindJA3: "net.what.ja3", capture.KindJA4: "net.what.ja4",
	capture.KindProcess: "net.what.process",
}

// sourceLabel translates where a value was read ("dns query", "tls sni"...);
// a source the catalogs do not name stays as it is.
func sourceLabel(src string) i18n.Msg {
	key := "net.src." + sourceKey.Replace(strings.ToLower(src))
	switch src {
	case "ja4 (FoxIO reference-code form)":
		key = "net.src.ja4_reference"
	}
	if i18n.Get(i18n.Default).Has(key) {
		return i18n.M(key)
	}
	return i18n.M("literal", "text", src)
}

// sourceKey turns a source into its catalog key's suffix (built once: a
// Replacer per observation was a tenth of a capture scan's CPU).
var sourceKey = strings.NewReplacer(" ", "_", "(", "", ")", "", "-", "_")

// sourcesLabel lists the sources of a value, each translated.
func sourcesLabel(srcs []string) i18n.Msg {
	if len(srcs) == 0 {
		return i18n.M("literal", "text", "")
	}
	m := sourceLabel(srcs[len(srcs)-1])
	for i := len(srcs) - 2; i >= 0; i-- {
		m = i18n.M("net.join", "a", sourceLabel(srcs[i]), "b", m)
	}
	return m
}

// labels builds the label of an observed value once per kind of value and
// list of sources: a capture has tens of thousands of values but a few
// dozen such combinations, and the label (a tree of catalog messages) was
// built, and held by the observables, once per value. The labels handed
// out are shared and never modified.
type labels struct {
	m   map[string]i18n.Msg
	key []byte
}

func (l *labels) of(o *capture.Observation) i18n.Msg {
	l.key = append(l.key[:0], byte(o.Kind))
	for _, src := range o.Sources {
		l.key = append(append(l.key, 0), src...)
	}
	if m, ok := l.m[string(l.key)]; ok {
		return m
	}
	if l.m == nil {
		l.m = map[string]i18n.Msg{}
	}
	m := i18n.M(whatByKind[o.Kind], "sources", sourcesLabel(o.Sources))
	l.m[string(l.key)] = m
	return m
}

// checkObservations checks the values this module owns, once each.
func checkObservations(rec *module.Recorder, mod, file string, res *capture.Result) {
	var lbl labels
	for i := range res.Observations {
		o := &res.Observations[i] // a pointer as the record: no copy boxed per value
		if o.Module != mod {
			continue
		}
		w := module.Where{Artifact: file, Time: o.First, Label: lbl.of(o), Record: o}
		switch o.Kind {
		case capture.KindDomain:
			rec.CheckDomain(o.Value, w)
		case capture.KindURL:
			rec.CheckURL(o.Value, w)
		case capture.KindIP:
			rec.CheckIP(o.Value, w)
		case capture.KindTLSCert:
			rec.CheckTLSCert(o.Value, w)
		case capture.KindJA3:
			rec.CheckJA3(o.Value, w)
		case capture.KindJA4:
			rec.CheckJA4(o.Value, w)
		case capture.KindProcess:
			rec.CheckProcess(o.Value, w)
		}
	}
}

func findings(rec *module.Recorder, mod, file string, res *capture.Result) {
	for _, f := range res.Findings {
		if f.Module != mod {
			continue
		}
		lvl, err := model.ParseLevel(f.Level)
		if err != nil {
			lvl = model.Low
		}
		rec.Flag(lvl, module.Where{Artifact: file, Time: f.Time, Record: f.Evidence}, f.MessageMsg, f.ReasonMsg, f.BenignMsg)
	}
}

// resolvedFromIndicators raises one alert per address that a DNS answer in
// the capture resolved from an indicator domain (or a CNAME chain through
// one): traffic to that address is tied to the indicator. obs are the IP
// observations resolved from a name (share.resolved).
func resolvedFromIndicators(rec *module.Recorder, ix *match.Index, file string, obs []*capture.Observation) {
	if ix == nil {
		return
	}
	for _, o := range obs {
		for _, rel := range o.Related {
			name, ok := strings.CutPrefix(rel, resolvedPrefix)
			if !ok {
				continue
			}
			ms := ix.Domain(name)
			if len(ms) == 0 {
				continue
			}
			m := ms[0]
			m.How = "resolved-from-indicator-domain"
			msg := i18n.M("net.resolved.title_no_family", "ip", o.Value, "name", name)
			if fam := strings.Join(m.Families(), ", "); fam != "" {
				msg = i18n.M("net.resolved.title", "ip", o.Value, "name", name, "families", fam)
			}
			rec.Alert(model.Alert{Level: model.High, Time: o.First, Artifact: file, MessageMsg: msg,
				Record: mustJSON(o), Match: &m})
			break
		}
	}
}

// resolvedPrefix starts the Related entries that name what an address was
// resolved from.
const resolvedPrefix = "resolved from "

// resolvedFromName reports whether o (an IP observation) was resolved from
// a name.
func resolvedFromName(o *capture.Observation) bool {
	for _, rel := range o.Related {
		if strings.HasPrefix(rel, resolvedPrefix) {
			return true
		}
	}
	return false
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
