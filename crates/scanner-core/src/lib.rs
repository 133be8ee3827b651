//! `leakhound-core`: the scanning engine of leakhound.
//!
//! A [`Scanner`] holds a [`RuleSet`] and one Aho-Corasick automaton over every rule's keywords. Scanning
//! a buffer is one pass of that automaton; only the rules whose keywords occur run their regex, only on
//! a window around each keyword hit, and each regex is compiled the first time it is needed. Candidate
//! secrets then pass entropy, placeholder, allowlist and inline-comment filters and, where the format
//! allows, an offline structural [`Validator`]. Overlapping matches of different rules are resolved to
//! the most specific one, so each secret occurrence is one [`Finding`].
//!
//! ```
//! use leakhound_core::Scanner;
//!
//! let scanner = Scanner::with_default_rules();
//! let text = b"slack:\n  token: xoxb-2048392011-4720385912348-kXp2RtQ9vLm8ZsW3nYb6HdJf\n"; // leakhound:allow (documentation token)
//! let findings = scanner.scan_bytes("config/slack.yml", text);
//! assert_eq!(findings[0].rule, "slack-bot-token");
//! assert_eq!(findings[0].line, 2);
//! assert!(findings[0].fingerprint.starts_with("sha256:"));
//! ```
#![deny(missing_docs)]

pub mod baseline;
pub mod config;
pub mod content;
pub mod credentials;
mod date;
mod decode;
pub mod filters;
mod finding;
pub mod gitleaks;
pub mod inventory;
mod matcher;
mod owners;
mod prefilter;
pub mod report;
pub mod rules;
mod scan;
pub mod source;
pub mod validate;

pub use baseline::{Baseline, BaselineEntry, BaselineError};
pub use config::Config;
pub use credentials::{Credential, Governance, Status};
pub use date::Date;
pub use filters::{entropy, inline_allowed, is_placeholder, looks_like_assignment};
pub use finding::{fingerprint, redact, Finding, Owner};
pub use finding::{parse_fingerprint, FingerprintError};
pub use inventory::{Inventory, InventoryEntry, InventoryError};
pub use matcher::Scratch;
pub use owners::CodeOwners;
pub use rules::{LoadedRules, Rule, RuleError, RuleSet, RuleWarning, Severity};
pub use scan::{
    effective_threads, Note, ScanStats, ScanWarning, Scanner, SkipReason, Truncation,
    DEFAULT_MAX_FINDINGS_PER_FILE,
};
pub use source::fs::{FsError, FsOptions};
pub use source::git::{HistoryError, HistoryOptions, HistoryProgress, HistoryStats};
pub use validate::Validator;
