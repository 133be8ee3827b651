//! `leakhound inventory add|list|check`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use leakhound_core::inventory::{add_entry, Attention, EntryStatus};
use leakhound_core::report::read::{read, List};
use leakhound_core::{
    fingerprint, parse_fingerprint, Date, FingerprintKey, FingerprintKind, Inventory,
    InventoryEntry, Status,
};

use leakhound_core::session::{repo_root, ScanSession, INVENTORY_FILE};

use crate::args::{InventoryAddArgs, InventoryCommand};

fn default_path(explicit: Option<PathBuf>) -> PathBuf {
    explicit.unwrap_or_else(|| repo_root(Path::new(".")).join(INVENTORY_FILE))
}

pub fn run(c: InventoryCommand, key: Option<FingerprintKey>) -> anyhow::Result<ExitCode> {
    match c {
        InventoryCommand::Add(a) => add(a),
        InventoryCommand::List { inventory } => list(&default_path(inventory)),
        InventoryCommand::Check {
            inventory,
            within,
            report,
        } => check(&default_path(inventory), within, report.as_deref(), key),
    }
}

fn add(a: InventoryAddArgs) -> anyhow::Result<ExitCode> {
    let path = default_path(a.inventory.clone());
    let Some(status) = EntryStatus::parse(&a.status) else {
        bail!(
            "--status: {:?} is not active, revoked or honeytoken",
            a.status
        );
    };
    for (flag, v) in [("--expires", &a.expires), ("--created", &a.created)] {
        if let Some(d) = v {
            if Date::parse(d).is_none() || d.len() != 10 {
                bail!("{flag}: {d:?} is not a date (YYYY-MM-DD)");
            }
        }
    }
    let existing = if path.exists() {
        Inventory::load(&path)?
    } else {
        Inventory::default()
    };
    let fingerprints: Vec<String> = match (&a.fingerprint, &a.from_report) {
        (Some(fp), _) => vec![parse_fingerprint(fp).map_err(|why| {
            anyhow::anyhow!(
                "--fingerprint: {why}; take it from a report's `fingerprint` (if you pasted the \
                 secret itself, it is in your shell history now)"
            )
        })?],
        (None, Some(report)) => read(report, List::Credentials)?
            .into_iter()
            // The report may be older than the inventory: never take over a claimed credential.
            .filter(|c| {
                matches!(c.status, Some(Status::UnknownOrigin | Status::LiveUnowned))
                    && existing.get(&c.fingerprint).is_none()
            })
            .map(|c| c.fingerprint)
            .collect(),
        (None, None) => bail!("give --fingerprint or --from-report"),
    };
    for fp in &fingerprints {
        let entry = InventoryEntry {
            fingerprint: fp.clone(),
            owner: a.owner.clone(),
            purpose: a.purpose.clone(),
            environment: a.environment.clone(),
            created: a.created.clone(),
            expires: a.expires.clone(),
            status,
            revoked: None,
            ticket: a.ticket.clone(),
        };
        add_entry(&path, &entry)?;
    }
    writeln!(
        std::io::stderr(),
        "leakhound: {} entr{} for {} in {}",
        fingerprints.len(),
        if fingerprints.len() == 1 { "y" } else { "ies" },
        a.owner,
        path.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn list(path: &Path) -> anyhow::Result<ExitCode> {
    let inv = Inventory::load(path)?;
    let mut out = std::io::stdout().lock();
    for e in &inv.entries {
        let status = serde_json::to_value(e.status)?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        writeln!(
            out,
            "{}  {:<11} {:<20} {:<10} {:<8} expires {:<10}  {}",
            e.fingerprint,
            FingerprintKind::of(&e.fingerprint).map_or("?", FingerprintKind::as_str),
            e.owner,
            status,
            e.environment.as_deref().unwrap_or("-"),
            e.expires.as_deref().unwrap_or("never"),
            e.purpose.as_deref().unwrap_or("")
        )?;
    }
    writeln!(out, "{} entries", inv.entries.len())?;
    Ok(ExitCode::SUCCESS)
}

/// Expired and soon-expiring entries, and stale ones (no finding matches them). Exit 1 when any.
fn check(
    path: &Path,
    within: i64,
    report: Option<&Path>,
    key: Option<FingerprintKey>,
) -> anyhow::Result<ExitCode> {
    let inv = Inventory::load(path)?;
    let keyed = key.is_some();
    let found: Vec<String> = match report {
        Some(r) => read(r, List::Findings)?
            .into_iter()
            .map(|f| f.fingerprint)
            .collect(),
        None => {
            let root = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let scanned = ScanSession::paths([root])
                .with_fingerprint_key(key)
                .collect()?;
            crate::scan_cmd::print_rule_warnings(&scanned.rule_warnings);
            // Under a key, an entry still written in the plain form is matched by it too.
            let plain = scanned
                .findings
                .iter()
                .filter(|_| keyed)
                .map(|f| fingerprint(f.secret.as_bytes()));
            let mut found: Vec<String> = plain.collect();
            found.extend(scanned.findings.into_iter().map(|f| f.fingerprint));
            found
        }
    };
    // The kinds of entry the found fingerprints can judge: a scan under a key both (the plain form
    // is among them), one without only plain; a report those it holds (an empty one: any).
    let judged: Vec<FingerprintKind> = match report {
        Some(_) if !found.is_empty() => FingerprintKind::ALL
            .into_iter()
            .filter(|k| found.iter().any(|f| FingerprintKind::of(f) == Some(*k)))
            .collect(),
        None if !keyed => vec![FingerprintKind::Sha256],
        _ => FingerprintKind::ALL.to_vec(),
    };
    let mut out = std::io::stdout().lock();
    let mut due = inv.check(&found, Date::today(), within);
    // An entry of another kind than the scan's is not stale: nothing could have matched it.
    let before = due.len();
    due.retain(|a| match a {
        Attention::Stale { entry } => {
            FingerprintKind::of(&entry.fingerprint).is_some_and(|k| judged.contains(&k))
        }
        _ => true,
    });
    if due.len() < before {
        let why = match report {
            Some(r) => format!("{} holds only other fingerprints", r.display()),
            None => "no fingerprint key is set".to_owned(),
        };
        writeln!(
            std::io::stderr(),
            "leakhound: warning: {} entr{} of another fingerprint kind cannot be checked for \
             staleness: {why}",
            before - due.len(),
            if before - due.len() == 1 { "y" } else { "ies" },
        )?;
    }
    for a in &due {
        match a {
            Attention::Expired { entry: e, expiry, days } => writeln!(
                out,
                "expired        {} ({}) expired {expiry} ({days} days ago)",
                e.fingerprint, e.owner
            )?,
            Attention::Expiring { entry: e, expiry, days } => writeln!(
                out,
                "expiring       {} ({}) expires {expiry} (in {days} days)",
                e.fingerprint, e.owner
            )?,
            Attention::Stale { entry: e } => writeln!(out, "stale          {} ({}) matches no finding: revoke and remove the entry, or check the scan", e.fingerprint, e.owner)?,
        }
    }
    let problems = due.len();
    writeln!(out, "{} entries, {problems} to act on", inv.entries.len())?;
    Ok(if problems > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
