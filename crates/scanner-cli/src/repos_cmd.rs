//! `leakhound scan --history --repos LIST [--shard I/N]` (an organisation's clones, one after
//! another, each a run of its own) and `leakhound repos` (what a shard holds, before cloning it).

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context as _};
use leakhound_core::report::{self, human};
use leakhound_core::repos::{RepoEntry, RepoList, Shard};
use leakhound_core::session::{Report, ScanSession, Verdict};

use crate::args::{Format, ReposArgs, ScanArgs};
use crate::ledger_cmd::Recorder;
use crate::scan_cmd::{self, Key};

/// `leakhound repos`: the entries of a list (or of one shard of it), as written.
pub fn list(a: ReposArgs) -> anyhow::Result<ExitCode> {
    let list = RepoList::read(&a.list)?;
    list_notes(&list, false);
    let mut out = io::stdout().lock();
    for e in list.shard(a.shard.unwrap_or(Shard::ALL)) {
        match a.identity {
            true => writeln!(out, "{}\t{}", e.identity, e.spec)?,
            false => writeln!(out, "{}", e.spec)?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What reading the list noticed: entries beside the clones (always said: not scanned), duplicates.
fn list_notes(list: &RepoList, quiet: bool) {
    // Said even when quiet: these were not scanned.
    for p in &list.not_directories {
        eprintln!(
            "leakhound: warning: {}: not a directory of a clone: not scanned",
            p.display()
        );
    }
    for (dup, first) in list.duplicates.iter().filter(|_| !quiet) {
        eprintln!(
            "leakhound: note: {}: the same repository as {first} ({}): listed once",
            dup.shown(),
            dup.identity
        );
    }
}

/// What the repositories of one command came to.
#[derive(Default)]
struct Tally {
    scanned: usize,
    failed: Vec<String>,
    incomplete: Vec<String>,
    with_findings: usize,
    findings: usize,
    fails: bool,
    files: u64,
    bytes: u64,
}

/// `scan --history --repos LIST`: every repository of the list (or of the shard), one after another,
/// each with all cores, each recorded as its own run; a repository that fails is named and counted
/// and the rest go on.
pub fn scan(a: ScanArgs, key: Key) -> anyhow::Result<ExitCode> {
    if matches!(a.format, Format::Sarif | Format::Github | Format::Gitlab) {
        bail!(
            "--format {}: describes one repository; with --repos use human, json or jsonl",
            format!("{:?}", a.format).to_ascii_lowercase()
        );
    }
    scan_cmd::thread_note(&a);
    // The command line's own inputs (rule files, config, baseline, inventory, policy) are checked
    // once, on nothing: an error there is the command's, not every repository's.
    scan_cmd::configure(
        ScanSession::bytes(String::from("<preflight>"), Vec::new()),
        &a,
        &key,
    )?
    .with_repo_config(false)
    .run()?;
    let list_path = a.repos.clone().context("--repos")?;
    let list = RepoList::read(&list_path)?;
    list_notes(&list, a.quiet);
    let shard = a.shard.unwrap_or(Shard::ALL);
    let mine: Vec<&RepoEntry> = list.shard(shard).collect();
    let mut recorder = Recorder::new(&a.ledger);
    // A ledger that cannot be reached is said before hours of scanning, not after.
    if recorder.is_on() {
        recorder.connect()?;
    }
    if !a.quiet {
        let of = match shard == Shard::ALL {
            true => String::new(),
            false => format!(" (shard {shard} of {})", list.entries.len()),
        };
        eprintln!(
            "leakhound: {} repositories to scan{of} from {}",
            mine.len(),
            list_path.display()
        );
    }
    let kind = scan_cmd::fingerprint_kind(&key);
    let redact = !a.no_redact && (a.redact || a.format == Format::Human || scan_cmd::in_ci());
    let to_file = a.output.is_some();
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(scan_cmd::create_private(p)?)),
        None => Box::new(anstream::AutoStream::auto(io::stdout().lock())),
    };
    let mut said = HashSet::new();
    let mut documents = Vec::new();
    let mut tally = Tally::default();
    let started = Instant::now();
    for (i, entry) in mine.iter().enumerate() {
        let label = format!("[{}/{}] {}", i + 1, mine.len(), entry.identity);
        let report = match scan_one(&a, &key, entry, &mut recorder) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("leakhound: error: {label}: {}", crate::one_line(&e));
                tally.failed.push(entry.shown());
                recorder.record_failure(&entry.identity, &kind, a.quiet);
                if a.format == Format::Json {
                    documents.push(serde_json::json!({
                        "repository": entry.identity,
                        "path": entry.shown(),
                        "error": crate::one_line(&e),
                    }));
                }
                continue;
            }
        };
        let mut report = report;
        warn_once(&report, &mut said, a.quiet);
        if redact {
            report.redact();
        }
        diagnostics(&report, &entry.identity, a.quiet)?;
        let stats = report.scan_stats();
        tally.scanned += 1;
        tally.files += stats.files;
        tally.bytes += stats.bytes;
        tally.findings += report.findings.len();
        tally.with_findings += usize::from(!report.findings.is_empty());
        match report.verdict() {
            Verdict::Incomplete => tally.incomplete.push(entry.shown()),
            Verdict::Findings => tally.fails = true,
            Verdict::Clean => {}
        }
        match a.format {
            Format::Human if !report.findings.is_empty() => {
                writeln!(out, "── {} ({})", entry.identity, entry.shown())?;
                human::findings(&mut out, &report.findings, !to_file)?;
                human::credentials(&mut out, &report.credentials, !to_file)?;
            }
            Format::Jsonl => {
                for f in &report.findings {
                    let mut v = serde_json::to_value(f)?;
                    if let Some(o) = v.as_object_mut() {
                        o.insert("repository".into(), entry.identity.clone().into());
                    }
                    serde_json::to_writer(&mut out, &v)?;
                    writeln!(out)?;
                }
            }
            Format::Json => {
                // The single-repository document, as a value, with the repository's name added.
                let mut v = serde_json::to_value(report::JsonReport {
                    findings: &report.findings,
                    credentials: &report.credentials,
                    summary: &report.summary(),
                })?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("repository".into(), entry.identity.clone().into());
                    o.insert("path".into(), entry.shown().into());
                }
                documents.push(v);
            }
            _ => {}
        }
        out.flush()?;
        if !a.quiet {
            eprintln!(
                "leakhound: {label}: {} findings, {} credentials · {} objects, {:.1} MB in {:.2} s",
                report.findings.len(),
                report.credentials.len(),
                stats.files,
                stats.bytes as f64 / 1e6,
                stats.elapsed.as_secs_f64()
            );
        }
        if recorder
            .record(&report, &kind, Some(&entry.identity), a.quiet)
            .is_some()
        {
            tally.failed.push(entry.shown());
        }
    }
    if a.format == Format::Json {
        let doc = serde_json::json!({
            "repositories": documents,
            "summary": {
                "shard": shard.to_string(),
                "listed": list.entries.len(),
                "repositories": mine.len(),
                "scanned": tally.scanned,
                "failed": tally.failed,
                "incomplete": tally.incomplete,
                "not_directories": list.not_directories,
                "findings": tally.findings,
                "repositories_with_findings": tally.with_findings,
                "files": tally.files,
                "bytes": tally.bytes,
                "elapsed_seconds": started.elapsed().as_secs_f64(),
            }
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    }
    out.flush()?;
    summary(
        &tally,
        mine.len(),
        list.not_directories.len(),
        started,
        a.quiet,
    );
    Ok(
        if !tally.failed.is_empty() || !tally.incomplete.is_empty() {
            ExitCode::from(2)
        } else if tally.fails {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// One repository: its clone checked, its session (with its incremental state from the ledger when
/// the ledger keeps it) run.
fn scan_one(
    a: &ScanArgs,
    key: &Key,
    entry: &RepoEntry,
    recorder: &mut Recorder,
) -> anyhow::Result<Report> {
    let path = entry.clone_path()?;
    let mut session = scan_cmd::session(a, key, Some(path))?;
    if a.incremental && recorder.is_on() {
        session = session.with_incremental_state_bytes(
            recorder.history_state(&entry.identity, Some(&entry.identity))?,
        );
    }
    Ok(session.run()?)
}

/// Rule, fingerprint and validation warnings, said once for the whole command (every repository
/// would repeat them).
fn warn_once(report: &Report, said: &mut HashSet<String>, quiet: bool) {
    let mut fresh = |text: String| said.insert(text);
    let rules: Vec<_> = report
        .rule_warnings
        .iter()
        .filter(|w| fresh(format!("{w:?}")))
        .cloned()
        .collect();
    scan_cmd::print_rule_warnings(&rules);
    let notes: Vec<_> = report
        .fingerprint_notes
        .iter()
        .filter(|n| fresh(n.to_string()))
        .cloned()
        .collect();
    scan_cmd::print_fingerprint_notes(&notes, quiet);
    #[cfg(feature = "validate")]
    if let Some(v) = &report.validation {
        crate::validate_cmd::warn(v, quiet);
    }
}

/// The repository's diagnostics (input lost or skipped, config changes), each line naming it.
fn diagnostics(report: &Report, identity: &str, quiet: bool) -> io::Result<()> {
    let mut buf = Vec::new();
    // Stale baseline entries are left out: one --baseline for many repositories holds entries of
    // the others, which no single repository can call stale.
    human::diagnostics(
        &mut buf,
        &report.stats,
        Some(&report.config_changes[..]),
        &[],
        quiet,
    )?;
    let mut err = io::stderr().lock();
    for line in String::from_utf8_lossy(&buf).lines() {
        let rest = line.strip_prefix("leakhound: ").unwrap_or(line);
        writeln!(err, "leakhound: {identity}: {rest}")?;
    }
    Ok(())
}

/// The command's summary on stderr: always the failures, the rest unless quiet.
fn summary(t: &Tally, repositories: usize, not_dirs: usize, started: Instant, quiet: bool) {
    if !quiet {
        let beside = match not_dirs {
            0 => String::new(),
            n => format!(" ({n} entries beside the clones not scanned)"),
        };
        eprintln!(
            "leakhound: {repositories} repositories{beside}: {} scanned, {} failed, {} incomplete · {} findings in {} repositories · {} objects, {:.1} MB in {:.1} s",
            t.scanned,
            t.failed.len(),
            t.incomplete.len(),
            t.findings,
            t.with_findings,
            t.files,
            t.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    if !t.failed.is_empty() {
        eprintln!(
            "leakhound: error: {} repositories failed: {}",
            t.failed.len(),
            t.failed.join(", ")
        );
    }
    if !t.incomplete.is_empty() {
        eprintln!(
            "leakhound: warning: {} repositories were not read in full: {}",
            t.incomplete.len(),
            t.incomplete.join(", ")
        );
    }
}
