#!/usr/bin/env python3
"""Build a git repository with a long, realistic history for the `scan --history` benchmark.

usage: make-history.py OUT_REPO [--commits 6000] [--seed 1] [--source DIR]

The first commit imports ~2,500 real source files (Python's standard library: real code, with the
hashes, test keys and `password` identifiers scanners trip over). Each later commit edits 2-4 files the
way development does (lines changed, inserted, deleted; now and then a file added), on a main line with
occasional feature branches merged back, so most blobs are new versions of old ones and the pack is
delta-compressed like a real project's. Every 500th commit plants a made-up GitLab token that a commit
40 later removes (12 in a 6,000-commit history), so a scan has something to find and attribute. Built
with `git fast-import` and packed with `git repack -adf`; about 40 s; deterministic for a seed.
"""
import argparse
import os
import random
import string
import subprocess
import sys
import sysconfig

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source", default=sysconfig.get_paths()["stdlib"])
    a = ap.parse_args()
    rng = random.Random(a.seed)

    files = {}
    for root, dirs, names in os.walk(a.source):
        dirs.sort()
        dirs[:] = [d for d in dirs if d not in ("__pycache__", "site-packages")]
        for n in sorted(names):
            if n.endswith((".py", ".txt", ".rst", ".cfg", ".toml", ".json")):
                p = os.path.join(root, n)
                try:
                    with open(p, encoding="utf-8") as f:
                        text = f.read()
                except (OSError, UnicodeDecodeError):
                    continue
                if 2_000 <= len(text) <= 400_000:
                    files[os.path.relpath(p, a.source)] = text.split("\n")
        if len(files) >= 2500:
            break
    paths = sorted(files)

    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "-C", a.out, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    w = fi.stdin.write
    mark = 0
    t = 1_500_000_000
    pending_removal = []

    def blob(text):
        nonlocal mark
        mark += 1
        data = text.encode()
        w(f"blob\nmark :{mark}\ndata {len(data)}\n".encode() + data + b"\n")
        return mark

    def commit(branch, msg, changes, parents=()):
        nonlocal mark, t
        t += rng.randint(600, 30_000)
        marks = [(p, blob("\n".join(files[p]))) for p in changes]
        mark += 1
        author = rng.choice(["Ada Lovelace <ada@example.org>", "Grace Hopper <grace@example.org>",
                             "Linus Torvalds <linus@example.org>", "Barbara Liskov <barbara@example.org>"])
        body = msg.encode()
        w(f"commit refs/heads/{branch}\nmark :{mark}\nauthor {author} {t} +0000\n"
          f"committer {author} {t} +0000\ndata {len(body)}\n".encode() + body + b"\n")
        for i, p in enumerate(parents):
            w(f"{'from' if i == 0 else 'merge'} :{p}\n".encode())
        for p, m in marks:
            w(f"M 100644 :{m} {p}\n".encode())
        return mark

    def edit(p):
        lines = files[p]
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(lines))
            r = rng.random()
            if r < 0.4:
                lines[i] = lines[i] + f"  # {rs(rng, string.ascii_lowercase, rng.randint(3, 12))}"
            elif r < 0.75:
                lines.insert(i, f"    {rs(rng, string.ascii_lowercase, 6)} = {rng.randint(0, 10**6)}")
            elif len(lines) > 10:
                del lines[i]

    head = commit("main", "import sources", paths)
    feature = None
    for n in range(1, a.commits):
        changed = rng.sample(paths, rng.randint(2, 4))
        for p in changed:
            edit(p)
        if rng.random() < 0.01:  # a new file
            p = f"added/mod_{n}.py"
            files[p] = files[rng.choice(paths)][:]
            paths.append(p)
            changed.append(p)
        if n % 500 == 250:  # plant a made-up credential, removed ~40 commits later
            p = rng.choice(paths)
            files[p].insert(3, f'GITLAB_TOKEN = "glpat-{rs(rng, B62, 20)}"')
            changed.append(p)
            pending_removal.append((n + 40, p))
        for when, p in list(pending_removal):
            if when == n:
                files[p] = [l for l in files[p] if not l.startswith("GITLAB_TOKEN")]
                changed.append(p)
                pending_removal.remove((when, p))
        changed = sorted(set(changed))
        if feature is None and rng.random() < 0.02:
            feature = commit("feature", f"feature work {n}", changed, [head])
        elif feature is not None and rng.random() < 0.2:
            head = commit("main", f"merge feature ({n})", changed, [head, feature])
            feature = None
        elif feature is not None:
            feature = commit("feature", f"feature work {n}", changed, [feature])
        else:
            head = commit("main", f"change {n}: {changed[0]}", changed, [head])
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", a.out, "branch", "-f", "feature", "main"], check=False)
    subprocess.run(["git", "-C", a.out, "repack", "-adf", "-q"], check=True)
    subprocess.run(["git", "-C", a.out, "reset", "-q", "--hard", "main"], check=True)
    blob_bytes = subprocess.run(
        f"git -C {a.out} cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' | "
        "awk '$1==\"blob\"{s+=$2; n++} END {print n, s}'", shell=True, capture_output=True, text=True).stdout.split()
    commits = subprocess.run(["git", "-C", a.out, "rev-list", "--all", "--count"], capture_output=True, text=True).stdout.strip()
    print(f"{a.out}: {commits} commits, {blob_bytes[0]} blobs, {int(float(blob_bytes[1])) / 1e6:.0f} MB of unique blob bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
