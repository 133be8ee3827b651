//! Redaction of every field, not only `secret`: a commit summary, a note, a decoded detail, an owner or
//! a warning can quote a secret too ("rotate token glpat-…"), and a redacted report must not carry it.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::config::ConfigChange;
use crate::credentials::Credential;
use crate::finding::{redact, Finding};
use crate::liveness::Liveness;
use crate::scan::ScanWarning;

/// Replaces every occurrence of the reported secrets, in any text, by its redacted form ([`redact`]).
///
/// Built from the findings before they are redacted; then [`Redactor::finding`] redacts a finding's
/// `secret` and scrubs its other text fields. Identifiers leakhound computes (fingerprints, commit and
/// blob ids) are left as they are.
///
/// ```
/// use leakhound_core::report::Redactor;
/// use leakhound_core::Scanner;
///
/// let mut f = Scanner::with_default_rules().scan_bytes("a.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"); // leakhound:allow (documentation token)
/// f[0].summary = Some("add glpat-Hq3Zr8xK2mVb7NcT1pWd for deploys".into()); // leakhound:allow (documentation token)
/// let r = Redactor::new(f.iter().map(|f| f.secret.as_str()));
/// r.finding(&mut f[0]);
/// assert_eq!(f[0].secret, "glpat-…");
/// assert_eq!(f[0].summary.as_deref(), Some("add glpat-… for deploys"));
/// ```
#[derive(Debug, Default)]
pub struct Redactor {
    /// `None` when there is nothing to redact.
    automaton: Option<AhoCorasick>,
    /// The redacted form of each pattern, in pattern order.
    replacements: Vec<String>,
}

impl Redactor {
    /// A redactor for these secrets (empty ones and duplicates are ignored).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut secrets: Vec<&str> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_unstable();
        secrets.dedup();
        if secrets.is_empty() {
            return Redactor::default();
        }
        // Leftmost-longest: a secret that contains another is replaced whole.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&secrets)
            .expect("literal patterns of a bounded total size build");
        Redactor {
            automaton: Some(automaton),
            replacements: secrets.iter().map(|s| redact(s)).collect(),
        }
    }

    /// `text` with every secret replaced by its redacted form.
    pub fn text(&self, text: &str) -> String {
        match &self.automaton {
            Some(ac) if ac.is_match(text) => ac.replace_all(text, &self.replacements),
            _ => text.to_owned(),
        }
    }

    fn scrub(&self, s: &mut String) {
        if let Some(ac) = &self.automaton {
            if ac.is_match(s.as_str()) {
                *s = ac.replace_all(s, &self.replacements);
            }
        }
    }

    fn scrub_opt(&self, s: &mut Option<String>) {
        if let Some(s) = s {
            self.scrub(s);
        }
    }

    fn scrub_map(&self, m: &mut std::collections::BTreeMap<String, String>) {
        if self.automaton.is_none() {
            return;
        }
        *m = std::mem::take(m)
            .into_iter()
            .map(|(mut k, mut v)| {
                self.scrub(&mut k);
                self.scrub(&mut v);
                (k, v)
            })
            .collect();
    }

    /// Redacts `secret` and every other text field of a finding.
    pub fn finding(&self, f: &mut Finding) {
        for s in [&mut f.rule, &mut f.description, &mut f.path] {
            self.scrub(s);
        }
        for s in [
            &mut f.validation,
            &mut f.encoding,
            &mut f.author,
            &mut f.date,
            &mut f.summary,
            &mut f.source,
            &mut f.note,
        ] {
            self.scrub_opt(s);
        }
        self.scrub_map(&mut f.details);
        if let Some(o) = &mut f.owner {
            self.scrub(&mut o.team);
        }
        if let Some(l) = &mut f.liveness {
            self.liveness(l);
        }
        f.redact();
    }

    /// Scrubs every text field of a provider's answer. It never holds the secret by construction; a
    /// provider's error message quoting the key it was sent (`invalid token: ghp_…`) must not bring it
    /// back in (defence in depth).
    pub fn liveness(&self, l: &mut Liveness) {
        self.scrub(&mut l.checked_at);
        for s in [
            &mut l.reason,
            &mut l.provider,
            &mut l.identity,
            &mut l.account,
            &mut l.expires,
            &mut l.rotate,
        ] {
            self.scrub_opt(s);
        }
        l.scopes.iter_mut().for_each(|s| self.scrub(s));
    }

    /// Scrubs every text field of a credential (it never holds the secret itself, but its details,
    /// owner, purpose and paths come from places that can quote one).
    pub fn credential(&self, c: &mut Credential) {
        self.scrub(&mut c.rule);
        self.scrub_opt(&mut c.purpose);
        self.scrub_opt(&mut c.expires);
        self.scrub_map(&mut c.details);
        if let Some(o) = &mut c.owner {
            self.scrub(&mut o.team);
        }
        for l in &mut c.locations {
            self.scrub(&mut l.path);
            self.scrub_opt(&mut l.author);
        }
        c.environments.iter_mut().for_each(|e| self.scrub(e));
        self.scrub_opt(&mut c.revoked);
        if let Some(l) = &mut c.liveness {
            self.liveness(l);
        }
    }

    /// Scrubs a warning's path and message.
    pub fn warning(&self, w: &mut ScanWarning) {
        self.scrub(&mut w.path);
        self.scrub(&mut w.message);
    }

    /// Scrubs a config change's value (an allowlist regex can spell a secret out).
    pub fn config_change(&self, c: &mut ConfigChange) {
        self.scrub(&mut c.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_secret_wins_and_text_without_secrets_is_unchanged() {
        let r = Redactor::new(["abcdefgh12345678", "abcdefgh12345678XYZW", ""]);
        assert_eq!(
            r.text("x abcdefgh12345678XYZW y abcdefgh12345678"),
            "x abcde… y abcd…"
        );
        assert_eq!(r.text("nothing here"), "nothing here");
        assert_eq!(Redactor::new([]).text("abc"), "abc");
    }
}
