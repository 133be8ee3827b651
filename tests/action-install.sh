#!/usr/bin/env bash
# action/install.sh against a local HTTP server laid out like the GitHub releases
# (download/v<version>/<archive> and <archive>.sha256, /latest redirecting to /tag/v<version>):
# a good archive installs and runs, `latest` resolves, a wrong checksum is refused with one line and
# exit 2, a version without an asset falls back to the build. The fallback's `cargo install` is a stub
# that records its arguments (a release build takes minutes) unless LEAKHOUND_SLOW_TESTS=1, which runs
# the real build.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/sh/fixture.sh
case "$(uname -s)" in Linux) ;; *) echo "action-install: skipped (the test serves Linux archives only)"; exit 0 ;; esac
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The binary the fake releases carry: this checkout's leakhound.
cargo build --locked -q -p leakhound
leakhound="${CARGO_TARGET_DIR:-target}/debug/leakhound"
version=$(cargo pkgid -p leakhound); version=${version##*@}
target="$(uname -m)-unknown-linux-musl"

# release VERSION [SHA]: publishes an archive of the binary for VERSION, with SHA (default: the right one).
release() {
  local dir="$work/srv/download/v$1" name="leakhound-$1-$target"
  mkdir -p "$dir" "$work/pkg/$name"
  cp "$leakhound" "$work/pkg/$name/leakhound"
  tar -czf "$dir/$name.tar.gz" -C "$work/pkg" "$name"
  (cd "$dir" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
  if [ -n "${2:-}" ]; then echo "$2  $name.tar.gz" > "$dir/$name.tar.gz.sha256"; fi
}
release "$version"
release 9.9.1 "$(printf '0%.0s' $(seq 64))"

cat > "$work/server.py" <<'PY'
import http.server, sys, functools
class Releases(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/latest":  # as GitHub: a redirect to the latest release's tag page
            self.send_response(302); self.send_header("Location", "/tag/v" + sys.argv[2]); self.end_headers()
        elif self.path.startswith("/tag/"):
            self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
        else:
            super().do_GET()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Releases, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$work/server.py" "$work/srv" "$version" > "$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")"

# The fallback's cargo: records its arguments and installs a script that reports being the build.
mkdir -p "$work/stub"
cat > "$work/stub/cargo" <<'SH'
#!/bin/sh
echo "$@" > "$STUB_LOG"
while [ $# -gt 0 ]; do [ "$1" = --root ] && root=$2; shift; done
mkdir -p "$root/bin" && printf '#!/bin/sh\necho "leakhound built-from-checkout"\n' > "$root/bin/leakhound"
chmod +x "$root/bin/leakhound"
SH
chmod +x "$work/stub/cargo"
cargo_for_fallback="$work/stub/cargo"
[ "${LEAKHOUND_SLOW_TESTS:-}" = 1 ] && cargo_for_fallback=cargo

# install CASE [VERSION]: runs install.sh as the action does, in a fresh RUNNER_TEMP.
install() {
  mkdir -p "$work/$1"
  RUNNER_TEMP="$work/$1" GITHUB_PATH="$work/$1/path" INPUT_VERSION="${2:-}" LEAKHOUND_RELEASES_URL="$base" \
    CARGO="$cargo_for_fallback" STUB_LOG="$work/$1/cargo-args" LEAKHOUND_BIN="" \
    bash action/install.sh > "$work/$1/out" 2> "$work/$1/err"
}
installed() { echo "$work/$1/leakhound/bin/leakhound"; }

# action.yml must parse (GitHub rejects the action otherwise) and hand the version input to install.sh.
if python3 -c 'import yaml' 2>/dev/null; then
  python3 - <<'PY' || fail "action.yml"
import yaml
steps = yaml.safe_load(open("action.yml"))["runs"]["steps"]
install = next(s for s in steps if "install.sh" in s.get("run", ""))
assert install["env"]["INPUT_VERSION"] == "${{ inputs.version }}", install
PY
fi

echo "== the action's own version (Cargo.toml: $version) from its release"
install own || fail "install failed: $(cat "$work/own/err")"
[ "$(cat "$work/own/path")" = "$work/own/leakhound/bin" ] || fail "GITHUB_PATH: $(cat "$work/own/path")"
[ ! -e "$work/own/cargo-args" ] || fail "built although the release has the binary"
"$(installed own)" --version | grep -q "$version" || fail "the installed binary does not run"
cmp -s "$(installed own)" "$leakhound" || fail "the installed binary is not the released one"
make_leaky_repo "$work/repo"
expect_exit 1 "$(installed own)" scan --history "$work/repo" > /dev/null

echo "== latest, and an explicit v-prefixed version"
install latest latest || fail "latest: $(cat "$work/latest/err")"
grep -q "$version" "$work/latest/out" || fail "latest did not resolve to $version: $(cat "$work/latest/out")"
install explicit "v$version" || fail "explicit: $(cat "$work/explicit/err")"
cmp -s "$(installed explicit)" "$leakhound" || fail "v$version: not the released binary"

echo "== a checksum that does not match: refused, one line, exit 2, nothing installed"
expect_exit 2 install badsum 9.9.1
[ "$(wc -l < "$work/badsum/err")" -eq 1 ] || fail "not one line: $(cat "$work/badsum/err")"
grep -q "checksum mismatch for leakhound-9.9.1-$target.tar.gz" "$work/badsum/err" || fail "$(cat "$work/badsum/err")"
if [ -e "$(installed badsum)" ] || [ -s "$work/badsum/path" ]; then fail "a refused archive was installed"; fi
[ ! -e "$work/badsum/cargo-args" ] || fail "a refused archive fell back to the build"
echo "refused: $(cat "$work/badsum/err")"

echo "== no asset for the version: the build from the checkout"
install unreleased 9.9.2 || fail "fallback failed: $(cat "$work/unreleased/err")"
grep -q "no leakhound-9.9.2-$target.tar.gz in release v9.9.2" "$work/unreleased/out" || fail "$(cat "$work/unreleased/out")"
head -n 1 "$work/unreleased/out"
[ "$(cat "$work/unreleased/path")" = "$work/unreleased/leakhound/bin" ] || fail "fallback: GITHUB_PATH"
if [ "$cargo_for_fallback" = cargo ]; then
  "$(installed unreleased)" --version | grep -q "$version" || fail "the built binary does not run"
else
  [ "$(cat "$work/unreleased/cargo-args")" = "install --locked --path $PWD/crates/scanner-cli --root $work/unreleased/leakhound" ] ||
    fail "fallback ran: cargo $(cat "$work/unreleased/cargo-args")"
fi

echo "== LEAKHOUND_BIN: nothing downloaded"
mkdir -p "$work/given"
LEAKHOUND_BIN="$leakhound" RUNNER_TEMP="$work/given" GITHUB_PATH="$work/given/path" LEAKHOUND_RELEASES_URL="$base" \
  bash action/install.sh > "$work/given/out"
[ ! -e "$work/given/leakhound" ] || fail "installed although LEAKHOUND_BIN was given"
echo "action install: ok"
