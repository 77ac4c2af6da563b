// Command medians reads `go test -bench` output on stdin and prints, for each
// benchmark, the median of every metric over the repeated runs (-count).
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	vals := map[string]map[string][]float64{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if vals[f[0]] == nil {
			vals[f[0]] = map[string][]float64{}
			order = append(order, f[0])
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				vals[f[0]][f[i+1]] = append(vals[f[0]][f[i+1]], v)
			}
		}
	}
	for _, name := range order {
		var parts []string
		n := 0
		units := make([]string, 0, len(vals[name]))
		for u := range vals[name] {
			units = append(units, u)
		}
		sort.Strings(units)
		for _, u := range units {
			v := vals[name][u]
			sort.Float64s(v)
			n = len(v)
			med := v[n/2]
			if n%2 == 0 {
				med = (v[n/2-1] + v[n/2]) / 2
			}
			parts = append(parts, fmt.Sprintf("%.4g %s", med, u))
		}
		fmt.Printf("%-50s %s (median of %d)\n", name, strings.Join(parts, ", "), n)
	}
}
