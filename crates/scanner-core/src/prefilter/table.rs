//! The keyword automaton of bulk scans: an Aho-Corasick DFA laid out for the one loop that reads every
//! byte of a scan.
//!
//! aho-corasick's own `dfa::DFA` is built from a trie whose states are numbered in insertion order, so
//! the few hundred shallow states that ordinary text keeps visiting (the root, its children, their
//! children) are scattered over a table of several megabytes, and each byte's transition is a likely
//! cache and TLB miss. Here the same automaton (same keywords, same overlapping "every keyword ending at
//! each position" semantics, ASCII case folded) is numbered breadth-first, so the hot states share a few
//! pages; its alphabet is the bytes that occur in keywords (one class per letter, both cases) plus one
//! class for every other byte. Measured over 120 MB of source with the 1,695 keywords of a 718-rule
//! pack: 9,460 states × 52 columns × 4 bytes = 1.9 MB, against 4.8 MB for aho-corasick's DFA, and
//! 700-750 MB/s per core against 490-550 (the 696 keywords of the 359-rule pack: 780-870 against
//! 650-680). It is built breadth first straight into its final rows (a state's row starts as a copy of
//! its failure state's), with no intermediate table and no per-state allocation: 0.5-1.7 ms for the
//! 2,808 keywords of the 783-rule pack, where the crate's DFA took 17-29 ms and a first version of
//! this one 5 ms, which every directory scan waited for.
//!
//! A transition is the premultiplied row offset of the next state, plus one when that state ends a
//! keyword: a reporting state's row is stored one column to the right, so the walk never masks the bit
//! off (`next = table[state + class]` either way) and a hit is `next & 1`, tested off the critical path.

/// A breadth-first, byte-class compressed Aho-Corasick DFA over case-folded ASCII keywords.
#[derive(Debug)]
pub(crate) struct KeywordTable {
    /// Row per state, `stride` columns; entries are next states (see the module documentation).
    table: Vec<u32>,
    /// Byte → column.
    class: [u8; 256],
    /// Columns per row: the classes plus the shift of reporting states, rounded up to even so that a
    /// row offset's low bit is free.
    stride: u32,
    /// The start state (the root), never a reporting state.
    start: u32,
    /// For the state at row `r`, the keywords ending there are `outputs[out_at[r]..out_at[r + 1]]`.
    out_at: Vec<u32>,
    outputs: Vec<u32>,
    /// Keyword lengths, to report where a keyword starts.
    lens: Vec<u32>,
    /// `2^40 / stride`, rounded up: a state's row is `(s * row_magic) >> 40`, a multiplication where a
    /// division by `stride` costs 25-40 cycles.
    row_magic: u64,
}

/// The shift that goes with [`KeywordTable::row_magic`]. Exact for every state `s = row * stride + m`
/// (`m` 0 or 1) below 2^32 with `stride` under 256: the rounding error `s * e / 2^40` (`e < 1`) stays
/// under 2^-8, less than the `1/stride` by which `s / stride` falls short of the next integer.
const ROW_SHIFT: u32 = 40;

/// In a reporting state's first column: its keywords are listed in `out_at` (too many, or too far
/// into `outputs`, to pack as `start << 8 | count`).
const OUT_SPILLED: u8 = 0xff;

/// No trie edge.
const NONE: u32 = u32::MAX;

