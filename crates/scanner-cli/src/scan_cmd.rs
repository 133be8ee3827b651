//! `leakhound scan`: arguments → library objects → scan → report → exit code.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use globset::GlobSet;
use leakhound_core::source::git::ProgressFn;
use leakhound_core::{
    report, Config, Finding, FsOptions, HistoryOptions, HistoryProgress, RuleSet, ScanStats,
    Scanner,
};

use crate::args::{Format, ScanArgs};
use crate::human;

/// Whether the environment is a CI job (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

pub fn run(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let (config, config_dir) = load_config(a.config.as_deref(), &paths[0])?;
    let allow_regexes = config.secret_regexes().to_vec();
    let paths_allow = config.path_globs().cloned();
    let rules = build_rules(a.no_default_rules, &a.rules, config.rules)?;
    let scanner = Scanner::new(rules).with_allow_regexes(allow_regexes);
    let opts = FsOptions {
        threads: a.threads,
        max_file_size: a.max_file_size,
        mmap_threshold: a.mmap_threshold,
        respect_ignore_files: !a.no_ignore,
        follow_links: a.follow,
        paths_allow,
        paths_base: config_dir,
    };

    if a.history {
        return history(&a, &paths[0], scanner, opts.paths_allow.as_ref());
    }
    let found = Mutex::new(Vec::new());
    let stats = scanner.scan_paths(&paths, &opts, &|f| {
        found.lock().expect("no worker panics holding it").push(f)
    })?;
    let mut findings: Vec<Finding> = found.into_inner().expect("no worker panics holding it");
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
    });

    let summary = report::Summary::new(&findings, &stats, &stats);
    emit(&a, &mut findings, &stats, &summary, &|w, f| {
        human::summary(w, f, &stats)
    })
}

/// `scan --history`: the repository's object database (or a range of it).
fn history(
    a: &ScanArgs,
    repo: &Path,
    scanner: Scanner,
    paths_allow: Option<&GlobSet>,
) -> anyhow::Result<ExitCode> {
    let range = a
        .range
        .clone()
        .or_else(|| a.since_commit.as_ref().map(|rev| format!("{rev}..HEAD")));
    let incremental = match (&a.incremental_state, a.incremental) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => Some(leakhound_core::source::git::default_state_path(repo)?),
        (None, false) => None,
    };
    let bar = progress_bar();
    let progress = bar.clone().map(|bar| {
        let bytes = std::sync::atomic::AtomicU64::new(0);
        let started = std::time::Instant::now();
        let f: ProgressFn = std::sync::Arc::new(move |p| match p {
            HistoryProgress::Objects(n) => bar.set_length(n),
            HistoryProgress::Decoded { objects, bytes: b } => {
                let total = bytes.fetch_add(b, std::sync::atomic::Ordering::Relaxed) + b;
                bar.inc(objects);
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "{:.0} MB scanned, {:.0} MB/s",
                    total as f64 / 1e6,
                    total as f64 / 1e6 / secs
                ));
            }
            HistoryProgress::Attributing => {
                bar.set_message("finding the commits that introduced each secret")
            }
        });
        f
    });
    let opts = HistoryOptions {
        threads: a.threads,
        max_file_size: a.max_file_size,
        range,
        incremental,
        progress,
    };
    let result = scanner.scan_history(repo, &opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (mut findings, stats) = result?;
    // The config's allowlisted paths apply to the path each blob was introduced at.
    if let Some(allow) = paths_allow {
        findings.retain(|f| !allow.is_match(&f.path));
    }
    let summary = report::Summary::new(&findings, &stats, &stats.scan);
    emit(a, &mut findings, &stats.scan, &summary, &|w, f| {
        human::history_summary(w, f, &stats)
    })
}

/// An object-count progress bar on stderr, only for a person at a terminal: never on a pipe or in CI.
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
    Some(bar)
}

/// Prints the human summary line(s) of a scan for the given findings.
type HumanSummary<'a> = dyn Fn(&mut dyn Write, &[Finding]) -> io::Result<()> + 'a;

/// Redaction, warnings, the report in the chosen format, and the exit code: the same for every source.
fn emit<S: serde::Serialize>(
    a: &ScanArgs,
    findings: &mut [Finding],
    stats: &ScanStats,
    summary: &report::Summary<'_, S>,
    human_summary: &HumanSummary<'_>,
) -> anyhow::Result<ExitCode> {
    let redact = !a.no_redact && (a.redact || a.format == Format::Human || in_ci());
    if redact {
        findings.iter_mut().for_each(Finding::redact);
    }

    let mut stderr = anstream::stderr();
    for w in &stats.warnings {
        writeln!(
            stderr,
            "leakhound: warning: {}: {} (skipped: {})",
            w.path,
            w.message,
            w.reason.as_str()
        )?;
    }

    let to_file = a.output.is_some();
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("{}: cannot create", p.display()))?,
        )),
        None => Box::new(anstream::AutoStream::auto(io::stdout().lock())),
    };
    match a.format {
        Format::Human => {
            human::findings(&mut out, findings, !to_file)?;
            human_summary(&mut stderr, findings)?;
        }
        Format::Json => report::write_json(&mut out, findings, summary)?,
        Format::Jsonl => {
            report::write_jsonl(&mut out, findings)?;
            human_summary(&mut stderr, findings)?;
        }
    }
    out.flush()?;

    Ok(if stats.had_errors() {
        ExitCode::from(2)
    } else if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The explicit `--config`, else the first `.leakhound.toml` found from the scanned path up to the
/// repository root (the first directory holding `.git`). Returns the config and its directory
/// (absolute), against which its allowlisted paths are matched.
fn load_config(explicit: Option<&Path>, first: &Path) -> anyhow::Result<(Config, Option<PathBuf>)> {
    let file = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let start = std::fs::canonicalize(first).unwrap_or_else(|_| first.to_path_buf());
            let start = if start.is_dir() {
                start
            } else {
                start.parent().map(Path::to_path_buf).unwrap_or(start)
            };
            let mut found = None;
            for dir in start.ancestors() {
                let candidate = dir.join(".leakhound.toml");
                if candidate.is_file() {
                    found = Some(candidate);
                    break;
                }
                if dir.join(".git").exists() {
                    break;
                }
            }
            found
        }
    };
    let Some(file) = file else {
        return Ok((Config::default(), None));
    };
    let config = Config::load(&file)?;
    let dir = std::fs::canonicalize(&file)
        .ok()
        .and_then(|f| f.parent().map(Path::to_path_buf));
    Ok((config, dir))
}

pub fn build_rules(
    no_default: bool,
    extra: &[PathBuf],
    config_rules: RuleSet,
) -> anyhow::Result<RuleSet> {
    let mut rules = if no_default {
        RuleSet::empty()
    } else {
        RuleSet::embedded()
    };
    for p in extra {
        rules.extend(RuleSet::from_path(p)?);
    }
    rules.extend(config_rules);
    if rules.is_empty() {
        bail!("no rules to run: --no-default-rules needs --rules FILE or rules in the config");
    }
    Ok(rules)
}
