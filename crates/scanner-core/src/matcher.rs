//! Keyword hit → window → lazily compiled regex → secret → filters → finding.

use regex::bytes::CaptureLocations;

use crate::decode::{self, Encoding};
use crate::filters::{
    decodes_to_placeholder, entropy, generic_noise, inline_allowed, is_placeholder,
    looks_like_assignment,
};
use crate::finding::{fingerprint, Finding};
use crate::prefilter::Prefilter;
use crate::prefilter::{DOCUMENT, JOIN};
use crate::rules::{allowlist, Rule, Severity};
use crate::validate::Outcome;

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
}

impl Scratch {
    /// Fresh, empty scratch space.
    pub fn new() -> Scratch {
        Scratch::default()
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

/// What the matcher needs besides the buffer: everything that is fixed for a whole scan.
pub(crate) struct MatchContext<'a> {
    pub rules: &'a [Rule],
    pub prefilter: &'a Prefilter,
    pub allow: &'a [regex::bytes::Regex],
    pub now: u64,
    /// Part of a large scan: worth building the fastest keyword automaton.
    pub bulk: bool,
}

impl MatchContext<'_> {
    /// Scans one buffer and appends its findings (sorted by offset) to `out`.
    pub fn scan(&self, path: &str, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Finding>) {
        let mut budget = decode::BUDGET;
        // A notebook stores each source line as a JSON string, so `key = "value"` reads `key = \"value\"`.
        // Blanking the backslashes (same length: offsets, lines and columns stay those of the file) lets
        // every rule see the code as written.
        if path.ends_with(".ipynb") && memchr::memmem::find(hay, b"\\\"").is_some() {
            let mut copy = hay.to_vec();
            for i in memchr::memmem::find_iter(hay, b"\\\"") {
                copy[i] = b' ';
            }
            self.scan_depth(path, &copy, scratch, out, 0, &mut budget);
            return;
        }
        self.scan_depth(path, hay, scratch, out, 0, &mut budget);
    }

    /// `depth` counts the encodings already peeled to reach `hay`.
    fn scan_depth(
        &self,
        path: &str,
        hay: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
        depth: u8,
        budget: &mut usize,
    ) {
        let base = out.len();
        self.scan_plain(path, hay, scratch, out);
        if !scratch.joins.is_empty() {
            let joins = std::mem::take(&mut scratch.joins);
            self.scan_joined(path, hay, &joins, out, base);
            scratch.joins = joins;
            scratch.joins.clear();
        }
        if !scratch.encoded.is_empty() && depth < decode::MAX_DEPTH {
            let runs = std::mem::take(&mut scratch.encoded);
            self.scan_encoded(path, hay, &runs, out, base, depth, budget);
            scratch.encoded = runs;
            scratch.encoded.clear();
        }
    }

