#!/usr/bin/env bash
# What an `iocs update` cache costs a scan: a cache made of the embedded
# snapshot's own bundles and lists (20 files, the shape `iocs update`
# writes), then whole-process task-clock (perf stat) of three commands
# interleaved: BASE with the cache, the work tree with the cache (built
# with a commit, so its parsed form of the cache is stored and read), and
# the work tree without it (--no-cache-iocs). Medians in ms.
#
#   bench/cache-start.sh BASE_COMMIT INPUT [ROUNDS]
#   e.g. bench/cache-start.sh 2fceb88 …/mvt-test-artifacts/ios_backup 12
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1 input=$2 rounds=${3:-12}
command -v perf >/dev/null || { echo "bench/cache-start.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/cache"
git archive "$base" | tar -x -C "$work/base"
(cd "$work/base" && CGO_ENABLED=0 go build -o "$work/A" ./cmd/spyscan)
CGO_ENABLED=0 go build -ldflags "-X github.com/spyscan/spyscan/internal/cli.Commit=$(git rev-parse HEAD)" -o "$work/B" ./cmd/spyscan

# the cache: each file of the snapshot under a flat name, and cache.json
sep=""
{
	printf '['
	find internal/indicators/snapshot -type f \( -name '*.stix2' -o -name '*.yaml' -o -name '*.csv' \) | sort | while read -r f; do
		rel=${f#internal/indicators/snapshot/}
		name=${rel//\//_}
		cp "$f" "$work/cache/$name"
		printf '%s{"name":"%s","source":"%s","url":"https://example.org/%s","file":"%s","sha256":"%s","downloaded":"2026-12-04T12:00:00Z"}' \
			"$sep" "$name" "${rel%%/*}" "$name" "$name" "$(sha256sum "$f" | cut -d' ' -f1)"
		sep=","
	done
	printf ']\n'
} >"$work/cache/cache.json"
export SPYSCAN_CACHE_DIR=$work/cache
"$work/B" scan --quiet -o "$work/out" "$input" >/dev/null 2>&1 || true # stores the parsed form
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for i in $(seq "$rounds"); do
	for v in A B C; do
		rm -rf "$work/out"
		case $v in A) cmd=("$work/A" scan) ;; B) cmd=("$work/B" scan) ;; C) cmd=("$work/B" scan --no-cache-iocs) ;; esac
		perf stat -x, -e task-clock -o "$work/stat" "${cmd[@]}" --quiet --fail-level critical -o "$work/out" "$input" >/dev/null 2>&1 || true
		echo "$v $(grep task-clock "$work/stat" | cut -d, -f1)" >>"$work/times"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
med() { sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
for v in A B C; do
	label=$(case $v in A) echo "$base, with the cache" ;; B) echo "work tree, with the cache" ;; C) echo "work tree, --no-cache-iocs" ;; esac)
	printf '%s (%s): median task-clock %s ms over %d runs\n' "$v" "$label" "$(awk -v v=$v '$1 == v {print $2}' "$work/times" | med)" "$rounds"
done
