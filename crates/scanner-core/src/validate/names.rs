//! The names a rule's `validate` field accepts, one per [`super::Validator`] variant.
//!
//! A file of its own, free of dependencies, because `build.rs` includes it (with `#[path]`) to check the
//! embedded rule pack, as `rules::spec` does.

/// Validators accepted in `validate`.
pub const VALIDATORS: [&str; 10] = [
    "github-checksum",
    "npm-checksum",
    "jwt",
    "aws-key-id",
    "private-key",
    "mode",
    "discord-bot-token",
    "keystore",
    "basic-auth",
    "base64-password",
];
