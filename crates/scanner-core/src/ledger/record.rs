//! What a run writes to the ledger: a [`RunRecord`] with its [`Sighting`]s, built from a scan's
//! [`Report`] (or by hand). Fingerprints and metadata only: a sighting has no field for a secret.

use std::collections::HashMap;

use crate::session::Report;

/// One run: the repository, its HEAD, the mode, the rule pack, the time, the counts, the sightings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRecord {
    /// A key that makes the run idempotent: recording a run with the key of one already in the
    /// ledger replaces that run (a retried job does not count twice). None: always a new run.
    pub run_key: Option<String>,
    /// The repository: its normalised remote URL (`github.com/org/repo`), else its absolute path.
    pub repo: String,
    /// HEAD's commit id, when there is one.
    pub head: Option<String>,
    /// `files`, `history`, `incremental`, `range`, `staged`, `commit-message`, `bytes`.
    pub mode: String,
    /// Whether the run saw everything at HEAD (only such runs tell that a credential left HEAD).
    pub covers_head: bool,
    /// The rule pack's version.
    pub rule_pack: String,
    /// `sha256` or `hmac-sha256`.
    pub fingerprint_kind: String,
    /// Start and end, Unix seconds.
    pub started_at: i64,
    /// End, Unix seconds.
    pub finished_at: i64,
    /// Whether the scan read all its input.
    pub complete: bool,
    /// Files or blobs scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Inputs skipped.
    pub skipped: u64,
    /// Findings reported.
    pub findings: u64,
    /// The run's governance counts.
    pub credentials: u64,
    /// Owned (inventory, active, not expired).
    pub owned: u64,
    /// With an inventory expiry.
    pub with_expiry: u64,
    /// Not in the inventory.
    pub unknown_origin: u64,
    /// Said live by a provider.
    pub live: u64,
    /// Said dead by a provider.
    pub dead: u64,
    /// Percent owned.
    pub owned_pct: f64,
    /// Percent with an expiry.
    pub with_expiry_pct: f64,
    /// One per finding.
    pub sightings: Vec<Sighting>,
    /// The repository's new `--incremental` state (a history scan given its state by the ledger,
    /// [`crate::ScanSession::with_incremental_state_bytes`]): stored with the run, in its transaction,
    /// so a run that is not recorded does not advance it.
    pub history_state: Option<Vec<u8>>,
    /// Only what this run added to the state ([`crate::HistoryStats::state_added`]): appended to the
    /// stored state instead of rewriting it all. None: `history_state` replaces it.
    pub history_state_added: Option<Vec<u8>>,
}

/// One finding of a run, without its secret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sighting {
    /// `sha256:…` or `hmac-sha256:…`.
    pub fingerprint: String,
    /// The rule.
    pub rule: String,
    /// The rule's severity.
    pub severity: String,
    /// Path (relative to the repository root), empty for a commit message.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// The commit (history).
    pub commit: Option<String>,
    /// The commit's date, Unix seconds (history).
    pub commit_date: Option<i64>,
    /// `code`, `test`, `docs`, …
    pub context: String,
    /// The owner's team.
    pub owner: Option<String>,
    /// `inventory`, `codeowners`, `author`.
    pub owner_source: Option<String>,
    /// Governance status.
    pub status: String,
    /// `live`, `dead`, `unknown` when validated.
    pub liveness: Option<String>,
    /// The inventory's expiry (`YYYY-MM-DD`).
    pub expires: Option<String>,
    /// The inventory's revocation date (`YYYY-MM-DD`).
    pub revoked_on: Option<String>,
    /// Environments, comma-separated.
    pub environments: Option<String>,
    /// In the current tree (a file scan) or in HEAD's tree (a history scan's blob).
    pub at_head: bool,
}

