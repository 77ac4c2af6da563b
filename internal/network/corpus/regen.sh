#!/usr/bin/env bash
# Regenerates testdata/expected.json from the committed captures: tshark
# (4.0, as in Debian bookworm) for DNS names, TLS/QUIC SNI, JA3, HTTP Host
# and certificate SHA-1, and testdata/foxio-ja4.tsv for JA4. Needs tshark:
#   apt-get install tshark
# Run from anywhere; the Go test compares spyscan with the result and needs
# no tshark. After a change, review the diff of expected.json and update
# testdata/disagreements.tsv (go test ./internal/network/corpus says which
# lines to add or remove).
set -euo pipefail
cd "$(dirname "$0")"
command -v tshark >/dev/null || { echo "regen.sh: tshark is not installed (apt-get install tshark)" >&2; exit 1; }
tshark --version | head -1 >&2
go run ./cmd/corpus-expect -captures testdata/captures -ja4 testdata/foxio-ja4.tsv -o testdata/expected.json -j "${JOBS:-2}"
