// Command netbench times spyscan's capture pass (internal/network/capture)
// alone on one file: no input hashing, no JSON output. bench/network.sh runs
// it beside the full `spyscan scan`, tshark and ndpiReader.
//
//	GOMAXPROCS=1 go run ./bench/netbench capture.pcap
//
// Built with -tags netbench_skipnew, the pass skips what issue 11's
// decoders claim (tunnelled packets, preambles and the TLS search, DNS by
// content on other ports, ClientHellos after the first, QUIC versions
// beyond v1, v2 and drafts; see internal/network/capture/skipnew_on.go):
// the two builds side by side give the decoders' cost on a capture.
//
//	go build -o /tmp/nb ./bench/netbench
//	go build -tags netbench_skipnew -o /tmp/nb-skip ./bench/netbench
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/spyscan/spyscan/internal/network/capture"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: netbench capture.pcap")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "netbench:", err)
		os.Exit(1)
	}
	defer f.Close()
	st, _ := f.Stat()
	if cp := os.Getenv("NETBENCH_CPUPROFILE"); cp != "" {
		if cf, err := os.Create(cp); err == nil {
			_ = pprof.StartCPUProfile(cf)
			defer func() { pprof.StopCPUProfile(); cf.Close() }()
		}
	}
	start := time.Now()
	res, err := capture.Analyze(context.Background(), f, st.Name(), capture.Options{})
	el := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netbench:", err)
	}
	if res == nil {
		os.Exit(1)
	}
	if hp := os.Getenv("NETBENCH_HEAPPROFILE"); hp != "" {
		runtime.GC()
		if hf, err := os.Create(hp); err == nil {
			_ = pprof.WriteHeapProfile(hf)
			hf.Close()
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("bytes=%d seconds=%.3f GBps=%.3f packets=%d flows=%d dns=%d tls=%d http=%d quic=%d heap_sys_MB=%d allocs=%d alloc_MB=%d gc=%d\n",
		st.Size(), el.Seconds(), float64(st.Size())/el.Seconds()/1e9, res.Summary.Reader.Packets, res.Summary.Flows,
		len(res.DNS), len(res.TLS), len(res.HTTP), len(res.QUIC), ms.HeapSys>>20, ms.Mallocs, ms.TotalAlloc>>20, ms.NumGC)
}
