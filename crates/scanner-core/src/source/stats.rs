//! The one stats type of every source: a [`ScanStats`] with the source's own counters around it.

use serde::Serialize;

use crate::scan::ScanStats;
#[cfg(feature = "git")]
use crate::source::{git::HistoryStats, staged::StagedStats};

/// The counters of a scan, by source: each is a [`ScanStats`] (files or blobs scanned, bytes, skips
/// by reason, warnings) with the source's own counters around it. Serialised as the source's stats.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Stats {
    /// Files, caller bytes or a commit message.
    Files(ScanStats),
    /// Git history.
    #[cfg(feature = "git")]
    History(HistoryStats),
    /// Staged changes.
    #[cfg(feature = "git")]
    Staged(StagedStats),
}

impl Stats {
    /// What every source counts.
    pub fn scan(&self) -> &ScanStats {
        match self {
            Stats::Files(s) => s,
            #[cfg(feature = "git")]
            Stats::History(h) => &h.scan,
            #[cfg(feature = "git")]
            Stats::Staged(s) => &s.scan,
        }
    }

    #[cfg(feature = "fs")]
    pub(crate) fn scan_mut(&mut self) -> &mut ScanStats {
        match self {
            Stats::Files(s) => s,
            #[cfg(feature = "git")]
            Stats::History(h) => &mut h.scan,
            #[cfg(feature = "git")]
            Stats::Staged(s) => &mut s.scan,
        }
    }
}
