package logopen

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
)

const zeekTSV = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n#fields\tts\tquery\n1700000000.0\ta.example\n"

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"dns.log":        zeekTSV,
		"ssl.json":       `{"ts":1700000000.1,"uid":"C1","id.orig_h":"10.0.0.1","server_name":"a.example"}` + "\n",
		"conn.log.gz":    gz(`{"ts":1,"uid":"C","conn_state":"SF"}` + "\n"),
		"pihole.log":     "Nov 23 21:00:00 dnsmasq[812]: query[A] a.example from 192.168.1.10\n",
		"queries.log":    "23-Nov-2026 21:00:00.123 queries: info: client @0x7f 1.2.3.4#1 (a.example): query: a.example IN A +E(0)K (1.2.3.4)\n",
		"unbound.log":    "[1700000000] unbound[1:0] info: 1.2.3.4 a.example. A IN\n",
		"domains.txt":    "a.example\nb.example\n",
		"domains.csv":    "a.example\nb.example\n",
		"letter.txt":     "Dear friend,\nhow are you?\n",
		"capture.pcap":   "\xd4\xc3\xb2\xa1\x02\x00\x04\x00",
		"manifest.plist": "<?xml version=\"1.0\"?>\n",
		"eve.json":       eveLine,
		"alerts.json.gz": gz(eveLine),
		"other.json":     `{"timestamp":"2026-01-01","level":"info"}` + "\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{"dns.log": true, "ssl.json": true, "conn.log.gz": true, "pihole.log": true, "queries.log": true,
		"unbound.log": true, "domains.txt": true, "eve.json": true, "alerts.json.gz": true}
	o := New()
	for n := range files {
		k, ok := o.Detect(context.Background(), filepath.Join(dir, n))
		if ok != want[n] || (ok && k != acquisition.NetworkLog) {
			t.Errorf("Detect(%s) = %q, %v; want %v", n, k, ok, want[n])
		}
	}
	// A folder of Zeek logs.
	zdir := filepath.Join(dir, "zeek")
	os.Mkdir(zdir, 0o755)
	os.WriteFile(filepath.Join(zdir, "dns.log"), []byte(zeekTSV), 0o644)
	if _, ok := o.Detect(context.Background(), zdir); !ok {
		t.Error("folder of Zeek logs not detected")
	}
	// A folder of Suricata logs.
	sdir := filepath.Join(dir, "suricata")
	os.Mkdir(sdir, 0o755)
	os.WriteFile(filepath.Join(sdir, "eve-2026-11-20.json"), []byte(eveLine), 0o644)
	os.WriteFile(filepath.Join(sdir, "suricata.log"), []byte("[1] <Notice> - This is Suricata\n"), 0o644)
	if _, ok := o.Detect(context.Background(), sdir); !ok {
		t.Error("folder of Suricata logs not detected")
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if _, ok := o.Detect(context.Background(), empty); ok {
		t.Error("empty folder detected")
	}
}

const eveLine = `{"timestamp":"2016-06-08T20:01:52.875791+0000","flow_id":1,"event_type":"dns","src_ip":"10.0.0.1","dns":{"type":"query","rrname":"a.example"}}` + "\n"

func TestOpenEve(t *testing.T) {
	p := filepath.Join(t.TempDir(), "eve.json")
	os.WriteFile(p, []byte(eveLine), 0o644)
	acq, err := New().Open(context.Background(), p, acquisition.NetworkLog, acquisition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if acq.Meta["log_format"] != "suricata-eve" {
		t.Errorf("meta = %v", acq.Meta)
	}
}

func TestOpenSingleFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "dns.log")
	os.WriteFile(p, []byte(zeekTSV), 0o644)
	acq, err := New().Open(context.Background(), p, acquisition.NetworkLog, acquisition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if acq.Meta["log_format"] != "zeek" {
		t.Errorf("meta = %v", acq.Meta)
	}
	if err := fstest.TestFS(acq.FS, "dns.log"); err != nil {
		t.Error(err)
	}
	b, err := fs.ReadFile(acq.FS, "dns.log")
	if err != nil || string(b) != zeekTSV {
		t.Errorf("read %q, %v", b, err)
	}
	if _, err := acq.FS.Open("../etc/passwd"); err == nil {
		t.Error("path outside the file opened")
	}
}
