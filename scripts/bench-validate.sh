#!/usr/bin/env bash
# Times `leakhound scan --validate` (the release binary) over N unique credentials of a made-up provider
# answered by a loopback server (the validate_bench example in serve mode): wall time, requests per second,
# peak memory, and a second run that the cache answers (no request).
#   scripts/bench-validate.sh [N]        (default 10000; needs a release build of leakhound)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
BIN="${LEAKHOUND:-target/release/leakhound}"
cargo build --release -q -p leakhound-core --features live --example validate_bench
EX=target/release/examples/validate_bench
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$EX" input "$N" > "$work/tokens.env"
sed -n '/^pub const RULES/,/^"#;/p' crates/scanner-core/examples/validate_bench.rs | sed '1d;$d' > "$work/bench.toml"
"$EX" serve > "$work/base" &
server=$!
for _ in $(seq 50); do [ -s "$work/base" ] && break; sleep 0.1; done
base="$(cat "$work/base")"
run() {
  local cache="$1"; shift
  /usr/bin/time -f '%e s wall, %M KiB peak' env LEAKHOUND_VALIDATE_BASE_URL="$base" "$BIN" scan "$work/tokens.env" \
    --no-default-rules --rules "$work/bench.toml" --max-findings-per-file 0 --format json -o "$work/out.json" \
    --validate --validate-rate 0 --validate-cache "$cache" "$@" 2> "$work/time" || true
  tail -1 "$work/time"
  python3 - "$work/out.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["summary"]["validation"]
print(f"  {v['credentials']} credentials: live {v['live']}, dead {v['dead']}, unknown {v['unknown']}, "
      f"{v['requests']} requests, {v['cached']} cached, validation {v['seconds']:.2f} s"
      + (f" = {v['requests'] / v['seconds']:.0f} requests/s" if v['seconds'] and v['requests'] else ""))
PY
}
echo "first run ($N credentials, concurrency 8):"; run "$work/cache.json"
echo "second run (cache):"; run "$work/cache.json"
echo "a fresh cache, concurrency 32:"; run "$work/cache32.json" --validate-concurrency 32
