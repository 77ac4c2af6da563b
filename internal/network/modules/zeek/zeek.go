// Package zeek owns the retro-hunting module over Zeek logs (dns.log,
// ssl.log, http.log, conn.log, x509.log, TSV or JSON, gzip or not): it
// dedupes every domain, IP, URL and certificate fingerprint the logs hold,
// checks each once against the indicators, raises TinyCheck-style
// heuristics (suspicious TLDs, free dynamic DNS, self-signed and free
// certificates, TLS on unusual ports, HTTP in clear, traffic to IPs never
// resolved, beaconing) and summarises the timeline per domain.
package zeek

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/netsum"
	"github.com/spyscan/spyscan/internal/network/zeeklog"
)

// Name of the module.
const Name = "zeek_logs"

// maxTimelineDomains limits the timeline events (one per domain).
const maxTimelineDomains = 100_000

// Module reads Zeek logs.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.NetworkLog))} }

// logFile is one Zeek log found in the acquisition.
type logFile struct {
	name, typ string
}

// typeOrder makes dns.log come first, so IPs resolved by DNS are known
// before conn.log is read.
var typeOrder = map[string]int{zeeklog.DNS: 0, zeeklog.X509: 1, zeeklog.SSL: 2, zeeklog.HTTP: 3, zeeklog.Conn: 4}

// state is what one run accumulates.
type state struct {
	rec      *module.Recorder
	domains  *netsum.Table
	ips      *netsum.Table
	urls     *netsum.Table
	certs    *netsum.Table
	ja3, ja4 *netsum.Table
	sawDNS   bool
	signals  *netsum.Signals
	lines    int
	scratch  []byte
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
		certs: netsum.NewTable(), ja3: netsum.NewTable(), ja4: netsum.NewTable(),
		signals: netsum.NewSignals("conn.log")}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.readFile(in.Acq.FS, f); err != nil {
			rec.FileError(f.name, fmt.Errorf("%s: %w", f.name, err))
		}
	}
	rec.Seen(st.lines)
	st.report()
	return nil
}

