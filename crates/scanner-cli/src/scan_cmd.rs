//! `leakhound scan` and `leakhound baseline create`: arguments → a [`ScanSession`] → the report in the
//! chosen format → exit code.

use std::fs::File;
use std::io::{self, BufWriter, Read as _, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use leakhound_core::config::parse_contexts;
use leakhound_core::credentials::FailOn;
use leakhound_core::report::{self, human};
use leakhound_core::session::{Report, ScanSession, Verdict};
use leakhound_core::{Baseline, FingerprintKey, FingerprintNote, Progress, RuleWarning};

use crate::args::{Format, ScanArgs};

/// Whether the environment is a CI job (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The session the arguments describe; `repo`, for one repository of `--repos`, replaces the paths.
pub(crate) fn session(a: &ScanArgs, key: &Key, repo: Option<&Path>) -> anyhow::Result<ScanSession> {
    let key_flag = key.from_flag;
    let first = repo
        .map(Path::to_path_buf)
        .or_else(|| a.paths.first().cloned())
        .unwrap_or_else(|| PathBuf::from("."));
    let stdin = a.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && (a.history || a.staged) {
        bail!("`-` (standard input) is not a repository: --history and --staged scan one");
    }
    // The hooks' sessions read the environment's key; `key` (the flag's, else the same) replaces it
    // below. With the flag, a broken environment is not the hooks' to refuse.
    let session = if let Some(file) = &a.commit_msg {
        match key_flag {
            false => leakhound_hook::commit_msg(&first, file)?,
            true => ScanSession::commit_message(&first, file),
        }
    } else if a.staged {
        match key_flag {
            false => leakhound_hook::pre_commit(&first)?,
            true => ScanSession::staged(&first),
        }
    } else if a.history {
        let session = ScanSession::history(&first)
            .with_range(a.range.clone())
            .with_since_commit(a.since_commit.as_deref())
            .with_incremental(a.incremental)
            .with_incremental_state(a.incremental_state.clone())
            .with_allow_partial(a.allow_partial);
        match progress_bar().filter(|_| !a.quiet) {
            Some(bar) => session.with_progress(progress(bar)),
            None => session,
        }
    } else if stdin {
        if a.paths.len() > 1 {
            bail!("`-` (standard input) cannot be scanned together with other paths");
        }
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("standard input: cannot read")?;
        ScanSession::bytes(a.stdin_name.clone(), bytes)
    } else {
        ScanSession::paths(&a.paths)
    };
    configure(session, a, key)
}

/// The command line's options on a session, whatever its source: rules, configs, baseline, inventory,
/// policy, limits, validation, the fingerprint key.
pub(crate) fn configure(
    session: ScanSession,
    a: &ScanArgs,
    key: &Key,
) -> anyhow::Result<ScanSession> {
    let fail_on = FailOn::parse_list(a.fail_on.iter().map(String::as_str))
        .map_err(|m| anyhow::anyhow!("--fail-on: {m}"))?;
    let fail_on_context = match a.fail_on_context.is_empty() {
        true => None,
        false => Some(
            parse_contexts(a.fail_on_context.iter().map(String::as_str))
                .map_err(|m| anyhow::anyhow!("--fail-on-context: {m}"))?,
        ),
    };
    #[cfg(feature = "validate")]
    let session = session.with_validation(crate::validate_cmd::options(&a.validate, a.quiet)?);
    #[cfg(not(feature = "validate"))]
    crate::validate_cmd::options(&a.validate, a.quiet)?;
    Ok(session
        .with_default_rules(!a.no_default_rules)
        .with_rule_files(a.rules.iter().cloned())
        .with_config(a.config.clone())
        .with_repo_config(!a.no_repo_config)
        .with_baseline(a.baseline.clone())
        .with_inventory(a.inventory.clone())
        .with_fail_on_any(fail_on)
        .with_fail_on_context(fail_on_context)
        .with_threads(a.threads)
        .with_max_file_size(a.max_file_size)
        .with_max_findings_per_file(a.max_findings_per_file)
        .with_mmap_threshold(a.mmap_threshold)
        .with_ignore_files(!a.no_ignore)
        .with_follow_links(a.follow)
        .with_fingerprint_key(key.key.clone()))
}

/// Says once when --threads asks for more than the machine can use.
pub(crate) fn thread_note(a: &ScanArgs) {
    let threads = leakhound_core::effective_threads(a.threads);
    if a.threads > threads && !a.quiet {
        eprintln!(
            "leakhound: note: --threads {} is more than this machine can use: {threads} (four per core)",
            a.threads
        );
    }
}

/// The fingerprint key a command runs with, and whether `--fingerprint-key-file` gave it.
pub struct Key {
    /// The key (`None`: plain fingerprints).
    pub key: Option<FingerprintKey>,
    /// Given by the flag rather than the environment.
    pub from_flag: bool,
}

pub fn run(a: ScanArgs, key: Key) -> anyhow::Result<ExitCode> {
    if a.repos.is_some() {
        return crate::repos_cmd::scan(a, key);
    }
    thread_note(&a);
    let mut recorder = crate::ledger_cmd::Recorder::new(&a.ledger);
    let mut session = session(&a, &key, None)?;
    if let Some(repo) = ledger_state_for(&a, &recorder) {
        let identity = leakhound_core::repos::identity(&repo);
        session = session.with_incremental_state_bytes(recorder.history_state(&identity, None)?);
    }
    let mut report = session.run()?;
    print_rule_warnings(&report.rule_warnings);
    print_fingerprint_notes(&report.fingerprint_notes, a.quiet);
    #[cfg(feature = "validate")]
    if let Some(v) = &report.validation {
        crate::validate_cmd::warn(v, a.quiet);
    }
    // The hook's message is always redacted: it is read over a shoulder and pasted into chats.
    // CI formats end up in public logs and dashboards: redacted unless asked otherwise, explicitly.
    let ci_format = matches!(a.format, Format::Sarif | Format::Github | Format::Gitlab);
    if !a.no_redact && (a.redact || a.format == Format::Human || ci_format || in_ci()) {
        report.redact();
    }
    emit(&a, &report)?;
    // The ledger last: its failure is exit code 2, but the report above is written whatever happens.
    if let Some(code) = recorder.record(&report, &fingerprint_kind(&key), None, a.quiet) {
        return Ok(code);
    }
    Ok(exit_code(report.verdict()))
}

/// A verdict's exit code: 0 clean, 1 findings, 2 input lost.
fn exit_code(v: Verdict) -> ExitCode {
    match v {
        Verdict::Incomplete => ExitCode::from(2),
        Verdict::Findings => ExitCode::from(1),
        Verdict::Clean => ExitCode::SUCCESS,
    }
}

/// The repository whose `--incremental` state the ledger keeps: a history scan with `--incremental`
/// and `--ledger`, without `--incremental-state` (a file named on the command line wins).
pub(crate) fn ledger_state_for(
    a: &ScanArgs,
    recorder: &crate::ledger_cmd::Recorder,
) -> Option<PathBuf> {
    (a.history && a.incremental && a.incremental_state.is_none() && recorder.is_on()).then(|| {
        a.paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."))
    })
}

/// The kind of fingerprints a run holds, as a ledger records it: `sha256`, or `hmac-sha256:<key id>`
/// (two keys make two kinds: their fingerprints never match).
pub(crate) fn fingerprint_kind(key: &Key) -> String {
    match &key.key {
        Some(k) => format!("hmac-sha256:{}", k.id()),
        None => "sha256".to_string(),
    }
}

/// `leakhound baseline create`: the same scan, every finding recorded as accepted.
pub fn create_baseline(a: ScanArgs, output: &Path, key: Key) -> anyhow::Result<ExitCode> {
    if a.repos.is_some() {
        bail!("--repos: a baseline belongs to one repository (create one per repository)");
    }
    thread_note(&a);
    let session = session(&a, &key, None)?;
    let scanned = session.collect()?;
    let kind = fingerprint_kind(&key);
    let key = key.key;
    print_rule_warnings(&scanned.rule_warnings);
    // What is accepted depends on what the repository's config let through: say it here too.
    human::config_warnings(&mut io::stderr(), &scanned.config_changes)?;
    // Entries are recorded relative to the repository root, however the path was spelled, so that
    // every later scan (and the hook) matches them.
    let baseline = Baseline::from_findings_at(&scanned.findings, &|f| scanned.root_relative(f))
        .keyed_by(key.as_ref());
    baseline.save(output)?;
    let stats = scanned.stats.scan();
    if !a.quiet {
        writeln!(
            io::stderr(),
            "leakhound: recorded {} accepted findings ({} files scanned, {} fingerprints) in {}",
            baseline.entries.len(),
            stats.files,
            if key.is_some() {
                "hmac-sha256"
            } else {
                "sha256"
            },
            output.display()
        )?;
    }
    let incomplete = stats.had_errors();
    // With --ledger, the scan is a run like any other: what was accepted is recorded as seen.
    if a.ledger.ledger.is_some() {
        let report = session.settle(scanned)?;
        let mut recorder = crate::ledger_cmd::Recorder::new(&a.ledger);
        if let Some(code) = recorder.record(&report, &kind, None, a.quiet) {
            return Ok(code);
        }
    }
    Ok(ExitCode::from(if incomplete { 2 } else { 0 }))
}

/// Object counts and throughput on the progress bar.
fn progress(bar: indicatif::ProgressBar) -> impl Fn(Progress) + Send + Sync + 'static {
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let started = std::time::Instant::now();
    move |p| match p {
        Progress::Objects(n) => bar.set_length(n),
        Progress::Decoded { objects, bytes: b } => {
            let total = bytes.fetch_add(b, std::sync::atomic::Ordering::Relaxed) + b;
            bar.inc(objects);
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{:.0} MB scanned, {:.0} MB/s",
                total as f64 / 1e6,
                total as f64 / 1e6 / secs
            ));
        }
        Progress::Attributing => bar.set_message("finding the commits that introduced each secret"),
    }
}

