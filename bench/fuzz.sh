#!/usr/bin/env bash
# Runs every fuzz target of the repository for a set time and prints one
# Markdown row per target (executions, new corpus entries, result), for
# docs/PERFORMANCE.md. Not part of CI.
#
# Usage: bench/fuzz.sh [--short] [PATTERN]
#   FUZZTIME   time per target (default 10m; --short: 10s)
#   PATTERN    only targets whose package path or name matches (grep -E)
# A target that fails leaves its crashing input under the package's
# testdata/fuzz/FuzzName/ (go test's own layout): rerun it with
#   go test -run 'FuzzName/<file>' ./internal/pkg
# and commit it with the fix as a regression case. Exit status: 1 when a
# target failed. Long runs: `nice bench/fuzz.sh`, the machine stays usable.
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
if [[ ${1:-} == --short ]]; then
	fuzztime=${FUZZTIME:-10s}
	shift
fi
pattern=${1:-.}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# every "func FuzzX(" in a _test.go file, as "package-dir name"
targets=$(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(' internal cmd |
	sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\($#\1 \2#' | sort -u | grep -E -- "$pattern" || true)
if [[ -z $targets ]]; then
	echo "no fuzz target matches $pattern" >&2
	exit 2
fi

echo "# $(go version) on $(nproc) CPUs, $fuzztime per target, $(date -u +%Y-%m-%d)"
echo
echo "| package | target | executions | new inputs | result |"
echo "|---|---|---:|---:|---|"
failed=0
while read -r dir name; do
	out=$log/$name.txt
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel "$(nproc)" "./$dir" >"$out" 2>&1; then
		result=ok
	else
		result="FAIL (see $dir/testdata/fuzz/$name)"
		failed=1
		tail -20 "$out" >&2
	fi
	# the last progress line: "fuzz: elapsed: 10s, execs: 12345 (1234/sec), new interesting: 3 (total: 40)"
	execs=$(grep -oE 'execs: [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || echo 0)
	fresh=$(grep -oE 'new interesting: [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || echo 0)
	echo "| $dir | $name | ${execs:-0} | ${fresh:-0} | $result |"
done <<<"$targets"
exit $failed