// findLogs lists the Zeek logs of fsys with their type.
func findLogs(fsys fs.FS, rec *module.Recorder) ([]logFile, error) {
	names, err := netsum.RegularFiles(fsys)
	if err != nil {
		return nil, err
	}
	var out []logFile
	for _, n := range names {
		lf, err := netsum.OpenLog(fsys, n)
		if err != nil {
			rec.FileError(n, fmt.Errorf("%s: %w", n, err))
			continue
		}
		typ, _, ok := zeeklog.Sniff(lf.Head())
		lf.Close()
		if !ok {
			continue
		}
		if typ == "" {
			typ = zeeklog.TypeFromName(path.Base(n))
		}
		if _, known := typeOrder[typ]; !known {
			continue // files.log, weird.log...: nothing to check here
		}
		out = append(out, logFile{name: n, typ: typ})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if typeOrder[out[i].typ] != typeOrder[out[j].typ] {
			return typeOrder[out[i].typ] < typeOrder[out[j].typ]
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

// fields wanted per log type, in the order the readers index them.
var fields = map[string][]string{
	zeeklog.DNS:  {"ts", "id.orig_h", "query", "answers"},
	zeeklog.SSL:  {"ts", "id.orig_h", "id.resp_h", "id.resp_p", "server_name", "subject", "issuer", "cert_chain_fps", "validation_status", "ja3", "ja4"},
	zeeklog.HTTP: {"ts", "id.orig_h", "id.resp_h", "id.resp_p", "host", "uri"},
	zeeklog.Conn: {"ts", "id.orig_h", "id.resp_h", "id.resp_p", "proto", "service"},
	zeeklog.X509: {"ts", "fingerprint", "certificate.subject", "certificate.issuer", "san.dns", "basic_constraints.ca"},
}

func (st *state) readFile(fsys fs.FS, f logFile) error {
	lf, err := netsum.OpenLog(fsys, f.name)
	if err != nil {
		return err
	}
	defer lf.Close()
	r, err := zeeklog.NewReader(lf, fields[f.typ]...)
	if err != nil {
		return err
	}
	st.rec.File(f.name)
	handle := map[string]func(*zeeklog.Reader, string){
		zeeklog.DNS: st.dns, zeeklog.SSL: st.ssl, zeeklog.HTTP: st.http, zeeklog.Conn: st.conn, zeeklog.X509: st.x509,
	}[f.typ]
	n := 0
	for r.Next() {
		handle(r, f.name)
		n++
	}
	st.lines += n
	netsum.NoteBad(st.rec, f.name, r.Bad())
	if r.Err() != nil {
		return r.Err()
	}
	if n == 0 && len(r.Bad()) > 0 {
		return errors.New("no readable Zeek record")
	}
	return nil
}

func (st *state) addDomain(v []byte, ts time.Time, file, how string) {
	if d := netsum.NormDomain(v); d != nil {
		st.domains.Add(d, ts, file, how)
	}
}

func (st *state) dns(r *zeeklog.Reader, file string) {
	st.sawDNS = true
	ts, _ := r.Time(0)
	q := netsum.NormDomain(r.Get(2))
	qr := netsum.None
	if q != nil {
		qr = st.domains.Sight(q, ts, file, "dns query")
	}
	for pos := 0; ; {
		a, ok := r.Elem(3, &pos)
		if !ok {
			break
		}
		if st.domains.Again(qr, a, ts) { // same answer as last time: counted
			continue
		}
		if netsum.IsIP(a) {
			ir := st.ips.Sight(a, ts, file, "dns answer")
			st.domains.Remember(qr, a, st.ips, ir)
			if s := st.ips.Summary(ir); s != nil && s.Related == "" && q != nil {
				s.Related = string(q) // also marks the IP as resolved
			}
			continue
		}
		st.addDomain(a, ts, file, "dns answer (CNAME)")
	}
}

func (st *state) ssl(r *zeeklog.Reader, file string) {
	ts, _ := r.Time(0)
	st.addDomain(r.Get(4), ts, file, "tls sni")
	if ip := r.Get(2); ip != nil {
		st.ips.Add(ip, ts, file, "tls server")
	}
	r.Each(7, func(fp []byte) { st.certs.Add(fp, ts, file, "tls certificate") })
	if v := r.Get(9); len(v) > 0 {
		st.ja3.Add(v, ts, file, "tls client ja3")
	}
	if v := r.Get(10); len(v) > 0 {
		st.ja4.Add(v, ts, file, "tls client ja4")
	}
	if port, err := strconv.Atoi(string(r.Get(3))); err == nil {
		st.signals.TLSPort(r.Get(2), port, ts, file)
	}
	subject, issuer := r.String(5), r.String(6)
	selfSigned := (subject != "" && subject == issuer) || r.String(8) == "self signed certificate"
	st.signals.Certificate(subject, issuer, selfSigned, string(r.Get(2)), ts, file)
}

func (st *state) http(r *zeeklog.Reader, file string) {
	ts, _ := r.Time(0)
	host := r.Get(4)
	if ip := r.Get(2); ip != nil {
		st.ips.Add(ip, ts, file, "http server")
	}
	if len(host) == 0 {
		host = r.Get(2)
	} else {
		st.addDomain(host, ts, file, "http host")
	}
	if len(host) == 0 {
		return
	}
	st.signals.ClearHTTP.Add(host, ts, file, "http in clear")
	uri := r.Get(5)
	if len(uri) > 2048 {
		uri = uri[:2048]
	}
	st.scratch = append(append(append(st.scratch[:0], "http://"...), host...), uri...)
	st.urls.Add(st.scratch, ts, file, "http request")
}

func (st *state) conn(r *zeeklog.Reader, file string) {
	ts, _ := r.Time(0)
	dst := r.Get(2)
	if dst == nil {
		return
	}
	s := st.ips.Add(dst, ts, file, "connection")
	port, _ := strconv.Atoi(string(r.Get(3)))
	service := r.Get(5)
	if port == 53 || port == 123 || port == 5353 || port == 67 || string(service) == "dns" {
		return
	}
	if !netsum.PublicIP(string(dst)) {
		return
	}
	st.signals.Beacons.Add(r.Get(1), dst, port, ts)
	if st.sawDNS && s != nil && s.Related == "" {
		st.signals.Unresolved.Add(dst, ts, file, "connection to an IP never resolved")
	}
}

func (st *state) x509(r *zeeklog.Reader, file string) {
	ts, _ := r.Time(0)
	if fp := r.Get(1); len(fp) > 0 {
		st.certs.Add(fp, ts, file, "x509 certificate")
	}
	r.Each(4, func(d []byte) { st.addDomain(d, ts, file, "certificate SAN") })
	subject, issuer := r.String(2), r.String(3)
	selfSigned := subject != "" && subject == issuer && string(r.Get(5)) != "T"
	st.signals.Certificate(subject, issuer, selfSigned, "", ts, file)
}

// report checks every deduped value and raises the heuristics.
func (st *state) report() {
	rec := st.rec
	netsum.CheckDomains(rec, st.domains, i18n.M("net.what.domain_zeek"), maxTimelineDomains)
	netsum.CheckAll(st.ips, i18n.M("net.what.ip_zeek"), rec.CheckIP)
	netsum.CheckAll(st.urls, i18n.M("net.what.url_zeek"), rec.CheckURL)
	netsum.CheckAll(st.certs, i18n.M("net.what.cert_zeek"), rec.CheckTLSCert)
	netsum.CheckAll(st.ja3, i18n.M("net.what.ja3_zeek"), rec.CheckJA3)
	netsum.CheckAll(st.ja4, i18n.M("net.what.ja4_zeek"), rec.CheckJA4)
	for _, s := range []*netsum.Table{st.domains, st.ips, st.urls, st.certs} {
		if s.Dropped > 0 {
			rec.Note(i18n.M("net.note.sightings_dropped", "n", s.Dropped, "max", netsum.MaxValues))
		}
	}
	st.signals.Report(rec)
}
