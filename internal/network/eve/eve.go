// Package eve reads Suricata's EVE JSON log (eve.json): one JSON object per
// line, each with a "timestamp" and an "event_type" naming the object that
// holds its details ("alert", "dns", "tls", "http", "quic", "fileinfo",
// "flow"...). It decodes the fields spyscan checks, across the layouts
// Suricata has written: DNS version 1 (one event per query and per answer),
// version 2 (answers grouped in one event) and version 3 (Suricata 8:
// "queries"/"answers" arrays), and the app-layer objects alerts carry.
//
// Field names follow Suricata's documentation (doc/userguide/output/eve/
// eve-json-format.rst) and schema (etc/schema.json).
package eve

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// MaxLine is the longest line decoded; longer lines (a packet or payload
// dump, say) are skipped and counted by the caller.
const MaxLine = 1 << 20

// Event is one line of eve.json, with the fields spyscan uses.
type Event struct {
	Timestamp string     `json:"timestamp"`
	EventType string     `json:"event_type"`
	FlowID    uint64     `json:"flow_id,omitempty"`
	SrcIP     string     `json:"src_ip,omitempty"`
	SrcPort   int        `json:"src_port,omitempty"`
	DestIP    string     `json:"dest_ip,omitempty"`
	DestPort  int        `json:"dest_port,omitempty"`
	Proto     string     `json:"proto,omitempty"`
	AppProto  string     `json:"app_proto,omitempty"`
	Alert     *Alert     `json:"alert,omitempty"`
	DNS       *DNS       `json:"dns,omitempty"`
	MDNS      *DNS       `json:"mdns,omitempty"`
	LLMNR     *DNS       `json:"llmnr,omitempty"`
	TLS       *TLS       `json:"tls,omitempty"`
	HTTP      *HTTP      `json:"http,omitempty"`
	QUIC      *QUIC      `json:"quic,omitempty"`
	FileInfo  *FileInfo  `json:"fileinfo,omitempty"`
	Files     []FileInfo `json:"files,omitempty"`
	Flow      *Flow      `json:"flow,omitempty"`
}

// Alert is the "alert" object: the rule that matched.
type Alert struct {
	Action      string              `json:"action,omitempty"`
	GID         int                 `json:"gid,omitempty"`
	SignatureID int64               `json:"signature_id"`
	Rev         int                 `json:"rev,omitempty"`
	Signature   string              `json:"signature"`
	Category    string              `json:"category,omitempty"`
	Severity    int                 `json:"severity,omitempty"`
	Metadata    map[string][]string `json:"metadata,omitempty"`
}

// DNS is the "dns" (or "mdns", "llmnr") object in every layout.
type DNS struct {
	Version int    `json:"version,omitempty"`
	Type    string `json:"type,omitempty"` // query, answer (v1, v2); request, response (v3)
	RRName  string `json:"rrname,omitempty"`
	RRType  string `json:"rrtype,omitempty"`
	RData   string `json:"rdata,omitempty"` // v1 answer events
	RCode   string `json:"rcode,omitempty"`
	// Queries (v3) and Query (alerts of Suricata 6-7) list the questions.
	Queries []RR `json:"queries,omitempty"`
	Query   []RR `json:"query,omitempty"`
	// Answers (v2 detailed, v3) and Answer (alerts) hold the answers.
	Answers []RR       `json:"answers,omitempty"`
	Answer  *DNSAnswer `json:"answer,omitempty"`
	Grouped *Grouped   `json:"grouped,omitempty"`
}

// DNSAnswer is the "answer" object of alerts (Suricata 6-7).
type DNSAnswer struct {
	RRName  string   `json:"rrname,omitempty"`
	Answers []RR     `json:"answers,omitempty"`
	Grouped *Grouped `json:"grouped,omitempty"`
}

// RR is one question or answer.
type RR struct {
	RRName string `json:"rrname,omitempty"`
	RRType string `json:"rrtype,omitempty"`
	RData  string `json:"rdata,omitempty"`
}

