#!/usr/bin/env bash
# The lab's measurements (docs/PERFORMANCE.md, "Lab"). Not run in CI.
#
#   bench/lab.sh retro [RUNS]   # retro-hunt of 1,000 stored scans holding
#                               # 1,000,000 observables: SQLite, then
#                               # PostgreSQL (a private server started with
#                               # .ci/pgtest when SPYSCAN_LAB_DB is unset)
#   bench/lab.sh load [SECONDS] [FLAGS] # 20 users browsing while two scans run,
#                               # page-time percentiles (loopback only)
#
# Both build bench/labbench and print its output; labbench removes its
# temporary data folder when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
cleanup="rm -rf '$work'"
trap 'eval "$cleanup"' EXIT
go build -o "$work/labbench" ./bench/labbench

case "${1:-}" in
retro)
  runs=${2:-5}
  "$work/labbench" retro -engine sqlite -runs "$runs"
  if [ -z "${SPYSCAN_LAB_DB:-}" ]; then
    export SPYSCAN_PGTEST_DIR="${TMPDIR:-/tmp}/spyscan-labbench-pg"
    eval "$(bash .ci/pgtest start)"
    cleanup="bash .ci/pgtest stop; $cleanup"
    export SPYSCAN_LAB_DB="$SPYSCAN_TEST_PG_DSN"
  fi
  "$work/labbench" retro -engine postgres -runs "$runs"
  ;;
load)
  "$work/labbench" load -duration "${2:-60}s" "${@:3}"
  ;;
*)
  echo "usage: bench/lab.sh retro [RUNS] | load [SECONDS]" >&2
  exit 2
  ;;
esac
