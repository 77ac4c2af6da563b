package pcapmod

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/capture"
)

// Timeline events per module are bounded; the records hold everything.
const maxEvents = 5000

func reportDNS(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.DNS {
		rec.Record(r)
		if i < maxEvents {
			desc := fmt.Sprintf("%s %s (%d queries, %d responses)", r.Type, r.Name, r.Queries, r.Responses)
			if len(r.CNAMEs) > 0 {
				desc += " CNAME " + strings.Join(r.CNAMEs, ", ")
			}
			if len(r.Addresses) > 0 {
				desc += " -> " + strings.Join(r.Addresses, ", ")
			}
			rec.Event(model.Event{Time: r.First, Event: "dns_query", Description: desc, Artifact: file})
		}
	}
}

func reportTLS(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.TLS {
		rec.Record(r)
		if i < maxEvents {
			desc := fmt.Sprintf("TLS to %s SNI %q JA4 %s (%d connections)", r.Server, r.SNI, r.JA4, r.Connections)
			rec.Event(model.Event{Time: r.First, Event: "tls_client_hello", Description: desc, Artifact: file})
		}
	}
}

func reportHTTP(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.HTTP {
		rec.Record(r)
		if i < maxEvents {
			desc := fmt.Sprintf("%s %s (%d requests) UA %q", r.Method, orTarget(r), r.Requests, r.UserAgent)
			rec.Event(model.Event{Time: r.First, Event: "http_request", Description: desc, Artifact: file})
		}
	}
}

func orTarget(r capture.HTTPRecord) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Host + " " + r.Server
}

func reportQUIC(rec *module.Recorder, file string, res *capture.Result) {
	for i, r := range res.QUIC {
		rec.Record(r)
		if i < maxEvents {
			desc := fmt.Sprintf("QUIC %s to %s", r.Version, r.Server)
			if r.SNI != "" {
				desc += fmt.Sprintf(" SNI %q", r.SNI)
			}
			if !r.Decoded {
				desc += " (Initial not decoded)"
			}
			rec.Event(model.Event{Time: r.First, Event: "quic_initial", Description: desc, Artifact: file})
		}
	}
	if res.Summary.QUICUndecoded > 0 {
		rec.Note("%d QUIC Initial packets counted but not decrypted (no QUIC decoder)", res.Summary.QUICUndecoded)
	}
}

func reportFlows(rec *module.Recorder, file string, res *capture.Result) {
	s := res.Summary
	st := s.Reader
	rec.Note("capture %s: %s, %d packets, %d bytes, %d flows (at most %d live)", file, st.Format, st.Packets, st.Bytes, s.Flows, s.MaxLiveFlows)
	if st.SnapCut > 0 {
		rec.Note("%d packets cut by the snapshot length", st.SnapCut)
	}
	if st.Corrupt > 0 {
		rec.Note("%d corrupt records", st.Corrupt)
	}
	if st.BadIface > 0 {
		rec.Note("%d packets naming an undeclared interface", st.BadIface)
	}
	if st.Truncated {
		rec.Note("the capture is truncated (the last record is incomplete)")
	}
	for _, k := range sortedKeys(st.DecryptionSecrets) {
		rec.Note("pcapng Decryption Secrets Block (%s): %d, noted and not used", k, st.DecryptionSecrets[k])
	}
	for _, k := range sortedKeys(s.Decode) {
		rec.Note("decode: %s: %d", k, s.Decode[k])
	}
	for _, k := range sortedKeys(s.Dropped) {
		rec.Note("bounded: %s: %d", k, s.Dropped[k])
	}
	for i, f := range res.Flows {
		rec.Record(f)
		if i < maxEvents {
			desc := fmt.Sprintf("%s %s -> %s", f.Proto, f.Client, f.Server)
			if f.ServerName != "" {
				desc += " (" + f.ServerName + ")"
			}
			if f.App != "" {
				desc += " " + f.App
			}
			if f.Process != "" {
				desc += " process " + f.Process
			}
			desc += fmt.Sprintf(", %d/%d packets", f.PacketsOut, f.PacketsIn)
			if f.Flows > 1 {
				desc += fmt.Sprintf(", %d flows", f.Flows)
			}
			rec.Event(model.Event{Time: f.First, Event: "flow", Description: desc, Artifact: file})
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

var whatByKind = map[capture.Kind]string{
	capture.KindDomain: "Domain", capture.KindURL: "HTTP URL", capture.KindIP: "IP address",
	capture.KindTLSCert: "TLS certificate fingerprint", capture.KindJA3: "JA3 fingerprint", capture.KindJA4: "JA4 fingerprint",
	capture.KindProcess: "Process",
}

// checkObservations checks the values this module owns, once each.
func checkObservations(rec *module.Recorder, mod, file string, res *capture.Result) {
	for _, o := range res.Observations {
		if o.Module != mod {
			continue
		}
		w := module.Where{Artifact: file, Time: o.First,
			What: whatByKind[o.Kind] + " (" + strings.Join(o.Sources, ", ") + ")", Record: o}
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
		rec.Heuristic(lvl, module.Where{Artifact: file, Time: f.Time, Record: f.Evidence}, f.Message, f.Reason, f.Benign)
	}
}

// resolvedFromIndicators raises one alert per address that a DNS answer in
// the capture resolved from an indicator domain (or a CNAME chain through
// one): traffic to that address is tied to the indicator.
func resolvedFromIndicators(rec *module.Recorder, ix *match.Index, file string, res *capture.Result) {
	if ix == nil {
		return
	}
	for _, o := range res.Observations {
		if o.Kind != capture.KindIP {
			continue
		}
		for _, rel := range o.Related {
			name, ok := strings.CutPrefix(rel, "resolved from ")
			if !ok {
				continue
			}
			ms := ix.Domain(name)
			if len(ms) == 0 {
				continue
			}
			m := ms[0]
			m.How = "resolved-from-indicator-domain"
			fam := strings.Join(m.Families(), ", ")
			if fam == "" {
				fam = "a known threat"
			}
			rec.Alert(model.Alert{Level: model.High, Time: o.First, Artifact: file,
				Message: fmt.Sprintf("IP address %s was resolved from %q, an indicator of %s", o.Value, name, fam),
				Record:  mustJSON(o), Match: &m})
			break
		}
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
