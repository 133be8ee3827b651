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
