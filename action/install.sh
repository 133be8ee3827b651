#!/usr/bin/env bash
# Builds leakhound from this action's checkout (a Rust toolchain is on GitHub's hosted runners) unless a
# `leakhound` binary is already on PATH or LEAKHOUND_BIN names one.
set -euo pipefail
if [ -n "${LEAKHOUND_BIN:-}" ] || command -v leakhound >/dev/null 2>&1; then
  echo "leakhound: using ${LEAKHOUND_BIN:-$(command -v leakhound)}"
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
cargo install --locked --path "$here/crates/scanner-cli" --root "${RUNNER_TEMP:-/tmp}/leakhound"
echo "${RUNNER_TEMP:-/tmp}/leakhound/bin" >> "${GITHUB_PATH:-/dev/null}"
