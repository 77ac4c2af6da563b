#!/usr/bin/env bash
# Times `spyscan scan` on a generated Zeek dns.log (retro-hunting speed).
#
#   bench/logs.sh                  # 10 M lines, 50,000 distinct names, 5 runs
#   LINES=1000000 RUNS=3 bench/logs.sh
#   ZIPF=1 bench/logs.sh           # names drawn from a Zipf law, as real DNS
#
# Prints, per run and as medians: wall time, CPU time (user + system, all
# threads) and lines per second of each. The scan includes everything the
# CLI does: detecting the input, SHA-256 of the input file, the zeek_logs
# module, indicator checks, and writing the result folder. A scan exits 1
# when it finds something: the generated log has planted indicator hits.
set -euo pipefail

LINES=${LINES:-10000000}
DISTINCT=${DISTINCT:-50000}
RUNS=${RUNS:-5}
ZIPF=${ZIPF:-}
WORK=${WORK:-$(mktemp -d)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

cleanup() { [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"; }
trap cleanup EXIT

cd "$ROOT"
echo "# building spyscan"
go build -o "$WORK/spyscan" ./cmd/spyscan
echo "# generating $LINES lines ($DISTINCT distinct names${ZIPF:+, Zipf-distributed}) in $WORK/dns.log"
go run ./internal/testgen/netlog/cmd/gen-log-bench -lines "$LINES" -distinct "$DISTINCT" ${ZIPF:+-zipf} -o "$WORK/dns.log"
ls -l "$WORK/dns.log" | awk '{printf "# %s bytes\n", $5}'
echo "# machine: $(nproc) CPUs, $(uname -sm), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
echo "# command: spyscan scan -o OUT dns.log"

walls=() cpus=()
for i in $(seq "$RUNS"); do
	out="$WORK/out$i"
	rm -rf "$out"
	start=$(date +%s.%N)
	set +e
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f "%U %S %M" -o "$WORK/time$i" "$WORK/spyscan" scan -o "$out" "$WORK/dns.log" >/dev/null 2>"$WORK/err$i"
	else
		( TIMEFORMAT="%U %S 0"; time "$WORK/spyscan" scan -o "$out" "$WORK/dns.log" >/dev/null 2>"$WORK/err$i" ) 2>"$WORK/time$i"
	fi
	rc=$?
	set -e
	end=$(date +%s.%N)
	if [[ $rc -gt 1 ]]; then
		echo "run $i: spyscan failed (exit $rc):" >&2
		cat "$WORK/err$i" >&2
		exit 1
	fi
	# GNU time prefixes "Command exited with non-zero status 1" when alerts were found.
	read -r user sys rss < <(tail -n 1 "$WORK/time$i")
	wall=$(echo "$end - $start" | bc -l)
	cpu=$(echo "$user + $sys" | bc -l)
	walls+=("$wall") cpus+=("$cpu")
	printf "run %d: wall %.2f s, cpu %.2f s (user %.2f, sys %.2f), max RSS %d MB, %.0f lines/s wall, %.0f lines/cpu-s\n" \
		"$i" "$wall" "$cpu" "$user" "$sys" "$((rss / 1024))" "$(echo "$LINES / $wall" | bc -l)" "$(echo "$LINES / $cpu" | bc -l)"
done

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mw=$(median "${walls[@]}")
mc=$(median "${cpus[@]}")
printf "median of %d runs: wall %.2f s (%.0f lines/s), cpu %.2f s (%.0f lines per CPU-second)\n" \
	"$RUNS" "$mw" "$(echo "$LINES / $mw" | bc -l)" "$mc" "$(echo "$LINES / $mc" | bc -l)"