/// An object-count progress bar on stderr, only for a person at a terminal: never on a pipe or in CI.
/// It clears itself when the scan drops it.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if !io::stderr().is_terminal() || in_ci() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {pos}/{len} objects · {msg} · eta {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar.with_finish(indicatif::ProgressFinish::AndClear))
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC), the form GitLab's report schema asks for.
fn timestamp(t: std::time::SystemTime) -> String {
    let t = jiff::Timestamp::try_from(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Warnings, the report in the chosen format: the same for every source.
pub(crate) fn emit(a: &ScanArgs, report: &Report) -> anyhow::Result<()> {
    let findings = &report.findings[..];
    let stats = report.scan_stats();
    let mut stderr = anstream::stderr();
    // A repository's own config can switch detection off: said every time, except by the hook.
    let changes = (!a.staged).then_some(&report.config_changes[..]);
    human::diagnostics(
        &mut stderr,
        &report.stats,
        changes,
        &report.stale_baseline,
        a.quiet,
    )?;
    let to_file = a.output.is_some();
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(create_private(p)?)),
        None => Box::new(anstream::AutoStream::auto(io::stdout().lock())),
    };
    let summary = |w: &mut dyn Write| match a.quiet {
        true => Ok(()),
        false => human::stats_summary(w, findings, &report.stats),
    };
    match a.format {
        Format::Human if a.staged => human::blocking(&mut stderr, findings)?,
        Format::Human if a.commit_msg.is_some() => human::blocking_message(
            &mut stderr,
            findings,
            a.commit_msg.as_deref().expect("the guard checked it"),
        )?,
        Format::Human => {
            human::findings(&mut out, findings, !to_file)?;
            human::credentials(&mut out, &report.credentials, !to_file)?;
            summary(&mut stderr)?;
            if !a.quiet {
                human::governance(&mut stderr, &report.governance)?;
            }
        }
        Format::Json => {
            report::write_json(&mut out, findings, &report.credentials, &report.summary())?
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &report::sarif::build(findings))?;
            writeln!(out)?;
        }
        Format::Github => {
            out.write_all(report::ci::github_annotations(findings).as_bytes())?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .with_context(|| {
                        format!(
                            "{}: cannot write the job summary",
                            Path::new(&path).display()
                        )
                    })?;
                f.write_all(
                    report::ci::github_step_summary(findings, &report.credentials).as_bytes(),
                )?;
            }
            summary(&mut stderr)?;
        }
        Format::Gitlab => {
            let finished = std::time::SystemTime::now();
            let started = finished - stats.elapsed;
            let report =
                report::ci::gitlab_report(findings, &timestamp(started), &timestamp(finished));
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            report::write_jsonl(&mut out, findings)?;
            summary(&mut stderr)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Opens a report file for writing. A new file is created readable by its owner only (0600): a report
/// written with --no-redact holds secrets, and one written redacted still names where they are. An
/// existing file is truncated and keeps its mode: whoever set it meant it.
pub(crate) fn create_private(path: &Path) -> anyhow::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)
        .with_context(|| format!("{}: cannot create", path.display()))
}

/// What the scan noticed about the kind of fingerprints the inventory and baseline hold, on stderr: a
/// file whose entries cannot match is a warning (always said); plain entries read under a key are a
/// note, with the keyed fingerprint each matched entry stands for (what to write in its place).
pub fn print_fingerprint_notes(notes: &[FingerprintNote], quiet: bool) {
    let mut err = io::stderr().lock();
    for n in notes {
        let _ = match n {
            FingerprintNote::PlainUnderKey { rekeyed, .. } if !quiet => {
                let _ = writeln!(err, "leakhound: note: {n}");
                rekeyed
                    .iter()
                    .try_for_each(|(plain, keyed)| writeln!(err, "  {plain} is now {keyed}"))
            }
            FingerprintNote::PlainUnderKey { .. } => Ok(()),
            _ => writeln!(err, "leakhound: warning: {n}"),
        };
    }
}

/// Warnings about rule files and configs, on stderr.
pub fn print_rule_warnings(warnings: &[RuleWarning]) {
    let _ = human::rule_warnings(&mut io::stderr().lock(), warnings);
}
