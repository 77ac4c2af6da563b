package resolver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

func TestResolverModule(t *testing.T) {
	mod := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	fsys := fstest.MapFS{
		"pihole.log": {ModTime: mod, Data: []byte(
			"Dec 31 23:59:00 dnsmasq[812]: query[A] api.free247downloads.com from 192.168.1.10\n" +
				"Dec 31 23:59:00 dnsmasq[812]: reply api.free247downloads.com is 198.51.100.7\n" +
				"Jan  1 00:01:00 dnsmasq[812]: query[A] api.free247downloads.com from 192.168.1.10\n" +
				"Jan  1 00:02:00 dnsmasq[812]: query[A] free247downloads.com.example.net from 192.168.1.10\n" +
				"Jan  1 00:03:00 dnsmasq[812]: query[A] box.duckdns.org from 192.168.1.10\n" +
				"Jan  1 00:03:00 dnsmasq[812]: forwarded box.duckdns.org to 9.9.9.9\n" +
				"junk\n")},
		"domains.txt": {Data: []byte("# exported\nshop.example.xyz\n")},
		"dns.log":     {Data: []byte("#separator \\x09\n#fields\tts\tquery\n1\tzeek.example\n")},
		"photo.jpg":   {Data: []byte{0xff, 0xd8, 0xff}},
	}
	ix, _ := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: "free247downloads.com", Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}},
		{Type: match.IP, Value: "198.51.100.7", Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}},
	})
	rec := module.NewRecorder(Name, ix, nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fsys}}
	if err := New().Run(context.Background(), in, rec); err != nil {
		t.Fatal(err)
	}
	res := rec.Result()
	var crit []string
	var msgs string
	var first time.Time
	for _, a := range res.Alerts {
		msgs += a.Message + "\n"
		if a.Level == model.Critical {
			crit = append(crit, a.Match.Observed)
			if a.Match.Observed == "api.free247downloads.com" {
				first = a.Time
			}
		}
	}
	if strings.Join(crit, ",") != "api.free247downloads.com,198.51.100.7" {
		t.Errorf("critical alerts on %q", crit)
	}
	if want := time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC); !first.Equal(want) {
		t.Errorf("first seen %v, want %v (year rolled back)", first, want)
	}
	for _, w := range []string{"duckdns", ".xyz"} {
		if !strings.Contains(msgs, w) {
			t.Errorf("no heuristic mentioning %q:\n%s", w, msgs)
		}
	}
	if strings.Contains(msgs, "zeek.example") {
		t.Error("the Zeek log was read as a resolver log")
	}
	notes := strings.Join(res.Notes, "\n")
	if !strings.Contains(notes, "pihole.log: 1 lines skipped") || !strings.Contains(notes, "1 dnsmasq lines without a query") {
		t.Errorf("notes = %q", notes)
	}
	if len(res.Timeline) != 4 {
		t.Errorf("%d timeline events, want 4 (one per domain)", len(res.Timeline))
	}
}

func TestNoResolverLog(t *testing.T) {
	rec := module.NewRecorder(Name, nil, nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fstest.MapFS{"a.bin": {Data: []byte{0, 1, 2}}}}}
	if err := New().Run(context.Background(), in, rec); !errors.Is(err, module.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}

// FuzzModule runs the module on arbitrary log contents: it must never panic.
func FuzzModule(f *testing.F) {
	f.Add([]byte("Nov 23 21:00:00 dnsmasq[812]: query[A] api.free247downloads.com from 192.168.1.10\n"))
	f.Add([]byte("[1700000000] unbound[1234:0] info: 192.168.1.10 free247downloads.com. A IN\n"))
	f.Add([]byte("a.example\nb.example\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := module.NewRecorder(Name, nil, nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fstest.MapFS{"q.log": {Data: data}}}}
		_ = New().Run(context.Background(), in, rec)
		rec.Result()
	})
}
