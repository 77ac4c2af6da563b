package capture

import (
	"time"

	"github.com/spyscan/spyscan/internal/jsonenc"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// The records' AppendJSON methods write what json.Marshal writes for them,
// byte for byte, without reflection: a capture has millions of records.
// TestRecordsAppendJSONAsMarshal fills every field of every record
// (through reflection, so a new field fails it until encoded here) and
// compares with json.Marshal.

// jsonWriter appends fields, keeping the first time error.
type jsonWriter struct {
	b   []byte
	err error
}

func (w *jsonWriter) str(k, v string) { w.b = jsonenc.String(jsonenc.Key(w.b, k), v) }
func (w *jsonWriter) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}
func (w *jsonWriter) strs(k string, v []string) { w.b = jsonenc.Strings(jsonenc.Key(w.b, k), v) }
func (w *jsonWriter) strsOmit(k string, v []string) {
	if len(v) > 0 {
		w.strs(k, v)
	}
}
func (w *jsonWriter) int(k string, v int) { w.b = jsonenc.Int(jsonenc.Key(w.b, k), int64(v)) }
func (w *jsonWriter) intOmit(k string, v int) {
	if v != 0 {
		w.int(k, v)
	}
}
func (w *jsonWriter) uint(k string, v uint64) { w.b = jsonenc.Uint(jsonenc.Key(w.b, k), v) }
func (w *jsonWriter) bool(k string, v bool)   { w.b = jsonenc.Bool(jsonenc.Key(w.b, k), v) }
func (w *jsonWriter) boolOmit(k string, v bool) {
	if v {
		w.bool(k, v)
	}
}
func (w *jsonWriter) time(k string, v time.Time) {
	var err error
	w.b, err = jsonenc.Time(jsonenc.Key(w.b, k), v)
	if err != nil && w.err == nil {
		w.err = err
	}
}
func (w *jsonWriter) timeOmitZero(k string, v time.Time) {
	if !v.IsZero() {
		w.time(k, v)
	}
}
func (w *jsonWriter) open(k string) { w.b = append(jsonenc.Key(w.b, k), '{') }
func (w *jsonWriter) close()        { w.b = append(w.b, '}') }

func (w *jsonWriter) evidence(e *Evidence) {
	w.open("evidence")
	w.str("file", e.File)
	w.strOmit("flow", e.Flow)
	w.strOmit("community_id", e.CommunityID)
	w.timeOmitZero("flow_first_packet", e.FirstPacket)
	w.timeOmitZero("flow_last_packet", e.LastPacket)
	w.uint("packet_number", e.PacketNumber)
	w.strOmit("process", e.Process)
	w.strOmit("tunnel", e.Tunnel)
	w.close()
}

func (w *jsonWriter) fingerprints(k string, v []TLSFingerprint, omit bool) {
	if omit && len(v) == 0 {
		return
	}
	w.b = jsonenc.Key(w.b, k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		f := &v[i]
		w.b = append(w.b, '{')
		w.str("ja3", f.JA3)
		w.str("ja4", f.JA4)
		w.strOmit("ja4_reference_code", f.JA4Reference)
		w.str("hello", f.Hello)
		w.int("count", f.Count)
		w.close()
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) certificates(k string, v []tlsinfo.Certificate) {
	if len(v) == 0 {
		return
	}
	w.b = append(jsonenc.Key(w.b, k), '[')
	for i := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		c := &v[i]
		w.b = append(w.b, '{')
		w.str("sha1", c.SHA1)
		w.str("sha256", c.SHA256)
		w.strOmit("subject", c.Subject)
		w.strOmit("issuer", c.Issuer)
		w.strsOmit("sans", c.SANs)
		w.timeOmitZero("not_before", c.NotBefore)
		w.timeOmitZero("not_after", c.NotAfter)
		w.boolOmit("self_signed", c.SelfSigned)
		w.strOmit("parse_error", c.ParseError)
		w.boolOmit("partial", c.Partial)
		w.intOmit("trailing_bytes", c.Trailing)
		w.close()
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) done() ([]byte, error) {
	w.b = append(w.b, '}')
	return w.b, w.err
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *DNSRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: append(b, '{')}
	w.str("name", r.Name)
	w.str("type", r.Type)
	w.int("queries", r.Queries)
	w.int("responses", r.Responses)
	w.strOmit("rcode", r.RCode)
	w.strsOmit("cnames", r.CNAMEs)
	w.strsOmit("addresses", r.Addresses)
	w.boolOmit("partial", r.Partial)
	w.time("first_seen", r.First)
	w.time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	return w.done()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *TLSRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: append(b, '{')}
	w.strOmit("sni", r.SNI)
	w.str("server", r.Server)
	w.strsOmit("offered_versions", r.Versions)
	w.strsOmit("alpn", r.ALPN)
	w.str("ja3", r.JA3)
	w.str("ja4", r.JA4)
	w.fingerprints("fingerprints", r.Fingerprints, false)
	w.intOmit("hello_retry_requests", r.HelloRetries)
	w.strOmit("negotiated_version", r.Negotiated)
	w.strOmit("cipher", r.Cipher)
	w.certificates("certificates", r.Certificates)
	w.strsOmit("alerts", r.Alerts)
	w.strOmit("preamble", r.Preamble)
	w.int("connections", r.Connections)
	w.time("first_seen", r.First)
	w.time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	w.strOmit("parse_error", r.ParseError)
	return w.done()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *HTTPRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: append(b, '{')}
	w.str("method", r.Method)
	w.strOmit("host", r.Host)
	w.strOmit("url", r.URL)
	w.strOmit("user_agent", r.UserAgent)
	w.str("server", r.Server)
	w.int("requests", r.Requests)
	w.time("first_seen", r.First)
	w.time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	return w.done()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *QUICRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: append(b, '{')}
	w.str("server", r.Server)
	w.str("version", r.Version)
	w.strsOmit("versions", r.Versions)
	w.boolOmit("version_negotiation", r.VersionNegotiation)
	w.strOmit("sni", r.SNI)
	w.strsOmit("alpn", r.ALPN)
	w.strOmit("ja4", r.JA4)
	w.fingerprints("fingerprints", r.Fingerprints, true)
	w.bool("decoded", r.Decoded)
	w.int("connections", r.Connections)
	w.time("first_seen", r.First)
	w.time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	w.strOmit("error", r.Error)
	return w.done()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *FlowRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: append(b, '{')}
	w.str("proto", r.Proto)
	w.str("client", r.Client)
	w.str("server", r.Server)
	w.strOmit("server_name", r.ServerName)
	w.strOmit("app", r.App)
	w.strOmit("community_id", r.CommunityID)
	w.time("first_seen", r.First)
	w.time("last_seen", r.Last)
	w.uint("first_packet", r.FirstPacket)
	w.uint("packets_client_to_server", r.PacketsOut)
	w.uint("packets_server_to_client", r.PacketsIn)
	w.uint("bytes_client_to_server", r.BytesOut)
	w.uint("bytes_server_to_client", r.BytesIn)
	w.strOmit("process", r.Process)
	w.strOmit("tunnel", r.Tunnel)
	w.strOmit("preamble", r.Preamble)
	w.strOmit("proxied_connection", r.ProxiedConnection)
	w.boolOmit("saw_start", r.SawStart)
	w.strOmit("end", r.End)
	w.intOmit("flows", r.Flows)
	return w.done()
}
