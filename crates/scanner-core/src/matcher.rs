//! Keyword hit → window → lazily compiled regex → secret → filters → finding.

use std::cmp::Reverse;

use regex::bytes::CaptureLocations;

use crate::agent;
use crate::blanking;
use crate::context::{self, Context, Surface};
use crate::decode::{self, Encoding};
use crate::filters::{
    decodes_to_placeholder, entropy, is_placeholder, lazy_hit_run, named_hit_run, noise,
    InlineAllow, LineFacts, Lines,
};
use crate::finding::Finding;
use crate::prefilter::Prefilter;
use crate::prefilter::{AGENT, ANSI, DOCUMENT, JOIN};
use crate::rules::{allowlist, Rule, Severity};
use crate::validate::Outcome;

/// How the findings of one buffer were cut at the per-file cap ([`crate::Scanner::with_max_findings_per_file`]);
/// see [`crate::Scratch::truncation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Truncation {
    /// Findings reported: the first ones in offset order.
    pub reported: usize,
    /// Findings found beyond those and not reported. When the search stopped early (`complete` false)
    /// this is a lower bound: there may be more.
    pub more: usize,
    /// The whole buffer was searched, so `more` is exact.
    pub complete: bool,
}

impl std::fmt::Display for Truncation {
    /// `truncated: the first 1000 findings are reported, at least 12 more are not`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "truncated: the first {} findings are reported, ",
            self.reported
        )?;
        match (self.complete, self.more) {
            (true, n) => write!(f, "{n} more are not"),
            (false, 0) => write!(f, "the search stopped there and later ones are not"),
            (false, n) => write!(f, "at least {n} more are not (the search stopped there)"),
        }
    }
}

/// Per-thread scratch space reused across buffers, so the hot loop allocates nothing in the common case.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    hits: Vec<Hit>,
    candidates: Vec<Candidate>,
    locs: Vec<Option<CaptureLocations>>,
    /// Encoded runs to decode and rescan: `(start, end, encoding, in_context)`.
    encoded: Vec<(usize, usize, Encoding, bool)>,
    /// Kubernetes-style `- name: X` / `value: V` pairs: `(name_start, name_end, value_start, value_end)`.
    joins: Vec<(usize, usize, usize, usize)>,
    /// Assignment values already measured in this buffer.
    values: decode::ValueRuns,
    /// Per rule and quarter of the buffer, the index in `hits` of its last hit (see `push_hit`).
    last_hit: Vec<[u32; 4]>,
    /// Whether the last buffer's findings were cut at the per-file cap.
    truncation: Option<Truncation>,
    /// Encoded runs of the last buffer left undecoded because its decoding budget was spent.
    undecoded: usize,
    /// The last buffer holds an MCP servers key (see [`crate::agent`]).
    agent: bool,
    /// The last buffer holds an ANSI control sequence (see [`crate::blanking`]).
    ansi: bool,
}

impl Scratch {
    /// Fresh, empty scratch space.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// Whether the findings of the buffer this scratch space last scanned were cut at the scanner's
    /// per-file cap ([`crate::Scanner::with_max_findings_per_file`]), and by how much. Sources count
    /// it with [`crate::ScanStats::truncated`].
    ///
    /// ```
    /// use leakhound_core::{Scanner, Scratch};
    ///
    /// let scanner = Scanner::with_default_rules().with_max_findings_per_file(2);
    /// let text = "A=AKIAQYLPMN5HHHFPZAM2\nB=AKIAVKYVXHVPHH7VM7BH\nC=AKIA3VEGNNRNYZH6PXKD\n"; // leakhound:allow (documentation key ids)
    /// let (mut scratch, mut out) = (Scratch::new(), Vec::new());
    /// scanner.scan_bytes_into("ids.txt", text.as_bytes(), &mut scratch, &mut out);
    /// assert_eq!(out.len(), 2);
    /// let t = scratch.truncation().expect("three findings, two reported");
    /// assert_eq!((t.reported, t.more, t.complete), (2, 1, true));
    /// ```
    pub fn truncation(&self) -> Option<Truncation> {
        self.truncation
    }

