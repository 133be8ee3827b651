//! `leakhound scan` and `leakhound baseline create`: arguments → library objects → scan → baseline →
//! report → exit code.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use leakhound_core::source::git::ProgressFn;
use leakhound_core::{
    credentials, report, Baseline, BaselineEntry, CodeOwners, Config, Credential, Date, Finding,
    FsOptions, Governance, HistoryOptions, HistoryProgress, HistoryStats, Inventory, RuleSet,
    RuleWarning, ScanStats, Scanner, Status,
};
use leakhound_hook::StagedStats;

use crate::args::{Format, ScanArgs};
use crate::human;

/// Whether the environment is a CI job (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The baseline file a repository keeps at its root.
const BASELINE_FILE: &str = ".leakhound-baseline.json";

/// What a scan produced, by source.
enum Outcome {
    Files(ScanStats),
    History(HistoryStats),
    Staged(StagedStats),
}

impl Outcome {
    fn scan_stats(&self) -> &ScanStats {
        match self {
            Outcome::Files(s) => s,
            Outcome::History(h) => &h.scan,
            Outcome::Staged(s) => &s.scan,
        }
    }
}

/// Runs the scan the arguments ask for and returns its findings, sorted, unredacted, before any
/// baseline; plus the repository (or scan) root where a baseline would live.
fn collect(a: &ScanArgs) -> anyhow::Result<(Vec<Finding>, Outcome, PathBuf)> {
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
    if a.history {
        // A history scan reads blobs, and a blob's path is known only after the scan.
        for r in rules.iter().filter(|r| r.is_path_only()) {
            print_rule_warnings(&[RuleWarning {
                file: r.file().to_owned(),
                rule: Some(r.id().to_owned()),
                field: Some("path".to_owned()),
                message: "a rule with a path and no regex reports files, which a history scan \
                          does not walk: not run"
                    .to_owned(),
                rule_skipped: true,
            }]);
        }
    }
    let scanner = Scanner::new(rules)
        .with_allow_regexes(allow_regexes)
        .with_max_findings_per_file(a.max_findings_per_file);
    let root = config_dir.clone().unwrap_or_else(|| repo_root(&paths[0]));
    let allowed = |f: &Finding| paths_allow.as_ref().is_some_and(|g| g.is_match(&f.path));

    if a.staged {
        let (mut findings, stats) =
            leakhound_hook::scan_staged(&scanner, &paths[0], a.max_file_size)?;
        findings.retain(|f| !allowed(f));
        return Ok((findings, Outcome::Staged(stats), root));
    }
    if a.history {
        let (mut findings, stats) = history(a, &paths[0], &scanner)?;
        // The config's allowlisted paths apply to the path each blob was introduced at.
        findings.retain(|f| !allowed(f));
        return Ok((findings, Outcome::History(stats), root));
    }
    let opts = FsOptions {
        threads: a.threads,
        max_file_size: a.max_file_size,
        mmap_threshold: a.mmap_threshold,
        respect_ignore_files: !a.no_ignore,
        follow_links: a.follow,
        paths_allow: paths_allow.clone(),
        paths_base: config_dir,
    };
    let found = Mutex::new(Vec::new());
    let stats = scanner.scan_paths(&paths, &opts, &|f| {
        found.lock().expect("no worker panics holding it").push(f)
    })?;
    let mut findings: Vec<Finding> = found.into_inner().expect("no worker panics holding it");
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
    });
    Ok((findings, Outcome::Files(stats), root))
}

/// The git work tree containing `path`, else `path` itself (or its directory).
pub fn repo_root(path: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    };
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(dir)
}

pub fn run(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let (mut findings, outcome, root) = collect(&a)?;
    // The hook uses the repository's baseline without being told; other scans when given one.
    let baseline_path = a.baseline.clone().or_else(|| {
        let p = root.join(BASELINE_FILE);
        (a.staged && p.is_file()).then_some(p)
    });
    let stale = match &baseline_path {
        Some(p) => Baseline::load(p)?.apply(&mut findings),
        None => Vec::new(),
    };
    // Staged scans see only the changes: an entry they do not meet is not stale.
    let stale = if a.staged { Vec::new() } else { stale };
    let governed = govern(&a, &root, &mut findings)?;
    match &outcome {
        Outcome::Files(s) => {
            let mut summary = report::Summary::new(&findings, s, s);
            summary.governance = Some(governed.gov.clone());
            emit(
                &a,
                &mut findings,
                s,
                &summary,
                &stale,
                &governed,
                &|w, f| human::summary(w, f, s),
            )
        }
        Outcome::History(h) => {
            let mut summary = report::Summary::new(&findings, h, &h.scan);
            summary.governance = Some(governed.gov.clone());
            emit(
                &a,
                &mut findings,
                &h.scan,
                &summary,
                &stale,
                &governed,
                &|w, f| human::history_summary(w, f, h),
            )
        }
        Outcome::Staged(s) => {
            let mut summary = report::Summary::new(&findings, s, &s.scan);
            summary.governance = Some(governed.gov.clone());
            emit(
                &a,
                &mut findings,
                outcome.scan_stats(),
                &summary,
                &stale,
                &governed,
                &|w, f| human::staged_summary(w, f, s),
            )
        }
    }
}

/// Credentials, their owners and statuses, and the exit policy.
struct Governed {
    creds: Vec<Credential>,
    gov: Governance,
    /// Statuses that fail the scan; empty: any finding does.
    fail_on: Vec<Status>,
}