impl KeywordTable {
    /// Builds the automaton of `keywords` (ASCII, matched case-insensitively; duplicates are reported
    /// once each, under every id they have).
    pub fn new(keywords: &[String]) -> KeywordTable {
        // Columns: 0 for bytes in no keyword, one per distinct (lowercased) keyword byte.
        let mut class = [0u8; 256];
        let mut ncls = 1usize;
        for b in keywords.iter().flat_map(|k| k.bytes()) {
            let l = b.to_ascii_lowercase();
            if class[usize::from(l)] == 0 {
                let c = u8::try_from(ncls).expect("fewer than 256 distinct keyword bytes");
                class[usize::from(l)] = c;
                class[usize::from(l.to_ascii_uppercase())] = c;
                ncls += 1;
            }
        }
        // The trie, children as first-child / next-sibling lists (most nodes have one child), and the
        // keywords ending at each node as a list threaded through `end_next`.
        let (mut first, mut sibling, mut cls) = (vec![NONE], vec![NONE], vec![0u8]);
        let mut end_head = vec![NONE];
        let mut end_next = vec![NONE; keywords.len()];
        for (k, kw) in keywords.iter().enumerate() {
            let mut node = 0usize;
            for b in kw.bytes() {
                let c = class[usize::from(b)];
                let mut ch = first[node];
                while ch != NONE && cls[ch as usize] != c {
                    ch = sibling[ch as usize];
                }
                if ch == NONE {
                    ch = cls.len() as u32;
                    cls.push(c);
                    first.push(NONE);
                    sibling.push(first[node]);
                    end_head.push(NONE);
                    first[node] = ch;
                }
                node = ch as usize;
            }
            end_next[k] = end_head[node];
            end_head[node] = k as u32;
        }
        // Breadth first, straight into the final table: a state's row starts as a copy of its failure
        // state's row (complete, since that state is shallower), then its own children replace their
        // columns. A child's failure is what the copied column held.
        let n = cls.len();
        let stride = (ncls + 1).next_multiple_of(2);
        assert!(stride < 256, "at most 254 byte classes");
        let mut table = vec![0u32; n * stride + 1];
        let (mut row, mut fail, mut matches) = (vec![0u32; n], vec![0u32; n], vec![false; n]);
        let mut order: Vec<u32> = Vec::with_capacity(n);
        order.push(0);
        let entry = |row: &[u32], matches: &[bool], u: usize| {
            u32::try_from(row[u] as usize * stride + usize::from(matches[u]))
                .expect("keyword table under 4 G entries")
        };
        let mut i = 0;
        while i < order.len() {
            let u = order[i] as usize;
            let at = entry(&row, &matches, u) as usize;
            if u != 0 {
                let from = entry(&row, &matches, fail[u] as usize) as usize;
                table.copy_within(from..from + ncls, at);
            }
            let mut v = first[u];
            while v != NONE {
                let vu = v as usize;
                let c = usize::from(cls[vu]);
                let f = table[at + c] as usize / stride;
                fail[vu] = order[f];
                matches[vu] = end_head[vu] != NONE || matches[fail[vu] as usize];
                row[vu] = order.len() as u32;
                order.push(v);
                table[at + c] = entry(&row, &matches, vu);
                v = sibling[vu];
            }
            i += 1;
        }
        // Outputs per row, in row order: a state's own keywords, then its failure state's outputs.
        let mut out_at = Vec::with_capacity(n + 1);
        let mut outputs: Vec<u32> = Vec::new();
        let mut span = vec![(0u32, 0u32); n];
        for &u in &order {
            let u = u as usize;
            let start = outputs.len();
            let mut k = end_head[u];
            while k != NONE {
                outputs.push(k);
                k = end_next[k as usize];
            }
            if u != 0 {
                let (s, e) = span[fail[u] as usize];
                outputs.extend_from_within(s as usize..e as usize);
            }
            span[u] = (start as u32, outputs.len() as u32);
            out_at.push(start as u32);
        }
        out_at.push(outputs.len() as u32);
        // A reporting state's row is read from its second column on: its first holds where its
        // keywords are, next to the transitions just read (see `report`).
        for (r, &u) in order.iter().enumerate() {
            if matches[u as usize] {
                let (start, n) = (out_at[r], out_at[r + 1] - out_at[r]);
                table[r * stride] = if start < 1 << 24 && n < u32::from(OUT_SPILLED) {
                    start << 8 | n
                } else {
                    u32::from(OUT_SPILLED)
                };
            }
        }
        KeywordTable {
            table,
            class,
            stride: stride as u32,
            start: entry(&row, &matches, 0),
            out_at,
            outputs,
            lens: keywords.iter().map(|k| k.len() as u32).collect(),
            row_magic: (1u64 << ROW_SHIFT).div_ceil(stride as u64),
        }
    }