    /// How many encoded runs (base64, hex, percent-encoded values) of the buffer this scratch space
    /// last scanned were not decoded because the buffer's decoding budget was spent: decoding and
    /// rescanning is bounded per buffer (4 MiB, and no more than twice the buffer), so that time stays
    /// linear. The runs' encoded bytes were scanned as they are. Sources name such a buffer with
    /// [`crate::ScanStats::undecoded`].
    pub fn undecoded(&self) -> usize {
        self.undecoded
    }
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    rule: u32,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
struct Candidate {
    rule: u32,
    start: usize,
    end: usize,
    entropy: f64,
    severity: Severity,
    validation: Option<&'static str>,
    details: Vec<(&'static str, String)>,
}

/// What is left of a buffer's decoding budget, and the encoded runs it could not pay for.
struct Budget {
    left: usize,
    skipped: usize,
}

/// No cut: the whole buffer was searched.
const NO_CUT: usize = usize::MAX;

/// Context kept on each side of a decoded assignment value when it is rescanned in its line.
const CONTEXT: usize = 4096;

/// Whether `hay` is a Jupyter notebook: by its name, or by its content, so that a history blob (scanned
/// before its path is known) and a notebook saved under another name read the same: a JSON object with
/// the top-level `nbformat` key every notebook carries. Writers put it last (Jupyter sorts the keys:
/// `cells`, `metadata`, `nbformat`) or first (Colab), so only the first and last 4 KiB are searched.
fn is_notebook(path: &str, hay: &[u8]) -> bool {
    const EDGE: usize = 4096;
    let has_key = |part: &[u8]| memchr::memmem::find(part, b"\"nbformat\"").is_some();
    path.ends_with(".ipynb")
        || (hay.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
            && (has_key(&hay[..hay.len().min(EDGE)])
                || has_key(&hay[hay.len().saturating_sub(EDGE)..])))
}

/// What the matcher needs besides the buffer: everything that is fixed for a whole scan.
pub(crate) struct MatchContext<'a> {
    pub rules: &'a [Rule],
    pub prefilter: &'a Prefilter,
    pub allow: &'a [regex::bytes::Regex],
    pub now: u64,
    /// Part of a large scan: worth building the fastest keyword automaton.
    pub bulk: bool,
    /// Findings reported per buffer at most (0: no limit).
    pub max_findings: usize,
    /// Validation parts to collect with findings, when validating.
    pub parts: Option<&'a crate::parts::PartsTable>,
    /// The fingerprint key, when findings are keyed.
    pub key: Option<&'a crate::FingerprintKey>,
}

/// One rule's progress through the windows of a buffer.
struct RuleRun<'h> {
    /// Candidates of this rule so far.
    count: usize,
    /// Line lookups for the generic tier's line checks (candidates come in offset order).
    lines: Lines<'h>,
    /// The line of the last generic candidate, and what is known about it.
    facts: Option<((usize, usize), LineFacts<'h>)>,
}

impl MatchContext<'_> {
    /// Scans one buffer and appends its findings (sorted by offset) to `out`: the first
    /// `max_findings` of them, the rest counted in `scratch`'s [`Scratch::truncation`].
    pub fn scan(&self, path: &str, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Finding>) {
        self.scan_at(path, path, hay, scratch, out);
    }

    /// [`Self::scan`], with the path that says where the file is in its project (`place`: relative to
    /// the repository root, or to the scanned directory) apart from the path reported: a finding's
    /// context and surface are decided from `place`, so that directories above the project (a checkout
    /// under `/builds/test/`, `~/src/examples/`) say nothing about it.
    pub fn scan_at(
        &self,
        path: &str,
        place: &str,
        hay: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) {
        let before = out.len();
        scratch.truncation = None;
        scratch.agent = false;
        scratch.ansi = false;
        let limit = match self.max_findings {
            0 => usize::MAX,
            n => n,
        };
        let mut budget = Budget {
            left: decode::budget(hay.len()),
            skipped: 0,
        };
        // Text wrapped around secrets by their medium (a notebook's `\"`, a CI log's colour codes,
        // percent-encoded padding) is blanked to spaces of the same length: see `blanking`.
        // A notebook is blanked up front; other text only when the keyword pass saw a control
        // sequence in it (logs, rarely anything else), and then it is scanned again blanked.
        let notebook = is_notebook(path, hay);
        let mut cut = match notebook.then(|| blanking::blanked(hay, true)).flatten() {
            Some(copy) => self.scan_depth(path, &copy, scratch, out, 0, &mut budget, limit),
            None => self.scan_depth(path, hay, scratch, out, 0, &mut budget, limit),
        };
        if !notebook && scratch.ansi {
            if let Some(copy) = blanking::blanked(hay, false) {
                out.truncate(before);
                budget = Budget {
                    left: decode::budget(hay.len()),
                    skipped: 0,
                };
                cut = self.scan_depth(path, &copy, scratch, out, 0, &mut budget, limit);
            }
        }
        // The one check every file pays for: a few comparisons on its path.
        let agent_path = context::agent_config(place);
        if agent_path || scratch.agent {
            cut = self.scan_handed(path, hay, out, before, limit, cut);
        }
        scratch.undecoded = budget.skipped;
        let found = out.len() - before;
        if found > limit || cut != NO_CUT {
            out.truncate(before + found.min(limit));
            scratch.truncation = Some(Truncation {
                reported: found.min(limit),
                more: found.saturating_sub(limit),
                complete: cut == NO_CUT,
            });
        }
        if out.len() > before {
            // Once per buffer with findings: where they are, and whether an agent is handed them.
            let ctx = context::classify(place, hay);
            let surface =
                (agent_path || (scratch.agent && !path.is_empty())).then_some(Surface::AiAgent);
            for f in &mut out[before..] {
                if ctx != Context::Code {
                    f.set_context(ctx);
                }
                f.surface = surface;
            }
        }
    }

