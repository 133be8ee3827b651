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
use leakhound_core::{FingerprintKey, FingerprintKeyError};

pub use install::{install, uninstall, HookError, InstallOutcome};

/// The session `git commit`'s pre-commit hook runs in the repository at (or above) `repo`: the
/// staged changes, added lines only, fingerprinted with the environment's key when one is set
/// ([`FingerprintKey::from_env`]), as every scan is, so that the repository's keyed baseline applies.
///
/// # Errors
/// The environment's fingerprint key cannot be used ([`FingerprintKeyError`]).
pub fn pre_commit(repo: &Path) -> Result<ScanSession, FingerprintKeyError> {
    Ok(ScanSession::staged(repo).with_fingerprint_key(FingerprintKey::from_env()?))
}

/// The session the commit-msg hook runs on the message file git hands it, keyed as
/// [`pre_commit`]'s.
///
/// # Errors
/// The environment's fingerprint key cannot be used ([`FingerprintKeyError`]).
pub fn commit_msg(repo: &Path, message_file: &Path) -> Result<ScanSession, FingerprintKeyError> {
    Ok(ScanSession::commit_message(repo, message_file)
        .with_fingerprint_key(FingerprintKey::from_env()?))
}
