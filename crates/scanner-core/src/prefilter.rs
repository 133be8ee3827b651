//! The keyword index: one Aho-Corasick automaton over every rule's keywords, so a buffer is read once
//! no matter how many rules there are, and a rule whose keywords do not occur costs nothing.

use std::collections::HashMap;
use std::sync::OnceLock;

use globset::{Candidate, Glob, GlobSet, GlobSetBuilder};

mod table;

use table::KeywordTable;

use crate::decode::{base64_forms, percent_form, Encoding, DOCUMENT_MARKERS, MARKERS};

/// Trigger bit of [`DOCUMENT_MARKERS`]: decode every base64 value of the buffer.
pub(crate) const DOCUMENT: u8 = 8;
/// Trigger bit of `- name:`: a Kubernetes env entry whose value is on the next line.
pub(crate) const JOIN: u8 = 16;
/// Trigger bit of an MCP servers key (`mcpServers`): the buffer is agent configuration
/// (see [`crate::agent`]).
pub(crate) const AGENT: u8 = 32;
/// Trigger bit of an ANSI control sequence (`ESC [`, or JSON's `\u001b[`): the buffer is scanned again
/// with them blanked (see [`crate::blanking`]). Found by the keyword pass itself, so that the text of
/// files without colour codes is not read twice more to look for them.
pub(crate) const ANSI: u8 = 64;
use crate::rules::Rule;

/// Maps keyword hits to the rules they gate.
#[derive(Debug)]
pub(crate) struct Prefilter {
    /// Lowercased keywords, deduplicated; a keyword's index is its pattern id in both automata.
    keywords: Vec<String>,
    /// For bulk scans: fastest per byte, a few ms to build for the default pack (see [`table`]).
    dfa: OnceLock<KeywordTable>,
    /// For a few small buffers (the pre-commit hook): builds in microseconds, slower per byte.
    small: OnceLock<SmallMatcher>,
    /// For each distinct (lowercased) keyword, the rules that list it.
    rules_of: Vec<Vec<u32>>,
    /// For each pattern, the encodings it is a trigger of (bits of [`Encoding::bit`]); 0 for plain
    /// keywords. An encoded keyword marks an encoded run to decode and rescan (see `decode`).
    triggers: Vec<u8>,
    /// Longest keyword, in bytes: how far back a stream must start to see a keyword ending in its range.
    max_len: usize,
    /// Rules without keywords (imported gitleaks rules whose regex yields no literal, rules limited to
    /// `paths`): they run on every buffer they allow.
    always: Vec<u32>,
    /// When every rule of `always` runs only on `paths`: the union of their globs, built on first use,
    /// so that a buffer at none of those paths skips them all with one glob match instead of one each.
    always_paths: OnceLock<Option<GlobSet>>,
}

/// Independent automaton walks interleaved over one buffer. A DFA walk is bound by the latency of one
/// table load per byte (~5 cycles); four walks over four quarters of the buffer overlap those loads.
/// Measured over 181 MB of real source with the 242 keywords of the default pack: one walk 435-530 MB/s
/// per core, four interleaved walks 835-945 MB/s (eight: 460-490, past what the core kept in flight then;
/// with the far larger automaton of the 783-rule pack, eight win on large buffers: see [`WIDE`]).
const STREAMS: usize = 4;

/// Walks interleaved over a large buffer. With the ~2,800 keywords of the 783-rule pack the automaton
/// (2.6 MB) no longer fits in a core's L2 cache (1 MB here), and each walk waits on more misses: eight
/// walks keep more of them in flight. In memory over 120 MB of source, 2.24-2.29 against 2.14-2.15 GB/s
/// per core; in a scan of 513 MB of large files, 10% less CPU (twelve or sixteen walks: slower again).
const WIDE: usize = 8;

/// From this size on a buffer is walked by [`WIDE`] streams (each replays up to the longest keyword
/// first, which small buffers cannot amortise).
const WIDE_MIN: usize = 4096;

