//! A rule's regex as the matcher compiles it, and which of its groups is the secret: shared by rules
//! loaded from leakhound's format, the gitleaks importer (which checks a rule's regex before it keeps
//! the rule), the gates and keyword derivation (which read its syntax).

use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

/// Which capture group of a match is the reported secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum SecretGroup {
    /// The group named `secret` (leakhound's own rules).
    #[default]
    Named,
    /// A group by number, 0 being the whole match (gitleaks' `secretGroup`).
    Index(usize),
    /// The first group that matched something, else the whole match (gitleaks without `secretGroup`).
    FirstNonEmpty,
}

/// The compiled, ready-to-run parts of a rule.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub regex: Regex,
    /// The secret's group number; `None`: the first group that matched something, else the whole match.
    pub secret_group: Option<usize>,
}

impl Compiled {
    /// The secret's byte range in a match whose groups are in `loc`; `None` when the secret group did
    /// not take part in the match.
    pub fn secret(&self, loc: &CaptureLocations) -> Option<(usize, usize)> {
        match self.secret_group {
            Some(i) => loc.get(i),
            None => (1..loc.len())
                .filter_map(|i| loc.get(i))
                .find(|(s, e)| e > s)
                .or_else(|| loc.get(0)),
        }
    }
}

/// Compiles with Unicode off first (ASCII classes are faster and tokens are ASCII); rules that need
/// Unicode, such as imported gitleaks rules with `\p{L}`, fall back to a Unicode-aware build.
pub(crate) fn compile(src: &str, group: SecretGroup) -> Result<Compiled, String> {
    let regex = build_regex(src)?;
    let secret_group = match group {
        SecretGroup::Named => Some(
            regex
                .capture_names()
                .position(|n| n == Some("secret"))
                .ok_or_else(|| "needs a named group `secret`".to_owned())?,
        ),
        SecretGroup::Index(i) if i >= regex.captures_len() => {
            return Err(format!(
                "secretGroup: {i}, but the regex has {} capture groups",
                regex.captures_len() - 1
            ))
        }
        SecretGroup::Index(i) => Some(i),
        SecretGroup::FirstNonEmpty => None,
    };
    Ok(Compiled {
        regex,
        secret_group,
    })
}

/// A regex's syntax as the matcher compiles it (see [`build_regex`]): Unicode off, then on when the
/// regex needs it (`\p{L}`); `None` when it does not parse. What the gates, the shortest-secret check
/// and keyword derivation read.
pub(crate) fn syntax(regex: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(regex)
        .ok()
        .or_else(|| regex_syntax::Parser::new().parse(regex).ok())
}

/// Compiles one regex the way rules are compiled (see [`compile`]); the error is one line.
pub(crate) fn build_regex(s: &str) -> Result<Regex, String> {
    RegexBuilder::new(s)
        .unicode(false)
        .size_limit(32 << 20)
        .build()
        .or_else(|_| RegexBuilder::new(s).size_limit(32 << 20).build())
        .map_err(|e| one_line(&e.to_string()))
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field a compile error is about, from the prefix [`compile`] and the `allow` filters give it
/// (`secretGroup: …`, `allow: …`), and the rest of the message; `regex` when there is none.
pub(crate) fn field_of(msg: &str) -> (&str, &str) {
    match msg.split_once(": ") {
        Some((f @ ("allow" | "allow_match" | "secretGroup"), rest)) => (f, rest),
        _ => ("regex", msg),
    }
}
