// Package netlog generates Zeek logs (TSV or JSON lines) and resolver logs
// for tests, benchmarks and the demo. The generated files follow the
// layouts Zeek, dnsmasq, unbound and BIND write; their content is made up.
package netlog

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Field is one Zeek column: its name, Zeek type, and value (a string, or a
// []string for sets and vectors; "" or nil means unset).
type Field struct {
	Name, Type string
	Value      any
}

// Record is one Zeek log line.
type Record []Field

// Writer writes one Zeek log.
type Writer struct {
	w      *bufio.Writer
	json   bool
	path   string
	header bool
	open   time.Time
}

// NewWriter returns a writer of the log named path ("dns", "ssl"...), in
// JSON lines when jsonLines is true, else Zeek TSV with headers.
func NewWriter(w io.Writer, path string, jsonLines bool, open time.Time) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 1<<16), json: jsonLines, path: path, open: open}
}

// Write writes one record.
func (z *Writer) Write(r Record) error {
	if z.json {
		return z.writeJSON(r)
	}
	if !z.header {
		z.header = true
		names := make([]string, len(r))
		types := make([]string, len(r))
		for i, f := range r {
			names[i], types[i] = f.Name, f.Type
		}
		fmt.Fprintf(z.w, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n#open\t%s\n#fields\t%s\n#types\t%s\n",
			z.path, z.open.UTC().Format("2006-01-02-15-04-05"), strings.Join(names, "\t"), strings.Join(types, "\t"))
	}
	for i, f := range r {
		if i > 0 {
			z.w.WriteByte('\t')
		}
		switch v := f.Value.(type) {
		case string:
			if v == "" {
				z.w.WriteString("-")
			} else {
				z.w.WriteString(escapeTSV(v))
			}
		case []string:
			switch {
			case v == nil:
				z.w.WriteString("-")
			case len(v) == 0:
				z.w.WriteString("(empty)")
			default:
				for j, e := range v {
					if j > 0 {
						z.w.WriteByte(',')
					}
					z.w.WriteString(strings.ReplaceAll(escapeTSV(e), ",", `\x2c`))
				}
			}
		default:
			fmt.Fprint(z.w, v)
		}
	}
	return z.w.WriteByte('\n')
}

func escapeTSV(s string) string {
	if !strings.ContainsAny(s, "\t\n\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t', '\n', '\\':
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (z *Writer) writeJSON(r Record) error {
	// Keys in the record's order, as Zeek writes them.
	z.w.WriteByte('{')
	first := true
	for _, f := range r {
		var raw []byte
		switch v := f.Value.(type) {
		case string:
			if v == "" {
				continue
			}
			if f.Type == "time" || f.Type == "port" || f.Type == "count" || f.Type == "interval" || f.Type == "bool" {
				if f.Type == "bool" {
					raw = []byte(map[string]string{"T": "true", "F": "false"}[v])
				} else {
					raw = []byte(v)
				}
			} else {
				raw, _ = json.Marshal(v)
			}
		case []string:
			if v == nil {
				continue
			}
			raw, _ = json.Marshal(v)
		default:
			raw, _ = json.Marshal(v)
		}
		if !first {
			z.w.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(f.Name)
		z.w.Write(k)
		z.w.WriteByte(':')
		z.w.Write(raw)
	}
	z.w.WriteString("}\n")
	return nil
}

// Close writes the #close line (TSV) and flushes.
func (z *Writer) Close(end time.Time) error {
	if !z.json && z.header {
		fmt.Fprintf(z.w, "#close\t%s\n", end.UTC().Format("2006-01-02-15-04-05"))
	}
	return z.w.Flush()
}

// TS formats a Zeek timestamp.
func TS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// DNS is a dns.log record.
func DNS(t time.Time, uid, client, query, qtype string, answers []string) Record {
	ttls := make([]string, len(answers))
	for i := range ttls {
		ttls[i] = "300.000000"
	}
	if answers == nil {
		ttls = nil
	}
	return Record{
		{"ts", "time", TS(t)}, {"uid", "string", uid}, {"id.orig_h", "addr", client}, {"id.orig_p", "port", "53124"},
		{"id.resp_h", "addr", "192.168.1.1"}, {"id.resp_p", "port", "53"}, {"proto", "enum", "udp"},
		{"trans_id", "count", "4711"}, {"rtt", "interval", "0.012000"}, {"query", "string", query},
		{"qclass", "count", "1"}, {"qclass_name", "string", "C_INTERNET"}, {"qtype", "count", "1"},
		{"qtype_name", "string", qtype}, {"rcode", "count", "0"}, {"rcode_name", "string", "NOERROR"},
		{"AA", "bool", "F"}, {"TC", "bool", "F"}, {"RD", "bool", "T"}, {"RA", "bool", "T"}, {"Z", "count", "0"},
		{"answers", "vector[string]", answers}, {"TTLs", "vector[interval]", ttls}, {"rejected", "bool", "F"},
	}
}

// SSL is an ssl.log record.
func SSL(t time.Time, uid, client, server, port, sni, subject, issuer string, fps []string, status string) Record {
	return Record{
		{"ts", "time", TS(t)}, {"uid", "string", uid}, {"id.orig_h", "addr", client}, {"id.orig_p", "port", "49822"},
		{"id.resp_h", "addr", server}, {"id.resp_p", "port", port}, {"version", "string", "TLSv13"},
		{"cipher", "string", "TLS_AES_128_GCM_SHA256"}, {"curve", "string", "x25519"}, {"server_name", "string", sni},
		{"resumed", "bool", "F"}, {"established", "bool", "T"}, {"ssl_history", "string", "CsiI"},
		{"cert_chain_fps", "vector[string]", fps}, {"subject", "string", subject}, {"issuer", "string", issuer},
		{"validation_status", "string", status},
	}
}

// Conn is a conn.log record.
func Conn(t time.Time, uid, client, server, port, proto, service string) Record {
	return Record{
		{"ts", "time", TS(t)}, {"uid", "string", uid}, {"id.orig_h", "addr", client}, {"id.orig_p", "port", "50000"},
		{"id.resp_h", "addr", server}, {"id.resp_p", "port", port}, {"proto", "enum", proto}, {"service", "string", service},
		{"duration", "interval", "0.250000"}, {"orig_bytes", "count", "517"}, {"resp_bytes", "count", "4312"},
		{"conn_state", "string", "SF"}, {"history", "string", "ShADadFf"},
	}
}

// HTTP is an http.log record.
func HTTP(t time.Time, uid, client, server, host, uri, ua string) Record {
	return Record{
		{"ts", "time", TS(t)}, {"uid", "string", uid}, {"id.orig_h", "addr", client}, {"id.orig_p", "port", "50001"},
		{"id.resp_h", "addr", server}, {"id.resp_p", "port", "80"}, {"trans_depth", "count", "1"},
		{"method", "string", "GET"}, {"host", "string", host}, {"uri", "string", uri}, {"user_agent", "string", ua},
		{"status_code", "count", "200"},
	}
}

// X509 is an x509.log record.
func X509(t time.Time, id, fingerprint, subject, issuer string, sans []string, ca bool) Record {
	caS := "F"
	if ca {
		caS = "T"
	}
	return Record{
		{"ts", "time", TS(t)}, {"fingerprint", "string", fingerprint}, {"certificate.version", "count", "3"},
		{"certificate.serial", "string", "04A1B2"}, {"certificate.subject", "string", subject},
		{"certificate.issuer", "string", issuer}, {"san.dns", "vector[string]", sans}, {"basic_constraints.ca", "bool", caS},
		{"id", "string", id},
	}
}
