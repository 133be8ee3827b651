//! The prefix gate: a check of the bytes at a keyword hit that rules out most hits of a token rule
//! before its regex is compiled or run.
//!
//! A rule like `\b(?P<secret>nf[poc]_[A-Za-z0-9]{36,40})\b` with keywords `nfp_`, `nfo_`, `nfc_` can
//! only match where one of its keywords starts the secret, after a non-word byte, and is followed by 36
//! bytes of `[A-Za-z0-9]`. Its keyword occurs thousands of times in source (`info_`), and each hit
//! used to cost a regex search (and the rule a compilation) for nothing. The gate is read from the
//! regex's syntax on the rule's first hit: what may precede the secret, the byte sets of its
//! fixed-length start, and the class and minimum count of the repetition after it. It is used only
//! when it cannot lose a match: every string the fixed start can be begins with one of the rule's
//! keywords (as the rule counts them), so every match has a hit at its own first byte, and that hit
//! passes.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Strings the fixed start may spell, at most, for the keyword check; a longer list gives no gate.
const MAX_SPELLINGS: usize = 256;
/// Fixed-start bytes read, at most.
const MAX_FIXED: usize = 32;
/// Repetition bytes checked, at most.
const MAX_RUN: usize = 256;

/// What a match must look like at its first byte (see the module documentation).
#[derive(Debug)]
pub(crate) struct PrefixGate {
    /// Bytes allowed just before the secret; `None`: anything.
    before: Option<ByteSet>,
    /// The secret's fixed-length start, one set per byte.
    fixed: Vec<ByteSet>,
    /// Then at least this many bytes of this set.
    run: Option<(ByteSet, usize)>,
}

/// A set of bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl std::fmt::Debug for ByteSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ByteSet({} bytes)", self.len())
    }
}

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }
    fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.insert(b);
        }
    }
    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn union(&self, o: &ByteSet) -> ByteSet {
        ByteSet(std::array::from_fn(|i| self.0[i] | o.0[i]))
    }
    fn complement(&self) -> ByteSet {
        ByteSet(self.0.map(|w| !w))
    }
    fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|&b| self.contains(b))
    }
    fn word() -> ByteSet {
        let mut s = ByteSet::EMPTY;
        s.insert_range(b'0', b'9');
        s.insert_range(b'A', b'Z');
        s.insert_range(b'a', b'z');
        s.insert(b'_');
        s
    }
    /// A class's bytes; `None` for a Unicode class reaching past ASCII (its UTF-8 bytes are not a set).
    fn of_class(c: &Class) -> Option<ByteSet> {
        let mut s = ByteSet::EMPTY;
        match c {
            Class::Bytes(b) => b
                .ranges()
                .iter()
                .for_each(|r| s.insert_range(r.start(), r.end())),
            Class::Unicode(u) => {
                for r in u.ranges() {
                    let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                    if hi > 0x7f {
                        return None;
                    }
                    s.insert_range(lo as u8, hi as u8);
                }
            }
        }
        Some(s)
    }
}

impl PrefixGate {
    /// The gate of `regex` (the rule's source), if it has one that cannot lose a match given the rule's
    /// keywords: `counts(w)` says whether some keyword the rule counts begins `w`.
    pub fn of(regex: &str, counts: impl Fn(&[u8]) -> bool) -> Option<PrefixGate> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(regex)
            .ok()?;
        let items = match hir.kind() {
            HirKind::Concat(items) => items.as_slice(),
            _ => std::slice::from_ref(&hir),
        };
        // The secret group at the top level, after at most one item saying what precedes it.
        let at = items.iter().position(is_secret)?;
        let before = match &items[..at] {
            [] => None,
            [lead] => Some(before_set(lead)?),
            _ => return None,
        };
        let HirKind::Capture(secret) = items[at].kind() else {
            return None;
        };
        let parts: Vec<&Hir> = match secret.sub.kind() {
            HirKind::Concat(parts) => parts.iter().collect(),
            _ => vec![&*secret.sub],
        };
        let mut fixed = Vec::new();
        let mut run = None;
        for part in parts {
            match part.kind() {
                HirKind::Literal(l) => fixed.extend(l.0.iter().map(|&b| {
                    let mut s = ByteSet::EMPTY;
                    s.insert(b);
                    s
                })),
                HirKind::Class(c) => fixed.push(ByteSet::of_class(c)?),
                HirKind::Repetition(r) if r.min > 0 => {
                    if let HirKind::Class(c) = r.sub.kind() {
                        let n = usize::try_from(r.min).map_or(MAX_RUN, |n| n.min(MAX_RUN));
                        run = Some((ByteSet::of_class(c)?, n));
                    }
                    break;
                }
                _ => break,
            }
            if fixed.len() > MAX_FIXED {
                return None;
            }
        }
        if fixed.is_empty() {
            return None;
        }
        // Every spelling of the fixed start must begin with a keyword the rule counts.
        let mut spellings: Vec<Vec<u8>> = vec![Vec::new()];
        for set in &fixed {
            if spellings.len() * set.len() > MAX_SPELLINGS {
                return None;
            }
            spellings = spellings
                .iter()
                .flat_map(|s| {
                    set.iter().map(move |b| {
                        let mut s = s.clone();
                        s.push(b);
                        s
                    })
                })
                .collect();
        }
        if !spellings.iter().all(|s| counts(s)) {
            return None;
        }
        // A word boundary before a start of word bytes: a non-word byte (or nothing) precedes; before
        // a start of non-word bytes, a word byte does.
        let word = ByteSet::word();
        let before = match before {
            None => None,
            Some(Before::Set(s)) => Some(s),
            Some(Before::Boundary) if fixed[0].iter().all(|b| word.contains(b)) => {
                Some(word.complement())
            }
            Some(Before::Boundary) if fixed[0].iter().all(|b| !word.contains(b)) => Some(word),
            Some(Before::Boundary) => None,
        };
        Some(PrefixGate { before, fixed, run })
    }

    /// Whether a match could start at `start` in `hay` (where one of the rule's keywords starts).
    #[inline]
    pub fn admits(&self, hay: &[u8], start: usize) -> bool {
        if let Some(before) = &self.before {
            if start > 0 && !before.contains(hay[start - 1]) {
                return false;
            }
        }
        let k = self.fixed.len();
        let need = k + self.run.as_ref().map_or(0, |(_, n)| *n);
        let Some(window) = hay.get(start..start + need) else {
            return false;
        };
        if !self.fixed.iter().zip(window).all(|(s, &b)| s.contains(b)) {
            return false;
        }
        self.run
            .as_ref()
            .is_none_or(|(set, _)| window[k..].iter().all(|&b| set.contains(b)))
    }
}

