#!/usr/bin/env bash
# The ledger's two measurements, on the release binary, paired in one window:
#   1. what --ledger adds to a history scan (same repository, with and without, alternating);
#   2. `leakhound report` to HTML over 1,000,000 sightings from 100 runs (built by the ledger_bench
#      example), and the JSON and Markdown forms.
# Usage: scripts/bench-ledger.sh REPO [RUNS]      (REPO: a git repository with real history)
set -euo pipefail
REPO=$(realpath "${1:?a git repository}")
N="${2:-10}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LH="$ROOT/target/release/leakhound"
TIMEIT="${TIMEIT:-$ROOT/../shared/bench/timeit.py}"
cargo build --release -q -p leakhound
cargo build --release -q -p leakhound-core --features ledger --example ledger_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== history scan of $REPO: with --ledger (A) against without (B)"
cd "$REPO"
python3 "$TIMEIT" -n "$N" --vs "$LH scan --history . -q --format json -o /dev/null" -- \
  "$LH" scan --history . -q --format json -o /dev/null --ledger "sqlite:$tmp/overhead.sqlite"
"$LH" scan --history . --format json -o /dev/null --ledger "sqlite:$tmp/overhead.sqlite" 2>&1 | grep 'ledger:' || true

echo "== a ledger of 1,000,000 sightings from 100 runs"
"$ROOT/target/release/examples/ledger_bench" "$tmp/big.sqlite" 100 10000
cd "$tmp"
for format in html json markdown; do
  echo "== leakhound report --format $format"
  python3 "$TIMEIT" -n "$N" -- "$LH" report --ledger "sqlite:$tmp/big.sqlite" --format "$format" -o "$tmp/out.$format" --today 2026-01-01
  ls -la "$tmp/out.$format" | awk '{print "   output:", $5, "bytes"}'
done
