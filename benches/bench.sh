#!/usr/bin/env bash
# End-to-end benchmark of the release binary (not part of the test suite: timings are not assertions).
#
# usage: benches/bench.sh [CORPUS_DIR]      (default benches/corpus, built on first use, ~1 GB with big/)
#   RUNS=5          timed runs per input, after one warm-up
#   MB=220          size of the source tree make-corpus.py builds
#   HISTORY=DIR     repository for the history figures (default: CORPUS/history, built by make-history.py)
#   STAGED=DIR      repository with 20 staged files for the hook latency (default: CORPUS/precommit)
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-benches/corpus}
cargo build --release -q -p leakhound
if [ ! -f "$CORPUS/PLANTED.tsv" ]; then
  python3 benches/make-corpus.py "$CORPUS" --mb "${MB:-220}"
fi
HISTORY=${HISTORY:-$CORPUS/history}
if [ ! -d "$HISTORY/.git" ] && [ ! -f "$HISTORY/HEAD" ]; then
  python3 benches/make-history.py "$HISTORY" --commits 6000
fi
STAGED=${STAGED:-$CORPUS/precommit}
if [ ! -d "$STAGED/.git" ]; then
  bash benches/make-staged.sh "$CORPUS/tree" "$STAGED"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
python3 benches/measure.py target/release/leakhound "$CORPUS" --runs "${RUNS:-5}" --history "$HISTORY" --staged "$STAGED"