/// What the item before the secret allows.
enum Before {
    Set(ByteSet),
    /// `\b`: resolved against the secret's first bytes.
    Boundary,
}

fn is_secret(h: &Hir) -> bool {
    matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("secret"))
}

/// The bytes that may precede the secret after `lead`: `\b` (which the caller resolves against the
/// secret's first byte), or `(?:^|[^…])` (a start of text or line, or a byte of the class).
fn before_set(lead: &Hir) -> Option<Before> {
    match lead.kind() {
        HirKind::Look(Look::WordAscii | Look::WordStartAscii | Look::WordStartHalfAscii) => {
            Some(Before::Boundary)
        }
        HirKind::Alternation(alts) => {
            let mut set = ByteSet::EMPTY;
            for a in alts {
                match a.kind() {
                    // Start of text needs no byte; a line start after `\n` (or `\r`) is allowed.
                    HirKind::Look(Look::Start | Look::StartLF | Look::StartCRLF) => {
                        set.insert(b'\n');
                        set.insert(b'\r');
                    }
                    HirKind::Class(c) => set = set.union(&ByteSet::of_class(c)?),
                    _ => return None,
                }
            }
            Some(Before::Set(set))
        }
        _ => None,
    }
}

/// Whether every match of `regex` is a name holding one of `keywords`, then the shared assignment
/// grammar ([`super::spec::ASSIGN`]), then the secret: the regex's text before the secret group is
/// that (or an alternation of branches that each are), each name is made of identifier bytes only
/// (letters, digits, `_`, `.`, `-`), and each name must contain one of a set of literals that all
/// hold a keyword. A keyword hit of such a rule can then be gated on what follows its identifier
/// ([`crate::filters::named_hit_run`]): a rule given as `name` + `value` always qualifies; a
/// hand-written rule with several such names (`elastic…api_key` or `es_api_key`) does too.
pub(crate) fn name_gate(regex: &str, keywords: &[String]) -> bool {
    let Some(hir) = parse(regex) else {
        return false;
    };
    let assign: Vec<Hir> = [
        super::spec::ASSIGN.to_owned(),
        format!("(?i:{})", super::spec::ASSIGN),
    ]
    .iter()
    .filter_map(|a| parse(a))
    .collect();
    let items = concat_items(&hir);
    let Some(at) = items.iter().position(|h| is_secret(h)) else {
        return false;
    };
    let branches: Vec<Vec<&Hir>> = match &items[..at] {
        [one] => match one.kind() {
            HirKind::Alternation(alts) => alts.iter().map(concat_items).collect(),
            _ => vec![vec![*one]],
        },
        before => vec![before.to_vec()],
    };
    !branches.is_empty()
        && branches.iter().all(|branch| {
            assign.iter().any(|a| {
                let tail = concat_items(a);
                let Some(cut) = branch.len().checked_sub(tail.len()) else {
                    return false;
                };
                let name = &branch[..cut];
                cut > 0
                    && branch[cut..].iter().zip(&tail).all(|(x, y)| x == y)
                    && name.iter().all(|h| identifier_only(h))
                    && crate::gitleaks::required_literal_sets(
                        &Hir::concat(name.iter().map(|h| (*h).clone()).collect()).to_string(),
                        MAX_SPELLINGS,
                    )
                    .iter()
                    .any(|lits| {
                        lits.iter()
                            .all(|l| keywords.iter().any(|k| l.contains(k.as_str())))
                    })
            })
        })
}

fn parse(regex: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(regex)
        .ok()
}

