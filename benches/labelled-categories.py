#!/usr/bin/env python3
"""Recall of the labelled set by issue-12 category (rule file) and by context, from its JSON report.

usage: benches/labelled-categories.py [REPORT]   (default: target/labelled-report.json)

Run `cargo test -p leakhound --test integration labelled::` first; it writes the report. Each rule belongs to the
category of its rule file (rules/<stem>.toml); the table gives samples generated, found by the expected
rule, found by another rule on the same bytes, and recall. The second table is recall by context (where
the secret was written: code, YAML, .env, Makefile, XML, ...), over every rule.
"""
import collections
import json
import sys

CATEGORIES = [
    ("names and assignment syntaxes (generic tier)", {"generic"}),
    ("connection strings, command lines, SQL, credential files", {"cli", "files", "database"}),
    ("key material", {"keys"}),
    ("password hashes", {"hashes"}),
    ("services with no rule before issue 12",
     {"data", "finance", "productivity", "marketing", "communication", "devtools", "hosting", "security"}),
    ("existing services (variants) and new credential types",
     {"ai", "ai-data", "business", "cicd", "cloud", "infra", "messaging", "observability", "payments",
      "registries", "saas", "vcs", "identity"}),
]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "target/labelled-report.json"
    rep = json.load(open(path, encoding="utf-8"))
    by_cat = collections.defaultdict(lambda: [0, 0, 0, 0])
    for rule, r in rep["rules"].items():
        stem = r["file"].rsplit("/", 1)[-1].removesuffix(".toml")
        cat = next((name for name, stems in CATEGORIES if stem in stems), f"other ({stem})")
        c = by_cat[cat]
        c[0] += 1
        c[1] += r["generated"]
        c[2] += r["found"]
        c[3] += sum(r["found_by_other_rule"].values())
    print(f"| category | rules | samples | found | by another rule | recall |\n|:--|--:|--:|--:|--:|--:|")
    for name, _ in CATEGORIES + [(k, None) for k in by_cat if k.startswith("other")]:
        if name in by_cat:
            n, g, f, o = by_cat[name]
            print(f"| {name} | {n} | {g:,} | {f:,} | {o:,} | {f / g * 100 if g else 0:.2f}% |")
    t = rep["totals"]
    print(f"\ntotals: {json.dumps(t)}\n")
    print("| context | samples | found | recall |\n|:--|--:|--:|--:|")
    for ctx, c in sorted(rep["contexts"].items(), key=lambda kv: kv[1]["recall"]):
        print(f"| {ctx} | {c['generated']:,} | {c['found']:,} | {c['recall'] * 100:.2f}% |")
    neg = rep["negatives"]
    print(f"\nnegatives: {neg.get('buffers')} buffers, {len(neg.get('by_kind', {}))} kinds, "
          f"false positives: {neg.get('false_positives', neg.get('findings', 'see report'))}")


if __name__ == "__main__":
    main()
