package capture

import (
	"github.com/spyscan/spyscan/internal/jsonenc"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// The records' AppendJSON methods write what json.Marshal writes for them,
// byte for byte, without reflection: a capture has millions of records.
// TestRecordsAppendJSONAsMarshal fills every field of every record
// (through reflection, so a new field fails it until encoded here) and
// compares with json.Marshal.

// jsonWriter is jsonenc.Object with the records' shared parts.
type jsonWriter struct{ jsonenc.Object }

func (w *jsonWriter) open(k string) { w.B = append(jsonenc.Key(w.B, k), '{') }
func (w *jsonWriter) close()        { w.B = append(w.B, '}') }

func (w *jsonWriter) evidence(e *Evidence) {
	w.open("evidence")
	w.String("file", e.File)
	w.StringOmitEmpty("flow", e.Flow)
	w.StringOmitEmpty("community_id", e.CommunityID)
	w.TimeOmitZero("flow_first_packet", e.FirstPacket)
	w.TimeOmitZero("flow_last_packet", e.LastPacket)
	w.Uint("packet_number", e.PacketNumber)
	w.StringOmitEmpty("process", e.Process)
	w.StringOmitEmpty("tunnel", e.Tunnel)
	w.close()
}

func (w *jsonWriter) fingerprints(k string, v []TLSFingerprint, omit bool) {
	if omit && len(v) == 0 {
		return
	}
	w.B = jsonenc.Key(w.B, k)
	if v == nil {
		w.B = append(w.B, "null"...)
		return
	}
	w.B = append(w.B, '[')
	for i := range v {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		f := &v[i]
		w.B = append(w.B, '{')
		w.String("ja3", f.JA3)
		w.String("ja4", f.JA4)
		w.StringOmitEmpty("ja4_reference_code", f.JA4Reference)
		w.String("hello", f.Hello)
		w.Int("count", int64(f.Count))
		w.close()
	}
	w.B = append(w.B, ']')
}

func (w *jsonWriter) certificates(k string, v []tlsinfo.Certificate) {
	if len(v) == 0 {
		return
	}
	w.B = append(jsonenc.Key(w.B, k), '[')
	for i := range v {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		c := &v[i]
		w.B = append(w.B, '{')
		w.String("sha1", c.SHA1)
		w.String("sha256", c.SHA256)
		w.StringOmitEmpty("subject", c.Subject)
		w.StringOmitEmpty("issuer", c.Issuer)
		w.StringsOmitEmpty("sans", c.SANs)
		w.TimeOmitZero("not_before", c.NotBefore)
		w.TimeOmitZero("not_after", c.NotAfter)
		w.BoolOmitEmpty("self_signed", c.SelfSigned)
		w.StringOmitEmpty("parse_error", c.ParseError)
		w.BoolOmitEmpty("partial", c.Partial)
		w.IntOmitEmpty("trailing_bytes", int64(c.Trailing))
		w.close()
	}
	w.B = append(w.B, ']')
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *DNSRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{jsonenc.Open(b)}
	w.String("name", r.Name)
	w.String("type", r.Type)
	w.Int("queries", int64(r.Queries))
	w.Int("responses", int64(r.Responses))
	w.StringOmitEmpty("rcode", r.RCode)
	w.StringsOmitEmpty("cnames", r.CNAMEs)
	w.StringsOmitEmpty("addresses", r.Addresses)
	w.BoolOmitEmpty("partial", r.Partial)
	w.Time("first_seen", r.First)
	w.Time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	return w.Close()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *TLSRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{jsonenc.Open(b)}
	w.StringOmitEmpty("sni", r.SNI)
	w.String("server", r.Server)
	w.StringsOmitEmpty("offered_versions", r.Versions)
	w.StringsOmitEmpty("alpn", r.ALPN)
	w.String("ja3", r.JA3)
	w.String("ja4", r.JA4)
	w.fingerprints("fingerprints", r.Fingerprints, false)
	w.IntOmitEmpty("hello_retry_requests", int64(r.HelloRetries))
	w.StringOmitEmpty("negotiated_version", r.Negotiated)
	w.StringOmitEmpty("cipher", r.Cipher)
	w.certificates("certificates", r.Certificates)
	w.StringsOmitEmpty("alerts", r.Alerts)
	w.StringOmitEmpty("preamble", r.Preamble)
	w.Int("connections", int64(r.Connections))
	w.Time("first_seen", r.First)
	w.Time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	w.StringOmitEmpty("parse_error", r.ParseError)
	return w.Close()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *HTTPRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{jsonenc.Open(b)}
	w.String("method", r.Method)
	w.StringOmitEmpty("host", r.Host)
	w.StringOmitEmpty("url", r.URL)
	w.StringOmitEmpty("user_agent", r.UserAgent)
	w.String("server", r.Server)
	w.Int("requests", int64(r.Requests))
	w.Time("first_seen", r.First)
	w.Time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	return w.Close()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *QUICRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{jsonenc.Open(b)}
	w.String("server", r.Server)
	w.String("version", r.Version)
	w.StringsOmitEmpty("versions", r.Versions)
	w.BoolOmitEmpty("version_negotiation", r.VersionNegotiation)
	w.StringOmitEmpty("sni", r.SNI)
	w.StringsOmitEmpty("alpn", r.ALPN)
	w.StringOmitEmpty("ja4", r.JA4)
	w.fingerprints("fingerprints", r.Fingerprints, true)
	w.Bool("decoded", r.Decoded)
	w.Int("connections", int64(r.Connections))
	w.Time("first_seen", r.First)
	w.Time("last_seen", r.Last)
	w.evidence(&r.Evidence)
	w.StringOmitEmpty("error", r.Error)
	return w.Close()
}

// AppendJSON appends the record as json.Marshal writes it.
func (r *FlowRecord) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{jsonenc.Open(b)}
	w.String("proto", r.Proto)
	w.String("client", r.Client)
	w.String("server", r.Server)
	w.StringOmitEmpty("server_name", r.ServerName)
	w.StringOmitEmpty("app", r.App)
	w.StringOmitEmpty("community_id", r.CommunityID)
	w.Time("first_seen", r.First)
	w.Time("last_seen", r.Last)
	w.Uint("first_packet", r.FirstPacket)
	w.Uint("packets_client_to_server", r.PacketsOut)
	w.Uint("packets_server_to_client", r.PacketsIn)
	w.Uint("bytes_client_to_server", r.BytesOut)
	w.Uint("bytes_server_to_client", r.BytesIn)
	w.StringOmitEmpty("process", r.Process)
	w.StringOmitEmpty("tunnel", r.Tunnel)
	w.StringOmitEmpty("preamble", r.Preamble)
	w.StringOmitEmpty("proxied_connection", r.ProxiedConnection)
	w.BoolOmitEmpty("saw_start", r.SawStart)
	w.StringOmitEmpty("end", r.End)
	w.IntOmitEmpty("flows", int64(r.Flows))
	return w.Close()
}
