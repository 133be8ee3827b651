//! `leakhound-hook`: the pre-commit path of leakhound (staged-change source, hook install/uninstall).
//!
//! This crate is a placeholder for the pre-commit work; the staged scan lands with its own issue.
#![deny(missing_docs)]

/// Name of the hook leakhound installs.
pub const HOOK_NAME: &str = "pre-commit";
