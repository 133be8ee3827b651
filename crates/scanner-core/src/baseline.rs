//! Baselines: findings accepted as known, so old leaks being dealt with do not block new commits.
//!
//! An entry is a fingerprint, the rule and the path: never the secret, and never a line number, so
//! that editing elsewhere in a file does not churn the baseline. A finding is suppressed when its
//! fingerprint and path match an entry; the same secret copied to a new file is reported again.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// `sha256:<hex>` of the secret.
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
    /// The entries for `findings` (deduplicated, sorted).
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let set: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                path: f.path.clone(),
            })
            .collect();
        Baseline {
            version: 1,
            entries: set.into_iter().collect(),
        }
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    /// [`BaselineError`] naming the file: unreadable, not JSON of this shape, or an entry without a
    /// `sha256:` fingerprint.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let err = |message: String| BaselineError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| err(format!("not a leakhound baseline: {e}")))?;
        if let Some((i, e)) = b
            .entries
            .iter()
            .enumerate()
            .find(|(_, e)| !e.fingerprint.starts_with("sha256:"))
        {
            return Err(err(format!(
                "entry {}: fingerprint {:?} is not sha256:<hex>",
                i + 1,
                e.fingerprint
            )));
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
        let mut used = vec![false; self.entries.len()];
        findings.retain(|f| {
            let hit = self
                .entries
                .iter()
                .position(|e| e.fingerprint == f.fingerprint && e.path == f.path);
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        });
        self.entries
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .map(|(e, _)| e.clone())
            .collect()
    }
}