    /// Agent configuration: the values an MCP server definition hands to its server (`env`, `headers`,
    /// credential flags in `args`: [`agent::handed_values`]) are credentials by position, whatever their
    /// names. Each one no rule found in place and that looks minted ([`agent::credential_value`]) is
    /// scanned as the value of a `secret = "…"` assignment, so that the generic rules, with all their
    /// filters (entropy, placeholders, token-likeness), judge the value itself; what they find is placed
    /// on the value's bytes with a note naming the entry.
    /// Returns the cut (see [`Self::scan_depth`]).
    fn scan_handed(
        &self,
        path: &str,
        hay: &[u8],
        out: &mut Vec<Finding>,
        base: usize,
        limit: usize,
        mut cut: usize,
    ) -> usize {
        const NAME: &[u8] = b"secret = \"";
        let handed = agent::handed_values(hay);
        if handed.is_empty() {
            return cut;
        }
        let plain = base..out.len();
        let (mut scratch, mut found, mut added) = (Scratch::new(), Vec::new(), Vec::new());
        let mut view = Vec::new();
        let (mut lines, mut allow_lines) = (Lines::new(hay), Lines::new(hay));
        let mut allow = InlineAllow::new();
        for h in handed {
            let (vs, ve) = h.value;
            if vs >= cut {
                break;
            }
            if added.len() > limit {
                cut = vs;
                break;
            }
            // Found in place already (a service's rule, or a generic one that knows the name)?
            let same = &out[plain.clone()];
            let from = same.partition_point(|o| o.offset < ve);
            if same[..from]
                .last()
                .is_some_and(|o| o.offset + o.secret.len() > vs)
            {
                continue;
            }
            let name = &hay[h.name.0..h.name.1];
            if !agent::credential_value(name, &hay[vs..ve]) {
                continue;
            }
            // The name follows as a comment, so that what it says reaches the generic filters (a
            // digest under `…_COMMIT`, a value under `EXAMPLE_…`) without naming the value.
            view.clear();
            view.extend_from_slice(NAME);
            view.extend_from_slice(&hay[vs..ve]);
            view.extend_from_slice(b"\" # ");
            view.extend_from_slice(name);
            found.clear();
            self.scan_plain(path, &view, &mut scratch, &mut found, limit);
            for mut f in found.drain(..) {
                if f.offset < NAME.len() || f.offset >= NAME.len() + (ve - vs) {
                    continue;
                }
                let start = vs + (f.offset - NAME.len());
                let width = f.end_column - f.column;
                // The view has no comments: the file's line says whether it is allowed.
                if allow.allowed(hay, &mut allow_lines, start, start + width) {
                    continue;
                }
                (f.line, f.column) = lines.line_col(start);
                (f.end_line, f.end_column) = (f.line, f.column + width);
                f.offset = start;
                f.note = Some(format!(
                    "credential by position: the value of `{}` in an MCP server's `{}`",
                    String::from_utf8_lossy(&hay[h.name.0..h.name.1]),
                    h.block.as_str()
                ));
                added.push(f);
            }
        }
        if !added.is_empty() {
            out.extend(added);
            out[base..].sort_by_key(|f| f.offset);
        }
        cut
    }

    /// `depth` counts the encodings already peeled to reach `hay`. Returns the offset from which the
    /// findings are incomplete because the per-file cap stopped the search there ([`NO_CUT`] when it
    /// did not); findings from that offset on are dropped.
    #[allow(clippy::too_many_arguments)]
    fn scan_depth(
        &self,
        path: &str,
        hay: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
        depth: u8,
        budget: &mut Budget,
        limit: usize,
    ) -> usize {
        let base = out.len();
        let mut cut = self.scan_plain(path, hay, scratch, out, limit);
        if !scratch.joins.is_empty() {
            let mut joins = std::mem::take(&mut scratch.joins);
            cut = self.scan_joined(path, hay, &mut joins, out, base, limit, cut);
            scratch.joins = joins;
            scratch.joins.clear();
        }
        if !scratch.encoded.is_empty() && depth < decode::MAX_DEPTH {
            let mut runs = std::mem::take(&mut scratch.encoded);
            cut = self.scan_encoded(path, hay, &mut runs, out, base, depth, budget, limit, cut);
            scratch.encoded = runs;
            scratch.encoded.clear();
        }
        if cut != NO_CUT {
            let keep = out[base..].partition_point(|f| f.offset < cut);
            out.truncate(base + keep);
        }
        cut
    }

