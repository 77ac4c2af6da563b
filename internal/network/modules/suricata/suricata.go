// Package suricata owns the retro-hunting module over Suricata's EVE JSON
// logs (eve.json, gzip or not), the way the zeek module reads Zeek logs: it
// dedupes every domain (DNS questions and CNAMEs, TLS and QUIC SNI,
// certificate SANs, HTTP hosts), address, URL, certificate SHA-1, JA3/JA4
// and file hash the events hold, checks each once against the indicators,
// raises the shared network-log heuristics, puts one timeline event per
// domain, and surfaces the alerts Suricata raised itself, one per rule.
//
// An alert of a rule written by `spyscan iocs export --format suricata`
// carries the indicator in its metadata (spyscan_type, spyscan_value): that
// value is checked too, so such an alert is reported with the indicator's
// provenance even when the log holds no other event of the flow.
package suricata

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/eve"
	"github.com/spyscan/spyscan/internal/network/netsum"
)

// Name of the module.
const Name = "suricata_eve"

// maxTimelineDomains limits the timeline events (one per domain).
const maxTimelineDomains = 100_000

// maxRules limits the distinct Suricata rules summarised.
const maxRules = 10_000

// Module reads Suricata EVE logs.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.NetworkLog))} }

// handled are the event types read; the others are counted only.
var handled = map[string]bool{"alert": true, "dns": true, "mdns": true, "llmnr": true, "tls": true,
	"http": true, "quic": true, "fileinfo": true, "flow": true}

// state is what one run accumulates.
type state struct {
	rec       *module.Recorder
	domains   *netsum.Table
	ips       *netsum.Table
	urls      *netsum.Table
	certs     *netsum.Table
	ja3, ja4  *netsum.Table
	hashes    *netsum.Table
	flowDests *netsum.Table // public destinations of flows, for the "never resolved" heuristic
	signals   *netsum.Signals
	rules     map[ruleKey]*Rule
	spyscan   []exported // values named by alerts of spyscan's own rules
	sawDNS    bool
	lines     int
	ev        eve.Event
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	files, err := findLogs(in.Acq.FS, rec)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return module.ErrNotFound
	}
	st := &state{rec: rec, domains: netsum.NewTable(), ips: netsum.NewTable(), urls: netsum.NewTable(),
		certs: netsum.NewTable(), ja3: netsum.NewTable(), ja4: netsum.NewTable(), hashes: netsum.NewTable(),
		flowDests: netsum.NewTable(), signals: netsum.NewSignals("eve.json flow events"), rules: map[ruleKey]*Rule{}}
	for _, f := range files {
		if err := st.readFile(ctx, in.Acq.FS, f); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rec.FileError(f, fmt.Errorf("%s: %w", f, err))
		}
	}
	rec.Seen(st.lines)
	st.report()
	return nil
}

