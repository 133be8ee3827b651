//! Unique credentials and their governance: findings grouped by fingerprint, linked to the inventory and
//! to owners, given a status, and counted into the metrics a security team tracks.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::context::Context;
use crate::date::Date;
use crate::finding::{Finding, Owner};
use crate::inventory::{EntryStatus, Inventory};
use crate::liveness::{LiveStatus, Liveness};
use crate::owners::CodeOwners;

pub use crate::finding::Status;

/// Where a credential was found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Location {
    /// Path; empty (serialised as `null`) for a commit or tag message, which `source` names.
    #[serde(serialize_with = "crate::finding::path_or_null")]
    pub path: String,
    /// `commit-message` or `tag-message` when the secret was found in a message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
    /// Introducing commit (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Its author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Its date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One unique secret with every place it was found.
#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    /// `sha256:<hex>` of the secret.
    pub fingerprint: String,
    /// The rule of its first finding.
    pub rule: String,
    /// Governance status.
    pub status: Status,
    /// Who owns it, and how we know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The inventory's purpose, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The inventory's expiry, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The inventory's revocation date (`revoked = YYYY-MM-DD`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// Days from its first exposure (the first commit it is in, in a history scan; else the
    /// inventory's `created`) to its revocation date, when both are known and in that order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_revoke_days: Option<i64>,
    /// What a validator decoded from the secret (`account` for AWS key ids, `key_type`, JWT claims).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub details: std::collections::BTreeMap<String, String>,
    /// Every location.
    pub locations: Vec<Location>,
    /// Earliest commit date among the locations (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Latest commit date among the locations (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Distinct paths.
    pub paths: usize,
    /// Distinct commits (history scans).
    pub commits: usize,
    /// Environments it appears in: the inventory's, and those its paths name.
    pub environments: Vec<String>,
    /// The contexts of its locations (`code`, `test`, …), each once, code first.
    pub contexts: Vec<Context>,
    /// Handed to an AI agent: at least one location is agent configuration (`surface: ai-agent`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ai_agent: bool,
    /// Found in places belonging to more than one environment (e.g. a staging key in prod config).
    pub cross_environment: bool,
    /// What its provider said when asked (`--validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<crate::liveness::Liveness>,
}

/// What the providers said about the credentials of a scan (`summary.governance.liveness`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct LivenessCounts {
    /// Credentials a provider was asked about (or the validation cache answered for).
    pub checked: usize,
    /// Live: the provider accepted them.
    pub live: usize,
    /// Dead: the provider rejected them.
    pub dead: usize,
    /// No conclusion.
    pub unknown: usize,
    /// Live and not in the inventory ([`Status::LiveUnowned`]): the list to act on first.
    pub live_unowned: usize,
    /// Live although the inventory says revoked ([`Status::RevokedButLive`]): failed revocations.
    pub revoked_but_live: usize,
}

/// The governance metrics of `summary.governance`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Governance {
    /// Unique credentials.
    pub credentials: usize,
    /// Owned (in the inventory, active, not expired).
    pub owned: usize,
    /// Expired.
    pub expired: usize,
    /// Revoked but still present (live ones included: `liveness.revoked_but_live` counts those).
    pub revoked_still_present: usize,
    /// Honeytokens.
    pub honeytokens: usize,
    /// Not in the inventory (live ones included: `liveness.live_unowned` counts those).
    pub unknown_origin: usize,
    /// Share of credentials with an inventory owner, percent (one decimal).
    pub owned_pct: f64,
    /// Share of credentials whose inventory entry has an expiry, percent.
    pub with_expiry_pct: f64,
    /// Credentials found across environments.
    pub cross_environment: usize,
    /// Credentials handed to AI agents: found in agent configuration (an MCP server's `env` or
    /// `headers`, an agent's settings), where every server the agent starts can read them.
    pub handed_to_agents: usize,
    /// History scans: median of (today - first seen), days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_exposure_days: Option<i64>,
    /// Median of (revoked - first exposure), days, over the credentials whose inventory entry has a
    /// `revoked` date and whose first exposure is known (first seen in history, else `created`).
    /// A credential a provider says is still live is left out: its revocation did not happen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_time_to_revoke_days: Option<i64>,
    /// What the providers said (`--validate`); absent when nothing was validated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<LivenessCounts>,
}

/// What makes a scan fail (`--fail-on`): a governance status, or a credential a provider said is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailOn {
    /// Findings with this status.
    Status(Status),
    /// Findings whose credential a provider said is live (`live`), whatever its status.
    Live,
}

