#!/usr/bin/env bash
# spyscan next to MVT on the same inputs (issue 12's table): MVT's sample iOS
# backup (when given), the generated 100,000-file / 1,000,000-row iOS backup
# and the generated androidqf acquisition with 5,000 packages and 500,000
# files entries. Runs are interleaved (MVT, spyscan, MVT, spyscan...) so
# that both see the same machine load; CPU seconds (user + sys), wall
# seconds and peak RSS are the medians of the runs. Both get the same STIX
# bundles (the embedded snapshot's; MVT does not read Echap's YAML lists).
#
#   bench/mvt.sh [RUNS] [SAMPLE_BACKUP]     (default 3 runs; data in bench/work/)
#
# MVT is not a dependency and is not installed by anything here. Without
# PyPI, it runs from a source snapshot (MVT_SRC, a checkout of
# github.com/mvt-project/mvt) with its pure-Python dependencies from Debian
# and four from their own source snapshots; see docs/PERFORMANCE.md,
# "MVT side by side". Set MVT_IOS and MVT_ANDROID to the two commands
# (e.g. wrappers running `python3 -m` with PYTHONPATH set); without them
# only spyscan runs. SKIP_BIG=1 leaves out the two generated inputs;
# IOS_BIG and AQF_BIG name other generated inputs (e.g. the 2x and 4x ones
# of docs/PERFORMANCE.md). MVT_CPU_LIMIT (CPU seconds, default 1200) bounds
# each MVT run (ulimit -t): a run stopped there is reported as "> N"
# (did not finish), and its ratio as a lower bound.
set -euo pipefail
runs=${1:-3}
sample=${2:-}
cd "$(dirname "$0")/.."
work=bench/work
mkdir -p "$work"
[ -x /usr/bin/time ] || { echo "bench/mvt.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
CGO_ENABLED=0 go build -o "$work/spyscan" ./cmd/spyscan
iocs=()
while IFS= read -r f; do iocs+=(-i "$f"); done < <(find internal/indicators/snapshot -name '*.stix2' | sort)

inputs=()
[ -n "$sample" ] && inputs+=("ios:$sample")
if [ -z "${SKIP_BIG:-}" ]; then
  ios_big=${IOS_BIG:-$work/ios-backup}
  aqf_big=${AQF_BIG:-$work/android/androidqf-large}
  if [ ! -f "$ios_big/Manifest.db" ]; then
    rm -rf "$ios_big"
    go run ./internal/testgen/iosgen/cmd/gen-ios-bench -out "$ios_big"
  fi
  if [ ! -d "$aqf_big" ]; then
    go run ./internal/testgen/androidgen/cmd/gen-android-bench -out "$(dirname "$aqf_big")" -size 1000000
  fi
  inputs+=("ios:$ios_big" "android:$aqf_big")
fi
cpu_limit=${MVT_CPU_LIMIT:-1200}

echo "# $(go version) on $(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# measure FILE CMD...: appends "cpu wall rss_kb" of CMD to FILE (exit 0, 1, or
# spyscan's 3 for a completed but inconclusive scan, is success).
measure() {
  local file=$1; shift
  local rc=0
  /usr/bin/time -f '%U %S %e %M' -o "$work/time.txt" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" || rc=$?
  if [ "$rc" -eq 2 ] || [ "$rc" -gt 3 ]; then echo "bench/mvt.sh: $* failed ($rc):" >&2; tail -5 "$work/stderr.txt" >&2; return 1; fi
  # GNU time writes "Command exited with non-zero status N" first when the
  # exit code is not 0 (spyscan's 1 when it finds traces): not a figure.
  grep -v '^Command' "$work/time.txt" | awk '{ printf "%.2f %.2f %d\n", $1 + $2, $3, $4 }' >>"$file"
}
# measure_mvt FILE CMD...: measure under the CPU bound; a run the bound
# stopped appends "> cpu wall rss_kb" (SIGXCPU or SIGKILL from ulimit -t).
measure_mvt() {
  local file=$1; shift
  local rc=0
  ( ulimit -t "$cpu_limit"; exec /usr/bin/time -f '%U %S %e %M' -o "$work/time.txt" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" ) || rc=$?
  if grep -q 'Command terminated by signal' "$work/time.txt"; then
    grep -v '^Command' "$work/time.txt" | awk '{ printf "> %.2f %.2f %d\n", $1 + $2, $3, $4 }' >>"$file"
    return 0
  fi
  if [ "$rc" -eq 2 ] || [ "$rc" -gt 3 ]; then echo "bench/mvt.sh: $* failed ($rc):" >&2; tail -5 "$work/stderr.txt" >&2; return 1; fi
  grep -v '^Command' "$work/time.txt" | awk '{ printf "%.2f %.2f %d\n", $1 + $2, $3, $4 }' >>"$file"
}

printf '| input | MVT CPU s | MVT wall s | MVT RSS MB | spyscan CPU s | spyscan wall s | spyscan RSS MB | CPU ratio | wall ratio |\n|---|---|---|---|---|---|---|---|---|\n'
for spec in "${inputs[@]}"; do
  kind=${spec%%:*}; in=${spec#*:}; name=$(basename "$in")
  rm -f "$work/mvt-$name.txt" "$work/spy-$name.txt"
  for i in $(seq "$runs"); do
    if [ -n "${MVT_IOS:-}" ]; then
      rm -rf "$work/out-mvt"; mkdir -p "$work/out-mvt"
      if [ "$kind" = ios ]; then
        MVT_NETWORK_ACCESS_ALLOWED=false measure_mvt "$work/mvt-$name.txt" $MVT_IOS check-backup "${iocs[@]}" -o "$work/out-mvt" "$in" || true
      else
        MVT_NETWORK_ACCESS_ALLOWED=false measure_mvt "$work/mvt-$name.txt" $MVT_ANDROID check-androidqf "${iocs[@]}" -o "$work/out-mvt" "$in" || true
      fi
    fi
    rm -rf "$work/out-spy"
    measure "$work/spy-$name.txt" "$work/spyscan" scan --quiet --fail-level critical -o "$work/out-spy" "$in"
  done
  col() { [ -s "$1" ] && grep -v '^>' "$1" | cut -d' ' -f"$2" | median || echo -; }
  mc=$(col "$work/mvt-$name.txt" 1); mw=$(col "$work/mvt-$name.txt" 2); mr=$(col "$work/mvt-$name.txt" 3)
  if [ -s "$work/mvt-$name.txt" ] && ! grep -qv '^>' "$work/mvt-$name.txt"; then
    # every MVT run was stopped by the bound: report the bound, ratios as lower bounds
    mc="> $(cut -d' ' -f2 "$work/mvt-$name.txt" | median)"; mw="> $(cut -d' ' -f3 "$work/mvt-$name.txt" | median)"; mr=$(cut -d' ' -f4 "$work/mvt-$name.txt" | median)
  fi
  sc=$(col "$work/spy-$name.txt" 1); sw=$(col "$work/spy-$name.txt" 2); sr=$(col "$work/spy-$name.txt" 3)
  ratio() { case $1 in -) echo - ;; ">"*) awk -v a="${1#> }" -v b="$2" 'BEGIN { printf "> %.1fx", a / b }' ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }' ;; esac; }
  mb() { [ "$1" = - ] && echo - || echo $(( ${1%.*} / 1024 )); }
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$mc" "$mw" "$(mb "$mr")" "$sc" "$sw" "$(mb "$sr")" "$(ratio "$mc" "$sc")" "$(ratio "$mw" "$sw")"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$work/out-mvt" "$work/out-spy"
