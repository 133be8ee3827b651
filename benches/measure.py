#!/usr/bin/env python3
"""Time the release binary over a corpus from make-corpus.py and print a markdown table.

usage: measure.py LEAKHOUND CORPUS [--runs 5]

Whole-process timings (wall, user+sys CPU, peak RSS via wait4), medians over --runs after one warm-up
run (warm page cache: the figure is the scanner's, not the disk's). MB/s counts the bytes leakhound
reports having scanned (binary and skipped files excluded), 10^6 bytes per MB.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv, capture=True):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    out = p.stdout.read() if capture else b""
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak": ru.ru_maxrss / 1024.0,
            "rc": os.waitstatus_to_exitcode(status), "out": out}


def series(argv, runs, capture=True):
    run(argv, capture)  # warm-up
    rs = [run(argv, capture) for _ in range(runs)]
    med = lambda k: statistics.median(r[k] for r in rs)
    return {"wall": med("wall"), "cpu": med("cpu"), "peak": max(r["peak"] for r in rs), "last": rs[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("leakhound")
    ap.add_argument("corpus")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--history", help="a repository (make-history.py) for the `scan --history` figures")
    ap.add_argument("--staged", help="a repository with staged changes (make-staged.sh) for hook latency")
    a = ap.parse_args()
    lh = os.path.abspath(a.leakhound)
    rows = []

    for name, sub, threads in (("tree", "tree", 2), ("tree, 1 thread", "tree", 1), ("large files", "big", 2)):
        argv = [lh, "scan", os.path.join(a.corpus, sub), "--format", "json", "--threads", str(threads)]
        s = series(argv, a.runs)
        summary = json.loads(s["last"]["out"])["summary"]
        mb = summary["bytes"] / 1e6
        rows.append((name, f"{summary['files']:,} files, {mb:,.0f} MB", f"{mb / s['wall']:,.0f} MB/s",
                     f"{summary['files'] / s['wall']:,.0f} files/s", f"{s['wall'] * 1000:,.0f} ms",
                     f"{s['cpu']:.2f} s", f"{s['peak']:.0f} MiB"))
        if sub == "tree" and threads == 2:
            findings = json.loads(s["last"]["out"])["findings"]
            planted = [l.split("\t") for l in open(os.path.join(a.corpus, "PLANTED.tsv")).read().split("\n") if l]
            prefix = os.path.join(a.corpus, "tree") + "/"
            got = {(f["path"].removeprefix(prefix), f["line"], f["rule"]) for f in findings}
            found = sum((p.removeprefix("tree/"), int(l), k) in got for p, l, k in planted)
            recall = f"planted found: {found}/{len(planted)}; findings: {len(findings)}"

    # Start-up: a whole process scanning one small file (what a hook pays before its first byte).
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write("import os\nTOKEN = os.environ['TOKEN']\n")
    ts = sorted(run([lh, "scan", f.name])["wall"] for _ in range(60))
    os.unlink(f.name)
    startup = f"one small file, whole process: p50 {ts[30] * 1000:.1f} ms, p90 {ts[54] * 1000:.1f} ms"

    if a.history:
        sizes = subprocess.run(
            ["git", "-C", a.history, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectsize)"],
            capture_output=True, text=True, check=True).stdout.split("\n")
        blob_mb = sum(int(l.split()[1]) for l in sizes if l.startswith("blob ")) / 1e6
        for name, argv in (("history: leakhound scan --history", [lh, "scan", "--history", a.history, "--format", "json"]),
                           ("history: git cat-file --batch-all-objects --batch (the floor)",
                            ["git", "-C", a.history, "cat-file", "--batch-all-objects", "--batch", "--unordered"])):
            s = series(argv, a.runs, capture=argv[0] == lh)
            rows.append((name, f"{blob_mb:,.0f} MB of unique blobs", f"{blob_mb / s['wall']:,.0f} MB/s", "",
                         f"{s['wall'] * 1000:,.0f} ms", f"{s['cpu']:.2f} s", f"{s['peak']:.0f} MiB"))

    staged = ""
    if a.staged:
        ts = sorted(run([lh, "scan", "--staged", a.staged])["wall"] for _ in range(100))
        staged = f"scan --staged (20 files, 300 added lines, repository of 23k files): p50 {ts[50] * 1000:.1f} ms, p99 {ts[98] * 1000:.1f} ms"

    print("| input | size | throughput | files/s | wall (median) | CPU | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print(recall)
    print(startup)
    if staged:
        print(staged)


if __name__ == "__main__":
    sys.exit(main())
