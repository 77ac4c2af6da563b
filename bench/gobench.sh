#!/usr/bin/env bash
# Runs Go benchmarks several times and prints the median of each metric.
# Usage: bench/gobench.sh COUNT PATTERN PACKAGE...
#   e.g. bench/gobench.sh 6 'Domain1M|URL1M|LoadAndIndex' ./internal/match ./internal/indicators
set -euo pipefail
count=${1:-6}; pattern=${2:-.}; shift 2 || true
pkgs=${*:-./...}
cd "$(dirname "$0")/.."
echo "# $(go version) on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# go test -run '^$' -bench '$pattern' -count $count $pkgs"
go test -run '^$' -bench "$pattern" -count "$count" $pkgs | tee /dev/stderr | go run ./bench/medians