impl From<Status> for FailOn {
    fn from(s: Status) -> FailOn {
        FailOn::Status(s)
    }
}

impl FailOn {
    /// `live`, or a status's name (`live-unowned`, `revoked-but-live`, `unknown-origin`, …).
    ///
    /// ```
    /// use leakhound_core::credentials::FailOn;
    /// use leakhound_core::Status;
    /// assert_eq!(FailOn::parse("live"), Some(FailOn::Live));
    /// assert_eq!(FailOn::parse("live-unowned"), Some(FailOn::Status(Status::LiveUnowned)));
    /// assert_eq!(FailOn::parse("alive"), None);
    /// ```
    pub fn parse(s: &str) -> Option<FailOn> {
        match s {
            "live" => Some(FailOn::Live),
            _ => Status::parse(s).map(FailOn::Status),
        }
    }

    /// Every name [`FailOn::parse`] knows, comma-separated, for error messages.
    pub fn known() -> String {
        let mut names = vec!["live"];
        names.extend(Status::ALL.iter().map(|s| s.as_str()));
        names.join(", ")
    }

    /// Parses a list (`--fail-on live,expired`), each item trimmed.
    ///
    /// # Errors
    /// The first unknown item, with every known name.
    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Vec<FailOn>, String> {
        items
            .into_iter()
            .map(|s| {
                FailOn::parse(s.trim())
                    .ok_or_else(|| format!("{s:?} is not one of {}", FailOn::known()))
            })
            .collect()
    }

    /// Whether this selects `f`.
    pub fn selects(self, f: &Finding) -> bool {
        match self {
            FailOn::Status(s) => f.status == Some(s),
            FailOn::Live => f
                .liveness
                .as_ref()
                .is_some_and(|l| l.status == LiveStatus::Live),
        }
    }
}

/// The environment a path segment names, normalised (`production` -> `prod`).
pub fn environment_of_path(path: &str) -> Option<&'static str> {
    for seg in path
        .split(['/', '.', '_', '-'])
        .map(str::to_ascii_lowercase)
    {
        let env = match seg.as_str() {
            "prod" | "production" | "prd" | "live" => "prod",
            "staging" | "stage" | "stg" | "preprod" => "staging",
            "dev" | "development" | "local" => "dev",
            "test" | "tests" | "testing" | "qa" => "test",
            _ => continue,
        };
        return Some(env);
    }
    None
}

/// Groups findings into credentials, sets each finding's `status` and `owner`, and computes the
/// metrics. Owners come from the inventory, else CODEOWNERS (by the first location's path), else the
/// introducing commit's author (history scans).
///
/// ```
/// use leakhound_core::{credentials, CodeOwners, Date, Inventory, Scanner, Status};
///
/// let scanner = Scanner::with_default_rules();
/// let text = b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"; // leakhound:allow (documentation token)
/// let mut findings = scanner.scan_bytes("deploy/prod/app.env", text);
/// findings.extend(scanner.scan_bytes("deploy/staging/app.env", text));
/// let owners = CodeOwners::parse("/deploy/ @org/platform\n");
/// let (creds, gov) = credentials::link(&mut findings, &Inventory::default(), &owners, Date::today());
/// assert_eq!(creds.len(), 1);
/// assert!(creds[0].cross_environment);
/// assert_eq!(findings[0].status, Some(Status::UnknownOrigin));
/// assert_eq!(gov.unknown_origin, 1);
/// ```
pub fn link(
    findings: &mut [Finding],
    inventory: &Inventory,
    owners: &CodeOwners,
    today: Date,
) -> (Vec<Credential>, Governance) {
    link_at(findings, inventory, owners, today, &|f| f.path.clone())
}

