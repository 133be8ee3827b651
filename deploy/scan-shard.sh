#!/bin/sh
# One worker of an organisation scan (the Kubernetes Indexed Job's pods and the GitHub Actions matrix's
# jobs run this same script): clone this shard's repositories, then scan their history into the
# shared ledger, each repository a run of its own.
#
#   REPOS_LIST        a file with one clone URL (or local path) per line: the whole organisation
#   SHARD             I/N, this worker's shard (1-based); or, on Kubernetes, JOB_COMPLETION_INDEX
#                     (0-based, set by the Indexed Job) and SHARDS (N)
#   LEAKHOUND_LEDGER  the shared ledger: postgres://USER:PASSWORD@HOST/DB (read by leakhound itself)
#   RUN_KEY           the run's key, the same for every worker of one scan and for their retries
#                     (a retried worker replaces its runs instead of adding to them)
#   WORK              scratch space for the clones (default /tmp/leakhound-org)
#   SCAN_FLAGS        more flags for `leakhound scan` (default --incremental: only objects no earlier
#                     run scanned are read, the state kept in the ledger per repository)
#
# A repository that cannot be cloned is still listed: leakhound counts it as failed ("does not
# exist") instead of the scan never having heard of it. Exit code: 0 when every repository was scanned
# and recorded (findings or not: they are in the ledger, and the report is where they are read);
# 2 when a repository or the ledger failed, so that the batch engine retries the worker (with the same
# RUN_KEY, the retry replaces this worker's runs instead of adding to them).
set -eu

if [ -z "${SHARD:-}" ]; then
  : "${JOB_COMPLETION_INDEX:?SHARD (I/N) or JOB_COMPLETION_INDEX and SHARDS must be set}"
  : "${SHARDS:?SHARDS must be set with JOB_COMPLETION_INDEX}"
  SHARD="$((JOB_COMPLETION_INDEX + 1))/$SHARDS"
fi
: "${REPOS_LIST:?REPOS_LIST must name the list of repositories}"
: "${LEAKHOUND_LEDGER:?LEAKHOUND_LEDGER must name the shared ledger}"
: "${RUN_KEY:?RUN_KEY must be set (the same for all workers of one scan)}"
WORK="${WORK:-/tmp/leakhound-org}"
SCAN_FLAGS="${SCAN_FLAGS:---incremental}"

# The clones are named by identity (each belongs to one shard); the lists and findings by shard, so that
# workers can share one WORK volume.
tag=$(printf '%s' "$SHARD" | tr '/' '-')
mkdir -p "$WORK/clones"
: > "$WORK/clones-$tag.txt"
tab=$(printf '\t')
leakhound repos --identity --shard "$SHARD" "$REPOS_LIST" > "$WORK/shard-$tag.tsv"
count=$(wc -l < "$WORK/shard-$tag.tsv")
echo "leakhound-org: shard $SHARD: $count repositories" >&2
# More shards than repositories: this one holds none (the list itself was read: an empty or unreadable
# list fails above).
[ "$count" -eq 0 ] && exit 0
while IFS="$tab" read -r identity url; do
  dir="$WORK/clones/$(printf '%s' "$identity" | tr -c 'A-Za-z0-9._-' '_').git"
  if [ -d "$dir" ]; then
    git -C "$dir" remote update --prune >/dev/null 2>&1 \
      || echo "leakhound-org: $url: cannot update the clone" >&2
  else
    git clone --quiet --mirror "$url" "$dir" \
      || echo "leakhound-org: $url: cannot clone" >&2
  fi
  echo "$dir" >> "$WORK/clones-$tag.txt"
done < "$WORK/shard-$tag.tsv"

set +e
# shellcheck disable=SC2086 # SCAN_FLAGS is a list of flags
leakhound scan --history --repos "$WORK/clones-$tag.txt" $SCAN_FLAGS --redact \
  --ledger-run-key "$RUN_KEY" --format jsonl --output "$WORK/findings-$tag.jsonl"
code=$?
[ "$code" -eq 1 ] && exit 0
exit "$code"
