#!/usr/bin/env bash
# Runs fuzz targets one after another, each for SECONDS (default 300), one libFuzzer process at a time,
# and keeps each run's libFuzzer log in fuzz/logs/<target>.log. Crashes and timeouts land in
# fuzz/artifacts/<target>/ (see README.md for what to do with them).
#
# Usage: fuzz/run.sh [TARGET ...]        (default: every target; FUZZ_SECONDS=600 fuzz/run.sh matcher)
set -uo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-300}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
[[ -d corpus ]] || ./seed.sh
mkdir -p logs
for t in "${targets[@]}"; do
    echo "== $t: ${seconds}s"
    nice -n 10 cargo +nightly fuzz run "$t" -- \
        -max_total_time="$seconds" -jobs=1 -workers=1 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"logs/$t.out" 2>&1
    status=$?
    cp fuzz-0.log "logs/$t.log" 2>/dev/null
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "logs/$t.log"
    grep -E '^#[0-9]+[[:space:]]+(DONE|REDUCE|NEW|pulse).*cov:' "logs/$t.log" | tail -1
    echo "   exit $status; artifacts: $(ls "artifacts/$t" 2>/dev/null | tr '\n' ' ')"
done
