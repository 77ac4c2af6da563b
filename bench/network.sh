#!/usr/bin/env bash
# Side-by-side benchmark of spyscan's network capture pass against tshark and
# ndpiReader (both from Debian), on generated mixed captures (DNS, TLS, QUIC,
# HTTP, bulk TCP) and on a mix of real captures (the Ethernet captures of the
# differential suite, internal/network/corpus/testdata/captures, merged and
# repeated with their times shifted a day per copy). Not run in CI: it needs
# root for apt-get, a few GB of disk and several minutes.
#
#   bench/network.sh                 # 1 GB: all tools; 4 GB: spyscan only
#   ALL_4G=1 bench/network.sh        # also run tshark and ndpiReader on 4 GB
#   BASE=9fae916 bench/network.sh    # also the pass as built at commit BASE
#   MIXES=mix bench/network.sh       # the generated mix only (or MIXES=real)
#   SIZES=1G bench/network.sh        # 1 GB only
#   TSHARK=0 bench/network.sh        # without the (slow) tshark rows
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
BASE=${BASE:-}
if [ -n "$BASE" ]; then
	rm -rf "$WORK/base" && mkdir -p "$WORK/base"
	git archive "$BASE" | tar -x -C "$WORK/base"
	(cd "$WORK/base" && go build -o "$WORK/netbench-base" ./bench/netbench)
fi
MIXES=${MIXES:-mix real}
SIZES=${SIZES:-1G 4G}

# realmix OUT BYTES: the suite's Ethernet pcap files (pcapng files, damaged
# ones and other link types left out: ndpiReader reads one link type)
# merged into one pcap, then copies of it, each a day later, until BYTES
realmix() {
	local out=$1 target=$2 tmp
	tmp=$(mktemp -d)
	find internal/network/corpus/testdata/captures -type f -name '*.pcap' | sort |
		while read -r c; do
			if capinfos -E "$c" 2>/dev/null | grep -qi 'encapsulation: *Ethernet$'; then echo "$c"; fi
		done >"$tmp/list"
	mergecap -a -F pcap -w "$tmp/one.pcap" $(cat "$tmp/list")
	local one n
	one=$(stat -c %s "$tmp/one.pcap")
	n=$(((target + one - 1) / one))
	# each copy appended in turn (its 24-byte file header dropped), so that
	# the disk holds only the output: the same bytes as merging all copies
	for i in $(seq 0 $((n - 1))); do
		editcap -F pcap -t $((i * 86400)) "$tmp/one.pcap" "$tmp/p.pcap"
		if [ "$i" = 0 ]; then cat "$tmp/p.pcap" >"$out"; else tail -c +25 "$tmp/p.pcap" >>"$out"; fi
	done
	rm -rf "$tmp"
}

for size in $SIZES; do
	for mix in $MIXES; do
		f="$WORK/$mix-$size.pcap"
		[ -s "$f" ] && continue
		echo "generating $f..." >&2
		if [ "$mix" = mix ]; then
			go run ./internal/testgen/netgen/cmd/gen-net-bench -size "$size" -seed 1 -o "$f" >&2
		else
			realmix "$f" $(($(numfmt --from=iec "$size")))
		fi
	done
done

# run NAME FILE CMD...: RUNS runs; prints "median_wall_s max_rss_kb median_cpu_s"
run() {
	local name=$1 file=$2
	shift 2
	cat "$file" >/dev/null # page cache warm for every tool alike
	local times=() cpus=() rss=0
	for i in $(seq "$RUNS"); do
		local rc=0
		/usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
		# spyscan's exit 1 (traces found) and 3 (completed, inconclusive:
		# real captures hold undecodable packets) are finished runs
		case "$name:$rc" in
		*:0 | spyscan:1 | spyscan:3) ;;
		*)
			echo "$name failed (exit $rc), see $WORK/$name.err" >&2
			return 1
			;;
		esac
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
for size in $SIZES; do
for mix in $MIXES; do
	f="$WORK/$mix-$size.pcap"
	bytes=$(stat -c %s "$f")
	echo "== $mix-$size ($bytes bytes)"
	declare -A res=()
	res[spyscan-pass]=$(run netbench "$f" env GOMAXPROCS=1 "$WORK/netbench" "$f")
	if [ -n "$BASE" ]; then
		res[pass-$BASE]=$(run netbench "$f" env GOMAXPROCS=1 "$WORK/netbench-base" "$f")
	fi
	mkdir -p "$WORK/out"
	# a fresh result folder per run (spyscan refuses a non-empty one)
	res[spyscan-scan]=$(run spyscan "$f" env GOMAXPROCS=1 sh -c 'exec "$1" scan --no-cache-iocs -o "$(mktemp -u -p "$2")" "$3"' sh "$WORK/spyscan" "$WORK/out" "$f")
	# the same with a soft memory limit (see docs/perf/network.md)
	res[scan-memlimit]=$(run spyscan "$f" env GOMAXPROCS=1 GOMEMLIMIT=100MiB sh -c 'exec "$1" scan --no-cache-iocs -o "$(mktemp -u -p "$2")" "$3"' sh "$WORK/spyscan" "$WORK/out" "$f")
	rm -rf "$WORK/out"
	if [ "$size" = 1G ] || [ "$ALL_4G" = 1 ]; then
		[ "${TSHARK:-1}" = 0 ] || res[tshark-fields]=$(run tshark "$f" tshark -n -r "$f" -T fields -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host)
		res[ndpiReader]=$(run ndpi "$f" ndpiReader -i "$f" -q -v 0)
	fi
	read -r base _ cbase <<<"${res[spyscan-pass]}"
	for tool in spyscan-pass "pass-$BASE" spyscan-scan scan-memlimit tshark-fields ndpiReader; do
		[ -n "${res[$tool]:-}" ] || continue
		read -r med kb cpu <<<"${res[$tool]}"
		awk -v t="$tool" -v s="$size" -v m="$med" -v b="$bytes" -v base="$base" -v kb="$kb" -v c="$cpu" -v cb="$cbase" \
			'BEGIN {printf "%-14s %-4s %9.2f %7.2f %7.1fx %9.2f %8.2f %7.1fx %8.0f\n", t, s, m, b/m/1e9, m/base, c, b/c/1e9, c/cb, kb/1024}'
	done
	unset res
done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall_s and cpu_s (user+sys) are medians of $RUNS runs; RSS is the largest of the runs."
echo "spyscan-pass: the capture pass alone (bench/netbench), one core (GOMAXPROCS=1)."
[ -z "$BASE" ] || echo "pass-$BASE: the same pass as built at commit $BASE."
echo "spyscan-scan: full 'spyscan scan' with input hashing and JSON output, GOMAXPROCS=1."
echo "scan-memlimit: spyscan-scan with GOMEMLIMIT=100MiB (Go soft memory limit)."
echo "tshark-fields: tshark -T fields -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host"
echo "ndpiReader: ndpiReader -i FILE -q -v 0 (nDPI from Debian)"
