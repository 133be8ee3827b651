#!/usr/bin/env bash
# Builds the release archive of leakhound for one target, exactly as .github/workflows/release.yml publishes it:
#
#   scripts/release-archive.sh TARGET [OUT_DIR]
#
# writes OUT_DIR/leakhound-<version>-<target>.tar.gz (.zip for Windows) holding one folder of the same name with
# the binary, README.md, LICENSE-MIT, LICENSE-APACHE and, when the binary has them, completions/ and the man page;
# and OUT_DIR/<archive>.sha256 in the format `sha256sum -c` reads. OUT_DIR defaults to
# ${CARGO_TARGET_DIR:-target}/dist. The last line printed is the archive's path.
#
# Linux targets are *-unknown-linux-musl: static binaries. mimalloc's C code then needs a musl C compiler,
# `musl-gcc` from Debian/Ubuntu's `musl-tools`; under CI (CI=true) the script installs it with apt-get.
# LEAKHOUND_EXPECT_VERSION (the release workflow passes the tag without its `v`) fails the build when the
# crate's version differs.
set -euo pipefail

target="${1:?usage: scripts/release-archive.sh TARGET [OUT_DIR]}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out_dir="${2:-$target_dir/dist}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

# The version of the `leakhound` package (pkgid ends in `#leakhound@X.Y.Z` or `#X.Y.Z`).
version="$(cargo pkgid -p leakhound | sed 's/.*[#@]//')"
if [[ -n "${LEAKHOUND_EXPECT_VERSION:-}" && "$LEAKHOUND_EXPECT_VERSION" != "$version" ]]; then
  echo "release-archive: the tag says $LEAKHOUND_EXPECT_VERSION but the crates are at $version" >&2
  exit 1
fi

case "$target" in
  *-linux-musl*)
    if ! command -v musl-gcc >/dev/null 2>&1; then
      if [[ "${CI:-}" == "true" ]] && command -v apt-get >/dev/null 2>&1; then
        sudo_=""; [[ "$(id -u)" == 0 ]] || sudo_="sudo"
        $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq musl-tools
      else
        echo "release-archive: $target needs musl-gcc for mimalloc's C code: apt-get install musl-tools" >&2
        exit 1
      fi
    fi
    ;;
  *-linux-gnu*)
    echo "release-archive: Linux releases are static: use ${target/-gnu/-musl}" >&2
    exit 1
    ;;
esac
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi

cargo build --release --locked -p leakhound --target "$target"

exe=""
[[ "$target" == *windows* ]] && exe=".exe"
bin="$target_dir/$target/release/leakhound$exe"
name="leakhound-$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$bin" "$stage/$name/"
cp README.md LICENSE-MIT LICENSE-APACHE "$stage/$name/"

# Completions and the man page come from the binary itself, when it has the subcommands and can run here
# (a cross-compiled binary cannot: its archive then goes without them). Once `completions --help` works,
# every generation must succeed.
if "$bin" completions --help >/dev/null 2>&1; then
  mkdir "$stage/$name/completions"
  "$bin" completions bash >"$stage/$name/completions/leakhound.bash"
  "$bin" completions zsh >"$stage/$name/completions/_leakhound"
  "$bin" completions fish >"$stage/$name/completions/leakhound.fish"
  "$bin" completions powershell >"$stage/$name/completions/_leakhound.ps1"
fi
if "$bin" man --help >/dev/null 2>&1; then
  "$bin" man >"$stage/$name/leakhound.1"
fi

if [[ "$target" == *windows* ]]; then
  archive="$name.zip"
  rm -f "$out_dir/$archive"
  if command -v 7z >/dev/null 2>&1; then
    (cd "$stage" && 7z a -tzip -bso0 "$out_dir/$archive" "$name")
  else
    (cd "$stage" && zip -qr "$out_dir/$archive" "$name")
  fi
else
  archive="$name.tar.gz"
  # Same bytes from the same inputs where GNU tar allows it (ordered entries, no owner names).
  tar_flags=()
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner)
  fi
  (cd "$stage" && tar ${tar_flags[@]+"${tar_flags[@]}"} -czf "$out_dir/$archive" "$name")
fi

# `<hash>  <archive>`: what `sha256sum -c <archive>.sha256` reads, run beside the archive.
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$out_dir" && sha256sum "$archive" >"$archive.sha256")
else
  (cd "$out_dir" && shasum -a 256 "$archive" >"$archive.sha256")
fi
echo "$out_dir/$archive"
