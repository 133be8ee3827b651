//! Baselines: findings accepted as known, so old leaks being dealt with do not block new commits.
//!
//! An entry is a fingerprint, the rule and the path: never the secret, and never a line number, so
//! that editing elsewhere in a file does not churn the baseline. A finding is suppressed when its
//! fingerprint and path match an entry; the same secret copied to a new file is reported again.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, FingerprintKind};

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// `sha256:<hex>` of the secret, or `hmac-sha256:<hex>` under a fingerprint key.
    pub fingerprint: String,
    /// The rule that found it (informational: a renamed rule does not invalidate the entry).
    pub rule: String,
    /// Where it was found.
    pub path: String,
}

/// A baseline file (`.leakhound-baseline.json`).
///
/// ```
/// use leakhound_core::{Baseline, Scanner};
///
/// let scanner = Scanner::with_default_rules();
/// let text = b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"; // leakhound:allow (documentation token)
/// let baseline = Baseline::from_findings(&scanner.scan_bytes("a.env", text));
/// let mut again = scanner.scan_bytes("a.env", text);
/// let stale = baseline.apply(&mut again);
/// assert!(again.is_empty() && stale.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// The kind of fingerprints the entries hold (`sha256` or `hmac-sha256`), as written by
    /// `leakhound baseline create`; absent in older files, which are read all the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprints: Option<FingerprintKind>,
    /// With keyed fingerprints: the key's id ([`crate::FingerprintKey::id`]), so that a scan under
    /// another key can say why nothing matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The accepted findings, sorted.
    pub entries: Vec<BaselineEntry>,
}

/// A baseline file that could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct BaselineError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Baseline {
    /// The entries for `findings` (deduplicated, sorted), at the paths as they are.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline::from_findings_at(findings, &|f| f.path.clone())
    }

    /// The entries for `findings`, each recorded at `path_of(finding)`: the path relative to the
    /// repository root, so that the baseline means the same however the scanned path was spelled.
    pub fn from_findings_at(
        findings: &[Finding],
        path_of: &dyn Fn(&Finding) -> String,
    ) -> Baseline {
        let set: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                path: path_of(f),
            })
            .collect();
        let keyed = set
            .iter()
            .any(|e| FingerprintKind::of(&e.fingerprint) == Some(FingerprintKind::HmacSha256));
        Baseline {
            version: 1,
            fingerprints: Some(if keyed {
                FingerprintKind::HmacSha256
            } else {
                FingerprintKind::Sha256
            }),
            key_id: None,
            entries: set.into_iter().collect(),
        }
    }

    /// Records the key the entries were made with (`None`: plain fingerprints): `fingerprints` and
    /// `key_id` say so in the file.
    ///
    /// ```
    /// use leakhound_core::{Baseline, FingerprintKey, FingerprintKind, Scanner};
    /// let key = FingerprintKey::from_bytes([6u8; 32]).unwrap();
    /// let scanner = Scanner::with_default_rules().with_fingerprint_key(Some(key.clone()));
    /// let found = scanner.scan_bytes("a.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"); // leakhound:allow (documentation token)
    /// let b = Baseline::from_findings(&found).keyed_by(Some(&key));
    /// assert_eq!(b.fingerprints, Some(FingerprintKind::HmacSha256));
    /// let json = serde_json::to_string(&b).unwrap();
    /// assert!(json.contains(r#""fingerprints":"hmac-sha256""#) && json.contains(&key.id()));
    /// ```
    pub fn keyed_by(mut self, key: Option<&crate::FingerprintKey>) -> Baseline {
        self.fingerprints = Some(match key {
            Some(_) => FingerprintKind::HmacSha256,
            None => FingerprintKind::Sha256,
        });
        self.key_id = key.map(crate::FingerprintKey::id);
        self
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    /// [`BaselineError`] naming the file: unreadable, not JSON of this shape (the position only: the
    /// JSON parser's own message can quote the file's text), or an entry whose fingerprint is not
    /// `sha256:` or `hmac-sha256:` and 64 hex digits (the entry number and field, never the value).
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let err = |message: String| BaselineError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        Baseline::parse(&text).map_err(err)
    }

    /// Parses baseline JSON; the error is a message without the file name.
    ///
    /// ```
    /// use leakhound_core::Baseline;
    /// let bad = r#"{"version": 1, "entries": [{"fingerprint": "glpat-Hq3Zr8xK2mVb7NcT1pWd", "rule": "r", "path": "a"}]}"#; // leakhound:allow (documentation token)
    /// let msg = Baseline::parse(bad).unwrap_err();
    /// assert!(msg.starts_with("entry 1: field `fingerprint`: not a fingerprint"), "{msg}");
    /// assert!(!msg.contains("glpat"));
    /// ```
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let mut b: Baseline = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a leakhound baseline: {} at line {}, column {}",
                json_error_kind(&e),
                e.line(),
                e.column()
            )
        })?;
        for (i, e) in b.entries.iter_mut().enumerate() {
            e.fingerprint = crate::finding::parse_fingerprint(&e.fingerprint)
                .map_err(|why| format!("entry {}: field `fingerprint`: {why}", i + 1))?;
        }
        Ok(b)
    }

    /// Writes the baseline as pretty JSON.
    ///
    /// # Errors
    /// [`BaselineError`] naming the file.
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let text = serde_json::to_string_pretty(self).expect("a baseline serialises");
        std::fs::write(path, text + "\n").map_err(|e| BaselineError {
            path: path.display().to_string(),
            message: format!("cannot write: {e}"),
        })
    }

    /// Removes the findings this baseline accepts and returns the entries that matched nothing (stale:
    /// the secret is gone from that path, so the entry can go too).
    pub fn apply(&self, findings: &mut Vec<Finding>) -> Vec<BaselineEntry> {
        self.apply_at(findings, &|f| f.path.clone())
    }

    /// [`Baseline::apply`], matching entries against `path_of(finding)` (the path relative to the
    /// repository root) instead of the path as displayed.
    pub fn apply_at(
        &self,
        findings: &mut Vec<Finding>,
        path_of: &dyn Fn(&Finding) -> String,
    ) -> Vec<BaselineEntry> {
        // Every entry naming a finding is used, not only the first: a baseline edited by hand or merged
        // from two branches can hold the same entry twice, and the copy is not stale (found by the
        // `baseline` fuzz target). Indexed by (fingerprint, path), so applying stays linear.
        let mut index: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            index
                .entry((e.fingerprint.as_str(), e.path.as_str()))
                .or_default()
                .push(i);
        }
        let mut used = vec![false; self.entries.len()];
        findings.retain(|f| {
            let path = path_of(f);
            match index.get(&(f.fingerprint.as_str(), path.as_str())) {
                Some(hits) => {
                    for &i in hits {
                        used[i] = true;
                    }
                    false
                }
                None => true,
            }
        });
        self.entries
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .map(|(e, _)| e.clone())
            .collect()
    }
}

