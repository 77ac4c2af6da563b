#!/usr/bin/env bash
# Side-by-side benchmark of spyscan's network capture pass against tshark and
# ndpiReader (both from Debian), on generated mixed captures (DNS, TLS, QUIC,
# HTTP, bulk TCP). Not run in CI: it needs root for apt-get, a few GB of disk
# and several minutes.
#
#   bench/network.sh                 # 1 GB: all tools; 4 GB: spyscan only
#   ALL_4G=1 bench/network.sh        # also run tshark and ndpiReader on 4 GB
#   RUNS=5 WORK=/data/nb bench/network.sh
#
# Prints, per tool and capture: median wall time of RUNS runs, GB/s, the
# ratio to spyscan's pass, and the peak RSS (from /usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${WORK:-/tmp/spyscan-netbench}
RUNS=${RUNS:-3}
ALL_4G=${ALL_4G:-0}
mkdir -p "$WORK"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need tshark || ! need ndpiReader || [ ! -x /usr/bin/time ]; then
	echo "installing tshark, libndpi-bin (ndpiReader) and time from Debian..." >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q tshark libndpi-bin time >/dev/null
fi

echo "building..." >&2
go build -o "$WORK/spyscan" ./cmd/spyscan
go build -o "$WORK/netbench" ./bench/netbench

for size in 1G 4G; do
	f="$WORK/mix-$size.pcap"
	if [ ! -s "$f" ]; then
		echo "generating $f..." >&2
		go run ./internal/testgen/netgen/cmd/gen-net-bench -size "$size" -seed 1 -o "$f" >&2
	fi
done

# run NAME FILE CMD...: RUNS runs; prints "median_wall_s max_rss_kb median_cpu_s"
run() {
	local name=$1 file=$2
	shift 2
	cat "$file" >/dev/null # page cache warm for every tool alike
	local times=() cpus=() rss=0
	for i in $(seq "$RUNS"); do
		/usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
			echo "$name failed, see $WORK/$name.err" >&2
			return 1
		}
		local wall kb cpu
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/time.txt")
		kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
		cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$WORK/time.txt")
		times+=("$wall")
		cpus+=("$cpu")
		[ "$kb" -gt "$rss" ] && rss=$kb
	done
	local med cmed
	med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	cmed=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$med $rss $cmed"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
printf '\n%-14s %-4s %9s %7s %8s %9s %8s %8s %8s\n' tool size wall_s GB/s vs_pass cpu_s GB/cpu_s vs_pass RSS_MB
for size in 1G 4G; do
	f="$WORK/mix-$size.pcap"
	bytes=$(stat -c %s "$f")
	declare -A res=()
	res[spyscan-pass]=$(run netbench "$f" env GOMAXPROCS=1 "$WORK/netbench" "$f")
	mkdir -p "$WORK/out"
	# a fresh result folder per run (spyscan refuses a non-empty one)
	res[spyscan-scan]=$(run spyscan "$f" env GOMAXPROCS=1 sh -c 'exec "$1" scan --no-cache-iocs -o "$(mktemp -u -p "$2")" "$3"' sh "$WORK/spyscan" "$WORK/out" "$f")
	# the same with a soft memory limit (see docs/perf/network.md)
	res[scan-memlimit]=$(run spyscan "$f" env GOMAXPROCS=1 GOMEMLIMIT=100MiB sh -c 'exec "$1" scan --no-cache-iocs -o "$(mktemp -u -p "$2")" "$3"' sh "$WORK/spyscan" "$WORK/out" "$f")
	rm -rf "$WORK/out"
	if [ "$size" = 1G ] || [ "$ALL_4G" = 1 ]; then
		res[tshark-fields]=$(run tshark "$f" tshark -n -r "$f" -T fields -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host)
		res[ndpiReader]=$(run ndpi "$f" ndpiReader -i "$f" -q -v 0)
	fi
	read -r base _ cbase <<<"${res[spyscan-pass]}"
	for tool in spyscan-pass spyscan-scan scan-memlimit tshark-fields ndpiReader; do
		[ -n "${res[$tool]:-}" ] || continue
		read -r med kb cpu <<<"${res[$tool]}"
		awk -v t="$tool" -v s="$size" -v m="$med" -v b="$bytes" -v base="$base" -v kb="$kb" -v c="$cpu" -v cb="$cbase" \
			'BEGIN {printf "%-14s %-4s %9.2f %7.2f %7.1fx %9.2f %8.2f %7.1fx %8.0f\n", t, s, m, b/m/1e9, m/base, c, b/c/1e9, c/cb, kb/1024}'
	done
	unset res
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall_s and cpu_s (user+sys) are medians of $RUNS runs; RSS is the largest of the runs."
echo "spyscan-pass: the capture pass alone (bench/netbench), one core (GOMAXPROCS=1)."
echo "spyscan-scan: full 'spyscan scan' with input hashing and JSON output, GOMAXPROCS=1."
echo "scan-memlimit: spyscan-scan with GOMEMLIMIT=100MiB (Go soft memory limit)."
echo "tshark-fields: tshark -T fields -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host"
echo "ndpiReader: ndpiReader -i FILE -q -v 0 (nDPI from Debian)"