/// Below this size the set-up of four walks (replaying up to the longest keyword before each) is not worth
/// it. Half of a source tree's files are under 2 KiB, and with the larger automaton of ~750 keywords
/// each walk waits on cache misses, so four walks pay off early: 256 B instead of 2 KiB took the
/// in-memory scan of 150 MB of source from 730-750 to 880-900 MB/s on one core.
const INTERLEAVE_MIN: usize = 256;

/// A buffer this large pays for building the DFA by itself, even outside a bulk scan.
const DFA_MIN: usize = 256 * 1024;

impl Prefilter {
    /// Collects the keywords. The automata are built on first use: which one depends on the workload.
    ///
    /// Bulk scans use a DFA, because aho-corasick's SIMD (Teddy) prefilter supports neither
    /// case-insensitive matching nor more than 64 literals, so the DFA's table walk *is* the scan; its
    /// table uses byte classes. With the 242 keywords of the first pack a full 256-entry row per state was
    /// faster (one lookup less per byte: 0.58 s against 0.73 s over 190 MB), but at ~700 keywords that
    /// table is 4× the size and its cache misses cost more than the class lookup: 780 against 680 MB/s
    /// per core in memory. At ~1,700 keywords aho-corasick's DFA itself (4.8 MB, states in insertion
    /// order) lost a quarter of its speed to cache misses; [`KeywordTable`] is the same automaton
    /// numbered breadth-first (1.9 MB, hot states together). Building it takes milliseconds, too much
    /// for a hook that scans three added lines, so small one-off scans use a [`SmallMatcher`].
    pub fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut rules_of: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            if rule.keywords().is_empty() {
                always.push(ri as u32);
            }
            for kw in rule.keywords() {
                let k = *index.entry(kw.clone()).or_insert_with(|| {
                    keywords.push(kw.clone());
                    rules_of.push(Vec::new());
                    keywords.len() - 1
                });
                if !rules_of[k].contains(&(ri as u32)) {
                    rules_of[k].push(ri as u32);
                }
            }
        }
        let mut triggers = vec![0u8; keywords.len()];
        let mut add = |form: String, bit: u8| {
            let form = form.to_ascii_lowercase();
            match index.get(&form) {
                Some(&k) => triggers[k] |= bit,
                None => {
                    index.insert(form.clone(), keywords.len());
                    keywords.push(form);
                    rules_of.push(Vec::new());
                    triggers.push(bit);
                }
            }
        };
        for m in MARKERS {
            for form in base64_forms(m) {
                add(form, Encoding::Base64.bit());
            }
            if let Some(form) = percent_form(m) {
                add(form, Encoding::Percent.bit());
            }
        }
        for m in DOCUMENT_MARKERS {
            add((*m).to_owned(), DOCUMENT);
        }
        add("- name:".to_owned(), JOIN);
        for m in crate::agent::MCP_MARKERS {
            add((*m).to_owned(), AGENT);
        }
        for m in crate::blanking::ANSI_MARKERS {
            add((*m).to_owned(), ANSI);
        }
        let max_len = keywords.iter().map(String::len).max().unwrap_or(0);
        Prefilter {
            keywords,
            triggers,
            dfa: OnceLock::new(),
            small: OnceLock::new(),
            rules_of,
            max_len,
            always,
            always_paths: OnceLock::new(),
        }
    }

    fn dfa(&self) -> &KeywordTable {
        self.dfa.get_or_init(|| KeywordTable::new(&self.keywords))
    }

    fn small(&self) -> &SmallMatcher {
        self.small.get_or_init(|| SmallMatcher::new(&self.keywords))
    }

    /// Calls `f(keyword, start, end)` for every keyword occurrence, in no particular order. `bulk` says
    /// the caller will scan much more than this buffer, so building the DFA pays off.
    // Indexing the four parts by one counter is the point: it keeps the four walks in lockstep.
    #[allow(clippy::needless_range_loop)]
    pub fn for_each_hit(&self, hay: &[u8], bulk: bool, mut f: impl FnMut(usize, usize, usize)) {
        if self.keywords.is_empty() {
            return;
        }
        if !bulk && hay.len() < DFA_MIN && self.dfa.get().is_none() {
            self.small().for_each_hit(&self.keywords, hay, f);
            return;
        }
        let dfa = self.dfa();
        let start = dfa.start();
        if hay.len() < INTERLEAVE_MIN {
            walk(dfa, start, hay, 0, &mut f);
            return;
        }
        if hay.len() >= WIDE_MIN {
            self.walk_wide(dfa, hay, &mut f);
            return;
        }
        // Stream j reports keywords ending in (j*seg, (j+1)*seg]; it first replays the `max_len - 1`
        // bytes before its range so that a keyword straddling the boundary is seen whole.
        let seg = hay.len() / STREAMS;
        let overlap = self.max_len.saturating_sub(1).min(seg);
        let mut sid = [start; STREAMS];
        for (j, s) in sid.iter_mut().enumerate().skip(1) {
            for &b in &hay[j * seg - overlap..j * seg] {
                *s = dfa.next(*s, b);
            }
        }
        // Four named states and four slices, not arrays: the states stay in registers (an array whose
        // address reaches the reporting call is spilled to the stack on every byte).
        let (p0, p1, p2, p3) = (
            &hay[..seg],
            &hay[seg..2 * seg],
            &hay[2 * seg..3 * seg],
            &hay[3 * seg..4 * seg],
        );
        let [mut s0, mut s1, mut s2, mut s3] = sid;
        for i in 0..seg {
            s0 = dfa.next(s0, p0[i]);
            s1 = dfa.next(s1, p1[i]);
            s2 = dfa.next(s2, p2[i]);
            s3 = dfa.next(s3, p3[i]);
            if KeywordTable::is_match(s0 | s1 | s2 | s3) {
                report_all(dfa, [s0, s1, s2, s3], seg, i, &mut f);
            }
        }
        let sid = [s0, s1, s2, s3];
        // The remainder after the last full quarter continues the last stream.
        walk(
            dfa,
            sid[STREAMS - 1],
            &hay[STREAMS * seg..],
            STREAMS * seg,
            &mut f,
        );
    }

    /// [`Self::for_each_hit`]'s walk over a buffer of at least [`WIDE_MIN`] bytes: eight streams.
    // As in `for_each_hit`: one counter over eight parts keeps the walks in lockstep.
    #[allow(clippy::needless_range_loop)]
    fn walk_wide(&self, dfa: &KeywordTable, hay: &[u8], f: &mut impl FnMut(usize, usize, usize)) {
        let seg = hay.len() / WIDE;
        let overlap = self.max_len.saturating_sub(1).min(seg);
        let mut sid = [dfa.start(); WIDE];
        for (j, s) in sid.iter_mut().enumerate().skip(1) {
            for &b in &hay[j * seg - overlap..j * seg] {
                *s = dfa.next(*s, b);
            }
        }
        let part = |j: usize| &hay[j * seg..(j + 1) * seg];
        let (p0, p1, p2, p3, p4, p5, p6, p7) = (
            part(0),
            part(1),
            part(2),
            part(3),
            part(4),
            part(5),
            part(6),
            part(7),
        );
        let [mut s0, mut s1, mut s2, mut s3, mut s4, mut s5, mut s6, mut s7] = sid;
        for i in 0..seg {
            s0 = dfa.next(s0, p0[i]);
            s1 = dfa.next(s1, p1[i]);
            s2 = dfa.next(s2, p2[i]);
            s3 = dfa.next(s3, p3[i]);
            s4 = dfa.next(s4, p4[i]);
            s5 = dfa.next(s5, p5[i]);
            s6 = dfa.next(s6, p6[i]);
            s7 = dfa.next(s7, p7[i]);
            if KeywordTable::is_match(s0 | s1 | s2 | s3 | s4 | s5 | s6 | s7) {
                report_all(dfa, [s0, s1, s2, s3, s4, s5, s6, s7], seg, i, f);
            }
        }
        walk(dfa, s7, &hay[WIDE * seg..], WIDE * seg, f);
    }

    pub fn rules_of(&self, keyword: usize) -> &[u32] {
        &self.rules_of[keyword]
    }

    /// The encodings whose runs pattern `keyword` marks (0 for a plain keyword).
    pub fn triggers(&self, keyword: usize) -> u8 {
        self.triggers[keyword]
    }

    /// Rules that have no keywords: every buffer is a hit for them.
    pub fn always(&self) -> &[u32] {
        &self.always
    }

    /// Whether some rule of [`Self::always`] may run on the buffer at `path` (`candidate`: the path
    /// prepared for glob matching, made on first use). `false` only when every such rule is limited to
    /// `paths` and `path` matches none of them; each rule still decides for itself when `true`.
    pub fn always_may_run<'p>(
        &self,
        rules: &[Rule],
        path: &'p str,
        candidate: &mut Option<Candidate<'p>>,
    ) -> bool {
        if self.always.is_empty() {
            return false;
        }
        let union = self.always_paths.get_or_init(|| {
            let mut b = GlobSetBuilder::new();
            for &r in &self.always {
                let globs = rules[r as usize].paths();
                if globs.is_empty() {
                    return None;
                }
                for g in globs {
                    b.add(Glob::new(g).ok()?);
                }
            }
            b.build().ok()
        });
        union.as_ref().is_none_or(|u| {
            u.is_match_candidate(candidate.get_or_insert_with(|| Candidate::new(path)))
        })
    }
}

