#!/usr/bin/env bash
# The pre-commit framework's hook (.pre-commit-hooks.yaml, `language: rust`): installs pre-commit from
# PyPI into a virtualenv, points a project's .pre-commit-config.yaml at a local clone of this
# repository at its HEAD commit, and lets the framework build leakhound (cargo, in its own cache:
# minutes, so .ci/run calls this only with LEAKHOUND_SLOW_TESTS=1). Then a commit that stages a
# made-up token is blocked and a clean commit passes.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/sh/fixture.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pre-commit
pc="$work/venv/bin/pre-commit"
"$pc" validate-manifest .pre-commit-hooks.yaml
export PRE_COMMIT_HOME="$work/cache"

# The hook repository: this checkout's committed HEAD (the framework clones repo: at rev:).
git clone -q --no-local "$PWD" "$work/hooks"
rev=$(git -C "$work/hooks" rev-parse HEAD)

mkdir -p "$work/project"
fgit -C "$work/project" init -q
cat > "$work/project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $work/hooks
    rev: $rev
    hooks:
      - id: leakhound
YAML
echo 'print("hello")' > "$work/project/main.py"
fgit -C "$work/project" add .
fgit -C "$work/project" commit -qm 'start'
(cd "$work/project" && "$pc" install > /dev/null)

echo "== pre-commit run --all-files (builds the hook: cargo install in the framework's cache)"
start=$(date +%s)
(cd "$work/project" && "$pc" run --all-files) || fail "the hook failed on a clean repository"
echo "built and ran in $(( $(date +%s) - start ))s"

echo "== a commit that stages a token is blocked"
printf 'token = "%s"\n' "$(fake_token)" > "$work/project/settings.py"
fgit -C "$work/project" add settings.py
set +e; (cd "$work/project" && fgit commit -qm 'add settings' > "$work/blocked" 2>&1); code=$?; set -e
[ "$code" -ne 0 ] || fail "the commit with a token went through"
grep -q 'leakhound' "$work/blocked" || fail "no leakhound output: $(cat "$work/blocked")"
[ "$(git -C "$work/project" rev-list --count HEAD)" -eq 1 ] || fail "a commit was made"

echo "== a clean commit passes"
printf 'token = ""\n' > "$work/project/settings.py"
fgit -C "$work/project" add settings.py
(cd "$work/project" && fgit commit -qm 'add settings') || fail "a clean commit was blocked"
echo "pre-commit hook: ok"
