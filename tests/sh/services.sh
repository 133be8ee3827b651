#!/usr/bin/env bash
# What the tests need besides cargo, from Debian's packages: PostgreSQL (started on loopback, throwaway
# data directory: tests/sh/postgres.sh) and Chromium (the HTML report's browser test). .ci/run starts
# this in the background while the lints compile and waits for it before `cargo test`.
#   tests/sh/services.sh URLFILE    installs what is missing, starts PostgreSQL, writes its URL to URLFILE
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing from Debian's packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The server without the package's own cluster (its postinst would create and start one).
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
fi
bash tests/sh/postgres.sh start > "$1"