/// What kind of JSON error, in words that never quote the input (serde_json's own messages can: an
/// unexpected string is shown in full).
pub(crate) fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected field or value",
        serde_json::error::Category::Eof => "unexpected end of file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: serde_json's messages quote an unexpected string in full, and a baseline error
    /// echoed whatever was there (a secret pasted into the file, for one).
    #[test]
    fn errors_never_quote_the_file() {
        let secret = "glpat-Hq3Zr8xK2mVb7NcT1pWd"; // leakhound:allow (test token)
        for text in [
            format!(r#"{{"version": "{secret}", "entries": []}}"#),
            format!(r#"{{"version": 1, "entries": [{{"fingerprint": 1, "rule": "{secret}"}}]}}"#),
            format!(
                r#"{{"version": 1, "entries": [{{"fingerprint": "{secret}", "rule": "r", "path": "p"}}]}}"#
            ),
            format!(r#"{{"version": 1, "{secret}": []}}"#),
            format!(r#"{{"version": 1, "entries": [{secret}]}}"#),
            r#"{"version": 1, "entries": [{"fingerprint": "sha256:zz", "rule": "r", "path": "p"}]}"#
                .to_owned(),
        ] {
            let msg = Baseline::parse(&text).unwrap_err();
            assert!(!msg.contains("Hq3Zr8"), "{msg}");
        }
    }

    /// Fuzz regression (`baseline` target): a baseline holding the same entry twice (edited by hand,
    /// or merged from two branches) reported the second copy as stale although its finding was there.
    /// The fuzzer's input, reduced to what mattered: two entries of one fingerprint and path.
    #[test]
    fn fuzz_duplicate_entries_are_not_stale() {
        let fp = "sha256:77c1005401bd4fd1dd7abead933235efcdb445de720551146bc8f8bd13abf74c";
        let text = format!(
            r#"{{"version":1,"entries":[{{"fingerprint":"{fp}","rule":"","path":"a"}},{{"fingerprint":"{fp}","rule":"d","path":"a"}}]}}"#
        );
        let b = Baseline::parse(&text).unwrap();
        let scanner = crate::Scanner::with_default_rules();
        let mut f = scanner.scan_bytes("a", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"); // leakhound:allow (test token)
        f[0].fingerprint = fp.to_owned();
        let mut findings = vec![f[0].clone(), f[0].clone()];
        let stale = b.apply(&mut findings);
        assert!(findings.is_empty(), "{findings:?}");
        assert!(stale.is_empty(), "{stale:?}");
        // Another path: both copies are stale, and the finding stays.
        f[0].path = "b".into();
        let stale = b.apply(&mut f);
        assert_eq!((f.len(), stale.len()), (1, 2));
    }

    #[test]
    fn fingerprints_are_normalised_to_lowercase() {
        let fp = crate::fingerprint(b"x");
        let text = format!(
            r#"{{"version": 1, "entries": [{{"fingerprint": "{}", "rule": "r", "path": "p"}}]}}"#,
            fp.replace("sha256:", "SHA256:").to_uppercase()
        );
        assert_eq!(Baseline::parse(&text).unwrap().entries[0].fingerprint, fp);
    }
}