fn walk(
    dfa: &KeywordTable,
    mut sid: u32,
    bytes: &[u8],
    base: usize,
    f: &mut impl FnMut(usize, usize, usize),
) {
    for (i, &b) in bytes.iter().enumerate() {
        sid = dfa.next(sid, b);
        if KeywordTable::is_match(sid) {
            dfa.report(sid, base + i + 1, f);
        }
    }
}

/// Keyword search for a few small buffers, where building any automaton costs more than the scan: with
/// ~750 case-insensitive keywords aho-corasick's NFA takes 2 ms to build (its failure transitions), the
/// DFA 6 ms, while the pre-commit hook scans a few KB. Keywords are bucketed by their first two bytes
/// (lowercased), so each haystack position costs one table lookup and, rarely, a few comparisons. The
/// table builds in ~50 µs and scans at a few hundred MB/s, enough below the DFA's threshold.
#[derive(Debug)]
struct SmallMatcher {
    /// `(first byte, second byte)` lowercased → 1 + index into `buckets` (0: no keyword starts so).
    table: Vec<u16>,
    buckets: Vec<Bucket>,
}

/// The keywords that start with one pair of bytes: two-byte ones, and longer ones sorted by their
/// third byte, so that a position compares only the keywords its third byte allows (with ~2,800
/// keywords a pair like `pa` or `to` starts dozens).
#[derive(Debug, Default)]
struct Bucket {
    pairs: Vec<u32>,
    longer: Vec<(u8, u32)>,
}

