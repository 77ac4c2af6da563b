#!/usr/bin/env bash
# MVT and spyscan on one small input, by whole-process task-clock (perf
# stat), which is finer than GNU time's 10 ms steps for a 0.1 s scan: each
# round runs MVT once, then spyscan SPY_RUNS times (default 3); prints the
# medians and their ratio. MVT as for bench/mvt.sh (not a dependency):
#
#   MVT_IOS=/tmp/mvt/mvt-ios bench/mvt-taskclock.sh ROUNDS …/ios_backup ios
#   MVT_ANDROID=/tmp/mvt/mvt-android bench/mvt-taskclock.sh ROUNDS …/androidqf android
set -euo pipefail
rounds=$1 input=$2 kind=$3 spyruns=${SPY_RUNS:-3}
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "bench/mvt-taskclock.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
case $kind in
ios) mvt=(${MVT_IOS:?set MVT_IOS, see bench/mvt.sh} check-backup) ;;
android) mvt=(${MVT_ANDROID:?set MVT_ANDROID, see bench/mvt.sh} check-androidqf) ;;
*) echo "bench/mvt-taskclock.sh: kind is ios or android" >&2; exit 2 ;;
esac
work=bench/work
mkdir -p "$work"
CGO_ENABLED=0 go build -o "$work/spyscan" ./cmd/spyscan
iocs=()
while IFS= read -r f; do iocs+=(-i "$f"); done < <(find internal/indicators/snapshot -name '*.stix2' | sort)
: >"$work/tc-mvt.txt"
: >"$work/tc-spy.txt"
clock() { perf stat -x, -e task-clock -o "$work/stat" "$@" >/dev/null 2>&1 || true; grep task-clock "$work/stat" | cut -d, -f1; }
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
for r in $(seq "$rounds"); do
	rm -rf "$work/out-mvt" && mkdir -p "$work/out-mvt"
	MVT_NETWORK_ACCESS_ALLOWED=false clock "${mvt[@]}" "${iocs[@]}" -o "$work/out-mvt" "$input" >>"$work/tc-mvt.txt"
	for s in $(seq "$spyruns"); do
		rm -rf "$work/out-spy"
		clock "$work/spyscan" scan --quiet --fail-level critical -o "$work/out-spy" "$input" >>"$work/tc-spy.txt"
	done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
med() { sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
m=$(med <"$work/tc-mvt.txt") s=$(med <"$work/tc-spy.txt")
printf 'MVT %s ms (median of %d), spyscan %s ms (median of %d): %s\n' "$m" "$(wc -l <"$work/tc-mvt.txt")" "$s" "$(wc -l <"$work/tc-spy.txt")" \
	"$(awk -v a="$m" -v b="$s" 'BEGIN { printf "%.1fx", a / b }')"
rm -rf "$work/out-mvt" "$work/out-spy"
