//! Allowlists with gitleaks' semantics: regexes on the secret, the whole match or its line, stopwords,
//! path regexes, combined with OR (any check) or AND (every check the allowlist has).
//!
//! leakhound's own rule format expresses the common cases with `allow`, `allow_match` and `paths_allow`;
//! these exist so that an imported gitleaks configuration means what it meant under gitleaks.

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

/// What an allowlist's `regexes` are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RegexTarget {
    /// The reported secret (gitleaks' default).
    #[default]
    Secret,
    /// The whole regex match, e.g. the variable name around the secret.
    Match,
    /// The line (or lines) the match is on.
    Line,
}

/// How an allowlist's checks combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Condition {
    /// Any one check exempts a finding (gitleaks' default).
    #[default]
    Or,
    /// Every check the allowlist has must hold.
    And,
}

/// One compiled allowlist. An allowlist without any check is never built: under AND it would exempt
/// everything.
#[derive(Debug)]
pub(crate) struct Allowlist {
    pub condition: Condition,
    pub target: RegexTarget,
    pub regexes: Vec<Regex>,
    pub paths: Vec<Regex>,
    /// Case-insensitive substrings of the secret.
    pub stopwords: Option<AhoCorasick>,
    /// Rule ids this allowlist is limited to (gitleaks' `targetRules`); empty: every rule it is given to.
    pub target_rules: Vec<String>,
}

/// The parts of a match an allowlist looks at.
pub(crate) struct Candidate<'a> {
    /// Path of the scanned file; empty while unknown (a history blob, whose path is attached later).
    pub path: &'a str,
    pub hay: &'a [u8],
    pub whole: (usize, usize),
    pub secret: (usize, usize),
}

impl Allowlist {
    /// Builds an allowlist from its checks; `None` when it has none.
    pub fn new(
        condition: Condition,
        target: RegexTarget,
        regexes: Vec<Regex>,
        paths: Vec<Regex>,
        stopwords: &[String],
        target_rules: Vec<String>,
    ) -> Option<Allowlist> {
        if regexes.is_empty() && paths.is_empty() && stopwords.is_empty() {
            return None;
        }
        let stopwords = (!stopwords.is_empty()).then(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(stopwords)
                .expect("a few literal stopwords always build")
        });
        Some(Allowlist {
            condition,
            target,
            regexes,
            paths,
            stopwords,
            target_rules,
        })
    }

    /// Whether this allowlist applies to the rule `id`.
    pub fn applies_to(&self, id: &str) -> bool {
        self.target_rules.is_empty() || self.target_rules.iter().any(|t| t == id)
    }

    /// Whether a whole file is exempt before any regex runs: an OR allowlist whose paths match. Under AND
    /// the other checks need a match, so the path alone decides nothing.
    pub fn exempts_path(&self, path: &str) -> bool {
        self.condition == Condition::Or
            && !path.is_empty()
            && self.paths.iter().any(|p| p.is_match(path.as_bytes()))
    }

    /// Whether a candidate finding is exempt.
    pub fn exempts(&self, c: &Candidate<'_>) -> bool {
        // An unknown path (a history blob) matches no path check: the finding is kept.
        let path_ok =
            || !c.path.is_empty() && self.paths.iter().any(|p| p.is_match(c.path.as_bytes()));
        let regex_ok = || {
            let target = match self.target {
                RegexTarget::Secret => &c.hay[c.secret.0..c.secret.1],
                RegexTarget::Match => &c.hay[c.whole.0..c.whole.1],
                RegexTarget::Line => {
                    // gitleaks: from the start of the match's first line to the end of its last line.
                    let start = memchr::memrchr(b'\n', &c.hay[..c.whole.0]).map_or(0, |i| i + 1);
                    let end = memchr::memchr(b'\n', &c.hay[c.whole.1..])
                        .map_or(c.hay.len(), |i| c.whole.1 + i);
                    &c.hay[start..end]
                }
            };
            self.regexes.iter().any(|r| r.is_match(target))
        };
        let stop_ok = || {
            self.stopwords
                .as_ref()
                .is_some_and(|s| s.is_match(&c.hay[c.secret.0..c.secret.1]))
        };
        match self.condition {
            Condition::Or => path_ok() || regex_ok() || stop_ok(),
            Condition::And => {
                (self.paths.is_empty() || path_ok())
                    && (self.regexes.is_empty() || regex_ok())
                    && (self.stopwords.is_none() || stop_ok())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(s: &str) -> Regex {
        Regex::new(s).unwrap()
    }

    fn cand<'a>(path: &'a str, hay: &'a str, secret: &str) -> Candidate<'a> {
        let s = hay.find(secret).unwrap();
        let line_start = hay[..s].rfind('\n').map_or(0, |i| i + 1);
        Candidate {
            path,
            hay: hay.as_bytes(),
            whole: (line_start.max(s.saturating_sub(6)), s + secret.len()),
            secret: (s, s + secret.len()),
        }
    }

    #[test]
    fn targets() {
        let hay = "one\nkey = tok_Abc123 # test fixture\ntwo";
        let c = cand("a.txt", hay, "tok_Abc123");
        let on = |t, r: &str| {
            Allowlist::new(Condition::Or, t, vec![re(r)], vec![], &[], vec![])
                .unwrap()
                .exempts(&c)
        };
        assert!(on(RegexTarget::Secret, "^tok_"));
        assert!(!on(RegexTarget::Secret, "key"));
        assert!(on(RegexTarget::Match, "key = tok"));
        assert!(!on(RegexTarget::Match, "fixture"));
        assert!(on(RegexTarget::Line, "# test fixture$"));
        assert!(!on(RegexTarget::Line, "one|two"));
    }

    #[test]
    fn and_needs_every_check_or_needs_one() {
        let hay = "key = tok_Abc123";
        let c = cand("src/a.txt", hay, "tok_Abc123");
        let make = |cond| {
            Allowlist::new(
                cond,
                RegexTarget::Secret,
                vec![re("^tok_")],
                vec![re("^test/")],
                &[],
                vec![],
            )
            .unwrap()
        };
        assert!(make(Condition::Or).exempts(&c));
        assert!(!make(Condition::And).exempts(&c));
        assert!(make(Condition::And).exempts(&cand("test/a.txt", hay, "tok_Abc123")));
        // Unknown path (history blob): the path check fails, so AND keeps the finding.
        assert!(!make(Condition::And).exempts(&cand("", hay, "tok_Abc123")));
        assert!(make(Condition::Or).exempts_path("test/x"));
        assert!(!make(Condition::And).exempts_path("test/x"));
    }

    #[test]
    fn stopwords_are_case_insensitive_substrings_of_the_secret() {
        let a = Allowlist::new(
            Condition::Or,
            RegexTarget::Secret,
            vec![],
            vec![],
            &["localdev".into()],
            vec![],
        )
        .unwrap();
        assert!(a.exempts(&cand("x", "pw = xx_LocalDev_99", "xx_LocalDev_99"))); // leakhound:allow
        assert!(!a.exempts(&cand("x", "localdev: xx_Prod_99", "xx_Prod_99")));
    }

    #[test]
    fn an_allowlist_without_checks_is_not_built() {
        assert!(Allowlist::new(
            Condition::And,
            RegexTarget::Secret,
            vec![],
            vec![],
            &[],
            vec![]
        )
        .is_none());
    }
}
