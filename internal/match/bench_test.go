package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/model"
)

// benchData is a generated set of 1,000,000 indicator domains and a query
// mix of hosts and URLs: 1% hits (the domain or a subdomain of it) and 99%
// misses of similar shape.
var benchData = sync.OnceValues(func() (*Index, []string) {
	r := rand.New(rand.NewPCG(1, 2))
	tlds := []string{"com", "net", "org", "info", "xyz", "co.uk", "io"}
	label := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		return b.String()
	}
	src := []model.Provenance{{Source: "bench", Family: "Bench"}}
	inds := make([]Indicator, 0, 1_000_000)
	doms := make([]string, 0, 1_000_000)
	for len(inds) < 1_000_000 {
		d := label(6+r.IntN(10)) + "." + tlds[r.IntN(len(tlds))]
		doms = append(doms, d)
		inds = append(inds, Indicator{Type: Domain, Value: d, Sources: src})
	}
	ix, _ := NewIndex(inds)
	queries := make([]string, 4096)
	for i := range queries {
		if i%100 == 0 {
			queries[i] = "cdn." + doms[r.IntN(len(doms))]
		} else {
			queries[i] = fmt.Sprintf("%s.%s.%s", label(3), label(8+r.IntN(6)), tlds[r.IntN(len(tlds))])
		}
	}
	return ix, queries
})

func BenchmarkDomain1M(b *testing.B) {
	ix, qs := benchData()
	b.ReportAllocs()
	b.ResetTimer()
	defer perCPUSecond(b, "checks")()
	i := 0
	for b.Loop() {
		ix.Domain(qs[i&4095])
		i++
	}
}

// perCPUSecond reports the loop's CPU time per operation and operations per
// CPU-second (user + system of the whole process, GC included), which a
// loaded machine distorts much less than ns/op. Call it after the set-up,
// as defer perCPUSecond(b, "checks")().
func perCPUSecond(b *testing.B, unit string) func() {
	cpu0 := cputime.Process()
	return func() {
		if cpu := cputime.Process() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(b.N)/cpu.Seconds(), unit+"/cpu-s")
		}
	}
}

func BenchmarkURL1M(b *testing.B) {
	ix, qs := benchData()
	urls := make([]string, len(qs))
	for i, q := range qs {
		urls[i] = "https://" + q + "/path/to/resource?x=1"
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer perCPUSecond(b, "checks")()
	i := 0
	for b.Loop() {
		ix.URL(urls[i&4095])
		i++
	}
}

func BenchmarkBuild1M(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	inds := make([]Indicator, 1_000_000)
	for i := range inds {
		inds[i] = Indicator{Type: Domain, Value: fmt.Sprintf("d%x%d.com", r.Uint64(), i)}
	}
	b.ResetTimer()
	for b.Loop() {
		NewIndex(inds)
	}
}

func BenchmarkProcessPathHash(b *testing.B) {
	ix := func() *Index {
		var inds []Indicator
		for i := 0; i < 100_000; i++ {
			inds = append(inds,
				Indicator{Type: Process, Value: fmt.Sprintf("proc%dlongername", i)},
				Indicator{Type: FilePath, Value: fmt.Sprintf("/private/var/db/dir%d", i)},
				Indicator{Type: FileSHA256, Value: fmt.Sprintf("%064x", i)})
		}
		ix, _ := NewIndex(inds)
		return ix
	}()
	b.Run("process", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.Process("/usr/libexec/proc99999longer")
		}
	})
	b.Run("path", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.Path("/private/var/mobile/Library/Caches/com.apple.x/file.db")
		}
	})
	b.Run("hash", func(b *testing.B) {
		b.ReportAllocs()
		h := fmt.Sprintf("%064x", 123456789)
		for b.Loop() {
			ix.FileHash(h)
		}
	})
}

// BenchmarkPathFewIndicators: a files.json path looked up among a few
// file:path indicators (as in the public STIX bundles): most of its
// folders' prefixes have no indicator of their length.
func BenchmarkPathFewIndicators(b *testing.B) {
	var inds []Indicator
	for _, v := range []string{"/data/local/tmp/.x", "/private/var/db/com.apple.xpc.roleaccountd.staging", "/data/data/com.android.providers.telephony/x"} {
		inds = append(inds, Indicator{Type: FilePath, Value: v})
	}
	ix, _ := NewIndex(inds)
	b.ReportAllocs()
	for b.Loop() {
		ix.Path("/sdcard/Android/data/com.whatsapp/files/Media/WhatsApp Images/IMG-20240519-WA0001.jpg")
	}
}
