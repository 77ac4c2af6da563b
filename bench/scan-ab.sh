#!/usr/bin/env bash
# Interleaved side-by-side of the full `spyscan scan` of one input as built
# at two commits: A, B, A, B... on one core (GOMAXPROCS=1), so that both
# see the same machine load. Prints each run and the medians of CPU seconds
# (user + sys) and peak RSS (from /usr/bin/time).
#
#   bench/scan-ab.sh BASE_COMMIT INPUT [RUNS]     # BASE against the work tree
#   NDPI=1 bench/scan-ab.sh ...                   # ndpiReader (one thread) in each round too
#   e.g. NDPI=1 bench/scan-ab.sh 21e8fc7 /tmp/spyscan-netbench/mix-1G.pcap 5
# (captures: see bench/network.sh, which generates them under /tmp/spyscan-netbench)
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1 input=$2 runs=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base"
git archive "$base" | tar -x -C "$work/base"
(cd "$work/base" && go build -o "$work/A" ./cmd/spyscan)
go build -o "$work/B" ./cmd/spyscan
if [ -d "$input" ]; then # page cache warm for both alike
	find "$input" -type f -exec cat {} + >/dev/null
else
	cat "$input" >/dev/null
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for i in $(seq "$runs"); do
	for v in A B; do
		rm -rf "$work/out"
		rc=0
		GOMAXPROCS=1 /usr/bin/time -f "$v %U %S %e %M" -a -o "$work/times" \
			"$work/$v" scan --quiet --no-cache-iocs -o "$work/out" "$input" >/dev/null 2>&1 || rc=$?
		case $rc in 0 | 1 | 3) ;; *) echo "$v failed (exit $rc)" >&2; exit 1 ;; esac
		tail -1 "$work/times"
	done
	if [ "${NDPI:-0}" = 1 ]; then
		/usr/bin/time -f "ndpiReader %U %S %e %M" -a -o "$work/times" ndpiReader -i "$input" -q -v 0 >/dev/null 2>&1
		tail -1 "$work/times"
	fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for v in A B ndpiReader; do
	grep -q "^$v " "$work/times" || continue
	label=$(case $v in A) echo "$base" ;; B) echo "work tree" ;; *) echo "nDPI" ;; esac)
	cpu=$(awk -v v="$v" '$1 == v {print $2 + $3}' "$work/times" | sort -g)
	rss=$(awk -v v="$v" '$1 == v {print $5}' "$work/times" | sort -g)
	med() { awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
	printf '%s (%s): median CPU %s s (runs: %s), median peak RSS %d MB\n' "$v" "$label" \
		"$(med <<<"$cpu")" "$(echo $cpu)" $(($(med <<<"$rss") / 1024))
done
