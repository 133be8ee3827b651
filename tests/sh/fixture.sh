# Shared by the shell tests (sourced): made-up secrets and small git repositories to scan.

# A made-up token in the shape of a GitLab personal access token, random on each run (written out
# here it would be a finding in this repository's own scan).
fake_token() {
  printf 'glpat-%s' "$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 20)"
}

# git with a fixed identity, outside CI, no colour.
fgit() {
  GIT_AUTHOR_NAME='Dev One' GIT_AUTHOR_EMAIL=dev1@example.org \
    GIT_COMMITTER_NAME='Dev One' GIT_COMMITTER_EMAIL=dev1@example.org \
    git -c init.defaultBranch=main -c commit.gpgsign=false "$@"
}

# make_leaky_repo DIR: a repository whose history adds a token and a later commit removes it, so that
# the working tree is clean and only `scan --history` finds it.
make_leaky_repo() {
  mkdir -p "$1"
  fgit -C "$1" init -q
  printf 'token = "%s"\n' "$(fake_token)" > "$1/config.py"
  fgit -C "$1" add config.py
  fgit -C "$1" commit -qm 'add config'
  printf 'token = ""\n' > "$1/config.py"
  fgit -C "$1" commit -qam 'remove the token'
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE CMD...: runs CMD and fails unless it exits with CODE.
expect_exit() {
  want=$1; shift
  set +e; "$@"; got=$?; set -e
  [ "$got" -eq "$want" ] || fail "expected exit $want, got $got: $*"
}
