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
//!
//! The crate is four groups of modules, each with one job:
//! - **engine** (always built): [`rules`], the keyword prefilter, the matcher, [`filters`], the
//!   decoders, [`validate`], [`content`] and [`context`]: bytes in, [`Finding`]s out
//!   ([`Scanner::scan_bytes`]).
//! - **sources** ([`source`]): files and directories (cargo feature `fs`), git history, staged
//!   changes and commit messages (feature `git`), each pushing its findings into one
//!   [`source::Sink`]; and the [`session`] (feature `fs`) that runs a whole scan.
//! - **governance** (always built): [`config`], [`baseline`], [`inventory`], [`credentials`] and
//!   CODEOWNERS: who owns a credential, whether it is accepted, expired or revoked (feature `edit`:
//!   format-preserving edits of the inventory file).
//! - **reports** ([`report`]): the JSON summary and redaction, and with feature `reports` SARIF,
//!   CI annotations and the human printer.
//!
//! `leakhound-core = { default-features = false }` builds the engine and governance alone.
#![deny(missing_docs)]

// Engine.
mod agent;
mod blanking;
pub mod content;
pub mod context;
mod date;
mod decode;
pub mod filters;
mod finding;
pub mod fingerprint_key;
#[cfg(feature = "live")]
pub mod live;
pub mod liveness;
mod matcher;
mod parts;
mod prefilter;
pub mod rules;
mod scan;
mod severity;
mod shapes;
pub mod validate;

// Sources.
#[cfg(feature = "ledger")]
pub mod ledger;
#[cfg(feature = "fs")]
pub mod repos;
#[cfg(feature = "fs")]
pub mod session;
pub mod source;

// Governance.
pub mod baseline;
pub mod config;
pub mod credentials;
pub mod fingerprint_notes;
pub mod inventory;
mod owners;

// Reports.
pub mod report;

pub use baseline::{Baseline, BaselineEntry, BaselineError};
pub use config::Config;
pub use context::{Context, Surface};
pub use credentials::{Credential, Governance, Status};
pub use date::Date;
pub use filters::{entropy, inline_allowed, is_placeholder, looks_like_assignment};
pub use finding::{fingerprint, redact, Finding, Owner};
pub use finding::{parse_fingerprint, FingerprintError, FingerprintKind};
pub use fingerprint_key::{fingerprint_with, FingerprintKey, FingerprintKeyError};
pub use fingerprint_notes::{FingerprintFile, FingerprintNote};
pub use inventory::{Inventory, InventoryEntry, InventoryError};
pub use liveness::{LiveStatus, Liveness};
pub use matcher::Scratch;
pub use owners::CodeOwners;
pub use rules::gitleaks;
pub use rules::{LoadedRules, Rule, RuleError, RuleSet, RuleWarning, Severity};
pub use scan::{
    effective_threads, ExampleFailure, Note, ScanStats, ScanWarning, Scanner, SkipReason,
    Truncation, DEFAULT_MAX_FINDINGS_PER_FILE,
};
#[cfg(feature = "fs")]
pub use session::{Report, ScanSession, Source, Stats, Verdict};
#[cfg(feature = "fs")]
pub use source::fs::{FsError, FsOptions};
#[cfg(feature = "git")]
pub use source::git::{HistoryError, HistoryOptions, HistoryStats, StateStore};
#[cfg(feature = "git")]
pub use source::staged::{NotScanned, StagedError, StagedStats};
pub use source::{Progress, Sink};
pub use validate::Validator;

/// Entry points for the fuzz targets in `fuzz/` (not part of the API): thin wrappers that let a fuzzer
/// reach the private decoders. Nothing else uses them.
#[doc(hidden)]
pub mod fuzzing {
    use crate::decode::{self, Encoding};

    /// The encoding numbered `n` (mod 3: base64, hex, percent).
    fn encoding(n: u8) -> Encoding {
        Encoding::ALL[usize::from(n) % Encoding::ALL.len()]
    }

    /// Decodes `run` as encoding `n` (mod 3: base64, hex, percent).
    pub fn decode(run: &[u8], n: u8) -> Option<Vec<u8>> {
        decode::decode(run, encoding(n))
    }

    /// The run of encoding `n` around `s..e` in `hay` (`s <= e <= hay.len()`).
    pub fn enclosing_run(hay: &[u8], s: usize, e: usize, n: u8) -> (usize, usize) {
        decode::enclosing_run(hay, s, e, encoding(n))
    }

    /// Whether a base64 run's first characters decode to text.
    pub fn base64_text_prefix(run: &[u8]) -> bool {
        decode::base64_text_prefix(run)
    }

    /// Whether decoded bytes are mostly text.
    pub fn mostly_text(bytes: &[u8]) -> bool {
        decode::mostly_text(bytes)
    }

    fn number(enc: Encoding) -> u8 {
        let n = Encoding::ALL
            .iter()
            .position(|x| *x == enc)
            .expect("every encoding is in ALL");
        n as u8
    }

    /// The encoded value of an assignment at `pos`, with its encoding's number, measured afresh.
    pub fn assignment_value(hay: &[u8], pos: usize) -> Option<(usize, usize, u8)> {
        decode::ValueRuns::default()
            .assignment_value(hay, pos)
            .map(|(s, e, enc)| (s, e, number(enc)))
    }

    /// The encoded values of assignments at each of `positions` in turn, measured as the matcher does:
    /// with the runs of earlier queries remembered.
    pub fn assignment_values(hay: &[u8], positions: &[usize]) -> Vec<Option<(usize, usize, u8)>> {
        let mut runs = decode::ValueRuns::default();
        positions
            .iter()
            .map(|&pos| {
                runs.assignment_value(hay, pos)
                    .map(|(s, e, enc)| (s, e, number(enc)))
            })
            .collect()
    }

    /// A Kubernetes `- name:` / `value:` pair at `pos`.
    pub fn name_value_pair(hay: &[u8], pos: usize) -> Option<(usize, usize, usize, usize)> {
        decode::name_value_pair(hay, pos)
    }

    /// A document's base64 values, at most `limit`.
    pub fn document_values(hay: &[u8], limit: usize) -> Vec<(usize, usize)> {
        decode::document_values(hay, limit)
    }

    /// The base64 forms of a marker at the three alignments, and its percent-encoded form.
    pub fn encoded_forms(keyword: &str) -> (Vec<String>, Option<String>) {
        (decode::base64_forms(keyword), decode::percent_form(keyword))
    }

    /// For each line of `new`, whether the diff from `old` adds it (the staged source's line mapping).
    #[cfg(feature = "git")]
    pub fn added_lines(old: &[u8], new: &[u8]) -> Vec<bool> {
        crate::source::staged::added_lines(old, new)
    }

    /// `data` with the lines outside the context of the added lines blanked in place.
    #[cfg(feature = "git")]
    pub fn context_of_changes<'a>(
        data: &'a [u8],
        added: &[bool],
        reach: usize,
        buf: &'a mut Vec<u8>,
    ) -> &'a [u8] {
        crate::source::staged::context_of_changes(data, added, reach, buf)
    }

    /// Whether `finding` covers an added line.
    #[cfg(feature = "git")]
    pub fn spans_added_line(finding: &crate::Finding, added: &[bool]) -> bool {
        crate::source::staged::spans_added_line(finding, added)
    }
}