    fn scan_plain(&self, path: &str, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Finding>) {
        let Scratch {
            hits,
            candidates,
            locs,
            encoded,
            joins,
        } = scratch;
        hits.clear();
        candidates.clear();
        encoded.clear();
        joins.clear();
        let document = &mut false;
        self.prefilter
            .for_each_hit(hay, self.bulk, |kw, start, end| {
                let t = self.prefilter.triggers(kw);
                if t != 0 {
                    if t & JOIN != 0 {
                        joins.extend(decode::name_value_pair(hay, end));
                    }
                    if t & DOCUMENT != 0 && !std::mem::replace(document, true) {
                        for (s, e) in decode::document_values(hay, 10_000) {
                            encoded.push((s, e, Encoding::Base64, true));
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
                let mut assignment = None;
                for &r in self.prefilter.rules_of(kw) {
                    if self.rules[r as usize].is_lazy() {
                        if assignment.is_none() {
                            let a = looks_like_assignment(hay, end);
                            // An assigned value that looks encoded is decoded and rescanned in its line.
                            if let Some((s, e, enc)) =
                                a.then(|| decode::assignment_value(hay, end)).flatten()
                            {
                                encoded.push((s, e, enc, true));
                            }
                            assignment = Some(a);
                        }
                        if assignment == Some(false) {
                            continue;
                        }
                    }
                    hits.push(Hit {
                        rule: r,
                        start,
                        end,
                    });
                }
            });
        // Rules without keywords: one hit spanning the whole buffer.
        for &r in self.prefilter.always() {
            hits.push(Hit {
                rule: r,
                start: 0,
                end: hay.len(),
            });
        }
        if hits.is_empty() {
            return;
        }
        hits.sort_unstable_by_key(|h| (h.rule, h.start));
        if locs.len() < self.rules.len() {
            locs.resize(self.rules.len(), None);
        }

        let mut i = 0;
        while i < hits.len() {
            let rule_idx = hits[i].rule;
            let rule = &self.rules[rule_idx as usize];
            if rule.is_path_only() {
                // A gitleaks rule with a `path` and no regex reports the file itself, once.
                while hits.get(i).is_some_and(|h| h.rule == rule_idx) {
                    i += 1;
                }
                if rule.reports_file(path) {
                    out.push(file_finding(rule, path));
                }
                continue;
            }
            let w = rule.window();
            // Merge the windows of this rule's hits so overlapping windows are searched once.
            let mut win_start = hits[i].start.saturating_sub(w);
            let mut win_end = (hits[i].end + w).min(hay.len());
            i += 1;
            loop {
                let next = hits
                    .get(i)
                    .filter(|h| h.rule == rule_idx && h.start.saturating_sub(w) <= win_end);
                match next {
                    Some(h) => {
                        win_end = win_end.max((h.end + w).min(hay.len()));
                        i += 1;
                        continue;
                    }
                    None => {
                        self.run_rule(
                            rule_idx, rule, hay, win_start, win_end, path, locs, candidates,
                        );
                        match hits.get(i) {
                            Some(h) if h.rule == rule_idx => {
                                win_start = h.start.saturating_sub(w);
                                win_end = (h.end + w).min(hay.len());
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                }
            }
        }
        if candidates.is_empty() {
            return;
        }
        self.resolve_overlaps(candidates);
        self.emit(path, hay, candidates, out);
    }

    /// Kubernetes env entries put the name and the value on two lines (`- name: OPENAI_API_KEY` /
    /// `value: sk-…`), where rules that need the name before the value cannot see both. Each pair is
    /// scanned as `NAME: value`, and what is found in the value is placed on the value's bytes.
    fn scan_joined(
        &self,
        path: &str,
        hay: &[u8],
        joins: &[(usize, usize, usize, usize)],
        out: &mut Vec<Finding>,
        base: usize,
    ) {
        let mut scratch = Scratch::new();
        let mut found = Vec::new();
        let mut added = false;
        for &(ns, ne, vs, ve) in joins {
            let mut view = Vec::with_capacity(ne - ns + 2 + ve - vs);
            view.extend_from_slice(&hay[ns..ne]);
            view.extend_from_slice(b": ");
            let at = view.len();
            view.extend_from_slice(&hay[vs..ve]);
            found.clear();
            self.scan_plain(path, &view, &mut scratch, &mut found);
            for mut f in found.drain(..) {
                if f.offset < at {
                    continue;
                }
                let start = vs + (f.offset - at);
                if out[base..]
                    .iter()
                    .any(|o| o.offset == start && o.fingerprint == f.fingerprint)
                {
                    continue;
                }
                let end = (start + f.secret.len()).min(hay.len());
                (f.line, f.column) = line_col(hay, start);
                (f.end_line, f.end_column) = line_col(hay, end);
                f.offset = start;
                out.push(f);
                added = true;
            }
        }
        if added {
            out[base..].sort_by_key(|f| f.offset);
        }
    }

    /// Decodes each encoded run once and scans the result; findings are placed on the encoded bytes.
    /// A run found through an assignment is rescanned in its line (`AWS_SECRET_ACCESS_KEY: <base64>` needs
    /// its name to be recognised); a run found through an encoded keyword is scanned alone.
    #[allow(clippy::too_many_arguments)]
    fn scan_encoded(
        &self,
        path: &str,
        hay: &[u8],
        runs: &[(usize, usize, Encoding, bool)],
        out: &mut Vec<Finding>,
        base: usize,
        depth: u8,
        budget: &mut usize,
    ) {
        let mut done: Vec<(usize, usize)> = Vec::new();
        let mut hit_runs: Vec<(usize, usize)> = Vec::new();
        let mut found = Vec::new();
        let mut scratch = Scratch::new();
        for &(s, e, enc, in_context) in runs {
            let (lo, hi) = if in_context {
                (s, e)
            } else {
                decode::enclosing_run(hay, s, e, enc)
            };
            if done.iter().any(|&(a, b)| a <= lo && hi <= b) || hi - lo > *budget {
                continue;
            }
            if enc == Encoding::Base64 && in_context && !decode::base64_text_prefix(&hay[lo..hi]) {
                continue;
            }
            done.push((lo, hi));
            let Some(decoded) = decode::decode(&hay[lo..hi], enc) else {
                continue;
            };
            if !decode::mostly_text(&decoded) {
                continue;
            }
            *budget = budget.saturating_sub(hi - lo);
            // The view: the decoded bytes, with the rest of their line around them when the name matters.
            let dlen = decoded.len();
            let (view, at) = if in_context {
                let ls = memchr::memrchr(b'\n', &hay[..lo]).map_or(0, |i| i + 1);
                let le = memchr::memchr(b'\n', &hay[hi..]).map_or(hay.len(), |i| hi + i);
                let mut v = Vec::with_capacity(le - ls + dlen);
                v.extend_from_slice(&hay[ls..lo]);
                v.extend_from_slice(&decoded);
                v.extend_from_slice(&hay[hi..le]);
                (v, lo - ls)
            } else {
                (decoded, 0)
            };
            let before = found.len();
            self.scan_depth(path, &view, &mut scratch, &mut found, depth + 1, budget);
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
            let (line, column) = line_col(hay, lo);
            let (end_line, end_column) = line_col(hay, hi);
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
            return;
        }
        // An encoded blob that a generic rule reported as, say, a password is better reported decoded.
        let plain: Vec<Finding> = out
            .drain(base..)
            .filter(|f| {
                let generic = self
                    .rules
                    .iter()
                    .any(|r| r.id() == f.rule && r.is_generic());
                !(generic && hit_runs.iter().any(|&(a, b)| a <= f.offset && f.offset < b))
            })
            .collect();
        out.extend(plain);
        out.extend(found);
        out[base..].sort_by_key(|f| f.offset);
    }

    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        rule_idx: u32,
        rule: &Rule,
        hay: &[u8],
        start: usize,
        end: usize,
        path: &str,
        locs: &mut [Option<CaptureLocations>],
        out: &mut Vec<Candidate>,
    ) {
        let Ok(compiled) = rule.compiled() else {
            return;
        };
        if rule.path_allowed(path) {
            return;
        }
        let loc = locs[rule_idx as usize].get_or_insert_with(|| compiled.regex.capture_locations());
        let hay_w = &hay[..end];
        let mut pos = start;
        while pos <= end {
            let Some(m) = compiled.regex.captures_read_at(loc, hay_w, pos) else {
                break;
            };
            pos = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
            let Some((s, e)) = compiled.secret(loc) else {
                continue;
            };
            if s == e
                || out
                    .iter()
                    .any(|c| c.rule == rule_idx && c.start == s && c.end == e)
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
                let ls = memchr::memrchr(b'\n', &hay[..s]).map_or(0, |i| i + 1);
                let le = memchr::memchr(b'\n', &hay[e..]).map_or(hay.len(), |i| e + i);
                if generic_noise(secret, &hay[ls..le], rule.id().contains("password")) {
                    continue;
                }
            }
            if compiled
                .allow
                .iter()
                .chain(self.allow)
                .any(|a| a.is_match(secret))
                || compiled
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
        }
    }

    /// One finding per secret occurrence: when rules report overlapping bytes, keep the most specific:
    /// specific beats generic, then the longer secret, then the rule listed first.
    fn resolve_overlaps(&self, cands: &mut Vec<Candidate>) {
        if cands.len() > 1 {
            cands.sort_unstable_by_key(|c| (c.start, std::cmp::Reverse(c.end), c.rule));
        }
        let rank = |c: &Candidate| {
            let r = &self.rules[c.rule as usize];
            (!r.is_generic(), c.end - c.start, std::cmp::Reverse(c.rule))
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
        // Candidates are sorted by offset, so line numbers are counted incrementally.
        let (mut pos, mut line) = (0usize, 1usize);
        let mut line_at = |off: usize| {
            line += memchr::memchr_iter(b'\n', &hay[pos..off]).count();
            pos = off;
            let line_start = memchr::memrchr(b'\n', &hay[..off]).map_or(0, |i| i + 1);
            (line, off - line_start + 1)
        };
        for c in cands {
            if inline_allowed(hay, c.start, c.end) {
                continue;
            }
            let rule = &self.rules[c.rule as usize];
            let (line, column) = line_at(c.start);
            let (end_line, end_column) = line_at(c.end);
            let secret = &hay[c.start..c.end];
            out.push(Finding {
                rule: rule.id().to_owned(),
                description: rule.description().to_owned(),
                severity: c.severity,
                path: path.to_owned(),
                line,
                column,
                end_line,
                end_column,
                secret: String::from_utf8_lossy(secret).into_owned(),
                fingerprint: fingerprint(secret),
                entropy: (c.entropy * 100.0).round() / 100.0,
                validation: c.validation.map(str::to_owned),
                details: c
                    .details
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
                encoding: None,
                commit: None,
                author: None,
                date: None,
                summary: None,
                blob: None,
                source: None,
                note: None,
                owner: None,
                status: None,
                offset: c.start,
            });
        }
    }
}

/// Whether the `:`-separated word ending at `at` belongs to an ARN (`arn:aws:…:` earlier on the line).
fn arn_before(hay: &[u8], at: usize) -> bool {
    let ls = memchr::memrchr(b'\n', &hay[..at]).map_or(0, |i| i + 1);
    let seg = &hay[ls.max(at.saturating_sub(256))..at];
    memchr::memmem::rfind(seg, b"arn:").is_some_and(|i| {
        !seg[i..]
            .iter()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\''))
    })
}

/// 1-based line and byte column of `off` in `hay`.
fn line_col(hay: &[u8], off: usize) -> (usize, usize) {
    let line = 1 + memchr::memchr_iter(b'\n', &hay[..off]).count();
    let line_start = memchr::memrchr(b'\n', &hay[..off]).map_or(0, |i| i + 1);
    (line, off - line_start + 1)
}

/// The finding of a path-only rule: the file itself, at line 1. Its path stands in for the secret, so each
/// file is its own credential (a fingerprint of nothing would merge them all into one).
pub(crate) fn file_finding(rule: &Rule, path: &str) -> Finding {
    Finding {
        rule: rule.id().to_owned(),
        description: rule.description().to_owned(),
        severity: rule.severity(),
        path: path.to_owned(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        secret: path.to_owned(),
        fingerprint: fingerprint(path.as_bytes()),
        entropy: (entropy(path.as_bytes()) * 100.0).round() / 100.0,
        validation: None,
        details: Default::default(),
        encoding: None,
        commit: None,
        author: None,
        date: None,
        summary: None,
        blob: None,
        source: None,
        note: Some("file detected: its path matches the rule's `path`".to_owned()),
        owner: None,
        status: None,
        offset: 0,
    }
}
