// Package netsum owns the per-value summaries shared by the network-log
// modules (Zeek logs, resolver logs): it dedupes the domains, IPs, URLs and
// certificate fingerprints read from millions of lines into one entry per
// value with first/last time and count, bounded in memory, and then checks
// each value once against the indicators and the reputation heuristics.
package netsum

import (
	"bytes"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/reputation"
)

// NormDomain lower-cases a host name and drops a trailing dot and a
// leading wildcard label; it returns "" for what is not a host name (IP
// literals included). Labels may hold the base64 characters '+', '/' and
// '=': DNS tunnels (iodine, dnscat...) encode their data in labels under
// the operator's domain, and that domain is what an indicator names.
func NormDomain(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if len(b) > 2 && b[0] == '*' && b[1] == '.' {
		b = b[2:]
	}
	if len(b) == 0 || len(b) > 253 {
		return nil
	}
	var seen uint8
	for _, c := range b {
		k := hostByte[c]
		if k == 0 {
			return nil // spaces, colons (IPv6), escapes: not a host name
		}
		seen |= k
	}
	if seen&hostDot == 0 || isIPv4(b) {
		return nil
	}
	if seen&hostUpper != 0 {
		return []byte(strings.ToLower(string(b)))
	}
	return b
}

// Classes of the bytes of a host name (0: not one).
const (
	hostOK    = 1 << iota // a-z 0-9 - _ + / =
	hostUpper             // A-Z
	hostDot               // .
)

// hostByte is the class of each byte value in a host name.
var hostByte = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = hostOK
		t[c-'a'+'A'] = hostUpper
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = hostOK
	}
	for _, c := range "-_+/=" {
		t[c] = hostOK
	}
	t['.'] = hostDot
	return t
}()

func isIPv4(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// IsIP reports whether b is an IP address literal. Values that cannot be
// one (host names) are refused without parsing.
func IsIP(b []byte) bool {
	if len(b) < 2 || len(b) > 45 {
		return false
	}
	colon := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9', c == '.':
		case c == ':':
			colon = true
		case (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '%':
			if !colon && bytes.IndexByte(b, ':') < 0 {
				return false
			}
		default:
			return false
		}
	}
	if !colon {
		return isIPv4Addr(b)
	}
	_, err := netip.ParseAddr(string(b))
	return err == nil
}

// isIPv4Addr validates a dotted-quad IPv4 address without allocating.
func isIPv4Addr(b []byte) bool {
	parts, n, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || n > 255 {
				return false
			}
			parts++
			n, digits = 0, 0
			continue
		}
		c := b[i]
		if c < '0' || c > '9' || (digits == 1 && n == 0) {
			return false // not a digit, or a leading zero
		}
		n = n*10 + int(c-'0')
		digits++
		if digits > 3 {
			return false
		}
	}
	return parts == 4
}

// PublicIP reports whether s is a global unicast address (not private,
// loopback, link-local or multicast).
func PublicIP(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return a.IsGlobalUnicast() && !a.IsPrivate()
}

// Where builds the module.Where of a summary; label names the field.
func Where(s *Seen, label i18n.Msg) module.Where {
	return module.Where{Artifact: s.Artifact, Time: s.First, Label: label, Record: s}
}

// HowLabel translates how a value was seen ("dns query", "tls sni"...); a
// way the catalogs do not name stays as it is.
func HowLabel(how string) i18n.Msg {
	if name, ok := strings.CutPrefix(how, "file transferred ("); ok {
		return i18n.M("net.how.file_transferred", "name", strings.TrimSuffix(name, ")"))
	}
	var b strings.Builder
	for _, r := range strings.ToLower(how) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
			b.WriteByte('_')
		}
	}
	key := "net.how." + strings.TrimSuffix(b.String(), "_")
	if i18n.Get(i18n.Default).Has(key) {
		return i18n.M(key)
	}
	return i18n.M("literal", "text", how)
}

// CheckDomains checks every domain of t against the indicators, raises the
// suspicious-TLD and free-DNS heuristics, and adds one timeline event per
// domain. what labels the source ("Domain in Zeek logs").
func CheckDomains(rec *module.Recorder, t *Table, what i18n.Msg, maxEvents int) {
	events := 0
	for _, s := range t.Sorted() {
		w := Where(s, what)
		rec.CheckDomain(s.Value, w)
		if tld, ok := reputation.SuspiciousTLD(s.Value); ok {
			rec.Flag(model.Low, w, i18n.M("net.logs_tld.title", "what", what, "value", s.Value, "tld", tld),
				i18n.M("net.logs_tld.reason", "tld", tld), i18n.M("net.logs_tld.benign"))
		}
		if p, ok := reputation.FreeDNS(s.Value); ok {
			rec.Flag(model.Low, w, i18n.M("net.logs_free_dns.title", "what", what, "value", s.Value, "provider", p),
				i18n.M("net.logs_free_dns.reason"), i18n.M("net.logs_free_dns.benign"))
		}
		if events < maxEvents {
			events++
			rec.Event(model.Event{Time: s.First, Event: "domain_seen", Artifact: s.Artifact,
				DescriptionMsg: summary(s)})
		}
	}
	if n := t.Len() - events; n > 0 {
		rec.Note(i18n.M("net.note.timeline_limit", "n", n, "max", maxEvents))
	}
	if t.Dropped > 0 {
		rec.Note(i18n.M("net.note.domains_dropped", "n", t.Dropped, "max", MaxValues))
	}
}

func summary(s *Seen) i18n.Msg {
	times := i18n.M("net.n_times", "n", s.Count)
	if s.Count == 1 || s.Last.Equal(s.First) {
		return i18n.M("net.seen.event", "how", HowLabel(s.How), "value", s.Value, "times", times)
	}
	return i18n.M("net.seen.event_last", "how", HowLabel(s.How), "value", s.Value, "times", times,
		"last", s.Last.UTC().Format(time.RFC3339))
}

// CheckAll checks every value of t with check (rec.CheckIP, rec.CheckURL...).
func CheckAll(t *Table, what i18n.Msg, check func(string, module.Where) bool) {
	for _, s := range t.Sorted() {
		check(s.Value, Where(s, what))
	}
}

// NoteBad reports the skipped lines of one file, per reason, in a stable
// order.
func NoteBad(rec *module.Recorder, file string, bad map[string]int) {
	reasons := make([]string, 0, len(bad))
	for r, n := range bad {
		if n > 0 {
			reasons = append(reasons, r)
		}
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		rec.Note(i18n.M("net.note.lines_skipped", "file", file, "n", bad[r], "why", r))
	}
}