impl SmallMatcher {
    fn new(keywords: &[String]) -> SmallMatcher {
        let mut table = vec![0u16; 1 << 16];
        let mut buckets: Vec<Bucket> = Vec::new();
        for (k, kw) in keywords.iter().enumerate() {
            let b = kw.as_bytes();
            // Keywords are validated to be at least two bytes, and are lowercase.
            let slot = &mut table[usize::from(b[0]) << 8 | usize::from(b[1])];
            if *slot == 0 {
                buckets.push(Bucket::default());
                *slot = u16::try_from(buckets.len()).expect("fewer than 65536 two-byte prefixes");
            }
            let bucket = &mut buckets[usize::from(*slot) - 1];
            match b.get(2) {
                None => bucket.pairs.push(k as u32),
                Some(&third) => bucket.longer.push((third, k as u32)),
            }
        }
        for b in &mut buckets {
            b.longer.sort_unstable();
        }
        SmallMatcher { table, buckets }
    }

    fn for_each_hit(
        &self,
        keywords: &[String],
        hay: &[u8],
        mut f: impl FnMut(usize, usize, usize),
    ) {
        for i in 0..hay.len().saturating_sub(1) {
            let key = usize::from(hay[i].to_ascii_lowercase()) << 8
                | usize::from(hay[i + 1].to_ascii_lowercase());
            let slot = self.table[key];
            if slot == 0 {
                continue;
            }
            let bucket = &self.buckets[usize::from(slot) - 1];
            for &k in &bucket.pairs {
                f(k as usize, i, i + 2);
            }
            let Some(third) = hay.get(i + 2).map(u8::to_ascii_lowercase) else {
                continue;
            };
            let from = bucket.longer.partition_point(|&(t, _)| t < third);
            for &(_, k) in bucket.longer[from..]
                .iter()
                .take_while(|&&(t, _)| t == third)
            {
                let kw = keywords[k as usize].as_bytes();
                if hay.len() - i >= kw.len()
                    && hay[i + 3..i + kw.len()].eq_ignore_ascii_case(&kw[3..])
                {
                    f(k as usize, i, i + kw.len());
                }
            }
        }
    }
}

