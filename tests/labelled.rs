//! The labelled evaluation set: recall and false-positive rate of every rule of the default pack.
//!
//! `tests/labelled/formats/*.toml` describe the real format of each credential (one `[[format]]` per
//! token shape). This test generates several tokens per format from a fixed-seed PRNG, embeds each in
//! every place secrets leak (code, YAML, JSON, `.env`, Dockerfiles, notebooks, shell history, logs, CI
//! configs, Terraform, Java properties, usage lines and whole credential files), scans each file with
//! the library and checks that the expected rule reports exactly that secret. It also scans hundreds of
//! realistic non-secrets (digests, ids, lock files, images, public keys, references, fixtures…) that
//! must not be reported. See `tests/labelled/README.md`.
//!
//! Run with `cargo test -p leakhound --test integration labelled:: -- --nocapture` to see the
//! tables; the JSON report goes to `target/labelled-report.json` (or `$LEAKHOUND_LABELLED_REPORT`).
//!
//! Every value here is generated at test time; nothing is, or was ever, a live credential.

#[path = "labelled/contexts.rs"]
mod contexts;
#[path = "labelled/negatives.rs"]
mod negatives;

use crate::gen;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use leakhound_core::{redact, Finding, Scanner, Scratch};
use serde::Deserialize;
use serde_json::json;

use contexts::{Doc, Sample};
use gen::{fnv1a, Rng};

/// Tokens generated per format; each is embedded in every applicable context.
const SEEDS: u64 = 10;
/// Negative buffers generated per negative kind.
const NEGATIVES_PER_KIND: usize = 40;
/// Every rule with formats must reach this recall…
const MIN_RULE_RECALL: f64 = 0.90;
/// …and all samples together this one.
const MIN_OVERALL_RECALL: f64 = 0.97;

/// Rules known to miss real formats or contexts today, exempt from `MIN_RULE_RECALL` and from the overall
/// threshold (they stay in the report). Each entry: rule id, why. Fix the rule, then delete the entry:
/// the test fails on an entry whose rule has reached the threshold.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Findings on the negative set (or, kind `collateral`, elsewhere in a positive file built from a
/// standard context) that are accepted for now: `(rule, negative kind, why)`. Fix the rule, then delete
/// the entry: the test fails on an entry that no longer fires.
const ALLOWED_FALSE_POSITIVES: &[(&str, &str, &str)] = &[];

// ------------------------------------------------------------------------------------ format files

#[derive(Debug, Deserialize)]
struct FormatFile {
    #[serde(default)]
    format: Vec<Format>,
}

#[derive(Debug, Deserialize)]
struct Format {
    rule: String,
    name: String,
    template: Option<String>,
    special: Option<String>,
    /// Text before / after the secret inside the value (templates too): a URI around its password.
    #[serde(default)]
    before: String,
    #[serde(default)]
    after: String,
    /// Restrict to these standard contexts (`[]`: only `usage` and `file`).
    contexts: Option<Vec<String>>,
    #[serde(default)]
    exclude_contexts: Vec<String>,
    /// Whether the assignment syntaxes (`contexts::SYNTAXES`) count for this format's rule; default:
    /// only for the generic rules' formats (`generic.toml`).
    syntaxes: Option<bool>,
    /// Shell-history lines using the value: `{value}`, `{name}` and placeholders.
    #[serde(default)]
    usage: Vec<String>,
    /// Whole files holding the value.
    #[serde(default)]
    file: Vec<FileSpec>,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
struct FileSpec {
    path: String,
    content: String,
}

struct LoadedFormat {
    source: String,
    format: Format,
    /// Whether samples in the assignment syntaxes count toward the rule's recall.
    syntaxes: bool,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load_formats(errors: &mut Vec<String>) -> Vec<LoadedFormat> {
    let dir = repo_root().join("tests/labelled/formats");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let file: FormatFile = match toml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                errors.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        for (i, format) in file.format.into_iter().enumerate() {
            let source = format!("{stem}.toml#{} ({})", i + 1, format.rule);
            if !format.extra.is_empty() {
                eprintln!(
                    "warning: {source}: unknown keys {:?}",
                    format.extra.keys().collect::<Vec<_>>()
                );
            }
            match (&format.template, &format.special) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => errors.push(format!("{source}: needs exactly one of template / special")),
            }
            let syntaxes = format.syntaxes.unwrap_or(stem == "generic");
            out.push(LoadedFormat {
                source,
                format,
                syntaxes,
            });
        }
    }
    out
}