// Grouped holds answers grouped by type (v2 "grouped" format, v3).
type Grouped struct {
	A     []string `json:"A,omitempty"`
	AAAA  []string `json:"AAAA,omitempty"`
	CNAME []string `json:"CNAME,omitempty"`
}

// TLS is the "tls" object.
type TLS struct {
	SNI         string   `json:"sni,omitempty"`
	Subject     string   `json:"subject,omitempty"`
	IssuerDN    string   `json:"issuerdn,omitempty"`
	Fingerprint string   `json:"fingerprint,omitempty"` // SHA-1 of the server certificate, "aa:bb:..."
	Version     string   `json:"version,omitempty"`
	SANs        []string `json:"subjectaltname,omitempty"`
	JA3         *Hash    `json:"ja3,omitempty"`
	JA3S        *Hash    `json:"ja3s,omitempty"`
	JA4         string   `json:"ja4,omitempty"`
	ClientALPNs []string `json:"client_alpns,omitempty"`
}

// Hash is a fingerprint with the string it hashes (JA3, JA3S).
type Hash struct {
	Hash   string `json:"hash,omitempty"`
	String string `json:"string,omitempty"`
}

// HTTP is the "http" object.
type HTTP struct {
	Hostname  string `json:"hostname,omitempty"`
	Port      int    `json:"http_port,omitempty"`
	URL       string `json:"url,omitempty"`
	Method    string `json:"http_method,omitempty"`
	UserAgent string `json:"http_user_agent,omitempty"`
	Status    int    `json:"status,omitempty"`
}

// QUIC is the "quic" object.
type QUIC struct {
	Version    string      `json:"version,omitempty"`
	SNI        string      `json:"sni,omitempty"`
	UA         string      `json:"ua,omitempty"`
	JA3        *Hash       `json:"ja3,omitempty"`
	JA4        string      `json:"ja4,omitempty"`
	Extensions []Extension `json:"extensions,omitempty"`
}

// Extension is a TLS extension Suricata logs for QUIC (name and values).
type Extension struct {
	Name   string   `json:"name,omitempty"`
	Values []string `json:"values,omitempty"`
}

// ServerName returns the SNI of a QUIC ClientHello: the "sni" field, or the
// server_name extension (Suricata 7 logs only the extensions).
func (q *QUIC) ServerName() string {
	if q.SNI != "" {
		return q.SNI
	}
	for _, e := range q.Extensions {
		if e.Name == "server_name" && len(e.Values) > 0 {
			return e.Values[0]
		}
	}
	return ""
}

// FileInfo is a file Suricata saw in a transfer (HTTP, SMTP, FTP, SMB...).
type FileInfo struct {
	Filename string `json:"filename,omitempty"`
	Magic    string `json:"magic,omitempty"`
	MD5      string `json:"md5,omitempty"`
	SHA1     string `json:"sha1,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Size     int64  `json:"size,omitempty"`
	State    string `json:"state,omitempty"`
}

// Flow is the "flow" object of flow events.
type Flow struct {
	Start        string `json:"start,omitempty"`
	End          string `json:"end,omitempty"`
	PktsToServer uint64 `json:"pkts_toserver,omitempty"`
	PktsToClient uint64 `json:"pkts_toclient,omitempty"`
	BytesToSrv   uint64 `json:"bytes_toserver,omitempty"`
	BytesToCli   uint64 `json:"bytes_toclient,omitempty"`
	State        string `json:"state,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

// Errors of Parse.
var (
	ErrNotObject = errors.New("not a JSON object")
	ErrNoType    = errors.New("no event_type")
	ErrTooLong   = errors.New("line too long")
	// ErrPartial: a field had a type other than the one Suricata writes;
	// the event holds every other field.
	ErrPartial = errors.New("some fields of an unexpected type were left out")
)

// Parse decodes one line into ev (reset first). A field of an unexpected
// type does not lose the event: the other top-level objects are decoded one
// by one and ErrPartial is returned with them.
func Parse(line []byte, ev *Event) error {
	*ev = Event{}
	line = bytes.TrimSpace(line)
	if len(line) > MaxLine {
		return ErrTooLong
	}
	if len(line) < 2 || line[0] != '{' {
		return ErrNotObject
	}
	err := json.Unmarshal(line, ev)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		err = parseEach(line, ev)
	}
	if err != nil && !errors.Is(err, ErrPartial) {
		return err
	}
	if ev.EventType == "" {
		return ErrNoType
	}
	return err
}

