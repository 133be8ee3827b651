#!/usr/bin/env bash
# The container image. With a Docker daemon: builds the image and scans fixtures through it (a mounted
# repository owned by another user, its working tree and its history). Without one (the usual case on
# CI machines without Docker): runs the builder stage's own command line (scripts/build-static.sh, which
# the Dockerfile's RUN calls), checks that the result is a static binary, and runs it the way the
# runtime stage does: as an unprivileged user, on a repository it does not own, with git's system
# config saying safe.directory=*.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/sh/fixture.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# The Dockerfile builds with the shared script and ships what it produces: the fallback below tests
# the same command only as long as this holds.
grep -qx 'RUN scripts/build-static.sh /out' Dockerfile || fail "Dockerfile no longer builds with scripts/build-static.sh /out"
grep -qx 'COPY --from=build /out/leakhound /usr/local/bin/leakhound' Dockerfile || fail "Dockerfile no longer ships /out/leakhound"
grep -q "git config --system --add safe.directory '\*'" Dockerfile || fail "Dockerfile no longer sets safe.directory"

make_leaky_repo "$work/repo"
mkdir -p "$work/clean" && echo 'print("hello")' > "$work/clean/main.py"

if docker info >/dev/null 2>&1; then
  echo "== docker build"
  docker build -t leakhound-test .
  run() { docker run --rm -v "$1:/src" leakhound-test "${@:2}"; }
  echo "== docker run: a clean tree, then the leaky repository's tree and history"
  expect_exit 0 run "$work/clean" scan /src
  expect_exit 0 run "$work/repo" scan /src
  expect_exit 1 run "$work/repo" scan --history /src
  expect_exit 0 run "$work/repo" --version
  echo "docker image: ok"
  exit 0
fi

echo "== no Docker daemon: the builder stage's command line (scripts/build-static.sh)"
if ! command -v musl-gcc >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || fail "musl-gcc is missing (apt-get install musl-tools)"
  apt-get update -qq && apt-get install -y -qq musl-tools
fi
scripts/build-static.sh "$work/out"
bin="$work/out/leakhound"
chmod 755 "$work/out"

# Static: no program interpreter and no shared libraries, so it runs on any Linux base image.
readelf -lW "$bin" | grep -q 'Requesting program interpreter' && fail "$bin asks for a dynamic loader"
readelf -dW "$bin" | grep -q '(NEEDED)' && fail "$bin needs shared libraries: $(readelf -dW "$bin" | grep NEEDED)"
"$bin" --version

echo "== the runtime stage's conditions: another user, safe.directory=* in git's system config"
printf '[safe]\n\tdirectory = *\n' > "$work/gitconfig"
chmod 644 "$work/gitconfig"
as_user=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
  # The image's user (uid 10001) scanning a repository owned by root, as with a mounted volume.
  as_user=(setpriv --reuid=10001 --regid=10001 --clear-groups env HOME="$work")
fi
rt() { GIT_CONFIG_SYSTEM="$work/gitconfig" "${as_user[@]}" "$bin" "$@"; }
expect_exit 0 rt scan "$work/clean"
expect_exit 0 rt scan "$work/repo"
expect_exit 1 rt scan --history "$work/repo"
# leakhound reads history itself, but runs git for some settings (and people run git in the image):
# git, too, must accept the repository it does not own.
GIT_CONFIG_SYSTEM="$work/gitconfig" "${as_user[@]}" git -C "$work/repo" rev-parse -q HEAD >/dev/null ||
  fail "git refuses the repository despite safe.directory=*"
echo "docker (builder command line, static binary, runtime conditions): ok"
