#!/usr/bin/env bash
# Android acquisition benchmark: wall time and peak RSS of `spyscan scan` on
# a generated 200 MB bugreport zip (streamed) and an androidqf folder with
# 5,000 packages and 500,000 files.json entries. Figures go to
# docs/perf/android-acquisition.md.
#
#   bench/android.sh [RUNS] [DATA_DIR]      (SPYSCAN_BIN=path uses a prebuilt binary)
set -euo pipefail
runs=${1:-3}
data=${2:-${TMPDIR:-/tmp}/spyscan-android-bench}
cd "$(dirname "$0")/.."
mkdir -p "$data"
if [ -n "${SPYSCAN_BIN:-}" ]; then cp "$SPYSCAN_BIN" "$data/spyscan"; else go build -o "$data/spyscan" ./cmd/spyscan; fi
if [ ! -f "$data/bugreport-200mb.zip" ] || [ ! -d "$data/androidqf-large" ]; then
  go run ./internal/testgen/androidgen/cmd/gen-android-bench -out "$data" -size 200000000 -packages 5000 -files 500000
fi
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for input in bugreport-200mb.zip androidqf-large; do
  walls=(); rss=()
  for i in $(seq "$runs"); do
    out="$data/out-$input-$i"; rm -rf "$out"
    /usr/bin/time -v "$data/spyscan" scan "$data/$input" -o "$out" --fail-level critical >/dev/null 2>"$data/time.txt" || true
    w=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$data/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$data/time.txt")
    walls+=("$w"); rss+=("$r")
    rm -rf "$out"
  done
  mw=$(printf '%s\n' "${walls[@]}" | median)
  mr=$(printf '%s\n' "${rss[@]}" | median)
  printf '%-22s runs=%d wall_median_s=%s peak_rss_median_MB=%d (walls: %s)\n' "$input" "$runs" "$mw" "$((mr/1024))" "${walls[*]}"
done
# Container-level read: open the 200 MB bugreport zip with the opener and
# stream every entry (inflating all 200 MB), whatever modules are registered.
go test -c -o "$data/acquire.test" ./internal/android/acquire/
for i in $(seq "$runs"); do
  SPYSCAN_BENCH_INPUT="$data/bugreport-200mb.zip" /usr/bin/time -v "$data/acquire.test" -test.run XXX -test.bench External -test.benchtime 1x 2>"$data/time.txt" | awk '/BenchmarkExternal/ {print "container-read", $3, $4, $5, $6}'
  awk -F': ' '/Maximum resident set size/ {printf "container-read peak_rss_MB=%d\n", $2/1024}' "$data/time.txt"
done
