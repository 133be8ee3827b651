//! `leakhound-hook`: installs, chains and removes leakhound's git hooks, and is their entry point.
//!
//! The sources the hooks scan live in `leakhound-core` with every other source (staged changes:
//! [`leakhound_core::source::staged`], the commit message: [`leakhound_core::source::commit_msg`]);
//! [`pre_commit`] and [`commit_msg`] are the scan sessions the hooks run: the repository's
//! baseline applies without being named, and only what the commit adds counts.
#![deny(missing_docs)]

pub mod install;

use std::path::Path;

use leakhound_core::session::ScanSession;

pub use install::{install, uninstall, HookError, InstallOutcome};

/// The session `git commit`'s pre-commit hook runs in the repository at (or above) `repo`: the
/// staged changes, added lines only.
pub fn pre_commit(repo: &Path) -> ScanSession {
    ScanSession::staged(repo)
}

/// The session the commit-msg hook runs on the message file git hands it.
pub fn commit_msg(repo: &Path, message_file: &Path) -> ScanSession {
    ScanSession::commit_message(repo, message_file)
}
