//! What `leakhound report` shows: the ledger's runs and sightings turned into lifecycles, KPIs and
//! distributions. Plain data (serialised as the report's JSON format); [`super::render`] draws it as
//! HTML or Markdown. Dates are UTC, `YYYY-MM-DD`; instants are RFC 3339; durations are whole days.

use serde::Serialize;

/// The whole report.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LedgerReport {
    /// When the report was built (RFC 3339).
    pub generated_at: String,
    /// The ledger it was built from, without any password (`sqlite:/path`, `postgres://host/db`).
    pub ledger: String,
    /// The filters applied.
    pub filters: Filters,
    /// `sha256` or `hmac-sha256`: how the ledger's fingerprints were made.
    pub fingerprint_kind: String,
    /// The headline numbers.
    pub kpis: Kpis,
    /// The open credentials over time: one point per day that has a run (all repositories together).
    pub trend: Vec<TrendPoint>,
    /// Each run's own governance numbers, oldest first.
    pub runs: Vec<RunPoint>,
    /// Age of the open credentials (days since introduced, else since first detected), bucketed.
    pub exposure_age: Distribution,
    /// Days from introduced (earliest commit) to first detected, over credentials with both.
    pub time_to_detect: Distribution,
    /// Days from first detected to removed from HEAD, over credentials removed.
    pub time_to_remove: Distribution,
    /// Days from first detected to revoked, over credentials revoked.
    pub time_to_revoke: Distribution,
    /// One row per repository with a run in the report: most open credentials first, then by name.
    pub repositories: Vec<RepoRow>,
    /// One table per owner (`(unowned)` last), each with its open credentials, oldest first.
    pub owners: Vec<OwnerTable>,
    /// Credentials seen in more than one repository or environment, most repositories first (then
    /// most environments, open before revoked, then by fingerprint).
    pub reused: Vec<Reused>,
    /// Every credential's lifecycle, oldest first.
    pub credentials: Vec<Lifecycle>,
}

/// The report's filters, as given.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Filters {
    /// Only runs at or after this date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Only this repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Only credentials this owner holds now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Headline numbers (the KPI tiles).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Kpis {
    /// Runs in the report.
    pub runs: usize,
    /// Repositories in the report.
    pub repositories: usize,
    /// Repositories with at least one open credential.
    pub repositories_with_open: usize,
    /// Repositories whose last run was incomplete (it lost input: its numbers may be short).
    pub repositories_incomplete: usize,
    /// Credentials seen in two or more repositories (open or not): one key, many blast radii. With
    /// a repository filter: its credentials also seen in another repository.
    pub shared: usize,
    /// Unique credentials ever seen.
    pub credentials: usize,
    /// Open: not revoked (still in HEAD or not, a key that was never revoked is still a key).
    pub open: usize,
    /// Open and past their due date.
    pub overdue: usize,
    /// A provider said live at the last check.
    pub live: usize,
    /// A provider said dead at the last check (or the inventory says revoked).
    pub revoked: usize,
    /// Removed from HEAD (no longer in the tree of the latest run that covers HEAD).
    pub removed_from_head: usize,
    /// Open credentials not in the inventory at their last sighting.
    pub unknown_origin: usize,
    /// Share of open credentials with an inventory owner, percent (one decimal).
    pub owned_pct: f64,
    /// Share of open credentials whose inventory entry has an expiry, percent.
    pub with_expiry_pct: f64,
    /// Credentials seen in more than one repository or environment.
    pub reused: usize,
    /// Median days from introduced to first detected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_time_to_detect_days: Option<i64>,
    /// Median days from first detected to removed from HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_time_to_remove_days: Option<i64>,
    /// Median days from first detected to revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_time_to_revoke_days: Option<i64>,
}

/// The state of the ledger at one day (the trend chart).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TrendPoint {
    /// The day (`YYYY-MM-DD`).
    pub date: String,
    /// Credentials detected on or before this day and not revoked by then.
    pub open: usize,
    /// Of those, still in HEAD.
    pub in_head: usize,
    /// First detected on this day.
    pub new: usize,
    /// Revoked on this day.
    pub revoked: usize,
}

/// One run and its governance numbers (the percentages' series).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RunPoint {
    /// The ledger's run id.
    pub id: i64,
    /// When it started (RFC 3339).
    pub at: String,
    /// The repository (normalised remote URL or path).
    pub repo: String,
    /// `files`, `history`, `range`, `staged`, …
    pub mode: String,
    /// HEAD's commit, when the repository had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Findings the run reported.
    pub findings: usize,
    /// Unique credentials the run reported.
    pub credentials: usize,
    /// Of those, not in the inventory.
    pub unknown_origin: usize,
    /// Said live by a provider in that run.
    pub live: usize,
    /// Percent owned in that run.
    pub owned_pct: f64,
    /// Percent with an expiry in that run.
    pub with_expiry_pct: f64,
}

