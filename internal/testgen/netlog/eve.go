package netlog

import (
	"encoding/json"
	"io"
	"time"
)

// Eve is one Suricata EVE JSON event, as a JSON object.
type Eve map[string]any

// EveTS formats a time as Suricata writes it ("2026-11-20T08:00:00.000000+0000").
func EveTS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-0700") }

// eveBase returns the common part of an event.
func eveBase(t time.Time, typ, src string, sport int, dst string, dport int, proto string) Eve {
	return Eve{"timestamp": EveTS(t), "flow_id": 1000 + t.Unix()%1000, "event_type": typ,
		"src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport, "proto": proto}
}

// EveDNSQuery is a DNS query event in the layout of Suricata 5 to 7
// ("type": "query", the name in "rrname"; version 1 and 2 alike).
func EveDNSQuery(t time.Time, client, server, name, rrtype string) Eve {
	e := eveBase(t, "dns", client, 53000, server, 53, "UDP")
	e["dns"] = map[string]any{"type": "query", "id": 1234, "rrname": name, "rrtype": rrtype, "tx_id": 0, "opcode": 0}
	return e
}

// EveDNSAnswerV1 is one answer event of the version 1 layout (Suricata 4:
// one event per answer record).
func EveDNSAnswerV1(t time.Time, client, server, name, rrtype, rdata string) Eve {
	e := eveBase(t, "dns", server, 53, client, 53000, "UDP")
	e["dns"] = map[string]any{"type": "answer", "id": 1234, "flags": "8180", "qr": true, "rd": true, "ra": true,
		"rcode": "NOERROR", "rrname": name, "rrtype": rrtype, "ttl": 300, "rdata": rdata}
	return e
}

// EveDNSAnswerV2 is an answer event of the version 2 layout (Suricata 5 to
// 7) with both the detailed "answers" and the "grouped" forms.
func EveDNSAnswerV2(t time.Time, client, server, qname string, answers [][2]string) Eve {
	e := eveBase(t, "dns", server, 53, client, 53000, "UDP")
	var detailed []map[string]any
	grouped := map[string][]string{}
	for _, a := range answers {
		detailed = append(detailed, map[string]any{"rrname": qname, "rrtype": a[0], "ttl": 300, "rdata": a[1]})
		grouped[a[0]] = append(grouped[a[0]], a[1])
	}
	e["dns"] = map[string]any{"version": 2, "type": "answer", "id": 1234, "flags": "8180", "qr": true,
		"rd": true, "ra": true, "rrname": qname, "rrtype": "A", "rcode": "NOERROR",
		"answers": detailed, "grouped": grouped}
	return e
}

// EveDNSV3 is a request or response event of the version 3 layout
// (Suricata 8: "queries" and "answers" arrays).
func EveDNSV3(t time.Time, client, server, qname, rrtype string, answers [][2]string) Eve {
	typ, src, dst, sp, dp := "request", client, server, 53000, 53
	if answers != nil {
		typ, src, dst, sp, dp = "response", server, client, 53, 53000
	}
	e := eveBase(t, "dns", src, sp, dst, dp, "UDP")
	d := map[string]any{"version": 3, "type": typ, "tx_id": 0, "id": 1234, "flags": "100", "rd": true,
		"opcode": 0, "rcode": "NOERROR", "queries": []map[string]any{{"rrname": qname, "rrtype": rrtype}}}
	if answers != nil {
		var detailed []map[string]any
		for _, a := range answers {
			detailed = append(detailed, map[string]any{"rrname": qname, "rrtype": a[0], "ttl": 60, "rdata": a[1]})
		}
		d["answers"] = detailed
	}
	e["dns"] = d
	return e
}

// EveTLS is a TLS event with the server certificate's fields.
func EveTLS(t time.Time, client, server string, port int, sni, subject, issuer, sha1Colons, ja3, ja4 string) Eve {
	e := eveBase(t, "tls", client, 51000, server, port, "TCP")
	tls := map[string]any{"subject": subject, "issuerdn": issuer, "serial": "01:02", "fingerprint": sha1Colons,
		"sni": sni, "version": "TLS 1.2", "notbefore": "2026-01-01T00:00:00", "notafter": "2027-01-01T00:00:00"}
	if ja3 != "" {
		tls["ja3"] = map[string]any{"hash": ja3, "string": "771,4865-4866,0-23,29-23,0"}
	}
	if ja4 != "" {
		tls["ja4"] = ja4
	}
	e["tls"] = tls
	e["app_proto"] = "tls"
	return e
}

// EveHTTP is an HTTP request event.
func EveHTTP(t time.Time, client, server string, port int, host, url, ua string) Eve {
	e := eveBase(t, "http", client, 52000, server, port, "TCP")
	e["http"] = map[string]any{"hostname": host, "http_port": port, "url": url, "http_user_agent": ua,
		"http_method": "GET", "protocol": "HTTP/1.1", "status": 200, "length": 10}
	e["app_proto"] = "http"
	return e
}

// EveQUIC is a QUIC ClientHello event; withSNI false writes only the
// extensions, as Suricata 7 does.
func EveQUIC(t time.Time, client, server, sni, ja4 string, withSNI bool) Eve {
	e := eveBase(t, "quic", client, 53100, server, 443, "UDP")
	q := map[string]any{"version": "1", "extensions": []map[string]any{
		{"name": "server_name", "type": 0, "values": []string{sni}},
		{"name": "alpn", "type": 16, "values": []string{"h3"}}}}
	if withSNI {
		q["sni"] = sni
	}
	if ja4 != "" {
		q["ja4"] = ja4
	}
	e["quic"] = q
	e["app_proto"] = "quic"
	return e
}

// EveFileInfo is a fileinfo event of a file downloaded over HTTP.
func EveFileInfo(t time.Time, client, server, host, url, name, sha256 string) Eve {
	e := eveBase(t, "fileinfo", server, 80, client, 52000, "TCP")
	e["http"] = map[string]any{"hostname": host, "url": url, "http_method": "GET", "status": 200}
	e["app_proto"] = "http"
	e["fileinfo"] = map[string]any{"filename": name, "state": "CLOSED", "stored": false, "size": 68,
		"tx_id": 0, "sha256": sha256}
	return e
}

// EveFlow is a flow event starting at t.
func EveFlow(t time.Time, client, server string, port int, proto, app string) Eve {
	e := eveBase(t, "flow", client, 50000, server, port, proto)
	e["app_proto"] = app
	e["flow"] = map[string]any{"pkts_toserver": 5, "pkts_toclient": 4, "bytes_toserver": 600, "bytes_toclient": 900,
		"start": EveTS(t), "end": EveTS(t.Add(2 * time.Second)), "age": 2, "state": "closed", "reason": "timeout", "alerted": false}
	return e
}

// EveAlert is an alert event of rule sid; metadata may be nil.
func EveAlert(t time.Time, src, dst string, dport int, sid int64, signature, category string, severity int, metadata map[string][]string) Eve {
	e := eveBase(t, "alert", src, 50000, dst, dport, "TCP")
	a := map[string]any{"action": "allowed", "gid": 1, "signature_id": sid, "rev": 1, "signature": signature,
		"category": category, "severity": severity}
	if metadata != nil {
		a["metadata"] = metadata
	}
	e["alert"] = a
	return e
}

// EveStats is a stats event (counted, not read).
func EveStats(t time.Time) Eve {
	return Eve{"timestamp": EveTS(t), "event_type": "stats", "stats": map[string]any{"uptime": 10}}
}

// WriteEve writes events as eve.json lines.
func WriteEve(w io.Writer, events []Eve) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}
