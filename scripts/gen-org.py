#!/usr/bin/env python3
"""Generates an organisation of git repositories for benchmarks (scripts/bench-org.sh).

    scripts/gen-org.py DIR N [--commits C] [--files F]

Each repository (DIR/svc-NNN, bare, with an `origin` on git.example.test) gets a history of C commits
(default 120) over F source files (default 250): code, configs, docs with realistic line lengths, each
commit editing a few files, so that packs hold deltas as real ones do (~2-4 MB of history each). One
repository in three leaks a made-up token in a config file; one in ten shares a CI token with its
neighbour. Built with `git fast-import`, which stores each file's versions as deltas of the one before
(as a pushed pack does), on every core. Deterministic.
"""
import argparse
import multiprocessing
import os
import shutil
import random
import subprocess

WORDS = ("account balance cache client config context data error event handler index item key list "
         "logger message metric model order payment queue record request response result service "
         "session state status store stream task token user value worker").split()
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def line(rng, ext):
    ws = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
    if ext == "py":
        return f"    {ws.replace(' ', '_')} = compute({rng.randint(0, 9999)})  # {ws}"
    if ext == "yml":
        return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}: {ws}"
    return ws.capitalize() + "."


def token(rng, prefix="glpat-"):
    return prefix + "".join(rng.choice(B62) for _ in range(20))


def repo(path, i, commits, nfiles):
    rng = random.Random(i)
    exts = ["py"] * 6 + ["yml"] * 2 + ["md"]
    files = {}
    for f in range(nfiles):
        ext = rng.choice(exts)
        files[f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_{f}.{ext}"] = [line(rng, ext) for _ in range(rng.randint(20, 120))]
    if i % 3 == 0:
        files["config/app.yml"] = ["gitlab:", f"  token: {token(rng)}", "  url: https://gitlab.example.test"]
    if i % 10 < 2:
        shared = random.Random(10_000 + i // 10)
        files["deploy/ci.env"] = [f"GITLAB_TOKEN={token(shared)}"]
    names = sorted(files)
    out = []
    t = 1_700_000_000 + i * 3600
    for c in range(commits):
        touched = names if c == 0 else rng.sample(names, min(len(names), rng.randint(1, 6)))
        if c > 0:
            for n in touched:
                body = files[n]
                ext = n.rsplit(".", 1)[-1]
                for _ in range(rng.randint(1, 5)):
                    body.insert(rng.randint(0, len(body)), line(rng, ext))
        t += rng.randint(600, 86_400)
        msg = f"{rng.choice(WORDS)}: {' '.join(rng.choice(WORDS) for _ in range(5))}\n"
        out.append(f"commit refs/heads/main\ncommitter Dev {c % 7} <dev{c % 7}@example.test> {t} +0000\n")
        out.append(f"data {len(msg.encode())}\n{msg}")
        for n in touched:
            data = ("\n".join(files[n]) + "\n").encode()
            out.append(f"M 100644 inline {n}\ndata {len(data)}\n")
            out.append(data.decode() + "\n")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", path], check=True)
    subprocess.run(["git", "-C", path, "remote", "add", "origin", f"https://git.example.test/acme/svc-{i:03}.git"], check=True)
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input="".join(out).encode(), check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--commits", type=int, default=120)
    ap.add_argument("--files", type=int, default=250)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    todo = [(os.path.join(a.dir, f"svc-{i:03}.git"), i, a.commits, a.files) for i in range(a.n)]
    todo = [t for t in todo if not os.path.exists(os.path.join(t[0], "refs", "heads", "main"))
            and not os.path.exists(os.path.join(t[0], "packed-refs"))]
    for t in todo:
        shutil.rmtree(t[0], ignore_errors=True)
    with multiprocessing.Pool() as pool:
        pool.starmap(repo, todo)


if __name__ == "__main__":
    main()
