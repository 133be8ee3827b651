#!/usr/bin/env bash
# The action's scan step: SARIF for code scanning, annotations and a job summary for the pull request,
# and the exit code as a step output (the policy is applied in a later step, after the SARIF upload).
#   INPUT_RANGE       BASE..HEAD (default: origin/$GITHUB_BASE_REF..HEAD on pull requests, else all history)
#   INPUT_FAIL_ON     statuses that fail (default: any finding)
#   INPUT_FAIL_ON_CONTEXT  contexts whose findings fail (default: every context)
#   INPUT_SARIF_FILE  SARIF output path (default leakhound.sarif)
#   LEAKHOUND_BIN     the binary (default: leakhound on PATH)
set -uo pipefail
bin=${LEAKHOUND_BIN:-leakhound}
sarif=${INPUT_SARIF_FILE:-leakhound.sarif}
range=${INPUT_RANGE:-}
if [ -z "$range" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  # Pull requests: what the branch adds on top of its base.
  git fetch --quiet --no-tags origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" || true
  range="origin/$GITHUB_BASE_REF..HEAD"
fi
args=(scan --history .)
[ -n "$range" ] && args+=(--range "$range")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_FAIL_ON_CONTEXT:-}" ] && args+=(--fail-on-context "$INPUT_FAIL_ON_CONTEXT")

"$bin" "${args[@]}" --format sarif --output "$sarif"
code=$?
if [ "$code" -le 1 ]; then
  # Annotations on the changed lines, and the job summary (GITHUB_STEP_SUMMARY), both redacted.
  "$bin" "${args[@]}" --format github || true
fi
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "leakhound: exit code $code (0 clean, 1 findings failing the policy, 2 error)"
exit 0
