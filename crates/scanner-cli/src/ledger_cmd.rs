//! `--ledger` on `scan` (record the run after its report is written) and `leakhound report`.

use std::process::ExitCode;

use anyhow::bail;

use crate::args::{LedgerArgs, ReportArgs};

/// The ledger a scan records its runs in (`--ledger`), opened on first use and kept open across the
/// repositories of `--repos`; a connection that failed is opened again for the next run.
pub struct Recorder {
    url: Option<String>,
    #[cfg_attr(not(feature = "ledger"), allow(dead_code))]
    run_key: Option<String>,
    #[cfg(feature = "ledger")]
    ledger: Option<leakhound_core::ledger::Ledger>,
}

impl Recorder {
    pub fn new(a: &LedgerArgs) -> Recorder {
        Recorder {
            url: a.ledger.clone(),
            run_key: a.ledger_run_key.clone(),
            #[cfg(feature = "ledger")]
            ledger: None,
        }
    }

    /// Whether runs are recorded.
    pub fn is_on(&self) -> bool {
        self.url.is_some()
    }

    #[cfg(feature = "ledger")]
    fn ledger(&mut self) -> anyhow::Result<&mut leakhound_core::ledger::Ledger> {
        use leakhound_core::ledger::{Ledger, LedgerUrl};
        let url: LedgerUrl = match &self.url {
            Some(u) => u.parse()?,
            None => bail!("no --ledger"),
        };
        match &mut self.ledger {
            Some(l) => Ok(l),
            slot => Ok(slot.insert(Ledger::open(&url)?)),
        }
    }

    /// The run key a run is recorded under: `KEY`, or `KEY:IDENTITY` for a repository of `--repos`.
    #[cfg_attr(not(feature = "ledger"), allow(dead_code))]
    fn run_key(&self, repo_key: Option<&str>) -> Option<String> {
        match (&self.run_key, repo_key) {
            (Some(k), Some(repo)) => Some(format!("{k}:{repo}")),
            (k, _) => k.clone(),
        }
    }

    /// Opens the ledger now (an unreachable one is an error before any scanning).
    #[cfg(feature = "ledger")]
    pub fn connect(&mut self) -> anyhow::Result<()> {
        self.ledger().map(|_| ())
    }

    /// Without ledger support.
    #[cfg(not(feature = "ledger"))]
    pub fn connect(&mut self) -> anyhow::Result<()> {
        bail!("--ledger: this leakhound was built without the `ledger` feature")
    }

    /// The `--incremental` state the ledger keeps for the repository of this identity (empty when
    /// there is none yet), without what an earlier run under this run's key added (this run replaces
    /// it). `repo_key` as for [`Recorder::record`].
    #[cfg(feature = "ledger")]
    pub fn history_state(
        &mut self,
        identity: &str,
        repo_key: Option<&str>,
    ) -> anyhow::Result<Vec<u8>> {
        let key = self.run_key(repo_key);
        let out = self.ledger()?.history_state(identity, key.as_deref());
        if out.is_err() {
            self.ledger = None;
        }
        Ok(out?.unwrap_or_default())
    }

    /// Without ledger support there is no state to read.
    #[cfg(not(feature = "ledger"))]
    pub fn history_state(
        &mut self,
        _identity: &str,
        _repo_key: Option<&str>,
    ) -> anyhow::Result<Vec<u8>> {
        bail!("--ledger: this leakhound was built without the `ledger` feature")
    }

    /// Records the scan's run, after its report was written. `repo_key`, for one repository of
    /// `--repos`, makes the run key `KEY:IDENTITY`. A ledger that cannot be used is one line on
    /// stderr and exit code 2 (`Some`): the report is out already.
    #[cfg(feature = "ledger")]
    pub fn record(
        &mut self,
        report: &leakhound_core::session::Report,
        fingerprint_kind: &str,
        repo_key: Option<&str>,
        quiet: bool,
    ) -> Option<ExitCode> {
        use leakhound_core::ledger::RunRecord;
        self.url.as_ref()?;
        let started = std::time::Instant::now();
        let run_key = self.run_key(repo_key);
        let result = (|| -> anyhow::Result<_> {
            let mut run = RunRecord::from_report(report, fingerprint_kind)?;
            run.run_key = run_key;
            let ledger = self.ledger()?;
            Ok((ledger.record(&run)?, ledger.url().to_string()))
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
                // The connection may be what failed: the next run opens it again.
                self.ledger = None;
                eprintln!("leakhound: error: {}", crate::one_line(&e));
                Some(ExitCode::from(2))
            }
        }
    }

    /// Records a repository of `--repos` that could not be scanned as an incomplete run without
    /// sightings, so that the ledger (and the report's repositories) show that it was not read.
    #[cfg(feature = "ledger")]
    pub fn record_failure(&mut self, identity: &str, fingerprint_kind: &str, quiet: bool) {
        use leakhound_core::ledger::RunRecord;
        if self.url.is_none() {
            return;
        }
        let mut run = RunRecord::unscanned(identity, fingerprint_kind);
        run.run_key = self.run_key(Some(identity));
        let result = self.ledger().and_then(|l| Ok(l.record(&run)?));
        match result {
            Ok(done) if !quiet => eprintln!(
                "leakhound: ledger: run {} recorded: {identity} was not scanned",
                done.run_id
            ),
            Ok(_) => {}
            Err(e) => {
                self.ledger = None;
                eprintln!("leakhound: error: {}", crate::one_line(&e));
            }
        }
    }

    /// Without ledger support there is nothing to record.
    #[cfg(not(feature = "ledger"))]
    pub fn record_failure(&mut self, _identity: &str, _fingerprint_kind: &str, _quiet: bool) {}

    /// Without ledger support: `--ledger` is an error (after the report, like any ledger failure).
    #[cfg(not(feature = "ledger"))]
    pub fn record(
        &mut self,
        _report: &leakhound_core::session::Report,
        _fingerprint_kind: &str,
        _repo_key: Option<&str>,
        _quiet: bool,
    ) -> Option<ExitCode> {
        self.url.as_ref()?;
        eprintln!(
            "leakhound: error: --ledger: this leakhound was built without the `ledger` feature"
        );
        Some(ExitCode::from(2))
    }
}

/// `leakhound report`.
#[cfg(feature = "ledger")]
pub fn report(a: ReportArgs) -> anyhow::Result<ExitCode> {
    use crate::args::ReportFormat;
    use anyhow::Context as _;
    use leakhound_core::ledger::{render, Filters, Ledger, LedgerUrl};
    use leakhound_core::Date;
    use std::io::{self, Write as _};
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
