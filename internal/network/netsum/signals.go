package netsum

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/reputation"
)

// MaxHeuristicAlerts caps the LOW alerts raised per heuristic kind.
const MaxHeuristicAlerts = 200

// defaultTLSPorts are the ports TLS is expected on (TinyCheck's list).
var defaultTLSPorts = map[int]bool{443: true, 465: true, 636: true, 853: true, 989: true, 990: true, 993: true, 995: true, 5223: true, 8443: true}

// Signals accumulates the TinyCheck-style heuristics that sensor logs (Zeek,
// Suricata) share: self-signed and free certificates, TLS on unusual ports,
// HTTP in clear, connections to addresses no DNS answer resolved, and
// periodic connections.
type Signals struct {
	SelfSigned *Table // subjects of self-signed certificates
	FreeCert   *Table // "subject issued by issuer" of free certificates
	TLSPorts   *Table // "ip:port" of TLS on unusual ports
	ClearHTTP  *Table // hosts spoken to in clear HTTP
	Unresolved *Table // public destination IPs never seen in DNS answers
	Beacons    *Beacons
	// BeaconArtifact names where connections come from ("conn.log").
	BeaconArtifact string
	scratch        []byte
}

// NewSignals returns empty signals; beaconArtifact names the log the
// connections come from.
func NewSignals(beaconArtifact string) *Signals {
	return &Signals{SelfSigned: NewTable(), FreeCert: NewTable(), TLSPorts: NewTable(),
		ClearHTTP: NewTable(), Unresolved: NewTable(), Beacons: NewBeacons(), BeaconArtifact: beaconArtifact}
}

// TLSPort notes TLS to server:port when the port is not a usual TLS port.
func (s *Signals) TLSPort(server []byte, port int, ts time.Time, file string) {
	if defaultTLSPorts[port] || len(server) == 0 {
		return
	}
	s.scratch = fmt.Appendf(append(append(s.scratch[:0], server...), ':'), "%d", port)
	s.TLSPorts.Add(s.scratch, ts, file, "tls on unusual port")
}

// Certificate notes a self-signed (as the caller judged it) or freely
// issued certificate; server, when known, is added to the subject.
func (s *Signals) Certificate(subject, issuer string, selfSigned bool, server string, ts time.Time, file string) {
	if selfSigned {
		v := subject
		if server != "" {
			v += " @ " + server
		}
		s.SelfSigned.Add([]byte(v), ts, file, "self-signed certificate")
	}
	if name, ok := reputation.FreeCertIssuer(issuer); ok {
		s.FreeCert.Add([]byte(subject+" issued by "+name), ts, file, "free certificate")
	}
}

// Report raises the LOW heuristic alerts of every signal.
func (s *Signals) Report(rec *module.Recorder) {
	heuristics(rec, s.SelfSigned, "net.sig.self_signed")
	heuristics(rec, s.FreeCert, "net.sig.free_cert")
	heuristics(rec, s.TLSPorts, "net.sig.tls_port")
	heuristics(rec, s.ClearHTTP, "net.sig.clear_http")
	heuristics(rec, s.Unresolved, "net.sig.unresolved")
	for i, b := range s.Beacons.Find() {
		if i >= MaxHeuristicAlerts {
			rec.Note(i18n.M("net.note.beacons_limit", "max", MaxHeuristicAlerts))
			break
		}
		rec.Flag(model.Low, module.Where{Artifact: s.BeaconArtifact, Time: b.First, Label: i18n.M("net.sig.beacon.what"), Record: b},
			i18n.M("net.sig.beacon.title", "client", b.Client, "dest", b.Destination, "port", b.Port,
				"times", i18n.M("net.n_times", "n", b.Connections), "period", b.PeriodText,
				"regular", strconv.FormatFloat(b.Periodic*100, 'f', 0, 64)),
			i18n.M("net.sig.beacon.reason"), i18n.M("net.sig.beacon.benign"))
	}
	if s.Beacons.Dropped > 0 {
		rec.Note(i18n.M("net.note.beacons_dropped", "n", s.Beacons.Dropped))
	}
}

// heuristics raises one LOW alert per value of t, up to MaxHeuristicAlerts;
// key.title, key.reason and key.benign are its catalog messages.
func heuristics(rec *module.Recorder, t *Table, key string) {
	for i, s := range t.Sorted() {
		if i >= MaxHeuristicAlerts {
			rec.Note(i18n.M("net.note.values_limit", "n", t.Len()-i, "what", key, "max", MaxHeuristicAlerts))
			return
		}
		rec.Flag(model.Low, Where(s, HowLabel(s.How)), i18n.M(key+".title", "value", s.Value, "times", i18n.M("net.n_times", "n", s.Count)),
			i18n.M(key+".reason"), i18n.M(key+".benign"))
	}
}