/// The items of a concatenation, or the one item that `h` is.
fn concat_items(h: &Hir) -> Vec<&Hir> {
    match h.kind() {
        HirKind::Concat(items) => items.iter().collect(),
        _ => vec![h],
    }
}

/// Whether every byte `h` can match is an identifier byte (`[A-Za-z0-9_.-]`); look-arounds match none.
fn identifier_only(h: &Hir) -> bool {
    let ident = {
        let mut s = ByteSet::word();
        s.insert(b'.');
        s.insert(b'-');
        s
    };
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => l.0.iter().all(|&b| ident.contains(b)),
        HirKind::Class(c) => {
            ByteSet::of_class(c).is_some_and(|s| s.iter().all(|b| ident.contains(b)))
        }
        HirKind::Repetition(r) => identifier_only(&r.sub),
        HirKind::Capture(c) => identifier_only(&c.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().all(identifier_only),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(regex: &str, keywords: &[&str]) -> Option<PrefixGate> {
        PrefixGate::of(regex, |w| {
            keywords
                .iter()
                .any(|k| w.to_ascii_lowercase().starts_with(k.as_bytes()))
        })
    }

    #[test]
    fn a_token_rule_admits_only_its_own_starts() {
        let g = gate(
            r"\b(?P<secret>nf[poc]_[A-Za-z0-9]{36,40})\b",
            &["nfp_", "nfo_", "nfc_"],
        )
        .expect("a gate");
        let body = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        let hay = format!("x = nfp_{body}; info_{body}; NFP_{body}; nfp_short;");
        let starts: Vec<usize> = hay
            .match_indices("nf")
            .chain(hay.match_indices("NF"))
            .map(|(i, _)| i)
            .filter(|&i| g.admits(hay.as_bytes(), i))
            .collect();
        assert_eq!(
            starts,
            [4],
            "only the token after a boundary, in its case, long enough"
        );
    }

    #[test]
    fn a_start_of_line_or_a_class_may_precede() {
        let g = gate(
            r"(?:^|[^A-Za-z0-9_./-])(?P<secret>key-[0-9a-f]{32})(?:[^A-Za-z0-9_-]|$)",
            &["key-"],
        )
        .expect("a gate");
        let hex = "0123456789abcdef0123456789abcdef";
        let hay = format!("key-{hex}\napi.key-{hex} (key-{hex}) monkey-{hex}");
        let admitted: Vec<usize> = hay
            .match_indices("key-")
            .map(|(i, _)| i)
            .filter(|&i| g.admits(hay.as_bytes(), i))
            .collect();
        let second = hay.find('(').unwrap() + 1;
        assert_eq!(admitted, [0, second]);
    }

    #[test]
    fn no_gate_when_a_match_could_start_without_a_keyword() {
        // `nfc_` is not a keyword: a match starting with it has no hit of its own.
        assert!(gate(
            r"\b(?P<secret>nf[poc]_[A-Za-z0-9]{36})\b",
            &["nfp_", "nfo_"]
        )
        .is_none());
        // The keyword is a name before the secret, not its start.
        assert!(gate(
            r"(?i)acme[_.-]?key\s*=\s*(?P<secret>[a-f0-9]{32})",
            &["acme"]
        )
        .is_none());
        // An alternation at the secret's start is not a fixed start.
        assert!(gate(
            r"\b(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})\b",
            &["akia", "asia"]
        )
        .is_none());
    }

    #[test]
    fn names_before_the_assignment_grammar_gate_their_hits() {
        let a = super::super::spec::ASSIGN;
        let kw = |ks: &[&str]| ks.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        let value = "(?P<secret>[a-f0-9]{32})";
        // One name, as `name` + `value` derive it.
        assert!(name_gate(
            &format!("(?i:acme[_.-]?key){a}{value}"),
            &kw(&["acme"])
        ));
        // Several names, each with a keyword.
        let two = format!(
            r"(?i)(?:elastic[\w.-]{{0,20}}?api[_.-]?key{a}|\bes[_.-]api[_.-]?key{a}){value}"
        );
        assert!(name_gate(
            &two,
            &kw(&["elastic", "es_api", "es-api", "es.api"])
        ));
        // A name with no keyword of the rule (`es_api_key` without `es_api`).
        assert!(!name_gate(&two, &kw(&["elastic"])));
        // A branch that is not a name and the grammar.
        let url = format!(r"(?i)(?:acme[_.-]?key{a}|api\.acme\.com/\S+\s+bearer\s+){value}");
        assert!(!name_gate(&url, &kw(&["acme"])));
        // A name that is not one identifier.
        assert!(!name_gate(
            &format!(r"(?i:acme\s+key){a}{value}"),
            &kw(&["acme"])
        ));
    }

    #[test]
    fn a_case_insensitive_start_is_checked_in_every_case() {
        let g = gate(r"(?i)\b(?P<secret>sk_[a-f0-9]{8})", &["sk_"]).expect("a gate");
        assert!(g.admits(b"SK_0123abcd", 0));
        assert!(!g.admits(b"SK_0123abcX", 0));
    }
}