// --------------------------------------------------------------------------------------- samples

struct Generated {
    value: String,
    secret: (usize, usize),
}

fn generate(f: &Format, rng: &mut Rng) -> Result<Generated, String> {
    let before = gen::expand(&f.before, rng, &[])?;
    let (mid, range) = match (&f.template, &f.special) {
        (Some(t), _) => {
            let v = gen::expand(t, rng, &[])?;
            let n = v.len();
            (v, (0, n))
        }
        (None, Some(s)) => {
            let sp = gen::special(s, rng)?;
            let n = sp.value.len();
            (sp.value, sp.secret.unwrap_or((0, n)))
        }
        (None, None) => return Err("no template".into()),
    };
    let after = gen::expand(&f.after, rng, &[])?;
    Ok(Generated {
        secret: (before.len() + range.0, before.len() + range.1),
        value: format!("{before}{mid}{after}"),
    })
}

/// Expands a usage/file template around the first `{value}`: `(text before, text after)`.
fn around_value(
    template: &str,
    rng: &mut Rng,
    name: &str,
    value: &str,
) -> Result<(String, String), String> {
    let vars = [("value", value), ("name", name)];
    let (a, b) = template
        .split_once("{value}")
        .ok_or_else(|| format!("{template:?} has no {{value}}"))?;
    Ok((gen::expand(a, rng, &vars)?, gen::expand(b, rng, &vars)?))
}

fn docs_for(
    f: &Format,
    g: &Generated,
    rng: &mut Rng,
    self_identifying: bool,
) -> Result<Vec<Doc>, String> {
    let sample = Sample {
        name: &f.name,
        value: &g.value,
        secret: g.secret,
        self_identifying,
    };
    let mut docs = Vec::new();
    let ids: Vec<&str> = match &f.contexts {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => contexts::STANDARD.to_vec(),
    };
    for id in ids {
        if !contexts::STANDARD.contains(&id) {
            return Err(format!("unknown context {id:?}"));
        }
        if f.exclude_contexts.iter().any(|x| x == id) {
            continue;
        }
        if let Some(d) = contexts::standard(id, &sample) {
            docs.push(d);
        }
    }
    for (n, u) in f.usage.iter().enumerate() {
        let (pre, post) = around_value(u, rng, &f.name, &g.value)?;
        docs.push(contexts::usage(n + 1, &pre, &sample, &post));
    }
    for spec in &f.file {
        let (pre, post) = around_value(&spec.content, rng, &f.name, &g.value)?;
        docs.push(contexts::file(&spec.path, &pre, &sample, &post));
    }
    // Formats limited to some contexts (or to files only) describe values that only occur there.
    if f.contexts.is_none() {
        for id in contexts::SYNTAXES {
            if f.exclude_contexts.iter().any(|x| x == id) {
                continue;
            }
            if let Some(d) = contexts::syntax(id, &sample) {
                docs.push(d);
            }
        }
    }
    Ok(docs)
}

// ------------------------------------------------------------------------------------ evaluation

#[derive(Default)]
struct RuleStats {
    formats: usize,
    generated: usize,
    found: usize,
    partial: usize,
    missed: usize,
    by_other: BTreeMap<String, usize>,
    /// context → misses (partial, other rule or nothing)
    miss_contexts: BTreeMap<String, usize>,
    examples: Vec<String>,
}

