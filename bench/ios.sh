#!/usr/bin/env bash
# End-to-end iOS benchmark (issue 3, "Performance"): wall time, CPU time and
# peak RSS of `spyscan scan` on a generated backup of 100,000 files and
# 1,000,000 database rows (SMS, Safari, DataUsage, WebKit), checked against
# all embedded indicators, next to the time to merely read the same files;
# the same for the encrypted backup of the same content; then the Go
# decryption benchmarks of internal/ios/backup. Figures go to
# docs/perf/ios-e2e.md. Not run in CI.
#
#   bench/ios.sh [RUNS]        (default 3; data in bench/work/, git-ignored)
#
# The page cache is warm for every measured command: each backup is read
# once (untimed) before the runs, and nothing is dropped between runs.
set -euo pipefail
runs=${1:-3}
cd "$(dirname "$0")/.."
work=bench/work
password=bench-password
mkdir -p "$work"
[ -x /usr/bin/time ] || { echo "bench/ios.sh: needs GNU time (apt-get install time)" >&2; exit 2; }

echo "# $(go version) on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
CGO_ENABLED=0 go build -o "$work/spyscan" ./cmd/spyscan
if [ ! -f "$work/ios-backup/Manifest.db" ]; then
  rm -rf "$work/ios-backup"
  go run ./internal/testgen/iosgen/cmd/gen-ios-bench -out "$work/ios-backup"
fi
if [ ! -f "$work/ios-backup-encrypted/Manifest.db" ]; then
  rm -rf "$work/ios-backup-encrypted"
  go run ./internal/testgen/iosgen/cmd/gen-ios-bench -out "$work/ios-backup-encrypted" -encrypted -password "$password"
fi
for d in ios-backup ios-backup-encrypted; do
  echo "# $d: $(find "$work/$d" -type f | wc -l) files, $(du -sb "$work/$d" | cut -f1) bytes"
  find "$work/$d" -type f -exec cat {} + >/dev/null # warm-up read: the page cache is warm from here on
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# measure NAME CMD...: runs CMD under GNU time, appends "wall cpu rss_kb" to $work/NAME.txt.
measure() {
  local name=$1; shift
  local rc=0
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || rc=$?
  if [ "$rc" -gt 1 ]; then echo "bench/ios.sh: $name failed ($rc):" >&2; cat "$work/stderr.txt" >&2; exit 1; fi
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { cpu += $2 } /System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$work/time.txt" >>"$work/$name.txt"
}
scan() { # scan NAME IN OUT: the output folder is removed before, untimed
  rm -rf "$3"
  measure "$1" "$work/spyscan" scan --quiet --fail-level critical -o "$3" "$2"
}

rm -f "$work"/{scan-plain,read-plain,scan-encrypted,read-encrypted}.txt
for i in $(seq "$runs"); do
  measure read-plain sh -c "find '$work/ios-backup' -type f -exec cat {} + >/dev/null"
  scan scan-plain "$work/ios-backup" "$work/out-plain"
  measure read-encrypted sh -c "find '$work/ios-backup-encrypted' -type f -exec cat {} + >/dev/null"
  SPYSCAN_BACKUP_PASSWORD=$password scan scan-encrypted "$work/ios-backup-encrypted" "$work/out-encrypted"
  echo "# run $i done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

printf '%-16s %5s %12s %12s %12s   %s\n' what runs wall_med_s cpu_med_s rss_med_MB "all walls"
for n in read-plain scan-plain read-encrypted scan-encrypted; do
  w=$(cut -d' ' -f1 "$work/$n.txt" | median); c=$(cut -d' ' -f2 "$work/$n.txt" | median)
  r=$(cut -d' ' -f3 "$work/$n.txt" | median)
  printf '%-16s %5d %12s %12s %12d   %s\n' "$n" "$runs" "$w" "$c" "$((${r%.*} / 1024))" "$(cut -d' ' -f1 "$work/$n.txt" | xargs)"
  eval "wall_${n//-/_}=$w"
done
awk -v s="$wall_scan_plain" -v r="$wall_read_plain" 'BEGIN { printf "ratio scan/read (plain, wall medians): %.1fx (aim <= 1.5x)\n", s/r }'
awk -v s="$wall_scan_encrypted" -v r="$wall_read_plain" 'BEGIN { printf "ratio scan-encrypted/read-plain (wall medians): %.1fx\n", s/r }'
bytes=$(du -sb "$work/ios-backup-encrypted" | cut -f1)
awk -v b="$bytes" -v s="$wall_scan_encrypted" 'BEGIN { printf "encrypted scan: %.1f MB of backup in %.2f s = %.1f MB/s end to end\n", b/1e6, s, b/1e6/s }'
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$work/out-plain" "$work/out-encrypted"

echo "# decryption (Go benchmarks, internal/ios/backup)"
# (gobench.sh tees the raw runs to stderr: keep them in a file of their own)
bench/gobench.sh "$runs" 'CBCReader|DecryptBackup' ./internal/ios/backup 2>"$work/gobench-raw.txt"