/// Links findings to the inventory (`--inventory`, else `leakhound-inventory.toml` at the root) and to
/// CODEOWNERS, and reads `--fail-on`.
fn govern(a: &ScanArgs, root: &Path, findings: &mut [Finding]) -> anyhow::Result<Governed> {
    let fail_on = a
        .fail_on
        .iter()
        .map(|s| Status::parse(s.trim()).ok_or_else(|| anyhow::anyhow!("--fail-on: {s:?} is not one of owned, expired, revoked-still-present, honeytoken, unknown-origin")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let path = a
        .inventory
        .clone()
        .or_else(|| Some(root.join(INVENTORY_FILE)).filter(|p| p.is_file()));
    let inventory = match &path {
        Some(p) => Inventory::load(p)?,
        None => Inventory::default(),
    };
    let owners = CodeOwners::discover(root);
    let (creds, gov) = credentials::link(findings, &inventory, &owners, Date::today());
    Ok(Governed {
        creds,
        gov,
        fail_on,
    })
}

/// The inventory file a repository keeps at its root.
pub const INVENTORY_FILE: &str = "leakhound-inventory.toml";

/// The findings (fingerprints included) a scan with these arguments would report before any baseline.
pub fn collect_findings(a: &ScanArgs) -> anyhow::Result<Vec<String>> {
    Ok(collect(a)?.0.into_iter().map(|f| f.fingerprint).collect())
}

/// `leakhound baseline create`: the same scan, every finding recorded as accepted.
pub fn create_baseline(a: ScanArgs, output: &Path) -> anyhow::Result<ExitCode> {
    let (findings, outcome, _) = collect(&a)?;
    let baseline = Baseline::from_findings(&findings);
    baseline.save(output)?;
    writeln!(
        io::stderr(),
        "leakhound: recorded {} accepted findings ({} files scanned) in {}",
        baseline.entries.len(),
        outcome.scan_stats().files,
        output.display()
    )?;
    Ok(if outcome.scan_stats().had_errors() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `scan --history`: the repository's object database (or a range of it).
fn history(
    a: &ScanArgs,
    repo: &Path,
    scanner: &Scanner,
) -> anyhow::Result<(Vec<Finding>, HistoryStats)> {
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
    Ok(result?)
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

/// `YYYY-MM-DDTHH:MM:SS` (UTC), the form GitLab's report schema asks for.
fn timestamp(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}",
        Date::from_days(secs.div_euclid(86_400)),
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Prints the human summary line(s) of a scan for the given findings.
type HumanSummary<'a> = dyn Fn(&mut dyn Write, &[Finding]) -> io::Result<()> + 'a;

/// Redaction, warnings, the report in the chosen format, and the exit code: the same for every source.
fn emit<S: serde::Serialize>(
    a: &ScanArgs,
    findings: &mut [Finding],
    stats: &ScanStats,
    summary: &report::Summary<'_, S>,
    stale: &[BaselineEntry],
    governed: &Governed,
    human_summary: &HumanSummary<'_>,
) -> anyhow::Result<ExitCode> {
    // The hook's message is always redacted: it is read over a shoulder and pasted into chats.
    // CI formats end up in public logs and dashboards: redacted unless asked otherwise, explicitly.
    let ci_format = matches!(a.format, Format::Sarif | Format::Github | Format::Gitlab);
    let redact = !a.no_redact && (a.redact || a.format == Format::Human || ci_format || in_ci());
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
    for (path, t) in &stats.truncated {
        writeln!(
            stderr,
            "leakhound: warning: {path}: {t} (--max-findings-per-file N raises the cap, 0 lifts it)"
        )?;
    }
    for e in stale {
        writeln!(
            stderr,
            "leakhound: note: stale baseline entry: {} {} {} matches nothing any more: remove it",
            e.path, e.rule, e.fingerprint
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
        Format::Human if a.staged => human::blocking(&mut stderr, findings)?,
        Format::Human => {
            human::findings(&mut out, findings, !to_file)?;
            human::credentials(&mut out, &governed.creds, !to_file)?;
            human_summary(&mut stderr, findings)?;
            human::governance(&mut stderr, &governed.gov)?;
        }
        Format::Json => report::write_json(&mut out, findings, &governed.creds, summary)?,
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
                f.write_all(report::ci::github_step_summary(findings, &governed.creds).as_bytes())?;
            }
            human_summary(&mut stderr, findings)?;
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
            human_summary(&mut stderr, findings)?;
        }
    }
    out.flush()?;

    let fails = |f: &Finding| {
        governed.fail_on.is_empty()
            || f.status
                .as_deref()
                .and_then(Status::parse)
                .is_some_and(|s| governed.fail_on.contains(&s))
    };
    Ok(if stats.had_errors() {
        ExitCode::from(2)
    } else if findings.iter().any(fails) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
        let loaded = RuleSet::from_path(p)?;
        print_rule_warnings(&loaded.warnings);
        rules.extend(loaded.rules);
    }
    rules.extend(config_rules);
    if rules.is_empty() {
        bail!("no rules to run: --no-default-rules needs --rules FILE or rules in the config");
    }
    Ok(rules)
}

/// One line per warning about a rule file (a gitleaks configuration's unsupported fields), on stderr.
pub fn print_rule_warnings(warnings: &[RuleWarning]) {
    let mut err = io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "leakhound: warning: {w}");
    }
}