    /// The rules on `hay` itself; returns the cut (see [`Self::scan_depth`]). A rule stops at its
    /// `limit + 2`-th candidate: every finding before that candidate is then known (the rules after it
    /// only search before it), and there are more than `limit` of them unless overlaps or allow comments
    /// remove some.
    fn scan_plain(
        &self,
        path: &str,
        hay: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
        limit: usize,
    ) -> usize {
        let Scratch {
            hits,
            candidates,
            locs,
            encoded,
            joins,
            values,
            last_hit,
            truncation: _,
            undecoded: _,
            agent,
            ansi,
        } = scratch;
        hits.clear();
        candidates.clear();
        encoded.clear();
        joins.clear();
        values.clear();
        if last_hit.len() < self.rules.len() {
            last_hit.resize(self.rules.len(), [u32::MAX; 4]);
        }
        let document = &mut false;
        // An in-context base64 run whose first bytes do not decode to text is never decoded: drop it
        // here rather than queue it.
        let worth_decoding = |s: usize, e: usize, enc: Encoding| {
            enc != Encoding::Base64 || decode::base64_text_prefix(&hay[s..e])
        };
        self.prefilter
            .for_each_hit(hay, self.bulk, |kw, start, end| {
                let t = self.prefilter.triggers(kw);
                if t != 0 {
                    if t & AGENT != 0 {
                        *agent = true;
                    }
                    if t & ANSI != 0 {
                        *ansi = true;
                    }
                    if t & JOIN != 0 {
                        joins.extend(decode::name_value_pair(hay, end));
                    }
                    if t & DOCUMENT != 0 && !std::mem::replace(document, true) {
                        for (s, e) in decode::document_values(hay, 10_000) {
                            if worth_decoding(s, e, Encoding::Base64) {
                                encoded.push((s, e, Encoding::Base64, true));
                            }
                        }
                    }
                    for enc in Encoding::ALL {
                        if t & enc.bit() != 0 {
                            encoded.push((start, end, enc, false));
                        }
                    }
                }
                // The generic tier is lazy: `token` occurs hundreds of times per MB of code, almost never in an
                // assignment of a literal. Check the shape (once per hit) before queueing any regex work.
                let mut assignment: Option<Option<usize>> = None;
                let mut named: Option<Option<usize>> = None;
                for &r in self.prefilter.rules_of(kw) {
                    let rule = &self.rules[r as usize];
                    if !rule.keyword_counts(&hay[start..end]) || !rule.admits_hit(hay, start) {
                        continue;
                    }
                    if rule.is_lazy() {
                        let run = *assignment.get_or_insert_with(|| {
                            let a = lazy_hit_run(hay, start, end);
                            // An assigned value that looks encoded is decoded and rescanned in its line.
                            if let Some((s, e, enc)) =
                                a.and_then(|_| values.assignment_value(hay, end))
                            {
                                if worth_decoding(s, e, enc) {
                                    encoded.push((s, e, enc, true));
                                }
                            }
                            a
                        });
                        // Not an assignment, or what is assigned is shorter than any secret of the rule.
                        if run.is_none_or(|n| n < rule.min_secret_len()) {
                            continue;
                        }
                    } else if rule.name_gated() {
                        let run = *named.get_or_insert_with(|| named_hit_run(hay, end));
                        if run.is_none_or(|n| n < rule.min_secret_len()) {
                            continue;
                        }
                    }
                    push_hit(
                        hits,
                        last_hit,
                        &self.rules[r as usize],
                        r,
                        start,
                        end,
                        hay.len(),
                    );
                }
            });
        // Rules without keywords: one hit spanning the whole buffer, when the rule runs on this path.
        let mut candidate = None;
        let always = if self
            .prefilter
            .always_may_run(self.rules, path, &mut candidate)
        {
            self.prefilter.always()
        } else {
            &[]
        };
        for &r in always {
            if !self.rules[r as usize].runs_on(path, &mut candidate) {
                continue;
            }
            hits.push(Hit {
                rule: r,
                start: 0,
                end: hay.len(),
            });
        }
        if hits.is_empty() {
            return NO_CUT;
        }
        hits.sort_unstable_by_key(|h| (h.rule, h.start));
        if locs.len() < self.rules.len() {
            locs.resize(self.rules.len(), None);
        }

        let mut cut = NO_CUT;
        let mut i = 0;
        while i < hits.len() {
            let rule_idx = hits[i].rule;
            let rule = &self.rules[rule_idx as usize];
            let group_end = i + hits[i..].partition_point(|h| h.rule == rule_idx);
            if rule.is_path_only() {
                // A gitleaks rule with a `path` and no regex reports the file itself, once.
                i = group_end;
                if rule.reports_file(path) {
                    out.push(file_finding(rule, path, self.key));
                }
                continue;
            }
            let w = rule.window();
            // A lazy rule's hit is a name followed by an assignment: the match starts in that name, so
            // the regex needs only the name's own length before the keyword, not a whole window.
            let before = if rule.is_lazy() {
                w.min(LAZY_BEFORE)
            } else {
                w
            };
            let mut run = RuleRun {
                count: 0,
                lines: Lines::new(hay),
                facts: None,
            };
            // Merge the windows of this rule's hits so overlapping windows are searched once.
            while i < group_end {
                let win_start = hits[i].start.saturating_sub(before);
                let mut win_end = (hits[i].end + w).min(hay.len());
                i += 1;
                while i < group_end && hits[i].start.saturating_sub(before) <= win_end {
                    win_end = win_end.max((hits[i].end + w).min(hay.len()));
                    i += 1;
                }
                if win_start >= cut
                    || self.run_rule(
                        rule_idx, rule, hay, win_start, win_end, path, locs, candidates, &mut run,
                        limit, &mut cut,
                    )
                {
                    // Stopped: nothing this rule finds from here on can be reported.
                    i = group_end;
                }
            }
        }
        if candidates.is_empty() {
            return cut;
        }
        self.resolve_overlaps(candidates);
        if cut != NO_CUT {
            // What a candidate past the cut would have won against is unknown: keep only what ends
            // before it (kept candidates are disjoint and sorted, so at most one straddles the cut).
            candidates.retain(|c| c.end <= cut);
        }
        self.emit(path, hay, candidates, out);
        cut
    }

    /// Kubernetes env entries put the name and the value on two lines (`- name: OPENAI_API_KEY` /
    /// `value: sk-…`), where rules that need the name before the value cannot see both. Each pair is
    /// scanned as `NAME: value`, and what is found in the value is placed on the value's bytes.
    /// Returns the cut (see [`Self::scan_depth`]).
    #[allow(clippy::too_many_arguments)]
    fn scan_joined(
        &self,
        path: &str,
        hay: &[u8],
        joins: &mut Vec<(usize, usize, usize, usize)>,
        out: &mut Vec<Finding>,
        base: usize,
        limit: usize,
        mut cut: usize,
    ) -> usize {
        // In value order, one pair per value line: several `- name:` on one line would otherwise
        // rescan its value once each. The first name of the line is the entry's.
        joins.sort_unstable_by_key(|&(ns, _, vs, _)| (vs, ns));
        joins.dedup_by_key(|j| j.2);
        let plain = base..out.len();
        let mut scratch = Scratch::new();
        let mut found = Vec::new();
        let mut added: Vec<Finding> = Vec::new();
        let mut lines = Lines::new(hay);
        for &(ns, ne, vs, ve) in joins.iter() {
            if vs >= cut {
                break;
            }
            if added.len() > limit {
                // The findings of the values from here on come after more than `limit` others.
                cut = vs;
                break;
            }
            let mut view = Vec::with_capacity(ne - ns + 2 + ve - vs);
            view.extend_from_slice(&hay[ns..ne]);
            view.extend_from_slice(b": ");
            let at = view.len();
            view.extend_from_slice(&hay[vs..ve]);
            found.clear();
            let view_cut = self.scan_plain(path, &view, &mut scratch, &mut found, limit);
            if view_cut != NO_CUT {
                cut = cut.min(vs + view_cut.saturating_sub(at));
            }
            for mut f in found.drain(..) {
                if f.offset < at {
                    continue;
                }
                let start = vs + (f.offset - at);
                // Already found in the clear? Plain findings are sorted by offset.
                let same = &out[plain.clone()];
                let from = same.partition_point(|o| o.offset < start);
                if let Some(i) = same[from..]
                    .iter()
                    .take_while(|o| o.offset == start)
                    .position(|o| o.fingerprint == f.fingerprint)
                {
                    // The same secret found in the clear: the joined view read its name too, so its rule
                    // replaces a weaker one there (a JWT under `- name: MONDAY_API_TOKEN`).
                    let plain_at = plain.start + from + i;
                    if self.claim_of(&f.rule) > self.claim_of(&out[plain_at].rule) {
                        let o = &mut out[plain_at];
                        (o.rule, o.description, o.severity) = (f.rule, f.description, f.severity);
                        (o.validation, o.details) = (f.validation, f.details);
                    }
                    continue;
                }
                let end = (start + f.secret.len()).min(hay.len());
                (f.line, f.column) = lines.line_col(start);
                (f.end_line, f.end_column) = lines.line_col(end);
                f.offset = start;
                added.push(f);
            }
        }
        if !added.is_empty() {
            out.extend(added);
            out[base..].sort_by_key(|f| f.offset);
        }
        cut
    }

