//! `leakhound-hook`: the commit path of leakhound.
//!
//! [`staged`] finds what `git commit` would record — the staged blobs of the index, not the files on
//! disk — compares them with `HEAD` in process (gix: no `git` subprocess on the hot path), and scans
//! them keeping only findings on added lines. [`message`] scans the commit message as git will record
//! it (the commit-msg hook). [`install`] writes, chains and removes the hook scripts.
#![deny(missing_docs)]

pub mod install;
pub mod message;
pub mod staged;

pub use install::{install, uninstall, HookError, InstallOutcome};
pub use message::{scan_commit_message, Cleanup, MessageError};
pub use staged::{scan_staged, NotScanned, StagedError, StagedStats};

/// Entry points for the fuzz targets in `fuzz/` (not part of the API): the staged-diff line mapping,
/// which is private to [`staged`].
#[doc(hidden)]
pub mod fuzzing {
    use leakhound_core::Finding;

    /// For each line of `new`, whether the diff from `old` adds it.
    pub fn added_lines(old: &[u8], new: &[u8]) -> Vec<bool> {
        crate::staged::added_lines(old, new)
    }

    /// `data` with the lines outside the context of the added lines blanked in place.
    pub fn context_of_changes<'a>(
        data: &'a [u8],
        added: &[bool],
        reach: usize,
        buf: &'a mut Vec<u8>,
    ) -> &'a [u8] {
        crate::staged::context_of_changes(data, added, reach, buf)
    }

    /// Whether `finding` covers an added line.
    pub fn spans_added_line(finding: &Finding, added: &[bool]) -> bool {
        crate::staged::spans_added_line(finding, added)
    }
}
