//! Reading a JSON report back (`leakhound scan --format json`): the fingerprints and statuses of its
//! findings or credentials, for the inventory. Errors name the file and the entry, never a value: a
//! report written with `--no-redact` is full of secrets.

use std::path::{Path, PathBuf};

use crate::credentials::Status;
use crate::finding::parse_fingerprint;

/// Which list of a report to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// `findings`: one entry per occurrence.
    Findings,
    /// `credentials`: one entry per unique secret.
    Credentials,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Findings => "findings",
            List::Credentials => "credentials",
        }
    }
}

/// One entry of a report's list: its fingerprint (checked) and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// `sha256:<hex>`.
    pub fingerprint: String,
    /// The governance status, when the entry has one.
    pub status: Option<Status>,
}

/// A report that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file cannot be read.
    #[error("{}: cannot read", .path.display())]
    Read {
        /// The report.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON (the position only: the parser's message can quote the file).
    #[error("{}: not a leakhound JSON report: {what} at line {line}, column {column}", .path.display())]
    Json {
        /// The report.
        path: PathBuf,
        /// `invalid JSON` or `unexpected end of file`.
        what: &'static str,
        /// Where.
        line: usize,
        /// Where.
        column: usize,
    },
    /// The list is missing.
    #[error("{}: no `{list}` (a report from `leakhound scan --format json`)", .path.display())]
    NoList {
        /// The report.
        path: PathBuf,
        /// The list's key.
        list: &'static str,
    },
    /// An entry's fingerprint is missing or malformed.
    #[error("{}: {list}[{index}]: field `fingerprint`: {why}", .path.display())]
    Fingerprint {
        /// The report.
        path: PathBuf,
        /// The list's key.
        list: &'static str,
        /// The entry's index.
        index: usize,
        /// What is wrong.
        why: String,
    },
}

/// The entries of `list` in the JSON report at `path`.
///
/// # Errors
/// [`ReportError`] naming the file (and the entry) when it cannot be read, is not a report, or an
/// entry's fingerprint is malformed.
pub fn read(path: &Path, list: List) -> Result<Vec<Reported>, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| ReportError::Json {
        path: path.to_owned(),
        what: match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of file",
            _ => "invalid JSON",
        },
        line: e.line(),
        column: e.column(),
    })?;
    let key = list.key();
    let entries = value[key].as_array().ok_or_else(|| ReportError::NoList {
        path: path.to_owned(),
        list: key,
    })?;
    let bad = |index, why: String| ReportError::Fingerprint {
        path: path.to_owned(),
        list: key,
        index,
        why,
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let fp = entry["fingerprint"]
                .as_str()
                .ok_or_else(|| bad(i, "missing or not a string".into()))?;
            Ok(Reported {
                fingerprint: parse_fingerprint(fp).map_err(|why| bad(i, why.to_string()))?,
                status: entry["status"].as_str().and_then(Status::parse),
            })
        })
        .collect()
}