    /// Decodes each encoded run once and scans the result; findings are placed on the encoded bytes.
    /// A run found through an assignment is rescanned in its line (`AWS_SECRET_ACCESS_KEY: <base64>` needs
    /// its name to be recognised); a run found through an encoded keyword is scanned alone. Returns the
    /// cut (see [`Self::scan_depth`]).
    #[allow(clippy::too_many_arguments)]
    fn scan_encoded(
        &self,
        path: &str,
        hay: &[u8],
        runs: &mut [(usize, usize, Encoding, bool)],
        out: &mut Vec<Finding>,
        base: usize,
        depth: u8,
        budget: &mut Budget,
        limit: usize,
        mut cut: usize,
    ) -> usize {
        // Encoded keywords become the runs around them. A keyword inside the run measured last for its
        // encoding is in that run again: measuring it from every keyword was quadratic in a long run.
        runs.sort_by_key(|r| r.0);
        let mut measured = [(1usize, 0usize); 3];
        let mut spans: Vec<(usize, usize, Encoding, bool)> = Vec::with_capacity(runs.len());
        for &(s, e, enc, in_context) in runs.iter() {
            if in_context {
                spans.push((s, e, enc, true));
                continue;
            }
            let last = &mut measured[enc as usize];
            if last.0 <= s && e <= last.1 {
                continue;
            }
            let (lo, hi) = decode::enclosing_run(hay, s, e, enc);
            *last = (lo, hi);
            spans.push((lo, hi, enc, false));
        }
        // Longest first among runs that start together, so a run inside one already decoded is seen to
        // be: in this order, a run is inside an earlier one exactly when it ends before the furthest end.
        spans.sort_by_key(|r| (r.0, Reverse(r.1)));
        let mut furthest: Option<usize> = None;
        let mut hit_runs: Vec<(usize, usize)> = Vec::new();
        let mut found = Vec::new();
        let mut scratch = Scratch::new();
        // Runs with findings come in start order with growing ends: two cursors place them.
        let (mut starts, mut ends) = (Lines::new(hay), Lines::new(hay));
        for &(lo, hi, enc, in_context) in &spans {
            if lo >= cut {
                break;
            }
            if found.len() > limit {
                // More than `limit` findings at offsets up to here: later runs come after them.
                cut = lo;
                break;
            }
            if furthest.is_some_and(|f| hi <= f) {
                continue;
            }
            if hi - lo > budget.left {
                budget.skipped += 1;
                continue;
            }
            if enc == Encoding::Base64 && in_context && !decode::base64_text_prefix(&hay[lo..hi]) {
                continue;
            }
            furthest = Some(furthest.map_or(hi, |f| f.max(hi)));
            let Some(decoded) = decode::decode(&hay[lo..hi], enc) else {
                continue;
            };
            if !decode::mostly_text(&decoded) {
                continue;
            }
            // The view: the decoded bytes, with the rest of their line around them when the name matters
            // (at most CONTEXT bytes each side: a long line is not rescanned whole for every value on it).
            // The budget pays for the whole view.
            let dlen = decoded.len();
            let (view, at) = if in_context {
                let from = lo.saturating_sub(CONTEXT);
                let ls = memchr::memrchr(b'\n', &hay[from..lo]).map_or(from, |i| from + i + 1);
                let to = hay.len().min(hi + CONTEXT);
                let le = memchr::memchr(b'\n', &hay[hi..to]).map_or(to, |i| hi + i);
                let mut v = Vec::with_capacity(le - ls + dlen);
                v.extend_from_slice(&hay[ls..lo]);
                v.extend_from_slice(&decoded);
                v.extend_from_slice(&hay[hi..le]);
                (v, lo - ls)
            } else {
                (decoded, 0)
            };
            budget.left = budget.left.saturating_sub(hi - lo + view.len() - dlen);
            let before = found.len();
            let view_cut = self.scan_depth(
                path,
                &view,
                &mut scratch,
                &mut found,
                depth + 1,
                budget,
                limit,
            );
            if view_cut != NO_CUT {
                // This run's findings are incomplete, and all of them sit at `lo`.
                found.truncate(before);
                cut = cut.min(lo);
                break;
            }
            // Keep what starts in the decoded bytes; the name around them was scanned in the clear.
            let mut k = before;
            while k < found.len() {
                if found[k].offset < at || found[k].offset >= at + dlen {
                    found.swap_remove(k);
                } else {
                    k += 1;
                }
            }
            if found.len() == before {
                continue;
            }
            hit_runs.push((lo, hi));
            let (line, column) = starts.line_col(lo);
            let (end_line, end_column) = ends.line_col(hi);
            for f in &mut found[before..] {
                f.encoding = Some(match f.encoding.take() {
                    Some(inner) => format!("{}+{inner}", enc.as_str()),
                    None => enc.as_str().to_owned(),
                });
                (f.line, f.column, f.end_line, f.end_column) = (line, column, end_line, end_column);
                f.offset = lo;
            }
        }
        if found.is_empty() {
            return cut;
        }
        // An encoded blob that a generic rule reported as, say, a password is better reported decoded.
        // Plain findings are in offset order, and the runs with findings in start order with growing ends
        // (none is inside another): one pass over both.
        let generic: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| r.is_generic())
            .map(Rule::id)
            .collect();
        let mut r = 0;
        let plain: Vec<Finding> = out
            .drain(base..)
            .filter(|f| {
                while r < hit_runs.len() && hit_runs[r].1 <= f.offset {
                    r += 1;
                }
                let in_run = r < hit_runs.len() && hit_runs[r].0 <= f.offset;
                !(in_run && generic.contains(&f.rule.as_str()))
            })
            .collect();
        out.extend(plain);
        out.extend(found);
        out[base..].sort_by_key(|f| f.offset);
        cut
    }

    /// Searches one window of `hay` for `rule` and queues its candidates. Returns whether the rule is
    /// done with this buffer: it cannot run, or it reached the cap (which moves `cut` to its last
    /// candidate), or its next candidate would start past `cut`.
    #[allow(clippy::too_many_arguments)]
    fn run_rule<'h>(
        &self,
        rule_idx: u32,
        rule: &Rule,
        hay: &'h [u8],
        start: usize,
        end: usize,
        path: &str,
        locs: &mut [Option<CaptureLocations>],
        out: &mut Vec<Candidate>,
        run: &mut RuleRun<'h>,
        limit: usize,
        cut: &mut usize,
    ) -> bool {
        let Ok(compiled) = rule.compiled() else {
            return true;
        };
        if rule.path_allowed(path) {
            return true;
        }
        let loc = locs[rule_idx as usize].get_or_insert_with(|| compiled.regex.capture_locations());
        let hay_w = &hay[..end];
        let mut pos = start;
        while pos <= end {
            let Some(m) = compiled.regex.captures_read_at(loc, hay_w, pos) else {
                break;
            };
            let secret_span = compiled.secret(loc);
            pos = resume_at(pos, m.start(), m.end(), secret_span.map(|(_, e)| e));
            let Some((s, mut e)) = secret_span else {
                continue;
            };
            if rule.is_generic() {
                // An unquoted value in a query string ends at the next parameter: `pw=a&b1&db=x`.
                e = s + crate::shapes::query_cut(&hay[s..e]);
            }
            if s >= *cut {
                return true;
            }
            // A rule's candidates come in offset order (windows are disjoint, matches do not overlap):
            // a repeat can only be of the previous one.
            if s == e
                || out
                    .last()
                    .is_some_and(|c| c.rule == rule_idx && c.start == s && c.end == e)
            {
                continue;
            }
            let secret = &hay[s..e];
            if is_placeholder(secret) || decodes_to_placeholder(secret) {
                continue;
            }
            let ent = entropy(secret);
            if rule.entropy().is_some_and(|min| ent < min) {
                continue;
            }
            if rule.is_generic() {
                // A value that runs into the window's edge may be cut short: its fingerprint would be of
                // a prefix. Generic values that long are blobs, not keys.
                if e == end && end < hay.len() {
                    continue;
                }
                // The name is a segment of a path, not a variable: `AWS::SecretsManager::Secret`,
                // `arn:aws:secretsmanager:…:secret:name`.
                let before = &hay[m.start().saturating_sub(2)..m.start()];
                if before == b"::" || (before.ends_with(b":") && arn_before(hay, m.start())) {
                    continue;
                }
                let line = (run.lines.start(s), run.lines.end(e));
                if run.facts.as_ref().is_none_or(|(l, _)| *l != line) {
                    run.facts = Some((line, LineFacts::of(&hay[line.0..line.1])));
                }
                let facts = &mut run.facts.as_mut().expect("set just above").1;
                let name = &hay[m.start()..s];
                let before = &hay[m.start().saturating_sub(16)..m.start()];
                if (rule.is_lazy() && crate::shapes::comma_pair_outside_call(before, name))
                    || noise(
                        secret,
                        facts,
                        name,
                        // The closing quote, past an escape (`\"` in a JSON string) or a blanked one
                        // (a notebook's).
                        hay[e..]
                            .iter()
                            .take(3)
                            .find(|b| !matches!(b, b' ' | b'\\'))
                            .filter(|b| matches!(b, b'"' | b'\'' | b'`'))
                            .or(hay.get(e))
                            .copied(),
                        rule.is_password(),
                    )
                {
                    continue;
                }
            }
            let Ok(filters) = rule.filters() else {
                return true;
            };
            if filters
                .allow
                .iter()
                .chain(self.allow)
                .any(|a| a.is_match(secret))
                || filters
                    .allow_match
                    .iter()
                    .any(|a| a.is_match(&hay[m.start()..m.end()]))
                || rule.allowlisted(&allowlist::Candidate {
                    path,
                    hay,
                    whole: (m.start(), m.end()),
                    secret: (s, e),
                })
            {
                continue;
            }
            let mut severity = rule.severity();
            let mut validation = None;
            let mut details = Vec::new();
            if let Some(v) = rule.validator() {
                match v.check(secret, self.now) {
                    Outcome::Report(verdict) => {
                        validation = Some(verdict.label);
                        severity = verdict.severity.unwrap_or(severity);
                        details = verdict.details;
                    }
                    Outcome::Invalid => continue,
                }
            }
            out.push(Candidate {
                rule: rule_idx,
                start: s,
                end: e,
                entropy: ent,
                severity,
                validation,
                details,
            });
            run.count += 1;
            if run.count == limit.saturating_add(2) {
                *cut = (*cut).min(s);
                return true;
            }
        }
        false
    }

    /// One finding per secret occurrence: when rules report overlapping bytes, keep the most specific:
    /// specific beats generic, then the longer secret, then the rule listed first.
    /// [`Rule::claim`] of the rule with this id (a rare path: a secret found both in the clear and in
    /// a joined view).
    fn claim_of(&self, id: &str) -> (bool, bool) {
        self.rules
            .iter()
            .find(|r| r.id() == id)
            .map_or((false, false), Rule::claim)
    }

    fn resolve_overlaps(&self, cands: &mut Vec<Candidate>) {
        if cands.len() > 1 {
            cands.sort_unstable_by_key(|c| (c.start, std::cmp::Reverse(c.end), c.rule));
        }
        let rank = |c: &Candidate| {
            let (specific, named) = self.rules[c.rule as usize].claim();
            (specific, c.end - c.start, named, std::cmp::Reverse(c.rule))
        };
        let mut kept: Vec<Candidate> = Vec::with_capacity(cands.len());
        for c in cands.drain(..) {
            match kept.last_mut() {
                Some(last) if c.start < last.end => {
                    if rank(&c) > rank(last) {
                        *last = c;
                    }
                }
                _ => kept.push(c),
            }
        }
        *cands = kept;
    }

    fn emit(&self, path: &str, hay: &[u8], cands: &[Candidate], out: &mut Vec<Finding>) {
        // Candidates are sorted by offset and disjoint: lines are found incrementally.
        let mut lines = Lines::new(hay);
        let mut allow = InlineAllow::new();
        for c in cands {
            if allow.allowed(hay, &mut lines, c.start, c.end) {
                continue;
            }
            let rule = &self.rules[c.rule as usize];
            let (line, column) = lines.line_col(c.start);
            let (end_line, end_column) = lines.line_col(c.end);
            let secret = &hay[c.start..c.end];
            out.push(Finding {
                rule: rule.id().to_owned(),
                description: rule.description().to_owned(),
                severity: c.severity,
                original_severity: None,
                path: path.to_owned(),
                line,
                column,
                end_line,
                end_column,
                secret: String::from_utf8_lossy(secret).into_owned(),
                fingerprint: crate::fingerprint_with(self.key, secret),
                entropy: (c.entropy * 100.0).round() / 100.0,
                validation: c.validation.map(str::to_owned),
                details: c
                    .details
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
                encoding: None,
                context: Context::Code,
                surface: None,
                commit: None,
                author: None,
                date: None,
                summary: None,
                blob: None,
                source: None,
                note: None,
                owner: None,
                status: None,
                liveness: None,
                captures: self
                    .parts
                    .and_then(|p| p.get(c.rule as usize))
                    .map(|p| p.collect(rule, hay, c.start, c.end))
                    .unwrap_or_default(),
                offset: c.start,
            });
        }
    }
}

