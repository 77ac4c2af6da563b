#!/usr/bin/env bash
# Scans each large hostile input (internal/testgen/hostile Big(): plists
# nested 100 MB deep, a 4 GiB dump of zeros in a few MB of .tar.gz, 100 MB
# lines and nesting in logs and JSON, SQLite views over endless queries...)
# and checks the issue's bound: each finishes within 30 s and under 512 MB
# of memory on the 2-core machine, with a verdict (exit 1, 2 or 3, never a
# crash nor 0 with something unread).
#
#   bench/hostile.sh               # all cases
#   KEEP=1 WORK=/tmp/hb bench/hostile.sh   # keep the inputs in /tmp/hb (a second run reuses them)
#
# Prints one Markdown row per case: input size, wall and CPU seconds, peak
# RSS (/usr/bin/time -v), exit code, and the first line of the error.
set -euo pipefail

WORK=${WORK:-$(mktemp -d)}
MAX_WALL=${MAX_WALL:-30}
MAX_RSS_MB=${MAX_RSS_MB:-512}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cleanup() { [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"; }
trap cleanup EXIT
cd "$ROOT"
[[ -x /usr/bin/time ]] || { echo "bench/hostile.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

go build -o "$WORK/spyscan" ./cmd/spyscan
if [[ ! -s $WORK/cases ]]; then # KEEP=1 WORK=DIR reuses the inputs of a previous run
	echo "# generating the inputs in $WORK/in" >&2
	go run ./internal/testgen/hostile/cmd/gen-hostile-big -o "$WORK/in" >"$WORK/cases"
fi
echo "# $(nproc) CPUs, $(uname -sm), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
echo "# command: spyscan scan --quiet -o OUT INPUT (embedded indicators)"
echo
echo "| case | input MB | wall s | CPU s | peak RSS MB | exit | first error line |"
echo "|---|---:|---:|---:|---:|---:|---|"
bad=0
while read -r dir; do
	name=$(basename "$dir")
	inputs=("$dir"/*)
	size=$(du -sm --apparent-size "$dir" | cut -f1)
	out="$WORK/out-$name"
	set +e
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$WORK/spyscan" scan --quiet -o "$out" "${inputs[@]}" >"$WORK/stdout" 2>"$WORK/stderr"
	code=$?
	set -e
	read -r wall user sys rss < <(tail -1 "$WORK/time") # time adds a line before when the exit code is not 0
	cpu=$(echo "$user + $sys" | bc)
	rss_mb=$((rss / 1024))
	err=$(grep -m1 '^spyscan: ' "$WORK/stderr" | sed "s#$WORK/in/##g; s#|#/#g" | cut -c1-140 || true)
	echo "| $name | $size | $wall | $cpu | $rss_mb | $code | $err |"
	if (($(echo "$wall > $MAX_WALL" | bc))) || ((rss_mb > MAX_RSS_MB)) || ((code == 0)) || ((code > 3)) || grep -q 'panic\|goroutine ' "$WORK/stderr"; then
		echo "  ^ over the bound (${MAX_WALL} s, ${MAX_RSS_MB} MB), a crash or a clean verdict" >&2
		bad=1
	fi
	rm -rf "$out"
done <"$WORK/cases"
exit $bad
