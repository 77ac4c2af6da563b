// Command tunnelcount decodes a capture with internal/network/dissect alone
// and counts its packets per tunnel path (outermost first) and per
// transport, to say how much of a capture issue 11's tunnel decoders claim
// (docs/perf/network.md, "Issue 11, eighth session"):
//
//	go run ./bench/tunnelcount capture.pcap
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// counts are the packets of a capture by what decoding found.
type counts struct {
	packets, failed, tcp, udp, other uint64
	tunnelled, tunnelledBytes        uint64
	paths                            map[string]uint64
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tunnelcount capture.pcap")
		os.Exit(2)
	}
	c, err := count(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tunnelcount:", err)
		os.Exit(1)
	}
	fmt.Printf("packets=%d decode_failed=%d tcp=%d udp=%d other=%d tunnelled=%d tunnelled_bytes=%d\n",
		c.packets, c.failed, c.tcp, c.udp, c.other, c.tunnelled, c.tunnelledBytes)
	paths := make([]string, 0, len(c.paths))
	for p := range c.paths {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return c.paths[paths[i]] > c.paths[paths[j]] })
	for _, p := range paths {
		fmt.Printf("%10d %s\n", c.paths[p], p)
	}
}

// count decodes every packet of the capture at path.
func count(path string) (*counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := pcapfile.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer rd.Close()
	c := &counts{paths: map[string]uint64{}}
	dec := dissect.NewDecoder()
	var p dissect.Packet
	var pkt pcapfile.Packet
	for {
		if err := rd.Next(&pkt); err != nil {
			if errors.Is(err, io.EOF) {
				return c, nil
			}
			return c, fmt.Errorf("%s: %w", path, err)
		}
		c.packets++
		if err := dec.Decode(pkt.LinkType, pkt.Data, pkt.Time, &p); err != nil {
			c.failed++
			continue
		}
		c.add(&p, len(pkt.Data))
	}
}

// add counts one decoded packet of n bytes.
func (c *counts) add(p *dissect.Packet, n int) {
	switch p.Proto {
	case dissect.ProtoTCP:
		c.tcp++
	case dissect.ProtoUDP:
		c.udp++
	default:
		c.other++
	}
	if p.NTunnels == 0 {
		return
	}
	c.tunnelled++
	c.tunnelledBytes += uint64(n)
	kinds := make([]string, 0, p.NTunnels)
	for _, t := range p.TunnelPath() {
		kinds = append(kinds, t.Kind.String())
	}
	c.paths[strings.Join(kinds, "/")]++
}
