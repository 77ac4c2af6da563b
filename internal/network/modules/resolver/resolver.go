// Package resolver owns the retro-hunting module over plain DNS resolver
// logs (lists of queried names, dnsmasq/Pi-hole, unbound and BIND query
// logs): it dedupes the queried names and the answered addresses, checks
// each once against the indicators, raises the suspicious-TLD and free-DNS
// heuristics and summarises the timeline per domain.
package resolver

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/netsum"
	"github.com/spyscan/spyscan/internal/network/resolverlog"
	"github.com/spyscan/spyscan/internal/network/zeeklog"
)

// Name of the module.
const Name = "resolver_logs"

const maxTimelineDomains = 100_000

// Module reads resolver logs.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.NetworkLog))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	names, err := netsum.RegularFiles(in.Acq.FS)
	if err != nil {
		return err
	}
	domains, ips := netsum.NewTable(), netsum.NewTable()
	read, lines := 0, 0
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, ok, err := readFile(in.Acq.FS, name, domains, ips)
		if err != nil {
			rec.FileError(name, fmt.Errorf("%s: %w", name, err))
		}
		if ok {
			read++
			lines += n.lines
			rec.File(name)
			netsum.NoteBad(rec, name, n.bad)
			if n.other > 0 {
				rec.Note(i18n.M("net.note.resolver_other", "file", name, "n", n.other, "format", n.format))
			}
		}
	}
	if read == 0 {
		return module.ErrNotFound
	}
	rec.Seen(lines)
	netsum.CheckDomains(rec, domains, i18n.M("net.what.domain_resolver"), maxTimelineDomains)
	netsum.CheckAll(ips, i18n.M("net.what.ip_resolver"), rec.CheckIP)
	return nil
}

type fileStats struct {
	lines, other int
	format       resolverlog.Format
	bad          map[string]int
}

// readFile reads one file if it is a resolver log (and not a Zeek log).
func readFile(fsys fs.FS, name string, domains, ips *netsum.Table) (fileStats, bool, error) {
	var st fileStats
	lf, err := netsum.OpenLog(fsys, name)
	if err != nil {
		return st, false, err
	}
	defer lf.Close()
	head := lf.Head()
	if _, _, isZeek := zeeklog.Sniff(head); isZeek {
		return st, false, nil
	}
	if resolverlog.Detect(head) == resolverlog.Unknown {
		return st, false, nil
	}
	year := time.Now().UTC().Year()
	var mod time.Time
	if fi, err := fs.Stat(fsys, name); err == nil {
		mod = fi.ModTime().UTC()
		year = mod.Year()
	}
	r, err := resolverlog.NewReader(lf, year)
	if err != nil {
		return st, false, err
	}
	st.format = r.Format()
	for r.Next() {
		e := r.Entry()
		st.lines++
		ts := e.Time
		// Syslog lines have no year: a December line in a file last
		// written in January belongs to the year before.
		if !ts.IsZero() && !mod.IsZero() && ts.After(mod.Add(48*time.Hour)) && r.Format() != resolverlog.Plain {
			ts = ts.AddDate(-1, 0, 0)
		}
		d := netsum.NormDomain(e.Name)
		if d == nil {
			continue
		}
		how := "dns query"
		if e.Kind == resolverlog.Reply {
			how = "dns reply"
		}
		domains.Add(d, ts, name, how)
		if e.Kind == resolverlog.Reply && len(e.Answer) > 0 {
			if netsum.IsIP(e.Answer) {
				if s := ips.Add(e.Answer, ts, name, "dns answer"); s != nil && s.Related == "" {
					s.Related = string(d)
				}
			} else if c := netsum.NormDomain(e.Answer); c != nil {
				domains.Add(c, ts, name, "dns answer (CNAME)")
			}
		}
	}
	st.other = r.Other()
	st.bad = r.Bad()
	return st, true, r.Err()
}
