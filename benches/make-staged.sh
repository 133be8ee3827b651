#!/usr/bin/env bash
# A repository for the pre-commit latency benchmark: SOURCE_TREE committed as one commit (>= 10,000
# files), then 20 files modified with ~15 added lines each and staged, the way a commit in progress
# looks. usage: make-staged.sh SOURCE_TREE OUT_REPO
set -euo pipefail
src=$1 out=$2
rm -rf "$out"
mkdir -p "$out"
cp -r "$src"/. "$out"/
cd "$out"
git init -q -b main
git add -A
git -c user.name=bench -c user.email=bench@example.org commit -q -m import
mapfile -t files < <(git ls-files '*.py' | awk 'NR % 97 == 0')
for f in "${files[@]:0:20}"; do
  for i in $(seq 1 15); do echo "value_$i = compute($i)  # staged change" >> "$f"; done
done
git add -u
echo "$out: $(git ls-files | wc -l) files, $(git diff --cached --name-only | wc -l) staged, $(git diff --cached --numstat | awk '{s+=$1} END {print s}') added lines" >&2