// findLogs lists the files of fsys that are EVE logs, by content.
func findLogs(fsys fs.FS, rec *module.Recorder) ([]string, error) {
	names, err := netsum.RegularFiles(fsys)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		lf, err := netsum.OpenLog(fsys, n)
		if err != nil {
			if !strings.Contains(err.Error(), n) {
				err = fmt.Errorf("%s: %w", n, err)
			}
			rec.FileError(n, err)
			continue
		}
		ok := eve.Sniff(lf.Head())
		lf.Close()
		if ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// FileSummary is the record written for each log read.
type FileSummary struct {
	File    string         `json:"file"`
	Lines   int            `json:"lines"`
	Events  map[string]int `json:"events_by_type"`
	Skipped map[string]int `json:"lines_skipped,omitempty"`
	Partial int            `json:"lines_partly_read,omitempty"` // a field of an unexpected type was left out
	First   time.Time      `json:"first_event,omitzero"`
	Last    time.Time      `json:"last_event,omitzero"`
}

func (st *state) readFile(ctx context.Context, fsys fs.FS, name string) error {
	lf, err := netsum.OpenLog(fsys, name)
	if err != nil {
		return err
	}
	defer lf.Close()
	st.rec.File(name)
	sum := FileSummary{File: name, Events: map[string]int{}, Skipped: map[string]int{}}
	err = eachLine(lf, func(line []byte, tooLong bool) {
		sum.Lines++
		if sum.Lines&0xffff == 0 && ctx.Err() != nil {
			return
		}
		if tooLong {
			sum.Skipped["longer than 1 MiB"]++
			return
		}
		if len(line) == 0 {
			return
		}
		typ := eve.EventType(line)
		if typ == "" {
			sum.Skipped["not an EVE event"]++
			return
		}
		sum.Events[typ]++
		if !handled[typ] {
			return
		}
		switch err := eve.Parse(line, &st.ev); {
		case errors.Is(err, eve.ErrPartial):
			sum.Partial++
		case err != nil:
			sum.Skipped["malformed JSON"]++
			return
		}
		ts, _ := eve.Time(st.ev.Timestamp)
		if !ts.IsZero() {
			if sum.First.IsZero() || ts.Before(sum.First) {
				sum.First = ts
			}
			if ts.After(sum.Last) {
				sum.Last = ts
			}
		}
		st.event(&st.ev, ts, name)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	st.lines += sum.Lines
	skipped := 0
	for _, n := range sum.Skipped {
		skipped += n
	}
	netsum.NoteBad(st.rec, name, sum.Skipped)
	if sum.Partial > 0 {
		st.rec.Note(i18n.M("net.note.suricata_partial", "file", name, "n", sum.Partial))
	}
	if len(sum.Skipped) == 0 {
		sum.Skipped = nil
	}
	st.rec.Record(sum)
	if err != nil {
		return err
	}
	if sum.Lines > 0 && skipped == sum.Lines {
		return errors.New("no readable EVE event")
	}
	return nil
}

// eachLine calls fn for every line of r without its end of line; a line
// longer than eve.MaxLine is reported once, as too long, without its bytes.
func eachLine(r *netsum.LogFile, fn func(line []byte, tooLong bool)) error {
	var long bool
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if !long && len(buf)+len(chunk) <= eve.MaxLine {
				buf = append(buf, chunk...)
				continue
			}
			long, buf = true, buf[:0]
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return err
		}
		line := chunk
		if len(buf) > 0 {
			buf = append(buf, chunk...)
			line = buf
		}
		if long || len(line) > eve.MaxLine {
			fn(nil, true)
		} else if len(line) > 0 || err == nil {
			fn(trimEOL(line), false)
		}
		long, buf = false, buf[:0]
		if err != nil {
			return nil
		}
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// event dispatches one decoded event. App-layer objects are read whatever
// the event type: alerts carry the flow's dns/tls/http objects too.
func (st *state) event(ev *eve.Event, ts time.Time, file string) {
	if ev.Alert != nil && ev.EventType == "alert" {
		st.alert(ev, ts, file)
	}
	for _, d := range []*eve.DNS{ev.DNS, ev.MDNS, ev.LLMNR} {
		if d != nil {
			st.dns(d, ts, file)
		}
	}
	if ev.TLS != nil {
		st.tls(ev, ts, file)
	}
	if ev.HTTP != nil {
		st.http(ev, ts, file)
	}
	if ev.QUIC != nil {
		st.quic(ev, ts, file)
	}
	if ev.FileInfo != nil {
		st.file(ev.FileInfo, ts, file)
		st.addIP(ev.SrcIP, ts, file, "file transfer endpoint")
		st.addIP(ev.DestIP, ts, file, "file transfer endpoint")
	}
	for i := range ev.Files {
		st.file(&ev.Files[i], ts, file)
	}
	if ev.EventType == "flow" {
		st.flow(ev, ts, file)
	}
}

func (st *state) addDomain(v string, ts time.Time, file, how string) *netsum.Seen {
	if d := netsum.NormDomain([]byte(v)); d != nil {
		return st.domains.Add(d, ts, file, how)
	}
	return nil
}

func (st *state) addIP(v string, ts time.Time, file, how string) *netsum.Seen {
	if v == "" || !netsum.IsIP([]byte(v)) {
		return nil
	}
	return st.ips.Add([]byte(v), ts, file, how)
}

func (st *state) dns(d *eve.DNS, ts time.Time, file string) {
	st.sawDNS = true
	var first string
	for _, q := range d.Questions() {
		if s := st.addDomain(q, ts, file, "dns query"); s != nil && first == "" {
			first = s.Value
		}
	}
	d.AnswerData(func(rrtype, rdata string) {
		switch rrtype {
		case "A", "AAAA":
			if s := st.addIP(rdata, ts, file, "dns answer"); s != nil && s.Related == "" && first != "" {
				s.Related = first // also marks the address as resolved
			}
		case "CNAME":
			st.addDomain(rdata, ts, file, "dns answer (CNAME)")
		}
	})
}

func (st *state) tls(ev *eve.Event, ts time.Time, file string) {
	t := ev.TLS
	st.addDomain(t.SNI, ts, file, "tls sni")
	st.addIP(ev.DestIP, ts, file, "tls server")
	if fp := t.CertSHA1(); fp != "" {
		st.certs.Add([]byte(fp), ts, file, "tls certificate")
	}
	for _, san := range t.SANs {
		st.addDomain(san, ts, file, "certificate SAN")
	}
	if t.JA3 != nil && t.JA3.Hash != "" {
		st.ja3.Add([]byte(strings.ToLower(t.JA3.Hash)), ts, file, "tls client ja3")
	}
	if t.JA4 != "" {
		st.ja4.Add([]byte(t.JA4), ts, file, "tls client ja4")
	}
	if ev.EventType == "tls" {
		st.signals.TLSPort([]byte(ev.DestIP), ev.DestPort, ts, file)
	}
	if t.Subject != "" || t.IssuerDN != "" {
		st.signals.Certificate(t.Subject, t.IssuerDN, t.Subject != "" && t.Subject == t.IssuerDN, ev.DestIP, ts, file)
	}
}

// http reads an http object. Only in an "http" event is the destination
// the server: fileinfo and alert events follow the packet's direction.
func (st *state) http(ev *eve.Event, ts time.Time, file string) {
	h := ev.HTTP
	host := strings.ToLower(h.Hostname)
	server := ""
	if ev.EventType == "http" {
		server = ev.DestIP
		st.addIP(server, ts, file, "http server")
	}
	if host == "" {
		host = server
	} else if st.addDomain(host, ts, file, "http host") == nil {
		st.addIP(host, ts, file, "http host")
	}
	if host == "" {
		return
	}
	if ev.EventType == "http" {
		st.signals.ClearHTTP.Add([]byte(host), ts, file, "http in clear")
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]" // an IPv6 address in a URL
	}
	uri := h.URL
	if len(uri) > 2048 {
		uri = uri[:2048]
	}
	if !strings.HasPrefix(uri, "/") {
		uri = "/" + uri
	}
	st.urls.Add([]byte("http://"+host+uri), ts, file, "http request")
}

func (st *state) quic(ev *eve.Event, ts time.Time, file string) {
	q := ev.QUIC
	st.addDomain(q.ServerName(), ts, file, "quic sni")
	st.addIP(ev.DestIP, ts, file, "quic server")
	if q.JA3 != nil && q.JA3.Hash != "" {
		st.ja3.Add([]byte(strings.ToLower(q.JA3.Hash)), ts, file, "quic client ja3")
	}
	if q.JA4 != "" {
		st.ja4.Add([]byte(q.JA4), ts, file, "quic client ja4")
	}
}

func (st *state) file(f *eve.FileInfo, ts time.Time, file string) {
	for _, h := range []string{f.SHA256, f.SHA1, f.MD5} {
		if h != "" {
			st.hashes.Add([]byte(strings.ToLower(h)), ts, file, "file transferred ("+f.Filename+")")
		}
	}
}

func (st *state) flow(ev *eve.Event, ts time.Time, file string) {
	if ev.Flow != nil {
		if t, ok := eve.Time(ev.Flow.Start); ok {
			ts = t
		}
	}
	dst := ev.DestIP
	if st.addIP(dst, ts, file, "connection") == nil {
		return
	}
	switch ev.DestPort {
	case 53, 67, 123, 5353:
		return
	}
	if ev.AppProto == "dns" || !netsum.PublicIP(dst) {
		return
	}
	st.signals.Beacons.Add([]byte(ev.SrcIP), []byte(dst), ev.DestPort, ts)
	st.flowDests.Add([]byte(dst), ts, file, "connection to an IP never resolved")
}

// report checks every deduped value and raises the heuristics.
func (st *state) report() {
	rec := st.rec
	netsum.CheckDomains(rec, st.domains, i18n.M("net.what.domain_suricata"), maxTimelineDomains)
	netsum.CheckAll(st.ips, i18n.M("net.what.ip_suricata"), rec.CheckIP)
	netsum.CheckAll(st.urls, i18n.M("net.what.url_suricata"), rec.CheckURL)
	netsum.CheckAll(st.certs, i18n.M("net.what.cert_suricata"), rec.CheckTLSCert)
	netsum.CheckAll(st.ja3, i18n.M("net.what.ja3_suricata"), rec.CheckJA3)
	netsum.CheckAll(st.ja4, i18n.M("net.what.ja4_suricata"), rec.CheckJA4)
	netsum.CheckAll(st.hashes, i18n.M("net.what.hash_suricata"), rec.CheckFileHash)
	for _, t := range []*netsum.Table{st.domains, st.ips, st.urls, st.certs, st.hashes} {
		if t.Dropped > 0 {
			rec.Note(i18n.M("net.note.sightings_dropped", "n", t.Dropped, "max", netsum.MaxValues))
		}
	}
	st.checkExported()
	if st.sawDNS {
		for _, s := range st.flowDests.Sorted() {
			if ip := st.ips.Get(s.Value); ip != nil && ip.Related == "" {
				st.signals.Unresolved.AddSummary(s)
			}
		}
	}
	st.signals.Report(rec)
	st.reportRules()
}

// checks maps the indicator types spyscan's exported rules name to the
// check of that type.
func (st *state) checks() map[match.Type]func(string, module.Where) bool {
	r := st.rec
	return map[match.Type]func(string, module.Where) bool{
		match.Domain: r.CheckDomain, match.IP: r.CheckIP, match.URL: r.CheckURL,
		match.TLSCertSHA1: r.CheckTLSCert, match.TLSCertSHA256: r.CheckTLSCert,
		match.JA3: r.CheckJA3, match.JA4: r.CheckJA4,
		match.FileSHA256: r.CheckFileHash, match.FileSHA1: r.CheckFileHash, match.FileMD5: r.CheckFileHash,
	}
}

// checkExported checks, once per distinct value, the indicator values
// named by alerts of spyscan's own rules, and marks the rules whose value
// matched.
func (st *state) checkExported() {
	checks := st.checks()
	slices.SortFunc(st.spyscan, func(a, b exported) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.value, b.value), cmp.Compare(a.rule.SID, b.rule.SID))
	})
	for i := 0; i < len(st.spyscan); {
		e := st.spyscan[i]
		j := i + 1
		for j < len(st.spyscan) && st.spyscan[j].typ == e.typ && st.spyscan[j].value == e.value {
			j++
		}
		if check := checks[match.Type(e.typ)]; check != nil {
			hit := check(e.value, module.Where{Artifact: e.rule.Artifact, Time: e.rule.First,
				Label: i18n.M("net.what.suricata_exported"), Record: e.rule})
			for _, x := range st.spyscan[i:j] {
				x.rule.matched = x.rule.matched || hit
			}
		}
		i = j
	}
}
