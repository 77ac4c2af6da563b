package zeeklog

import (
	"bytes"
)

// Log types this package knows by name.
const (
	DNS  = "dns"
	SSL  = "ssl"
	HTTP = "http"
	Conn = "conn"
	X509 = "x509"
)

// Sniff looks at the first (decompressed) bytes of a file and reports
// whether it is a Zeek log, in which format, and its log type when it can
// tell ("dns", "ssl"...; "" when unknown).
func Sniff(head []byte) (logType string, f Format, ok bool) {
	if bytes.HasPrefix(head, []byte("#separator ")) {
		return tsvPath(head), FormatTSV, true
	}
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = bytes.TrimSpace(line)
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return "", FormatUnknown, false
	}
	keys := jsonKeys(line)
	if !keys["ts"] || !(keys["uid"] || keys["id.orig_h"] || keys["fingerprint"] || keys["id"]) {
		return "", FormatUnknown, false
	}
	switch {
	case keys["query"] || keys["qtype_name"]:
		return DNS, FormatJSON, true
	case keys["certificate.subject"] || keys["san.dns"] || keys["certificate.issuer"]:
		return X509, FormatJSON, true
	case keys["server_name"] || keys["cert_chain_fps"] || keys["cipher"] || keys["ja3"]:
		return SSL, FormatJSON, true
	case keys["method"] || keys["uri"] || keys["user_agent"] || keys["status_code"]:
		return HTTP, FormatJSON, true
	case keys["conn_state"] || keys["history"] || keys["orig_bytes"]:
		return Conn, FormatJSON, true
	}
	return "", FormatJSON, true
}

// tsvPath returns the #path of a TSV header.
func tsvPath(head []byte) string {
	for len(head) > 0 && head[0] == '#' {
		line := head
		i := bytes.IndexByte(head, '\n')
		if i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if v, ok := bytes.CutPrefix(line, []byte("#path\t")); ok {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}

// jsonKeys returns the top-level keys of a JSON object line.
func jsonKeys(line []byte) map[string]bool {
	keys := map[string]bool{}
	i := skipWS(line, 1)
	for i < len(line) && line[i] == '"' {
		e, ok := scanString(line, i)
		if !ok {
			break
		}
		keys[string(line[i+1:e])] = true
		i = skipWS(line, e+1)
		if i >= len(line) || line[i] != ':' {
			break
		}
		_, _, next, ok := scanValue(line, skipWS(line, i+1))
		if !ok {
			break
		}
		i = skipWS(line, next)
		if i < len(line) && line[i] == ',' {
			i = skipWS(line, i+1)
		}
	}
	return keys
}

// TypeFromName guesses a log type from a Zeek file name such as "dns.log",
// "ssl.2024-01-01-00-00-00.log.gz" or "conn_20240101.log".
func TypeFromName(base string) string {
	for _, t := range []string{DNS, SSL, HTTP, Conn, X509} {
		if len(base) > len(t) && base[:len(t)] == t && (base[len(t)] == '.' || base[len(t)] == '_' || base[len(t)] == '-') {
			return t
		}
	}
	return ""
}
