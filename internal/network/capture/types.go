// Package capture owns the single pass over a packet capture: it reads the
// file (pcapfile), decodes packets (dissect), keeps a bounded flow table with
// idle timeout, reassembles the start of TCP streams, reads DNS, TLS, HTTP
// and QUIC, deduplicates every observed value (domain, IP, certificate,
// JA3/JA4) with its first evidence, and evaluates the network heuristics
// (unresolved IPs, TLS on unusual ports, self-signed or free certificates,
// clear-text HTTP, suspicious TLDs and free-DNS domains, beaconing). It does
// no indicator matching itself: the network modules hand its observations
// to the Recorder.
package capture

import (
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// Evidence locates a value in the capture.
type Evidence struct {
	File         string    `json:"file"`
	Flow         string    `json:"flow,omitempty"` // "tcp 10.0.0.2:50000 -> 1.2.3.4:443"
	CommunityID  string    `json:"community_id,omitempty"`
	FirstPacket  time.Time `json:"flow_first_packet,omitzero"`
	LastPacket   time.Time `json:"flow_last_packet,omitzero"`
	PacketNumber uint64    `json:"packet_number"` // 1-based, in the file, where the value was first seen
	Process      string    `json:"process,omitempty"`
	Tunnel       string    `json:"tunnel,omitempty"` // the tunnels the flow came through, outermost first
}

// Kind of an observed value.
type Kind uint8

// Observation kinds.
const (
	KindDomain Kind = iota
	KindURL
	KindIP
	KindTLSCert
	KindJA3
	KindJA4
	KindProcess
	numKinds
)

// Observation is one distinct value seen in the capture, with the module
// that owns its indicator check (the first source that saw it).
type Observation struct {
	Kind     Kind      `json:"-"`
	Value    string    `json:"value"`
	Module   string    `json:"-"`
	Sources  []string  `json:"sources"` // "dns query", "tls sni", ...
	First    time.Time `json:"first_seen,omitzero"`
	Last     time.Time `json:"last_seen,omitzero"`
	Count    int       `json:"count"`
	Evidence Evidence  `json:"evidence"`
	Related  []string  `json:"related,omitempty"` // e.g. the domains an IP was resolved from
}

// Module names that own records and observations.
const (
	ModDNS   = "network_dns"
	ModTLS   = "network_tls"
	ModHTTP  = "network_http"
	ModQUIC  = "network_quic"
	ModFlows = "network_flows"
)

// FlowRecord summarises one flow (or, past the record cap, an aggregate of
// flows between the same endpoints).
type FlowRecord struct {
	Proto       string    `json:"proto"`
	Client      string    `json:"client"`
	Server      string    `json:"server"`
	ServerName  string    `json:"server_name,omitempty"` // SNI, HTTP Host or a DNS name that resolved to the server
	App         string    `json:"app,omitempty"`
	CommunityID string    `json:"community_id,omitempty"`
	First       time.Time `json:"first_seen"`
	Last        time.Time `json:"last_seen"`
	FirstPacket uint64    `json:"first_packet"`
	PacketsOut  uint64    `json:"packets_client_to_server"`
	PacketsIn   uint64    `json:"packets_server_to_client"`
	BytesOut    uint64    `json:"bytes_client_to_server"`
	BytesIn     uint64    `json:"bytes_server_to_client"`
	Process     string    `json:"process,omitempty"`
	Tunnel      string    `json:"tunnel,omitempty"`
	Preamble    string    `json:"preamble,omitempty"` // what came before TLS: "smtp starttls", "http connect to host:443"...
	// ProxiedConnection is the original connection a HAProxy PROXY header named
	ProxiedConnection string `json:"proxied_connection,omitempty"`
	SawStart          bool   `json:"saw_start,omitempty"` // the TCP SYN is in the capture
	End               string `json:"end,omitempty"`       // "fin", "rst", "idle", "capacity", "end-of-capture"
	Flows             int    `json:"flows,omitempty"`     // >1 for an aggregate
}

// DNSRecord is one distinct query (name and type) with its answers.
type DNSRecord struct {
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Queries   int       `json:"queries"`
	Responses int       `json:"responses"`
	RCode     string    `json:"rcode,omitempty"`
	CNAMEs    []string  `json:"cnames,omitempty"`
	Addresses []string  `json:"addresses,omitempty"`
	Partial   bool      `json:"partial,omitempty"` // read from a datagram whose fragments did not all arrive
	First     time.Time `json:"first_seen"`
	Last      time.Time `json:"last_seen"`
	Evidence  Evidence  `json:"evidence"`
}

// TLSRecord groups the TLS connections of one client-named server (SNI and
// server endpoint), with every fingerprint their ClientHellos showed.
type TLSRecord struct {
	SNI          string                `json:"sni,omitempty"`
	Server       string                `json:"server"`
	Versions     []string              `json:"offered_versions,omitempty"` // of the first ClientHello
	ALPN         []string              `json:"alpn,omitempty"`             // of the first ClientHello
	JA3          string                `json:"ja3"`                        // of the first ClientHello
	JA4          string                `json:"ja4"`                        // of the first ClientHello
	Fingerprints []TLSFingerprint      `json:"fingerprints"`               // every distinct one, with counts
	HelloRetries int                   `json:"hello_retry_requests,omitempty"`
	Negotiated   string                `json:"negotiated_version,omitempty"`
	Cipher       string                `json:"cipher,omitempty"`
	Certificates []tlsinfo.Certificate `json:"certificates,omitempty"`
	Alerts       []string              `json:"alerts,omitempty"`   // alerts seen in clear, e.g. "server warning 112 (unrecognized_name)"
	Preamble     string                `json:"preamble,omitempty"` // what came before TLS (STARTTLS, CONNECT, SOCKS...)
	Connections  int                   `json:"connections"`
	First        time.Time             `json:"first_seen"`
	Last         time.Time             `json:"last_seen"`
	Evidence     Evidence              `json:"evidence"`
	ParseError   string                `json:"parse_error,omitempty"`
}

// TLSFingerprint is one distinct ClientHello fingerprint of a TLS record.
// JA4Reference is set when FoxIO's reference code prints a different JA4
// than the specification (non-ASCII ALPN bytes; see tlsinfo.JA4Forms).
type TLSFingerprint struct {
	JA3          string `json:"ja3"`
	JA4          string `json:"ja4"`
	JA4Reference string `json:"ja4_reference_code,omitempty"`
	Hello        string `json:"hello"` // "first", "after HelloRetryRequest" or "repeated"
	Count        int    `json:"count"`
}

// HTTPRecord is one distinct HTTP request (method, URL, User-Agent).
type HTTPRecord struct {
	Method    string    `json:"method"`
	Host      string    `json:"host,omitempty"`
	URL       string    `json:"url,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	Server    string    `json:"server"`
	Requests  int       `json:"requests"`
	First     time.Time `json:"first_seen"`
	Last      time.Time `json:"last_seen"`
	Evidence  Evidence  `json:"evidence"`
}

// QUICRecord groups the QUIC connections of one client-named server (SNI
// and server endpoint), with every fingerprint their ClientHellos showed;
// connections whose ClientHello could not be read have their own records.
type QUICRecord struct {
	Server             string           `json:"server"`
	Version            string           `json:"version"`            // of the first Initial
	Versions           []string         `json:"versions,omitempty"` // every version the clients' Initials used, greased ones too
	VersionNegotiation bool             `json:"version_negotiation,omitempty"`
	SNI                string           `json:"sni,omitempty"`
	ALPN               []string         `json:"alpn,omitempty"`
	JA4                string           `json:"ja4,omitempty"` // of the first ClientHello
	Fingerprints       []TLSFingerprint `json:"fingerprints,omitempty"`
	Decoded            bool             `json:"decoded"`
	Connections        int              `json:"connections"`
	First              time.Time        `json:"first_seen"`
	Last               time.Time        `json:"last_seen"`
	Evidence           Evidence         `json:"evidence"`
	Error              string           `json:"error,omitempty"`
}

// Finding is a heuristic alert, owned by one module.
type Finding struct {
	Module string
	Level  string // "LOW" or "MEDIUM"
	Time   time.Time
	// The texts, as catalog messages and their English (filled by add).
	MessageMsg, ReasonMsg, BenignMsg i18n.Msg
	Message, Reason, Benign          string
	Evidence                         any
}

// Summary is the capture-level summary written into the flows module.
type Summary struct {
	File          string            `json:"file"`
	Reader        pcapfile.Stats    `json:"reader"`
	ReadError     string            `json:"read_error,omitempty"`
	Decode        map[string]uint64 `json:"decode_problems,omitempty"`
	Undecodable   uint64            `json:"undecodable_packets,omitempty"` // packets that may hold traffic that was not read
	UndecodableBy map[string]uint64 `json:"undecodable_by_reason,omitempty"`
	Flows         uint64            `json:"flows"`
	FlowsEvicted  map[string]uint64 `json:"flows_ended_by,omitempty"`
	MaxLiveFlows  int               `json:"max_live_flows"`
	FirstPacket   time.Time         `json:"first_packet,omitzero"`
	LastPacket    time.Time         `json:"last_packet,omitzero"`
	Dropped       map[string]uint64 `json:"records_aggregated_or_dropped,omitempty"`
	QUICUndecoded uint64            `json:"quic_packets_not_decoded,omitempty"`
}

// Result is everything the pass produced.
type Result struct {
	Summary      Summary
	Flows        []FlowRecord
	DNS          []*DNSRecord
	TLS          []*TLSRecord
	HTTP         []*HTTPRecord
	QUIC         []*QUICRecord
	Observations []Observation // by owning module (Observation.Module), then kind and value
	Findings     []Finding
}
