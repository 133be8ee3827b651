#!/usr/bin/env python3
"""Build a realistic source tree for the scan benchmark.

usage: make-corpus.py OUT_DIR [--mb 220] [--seed 1] [--source DIR ...]

Most of the tree is real third-party code copied from the package caches this machine already has
(cargo's registry sources, Python's standard library and site-packages): real code is what a scanner
meets, and it is full of the near-misses (hashes, test keys, `password` identifiers) that cost precision
and time. Around it the script generates what real repositories also carry: lock files with integrity
hashes, minified JavaScript bundles (single lines of several MB), CI and app configs, `.env` files, and a
few planted credentials, listed in OUT_DIR/PLANTED.tsv (path, line, kind) so recall can be checked.
Every planted value is random and made up. A `big/` subtree holds a few large files for the large-file
throughput figure. Deterministic for a given seed and source set.
"""
import argparse
import base64
import json
import os
import random
import shutil
import string
import sys
import sysconfig
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
TEXT_EXT = {".rs", ".py", ".js", ".ts", ".go", ".c", ".h", ".cc", ".cpp", ".java", ".rb", ".md", ".rst",
            ".txt", ".toml", ".yaml", ".yml", ".json", ".cfg", ".ini", ".html", ".css", ".sh", ".pyi", ".xml"}


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def copy_sources(sources, dest, budget):
    copied = 0
    for src in sources:
        if not os.path.isdir(src):
            continue
        name = src.strip("/").replace("/", "_")[-40:]
        for root, dirs, files in os.walk(src):
            dirs.sort()
            dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
            for f in sorted(files):
                p = os.path.join(root, f)
                ext = os.path.splitext(f)[1]
                # Mostly text, plus the odd binary (.so, .pyc are skipped by the scanner, as in real trees).
                if ext not in TEXT_EXT and ext not in (".so", ".png", ".gz"):
                    continue
                try:
                    size = os.path.getsize(p)
                except OSError:
                    continue
                if size > 8 << 20 or os.path.islink(p):
                    continue
                out = os.path.join(dest, "vendor", name, os.path.relpath(p, src))
                os.makedirs(os.path.dirname(out), exist_ok=True)
                try:
                    shutil.copyfile(p, out)
                except OSError:
                    continue
                copied += size
                if copied >= budget:
                    return copied
    return copied


def synthetic_code(rng, n_bytes):
    words = ["user", "config", "token", "password", "request", "response", "handler", "cache", "client",
             "secret", "value", "result", "index", "buffer", "session", "account", "key", "api", "data"]
    lines, size = [], 0
    while size < n_bytes:
        a, b = rng.choice(words), rng.choice(words)
        line = rng.choice([
            f"    let {a}_{b} = self.{b}.get(&{a})?;",
            f"def {a}_{b}(self, {a}, {b}=None):",
            f"        return {a}.{b}({rng.randint(0, 999)})",
            f"// {a} {b}: keep the {b} for the {a} until it expires",
            f"    if {a} is None or len({b}) > {rng.randint(1, 64)}:",
            f'    "{a}_{b}": "{rs(rng, string.ascii_lowercase, rng.randint(3, 12))}",',
        ])
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def lock_file(rng, n_pkgs):
    pkgs = {}
    for i in range(n_pkgs):
        name = rs(rng, string.ascii_lowercase, rng.randint(4, 12))
        digest = base64.b64encode(rng.randbytes(64)).decode()
        pkgs[f"node_modules/{name}"] = {
            "version": f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.{i}.tgz",
            "integrity": f"sha512-{digest}",
            "dev": rng.random() < 0.5,
        }
    return json.dumps({"name": "app", "lockfileVersion": 3, "packages": pkgs}, indent=2)