/// [`link`], with CODEOWNERS patterns and path environments matched against `path_of(finding)`: the
/// path relative to the repository root, whatever the displayed path looks like (`/abs/repo/svc/x`,
/// `../repo/svc/x`). A finding without a path (a commit message) has no CODEOWNERS owner.
pub fn link_at(
    findings: &mut [Finding],
    inventory: &Inventory,
    owners: &CodeOwners,
    today: Date,
    path_of: &dyn Fn(&Finding) -> String,
) -> (Vec<Credential>, Governance) {
    let rel: Vec<String> = findings.iter().map(path_of).collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        groups.entry(f.fingerprint.clone()).or_default().push(i);
    }
    let mut creds = Vec::with_capacity(groups.len());
    let mut gov = Governance::default();
    let mut exposures = Vec::new();
    let mut to_revoke = Vec::new();
    let mut with_expiry = 0usize;
    for (fp, idx) in groups {
        let entry = inventory.get(&fp);
        let status = match entry {
            None => Status::UnknownOrigin,
            Some(e) => match e.status {
                EntryStatus::Revoked => Status::RevokedStillPresent,
                EntryStatus::Honeytoken => Status::Honeytoken,
                EntryStatus::Active if e.expiry().is_some_and(|d| d < today) => Status::Expired,
                EntryStatus::Active => Status::Owned,
            },
        };
        let first = &findings[idx[0]];
        let owner = match entry {
            Some(e) => Some(Owner {
                team: e.owner.clone(),
                source: "inventory".into(),
            }),
            None => idx
                .iter()
                .filter(|&&i| !rel[i].is_empty())
                .find_map(|&i| owners.owners_of(&rel[i]))
                .map(|t| Owner {
                    team: t.to_owned(),
                    source: "codeowners".into(),
                })
                .or_else(|| {
                    idx.iter()
                        .find_map(|&i| findings[i].author.clone())
                        .map(|a| Owner {
                            team: a,
                            source: "author".into(),
                        })
                }),
        };
        let mut envs: BTreeSet<String> = idx
            .iter()
            .filter_map(|&i| environment_of_path(&rel[i]))
            .map(str::to_owned)
            .collect();
        if let Some(env) = entry.and_then(|e| e.environment.as_deref()) {
            envs.insert(environment_of_path(env).unwrap_or(env).to_owned());
        }
        let dates: Vec<&str> = idx
            .iter()
            .filter_map(|&i| findings[i].date.as_deref())
            .collect();
        let first_seen = dates.iter().min().map(|d| (*d).to_owned());
        let last_seen = dates.iter().max().map(|d| (*d).to_owned());
        if let Some(d) = first_seen.as_deref().and_then(Date::parse) {
            exposures.push(today.days() - d.days());
        }
        let revoked = entry.and_then(|e| e.revoked.clone());
        let exposed = first_seen
            .as_deref()
            .or_else(|| entry.and_then(|e| e.created.as_deref()))
            .and_then(Date::parse);
        let time_to_revoke_days = match (exposed, revoked.as_deref().and_then(Date::parse)) {
            (Some(from), Some(to)) if to.days() >= from.days() => Some(to.days() - from.days()),
            _ => None,
        };
        to_revoke.extend(time_to_revoke_days);
        let paths: BTreeSet<&str> = idx.iter().map(|&i| findings[i].path.as_str()).collect();
        let commits: BTreeSet<&str> = idx
            .iter()
            .filter_map(|&i| findings[i].commit.as_deref())
            .collect();
        let contexts: BTreeSet<Context> = idx.iter().map(|&i| findings[i].context).collect();
        let ai_agent = idx.iter().any(|&i| findings[i].surface.is_some());
        let cred = Credential {
            fingerprint: fp,
            rule: first.rule.clone(),
            status,
            owner: owner.clone(),
            purpose: entry.and_then(|e| e.purpose.clone()),
            expires: entry.and_then(|e| e.expires.clone()),
            revoked,
            time_to_revoke_days,
            details: first.details.clone(),
            locations: idx
                .iter()
                .map(|&i| {
                    let f = &findings[i];
                    Location {
                        path: f.path.clone(),
                        source: f.source.clone(),
                        line: f.line,
                        column: f.column,
                        commit: f.commit.clone(),
                        author: f.author.clone(),
                        date: f.date.clone(),
                    }
                })
                .collect(),
            first_seen,
            last_seen,
            paths: paths.len(),
            commits: commits.len(),
            cross_environment: envs.len() > 1,
            environments: envs.into_iter().collect(),
            contexts: contexts.into_iter().collect(),
            ai_agent,
            liveness: None,
        };
        with_expiry += usize::from(entry.is_some_and(|e| e.expires.is_some()));
        gov.credentials += 1;
        match status {
            Status::Owned => gov.owned += 1,
            Status::Expired => gov.expired += 1,
            Status::RevokedStillPresent => gov.revoked_still_present += 1,
            Status::Honeytoken => gov.honeytokens += 1,
            Status::UnknownOrigin | Status::LiveUnowned => gov.unknown_origin += 1,
            Status::RevokedButLive => gov.revoked_still_present += 1,
        }
        gov.cross_environment += usize::from(cred.cross_environment);
        gov.handed_to_agents += usize::from(cred.ai_agent);
        for &i in &idx {
            findings[i].status = Some(status);
            findings[i].owner = owner.clone();
        }
        creds.push(cred);
    }
    let pct = |n: usize| {
        if gov.credentials == 0 {
            0.0
        } else {
            (n as f64 * 1000.0 / gov.credentials as f64).round() / 10.0
        }
    };
    gov.owned_pct = pct(gov.owned);
    gov.with_expiry_pct = pct(with_expiry);
    gov.median_exposure_days = median(exposures);
    gov.median_time_to_revoke_days = median(to_revoke);
    (creds, gov)
}