    /// The state before any byte.
    #[inline]
    pub fn start(&self) -> u32 {
        self.start
    }

    /// The state after reading `b` in state `s`.
    #[inline(always)]
    pub fn next(&self, s: u32, b: u8) -> u32 {
        // In bounds by construction: every entry is a row offset (+1 for a shifted row) and a row has
        // `stride >= classes + 1` columns. Checked indexing measured no slower: the bound is hoisted.
        self.table[s as usize + usize::from(self.class[usize::from(b)])]
    }

    /// Whether some keyword ends in state `s`.
    #[inline(always)]
    pub fn is_match(s: u32) -> bool {
        s & 1 != 0
    }

    /// Calls `f(keyword, start, end)` for every keyword that ends at `end` in state `s`.
    #[inline]
    pub fn report(&self, s: u32, end: usize, f: &mut impl FnMut(usize, usize, usize)) {
        if !Self::is_match(s) {
            return;
        }
        // Read from the row itself (in the cache lines the walk just loaded); `out_at` only for a state
        // with more keywords or a later start than the packed entry holds.
        let packed = self.table[s as usize - 1];
        let (from, to) = if packed & 0xff != u32::from(OUT_SPILLED) {
            (
                (packed >> 8) as usize,
                ((packed >> 8) + (packed & 0xff)) as usize,
            )
        } else {
            let r = ((u64::from(s) * self.row_magic) >> ROW_SHIFT) as usize;
            debug_assert_eq!(r, (s / self.stride) as usize);
            (self.out_at[r] as usize, self.out_at[r + 1] as usize)
        };
        for &k in &self.outputs[from..to] {
            f(k as usize, end - self.lens[k as usize] as usize, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(t: &KeywordTable, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut s = t.start();
        let mut got = Vec::new();
        for (i, &b) in hay.iter().enumerate() {
            s = t.next(s, b);
            t.report(s, i + 1, &mut |k, st, e| got.push((k, st, e)));
        }
        got.sort_unstable();
        got
    }

    #[test]
    fn reports_every_overlapping_keyword_case_insensitively() {
        let kws: Vec<String> = ["sk_", "sk_live_", "he", "she", "hers", "k_l"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let t = KeywordTable::new(&kws);
        assert_eq!(
            hits(&t, b"x SK_LIVE_ ushers"),
            vec![
                (0, 2, 5),   // sk_
                (1, 2, 10),  // sk_live_
                (2, 13, 15), // he
                (3, 12, 15), // she
                (4, 13, 17), // hers
                (5, 3, 6),   // k_l
            ]
        );
        assert!(hits(&t, b"nothing to see").is_empty());
    }

    /// A state's keywords are packed into its row unless there are too many: both ways report all.
    #[test]
    fn a_state_with_more_keywords_than_its_row_packs_reports_them_all() {
        let kws: Vec<String> = (0..300)
            .map(|_| "ab".to_owned())
            .chain(["b".to_owned()])
            .collect();
        let t = KeywordTable::new(&kws);
        let got = hits(&t, b"xab b");
        assert_eq!(got.len(), 300 + 2);
        assert!(got[..300].iter().enumerate().all(|(i, h)| *h == (i, 1, 3)));
        assert_eq!(got[300..], [(300, 2, 3), (300, 4, 5)]);
    }

    #[test]
    fn a_keyword_listed_twice_is_reported_under_both_ids() {
        let kws: Vec<String> = ["ab", "xab", "ab"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let t = KeywordTable::new(&kws);
        assert_eq!(hits(&t, b"XAB"), vec![(0, 1, 3), (1, 0, 3), (2, 1, 3)]);
    }
}
