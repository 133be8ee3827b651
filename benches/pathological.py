#!/usr/bin/env python3
"""Time the release binary on pathological inputs at growing sizes: scan time must grow linearly.

usage: benches/pathological.py [--bin target/release/leakhound] [--shapes a,b] [--sizes 1,2,4,8,16]
                               [--aws-ids 1000000,2000000,4000000] [--flags "--max-findings-per-file 0"]
                               [--timeout 120] [--runs 1] [--keep DIR]

Each shape is one file, generated deterministically (made-up values, never a real credential), at each
size (MB, 10^6 bytes); `aws-ids` is sized by the number of key ids instead. For every size the table gives
the whole-process wall and CPU (user + sys) time of the median run of --runs, MB/s of CPU time, the
findings reported, and the growth of CPU time against the previous size: for linear time it follows the
size ratio (2.0 for doubling sizes). CPU time, not wall time, because the reference machine is shared.
A run over --timeout is shown as `>T` (the old code takes minutes to days on some of these shapes).

Each run is `scan FILE --format jsonl --output /dev/null --threads 1`; findings are counted from the
summary line on stderr. Pass `--flags "--max-findings-per-file 0"` to measure the
matcher with the per-file findings cap off (every finding is built and reported); with the default cap
the shapes that produce millions of findings stop early.
"""
import argparse
import base64
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

B32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Rand:
    """Deterministic random strings (made-up values that reproduce run to run)."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def word(self, alphabet, n):
        table = bytes(alphabet[i % len(alphabet)] for i in range(256))
        return self.r.randbytes(n).translate(table)


def repeat_to(size, unit):
    return (unit * (size // len(unit) + 1))[:size]


def pool(make, n=4096):
    """`n` distinct records, cycled: distinct enough that no rule dedupes them, cheap to generate."""
    return [make(i) for i in range(n)]


def fill(size, records, sep=b"\n"):
    out = bytearray()
    i = 0
    while len(out) < size:
        out += records[i % len(records)] + sep
        i += 1
    return bytes(out[:size])


def aws_id(r):
    # Distinct ids that are not placeholders: no run of one character, no EXAMPLE.
    while True:
        body = r.word(B32, 16)
        if not any(body[i] == body[i + 1] == body[i + 2] for i in range(14)):
            return b"AKIA" + body


def b64(s):
    return base64.b64encode(s)


def shapes():
    """name -> (file name, generator(size_bytes) -> bytes, what it exercises)."""
    r = Rand(7)
    pw = pool(lambda i: b'password = "' + r.word(B62, 18) + b'"')
    kv = pool(lambda i: b"- name: OPENAI_API_KEY\n  value: sk-proj-" + r.word(B62, 20) + b"T3BlbkFJ" + r.word(B62, 20))
    enc = pool(lambda i: b'password: "' + b64(b"pw-" + r.word(B62, 14) + b"-x") + b'"')
    nb = pool(lambda i: b'  "    db_password = \\"' + r.word(B62, 20) + b'\\"\\n",')
    sec = pool(lambda i: b"  key" + str(i).encode() + b": " + b64(b"postgres://app:" + r.word(B62, 16) + b"@db/x"))
    pem_body = b64(r.word(B62, 900))
    pem = b"-----BEGIN RSA PRIVATE KEY-----\n" + b"\n".join(pem_body[i:i + 64] for i in range(0, len(pem_body), 64)) + b"\n"
    return {
        # One giant line of `password=`: every hit is an assignment whose value runs to the end of the line.
        "password-line": ("pw.txt", lambda n: repeat_to(n, b"password="), "one line of repeated `password=`"),
        # Millions of generic findings, one per line.
        "password-lines": ("pw.env", lambda n: fill(n, pw), "`password = \"<random>\"` lines (generic findings)"),
        # The same on a single line: every check that looks back to the line start is quadratic here.
        "password-one-line": ("pw1.env", lambda n: fill(n, pw, b" "), "the same on one line"),
        # Keyword hits that never match: identifiers and prose around generic keywords.
        "keyword-noise": ("noise.py", lambda n: repeat_to(n, b"reset_password(user) the token is refreshed; api_key_id secret "),
                          "keyword hits that fail the assignment gate, one line"),
        # Assignments that pass the gate but whose values are filtered (short, words, types).
        "assign-noise": ("assign.py", lambda n: repeat_to(n, b"password: str, token=None, secret_key = self.secret_key "),
                         "assignments whose values are filtered, one line"),
        # AWS key ids one per line, on one line, sized by count in the aws-ids table.
        "aws-line": ("aws1.txt", lambda n: fill(n, pool(lambda i: aws_id(r)), b" "), "AWS key ids on one line"),
        # Encoded values decoded in their line.
        "encoded-line": ("enc.yml", lambda n: fill(n, enc, b" "), "`password: \"<base64 text>\"` on one line"),
        # A long base64 run full of the encoded `-----BEGIN ` trigger.
        "encoded-triggers": ("trig.txt", lambda n: repeat_to(n, b64(b"-----BEGIN -----BEGIN -----BEGIN ")),
                             "one base64 run of `-----BEGIN ` (encoded triggers)"),
        # Random base64, no newlines (a data URI).
        "base64-run": ("data.txt", lambda n: b"data = \"" + Rand(3).word(B62 + b"+/", n), "one run of random base64"),
        # PEM headers with bodies and no END, and bare headers on one line.
        "pem-no-end": ("keys.pem", lambda n: repeat_to(n, pem), "`-----BEGIN RSA PRIVATE KEY-----` blocks without END"),
        "begin-line": ("begin.txt", lambda n: repeat_to(n, b"-----BEGIN RSA PRIVATE KEY----- "), "repeated BEGIN on one line"),
        # Kubernetes env pairs (joined and rescanned), and the same on one line.
        "k8s-env": ("deploy.yaml", lambda n: fill(n, kv), "`- name:` / `value:` pairs with OpenAI keys"),
        "name-line": ("names.yaml", lambda n: repeat_to(n, b"- name: OPENAI_API_KEY "), "repeated `- name:` on one line"),
        # A Secret manifest: every value of the document decoded.
        "kind-secret": ("secret.yaml", lambda n: b"kind: Secret\ndata:\n" + fill(n, sec), "`kind: Secret` with many base64 values"),
        # A notebook whose lines are JSON strings full of `\"`.
        "notebook": ("nb.ipynb", lambda n: fill(n, nb), "notebook lines `db_password = \\\"…\\\"`"),
    }


def run(argv, timeout):
    """Wall and CPU (user + sys) seconds of one run, findings reported, and the stderr text."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    wall = time.perf_counter() - t0
    if status != 0 and os.waitstatus_to_exitcode(status) < 0:
        return None
    m = re.search(rb"^(\d+) findings?", err, re.M)
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "findings": int(m.group(1)) if m else None,
            "truncated": err.count(b": truncated:")}


