package pcapfile_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

func readAll(t *testing.T, b []byte) ([]pcapfile.Packet, *pcapfile.Reader, error) {
	t.Helper()
	r, err := pcapfile.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	var out []pcapfile.Packet
	for {
		var p pcapfile.Packet
		err := r.Next(&p)
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, r, err
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
}

func pcapBytes(t *testing.T, nano bool, pkts ...[]byte) []byte {
	var buf bytes.Buffer
	w, err := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, nano)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		if err := w.WritePacket(0, t0.Add(time.Duration(i)*time.Second), p); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return buf.Bytes()
}

// bigEndian rewrites a little-endian pcap as big-endian.
func bigEndian(le []byte) []byte {
	b := append([]byte(nil), le...)
	swap32 := func(o int) { binary.BigEndian.PutUint32(b[o:], binary.LittleEndian.Uint32(b[o:])) }
	swap16 := func(o int) { binary.BigEndian.PutUint16(b[o:], binary.LittleEndian.Uint16(b[o:])) }
	swap32(0)
	swap16(4)
	swap16(6)
	swap32(16)
	swap32(20)
	for o := 24; o+16 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[o+8:]))
		for i := 0; i < 4; i++ {
			swap32(o + 4*i)
		}
		o += 16 + n
	}
	return b
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestFormats(t *testing.T) {
	pk := [][]byte{bytes.Repeat([]byte{1}, 60), bytes.Repeat([]byte{2}, 1500)}
	us := pcapBytes(t, false, pk...)
	ns := pcapBytes(t, true, pk...)
	tests := []struct {
		name   string
		data   []byte
		format pcapfile.Format
		first  time.Time
	}{
		{"pcap microseconds", us, pcapfile.FormatPcap, t0.Truncate(time.Microsecond)},
		{"pcap nanoseconds", ns, pcapfile.FormatPcap, t0},
		{"pcap big-endian", bigEndian(us), pcapfile.FormatPcap, t0.Truncate(time.Microsecond)},
		{"pcap gzip", gz(ns), pcapfile.FormatPcap, t0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, r, err := readAll(t, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Stats.Format != tc.format || len(got) != 2 {
				t.Fatalf("format %s, %d packets", r.Stats.Format, len(got))
			}
			if !bytes.Equal(got[1].Data, pk[1]) || got[1].Number != 2 || got[0].LinkType != pcapfile.LinkEthernet {
				t.Errorf("packet 2 = %d bytes, number %d", len(got[1].Data), got[1].Number)
			}
			if tm := time.Unix(0, got[0].Time).UTC(); !tm.Equal(tc.first) {
				t.Errorf("time %v, want %v", tm, tc.first)
			}
		})
	}
}

func TestPcapNG(t *testing.T) {
	var buf bytes.Buffer
	w, err := netgen.NewNGWriter(&buf,
		netgen.Iface{Link: netgen.LinkEthernet, Name: "en0"},
		netgen.Iface{Link: netgen.LinkSLL2, TSResol: 9},
		netgen.Iface{Link: netgen.LinkRaw, TSResol: 0x80 | 20})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteDSB(0x544c534b, []byte("CLIENT_RANDOM a b\n"))
	for i := 0; i < 3; i++ {
		w.WritePacket(i, t0, []byte{byte(i), 0, 0, 0})
	}
	w.Flush()
	for _, data := range [][]byte{buf.Bytes(), gz(buf.Bytes())} {
		got, r, err := readAll(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || len(r.Stats.Interfaces) != 3 || r.Stats.DecryptionSecrets["TLS key log"] != 1 {
			t.Fatalf("%d packets, stats %+v", len(got), r.Stats)
		}
		wantLink := []uint32{pcapfile.LinkEthernet, pcapfile.LinkSLL2, pcapfile.LinkRaw}
		// microseconds, nanoseconds, and 2^-20 s (about a microsecond)
		tol := []time.Duration{time.Microsecond, 0, time.Microsecond}
		for i, p := range got {
			if p.LinkType != wantLink[i] || p.Iface != i {
				t.Errorf("packet %d: link %d iface %d", i, p.LinkType, p.Iface)
			}
			if d := t0.Sub(time.Unix(0, p.Time)); d < 0 || d > tol[i] {
				t.Errorf("packet %d: time off by %v", i, d)
			}
		}
		if r.Stats.Interfaces[0].Name != "en0" || r.Stats.Interfaces[1].TSResol != "10^-9 s" || r.Stats.Interfaces[2].TSResol != "2^-20 s" {
			t.Errorf("interfaces %+v", r.Stats.Interfaces)
		}
	}
}

func TestDamage(t *testing.T) {
	good := pcapBytes(t, false, make([]byte, 100), make([]byte, 100))
	var cut bytes.Buffer
	w, _ := netgen.NewPcapWriter(&cut, netgen.LinkEthernet, false)
	w.WriteCut(t0, make([]byte, 64), 1500)
	w.Flush()
	lying := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(lying[24+8:], 1<<30)

	t.Run("truncated", func(t *testing.T) {
		got, r, err := readAll(t, good[:len(good)-10])
		if !errors.Is(err, pcapfile.ErrTruncated) || len(got) != 1 || !r.Stats.Truncated {
			t.Fatalf("err %v, %d packets", err, len(got))
		}
	})
	t.Run("truncated gzip", func(t *testing.T) {
		z := gz(good)
		_, _, err := readAll(t, z[:len(z)-20])
		if err == nil {
			t.Fatal("no error on a truncated gzip stream")
		}
	})
	t.Run("wrong magic", func(t *testing.T) {
		_, _, err := readAll(t, []byte("this is not a capture file at all"))
		if !errors.Is(err, pcapfile.ErrBadMagic) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("lying length", func(t *testing.T) {
		got, r, err := readAll(t, lying)
		if !errors.Is(err, pcapfile.ErrCorrupt) || len(got) != 0 || r.Stats.Corrupt != 1 {
			t.Fatalf("err %v, %d packets", err, len(got))
		}
	})
	t.Run("snaplen cut", func(t *testing.T) {
		got, r, err := readAll(t, cut.Bytes())
		if err != nil || len(got) != 1 || r.Stats.SnapCut != 1 || got[0].OrigLen != 1500 {
			t.Fatalf("err %v, stats %+v", err, r.Stats)
		}
	})
}

func TestIsCapture(t *testing.T) {
	if !pcapfile.IsCapture(pcapBytes(t, false)) || pcapfile.IsCapture([]byte("PK\x03\x04....")) {
		t.Fatal("IsCapture wrong")
	}
}

func FuzzReader(f *testing.F) {
	f.Add(pcapBytes(&testing.T{}, false, make([]byte, 60)))
	for _, name := range []string{"../testdata/public/ndpi-tls_malicious_sha1.pcapng", "../testdata/public/suricata-ja4-tls.pcap"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := pcapfile.NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		var p pcapfile.Packet
		for i := 0; i < 10000 && r.Next(&p) == nil; i++ {
			if len(p.Data) > pcapfile.MaxPacket {
				t.Fatalf("packet of %d bytes", len(p.Data))
			}
		}
	})
}

func BenchmarkNext(b *testing.B) {
	var pk [][]byte
	for i := 0; i < 1000; i++ {
		pk = append(pk, make([]byte, 1514))
	}
	data := pcapBytes(&testing.T{}, true, pk...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, _ := pcapfile.NewReader(bytes.NewReader(data))
		var p pcapfile.Packet
		for r.Next(&p) == nil {
		}
	}
}
