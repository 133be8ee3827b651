#!/usr/bin/env bash
# README's worked example of the ledger: three runs over a repository as it is fixed, and the report.
#   scripts/ledger-example.sh [LEAKHOUND]     (default: target/release/leakhound)
# Everything happens in a temporary directory; the tokens are generated, made-up values.
set -euo pipefail
LH=$(realpath "${1:-target/release/leakhound}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GIT_AUTHOR_NAME="Dev One" GIT_AUTHOR_EMAIL=dev1@example.org
export GIT_COMMITTER_NAME="Dev One" GIT_COMMITTER_EMAIL=dev1@example.org
tok() { printf 'glpat-%s' "$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"; }
T1=$(tok) T2=$(tok)
git init -q payments && cd payments
git remote add origin https://github.com/acme/payments.git
printf 'GITLAB_TOKEN=%s\n' "$T1" > .env
mkdir -p config && printf 'gitlab:\n  token: %s\n' "$T2" > config/prod.yml
# Committed 30 days ago: the first run detects it then (time to detect: 30 days).
ago=$(date -u -d '30 days ago' +%Y-%m-%dT09:00:00Z)
git add -A && GIT_AUTHOR_DATE=$ago GIT_COMMITTER_DATE=$ago git commit -qm import
L="sqlite:$work/ledger.sqlite"

echo '$ leakhound scan --history . --ledger sqlite:ledger.sqlite      # run 1: what is there'
"$LH" scan --history . --ledger "$L" -q --format jsonl > /dev/null || true
git rm -q .env
FP2=$( ("$LH" scan . --format json 2>/dev/null || true) | sed -n 's/.*"fingerprint": "\([^"]*\)".*/\1/p' | head -1)
"$LH" inventory add --fingerprint "$FP2" --owner team-payments --expires 2027-03-01 --environment prod \
  --status revoked 2> /dev/null
git add -A && git commit -qm "remove .env; claim the prod token"
echo '$ git rm .env'
echo '$ leakhound inventory add --fingerprint sha256:… --owner team-payments --status revoked …'
echo '$ leakhound scan . --ledger sqlite:ledger.sqlite                # run 2: .env gone, prod token revoked'
"$LH" scan . --ledger "$L" -q --format jsonl > /dev/null || true
git rm -q config/prod.yml && git commit -qm "remove the prod token"
echo '$ git rm config/prod.yml'
echo '$ leakhound scan --history . --ledger sqlite:ledger.sqlite      # run 3: HEAD clean, history not'
"$LH" scan --history . --ledger "$L" -q --format jsonl > /dev/null || true
echo '$ leakhound report --ledger sqlite:ledger.sqlite --format markdown'
"$LH" report --ledger "$L" --format markdown | sed "s|$work/||"
