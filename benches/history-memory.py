#!/usr/bin/env python3
"""Peak memory and time of `scan --history` against the number of objects in the repository.

usage: benches/history-memory.py REPO [REPO ...] [--bin target/release/leakhound] [--vs OTHER_BIN]
                                 [--runs 3] [--rules FILE]

Build the repositories with make-history.py at growing sizes, for instance
    python3 benches/make-history.py /tmp/h100k --commits 12500    # ~100,000 objects
    python3 benches/make-history.py /tmp/h400k --commits 48000    # ~390,000 objects
    python3 benches/make-history.py /tmp/h1m   --commits 122000   # ~1,000,000 objects
and pass them in order. For each repository the table gives its object count and pack size, and the
median wall and CPU time and the largest peak RSS (wait4's ru_maxrss, which counts the file-backed pack
pages that are resident as well as the heap) of --runs runs of
`scan --history REPO --format json --output /dev/null`. With --vs, the other binary runs in turn with
the same arguments (A B A B ...: same-window pairs), and the table adds its figures and the ratios.
`--rules FILE --no-default-rules` measures the traversal alone (give a rule that never matches).
A flat peak as the object count grows is the goal.
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402  (the same whole-process timer as bench.sh)


def run(argv):
    """Wall and CPU seconds and peak RSS (MiB) of one run (measure.py's timer); exit 0 or 1 only."""
    r = measure.run(argv, capture=False)
    if r["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit {r['rc']}")
    return (r["wall"], r["cpu"], r["peak"])


def objects(repo):
    out = subprocess.run(["git", "-C", repo, "count-objects", "-v"], capture_output=True,
                         text=True, check=True).stdout
    kv = dict(line.split(": ") for line in out.splitlines() if ": " in line)
    return int(kv["count"]) + int(kv["in-pack"]), int(kv["size-pack"]) / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repos", nargs="+")
    ap.add_argument("--bin", default="target/release/leakhound")
    ap.add_argument("--vs", default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rules", default=None)
    a = ap.parse_args()
    extra = ["--rules", a.rules, "--no-default-rules"] if a.rules else []
    head = "| objects | pack MiB | wall s | CPU s | peak MiB |"
    rule = "|--:|--:|--:|--:|--:|"
    if a.vs:
        head += " other wall s | other peak MiB | wall ratio | peak ratio |"
        rule += "--:|--:|--:|--:|"
    print(head)
    print(rule)
    for repo in a.repos:
        n, pack = objects(repo)
        args = ["scan", "--history", repo, "--format", "json", "--output", "/dev/null", *extra]
        bins = [a.bin] + ([a.vs] if a.vs else [])
        for b in bins:  # warm the page cache
            run([b, *args])
        res = {b: [] for b in bins}
        for _ in range(a.runs):
            for b in bins:
                res[b].append(run([b, *args]))
        med = lambda b, i: statistics.median(r[i] for r in res[b])
        peak = lambda b: max(r[2] for r in res[b])
        row = f"| {n:,} | {pack:.0f} | {med(a.bin, 0):.2f} | {med(a.bin, 1):.2f} | {peak(a.bin):.0f} |"
        if a.vs:
            ratio = statistics.median(x[0] / y[0] for x, y in zip(res[a.bin], res[a.vs]))
            row += (f" {med(a.vs, 0):.2f} | {peak(a.vs):.0f} | {ratio:.2f} |"
                    f" {peak(a.bin) / peak(a.vs):.2f} |")
        print(row, flush=True)


if __name__ == "__main__":
    main()