def table(title, rows):
    print(f"\n### {title}\n")
    print("| size | wall s | CPU s | MB/s (CPU) | findings | CPU growth |")
    print("|---|---|---|---|---|---|")
    prev = None
    for label, mb, r in rows:
        if r is None:
            print(f"| {label} | >{args.timeout:.0f} | | | | |")
            prev = None
            continue
        growth = f"{r['cpu'] / prev:.2f}x" if prev else ""
        f = "?" if r["findings"] is None else f"{r['findings']:,}"
        if r["truncated"]:
            f += " (truncated)"
        print(f"| {label} | {r['wall']:.3f} | {r['cpu']:.3f} | {mb / max(r['cpu'], 1e-6):.1f} | {f} | {growth} |")
        prev = r["cpu"]
    sys.stdout.flush()


def measure(path, argv_tail):
    """The median run (by CPU time) of --runs."""
    rs = []
    for _ in range(args.runs):
        r = run([args.bin, "scan", path, "--format", "jsonl", "--output", os.devnull, "--threads", "1"] + argv_tail,
                args.timeout)
        if r is None:
            return None
        rs.append(r)
    return sorted(rs, key=lambda r: r["cpu"])[len(rs) // 2]


def main():
    global args
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/leakhound")
    ap.add_argument("--shapes", default="all")
    ap.add_argument("--sizes", default="1,2,4,8,16", help="MB")
    ap.add_argument("--aws-ids", default="1000000,2000000,4000000")
    ap.add_argument("--flags", default="", help="extra scan flags, e.g. \"--max-findings-per-file 0\"")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--keep", help="write the inputs here instead of a temporary directory")
    args = ap.parse_args()
    tail = args.flags.split()
    sizes = [float(s) for s in args.sizes.split(",") if s]
    all_shapes = shapes()
    wanted = list(all_shapes) + ["aws-ids"] if args.shapes == "all" else args.shapes.split(",")
    print(f"binary: {args.bin} {args.flags}".rstrip())
    print(f"machine: {os.cpu_count()} cores; one thread per scan; timeout {args.timeout:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        d = args.keep or tmp
        os.makedirs(d, exist_ok=True)
        for name in wanted:
            if name == "aws-ids":
                rows = []
                r = Rand(11)
                ids = [aws_id(r) for _ in range(100_000)]
                for count in [int(c) for c in args.aws_ids.split(",") if c]:
                    # 100,000 distinct ids cycled; each carries a line number so every line differs.
                    path = os.path.join(d, f"aws-{count}.txt")
                    with open(path, "wb") as f:
                        for i in range(0, count, 100_000):
                            f.write(b"\n".join(ids[: min(100_000, count - i)]) + b"\n")
                    mb = os.path.getsize(path) / 1e6
                    r = measure(path, tail)
                    rows.append((f"{count:,} ids ({mb:.0f} MB)", mb, r))
                    os.remove(path)
                    if r is None:
                        break
                table("aws-ids: AWS key ids, one per line", rows)
                continue
            fname, gen, what = all_shapes[name]
            rows = []
            for mb in sizes:
                path = os.path.join(d, fname)
                with open(path, "wb") as f:
                    f.write(gen(int(mb * 1e6)))
                r = measure(path, tail)
                rows.append((f"{mb:g} MB", mb, r))
                if r is None:
                    break  # larger sizes would only take longer
            table(f"{name}: {what}", rows)


if __name__ == "__main__":
    main()