// parseEach decodes every top-level key on its own, keeping those that
// decode.
func parseEach(line []byte, ev *Event) error {
	*ev = Event{}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return err
	}
	partial := false
	for k, v := range fields {
		one := Event{}
		obj := append(append(append(append([]byte(`{`), strconv.Quote(k)...), ':'), v...), '}')
		if json.Unmarshal(obj, &one) != nil {
			partial = true
			continue
		}
		merge(ev, &one)
	}
	if partial {
		return ErrPartial
	}
	return nil
}

// merge copies the fields set in one into ev.
func merge(ev, one *Event) {
	dst, src := reflect.ValueOf(ev).Elem(), reflect.ValueOf(one).Elem()
	for i := range src.NumField() {
		if !src.Field(i).IsZero() {
			dst.Field(i).Set(src.Field(i))
		}
	}
}

// EventType finds the value of the top-level-looking "event_type" key
// without decoding the line, so lines of unwanted types can be skipped
// cheaply. It returns "" when the key is not found.
func EventType(line []byte) string {
	const key = `"event_type"`
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(line[i+len(key):], " \t")
	if len(rest) == 0 || rest[0] != ':' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 || end > 64 {
		return ""
	}
	return string(rest[1 : 1+end])
}

// Sniff reports whether head (the first bytes of a file) starts like an EVE
// log: its first non-empty line is a JSON object with "timestamp" and
// "event_type" keys.
func Sniff(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n")
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = bytes.TrimSpace(line)
	if len(line) < 2 || line[0] != '{' {
		return false
	}
	return bytes.Contains(line, []byte(`"timestamp"`)) && EventType(line) != ""
}

// timeLayouts are the timestamp spellings of Suricata's versions.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
}

// Time parses an EVE timestamp ("2016-06-08T20:01:52.875791+0000"); a
// timestamp without a zone is taken as UTC.
func Time(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Questions returns the names asked in a DNS object, in every layout.
func (d *DNS) Questions() []string {
	var out []string
	if d.RRName != "" && (d.Type == "query" || d.Type == "answer" || d.Type == "") {
		out = append(out, d.RRName)
	}
	for _, q := range d.Queries {
		out = append(out, q.RRName)
	}
	for _, q := range d.Query {
		out = append(out, q.RRName)
	}
	if d.Answer != nil && d.Answer.RRName != "" {
		out = append(out, d.Answer.RRName)
	}
	return out
}

// AnswerData calls fn for every answer's type and data (addresses, CNAME
// targets...), in every layout.
func (d *DNS) AnswerData(fn func(rrtype, rdata string)) {
	if d.Type == "answer" && d.RData != "" { // v1: one answer per event
		fn(d.RRType, d.RData)
	}
	each := func(rrs []RR, g *Grouped) {
		for _, a := range rrs {
			if a.RData != "" {
				fn(a.RRType, a.RData)
			}
		}
		if g != nil {
			for _, v := range g.A {
				fn("A", v)
			}
			for _, v := range g.AAAA {
				fn("AAAA", v)
			}
			for _, v := range g.CNAME {
				fn("CNAME", v)
			}
		}
	}
	each(d.Answers, d.Grouped)
	if d.Answer != nil {
		each(d.Answer.Answers, d.Answer.Grouped)
	}
}

// CertSHA1 returns the server certificate's SHA-1 as lower-case hex without
// separators ("" when absent or malformed).
func (t *TLS) CertSHA1() string {
	fp := strings.ToLower(strings.ReplaceAll(t.Fingerprint, ":", ""))
	if len(fp) != 40 || strings.Trim(fp, "0123456789abcdef") != "" {
		return ""
	}
	return fp
}
