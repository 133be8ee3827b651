#!/usr/bin/env bash
# Installs leakhound for the action: the release binary for the runner's platform, checked against the
# SHA-256 published beside it, or a build of this action's checkout (`cargo install --locked --path`)
# only when the release has no binary for the platform or the version is not released.
#   INPUT_VERSION   X.Y.Z (or vX.Y.Z), `latest`, or empty for the action's own version (its Cargo.toml)
#   LEAKHOUND_BIN   a leakhound binary to use as it is: nothing is installed
#   LEAKHOUND_RELEASES_URL  where the releases are (tests only; default the GitHub project's releases)
# The binary goes to $RUNNER_TEMP/leakhound/bin, which is added to GITHUB_PATH for the later steps.
# Exit 2 when something is wrong (a checksum that does not match, a failed download): one line says what.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
releases=${LEAKHOUND_RELEASES_URL:-https://github.com/leakhound/leakhound/releases}
root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakhound"
bin_dir="$root/bin"

say() { echo "leakhound install: $*"; }
die() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error::leakhound install: $*" >&2; else echo "leakhound install: error: $*" >&2; fi
  exit 2
}

if [ -n "${LEAKHOUND_BIN:-}" ]; then
  say "using $LEAKHOUND_BIN (LEAKHOUND_BIN)"
  exit 0
fi

# The action's own version: [workspace.package] version in the checkout's Cargo.toml.
own_version() {
  awk '/^\[/ { in_pkg = ($0 == "[workspace.package]") }
       in_pkg && $1 == "version" { gsub(/[" ]/, "", $3); print $3; exit }' "$here/Cargo.toml"
}

# The release target for this runner, empty when no release binary is built for it.
release_target() {
  local os arch
  os=$(uname -s)
  arch=$(uname -m)
  case "$os/$arch" in
    Linux/x86_64 | Linux/amd64) echo x86_64-unknown-linux-musl ;;
    Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    Darwin/arm64 | Darwin/aarch64) echo aarch64-apple-darwin ;;
    Darwin/x86_64) echo x86_64-apple-darwin ;;
    MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

# fetch URL FILE: prints the HTTP status (200 when FILE was written); dies when the server cannot be reached.
fetch() {
  local status
  status=$(curl -sSL --retry 3 --retry-connrefused -o "$2" -w '%{http_code}' "$1") ||
    die "cannot download $1 (curl exit $?)"
  echo "$status"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | awk '{print $1}'
  else shasum -a 256 "$1" | awk '{print $1}'; fi
}

build_from_checkout() {
  say "$1; building leakhound $(own_version) from the action's checkout instead (cargo install)"
  "${CARGO:-cargo}" install --locked --path "$here/crates/scanner-cli" --root "$root"
  publish
}

publish() {
  "$bin_dir/leakhound$exe" --version >/dev/null || die "the installed $bin_dir/leakhound$exe does not run"
  echo "$bin_dir" >> "${GITHUB_PATH:-/dev/null}"
  say "installed $("$bin_dir/leakhound$exe" --version) in $bin_dir"
}

version=${INPUT_VERSION:-}
version=${version#v}
if [ -z "$version" ]; then
  version=$(own_version)
  [ -n "$version" ] || die "no version in $here/Cargo.toml"
elif [ "$version" = latest ]; then
  # GitHub answers /releases/latest with a redirect to /releases/tag/v<version>.
  latest_url=$(curl -sSL --retry 3 --retry-connrefused -o /dev/null -w '%{url_effective}' "$releases/latest") ||
    die "cannot reach $releases/latest"
  case "$latest_url" in
    */tag/v*) version=${latest_url##*/tag/v} ;;
    *) die "cannot tell the latest release from $releases/latest (landed on $latest_url)" ;;
  esac
fi

target=$(release_target)
exe=""
case "$target" in *windows*) exe=.exe ;; esac
[ -n "$target" ] || build_from_checkout "no release binary for $(uname -s) $(uname -m)"
[ -n "$target" ] || exit 0

ext=tar.gz
[ -n "$exe" ] && ext=zip
archive="leakhound-$version-$target.$ext"
url="$releases/download/v$version/$archive"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=$(fetch "$url" "$tmp/$archive")
case "$status" in
  200) ;;
  404) build_from_checkout "no $archive in release v$version"; exit 0 ;;
  *) die "cannot download $url (HTTP $status)" ;;
esac
status=$(fetch "$url.sha256" "$tmp/$archive.sha256")
[ "$status" = 200 ] || die "no checksum for $archive at $url.sha256 (HTTP $status); refusing to install it"

expected=$(awk '{print tolower($1); exit}' "$tmp/$archive.sha256")
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "$archive.sha256 does not hold a SHA-256; refusing to install $archive"
actual=$(sha256_of "$tmp/$archive")
[ "$actual" = "$expected" ] ||
  die "checksum mismatch for $archive: expected $expected, got $actual; refusing to install it"

mkdir -p "$tmp/x" "$bin_dir"
if [ "$ext" = zip ]; then
  if command -v unzip >/dev/null 2>&1; then unzip -q "$tmp/$archive" -d "$tmp/x"
  else  # Git Bash on Windows without unzip: PowerShell, which wants Windows paths
    powershell -NoProfile -Command "Expand-Archive -LiteralPath '$(cygpath -w "$tmp/$archive")' -DestinationPath '$(cygpath -w "$tmp/x")'"
  fi
else
  tar -xzf "$tmp/$archive" -C "$tmp/x"
fi
# The binary sits at the archive's top or in one directory named after it: take it wherever it is.
found=$(find "$tmp/x" -type f -name "leakhound$exe" | head -n 1)
[ -n "$found" ] || die "$archive holds no leakhound$exe"
cp "$found" "$bin_dir/leakhound$exe"
chmod 755 "$bin_dir/leakhound$exe"
publish
