#!/usr/bin/env bash
# The release archive, as the release workflow publishes it for Linux: builds it with
# scripts/release-archive.sh for x86_64-unknown-linux-musl, then checks the checksum file with `sha256sum -c`,
# the archive's layout, that the binary is static, that it reports the crate's version, and that it scans
# (a finding exits 1, a clean tree 0). A release build (LTO): minutes, so .ci/run runs it as its own step,
# not `cargo test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target=x86_64-unknown-linux-musl
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: runs COMMAND, counts and reports the result
  local what="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $what"
  else
    failed=$((failed + 1))
    echo "FAILED: $what"
  fi
}

archive="$("$root/scripts/release-archive.sh" "$target" "$work/out" | tail -n 1)"
version="$(cd "$root" && cargo pkgid -p leakhound | sed 's/.*[#@]//')"
name="leakhound-$version-$target"

check "the archive is named leakhound-<version>-<target>.tar.gz" \
  test "$archive" = "$work/out/$name.tar.gz" -a -f "$archive"
check "the checksum file names the archive as sha256sum writes it" \
  grep -qx "[0-9a-f]\{64\}  $name.tar.gz" "$archive.sha256"
check "sha256sum -c accepts the checksum file" \
  bash -c "cd '$work/out' && sha256sum -c --status '$name.tar.gz.sha256'"
# A changed archive fails the check (the checksum is of these bytes, not a constant).
cp "$archive" "$work/tampered.tar.gz"
printf 'x' >>"$work/tampered.tar.gz"
check "sha256sum -c rejects a changed archive" \
  bash -c "cd '$work' && ! sed 's/$name.tar.gz/tampered.tar.gz/' '$archive.sha256' | sha256sum -c --status 2>/dev/null"

tar -xzf "$archive" -C "$work"
for f in leakhound README.md LICENSE-MIT LICENSE-APACHE; do
  check "the archive holds $name/$f" test -f "$work/$name/$f"
done
check "every entry is under $name/" \
  bash -c "tar -tzf '$archive' | grep -v '^$name/' | { ! grep -q .; }"
bin="$work/$name/leakhound"
check "the binary is executable" test -x "$bin"
# Completions and the man page travel with a binary that can generate them.
if "$bin" completions --help >/dev/null 2>&1; then
  for f in leakhound.bash _leakhound leakhound.fish _leakhound.ps1; do
    check "the archive holds completions/$f" test -s "$work/$name/completions/$f"
  done
fi
if "$bin" man --help >/dev/null 2>&1; then
  check "the archive holds the man page" test -s "$work/$name/leakhound.1"
fi
check "file(1) says statically linked" \
  bash -c "file -L '$bin' | grep -Eq 'statically linked|static-pie linked'"
check "ldd finds no shared libraries" \
  bash -c "ldd '$bin' 2>&1 | grep -Eq 'not a dynamic executable|statically linked'"
check "--version prints the crate's version" \
  bash -c "'$bin' --version | grep -qx 'leakhound $version'"

# A secret for the fixture: an example from the shipped rule pack, so this file holds none itself.
line="$(grep -m1 -o "aws_access_key_id = AKIA[A-Z0-9]*" "$root/rules/cloud.toml")"
mkdir -p "$work/leaky" "$work/clean"
printf '%s\n' "$line" >"$work/leaky/settings.ini"
printf 'region = eu-west-1\n' >"$work/clean/settings.ini"
status=0
"$bin" scan --format json "$work/leaky" >"$work/leaky.json" || status=$?
check "scanning a leaked key exits 1" test "$status" = 1
check "the finding names the rule and the file" \
  bash -c "grep -q 'aws-access-key-id' '$work/leaky.json' && grep -q 'settings.ini' '$work/leaky.json'"
status=0
"$bin" scan "$work/clean" >/dev/null 2>&1 || status=$?
check "scanning a clean tree exits 0" test "$status" = 0

echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
