//! Machine-readable reports: JSON (findings, credentials and summary), JSON Lines, SARIF, GitHub Actions
//! annotations and GitLab's secret-detection report.

#[cfg(feature = "reports")]
pub mod ci;
#[cfg(feature = "reports")]
pub mod human;
pub mod read;
mod redact;
#[cfg(feature = "reports")]
pub mod sarif;

pub use redact::Redactor;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::config::ConfigChange;
use crate::context::Context;
use crate::credentials::{Credential, Governance};
use crate::finding::Finding;
use crate::liveness::{LiveStatus, Liveness};
use crate::scan::{ScanStats, ScanWarning};

/// What a provider said, in a few words for a message: `live (identity octo-dev, account acme,
/// scopes repo, read:org)`, `dead (Bad credentials)`, `unknown (provider error)`. `loud` writes
/// the status in capitals (`LIVE`, `DEAD`) for annotations a reviewer skims.
///
/// ```
/// use leakhound_core::{report::liveness_phrase, LiveStatus, Liveness};
/// let mut l = Liveness::new(LiveStatus::Live, "2026-03-01T10:00:00Z".into(), None);
/// l.identity = Some("octo-dev".into());
/// l.scopes = vec!["repo".into(), "read:org".into()];
/// assert_eq!(liveness_phrase(&l, false), "live (identity octo-dev, scopes repo, read:org)");
/// let dead = Liveness::new(LiveStatus::Dead, "2026-03-01T10:00:00Z".into(), Some("Bad credentials".into()));
/// assert_eq!(liveness_phrase(&dead, true), "DEAD (Bad credentials)");
/// ```
pub fn liveness_phrase(l: &Liveness, loud: bool) -> String {
    let status = if loud {
        l.status.as_str().to_ascii_uppercase()
    } else {
        l.status.as_str().to_owned()
    };
    let detail = liveness_detail(l);
    match detail.is_empty() {
        true => status,
        false => format!("{status} ({detail})"),
    }
}

/// The detail of [`liveness_phrase`], one line: for a live credential its identity, account, scopes
/// and expiry; otherwise the reason; `cached` when the answer came from the cache. Empty when there
/// is nothing to say.
pub fn liveness_detail(l: &Liveness) -> String {
    let mut parts = Vec::new();
    if l.status == LiveStatus::Live {
        if let Some(i) = &l.identity {
            parts.push(format!("identity {i}"));
        }
        if let Some(a) = &l.account {
            parts.push(format!("account {a}"));
        }
        if !l.scopes.is_empty() {
            parts.push(format!("scopes {}", l.scopes.join(", ")));
        }
        if let Some(e) = &l.expires {
            parts.push(format!("expires {e}"));
        }
        // What to do about it: the provider's page to revoke or rotate it.
        if let Some(r) = &l.rotate {
            parts.push(format!("rotate at {r}"));
        }
    } else if let Some(r) = &l.reason {
        parts.push(r.clone());
    }
    if l.cached {
        parts.push("cached".into());
    }
    // One line, whatever the provider put in its message.
    parts.join(", ").replace(['\r', '\n'], " ")
}

/// How many distinct credentials among `findings` a provider said are live, dead and unknown; `None`
/// when none was validated.
pub fn liveness_counts(findings: &[Finding]) -> Option<(usize, usize, usize)> {
    let mut seen: BTreeMap<&str, LiveStatus> = BTreeMap::new();
    for f in findings {
        if let Some(l) = &f.liveness {
            seen.entry(f.fingerprint.as_str()).or_insert(l.status);
        }
    }
    if seen.is_empty() {
        return None;
    }
    let n = |s: LiveStatus| seen.values().filter(|x| **x == s).count();
    Some((
        n(LiveStatus::Live),
        n(LiveStatus::Dead),
        n(LiveStatus::Unknown),
    ))
}