/// Bytes before a lazy rule's keyword hit that its regex may read: the rest of the name the keyword is
/// in (`SPRING_DATASOURCE_` before `PASSWORD`) and its quotes. The generic tier's windows were 1.8 KB
/// on average in a scan of 201 MB of source (hits merge), most of it before the name; this bound took
/// its regex time from ~45 to ~30 ms there.
const LAZY_BEFORE: usize = 128;

/// Bytes of a match after its secret that the next search may read again (see [`resume_at`]).
const MAX_REREAD: usize = 16;

/// Where a rule's next search in a window starts, after a match `m_start..m_end` whose secret ends at
/// `secret_end`, found by a search from `pos`. Rules end with a boundary (`(?:["'\s;,]|$)`) that
/// consumes the byte after the secret, often the newline; resuming at the match's end would hide that
/// byte from the next match, whose own leading boundary (`(?:^|[^A-Za-z0-9])`, a name after a line
/// start) needs it: a second token on the very next line was missed. So the search resumes at the
/// secret's end, unless the match runs on for more than [`MAX_REREAD`] bytes after it: each search
/// then re-reads at most that many bytes of the last match, which keeps a window's searches linear.
/// Always past `pos`, so the loop advances.
fn resume_at(pos: usize, m_start: usize, m_end: usize, secret_end: Option<usize>) -> usize {
    let next = match secret_end {
        Some(e) if e >= m_start && e <= m_end && m_end - e <= MAX_REREAD => e,
        _ => m_end,
    };
    let floor = if m_end > m_start { pos + 1 } else { m_end + 1 };
    next.max(floor)
}

