#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the repository's own data, under fuzz/corpus/<target>/:
# the rule pack (each rule alone, its examples and negative examples), the gitleaks sample, the README's
# examples, the test sources, files of recent commits (old/new pairs for the staged-diff target), and
# generated key bodies. Nothing here is committed: corpora are generated at run time (see README.md).
# Every value is either the repository's own fixture data or generated here; none is a real credential.
#
# Usage: fuzz/seed.sh            (idempotent; existing corpus files are kept)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
exec python3 - "$root" "$here/corpus" <<'PY'
import base64, hashlib, os, random, re, struct, subprocess, sys, tomllib
from pathlib import Path

root, out = Path(sys.argv[1]), Path(sys.argv[2])
rng = random.Random(11)
counts = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1

def fenced(text, lang):
    return re.findall(r"```" + lang + r"\n(.*?)```", text, re.S)

readme = (root / "README.md").read_text()
rule_files = sorted((root / "rules").glob("*.toml"))
tests = sorted((root / "tests").rglob("*.rs")) + sorted((root / "crates").rglob("*.rs"))

# ---- rules: each rule alone (leakhound format and as a gitleaks [[rules]] table), the gitleaks sample.
examples = []
for f in rule_files:
    text = f.read_text()
    chunks = re.split(r"(?m)^(?=\[\[rule\]\])", text)
    for c in chunks[1:]:
        put("rules", c)
        put("rules", 'title = "x"\n' + c.replace("[[rule]]", "[[rules]]", 1))
    for r in tomllib.loads(text).get("rule", []):
        examples += [(e, True) for e in r.get("examples", [])]
        examples += [(e, False) for e in r.get("negative_examples", [])]
gl = (root / "tests/data/gitleaks-sample.toml").read_text()
put("rules", gl)
for c in re.split(r"(?m)^(?=\[\[rules\]\])", gl)[1:]:
    put("rules", 'title = "x"\n' + c)

# ---- matcher: rule examples (alone, in a notebook cell, a .env and a Kubernetes Secret), test sources.
for i, (e, _) in enumerate(examples):
    sel = bytes([i % 256])
    put("matcher", sel + e.encode())
    if i % 7 == 0:
        nb = '{"cells": [{"source": ["' + e.replace('"', '\\"') + '\\n"]}]}'
        put("matcher", b"\x01" + nb.encode())
    if i % 11 == 0:
        b64 = base64.b64encode(e.encode()).decode()
        put("matcher", b"\x03" + f"apiVersion: v1\nkind: Secret\ndata:\n  value: {b64}\n".encode())
        put("matcher", b"\x02" + f"export SECRET_B64={b64}\n".encode())
for f in tests:
    data = f.read_bytes()
    if len(data) < 64 * 1024:
        put("matcher", bytes([len(data) % 256]) + data)
for block in fenced(readme, "(?:toml|yaml|json|sh)"):
    put("matcher", b"\x00" + block.encode())
    put("matcher", b"\x83" + block.encode())

# ---- config: the README's configs, a few combinations.
for block in fenced(readme, "toml"):
    put("config", block)
rule = re.split(r"(?m)^(?=\[\[rule\]\])", rule_files[0].read_text())[1]
for paths, regexes in [('["tests/**"]', "['^sk_test_']"), ('["**/*.snap", "docs/*"]', "['(?i)example|dummy']"), ("[]", "[]")]:
    put("config", f"[allowlist]\npaths = {paths}\nregexes = {regexes}\n\n[scan]\nrepo_config = false\n\n{rule}")

# ---- inventory: the README's, and generated entries.
for block in fenced(readme, "toml"):
    if "[[credential]]" in block:
        put("inventory", block)
for n in range(1, 4):
    entries = []
    for k in range(n):
        fp = "sha256:" + hashlib.sha256(f"seed-{n}-{k}".encode()).hexdigest()
        entries.append(f'[[credential]]\nfingerprint = "{fp}"\nowner = "team-{k}"\nexpires = 2027-0{k+1}-15\n'
                       f'status = "{["active", "revoked", "honeytoken"][k % 3]}"\ncreated = "2025-12-31"\n')
    put("inventory", "# inventory\n" + "\n".join(entries))
put("inventory", "credential = []\n")

# ---- baseline: generated.
import json
for n in range(0, 4):
    entries = [{"fingerprint": "sha256:" + hashlib.sha256(f"b-{k}".encode()).hexdigest(), "rule": "aws-access-key-id",
                "path": f"src/f{k}.env"} for k in range(n)]
    put("baseline", json.dumps({"version": 1, "entries": entries}, indent=2))

# ---- decode: encoded runs of rule examples, a wrapped PEM-ish block, percent-encoded URLs, a Secret.
for i, (e, _) in enumerate(examples[:400]):
    raw = e.encode()
    put("decode", bytes([0]) + base64.b64encode(raw))
    if i % 3 == 0:
        put("decode", bytes([1]) + raw.hex().encode())
        put("decode", bytes([2]) + b"password=" + "".join(f"%{b:02X}" if not chr(b).isalnum() else chr(b) for b in raw).encode())
body = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(300))).decode()
wrapped = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
put("decode", b"\x00tls.key: |\n  " + wrapped.replace("\n", "\n  ").encode() + b"\nnext: 1\n")
put("decode", b"\x07env:\n  - name: OPENAI_API_KEY\n    value: \"sk-abc\"\n")
put("decode", b"\x0akind: Secret\ndata:\n  url: cG9zdGdyZXM6Ly91OnBAaC9k\n  \"k\": \"dG9rZW4tdmFsdWUtaGVyZQ==\",\n")

# ---- validators: secrets of each kind (rule examples), generated key bodies, JWT parts, checksum bodies.
for i, (e, _) in enumerate(examples):
    for v in range(5):
        if (v in (1, 3) and "eyJ" not in e and "PRIVATE" not in e) or (v in (0, 2, 4) and i % 5 != v):
            continue
        put("validators", bytes([v]) + e.encode())

def der(tag, content):
    n = len(content)
    if n < 0x80:
        l = bytes([n])
    elif n < 0x100:
        l = bytes([0x81, n])
    else:
        l = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + l + content

def rnd(n):
    return bytes(rng.getrandbits(8) for _ in range(n))

ints = der(2, b"\0") + der(2, b"\0\x80" + rnd(255)) + der(2, b"\x01\0\x01") + b"".join(der(2, rnd(128)) for _ in range(6))
rsa = der(0x30, ints)
pk8 = der(0x30, der(2, b"\0") + der(0x30, der(6, bytes.fromhex("2a864886f70d010101")) + der(5, b"")) + der(4, rsa))
ec = der(0x30, der(2, b"\x01") + der(4, rnd(32)) + der(0xa0, der(6, bytes.fromhex("2a8648ce3d030107"))))
enc8 = der(0x30, der(0x30, der(6, bytes.fromhex("2a864886f70d01050d")) + der(0x30, rnd(40))) + der(4, rnd(64)))
def sshstr(b):
    return struct.pack(">I", len(b)) + b
ssh = b"openssh-key-v1\0" + sshstr(b"none") + sshstr(b"none") + sshstr(b"") + struct.pack(">I", 1) \
    + sshstr(sshstr(b"ssh-ed25519") + sshstr(rnd(32))) + sshstr(rnd(144))
pgp_pkt = bytes([4]) + rnd(4) + bytes([1]) + b"\x08\x00" + rnd(256) + b"\x00\x11\x01\x00\x01" + b"\0" + rnd(64)
pgp = bytes([0xc5, 0xff]) + struct.pack(">I", len(pgp_pkt)) + pgp_pkt
for label_sel, body in [(2, rsa), (10, pk8), (4, ec), (0, enc8), (6, ssh), (9, pgp), (13, rsa[:100])]:
    for legacy in (0, 8):
        put("validators", bytes([5 | legacy | (label_sel << 4)]) + body)
put("validators", b"\x06" + b'{"alg":"RS256","typ":"JWT"}\0{"iss":"https://auth.example.dev","aud":["a","b"],"exp":4102444800}')
put("validators", b"\x0e" + b'{"alg":"none"}\0{"sub":"1","exp":1000}')
put("validators", b"\x07" + b"Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps")

# ---- codeowners: a path, then a file.
owners = "# owners\n* @org/platform\n/services/billing/ @org/payments\n*.tf @org/infra\ndocs/* @docs\n[Section]\n^[Optional]\napps/ @apps\nlegacy/\n"
for p in ["services/billing/app.env", "main.tf", "docs/a.md", "docs/sub/a.md", "deep/apps/x.env", "legacy/a.py", "README.md"]:
    put("codeowners", p + "\n" + owners)

# ---- staged_lines: reach, old, NUL, new: files of the last commits, before and after.
def git(*args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True).stdout
revs = git("rev-list", "--max-count=30", "HEAD").split()
for rev in revs:
    for name in git("diff-tree", "--no-commit-id", "--name-only", "-r", rev).split()[:4]:
        old = git("show", f"{rev.decode()}~1:{name.decode()}")
        new = git("show", f"{rev.decode()}:{name.decode()}")
        if 0 < len(old) + len(new) < 48 * 1024 and b"\0" not in old + new:
            put("staged_lines", struct.pack("<H", 1024) + old + b"\0" + new)
put("staged_lines", struct.pack("<H", 64) + b"a\nb\n\nc\n\0a\nB\n\nc\nd")
put("staged_lines", struct.pack("<H", 0) + b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\nBBBB\n-----END RSA PRIVATE KEY-----\n\0-----BEGIN RSA PRIVATE KEY-----\nAAAA\nCCCC\n-----END RSA PRIVATE KEY-----\n")

for t, n in sorted(counts.items()):
    print(f"{t}: {n} seeds written")
PY
