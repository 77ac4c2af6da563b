package netlog

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// WriteBenchDNS writes a Zeek TSV dns.log of n lines quickly, with
// `distinct` different query names, a few planted indicator hits
// (sub-domains of free247downloads.com) and realistic line lengths
// (about 200 bytes). Names are drawn uniformly (the worst case for caches)
// or, with zipf set, from a Zipf distribution (s = 1.1), closer to real
// DNS traffic where a few names make most queries. It is meant for
// benchmarks, not for tests of content.
func WriteBenchDNS(w io.Writer, n, distinct int, zipf bool) error {
	var z *rand.Zipf
	if zipf {
		z = rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, uint64(distinct-1))
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n#open\t2026-11-20-00-00-00\n")
	bw.WriteString("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n")
	bw.WriteString("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n")
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).Unix()
	var line []byte
	var x uint64 = 0x9e3779b97f4a7c15
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		d := int(x % uint64(distinct))
		if z != nil {
			d = int(z.Uint64())
		}
		line = line[:0]
		line = strconv.AppendInt(line, start+int64(i/100), 10)
		line = append(line, '.')
		line = appendPad(line, int64(i%100)*10000, 6)
		line = append(line, "\tC"...)
		line = strconv.AppendUint(line, x>>20, 36)
		line = append(line, "\t192.168.1."...)
		line = strconv.AppendInt(line, int64(2+d%200), 10)
		line = append(line, '\t')
		line = strconv.AppendInt(line, int64(1024+i%60000), 10)
		line = append(line, "\t192.168.1.1\t53\tudp\t"...)
		line = strconv.AppendInt(line, int64(i%65536), 10)
		line = append(line, "\t0.011824\t"...)
		if i%1_000_000 == 500_000 {
			line = append(line, "x"...)
			line = strconv.AppendInt(line, int64(i), 36)
			line = append(line, ".free247downloads.com"...)
		} else {
			line = append(line, "api"...)
			line = strconv.AppendInt(line, int64(d), 10)
			line = append(line, ".service"...)
			line = strconv.AppendInt(line, int64(d%977), 10)
			line = append(line, ".example.com"...)
		}
		line = append(line, "\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t"...)
		line = append(line, "203.0."...)
		line = strconv.AppendInt(line, int64(d%250), 10)
		line = append(line, '.')
		line = strconv.AppendInt(line, int64(d/250%250), 10)
		line = append(line, "\t300.000000\tF\n"...)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	bw.WriteString("#close\t2026-11-21-00-00-00\n")
	return bw.Flush()
}

func appendPad(b []byte, v int64, width int) []byte {
	s := strconv.FormatInt(v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