/// Queues a keyword hit of rule `r`, or widens the rule's last hit in the same quarter of the buffer when
/// their windows overlap: they would be searched as one window anyway, and a buffer made of one keyword
/// (`AKIAAKIA…`) then costs a few hits, not one per keyword (24 bytes each, six times the buffer).
/// Quarters follow the prefilter's four interleaved walks, each of which reports in offset order. An
/// entry left from an earlier buffer is recognised (it points past the end or at another rule's hit).
fn push_hit(
    hits: &mut Vec<Hit>,
    last_hit: &mut [[u32; 4]],
    rule: &Rule,
    r: u32,
    start: usize,
    end: usize,
    len: usize,
) {
    let w = rule.window();
    let quarter = (start.saturating_mul(4) / len.max(1)).min(3);
    let slot = &mut last_hit[r as usize][quarter];
    if let Some(h) = hits.get_mut(*slot as usize) {
        if h.rule == r
            && start.saturating_sub(w) <= h.end + w
            && h.start.saturating_sub(w) <= end + w
        {
            h.start = h.start.min(start);
            h.end = h.end.max(end);
            return;
        }
    }
    *slot = u32::try_from(hits.len()).unwrap_or(u32::MAX);
    hits.push(Hit {
        rule: r,
        start,
        end,
    });
}