/// A distribution of whole days, with its buckets (the histograms).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Distribution {
    /// How many values.
    pub count: usize,
    /// Median (none when empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<i64>,
    /// 90th percentile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p90: Option<i64>,
    /// Largest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Fixed buckets (`0–1 d`, `2–7 d`, `8–30 d`, `31–90 d`, `91–365 d`, `> 1 y`), every bucket present.
    pub buckets: Vec<Bucket>,
}

/// One bucket of a [`Distribution`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Bucket {
    /// Its label (`8–30 d`).
    pub label: String,
    /// Lowest day count it holds (inclusive).
    pub from_days: i64,
    /// Highest day count it holds (inclusive); none for the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_days: Option<i64>,
    /// How many values fall in it.
    pub count: usize,
}

/// One repository's row in the organisation view. A credential seen in several repositories counts
/// in each one's row; with an owner filter the counts are that owner's credentials only.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RepoRow {
    /// The repository (normalised remote URL or path).
    pub repo: String,
    /// Runs of it in the report.
    pub runs: usize,
    /// When its last run started (RFC 3339).
    pub last_run: String,
    /// Whether its last run read all its input.
    pub last_run_complete: bool,
    /// HEAD's commit at its last run, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Open credentials seen in it.
    pub open: usize,
    /// Of those, still in its HEAD.
    pub in_head: usize,
    /// Of those, past their due date.
    pub overdue: usize,
    /// Of those, said live by a provider at the last check.
    pub live: usize,
    /// Of those, not in the inventory at their last sighting.
    pub unknown_origin: usize,
    /// Share of its open credentials with an inventory owner, percent (one decimal).
    pub owned_pct: f64,
    /// Share of its open credentials whose inventory entry has an expiry, percent.
    pub with_expiry_pct: f64,
    /// Of its open credentials, those also seen in another repository (in the period, whatever the
    /// repository filter).
    pub shared: usize,
}

/// One owner's open credentials.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OwnerTable {
    /// The owner (a team), or `(unowned)`.
    pub owner: String,
    /// Open credentials.
    pub open: usize,
    /// Of those, past their due date.
    pub overdue: usize,
    /// Every credential this owner holds, open first and oldest first.
    pub credentials: Vec<Lifecycle>,
}

/// A credential seen across boundaries.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Reused {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its rule.
    pub rule: String,
    /// The repositories it was seen in (in the order of their first run in the report).
    pub repos: Vec<String>,
    /// How many repositories (`repos.len()`).
    pub repo_count: usize,
    /// The environments (inventory, or named by its paths).
    pub environments: Vec<String>,
    /// Its owner now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Not revoked.
    pub open: bool,
}

/// One credential's life, derived from every run that saw it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Lifecycle {
    /// Its fingerprint (`sha256:` or `hmac-sha256:`).
    pub fingerprint: String,
    /// The rule that found it.
    pub rule: String,
    /// The rule's severity.
    pub severity: String,
    /// Its owner at the last sighting (a team), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where the owner came from (`inventory`, `codeowners`, `author`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_source: Option<String>,
    /// Governance status at the last sighting (`owned`, `unknown-origin`, `expired`, …).
    pub status: String,
    /// Liveness at the last check (`live`, `dead`, `unknown`), if ever checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<String>,
    /// The inventory's expiry at the last sighting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Repositories it was seen in.
    pub repos: Vec<String>,
    /// Environments it was seen in.
    pub environments: Vec<String>,
    /// A path it was seen at (the first, for display).
    pub path: String,
    /// Earliest commit date it is in (history runs), `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// First run that saw it.
    pub first_detected: String,
    /// Last run that saw it.
    pub last_seen: String,
    /// First run (covering HEAD) whose tree no longer has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_from_head: Option<String>,
    /// When it was revoked: the inventory's date, `leakhound revoke`, or the first run a provider said dead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// Due date: the inventory's expiry, else first detected + the severity's remediation window.
    pub due: String,
    /// Open and past due.
    pub overdue: bool,
    /// Not revoked.
    pub open: bool,
    /// Days since introduced (else first detected) to today, or to revocation.
    pub age_days: i64,
    /// Days from introduced to first detected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_detect_days: Option<i64>,
    /// Days from first detected to removed from HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_remove_days: Option<i64>,
    /// Days from first detected to revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_revoke_days: Option<i64>,
    /// Sightings (finding locations over all runs).
    pub sightings: usize,
}
