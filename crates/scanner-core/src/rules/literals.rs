//! Literals every match of a regex must contain: the keywords of an imported rule that has none, and
//! what the prefix gates check a rule's keywords against.

use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Repetition};

/// Most literals a derived keyword set may have: more means the regex starts with a small class (`[0-9]`)
/// and the keywords would hit everywhere.
const MAX_DERIVED: usize = 16;

/// Keywords for a rule that has none: a set of literals (lowercased, at least 3 bytes, ASCII) one of which
/// occurs in every match of `regex`, found with `regex_syntax`'s prefix extraction on each part every
/// match must contain. `None` when there is no such set.
pub(crate) fn derive_keywords(regex: &str) -> Option<Vec<String>> {
    let score = |w: &[String]| {
        (
            w.iter().map(String::len).min().unwrap_or(0),
            std::cmp::Reverse(w.len()),
        )
    };
    let mut best: Option<Vec<String>> = None;
    for words in required_literal_sets(regex, MAX_DERIVED) {
        if best.as_ref().is_none_or(|b| score(&words) > score(b)) {
            best = Some(words);
        }
    }
    best
}

/// Every set of literals (lowercased, at least 3 bytes, ASCII, at most `max` of them) one of which
/// occurs in every match of `regex`, one set per part every match must contain (see
/// [`derive_keywords`], which picks the most selective).
pub(crate) fn required_literal_sets(regex: &str, max: usize) -> Vec<Vec<String>> {
    let Some(hir) = super::pattern::syntax(regex) else {
        return Vec::new();
    };
    // The prefilter is case-insensitive, so `(?i)` classes like [Aa] become plain literals: extraction
    // would otherwise expand every case combination and give up after a few letters.
    let hir = fold_case(&hir);
    let mut sets = Vec::new();
    required_parts(&hir, &mut |part| {
        let seq = Extractor::new().extract(part);
        let Some(lits) = seq.literals() else {
            return;
        };
        if lits.is_empty() || lits.len() > max {
            return;
        }
        let mut words: Vec<String> = Vec::new();
        for l in lits {
            let b = l.as_bytes();
            if b.len() < 3 || !b.is_ascii() {
                return;
            }
            let w = String::from_utf8_lossy(b).to_ascii_lowercase();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        sets.push(words);
    });
    sets
}

/// Calls `f` on `h` and on every sub-expression that every match of `h` contains a match of.
fn required_parts(h: &Hir, f: &mut impl FnMut(&Hir)) {
    f(h);
    match h.kind() {
        HirKind::Concat(subs) => {
            for s in subs {
                required_parts(s, f);
            }
        }
        HirKind::Capture(c) => required_parts(&c.sub, f),
        HirKind::Repetition(r) if r.min >= 1 => required_parts(&r.sub, f),
        _ => {}
    }
}

/// `h` with literals lowercased and every class that is one ASCII letter in both cases made a literal.
fn fold_case(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Literal(l) => Hir::literal(l.0.to_ascii_lowercase()),
        HirKind::Class(c) => match ascii_letter(c) {
            Some(b) => Hir::literal(vec![b]),
            None => h.clone(),
        },
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(fold_case(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(fold_case(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(fold_case).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(fold_case).collect()),
        HirKind::Empty | HirKind::Look(_) => h.clone(),
    }
}

/// The lowercase letter a class is exactly the two cases of (`[Aa]`, what `(?i)a` parses to).
fn ascii_letter(c: &Class) -> Option<u8> {
    let mut members = Vec::new();
    let mut add = |lo: u32, hi: u32| {
        if hi - lo >= 2 {
            return false;
        }
        members.extend(lo..=hi);
        members.len() <= 2
    };
    let ok = match c {
        Class::Bytes(b) => b
            .iter()
            .all(|r| add(u32::from(r.start()), u32::from(r.end()))),
        Class::Unicode(u) => u
            .iter()
            .all(|r| add(u32::from(r.start()), u32::from(r.end()))),
    };
    match (ok, members.as_slice()) {
        (true, &[a, b]) if a < 128 && b < 128 => {
            let (a, b) = (a as u8, b as u8);
            (a != b && a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b))
                .then(|| a.to_ascii_lowercase())
        }
        _ => None,
    }
}