/// Whether the `:`-separated word ending at `at` belongs to an ARN (`arn:aws:…:` earlier on the line,
/// within 256 bytes: the line before that is not looked at).
fn arn_before(hay: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(256);
    let ls = memchr::memrchr(b'\n', &hay[from..at]).map_or(from, |i| from + i + 1);
    let seg = &hay[ls..at];
    memchr::memmem::rfind(seg, b"arn:").is_some_and(|i| {
        !seg[i..]
            .iter()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\''))
    })
}

/// The finding of a path-only rule: the file itself, at line 1. Its path stands in for the secret, so each
/// file is its own credential (a fingerprint of nothing would merge them all into one).
pub(crate) fn file_finding(
    rule: &Rule,
    path: &str,
    key: Option<&crate::FingerprintKey>,
) -> Finding {
    Finding {
        rule: rule.id().to_owned(),
        description: rule.description().to_owned(),
        severity: rule.severity(),
        original_severity: None,
        path: path.to_owned(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        secret: path.to_owned(),
        fingerprint: crate::fingerprint_with(key, path.as_bytes()),
        entropy: (entropy(path.as_bytes()) * 100.0).round() / 100.0,
        validation: None,
        details: Default::default(),
        encoding: None,
        context: Context::Code,
        surface: None,
        commit: None,
        author: None,
        date: None,
        summary: None,
        blob: None,
        source: None,
        note: Some("file detected: its path matches the rule's `path`".to_owned()),
        owner: None,
        status: None,
        liveness: None,
        captures: Vec::new(),
        offset: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RuleSet, Scanner};

    fn lines_of(f: &[Finding], rule: &str) -> Vec<usize> {
        f.iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn resume_at_secret_end_when_the_tail_is_short() {
        // `x=SECRET\n`: match 0..9, secret 2..8: resume at 8 so the newline is seen again.
        assert_eq!(resume_at(0, 0, 9, Some(8)), 8);
        // A long tail after the secret: resume at the match's end (linear).
        assert_eq!(resume_at(0, 0, 100, Some(8)), 100);
        // No secret group: the match's end.
        assert_eq!(resume_at(0, 0, 9, None), 9);
        // Always advances, also after an empty match.
        assert_eq!(resume_at(5, 5, 5, Some(5)), 6);
        assert_eq!(resume_at(5, 5, 9, Some(5)), 6);
    }

    #[test]
    fn a_rule_ending_in_a_boundary_finds_the_token_on_the_next_line() {
        let set = RuleSet::from_toml(
            "t.toml",
            r#"
[[rule]]
id = "tok"
description = "t"
severity = "high"
keywords = ["tok_"]
regex = '''(?:^|[^A-Za-z0-9_])(?P<secret>tok_[A-Za-z0-9]{20})(?:[^A-Za-z0-9_]|$)'''
examples = ["tok_Ab3dE5fG7hJ9kL1mN3pQ"]
negative_examples = ["x"]
"#,
        )
        .expect("rule");
        let scanner = Scanner::new(set);
        let text =
            b"tok_Ab3dE5fG7hJ9kL1mN3pQ\ntok_Zb3dE5fG7hJ9kL1mN3pR\ntok_Yb3dE5fG7hJ9kL1mN3pS\n";
        assert_eq!(
            lines_of(&scanner.scan_bytes("a.txt", text), "tok"),
            [1, 2, 3]
        );
    }

    #[test]
    fn consecutive_lines_of_the_default_pack() {
        // Each pair used to lose its second line: the rule's trailing boundary ate the newline that the
        // next match's leading `(?:^|[^…])` needed.
        let scanner = Scanner::with_default_rules();
        let cases: &[(&str, &str)] = &[
            ("gitlab-pat", "glpat-Hq3Zr8xK2mVb7NcT1pWd\nglpat-Jq3Zr8xK2mVb7NcT1pWe\n"), // leakhound:allow
            ("openai-api-key", "sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tT3BlbkFJUv9W1xY3z5B7dE9fG1hJ3k\nsk-proj-Zb3dE5fG7hJ9kL1mN3pQ5rS7tT3BlbkFJUv9W1xY3z5B7dE9fG1hJ3m\n"), // leakhound:allow
            ("telegram-bot-token", "7312846590:AAHk3Lm9Pq2Rs5Tu8Vw1Xy4Za7Bc0De3Fgq\n7312846591:AAHk3Lm9Pq2Rs5Tu8Vw1Xy4Za7Bc0De3Fhq\n"), // leakhound:allow
        ];
        for (rule, text) in cases {
            let f = scanner.scan_bytes("keys.txt", text.as_bytes());
            assert_eq!(lines_of(&f, rule), [1, 2], "{rule}: {f:?}");
        }
    }
}
