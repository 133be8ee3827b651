//! What kind of run a session was: the facts a ledger records about it besides its findings.

use std::path::Path;
use std::time::SystemTime;

use super::Source;

/// How a session ran: its mode, whether it saw the whole current tree, the rule pack, when it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// `files`, `history`, `range`, `incremental`, `staged`, `commit-message` or `bytes`.
    pub mode: &'static str,
    /// Whether the run saw everything at HEAD (a file scan of the root, or a full history scan): only
    /// such a run can tell that a credential has left HEAD.
    pub covers_head: bool,
    /// The rule pack: leakhound's version, the rule count and a hash of the rule ids
    /// (`0.1.0/359/1a2b3c4d`).
    pub rule_pack: String,
    /// When the scan began.
    pub started_at: SystemTime,
}

impl RunInfo {
    pub(crate) fn new(
        source: &Source,
        root: &Path,
        history_mode: (&'static str, bool),
        rule_ids: impl Iterator<Item = impl AsRef<str>>,
        started_at: SystemTime,
    ) -> RunInfo {
        // Only history scans have a history mode.
        #[cfg(not(feature = "git"))]
        let _ = history_mode;
        let (mode, covers_head) = match source {
            Source::Paths(paths) => {
                let canon = |p: &Path| std::fs::canonicalize(p).ok();
                let whole =
                    paths.len() == 1 && canon(&paths[0]).is_some_and(|p| Some(p) == canon(root));
                ("files", whole)
            }
            #[cfg(feature = "git")]
            Source::History(_) => history_mode,
            #[cfg(feature = "git")]
            Source::Staged(_) => ("staged", false),
            #[cfg(feature = "git")]
            Source::CommitMessage { .. } => ("commit-message", false),
            Source::Bytes { .. } => ("bytes", false),
        };
        RunInfo {
            mode,
            covers_head,
            rule_pack: rule_pack_version(rule_ids),
            started_at,
        }
    }
}

/// `VERSION/COUNT/HASH`: the first 8 hex digits of SHA-256 over the sorted rule ids.
fn rule_pack_version(ids: impl Iterator<Item = impl AsRef<str>>) -> String {
    use sha2::{Digest, Sha256};
    let mut ids: Vec<String> = ids.map(|s| s.as_ref().to_string()).collect();
    ids.sort_unstable();
    let mut h = Sha256::new();
    for id in &ids {
        h.update(id.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    format!(
        "{}/{}/{:02x}{:02x}{:02x}{:02x}",
        env!("CARGO_PKG_VERSION"),
        ids.len(),
        d[0],
        d[1],
        d[2],
        d[3]
    )
}
