# syntax=docker/dockerfile:1
# leakhound in a container: a static (musl) binary on Alpine, with git for history scans.
#   docker build -t leakhound .
#   docker run --rm -v "$PWD:/src" leakhound scan /src
#   docker run --rm -v "$PWD:/src" leakhound scan --history /src

# Builder: Debian's Rust image, the same toolchain layout as CI (rustup + musl-tools), so that
# tests/docker.sh can run this stage's command line where no Docker daemon is available.
FROM rust:1.95-slim-bookworm AS build
# musl-gcc builds mimalloc's C code for the musl target.
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY . .
RUN scripts/build-static.sh /out

# Runtime: the static binary and git (for `scan --history`, `--staged`, hooks), as a non-root user.
FROM alpine:3.22
RUN apk add --no-cache git \
 && adduser -D -u 10001 leakhound \
 && git config --system --add safe.directory '*'
# safe.directory: the mounted repository belongs to the host user, not to the container's user;
# without it git refuses to read a repository owned by someone else ("dubious ownership").
COPY --from=build /out/leakhound /usr/local/bin/leakhound
# One worker of an organisation scan (deploy/kubernetes runs it as the Indexed Job's command).
COPY deploy/scan-shard.sh /usr/local/bin/leakhound-org-shard
USER leakhound
WORKDIR /src
ENTRYPOINT ["leakhound"]
CMD ["scan", "/src"]
