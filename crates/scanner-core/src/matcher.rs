//! Keyword hit → window → lazily compiled regex → secret → filters → finding.

use regex::bytes::CaptureLocations;

use crate::filters::{entropy, inline_allowed, is_placeholder, looks_like_assignment};
use crate::finding::{fingerprint, Finding};
use crate::prefilter::Prefilter;
use crate::rules::{allowlist, Rule, Severity};
use crate::validate::Outcome;

/// Per-thread scratch space reused across buffers, so the hot loop allocates nothing in the common case.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    hits: Vec<Hit>,
    candidates: Vec<Candidate>,
    locs: Vec<Option<CaptureLocations>>,
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
        let Scratch {
            hits,
            candidates,
            locs,
        } = scratch;
        hits.clear();
        candidates.clear();
        self.prefilter
            .for_each_hit(hay, self.bulk, |kw, start, end| {
                // The generic tier is lazy: `token` occurs hundreds of times per MB of code, almost never in an
                // assignment of a literal. Check the shape (once per hit) before queueing any regex work.
                let mut assignment = None;
                for &r in self.prefilter.rules_of(kw) {
                    if self.rules[r as usize].is_lazy()
                        && !*assignment.get_or_insert_with(|| looks_like_assignment(hay, end))
                    {
                        continue;
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
            if is_placeholder(secret) {
                continue;
            }
            let ent = entropy(secret);
            if rule.entropy().is_some_and(|min| ent < min) {
                continue;
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
            if let Some(v) = rule.validator() {
                match v.check(secret, self.now) {
                    Outcome::Valid(label) => validation = Some(label),
                    Outcome::Downgrade(label) => {
                        validation = Some(label);
                        severity = Severity::Low;
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
                commit: None,
                author: None,
                date: None,
                summary: None,
                blob: None,
                note: None,
                owner: None,
                status: None,
                offset: c.start,
            });
        }
    }
}

/// The finding of a path-only rule: the file itself, at line 1. Its path stands in for the secret, so each
/// file is its own credential (a fingerprint of nothing would merge them all into one).
fn file_finding(rule: &Rule, path: &str) -> Finding {
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
        commit: None,
        author: None,
        date: None,
        summary: None,
        blob: None,
        note: Some("file detected: its path matches the rule's `path`".to_owned()),
        owner: None,
        status: None,
        offset: 0,
    }
}
