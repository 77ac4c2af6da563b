package netsum

import (
	"fmt"
	"time"

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
	heuristics(rec, s.SelfSigned, "Self-signed certificate %q seen in TLS traffic",
		"Spyware and stalkerware servers often use self-signed certificates, which cost nothing and name nobody.",
		"Routers, printers, NAS boxes, enterprise services and development servers often use self-signed certificates.")
	heuristics(rec, s.FreeCert, "Free automated certificate %q",
		"Free, instantly issued certificates (ACME) are a cheap way to put TLS on throw-away attacker domains.",
		"Most of the web uses free certificates today; this is only worth a look together with other signs.")
	heuristics(rec, s.TLSPorts, "TLS to %s, an unusual port",
		"TLS on a port other than the usual ones (443, 993...) is a pattern of some implants' command servers.",
		"Many apps, games, VPNs and self-hosted services use TLS on other ports.")
	heuristics(rec, s.ClearHTTP, "Unencrypted HTTP to %q",
		"Data sent over plain HTTP can be read by anyone on the path, and some stalkerware uploads its data this way.",
		"Captive portals, connectivity checks, OS updates and old apps still use plain HTTP.")
	heuristics(rec, s.Unresolved, "Connection to %s, an address no DNS query in these logs resolved",
		"Implants often contact hard-coded IP addresses, without a DNS lookup.",
		"The DNS answer may predate the logs, come from another resolver (DNS over HTTPS), or the app may use IPs from its own configuration.")
	for i, b := range s.Beacons.Find() {
		if i >= MaxHeuristicAlerts {
			rec.Note("more periodic destinations than the %d reported", MaxHeuristicAlerts)
			break
		}
		rec.Heuristic(model.Low, module.Where{Artifact: s.BeaconArtifact, Time: b.First, What: "Periodic connections", Record: b},
			"Periodic connections: "+b.Describe(),
			"Spyware checks in with its server at a fixed period (beaconing).",
			"Push notifications, messaging apps, sync clients and keep-alives also connect at regular intervals.")
	}
	if s.Beacons.Dropped > 0 {
		rec.Note("%d connections not considered for beaconing: too many destinations", s.Beacons.Dropped)
	}
}

// heuristics raises one LOW alert per value of t, up to MaxHeuristicAlerts.
func heuristics(rec *module.Recorder, t *Table, format, reason, benign string) {
	for i, s := range t.Sorted() {
		if i >= MaxHeuristicAlerts {
			rec.Note("%d more values for %q not alerted (limit %d)", t.Len()-i, reason, MaxHeuristicAlerts)
			return
		}
		rec.Heuristic(model.Low, Where(s, s.How), fmt.Sprintf(format, s.Value)+fmt.Sprintf(" (%d times)", s.Count), reason, benign)
	}
}
