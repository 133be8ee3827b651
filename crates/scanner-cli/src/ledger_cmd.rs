//! `--ledger` on `scan` (record the run after its report is written) and `leakhound report`.

use std::io::{self, Write as _};
use std::process::ExitCode;

use anyhow::{bail, Context as _};

use crate::args::{LedgerArgs, ReportArgs, ReportFormat};

/// Records the scan's run in the ledger the arguments name, after its report was written. A ledger
/// that cannot be used is one line on stderr and exit code 2 (`Some`): the report is out already.
#[cfg(feature = "ledger")]
pub fn record(
    a: &LedgerArgs,
    report: &leakhound_core::session::Report,
    fingerprint_kind: &str,
    quiet: bool,
) -> Option<ExitCode> {
    use leakhound_core::ledger::{Ledger, LedgerUrl, RunRecord};
    let url = a.ledger.as_deref()?;
    let started = std::time::Instant::now();
    let result = (|| -> anyhow::Result<_> {
        let url: LedgerUrl = url.parse()?;
        let mut run = RunRecord::from_report(report, fingerprint_kind)?;
        run.run_key = a.ledger_run_key.clone();
        let mut ledger = Ledger::open(&url)?;
        Ok((ledger.record(&run)?, url))
    })();
    match result {
        Ok((done, url)) => {
            if !quiet {
                eprintln!(
                    "leakhound: ledger: run {} recorded in {url} ({} sightings{}, {:.3} s)",
                    done.run_id,
                    done.sightings,
                    if done.replaced {
                        ", replacing the run with the same key"
                    } else {
                        ""
                    },
                    started.elapsed().as_secs_f64()
                );
            }
            None
        }
        Err(e) => {
            eprintln!("leakhound: error: {}", crate::one_line(&e));
            Some(ExitCode::from(2))
        }
    }
}

/// Without ledger support: `--ledger` is an error (after the report, like any ledger failure).
#[cfg(not(feature = "ledger"))]
pub fn record(
    a: &LedgerArgs,
    _report: &leakhound_core::session::Report,
    _fingerprint_kind: &str,
    _quiet: bool,
) -> Option<ExitCode> {
    a.ledger.as_ref()?;
    eprintln!("leakhound: error: --ledger: this leakhound was built without the `ledger` feature");
    Some(ExitCode::from(2))
}

/// `leakhound report`.
#[cfg(feature = "ledger")]
pub fn report(a: ReportArgs) -> anyhow::Result<ExitCode> {
    use leakhound_core::ledger::{render, Filters, Ledger, LedgerUrl};
    use leakhound_core::Date;
    let url: LedgerUrl = match &a.ledger {
        Some(u) => u.parse()?,
        None => LedgerUrl::default_sqlite()?,
    };
    for (flag, value) in [("--since", &a.since), ("--today", &a.today)] {
        if let Some(v) = value {
            if Date::parse(v).is_none() {
                bail!("{flag} {v:?}: not a date (YYYY-MM-DD)");
            }
        }
    }
    let today = a
        .today
        .as_deref()
        .and_then(Date::parse)
        .unwrap_or_else(Date::today);
    let filters = Filters {
        since: a.since.clone(),
        repo: a.repo.clone(),
        owner: a.owner.clone(),
    };
    let format = a.format.unwrap_or_else(|| {
        let ext = a
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("html" | "htm") => ReportFormat::Html,
            Some("json") => ReportFormat::Json,
            _ => ReportFormat::Markdown,
        }
    });
    let report = Ledger::open_existing(&url)?.report(&filters, today)?;
    let text = match format {
        ReportFormat::Html => render::html(&report),
        ReportFormat::Markdown => render::markdown(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    match &a.output {
        Some(path) => {
            // Written next to its final name, then renamed: a dashboard serving the file never reads
            // half a report.
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(std::path::Path::new(".")))
                .with_context(|| format!("{}: cannot create", path.display()))?;
            tmp.write_all(text.as_bytes())
                .with_context(|| format!("{}: cannot write", path.display()))?;
            tmp.persist(path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
        }
        None => io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Without ledger support.
#[cfg(not(feature = "ledger"))]
pub fn report(_a: ReportArgs) -> anyhow::Result<ExitCode> {
    bail!("report: this leakhound was built without the `ledger` feature")
}
