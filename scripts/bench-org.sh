#!/usr/bin/env bash
# Organisation scans, measured: N generated repositories (scripts/gen-org.py) scanned as 1, 2 and 4
# shards at once (`scan --history --repos DIR --shard I/S`, each worker a process of its own, as the
# Kubernetes Indexed Job and the GitHub Actions matrix run them) into a PostgreSQL ledger (fsync on).
# Prints, per shard count: wall time, repositories per minute, the ledger's write time per run
# (median and max, from each run's "recorded … (N sightings, T s)" line), and each worker's peak RSS.
#   scripts/bench-org.sh [N=200] [BIN=target/release/leakhound]
# Needs PostgreSQL's server (tests/sh/postgres.sh installs Debian's), psql, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200}"
BIN="$(realpath "${2:-target/release/leakhound}")"
ORG="${ORG_DIR:-/tmp/leakhound-bench-org-$N}"
OUT=$(mktemp -d)
export LEAKHOUND_PG_PORT=54349 LEAKHOUND_PG_DIR=/tmp/leakhound-bench-pg LEAKHOUND_PG_FSYNC=on
trap 'bash tests/sh/postgres.sh stop >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT

[ -x "$BIN" ] || cargo build --release -p leakhound
echo "generating $N repositories in $ORG (kept for the next run)" >&2
python3 scripts/gen-org.py "$ORG" "$N"
echo "$(du -sh "$ORG" | cut -f1) of packs; $(find "$ORG" -maxdepth 1 -name '*.git' | wc -l) repositories; $(nproc) cores" >&2
URL=$(bash tests/sh/postgres.sh start 2>/dev/null)

printf '%-7s %9s %11s %16s %16s %15s\n' shards "wall s" "repos/min" "ledger ms p50" "ledger ms max" "peak RSS MiB"
for S in 1 2 4; do
  DB="bench_$S"
  psql -q "$URL" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  LEDGER="${URL%/*}/$DB"
  start=$(date +%s.%N)
  pids=()
  for I in $(seq 1 "$S"); do
    /usr/bin/time -f '%M' -o "$OUT/rss-$S-$I" \
      "$BIN" scan --history --repos "$ORG" --shard "$I/$S" --ledger "$LEDGER" \
      --ledger-run-key "bench-$S" --format jsonl -o "$OUT/findings-$S-$I.jsonl" \
      2> "$OUT/err-$S-$I" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || [ $? -eq 1 ] || { cat "$OUT"/err-"$S"-*; exit 1; }; done
  end=$(date +%s.%N)
  runs=$(psql -tA "$LEDGER" -c "SELECT COUNT(*) FROM runs")
  [ "$runs" = "$N" ] || { echo "shards $S: $runs runs in the ledger, expected $N" >&2; exit 1; }
  python3 - "$S" "$start" "$end" "$N" "$OUT" <<'PY'
import glob, re, statistics, sys
s, start, end, n, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
wall = end - start
ms = []
for f in glob.glob(f"{out}/err-{s}-*"):
    ms += [float(m) * 1000 for m in re.findall(r"recorded in .*?, ([0-9.]+) s\)", open(f).read())]
rss = [int(open(f).read().split()[-1]) / 1024 for f in glob.glob(f"{out}/rss-{s}-*")]
print(f"{s:<7} {wall:9.1f} {n / wall * 60:11.0f} {statistics.median(ms):16.1f} {max(ms):16.1f} {max(rss):15.0f}")
PY
done
# The next night: 2 shards with --incremental, the state in the ledger (a first pass writes it).
LEDGER="${URL%/*}/bench_2"
for pass in fill night; do
  start=$(date +%s.%N)
  for I in 1 2; do
    "$BIN" scan --history --repos "$ORG" --shard "$I/2" --incremental --ledger "$LEDGER" \
      --ledger-run-key "$pass" -q --format jsonl -o /dev/null &
  done
  wait || true
  end=$(date +%s.%N)
done
python3 -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); print(f'incremental night, 2 shards, nothing new: {w:.1f} s, {int(sys.argv[3])/w*60:.0f} repos/min')" "$start" "$end" "$N"
psql -tA "${URL%/*}/bench_1" -c "SELECT 'ledger: ' || pg_size_pretty(pg_database_size('bench_1')) || ' for ' || (SELECT COUNT(*) FROM runs) || ' runs, ' || (SELECT COUNT(*) FROM sightings) || ' sightings'"
psql -tA "${URL%/*}/bench_2" -c "SELECT 'incremental state: ' || pg_size_pretty(SUM(size)) || ' for ' || COUNT(*) || ' repositories' FROM history_state"