impl RuleStats {
    fn recall(&self) -> f64 {
        if self.generated == 0 {
            0.0
        } else {
            self.found as f64 / self.generated as f64
        }
    }

    fn by_other_total(&self) -> usize {
        self.by_other.values().sum()
    }
}

#[derive(Clone)]
struct FalsePositive {
    rule: String,
    kind: String,
    path: String,
    secret: String,
}

#[derive(Default)]
struct Positives {
    stats: BTreeMap<String, RuleStats>,
    /// context → (generated, found)
    by_context: BTreeMap<String, (usize, usize)>,
    /// Findings outside the labelled secret in standard-context files.
    collateral: Vec<FalsePositive>,
    /// Formats whose `special` has no generator.
    not_generated: Vec<String>,
    /// Assignment syntax → (generated, found) over every format, counted or not.
    by_syntax: BTreeMap<String, (usize, usize)>,
}

fn overlaps(f: &Finding, start: usize, end: usize) -> bool {
    f.offset < end && start < f.offset + f.secret.len()
}

fn short(s: &str, n: usize) -> String {
    let one_line = s.replace('\n', "⏎");
    if one_line.chars().count() <= n {
        one_line
    } else {
        one_line.chars().take(n).collect::<String>() + "…"
    }
}

fn is_known_gap(rule: &str) -> bool {
    KNOWN_GAPS.iter().any(|(g, _)| *g == rule)
}