/// The interleaved loop's rare path, kept out of line so the four walks stay in registers.
#[cold]
#[inline(never)]
fn report_all<const N: usize>(
    dfa: &KeywordTable,
    sid: [u32; N],
    seg: usize,
    i: usize,
    f: &mut impl FnMut(usize, usize, usize),
) {
    for (j, s) in sid.into_iter().enumerate() {
        // Usually one stream of the several reports: skip the others without a call.
        if KeywordTable::is_match(s) {
            dfa.report(s, j * seg + i + 1, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    /// The interleaved walk must report exactly what a plain overlapping search does, including
    /// keywords that straddle the boundaries between the four streams.
    #[test]
    fn interleaved_walk_matches_plain_search() {
        let rules = RuleSet::embedded();
        let mut kws: Vec<String> = Vec::new();
        for r in rules.iter() {
            for k in r.keywords() {
                if !kws.contains(k) {
                    kws.push(k.clone());
                }
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&kws)
            .unwrap();
        let mut hay = Vec::new();
        let mut x: u32 = 7;
        while hay.len() < 300_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            if x.is_multiple_of(7) {
                hay.extend_from_slice(
                    kws[(x as usize >> 8) % kws.len()]
                        .to_ascii_uppercase()
                        .as_bytes(),
                );
            } else {
                hay.push(b"abcdefghijklmnop _-=:/\n"[(x >> 16) as usize % 23]);
            }
        }
        for (len, bulk) in [
            (hay.len(), true),
            (WIDE_MIN, true),
            (WIDE_MIN + 7, true),
            (INTERLEAVE_MIN, true),
            (INTERLEAVE_MIN + 3, true),
            (1000, true),
            (5000, false),
        ] {
            let hay = &hay[..len];
            let mut got = Vec::new();
            // Encoded-keyword triggers come after the rule keywords; compare the keywords only.
            Prefilter::new(rules.rules()).for_each_hit(hay, bulk, |k, s, e| {
                if k < kws.len() {
                    got.push((k, s, e))
                }
            });
            got.sort_unstable();
            let mut want: Vec<_> = ac
                .find_overlapping_iter(hay)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            want.sort_unstable();
            assert_eq!(got.len(), want.len(), "len {len}");
            assert_eq!(got, want, "len {len}");
        }
    }
}