def minified_js(rng, n_bytes):
    parts, size = [], 0
    while size < n_bytes:
        v = rs(rng, string.ascii_letters, 2)
        p = rng.choice([
            f"var {v}=function(e,t){{return e.{rs(rng, string.ascii_lowercase, 5)}(t)}};",
            f"{v}.prototype.{rs(rng, string.ascii_lowercase, 6)}=function(){{this._t=null}};",
            f'{v}("{rs(rng, B62, 24)}",{rng.randint(0, 1 << 30)});',
            f"if(!{v})throw new Error(\"token missing\");",
        ])
        parts.append(p)
        size += len(p)
    return "".join(parts)


def github_token(rng):
    body = rs(rng, B62, 30)
    n = zlib.crc32(body.encode())
    check = ""
    for _ in range(6):
        check = B62[n % 62] + check
        n //= 62
    return "ghp_" + body + check


def planted(rng):
    """(relative path, text before, secret line, kind)."""
    return [
        ("services/billing/.env", "PORT=8080\nLOG_LEVEL=info\n", f"STRIPE_SECRET_KEY=sk_live_{rs(rng, B62, 99)}", "stripe-live-secret-key"),
        ("services/billing/config/aws.yml", "region: eu-west-1\n", f"access_key_id: AKIA{rs(rng, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}", "aws-access-key-id"),
        ("tools/release.py", "import os\n\n", f'GITHUB_TOKEN = "{github_token(rng)}"', "github-pat-classic"),
        ("deploy/k8s/values.yaml", "image: app:1.2\n", f"  slackWebhook: https://hooks.slack.com/services/T{rs(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/B{rs(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/{rs(rng, B62, 24)}", "slack-webhook-url"),
        ("apps/web/src/db.ts", "import pg from 'pg';\n", f"const url = 'postgres://web:{rs(rng, B62, 22)}@db.prod.internal:5432/web';", "postgres-uri-password"),
        ("ml/notebooks/train.py", "import openai\n", f'openai.api_key = "sk-proj-{rs(rng, B62, 74)}T3BlbkFJ{rs(rng, B62, 74)}"', "openai-api-key"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=220)
    ap.add_argument("--big-mb", type=int, default=512, help="size of the big/ subtree of large files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source", action="append")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sources = a.source or [
        os.path.expanduser("~/.cargo/registry/src"),
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"],
    ]
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    budget = a.mb << 20
    generated = 0
    # Generated parts first (~12% of the tree), then real code up to the budget.
    tree = os.path.join(a.out, "tree")
    for i in range(6):
        p = os.path.join(tree, f"apps/app{i}/package-lock.json")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            generated += f.write(lock_file(rng, 6000))
    for i in range(4):
        p = os.path.join(tree, f"apps/app{i}/dist/bundle.{rs(rng, string.hexdigits.lower(), 8)}.min.js")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            generated += f.write(minified_js(rng, (3 + i) << 20))
    rows = []
    for rel, before, line, kind in planted(rng):
        p = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            generated += f.write(before + line + "\n")
        rows.append(f"tree/{rel}\t{before.count(chr(10)) + 1}\t{kind}")
    copied = copy_sources(sources, tree, max(0, budget - generated))
    while generated + copied < budget:  # not enough real code here: fill with synthetic code
        p = os.path.join(tree, f"synthetic/mod{generated}.rs")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            generated += f.write(synthetic_code(rng, 200_000))
    # Large files: bundles of 64 MiB each (under the default 100 MiB limit).
    big = os.path.join(a.out, "big")
    os.makedirs(big)
    chunk = minified_js(rng, 8 << 20)
    for i in range(max(1, a.big_mb // 64)):
        with open(os.path.join(big, f"large{i}.js"), "w") as f:
            for _ in range(8):
                f.write(chunk)
    with open(os.path.join(a.out, "PLANTED.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"{a.out}: tree {(generated + copied) / 1e6:.0f} MB ({copied / 1e6:.0f} MB real code), "
          f"big {max(1, a.big_mb // 64) * 64} MiB, {len(rows)} planted", file=sys.stderr)


if __name__ == "__main__":
    main()
