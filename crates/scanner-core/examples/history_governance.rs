//! A whole history scan through the session: the repository's inventory and CODEOWNERS applied,
//! each unique credential with its owner and status, the governance figures, the exit policy.
//!
//! `cargo run -p leakhound-core --example history_governance -- path/to/repo`
use std::process::ExitCode;

use leakhound_core::session::{ScanSession, Verdict};

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let repo = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    // leakhound-inventory.toml and CODEOWNERS are found at the repository's root.
    let mut report = ScanSession::history(&repo).with_incremental(false).run()?;
    report.redact();
    for c in &report.credentials {
        let owner = c.owner.as_ref().map_or("nobody", |o| o.team.as_str());
        let first = c.first_seen.as_deref().unwrap_or("-");
        println!(
            "{}  {:<28} {:<15} {owner:<16} first seen {first}",
            c.fingerprint,
            c.rule,
            c.status.as_str()
        );
    }
    for w in &report.scan_stats().warnings {
        eprintln!("not scanned: {}: {}", w.path, w.message);
    }
    let g = &report.governance;
    println!(
        "{} credentials: {:.0}% owned, {:.0}% with an expiry, {} expired, {} of unknown origin",
        g.credentials, g.owned_pct, g.with_expiry_pct, g.expired, g.unknown_origin
    );
    Ok(match report.verdict() {
        Verdict::Clean => ExitCode::SUCCESS,
        Verdict::Findings => ExitCode::from(1),
        Verdict::Incomplete => ExitCode::from(2),
    })
}
