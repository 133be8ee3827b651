//! Gates read from a rule's regex: checks of the bytes at a keyword hit that rule out most hits
//! before the rule's regex is compiled or run.
//!
//! The prefix gate: a rule like `\b(?P<secret>nf[poc]_[A-Za-z0-9]{36,40})\b` with keywords `nfp_`,
//! `nfo_`, `nfc_` can only match where one of its keywords starts the token, after a non-word byte,
//! followed by 36 bytes of `[A-Za-z0-9]`. Its keyword occurs thousands of times in source (`info_`),
//! and each hit used to cost a regex search (and the rule a compilation) for nothing. The gate is the
//! start of every match as a sequence of byte sets with counts (literals, classes, repetitions of a
//! class: `[0-9a-f]{32}-us[0-9]{1,2}` is 32 of `[0-9a-f]`, `-`, `u`, `s`, then at least one digit),
//! up to the first repetition of variable length, with what may precede the match (`\b`, or
//! `(?:^|[^…])`) and where in it a keyword starts (32 bytes in, for Mailchimp's `-us`). It is used only
//! when it cannot lose a match: every match has the keyword at that offset (every string the bytes
//! there can spell begins with a keyword the rule counts), so every match has a hit there, and that
//! hit passes. Look-arounds and what follows the first variable repetition are not checked, which only
//! admits more.
//!
//! The name gate ([`name_gate`]) says when a rule's hits may be gated on the assignment after the
//! identifier that holds them.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Strings the fixed start may spell, at most, for the keyword check; a longer list gives no gate.
const MAX_SPELLINGS: usize = 256;
/// Fixed-start bytes read, at most.
const MAX_FIXED: usize = 32;
/// Repetition bytes checked, at most.
const MAX_RUN: usize = 256;

/// What a match must look like from its first byte (see the module documentation).
#[derive(Debug)]
pub(crate) struct PrefixGate {
    /// Bytes allowed just before the match; `None`: anything.
    before: Option<ByteSet>,
    /// From the match's first byte: so many bytes of each set, in order.
    steps: Vec<(ByteSet, usize)>,
    /// Where a keyword of the rule starts, in bytes from the match's first byte.
    key_at: usize,
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

/// One item of a regex's top-level sequence, as the prefix gate reads it.
enum Item {
    /// Exactly `min` bytes of the set when `exact`, else at least `min`.
    Bytes {
        set: ByteSet,
        min: usize,
        exact: bool,
    },
    /// A look-around: not checked.
    Look(Look),
    /// A lead alternation (`(?:^|[^…])`), or anything else.
    Other(Hir),
}

/// The items of `h` in sequence, groups and captures opened.
fn flatten(h: &Hir, out: &mut Vec<Item>) {
    match h.kind() {
        HirKind::Empty => {}
        HirKind::Concat(hs) => hs.iter().for_each(|h| flatten(h, out)),
        HirKind::Capture(c) => flatten(&c.sub, out),
        HirKind::Literal(l) => out.extend(l.0.iter().map(|&b| {
            let mut set = ByteSet::EMPTY;
            set.insert(b);
            Item::Bytes {
                set,
                min: 1,
                exact: true,
            }
        })),
        HirKind::Class(c) => out.push(match ByteSet::of_class(c) {
            Some(set) => Item::Bytes {
                set,
                min: 1,
                exact: true,
            },
            None => Item::Other(h.clone()),
        }),
        HirKind::Repetition(r) => {
            let set = match r.sub.kind() {
                HirKind::Class(c) => ByteSet::of_class(c),
                HirKind::Literal(l) if l.0.len() == 1 => {
                    let mut set = ByteSet::EMPTY;
                    set.insert(l.0[0]);
                    Some(set)
                }
                _ => None,
            };
            match set {
                Some(set) => out.push(Item::Bytes {
                    set,
                    min: usize::try_from(r.min).map_or(MAX_RUN, |n| n.min(MAX_RUN)),
                    exact: r.max == Some(r.min),
                }),
                None => out.push(Item::Other(h.clone())),
            }
        }
        HirKind::Look(l) => out.push(Item::Look(*l)),
        HirKind::Alternation(_) => out.push(Item::Other(h.clone())),
    }
}

impl PrefixGate {
    /// The gate of `regex` (the rule's source), if it has one that cannot lose a match given the rule's
    /// keywords: `counts(w)` says whether some keyword the rule counts begins `w`.
    pub fn of(regex: &str, counts: impl Fn(&[u8]) -> bool) -> Option<PrefixGate> {
        let hir = super::pattern::syntax(regex)?;
        let mut items = Vec::new();
        flatten(&hir, &mut items);
        // What may precede the match: a lead item, then the steps.
        let (lead, rest) = match items.first()? {
            Item::Look(Look::WordAscii | Look::WordStartAscii | Look::WordStartHalfAscii) => {
                (Some(Before::Boundary), &items[1..])
            }
            Item::Other(h) => (Some(before_set(h)?), &items[1..]),
            _ => (None, &items[..]),
        };
        let mut steps: Vec<(ByteSet, usize)> = Vec::new();
        for item in rest {
            match item {
                Item::Look(_) => continue,
                Item::Other(_) => break,
                &Item::Bytes { set, min, exact } => {
                    if min > 0 {
                        steps.push((set, min));
                    }
                    if !exact {
                        break;
                    }
                }
            }
        }
        // The first run of single bytes whose every spelling begins with a keyword the rule counts.
        let mut offset = 0;
        let mut key_at = None;
        for (i, &(_, n)) in steps.iter().enumerate() {
            let run: Vec<ByteSet> = steps[i..]
                .iter()
                .take_while(|(_, n)| *n == 1)
                .take(MAX_FIXED)
                .map(|(set, _)| *set)
                .collect();
            if !run.is_empty() && spellings(&run).is_some_and(|all| all.iter().all(|w| counts(w))) {
                key_at = Some(offset);
                break;
            }
            offset += n;
        }
        let key_at = key_at?;
        // A word boundary before a first byte of word bytes: a non-word byte (or nothing) precedes;
        // before a first byte of non-word bytes, a word byte does.
        let word = ByteSet::word();
        let first = steps.first().map(|(set, _)| *set);
        let before = match (lead, first) {
            (Some(Before::Set(s)), _) => Some(s),
            (Some(Before::Boundary), Some(f)) if f.iter().all(|b| word.contains(b)) => {
                Some(word.complement())
            }
            (Some(Before::Boundary), Some(f)) if f.iter().all(|b| !word.contains(b)) => Some(word),
            _ => None,
        };
        Some(PrefixGate {
            before,
            steps,
            key_at,
        })
    }

