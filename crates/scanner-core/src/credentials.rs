//! Unique credentials and their governance: findings grouped by fingerprint, linked to the inventory and
//! to owners, given a status, and counted into the metrics a security team tracks.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::context::Context;
use crate::date::Date;
use crate::finding::{Finding, Owner};
use crate::inventory::{EntryStatus, Inventory};
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

/// The governance metrics of `summary.governance`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Governance {
    /// Unique credentials.
    pub credentials: usize,
    /// Owned (in the inventory, active, not expired).
    pub owned: usize,
    /// Expired.
    pub expired: usize,
    /// Revoked but still present.
    pub revoked_still_present: usize,
    /// Honeytokens.
    pub honeytokens: usize,
    /// Not in the inventory.
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
            Status::UnknownOrigin => gov.unknown_origin += 1,
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
    if !exposures.is_empty() {
        exposures.sort_unstable();
        let n = exposures.len();
        gov.median_exposure_days = Some(if n % 2 == 1 {
            exposures[n / 2]
        } else {
            (exposures[n / 2 - 1] + exposures[n / 2]) / 2
        });
    }
    (creds, gov)
}