/// The `summary` object of a JSON report: counts of findings, then the source's own counters
/// ([`ScanStats`] for files, [`crate::HistoryStats`] for history).
#[derive(Debug, Serialize)]
pub struct Summary<'a, S: Serialize> {
    /// Number of findings reported.
    pub findings: usize,
    /// Number of distinct fingerprints among them.
    pub unique_secrets: usize,
    /// Findings by context (`code`, `test`, `docs`, `example`, `vendor`, `generated`), every context
    /// present, zeros included.
    pub contexts: BTreeMap<Context, usize>,
    /// Findings in AI agent configuration (`surface: ai-agent`).
    pub ai_agent_findings: usize,
    /// The source's counters.
    #[serde(flatten)]
    pub stats: &'a S,
    /// Throughput, MB/s.
    pub mb_per_sec: f64,
    /// Governance metrics of the unique credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governance: Option<Governance>,
    /// AWS accounts the leaked access key ids belong to (decoded offline from the ids), with the number
    /// of distinct key ids of each: one account with many keys is one rotation campaign.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub aws_accounts: BTreeMap<String, usize>,
    /// Every input named on stderr as not scanned or lost (`{path, reason, message}`), so that a machine
    /// sees what a person sees; always present, empty when everything was read.
    pub warnings: Vec<ScanWarning>,
    /// What the configs of the scan change in the rule pack (replaced or added rules, allowlisted
    /// regexes and paths), each with its file and origin; always present.
    pub config_changes: Vec<ConfigChange>,
    /// Live validation's counts (`--validate`), when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<crate::liveness::ValidationSummary>,
}

impl<'a, S: Serialize> Summary<'a, S> {
    /// Summarises `findings` and the counters `stats`; `scanned` is the part with bytes and time.
    pub fn new(findings: &[Finding], stats: &'a S, scanned: &ScanStats) -> Summary<'a, S> {
        Summary {
            findings: findings.len(),
            unique_secrets: unique_secrets(findings),
            contexts: contexts(findings),
            ai_agent_findings: findings.iter().filter(|f| f.surface.is_some()).count(),
            stats,
            mb_per_sec: (scanned.mb_per_sec() * 10.0).round() / 10.0,
            governance: None,
            aws_accounts: aws_accounts(findings),
            warnings: scanned.warnings.clone(),
            config_changes: Vec::new(),
            validation: None,
        }
    }
}

/// Findings by context, every context present.
pub fn contexts(findings: &[Finding]) -> BTreeMap<Context, usize> {
    let mut out: BTreeMap<Context, usize> = Context::ALL.iter().map(|c| (*c, 0)).collect();
    for f in findings {
        *out.entry(f.context).or_default() += 1;
    }
    out
}

/// Distinct AWS key ids per decoded account.
pub fn aws_accounts(findings: &[Finding]) -> BTreeMap<String, usize> {
    let mut keys: Vec<(&str, &str)> = findings
        .iter()
        .filter_map(|f| Some((f.details.get("account")?.as_str(), f.fingerprint.as_str())))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = BTreeMap::new();
    for (account, _) in keys {
        *out.entry(account.to_owned()).or_default() += 1;
    }
    out
}

/// Number of distinct fingerprints among `findings`.
pub fn unique_secrets(findings: &[Finding]) -> usize {
    let mut fps: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    fps.sort_unstable();
    fps.dedup();
    fps.len()
}

/// The JSON report's document: `{"findings": [...], "credentials": [...], "summary": {...}}`
/// ([`write_json`] writes it; `serde_json::to_value` makes it a value to add fields to).
#[derive(Serialize)]
pub struct JsonReport<'a, 'b, S: Serialize> {
    /// The findings.
    pub findings: &'a [Finding],
    /// The unique credentials among them.
    pub credentials: &'a [Credential],
    /// The counts.
    pub summary: &'a Summary<'b, S>,
}

/// Writes `{"findings": [...], "credentials": [...], "summary": {...}}`.
///
/// # Errors
/// I/O errors from `w`.
pub fn write_json<W: Write, S: Serialize>(
    mut w: W,
    findings: &[Finding],
    credentials: &[Credential],
    summary: &Summary<'_, S>,
) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut w,
        &JsonReport {
            findings,
            credentials,
            summary,
        },
    )?;
    writeln!(w)
}

/// Writes one finding per line.
///
/// # Errors
/// I/O errors from `w`.
pub fn write_jsonl<W: Write>(mut w: W, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut w, f)?;
        writeln!(w)?;
    }
    Ok(())
}