    /// Whether a match could have the keyword hit that starts at `start` in `hay` where the gate
    /// expects it.
    #[inline]
    pub fn admits(&self, hay: &[u8], start: usize) -> bool {
        let Some(from) = start.checked_sub(self.key_at) else {
            return false;
        };
        if let Some(before) = &self.before {
            if from > 0 && !before.contains(hay[from - 1]) {
                return false;
            }
        }
        let mut at = from;
        for (set, n) in &self.steps {
            let Some(bytes) = hay.get(at..at + n) else {
                return false;
            };
            if !bytes.iter().all(|&b| set.contains(b)) {
                return false;
            }
            at += n;
        }
        true
    }
}

/// Every string `sets` spell, if there are at most [`MAX_SPELLINGS`].
fn spellings(sets: &[ByteSet]) -> Option<Vec<Vec<u8>>> {
    let mut all: Vec<Vec<u8>> = vec![Vec::new()];
    for set in sets {
        if all.len() * set.len() > MAX_SPELLINGS {
            return None;
        }
        all = all
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
    Some(all)
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

/// The bytes that may precede a match after `lead`: `\b` (which the caller resolves against the
/// match's first byte), or `(?:^|[^…])` (a start of text or line, or a byte of the class).
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
    let Some(hir) = super::pattern::syntax(regex) else {
        return false;
    };
    // The grammar as a rule holds it, outside or inside `(?i)`: parsed once for every rule.
    static ASSIGN: std::sync::OnceLock<Vec<Hir>> = std::sync::OnceLock::new();
    let assign = ASSIGN.get_or_init(|| {
        [
            super::spec::ASSIGN.to_owned(),
            format!("(?i:{})", super::spec::ASSIGN),
        ]
        .iter()
        .filter_map(|a| super::pattern::syntax(a))
        .collect()
    });
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
                    && super::literals::required_literal_sets(
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
    fn a_keyword_inside_the_token_is_found_at_its_offset() {
        let g = gate(
            r"(?:^|[^A-Za-z0-9_./-])(?P<secret>[0-9a-f]{32}-us[0-9]{1,2})(?:[^A-Za-z0-9_.-]|$)",
            &["-us"],
        )
        .expect("a gate");
        let hex = "0123456789abcdef0123456789abcdef";
        let hay = format!("k = \"{hex}-us14\"; lang = en-us; x{hex}-us1; {hex}-usa");
        let admitted: Vec<usize> = hay
            .match_indices("-us")
            .map(|(i, _)| i)
            .filter(|&i| g.admits(hay.as_bytes(), i))
            .collect();
        assert_eq!(
            admitted,
            [5 + 32],
            "only the key after a boundary, with its digit"
        );
    }

    #[test]
    fn fixed_repetitions_before_the_secret_are_checked() {
        let g = gate(
            r"\b00D[A-Za-z0-9]{12}!(?P<secret>[A-Za-z0-9._]{80,})",
            &["00d"],
        )
        .expect("a gate");
        let tail = "A".repeat(80);
        assert!(g.admits(format!("00DAbCdEfGhIjKl!{tail}").as_bytes(), 0));
        assert!(!g.admits(format!("00DAbCdEfGhIjK!{tail}").as_bytes(), 0));
        assert!(!g.admits(b"00D is the prefix", 0));
        // A basic credential: the keyword, then at least one blank.
        let g = gate(
            r"(?i)\bbasic[ \t]+(?P<secret>[A-Za-z0-9+/]{6,}={0,2})",
            &["basic"],
        )
        .expect("a gate");
        assert!(g.admits(b"Basic dXNlcjpwYXNz", 0));
        assert!(!g.admits(b"basicAuth", 0));
        assert!(!g.admits(b"xbasic auth", 1));
    }

    #[test]
    fn no_gate_when_a_match_could_start_without_a_keyword() {
        // `nfc_` is not a keyword: a match starting with it has no hit of its own.
        assert!(gate(
            r"\b(?P<secret>nf[poc]_[A-Za-z0-9]{36})\b",
            &["nfp_", "nfo_"]
        )
        .is_none());
        // A name before an optional separator: the gate reads no further than the name, which every
        // hit of it spells.
        let g = gate(
            r"(?i)acme[_.-]?key\s*=\s*(?P<secret>[a-f0-9]{32})",
            &["acme"],
        );
        assert!(g.is_some_and(|g| g.admits(b"ACME docs", 0)));
        // The keyword is not where every match has it.
        assert!(gate(
            r"(?i)(?:acme|ac)_key\s*=\s*(?P<secret>[a-f0-9]{32})",
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
