package hostile

import (
	"bytes"
	"net/netip"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// CleanCapture returns a small pcap that every module reading it reads
// fully and that holds no trace of spyware: DNS lookups of example.org and
// example.net with their answers. Scanned alone it gives "no known traces";
// next to a hostile input it shows that the rest of the scan goes on.
func CleanCapture() []byte {
	var b bytes.Buffer
	w, err := netgen.NewPcapWriter(&b, 1, false)
	if err != nil {
		panic(err) // writing to memory
	}
	cli, dns := netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("192.168.1.1")
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, name := range []string{"example.org", "example.net"} {
		id := uint16(100 + i)
		q := netgen.IP(cli, dns, 17, netgen.UDP(50000+uint16(i), 53, netgen.DNSQuery(id, name, 1)))
		a := netgen.IP(dns, cli, 17, netgen.UDP(53, 50000+uint16(i), netgen.DNSResponse(id, name, 1, nil,
			[]netip.Addr{netip.MustParseAddr("93.184.215.14")})))
		ts := t0.Add(time.Duration(i) * time.Second)
		if err := w.WritePacket(0, ts, netgen.Ethernet(q)); err != nil {
			panic(err)
		}
		if err := w.WritePacket(0, ts.Add(20*time.Millisecond), netgen.Ethernet(a)); err != nil {
			panic(err)
		}
	}
	if err := w.Flush(); err != nil {
		panic(err)
	}
	return b.Bytes()
}