/// Generates every format's samples, scans each file and classifies the outcome.
fn evaluate_formats(
    scanner: &Scanner,
    formats: &[LoadedFormat],
    errors: &mut Vec<String>,
) -> Positives {
    let mut pos = Positives::default();
    let mut scratch = Scratch::new();
    let mut findings = Vec::new();
    // LEAKHOUND_LABELLED_DEBUG=<rule id>: print every missed file of that rule.
    let debug = std::env::var("LEAKHOUND_LABELLED_DEBUG").ok();

    for lf in formats {
        let f = &lf.format;
        let Some(rule) = scanner.rules().get(&f.rule) else {
            continue;
        };
        if let Some(sp) = f.special.as_deref().filter(|s| !gen::known_special(s)) {
            pos.not_generated
                .push(format!("{}: special {sp:?}", lf.source));
            continue;
        }
        let st = pos.stats.entry(f.rule.clone()).or_default();
        st.formats += 1;
        let identity = format!(
            "{}|{}|{}|{}|{}|{}",
            f.rule,
            f.name,
            f.template.as_deref().unwrap_or(""),
            f.special.as_deref().unwrap_or(""),
            f.before,
            f.after
        );
        for seed in 0..SEEDS {
            let mut rng = Rng::new(fnv1a(&identity) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let docs = generate(f, &mut rng).and_then(|g| {
                let lower = g.value.to_ascii_lowercase();
                // A generic rule's keywords are words (`pw`, `pass`) that random values contain by
                // chance: they never make a value self-identifying.
                let self_identifying = !rule.is_generic()
                    && rule
                        .keywords()
                        .iter()
                        .any(|k| lower.contains(&k.to_ascii_lowercase()));
                docs_for(f, &g, &mut rng, self_identifying)
            });
            let docs = match docs {
                Ok(d) => d,
                Err(e) => {
                    errors.push(format!("{}: {e}", lf.source));
                    break;
                }
            };
            for d in docs {
                findings.clear();
                scanner.scan_bytes_into(&d.path, d.content.as_bytes(), &mut scratch, &mut findings);
                let (start, end) = (d.offset, d.offset + d.secret.len());
                let hit = findings
                    .iter()
                    .any(|x| x.rule == f.rule && x.secret == d.secret);
                if contexts::SYNTAXES.contains(&d.context.as_str()) {
                    let e = pos.by_syntax.entry(d.context.clone()).or_default();
                    e.0 += 1;
                    e.1 += usize::from(hit);
                    if !lf.syntaxes {
                        continue;
                    }
                }
                let ctx_key = d.context.split(['#', ':']).next().unwrap_or("").to_owned();
                let ctx = pos.by_context.entry(ctx_key).or_default();
                ctx.0 += 1;
                st.generated += 1;
                if hit {
                    st.found += 1;
                    ctx.1 += 1;
                } else {
                    let same = findings
                        .iter()
                        .find(|x| x.rule == f.rule && overlaps(x, start, end));
                    let other = findings.iter().find(|x| overlaps(x, start, end));
                    let what = if let Some(x) = same {
                        st.partial += 1;
                        format!("partial match {}", redact(&x.secret))
                    } else if let Some(x) = other {
                        *st.by_other.entry(x.rule.clone()).or_default() += 1;
                        format!("found by {}", x.rule)
                    } else {
                        st.missed += 1;
                        "not found".to_owned()
                    };
                    *st.miss_contexts.entry(d.context.clone()).or_default() += 1;
                    if debug.as_deref() == Some(f.rule.as_str()) {
                        let got: Vec<_> = findings.iter().map(|x| (&x.rule, &x.secret)).collect();
                        eprintln!(
                            "--- miss {} {} ({what}):\n{}\n--- findings: {got:?}",
                            d.context, d.path, d.content
                        );
                    }
                    if st.examples.len() < 6 {
                        st.examples.push(format!(
                            "{} [{}] {}: {}",
                            d.context,
                            d.path,
                            what,
                            short(&redact(&d.secret), 40)
                        ));
                    }
                }
                // Anything else reported in a standard-context file comes from the scaffolding
                // around the value: a false positive. (Usage lines and credential files may hold
                // other generated secrets, so they are not checked.)
                if contexts::STANDARD.contains(&d.context.as_str())
                    || contexts::SYNTAXES.contains(&d.context.as_str())
                {
                    for x in findings.iter().filter(|x| !overlaps(x, start, end)) {
                        pos.collateral.push(FalsePositive {
                            rule: x.rule.clone(),
                            kind: "collateral".into(),
                            path: format!("{} ({})", d.path, f.rule),
                            secret: x.secret.clone(),
                        });
                    }
                }
            }
        }
    }
    pos
}

/// Scans the negative set: every finding is a false positive.
fn evaluate_negatives(scanner: &Scanner) -> (BTreeMap<&'static str, usize>, Vec<FalsePositive>) {
    let mut buffers = BTreeMap::new();
    let mut fps = Vec::new();
    let mut scratch = Scratch::new();
    let mut findings = Vec::new();
    for n in negatives::all(0x1AB3_11ED, NEGATIVES_PER_KIND) {
        *buffers.entry(n.kind).or_default() += 1;
        findings.clear();
        scanner.scan_bytes_into(&n.path, n.content.as_bytes(), &mut scratch, &mut findings);
        for x in &findings {
            fps.push(FalsePositive {
                rule: x.rule.clone(),
                kind: n.kind.to_owned(),
                path: n.path.clone(),
                secret: x.secret.clone(),
            });
        }
    }
    (buffers, fps)
}

/// False positives counted by (rule, kind), with one example each.
struct FpSummary {
    counts: BTreeMap<(String, String), usize>,
    example: BTreeMap<(String, String), String>,
}

fn summarise(fps: &[FalsePositive]) -> FpSummary {
    let mut s = FpSummary {
        counts: BTreeMap::new(),
        example: BTreeMap::new(),
    };
    for fp in fps {
        let k = (fp.rule.clone(), fp.kind.clone());
        *s.counts.entry(k.clone()).or_default() += 1;
        s.example
            .entry(k)
            .or_insert_with(|| format!("{}: {}", fp.path, short(&fp.secret, 60)));
    }
    s
}

/// (generated, found, found by another rule, partial, missed) over `rows` passing `keep`.
fn totals(
    rows: &[(&String, &RuleStats)],
    keep: impl Fn(&str) -> bool,
) -> (usize, usize, usize, usize, usize) {
    rows.iter()
        .filter(|(id, _)| keep(id))
        .fold((0, 0, 0, 0, 0), |t, (_, s)| {
            (
                t.0 + s.generated,
                t.1 + s.found,
                t.2 + s.by_other_total(),
                t.3 + s.partial,
                t.4 + s.missed,
            )
        })
}

fn ratio(found: usize, generated: usize) -> f64 {
    if generated == 0 {
        0.0
    } else {
        found as f64 / generated as f64
    }
}

fn render_table(
    rows: &[(&String, &RuleStats)],
    pos: &Positives,
    neg_buffers: &BTreeMap<&str, usize>,
    fp: &FpSummary,
    formats: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nLabelled set: {formats} formats, {SEEDS} seeds each, {} rules with formats\n",
        rows.len()
    );
    let _ = writeln!(
        out,
        "{:<38} {:>4} {:>5} {:>5} {:>5} {:>5} {:>5} {:>7}  misses by context",
        "rule", "fmt", "gen", "found", "other", "part", "miss", "recall"
    );
    for (id, s) in rows {
        let misses: Vec<String> = s
            .miss_contexts
            .iter()
            .map(|(c, n)| format!("{c}:{n}"))
            .collect();
        let flag = match (s.recall() < MIN_RULE_RECALL, is_known_gap(id)) {
            (true, true) => "K",
            (true, false) => "!",
            _ => " ",
        };
        let _ = writeln!(
            out,
            "{:<38} {:>4} {:>5} {:>5} {:>5} {:>5} {:>5} {:>6.1}%{flag} {}",
            id,
            s.formats,
            s.generated,
            s.found,
            s.by_other_total(),
            s.partial,
            s.missed,
            100.0 * s.recall(),
            misses.join(" ")
        );
    }
    let (g, f, o, p, m) = totals(rows, |_| true);
    let _ = writeln!(
        out,
        "{:<38} {:>4} {g:>5} {f:>5} {o:>5} {p:>5} {m:>5} {:>6.1}%",
        "TOTAL",
        formats,
        100.0 * ratio(f, g)
    );
    let (g, f, o, p, m) = totals(rows, |id| !is_known_gap(id));
    let _ = writeln!(
        out,
        "{:<38} {:>4} {g:>5} {f:>5} {o:>5} {p:>5} {m:>5} {:>6.1}%",
        "TOTAL outside KNOWN_GAPS",
        "",
        100.0 * ratio(f, g)
    );
    let _ = writeln!(
        out,
        "(K: below {:.0}%, listed in KNOWN_GAPS; !: below, not listed)",
        100.0 * MIN_RULE_RECALL
    );

    let _ = writeln!(out, "\nRecall by context:");
    for (c, (g, f)) in &pos.by_context {
        let _ = writeln!(
            out,
            "  {c:<16} {f:>6}/{g:<6} {:>6.1}%",
            100.0 * ratio(*f, *g)
        );
    }

    let _ = writeln!(
        out,
        "\nRecall by assignment syntax, every format (informational; counted for generic formats and opt-ins):"
    );
    for (c, (g, f)) in &pos.by_syntax {
        let _ = writeln!(
            out,
            "  {c:<16} {f:>6}/{g:<6} {:>6.1}%",
            100.0 * ratio(*f, *g)
        );
    }

    let _ = writeln!(out, "\nMissed samples (up to 6 per rule):");
    for (id, s) in rows.iter().filter(|(_, s)| s.found < s.generated) {
        let _ = writeln!(out, "  {id}:");
        for e in &s.examples {
            let _ = writeln!(out, "    {e}");
        }
        for (r, n) in &s.by_other {
            let _ = writeln!(out, "    (found by {r}: {n})");
        }
    }

    let total: usize = neg_buffers.values().sum();
    let _ = writeln!(
        out,
        "\nNegative set: {total} buffers in {} kinds. False positives by rule and kind:",
        neg_buffers.len()
    );
    if fp.counts.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for ((rule, kind), n) in &fp.counts {
        let allowed = ALLOWED_FALSE_POSITIVES
            .iter()
            .any(|(r, k, _)| r == rule && k == kind);
        let _ = writeln!(
            out,
            "  {:<34} {:<22} {:>4}{}  e.g. {}",
            rule,
            kind,
            n,
            if allowed { " (allowed)" } else { "" },
            fp.example[&(rule.clone(), kind.clone())]
        );
    }
    if !pos.not_generated.is_empty() {
        let _ = writeln!(
            out,
            "\nFormats not generated (no generator for the special; known: {}):",
            gen::SPECIALS.join(", ")
        );
        for n in &pos.not_generated {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

fn json_report(
    scanner: &Scanner,
    rows: &[(&String, &RuleStats)],
    pos: &Positives,
    neg_buffers: &BTreeMap<&str, usize>,
    fp: &FpSummary,
    formats: usize,
) -> serde_json::Value {
    let round = |x: f64| (x * 10000.0).round() / 10000.0;
    let file_of = |id: &str| scanner.rules().get(id).map(|r| r.file().to_owned());
    let (g, f, o, p, m) = totals(rows, |_| true);
    json!({
        "seeds": SEEDS,
        "formats": formats,
        "rules": rows.iter().map(|(id, s)| ((*id).clone(), json!({
            "file": file_of(id),
            "formats": s.formats,
            "generated": s.generated,
            "found": s.found,
            "found_by_other_rule": s.by_other,
            "partial": s.partial,
            "missed": s.missed,
            "recall": round(s.recall()),
            "miss_contexts": s.miss_contexts,
            "known_gap": is_known_gap(id),
        }))).collect::<serde_json::Map<_, _>>(),
        "contexts": pos.by_context.iter()
            .map(|(c, (g, f))| (c.clone(), json!({"generated": g, "found": f, "recall": round(ratio(*f, *g))})))
            .collect::<serde_json::Map<_, _>>(),
        "totals": {"generated": g, "found": f, "found_by_other_rule": o, "partial": p, "missed": m,
                   "recall": round(ratio(f, g))},
        "negatives": {
            "buffers": neg_buffers.values().sum::<usize>(),
            "by_kind": neg_buffers,
            "false_positives": fp.counts.iter()
                .map(|((r, k), n)| json!({"rule": r, "kind": k, "count": n}))
                .collect::<Vec<_>>(),
        },
        "not_generated": pos.not_generated,
        "known_gaps": KNOWN_GAPS.iter().map(|(r, why)| json!({"rule": r, "reason": why})).collect::<Vec<_>>(),
    })
}

/// The assertions: coverage, per-rule and overall recall, false positives, and stale list entries.
fn check(
    rule_ids: &BTreeSet<&str>,
    formats: &[LoadedFormat],
    rows: &[(&String, &RuleStats)],
    stats: &BTreeMap<String, RuleStats>,
    fp: &FpSummary,
) -> Vec<String> {
    let mut failures = Vec::new();
    let with_entries: BTreeSet<&str> = formats.iter().map(|f| f.format.rule.as_str()).collect();
    let uncovered: Vec<&str> = rule_ids
        .iter()
        .copied()
        .filter(|id| !with_entries.contains(id))
        .collect();
    if !uncovered.is_empty() {
        failures.push(format!("rules without formats: {}", uncovered.join(", ")));
    }
    let low: Vec<String> = rows
        .iter()
        .filter(|(id, s)| s.recall() < MIN_RULE_RECALL && !is_known_gap(id))
        .map(|(id, s)| format!("{id} {:.1}%", 100.0 * s.recall()))
        .collect();
    if !low.is_empty() {
        failures.push(format!(
            "recall below {:.0}%: {}",
            100.0 * MIN_RULE_RECALL,
            low.join(", ")
        ));
    }
    for (g, _) in KNOWN_GAPS {
        match stats.get(*g) {
            None => failures.push(format!("KNOWN_GAPS names {g}, which has no formats")),
            Some(s) if s.recall() >= MIN_RULE_RECALL => failures.push(format!(
                "KNOWN_GAPS: {g} now reaches {:.1}%: remove the entry",
                100.0 * s.recall()
            )),
            _ => {}
        }
    }
    let (g, f, ..) = totals(rows, |id| !is_known_gap(id));
    if ratio(f, g) < MIN_OVERALL_RECALL {
        failures.push(format!(
            "overall recall {:.2}% < {:.0}% (rules outside KNOWN_GAPS)",
            100.0 * ratio(f, g),
            100.0 * MIN_OVERALL_RECALL
        ));
    }
    let unexpected: Vec<String> = fp
        .counts
        .iter()
        .filter(|((r, k), _)| {
            !ALLOWED_FALSE_POSITIVES
                .iter()
                .any(|(ar, ak, _)| ar == r && ak == k)
        })
        .map(|((r, k), n)| {
            format!(
                "{r} on {k} ×{n} (e.g. {})",
                fp.example[&(r.clone(), k.clone())]
            )
        })
        .collect();
    if !unexpected.is_empty() {
        failures.push(format!(
            "false positives:\n    {}",
            unexpected.join("\n    ")
        ));
    }
    for (r, k, _) in ALLOWED_FALSE_POSITIVES {
        if !fp.counts.contains_key(&((*r).to_owned(), (*k).to_owned())) {
            failures.push(format!(
                "ALLOWED_FALSE_POSITIVES: {r} on {k} no longer fires: remove the entry"
            ));
        }
    }
    failures
}

#[test]
fn labelled_set_recall_and_false_positives() {
    let scanner = Scanner::with_default_rules();
    let mut errors = Vec::new();
    let formats = load_formats(&mut errors);
    let rule_ids: BTreeSet<&str> = scanner.rules().iter().map(|r| r.id()).collect();
    for lf in &formats {
        if !rule_ids.contains(lf.format.rule.as_str()) {
            errors.push(format!(
                "{}: no rule {:?} in the pack",
                lf.source, lf.format.rule
            ));
        }
    }

    let pos = evaluate_formats(&scanner, &formats, &mut errors);
    assert!(
        errors.is_empty(),
        "format errors:\n  {}",
        errors.join("\n  ")
    );
    let (neg_buffers, mut fps) = evaluate_negatives(&scanner);
    fps.extend(pos.collateral.iter().cloned());
    let fp = summarise(&fps);

    // Rows in rule-pack order: by rule file, then id.
    let file_of = |id: &str| scanner.rules().get(id).map(|r| r.file().to_owned());
    let mut rows: Vec<(&String, &RuleStats)> = pos.stats.iter().collect();
    rows.sort_by_key(|(id, _)| (file_of(id), (*id).clone()));

    eprintln!(
        "{}",
        render_table(&rows, &pos, &neg_buffers, &fp, formats.len())
    );

    let report = json_report(&scanner, &rows, &pos, &neg_buffers, &fp, formats.len());
    let report_path = std::env::var_os("LEAKHOUND_LABELLED_REPORT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
            tmp.parent().unwrap_or(tmp).join("labelled-report.json")
        });
    match std::fs::write(&report_path, serde_json::to_string_pretty(&report).unwrap()) {
        Ok(()) => eprintln!("report: {}", report_path.display()),
        Err(e) => eprintln!("warning: cannot write {}: {e}", report_path.display()),
    }

    let failures = check(&rule_ids, &formats, &rows, &pos.stats, &fp);
    assert!(
        failures.is_empty(),
        "labelled set:\n  {}",
        failures.join("\n  ")
    );
}
