#!/usr/bin/env python3
"""Measure leakhound's precision on real third-party code: how many findings, of which rules, per 100 MB.

usage: benches/precision.py [PATH ...] [--bin LEAKHOUND] [--json OUT] [--compare BEFORE.json]
                            [--examples 5] [--top 15] [--rules FILE|DIR ...] [--threads N]
                            [--respect-ignore] [--config FILE]
       benches/precision.py --load AFTER.json --compare BEFORE.json     (re-report saved figures, no scan)

Published packages contain almost no live credentials, so nearly every finding on them is noise: a
test fixture, a documentation example, or something that is not a secret at all. Findings per 100 MB of
such code is therefore the false-alarm rate a user meets when a scan covers vendored dependencies, and
the per-rule table says which rules to tighten. Each rule gets a few example locations (path:line:col,
redacted secret) so that a human can open the files and triage.

Corpus. With no PATH, every one of these that exists, in this order (a root nested inside an earlier
one is dropped, so nothing is scanned twice):
  * cargo's unpacked crate sources, $CARGO_HOME/registry/src (default ~/.cargo/registry/src);
  * Python's site-packages (`site.getsitepackages()` of the python3 running this script);
  * /usr/lib/python3* (the system standard library and dist-packages);
  * every outermost `node_modules` directory under /usr/lib and /usr/share/nodejs.
Paths on the command line replace these defaults. Each root is scanned by its own leakhound process
(same flags), which gives the per-root sizes. The corpus differs between machines, so the report and the
JSON always carry its size (files and MB that leakhound scanned, per root) and a digest of the sorted
(relative path, size) list of every regular file under the roots: two JSON files with the same digest
measured the same bytes, and --compare warns when they do not.

Flags passed to leakhound: `scan ROOT --format json --redact --no-ignore --config EMPTY`.
  * --redact: the report never holds a secret in full, only leakhound's short prefix (the script also
    cuts any secret that comes back unredacted to 4 characters, as a second guard).
  * --no-ignore: the walk honours .gitignore files even outside a git repository, and crates ship the
    author's .gitignore (74 of them on the reference machine hide `Cargo.lock` and `Cargo.toml.orig`,
    files that are in the package and on disk). A dependency tree is scanned as it is on disk, so
    ignore files are not honoured; --respect-ignore turns them back on.
  * --config EMPTY (an empty temporary file): a `.leakhound.toml` found above a root must not allowlist
    part of the corpus; --config FILE measures with a given config instead.
  * --rules FILE|DIR (repeatable) is passed through, to measure a rule change without a rebuild.

The binary is --bin, else target/release/leakhound of this repository, else `leakhound` on PATH.
MB are 10^6 bytes of text that leakhound scanned (binary and skipped files excluded).

Output (stdout): the corpus (roots, files, MB), total findings and unique secrets, findings per 100 MB,
a table by leakhound's finding context (code, test, docs, example, vendor, generated: count and per
100 MB), a table by rule (count, per 100 MB, share of all findings, distinct files, share under a
test/doc/example path), the packages with the most findings, and the example locations of each rule. --json OUT writes
the same figures plus every finding's location (rule, root label, relative path, line, column, redacted
secret, fingerprint, entropy). --compare BEFORE.json prints, per rule, the count before and after, the
delta, and how many locations (rule, file, line) disappeared or appeared, with a few of the new ones.

Example (the before/after of a rule change):
  python3 benches/precision.py --bin /tmp/old/leakhound --json /tmp/before.json
  python3 benches/precision.py --json /tmp/after.json --compare /tmp/before.json
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import re
import shutil
import site
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 1e6
# A path component that marks test, fixture, documentation or example code.
TESTISH = re.compile(
    r"(^|/)(tests?|testing|testdata|test_data|testsuite|fixtures?|__tests__|spec|specs|"
    r"docs?|examples?|samples?|benches|benchmarks?)(/|$)|(^|/)(test_[^/]*|[^/]*_tests?\.[a-z]+|conftest\.py)$",
    re.I)
# Components skipped when naming the package a file belongs to.
CONTAINERS = {"site-packages", "dist-packages", "node_modules"}


# ---------------------------------------------------------------------------------------------- corpus

def default_roots():
    cands = []
    cargo_home = os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo")
    cands.append(("cargo", os.path.join(cargo_home, "registry", "src")))
    try:
        sp = site.getsitepackages()
    except AttributeError:  # virtualenvs of old
        sp = []
    for p in sorted(sp):
        cands.append(("site-packages", p))
    for p in sorted(glob.glob("/usr/lib/python3*")):
        cands.append((os.path.basename(p), p))
    for base in ("/usr/lib", "/usr/share/nodejs"):
        for p in find_node_modules(base):
            cands.append(("node_modules", p))
    return cands


def find_node_modules(base):
    """Outermost node_modules directories under base (sorted, symlinks not followed)."""
    out = []
    if not os.path.isdir(base):
        return out
    for dirpath, dirnames, _ in os.walk(base, onerror=lambda e: None):
        dirnames.sort()
        if os.path.basename(dirpath) == "node_modules":
            out.append(dirpath)
            dirnames[:] = []  # nested node_modules are inside this root
    return out


def dedupe(cands):
    """Existing roots, first occurrence wins, a root inside an earlier one dropped. Labels made unique."""
    roots, seen_labels = [], collections.Counter()
    for label, p in cands:
        if not os.path.exists(p):
            continue
        real = os.path.realpath(p)
        if any(real == r["real"] or real.startswith(r["real"] + os.sep) for r in roots):
            continue
        # A later root that contains earlier ones replaces them (scanning the outer one covers both).
        roots = [r for r in roots if not r["real"].startswith(real + os.sep)]
        seen_labels[label] += 1
        lab = label if seen_labels[label] == 1 else f"{label}#{seen_labels[label]}"
        roots.append({"label": lab, "path": os.path.abspath(p), "real": real})
    return roots


def corpus_digest(roots):
    """sha256 over the sorted (label, relative path, size) of every regular file; also the on-disk totals."""
    h = hashlib.sha256()
    files = size = 0
    for r in roots:
        entries = []
        if os.path.isfile(r["path"]):
            entries.append((os.path.basename(r["path"]), os.path.getsize(r["path"])))
        for dirpath, dirnames, filenames in os.walk(r["path"], onerror=lambda e: None):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            for fn in filenames:
                full = os.path.join(dirpath, fn)
                try:
                    st = os.lstat(full)
                except OSError:
                    continue
                if not os.path.stat.S_ISREG(st.st_mode):
                    continue
                entries.append((os.path.relpath(full, r["path"]), st.st_size))
        entries.sort()
        for rel, sz in entries:
            h.update(f"{r['label']}\0{rel}\0{sz}\n".encode("utf-8", "surrogateescape"))
        r["disk_files"] = len(entries)
        r["disk_bytes"] = sum(sz for _, sz in entries)
        files += len(entries)
        size += r["disk_bytes"]
    return "sha256:" + h.hexdigest(), files, size


def package_of(rel):
    parts = rel.split("/")
    i = 0
    while i < len(parts) - 1 and (parts[i] in CONTAINERS or parts[i].startswith("index.")):
        i += 1
    if parts[i].startswith("@") and i + 1 < len(parts) - 1:
        return parts[i] + "/" + parts[i + 1]
    return parts[i]


# ------------------------------------------------------------------------------------------------ scan

def find_bin(explicit):
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            sys.exit(f"precision.py: --bin {explicit}: not an executable file")
        return os.path.abspath(explicit)
    local = os.path.join(REPO, "target", "release", "leakhound")
    if os.path.isfile(local) and os.access(local, os.X_OK):
        return local
    onpath = shutil.which("leakhound")
    if onpath:
        return onpath
    sys.exit("precision.py: no leakhound binary: pass --bin, build target/release/leakhound, or put it on PATH")


def redact(s):
    """leakhound --redact already cut the secret; never let a full one through if it did not."""
    if s.endswith("\u2026") and len(s) <= 12:
        return s
    return s[:4] + "\u2026"


def scan(a, bin_, roots):
    version = subprocess.run([bin_, "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="lh-precision-") as tmp:
        config = a.config
        if not config:
            config = os.path.join(tmp, "empty.leakhound.toml")
            open(config, "w").close()
        findings, t0 = [], time.perf_counter()
        for r in roots:
            out = os.path.join(tmp, "report.json")
            argv = [bin_, "scan", r["path"], "--format", "json", "--redact", "--config", config, "-o", out]
            if not a.respect_ignore:
                argv.append("--no-ignore")
            if a.threads:
                argv += ["--threads", str(a.threads)]
            for rf in a.rules or []:
                argv += ["--rules", rf]
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, errors="replace")
            if p.returncode not in (0, 1, 2) or not os.path.exists(out):
                sys.exit(f"precision.py: {' '.join(argv)} exited {p.returncode}:\n{p.stderr[-2000:]}")
            with open(out, encoding="utf-8") as fh:
                rep = json.load(fh)
            os.unlink(out)
            s = rep["summary"]
            r.update(files=s.get("files", 0), bytes=s.get("bytes", 0), skipped=s.get("skipped", {}),
                     seconds=s.get("seconds"), findings=len(rep["findings"]), exit=p.returncode,
                     stderr_lines=len([l for l in p.stderr.splitlines() if l.strip()]))
            for f in rep["findings"]:
                path = f["path"]
                if os.path.isfile(r["path"]):
                    rel = os.path.basename(path)
                else:
                    rel = os.path.relpath(path, r["path"]) if os.path.isabs(path) else path
                findings.append({
                    "rule": f["rule"], "severity": f.get("severity"), "root": r["label"], "rel": rel,
                    "path": path, "line": f["line"], "column": f["column"],
                    "secret": redact(f.get("secret", "")), "fingerprint": f.get("fingerprint"),
                    "entropy": f.get("entropy"), "validation": f.get("validation"),
                    "context": f.get("context", "unknown"),
                })
        elapsed = time.perf_counter() - t0
    return version, findings, elapsed


# ------------------------------------------------------------------------------------------- figures

def figures(a, bin_, version, roots, digest, disk_files, disk_bytes, findings, elapsed):
    total_bytes = sum(r["bytes"] for r in roots)
    mb = total_bytes / MB
    per100 = lambda n: (n / mb * 100) if mb else 0.0
    by_rule = collections.defaultdict(list)
    for f in findings:
        by_rule[f["rule"]].append(f)
    rules = {}
    for rule, fs in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        fs.sort(key=lambda f: (f["root"], f["rel"], f["line"], f["column"]))
        pk = collections.Counter(package_of(f["rel"]) for f in fs)
        rules[rule] = {
            "count": len(fs),
            "per_100mb": round(per100(len(fs)), 3),
            "share": round(len(fs) / len(findings), 4),
            "files": len({(f["root"], f["rel"]) for f in fs}),
            "unique_secrets": len({f["fingerprint"] for f in fs}),
            "test_path_share": round(sum(1 for f in fs if TESTISH.search(f["rel"])) / len(fs), 3),
            "severity": fs[0]["severity"],
            "packages": dict(pk.most_common()),
            "examples": pick_examples(fs, a.examples),
            "locations": [{k: f[k] for k in ("root", "rel", "line", "column", "secret", "fingerprint", "entropy")}
                          for f in fs],
        }
    pk = collections.Counter((f["root"], package_of(f["rel"])) for f in findings)
    ctx = collections.Counter(f["context"] for f in findings)
    contexts = {c: {"count": n, "per_100mb": round(per100(n), 3)} for c, n in ctx.most_common()}
    return {
        "tool": version, "bin": bin_, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "flags": {"no_ignore": not a.respect_ignore, "config": a.config, "rules": a.rules or []},
        "corpus": {
            "digest": digest, "disk_files": disk_files, "disk_bytes": disk_bytes,
            "files": sum(r["files"] for r in roots), "bytes": total_bytes, "mb": round(mb, 2),
            "roots": [{k: r.get(k) for k in ("label", "path", "files", "bytes", "skipped", "findings",
                                              "disk_files", "disk_bytes", "exit", "stderr_lines")}
                      for r in roots],
        },
        "seconds": round(elapsed, 2),
        "findings": len(findings),
        "unique_secrets": len({f["fingerprint"] for f in findings}),
        "per_100mb": round(per100(len(findings)), 3),
        "top_packages": [{"root": r, "package": p, "findings": n} for (r, p), n in pk.most_common(50)],
        "contexts": contexts,
        "rules": rules,
    }


def pick_examples(fs, n):
    """Up to n findings from distinct packages (then distinct files), spread evenly over the sorted list."""
    if n <= 0:
        return []
    picked, seen_pk, seen_file = [], set(), set()
    for want_new_pkg in (True, False):
        step = max(1, len(fs) // max(1, n))
        order = list(range(0, len(fs), step)) + list(range(len(fs)))
        for i in order:
            f = fs[i]
            key = (f["root"], f["rel"])
            pkg = (f["root"], package_of(f["rel"]))
            if key in seen_file or (want_new_pkg and pkg in seen_pk):
                continue
            picked.append(f)
            seen_file.add(key)
            seen_pk.add(pkg)
            if len(picked) == n:
                break
        if len(picked) == n:
            break
    picked.sort(key=lambda f: (f["root"], f["rel"], f["line"]))
    return [{"root": f["root"], "path": f["path"], "line": f["line"], "column": f["column"],
             "secret": f["secret"], "entropy": f["entropy"]} for f in picked]


# -------------------------------------------------------------------------------------------- output

def table(rows, header, align=None):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    align = align or ["<"] + [">"] * (len(header) - 1)
    fmt = lambda row: "| " + " | ".join(f"{str(x):{al}{w}}" for x, w, al in zip(row, widths, align)) + " |"
    out = [fmt(header), "|" + "|".join(("-" * (w + 1) + ":" if al == ">" else ":" + "-" * (w + 1))
                                        for w, al in zip(widths, align)) + "|"]
    out += [fmt(r) for r in rows]
    return "\n".join(out)


def mbs(b):
    return f"{b / MB:,.1f}"


def report(fig, examples=True, top=15):
    c = fig["corpus"]
    print(f"# leakhound precision on third-party code\n")
    print(f"binary: {fig['bin']} ({fig['tool']}); flags: "
          f"{'--no-ignore' if fig['flags']['no_ignore'] else 'ignore files honoured'}"
          f"{', --config ' + fig['flags']['config'] if fig['flags']['config'] else ''}"
          f"{''.join(', --rules ' + r for r in fig['flags']['rules'])}")
    print(f"corpus: {c['mb']:,.1f} MB in {c['files']:,} files scanned "
          f"({c['disk_bytes'] / MB:,.1f} MB, {c['disk_files']:,} files on disk); digest {c['digest'][:23]}…\n")
    rows = []
    for r in c["roots"]:
        sk = ", ".join(f"{k} {v}" for k, v in sorted((r.get("skipped") or {}).items()))
        rows.append([r["label"], r["path"], f"{r['files']:,}", mbs(r["bytes"]), r["findings"], sk or "-"])
    print(table(rows, ["root", "path", "files", "MB", "findings", "skipped"], ["<", "<", ">", ">", ">", "<"]))
    for r in c["roots"]:
        if r.get("exit") == 2 or r.get("stderr_lines"):
            print(f"note: {r['label']}: leakhound exit {r.get('exit')}, {r.get('stderr_lines')} stderr line(s)")
    print(f"\nfindings: {fig['findings']:,} ({fig['unique_secrets']:,} unique secrets) = "
          f"**{fig['per_100mb']:.1f} per 100 MB**  (scan {fig['seconds']} s)\n")
    if fig.get("contexts"):
        # leakhound's own `context` of each finding (relative to the scanned root): what a user's report
        # would list in real code and what it would list apart.
        print(table([[c, v["count"], f"{v['per_100mb']:.2f}"] for c, v in fig["contexts"].items()],
                    ["context", "count", "/100 MB"], ["<", ">", ">"]) + "\n")
    rows = [[rule, r["severity"], r["count"], f"{r['per_100mb']:.2f}", f"{r['share'] * 100:.1f}%", r["files"],
             r["unique_secrets"], f"{r['test_path_share'] * 100:.0f}%",
             ", ".join(f"{p} {n}" for p, n in list(r["packages"].items())[:3])]
            for rule, r in fig["rules"].items()]
    print(table(rows, ["rule", "severity", "count", "/100 MB", "share", "files", "unique", "test/doc path",
                       "top packages"], ["<", "<", ">", ">", ">", ">", ">", ">", "<"]))
    if top and fig["top_packages"]:
        print(f"\npackages with the most findings:\n")
        print(table([[p["root"], p["package"], p["findings"]] for p in fig["top_packages"][:top]],
                    ["root", "package", "findings"], ["<", "<", ">"]))
    if examples:
        print("\nexamples (redacted) per rule:")
        for rule, r in fig["rules"].items():
            print(f"\n{rule} ({r['count']}):")
            for e in r["examples"]:
                print(f"  {e['path']}:{e['line']}:{e['column']}  {e['secret']}  (entropy {e['entropy']})")


def compare(before, after, show_new=3):
    print("\n# compared with the BEFORE figures\n")
    cb, ca = before["corpus"], after["corpus"]
    print(f"before: {before['tool']}, {cb['mb']:,.1f} MB, {before['findings']:,} findings, "
          f"{before['per_100mb']:.1f} per 100 MB")
    print(f"after:  {after['tool']}, {ca['mb']:,.1f} MB, {after['findings']:,} findings, "
          f"{after['per_100mb']:.1f} per 100 MB")
    if cb.get("digest") != ca.get("digest"):
        print("WARNING: the corpora differ (digest mismatch): compare the per-100-MB columns, not counts; "
              "location deltas include files that exist on one side only")
    loc = lambda r, l: {(x["root"], x["rel"], x["line"]) for x in r.get("locations", [])} if r else set()
    rows, news = [], []
    for rule in sorted(set(before["rules"]) | set(after["rules"]),
                       key=lambda k: -max(before["rules"].get(k, {}).get("count", 0),
                                          after["rules"].get(k, {}).get("count", 0))):
        rb, ra = before["rules"].get(rule), after["rules"].get(rule)
        nb, na = (rb or {}).get("count", 0), (ra or {}).get("count", 0)
        lb, la = loc(rb, rule), loc(ra, rule)
        gone, new = lb - la, la - lb
        rows.append([rule, nb, na, f"{na - nb:+d}", f"{(rb or {}).get('per_100mb', 0):.2f}",
                     f"{(ra or {}).get('per_100mb', 0):.2f}", len(gone), len(new)])
        if new and ra:
            ex = [x for x in ra["locations"] if (x["root"], x["rel"], x["line"]) in new][:show_new]
            news.append((rule, len(new), ex))
    rows.append(["TOTAL", before["findings"], after["findings"], f"{after['findings'] - before['findings']:+d}",
                 f"{before['per_100mb']:.2f}", f"{after['per_100mb']:.2f}", "", ""])
    print()
    print(table(rows, ["rule", "before", "after", "delta", "/100 MB before", "/100 MB after", "gone", "new"]))
    if news:
        print("\nnew locations (redacted), a few per rule:")
        for rule, n, ex in news:
            print(f"\n{rule} (+{n}):")
            for x in ex:
                print(f"  [{x['root']}] {x['rel']}:{x['line']}:{x['column']}  {redact(x['secret'])}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="roots to scan (replace the default corpus)")
    ap.add_argument("--bin", help="leakhound binary (default: target/release/leakhound, else PATH)")
    ap.add_argument("--json", metavar="OUT", help="write the figures and every finding location here")
    ap.add_argument("--compare", metavar="BEFORE.json", help="print the per-rule delta against this run")
    ap.add_argument("--load", metavar="FIGURES.json", help="report saved figures instead of scanning")
    ap.add_argument("--examples", type=int, default=5, help="example locations per rule (default 5)")
    ap.add_argument("--top", type=int, default=15, help="packages listed by findings (default 15)")
    ap.add_argument("--rules", action="append", metavar="FILE|DIR", help="passed to leakhound (repeatable)")
    ap.add_argument("--config", help="leakhound config (default: an empty one)")
    ap.add_argument("--threads", type=int, default=0, help="leakhound --threads (default: one per core)")
    ap.add_argument("--respect-ignore", action="store_true", help="do not pass --no-ignore")
    a = ap.parse_args()

    if a.load:
        with open(a.load, encoding="utf-8") as fh:
            fig = json.load(fh)
    else:
        bin_ = find_bin(a.bin)
        if a.paths:
            # A path that is one of the default roots keeps its default label, so that locations match
            # a default run's in --compare.
            known = {os.path.realpath(p): label for label, p in default_roots()}
            roots = dedupe([(known.get(os.path.realpath(p), p.rstrip("/") or "/"), p) for p in a.paths])
            missing = [p for p in a.paths if not os.path.isdir(p) and not os.path.isfile(p)]
            if missing:
                sys.exit(f"precision.py: no such path: {', '.join(missing)}")
        else:
            roots = dedupe(default_roots())
        if not roots:
            sys.exit("precision.py: no corpus roots exist on this machine; give paths")
        if a.config:
            a.config = os.path.abspath(a.config)
        a.rules = [os.path.abspath(r) for r in a.rules or []]
        digest, disk_files, disk_bytes = corpus_digest(roots)
        version, findings, elapsed = scan(a, bin_, roots)
        fig = figures(a, bin_, version, roots, digest, disk_files, disk_bytes, findings, elapsed)
        if a.json:
            with open(a.json, "w", encoding="utf-8") as fh:
                json.dump(fig, fh, indent=1, ensure_ascii=False)
                fh.write("\n")
    report(fig, examples=a.examples > 0, top=a.top)
    if a.compare:
        with open(a.compare, encoding="utf-8") as fh:
            compare(json.load(fh), fig)
    if a.json and not a.load:
        print(f"\nfigures written to {a.json}")


if __name__ == "__main__":
    main()
