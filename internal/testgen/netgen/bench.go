package netgen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"
)

// WriteBenchCapture writes a pcap (nanosecond, Ethernet) of about size
// bytes of mixed traffic: DNS, TLS (ClientHello and certificate), HTTP,
// QUIC Initial-like datagrams and bulk TCP transfers, from many clients to
// many servers, deterministically (seeded). It returns the bytes written.
func WriteBenchCapture(w io.Writer, size int64, seed uint64) (int64, error) {
	cw := &countWriter{w: w}
	pw, err := NewPcapWriter(cw, LinkEthernet, true)
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &Gen{W: pw, Now: DemoStart, Step: 20 * time.Microsecond, MSS: 1448}
	cert := Cert("www.bench.example", []string{"www.bench.example", "bench.example"}, "Bench CA")
	flight := ServerFlight(cert)
	bulk := make([]byte, 1448*700) // ~1 MB per bulk transfer
	for i := range bulk {
		bulk[i] = byte(i * 7)
	}
	quic := append([]byte{0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0}, make([]byte, 1184)...)
	resolver := Addr("10.0.0.1")
	for i := 0; cw.n < size && g.Err == nil; i++ {
		client := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8 & 0x3f), byte(i)})
		server := netip.AddrFrom4([4]byte{198, 18, byte(rng.IntN(256)), byte(rng.IntN(256))})
		name := fmt.Sprintf("host%d.site%d.example", rng.IntN(1000), rng.IntN(5000))
		port := uint16(20000 + i%40000)
		g.DNS(client, resolver, port, uint16(i), name, nil, server)
		switch i % 10 {
		case 0, 1, 2, 3:
			g.TCP(client, server, port+1, 443, ClientHello(Hello{SNI: name, ALPN: []string{"h2"}, TLS13: true, GREASE: true}), flight)
		case 4:
			g.TCP(client, server, port+1, 80, HTTPRequest("GET", name, "/index.html?i="+fmt.Sprint(i), "bench/1.0"), []byte("HTTP/1.1 200 OK\r\n\r\n"))
		case 5:
			for k := 0; k < 4; k++ {
				g.UDP(client, server, port+1, 443, quic)
			}
		case 6: // DNS only
		default:
			n := 1448 * (20 + rng.IntN(300))
			g.TCP(client, server, port+1, 443, ClientHello(Hello{SNI: name}), bulk[:n])
		}
	}
	if g.Err != nil {
		return cw.n, g.Err
	}
	return cw.n, pw.Flush()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