/// Why a run could not be described.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The repository could not be read for its identity, HEAD or tree.
    #[error("{path}: cannot read the repository's HEAD: {message}")]
    Repository {
        /// The repository.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl RunRecord {
    /// A history run of a repository that could not be scanned (missing, not a repository,
    /// unreadable): no sightings, not complete, so that the ledger shows the repository was not read.
    pub fn unscanned(repo: &str, fingerprint_kind: &str) -> RunRecord {
        let now = super::now_unix();
        RunRecord {
            repo: repo.to_string(),
            mode: "history".into(),
            fingerprint_kind: fingerprint_kind.into(),
            started_at: now,
            finished_at: now,
            complete: false,
            ..RunRecord::default()
        }
    }

    /// Describes a scan's report as a run: the repository at `report.root`, HEAD, the mode, the
    /// counts, and one sighting per finding. For a full history scan, HEAD's tree is read to tell
    /// which sightings are still at HEAD.
    ///
    /// # Errors
    /// [`RecordError`] when the repository's HEAD tree cannot be read.
    pub fn from_report(report: &Report, fingerprint_kind: &str) -> Result<RunRecord, RecordError> {
        let root = &report.root;
        let facts = super::repo::RepoFacts::read(root);
        // A run that saw all of HEAD's blobs (a full history scan, or an incremental one that read
        // HEAD again) tells which sightings are still at HEAD.
        let history = matches!(report.run.mode, "history" | "incremental");
        let head_blobs = match (history && report.run.covers_head, &facts.head) {
            (true, Some(_)) => {
                Some(
                    facts
                        .head_blobs()
                        .map_err(|message| RecordError::Repository {
                            path: root.clone(),
                            message,
                        })?,
                )
            }
            _ => None,
        };
        let by_fp: HashMap<&str, &crate::credentials::Credential> = report
            .credentials
            .iter()
            .map(|c| (c.fingerprint.as_str(), c))
            .collect();
        let files_mode = report.run.mode == "files";
        // A path can hold a secret (a file named after its token): the ledger gets it redacted.
        let redactor =
            crate::report::Redactor::new(report.findings.iter().map(|f| f.secret.as_str()));
        let sightings = report
            .findings
            .iter()
            .map(|f| {
                let cred = by_fp.get(f.fingerprint.as_str());
                let at_head = match &head_blobs {
                    Some(blobs) => f
                        .blob
                        .as_deref()
                        .and_then(|b| gix::ObjectId::from_hex(b.as_bytes()).ok())
                        .is_some_and(|b| blobs.contains(&b)),
                    None => files_mode,
                };
                Sighting {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.clone(),
                    severity: f.severity.as_str().to_string(),
                    path: redactor.text(&report.root_relative(f)),
                    line: f.line as u64,
                    commit: f.commit.clone(),
                    commit_date: f.date.as_deref().and_then(unix),
                    context: f.context.as_str().to_string(),
                    owner: f.owner.as_ref().map(|o| o.team.clone()),
                    owner_source: f.owner.as_ref().map(|o| o.source.clone()),
                    status: f
                        .status
                        .map(|s| s.as_str())
                        .unwrap_or("unknown-origin")
                        .to_string(),
                    liveness: f
                        .liveness
                        .as_ref()
                        .or_else(|| cred.and_then(|c| c.liveness.as_ref()))
                        .map(|l| l.status.as_str().to_string()),
                    expires: cred.and_then(|c| c.expires.clone()),
                    revoked_on: cred.and_then(|c| c.revoked.clone()),
                    environments: cred
                        .filter(|c| !c.environments.is_empty())
                        .map(|c| c.environments.join(",")),
                    at_head,
                }
            })
            .collect();
        let stats = report.scan_stats();
        let started_at = report
            .run
            .started_at
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let g = &report.governance;
        let (history_state, history_state_added) = history_state(report);
        // What the providers said, as governance already counted it (credentials, not findings).
        let liveness = |pick: fn(&crate::credentials::LivenessCounts) -> usize| {
            g.liveness.as_ref().map_or(0, |l| pick(l) as u64)
        };
        Ok(RunRecord {
            run_key: None,
            repo: facts.identity,
            head: facts.head,
            mode: report.run.mode.to_string(),
            covers_head: report.run.covers_head,
            rule_pack: report.run.rule_pack.clone(),
            fingerprint_kind: fingerprint_kind.to_string(),
            started_at,
            finished_at: super::now_unix().max(started_at),
            complete: !stats.had_errors(),
            files: stats.files,
            bytes: stats.bytes,
            skipped: stats.skipped.values().sum(),
            findings: report.findings.len() as u64,
            credentials: g.credentials as u64,
            owned: g.owned as u64,
            with_expiry: report
                .credentials
                .iter()
                .filter(|c| c.expires.is_some())
                .count() as u64,
            unknown_origin: g.unknown_origin as u64,
            live: liveness(|l| l.live),
            dead: liveness(|l| l.dead),
            owned_pct: g.owned_pct,
            with_expiry_pct: g.with_expiry_pct,
            sightings,
            history_state,
            history_state_added,
        })
    }
}

/// The new incremental state a history scan returned (when its caller keeps it), whole and as what
/// it added.
fn history_state(report: &Report) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    match &report.stats {
        #[cfg(feature = "git")]
        crate::session::Stats::History(h) => (h.state.clone(), h.state_added.clone()),
        _ => (None, None),
    }
}

/// An RFC 3339 instant (or a date) as Unix seconds.
pub(crate) fn unix(s: &str) -> Option<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let d: jiff::civil::Date = s.get(..10)?.parse().ok()?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}