/// The median, the mean of the middle two rounded down for an even count; `None` for none.
fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

/// Applies what the providers said (`results`, keyed by fingerprint) to the credentials and their
/// findings: each gets its `liveness`; a `live` answer moves `unknown-origin` to `live-unowned` and
/// `revoked-still-present` to `revoked-but-live` (`dead` and `unknown` move nothing); governance gets
/// its `liveness` counts (absent when nothing was validated) and its median time to revoke, which
/// leaves out the revocations a provider contradicts.
///
/// A credential absent from `results` keeps what it had. Idempotent: applying the same results again
/// changes nothing, and applying newer ones moves statuses from the inventory's again (a key found
/// live, then dead, is `unknown-origin` again). The inventory counts of governance (`unknown_origin`,
/// `revoked_still_present`) are not changed: they count live ones too.
///
/// ```
/// use std::collections::BTreeMap;
/// use leakhound_core::{credentials, CodeOwners, Date, Inventory, LiveStatus, Liveness, Scanner, Status};
///
/// let mut findings = Scanner::with_default_rules().scan_bytes("app.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"); // leakhound:allow (documentation token)
/// let (mut creds, mut gov) = credentials::link(&mut findings, &Inventory::default(), &CodeOwners::default(), Date::today());
/// let mut live = Liveness::new(LiveStatus::Live, "2026-03-01T10:00:00Z".into(), None);
/// live.identity = Some("octo-dev".into());
/// let results = BTreeMap::from([(creds[0].fingerprint.clone(), live)]);
/// credentials::apply_liveness(&mut findings, &mut creds, &mut gov, &results);
/// assert_eq!(creds[0].status, Status::LiveUnowned);
/// assert_eq!(findings[0].status, Some(Status::LiveUnowned));
/// assert_eq!(gov.liveness.as_ref().unwrap().live_unowned, 1);
/// assert_eq!(gov.unknown_origin, 1);
/// ```
pub fn apply_liveness(
    findings: &mut [Finding],
    creds: &mut [Credential],
    gov: &mut Governance,
    results: &BTreeMap<String, Liveness>,
) {
    let is_live = |l: Option<&Liveness>| l.is_some_and(|l| l.status == LiveStatus::Live);
    for c in creds.iter_mut() {
        if let Some(l) = results.get(&c.fingerprint) {
            c.liveness = Some(l.clone());
        }
        c.status = c.status.with_live(is_live(c.liveness.as_ref()));
    }
    let by_fingerprint: BTreeMap<&str, &Credential> =
        creds.iter().map(|c| (c.fingerprint.as_str(), c)).collect();
    for f in findings.iter_mut() {
        match by_fingerprint.get(f.fingerprint.as_str()) {
            Some(c) => {
                f.liveness = c.liveness.clone();
                f.status = Some(c.status);
            }
            // Not linked (no credential of its own): it still carries what its provider said.
            None => {
                if let Some(l) = results.get(&f.fingerprint) {
                    f.liveness = Some(l.clone());
                }
                let live = is_live(f.liveness.as_ref());
                f.status = f.status.map(|s| s.with_live(live));
            }
        }
    }
    let mut counts = LivenessCounts::default();
    for c in creds.iter() {
        let Some(l) = &c.liveness else { continue };
        counts.checked += 1;
        match l.status {
            LiveStatus::Live => counts.live += 1,
            LiveStatus::Dead => counts.dead += 1,
            LiveStatus::Unknown => counts.unknown += 1,
        }
        counts.live_unowned += usize::from(c.status == Status::LiveUnowned);
        counts.revoked_but_live += usize::from(c.status == Status::RevokedButLive);
    }
    gov.liveness = (counts.checked > 0).then_some(counts);
    gov.median_time_to_revoke_days = median(
        creds
            .iter()
            .filter(|c| c.status != Status::RevokedButLive)
            .filter_map(|c| c.time_to_revoke_days)
            .collect(),
    );
}
