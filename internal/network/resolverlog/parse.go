package resolverlog

import (
	"bytes"
	"time"
)

// ParsePlain reads a line holding one domain name (comments start with #;
// a trailing dot is dropped).
func ParsePlain(line []byte, e *Entry) string {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] == '#' {
		return resOther
	}
	name := bytes.TrimSuffix(line, []byte("."))
	if !validName(name) {
		return BadName
	}
	e.Name = name
	return ""
}

// validName accepts host names: letters, digits, '-', '_', '.', with at
// least one dot and no empty label.
func validName(b []byte) bool {
	if len(b) < 3 || len(b) > 253 || b[0] == '.' || b[len(b)-1] == '.' {
		return false
	}
	dot := false
	for i, c := range b {
		switch {
		case c == '.':
			if b[i-1] == '.' {
				return false
			}
			dot = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return dot
}

// ParseDnsmasq reads a dnsmasq log-queries line, such as
//
//	Nov 23 21:00:00 dnsmasq[812]: query[A] example.com from 192.168.1.10
//	Nov 23 21:00:00 dnsmasq[812]: reply example.com is 93.184.216.34
//	Nov 23 21:00:00 dnsmasq[812]: 7 192.168.1.10/41234 query[A] example.com from 192.168.1.10
//
// ("log-queries=extra" adds the serial and client/port). Forwarded, cached,
// config and DHCP lines are well-formed but carry no entry.
func ParseDnsmasq(line []byte, year int, e *Entry) string {
	ts, rest, ok := syslogPrefix(line, year)
	if !ok {
		return BadFormat
	}
	i := bytes.Index(rest, []byte("dnsmasq"))
	if i < 0 || i > 64 {
		return BadFormat
	}
	j := bytes.Index(rest[i:], []byte(": "))
	if j < 0 {
		return BadFormat
	}
	msg := rest[i+j+2:]
	e.Time = ts
	var faf fieldArr
	f := fields(&faf, msg, 8)
	if len(f) >= 2 && isDigits(f[0]) && bytes.IndexByte(f[1], '/') > 0 { // extra mode
		f = f[2:]
	}
	if len(f) < 2 {
		return resOther
	}
	switch {
	case bytes.HasPrefix(f[0], []byte("query[")) && len(f) >= 4 && string(f[2]) == "from":
		e.Kind = Query
		e.QType = bytes.TrimSuffix(f[0][len("query["):], []byte("]"))
		e.Client = f[3]
	case (string(f[0]) == "reply" || string(f[0]) == "cached") && len(f) >= 4 && string(f[2]) == "is":
		e.Kind = Reply
		if f[3][0] == '<' { // <CNAME>, NXDOMAIN and the like: keep the name only
			e.Answer = nil
		} else {
			e.Answer = bytes.TrimSuffix(f[3], []byte("."))
		}
	default:
		return resOther
	}
	e.Name = bytes.TrimSuffix(f[1], []byte("."))
	if !validName(e.Name) {
		return BadName
	}
	return ""
}

// ParseUnbound reads an unbound log-queries or log-replies line, such as
//
//	[1700000000] unbound[1234:0] info: 192.168.1.10 example.com. A IN
//	[1700000000] unbound[1234:0] info: 192.168.1.10 example.com. A IN NOERROR 0.000000 0 45
//	Nov 23 21:00:00 host unbound: [1234:0] info: 192.168.1.10 example.com. A IN
func ParseUnbound(line []byte, year int, e *Entry) string {
	var ts time.Time
	var rest []byte
	if len(line) > 2 && line[0] == '[' {
		end := bytes.IndexByte(line, ']')
		if end < 2 {
			return BadFormat
		}
		sec, ok := parseUint(line[1:end])
		if !ok {
			return BadTime
		}
		ts = time.Unix(int64(sec), 0).UTC()
		rest = line[end+1:]
	} else {
		var ok bool
		if ts, rest, ok = syslogPrefix(line, year); !ok {
			return BadFormat
		}
	}
	i := bytes.Index(rest, []byte("unbound"))
	if i < 0 || i > 64 {
		return BadFormat
	}
	j := bytes.Index(rest[i:], []byte(" info: "))
	if j < 0 {
		if bytes.Contains(rest[i:], []byte(": ")) {
			return resOther // notice/debug lines
		}
		return BadFormat
	}
	var faf fieldArr
	f := fields(&faf, rest[i+j+len(" info: "):], 8)
	if len(f) < 4 || string(f[3]) != "IN" && string(f[3]) != "CH" {
		return resOther
	}
	e.Time = ts
	e.Kind = Query
	e.Client = f[0]
	e.Name = bytes.TrimSuffix(f[1], []byte("."))
	e.QType = f[2]
	if !validName(e.Name) {
		return BadName
	}
	return ""
}

// ParseBIND reads a BIND query-log line, such as
//
//	23-Nov-2026 21:00:00.123 queries: info: client @0x7f3a 192.168.1.10#53421 (example.com): query: example.com IN A +E(0)K (192.168.1.1)
//	Nov 23 21:00:00 ns named[99]: client 192.168.1.10#53421: query: example.com IN A + (192.168.1.1)
func ParseBIND(line []byte, year int, e *Entry) string {
	q := bytes.Index(line, []byte(": query: "))
	c := bytes.Index(line, []byte("client "))
	if q < 0 || c < 0 || c > q {
		return BadFormat
	}
	if ts, ok := bindTime(line); ok {
		e.Time = ts
	} else if ts, _, ok := syslogPrefix(line, year); ok {
		e.Time = ts
	}
	cl := line[c+len("client ") : q]
	var facf fieldArr
	cf := fields(&facf, cl, 4)
	if len(cf) > 0 && cf[0][0] == '@' {
		cf = cf[1:]
	}
	if len(cf) > 0 {
		if h := bytes.LastIndexByte(cf[0], '#'); h > 0 {
			e.Client = cf[0][:h]
		}
	}
	var faf fieldArr
	f := fields(&faf, line[q+len(": query: "):], 4)
	if len(f) < 3 {
		return BadFormat
	}
	e.Kind = Query
	e.Name = bytes.TrimSuffix(f[0], []byte("."))
	e.QType = f[2]
	if !validName(e.Name) {
		return BadName
	}
	return ""
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func month(b []byte) (time.Month, bool) {
	if len(b) != 3 {
		return 0, false
	}
	for i, m := range months {
		if string(b) == m {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

// syslogPrefix parses "Nov 23 21:00:00 " or an RFC 3339 timestamp at the
// start of line and returns the rest.
func syslogPrefix(line []byte, year int) (time.Time, []byte, bool) {
	if len(line) >= 20 && line[4] == '-' && line[10] == 'T' {
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			return time.Time{}, nil, false
		}
		t, err := time.Parse(time.RFC3339Nano, string(line[:sp]))
		if err != nil {
			return time.Time{}, nil, false
		}
		return t.UTC(), line[sp+1:], true
	}
	if len(line) < 16 {
		return time.Time{}, nil, false
	}
	m, ok := month(line[:3])
	if !ok || line[3] != ' ' {
		return time.Time{}, nil, false
	}
	d0, d1 := line[4], line[5]
	if d0 == ' ' {
		d0 = '0'
	}
	day, ok1 := twoDigits(d0, d1)
	h, m2, s, ok2 := clock(line[7:15])
	if !ok1 || !ok2 || line[6] != ' ' || line[15] != ' ' || day < 1 || day > 31 {
		return time.Time{}, nil, false
	}
	return time.Date(year, m, day, h, m2, s, 0, time.UTC), line[16:], true
}

// bindTime parses BIND's "23-Nov-2026 21:00:00.123" prefix.
func bindTime(line []byte) (time.Time, bool) {
	if len(line) < 20 || line[2] != '-' || line[6] != '-' || line[11] != ' ' {
		return time.Time{}, false
	}
	day, ok := twoDigits(line[0], line[1])
	m, ok2 := month(line[3:6])
	y, ok3 := parseUint(line[7:11])
	h, mi, s, ok4 := clock(line[12:20])
	if !ok || !ok2 || !ok3 || !ok4 {
		return time.Time{}, false
	}
	ns := 0
	if len(line) > 21 && line[20] == '.' {
		scale := 100000000
		for i := 21; i < len(line) && line[i] >= '0' && line[i] <= '9' && scale > 0; i++ {
			ns += int(line[i]-'0') * scale
			scale /= 10
		}
	}
	return time.Date(int(y), m, day, h, mi, s, ns, time.UTC), true
}

func clock(b []byte) (h, m, s int, ok bool) {
	if len(b) != 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, 0, false
	}
	h, ok1 := twoDigits(b[0], b[1])
	m, ok2 := twoDigits(b[3], b[4])
	s, ok3 := twoDigits(b[6], b[7])
	return h, m, s, ok1 && ok2 && ok3 && h < 24 && m < 60 && s < 61
}

func twoDigits(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

func isDigits(b []byte) bool {
	_, ok := parseUint(b)
	return ok
}

// fieldArr is the caller-provided backing array of fields.
type fieldArr [8][]byte

// fields splits b on spaces into at most max (≤ 8) fields stored in dst.
func fields(dst *fieldArr, b []byte, max int) [][]byte {
	out := dst[:0]
	for len(b) > 0 && len(out) < max {
		for len(b) > 0 && b[0] == ' ' {
			b = b[1:]
		}
		if len(b) == 0 {
			break
		}
		end := bytes.IndexByte(b, ' ')
		if end < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:end])
		b = b[end+1:]
	}
	return out
}
