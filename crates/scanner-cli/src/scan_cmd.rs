//! `leakhound scan` and `leakhound baseline create`: arguments → library objects → scan → baseline →
//! report → exit code.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use leakhound_core::config::{ConfigChange, Origin};
use leakhound_core::report::Redactor;
use leakhound_core::source::git::ProgressFn;
use leakhound_core::{
    credentials, report, Baseline, BaselineEntry, CodeOwners, Config, Context, Credential, Date,
    Finding, FsOptions, Governance, HistoryOptions, HistoryProgress, HistoryStats, Inventory,
    RuleSet, RuleWarning, ScanStats, Scanner, Status,
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

/// What a scan produced before any baseline: findings sorted and unredacted, the counters, the root
/// where a baseline, inventory and CODEOWNERS live, how displayed paths map to paths under that root,
/// and what the configs changed in the rule pack.
struct Collected {
    findings: Vec<Finding>,
    outcome: Outcome,
    root: PathBuf,
    paths: RootPaths,
    changes: Vec<ConfigChange>,
    /// `policy.fail_on_context` of the configs: the explicit config's, else the repository's.
    fail_on_context: Option<Vec<Context>>,
}

/// Runs the scan the arguments ask for.
fn collect(a: &ScanArgs) -> anyhow::Result<Collected> {
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
    let threads = leakhound_core::effective_threads(a.threads);
    if a.threads > threads {
        eprintln!(
            "leakhound: note: --threads {} is more than this machine can use: {threads} (four per core)",
            a.threads
        );
    }
    let mut configs = load_configs(a, &paths[0])?;
    let (rules, changes) = build_rules(a.no_default_rules, &a.rules, &mut configs)?;
    let allow_regexes: Vec<_> = configs
        .iter()
        .flat_map(|c| c.config.secret_regexes().iter().cloned())
        .collect();
    let allow_paths: Vec<String> = configs
        .iter()
        .flat_map(|c| c.config.allow_paths.iter().cloned())
        .collect();
    let paths_allow = leakhound_core::config::globs(&allow_paths)
        .map_err(|(g, e)| anyhow::anyhow!("allowlist.paths: {g:?}: {e}"))?;
    // One base for every config's globs: the repository's config directory when there is one (its
    // globs are written for that tree, and an organisation's are written for any repository), else
    // the explicit config's directory.
    let config_dir = configs
        .iter()
        .find(|c| c.origin == Origin::Repository)
        .or_else(|| configs.first())
        .and_then(|c| c.dir.clone());
    let scanner = Scanner::new(rules)
        .with_allow_regexes(allow_regexes)
        .with_max_findings_per_file(a.max_findings_per_file);
    let root = repo_root(&paths[0]);
    let allowed = |f: &Finding| paths_allow.as_ref().is_some_and(|g| g.is_match(&f.path));
    // The configs come explicit first: an organisation's policy wins over the repository's.
    let fail_on_context = configs
        .iter()
        .find_map(|c| c.config.fail_on_context.clone());
    let done = |findings, outcome, paths| Collected {
        findings,
        outcome,
        root: root.clone(),
        paths,
        changes: changes.clone(),
        fail_on_context: fail_on_context.clone(),
    };

    if let Some(file) = &a.commit_msg {
        let cleanup = leakhound_hook::Cleanup::from_git(&paths[0]);
        let (findings, stats) = leakhound_hook::scan_commit_message(&scanner, file, &cleanup)?;
        return Ok(done(findings, Outcome::Files(stats), RootPaths::as_is()));
    }
    if a.staged {
        let (mut findings, stats) =
            leakhound_hook::scan_staged(&scanner, &paths[0], a.max_file_size)?;
        findings.retain(|f| !allowed(f));
        // Staged paths are relative to the repository root already.
        return Ok(done(findings, Outcome::Staged(stats), RootPaths::as_is()));
    }
    if a.history {
        // The config's allowlisted paths apply to the path each blob was introduced at.
        let (findings, stats) = history(a, &paths[0], &scanner, allow_paths)?;
        return Ok(done(findings, Outcome::History(stats), RootPaths::as_is()));
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
    let rel = RootPaths::new(&root, &paths);
    Ok(done(findings, Outcome::Files(stats), rel))
}

/// Maps the paths a file scan displays (as the user spelled the scanned path: `/abs/repo/svc/a.env`,
/// `../repo/svc/a.env`, `./svc/a.env`) to paths relative to the root (`svc/a.env`): what CODEOWNERS
/// patterns and baseline entries are matched against.
struct RootPaths {
    root: PathBuf,
    /// Each scanned path as the walker displays it (no `.` components), and where it really is.
    given: Vec<(PathBuf, PathBuf)>,
}

impl RootPaths {
    /// Paths that are root-relative already (git sources).
    fn as_is() -> RootPaths {
        RootPaths {
            root: PathBuf::new(),
            given: Vec::new(),
        }
    }

    fn new(root: &Path, scanned: &[PathBuf]) -> RootPaths {
        let given = scanned
            .iter()
            .map(|p| {
                let shown = without_cur_dir(p);
                let real = std::fs::canonicalize(p).unwrap_or_else(|_| {
                    std::env::current_dir()
                        .map(|d| d.join(p))
                        .unwrap_or_else(|_| p.clone())
                });
                (shown, real)
            })
            .collect();
        RootPaths {
            root: root.to_path_buf(),
            given,
        }
    }

    /// `shown` relative to the root; `shown` itself when it is not under a scanned path or the root
    /// (or the scan was not of files).
    fn rel(&self, shown: &str) -> String {
        if self.given.is_empty() || shown.is_empty() {
            return shown.to_owned();
        }
        let shown_path = without_cur_dir(Path::new(shown));
        // The longest scanned path the displayed one starts with is the one it was walked from.
        let best = self
            .given
            .iter()
            .filter_map(|(g, real)| Some((g, real, shown_path.strip_prefix(g).ok()?)))
            .max_by_key(|(g, _, _)| g.components().count());
        let Some((_, real, rest)) = best else {
            return shown.to_owned();
        };
        let abs = if rest.as_os_str().is_empty() {
            real.clone()
        } else {
            real.join(rest)
        };
        match abs.strip_prefix(&self.root) {
            Ok(r) if !r.as_os_str().is_empty() => r
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            _ => shown.to_owned(),
        }
    }
}

/// `./a/./b` → `a/b`, `.` → `` (the walker displays paths without them).
fn without_cur_dir(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
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
    let Collected {
        mut findings,
        outcome,
        root,
        paths,
        changes,
        fail_on_context,
    } = collect(&a)?;
    let rel = |f: &Finding| paths.rel(&f.path);
    // The hooks use the repository's baseline without being told; other scans when given one.
    let hook = a.staged || a.commit_msg.is_some();
    let baseline_path = a.baseline.clone().or_else(|| {
        let p = root.join(BASELINE_FILE);
        (hook && p.is_file()).then_some(p)
    });
    let stale = match &baseline_path {
        Some(p) => Baseline::load(p)?.apply_at(&mut findings, &rel),
        None => Vec::new(),
    };
    // The hooks see only the changes or the message: an entry they do not meet is not stale.
    let stale = if hook { Vec::new() } else { stale };
    let mut governed = govern(&a, &root, &mut findings, &rel)?;
    governed.fail_on_context = if a.fail_on_context.is_empty() {
        fail_on_context.unwrap_or_else(|| Context::ALL.to_vec())
    } else {
        leakhound_core::config::parse_contexts(a.fail_on_context.iter().map(String::as_str))
            .map_err(|m| anyhow::anyhow!("--fail-on-context: {m}"))?
    };
    let ctx = Emit {
        stale: &stale,
        changes: &changes,
    };
    match &outcome {
        Outcome::Files(s) => {
            let summary = report::Summary::new(&findings, s, s);
            emit(&a, findings, s, summary, governed, &ctx, &|w, f| {
                human::summary(w, f, s)
            })
        }
        Outcome::History(h) => {
            let summary = report::Summary::new(&findings, h, &h.scan);
            emit(&a, findings, &h.scan, summary, governed, &ctx, &|w, f| {
                human::history_summary(w, f, h)
            })
        }
        Outcome::Staged(s) => {
            human::not_scanned(&mut io::stderr(), s)?;
            let summary = report::Summary::new(&findings, s, &s.scan);
            emit(
                &a,
                findings,
                outcome.scan_stats(),
                summary,
                governed,
                &ctx,
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
    /// Contexts whose findings fail the scan (every context unless a policy says otherwise).
    fail_on_context: Vec<Context>,
}

/// Links findings to the inventory (`--inventory`, else `leakhound-inventory.toml` at the root) and to
/// CODEOWNERS, and reads `--fail-on`.
fn govern(
    a: &ScanArgs,
    root: &Path,
    findings: &mut [Finding],
    rel: &dyn Fn(&Finding) -> String,
) -> anyhow::Result<Governed> {
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
    let (creds, gov) = credentials::link_at(findings, &inventory, &owners, Date::today(), rel);
    Ok(Governed {
        creds,
        gov,
        fail_on,
        fail_on_context: Context::ALL.to_vec(),
    })
}

/// The inventory file a repository keeps at its root.
pub const INVENTORY_FILE: &str = "leakhound-inventory.toml";

/// The findings (fingerprints included) a scan with these arguments would report before any baseline.
pub fn collect_findings(a: &ScanArgs) -> anyhow::Result<Vec<String>> {
    Ok(collect(a)?
        .findings
        .into_iter()
        .map(|f| f.fingerprint)
        .collect())
}

/// `leakhound baseline create`: the same scan, every finding recorded as accepted.
pub fn create_baseline(a: ScanArgs, output: &Path) -> anyhow::Result<ExitCode> {
    let Collected {
        findings,
        outcome,
        paths,
        changes,
        ..
    } = collect(&a)?;
    // What is accepted depends on what the repository's config let through: say it here too.
    warn_config_changes(&mut io::stderr(), &changes)?;
    // Entries are recorded relative to the repository root, however the path was spelled, so that
    // every later scan (and the hook) matches them.
    let baseline = Baseline::from_findings_at(&findings, &|f| paths.rel(&f.path));
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
    allow_paths: Vec<String>,
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
        allow_paths,
        allow_partial: a.allow_partial,
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

/// What `emit` reports besides findings and counters.
struct Emit<'a> {
    stale: &'a [BaselineEntry],
    changes: &'a [ConfigChange],
}

/// Redaction, warnings, the report in the chosen format, and the exit code: the same for every source.
fn emit<S: serde::Serialize>(
    a: &ScanArgs,
    mut findings: Vec<Finding>,
    stats: &ScanStats,
    mut summary: report::Summary<'_, S>,
    mut governed: Governed,
    ctx: &Emit<'_>,
    human_summary: &HumanSummary<'_>,
) -> anyhow::Result<ExitCode> {
    // The hook's message is always redacted: it is read over a shoulder and pasted into chats.
    // CI formats end up in public logs and dashboards: redacted unless asked otherwise, explicitly.
    let ci_format = matches!(a.format, Format::Sarif | Format::Github | Format::Gitlab);
    let redact = !a.no_redact && (a.redact || a.format == Format::Human || ci_format || in_ci());
    // Redaction covers every field: a commit summary, a note or a warning can quote a secret too.
    let redactor = if redact {
        Redactor::new(findings.iter().map(|f| f.secret.as_str()))
    } else {
        Redactor::default()
    };
    summary.governance = Some(governed.gov.clone());
    summary.config_changes = ctx.changes.to_vec();
    if redact {
        findings.iter_mut().for_each(|f| redactor.finding(f));
        governed
            .creds
            .iter_mut()
            .for_each(|c| redactor.credential(c));
        summary
            .warnings
            .iter_mut()
            .for_each(|w| redactor.warning(w));
        summary
            .config_changes
            .iter_mut()
            .for_each(|c| redactor.config_change(c));
    }
    let findings = &findings[..];

    let mut stderr = anstream::stderr();
    // A repository's own config can switch detection off: say so, every time. The hook is run by the
    // repository's own developers on every commit, and does not repeat it (its JSON still lists it).
    if !a.staged {
        warn_config_changes(&mut stderr, &summary.config_changes)?;
    }
    for w in &summary.warnings {
        writeln!(
            stderr,
            "leakhound: warning: {}: {} (skipped: {})",
            w.path,
            w.message,
            w.reason.as_str()
        )?;
    }
    for n in &stats.notes {
        writeln!(stderr, "leakhound: note: {}: {}", n.path, n.message)?;
    }
    for (path, t) in &stats.truncated {
        writeln!(
            stderr,
            "leakhound: warning: {path}: {t} (--max-findings-per-file N raises the cap, 0 lifts it)"
        )?;
    }
    for e in ctx.stale {
        writeln!(
            stderr,
            "leakhound: note: stale baseline entry: {} {} {} matches nothing any more: remove it",
            e.path, e.rule, e.fingerprint
        )?;
    }

    let to_file = a.output.is_some();
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(create_private(p)?)),
        None => Box::new(anstream::AutoStream::auto(io::stdout().lock())),
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
            human::credentials(&mut out, &governed.creds, !to_file)?;
            human_summary(&mut stderr, findings)?;
            human::governance(&mut stderr, &governed.gov)?;
        }
        Format::Json => report::write_json(&mut out, findings, &governed.creds, &summary)?,
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
        governed.fail_on_context.contains(&f.context)
            && (governed.fail_on.is_empty()
                || f.status.is_some_and(|s| governed.fail_on.contains(&s)))
    };
    Ok(if stats.had_errors() {
        ExitCode::from(2)
    } else if findings.iter().any(fails) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One warning line for each change a scanned repository's config makes that can hide a secret.
fn warn_config_changes(w: &mut dyn Write, changes: &[ConfigChange]) -> io::Result<()> {
    for c in changes
        .iter()
        .filter(|c| c.origin == Origin::Repository && c.can_hide_secrets())
    {
        writeln!(w, "leakhound: warning: {c}")?;
    }
    Ok(())
}

/// Opens a report file for writing. A new file is created readable by its owner only (0600): a report
/// written with --no-redact holds secrets, and one written redacted still names where they are. An
/// existing file is truncated and keeps its mode: whoever set it meant it.
fn create_private(path: &Path) -> anyhow::Result<File> {
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

/// A config file in use, where it came from, and its directory (absolute), against which its
/// allowlisted paths are matched.
pub struct LoadedConfig {
    config: Config,
    file: String,
    origin: Origin,
    dir: Option<PathBuf>,
}

/// The configs of a scan, in the order they apply: the explicit `--config` (an organisation's policy),
/// then the scanned repository's `.leakhound.toml`: the first found from the scanned path up to the
/// repository root (the first directory holding `.git`). The repository's is skipped with
/// `--no-repo-config`, when the explicit config says `[scan] repo_config = false`, or when it is the
/// explicit config itself.
fn load_configs(a: &ScanArgs, first: &Path) -> anyhow::Result<Vec<LoadedConfig>> {
    let load = |file: &Path, origin| -> anyhow::Result<LoadedConfig> {
        // A discovered config is found as an absolute path: named relative to the current directory
        // when it is below it, as a person would type it.
        let cwd = std::env::current_dir().and_then(std::fs::canonicalize);
        let shown = match &cwd {
            Ok(cwd) if file.is_absolute() => file.strip_prefix(cwd).unwrap_or(file),
            _ => file,
        };
        let config = Config::load(shown)?;
        let dir = std::fs::canonicalize(file)
            .ok()
            .and_then(|f| f.parent().map(Path::to_path_buf));
        Ok(LoadedConfig {
            config,
            file: shown.display().to_string(),
            origin,
            dir,
        })
    };
    let mut configs = Vec::new();
    if let Some(p) = &a.config {
        configs.push(load(p, Origin::Explicit)?);
    }
    let repo_allowed = !a.no_repo_config
        && configs
            .first()
            .is_none_or(|c| c.config.repo_config != Some(false));
    if !repo_allowed {
        return Ok(configs);
    }
    let Some(found) = discover_config(first) else {
        return Ok(configs);
    };
    let same_as_explicit = a
        .config
        .as_deref()
        .is_some_and(|p| std::fs::canonicalize(p).ok() == std::fs::canonicalize(&found).ok());
    if !same_as_explicit {
        let repo = load(&found, Origin::Repository)?;
        if repo.config.repo_config.is_some() {
            print_rule_warnings(&[RuleWarning {
                file: repo.file.clone(),
                rule: None,
                field: Some("scan.repo_config".to_owned()),
                message: "only read from a --config file: ignored here".to_owned(),
                rule_skipped: false,
            }]);
        }
        configs.push(repo);
    }
    Ok(configs)
}

/// The first `.leakhound.toml` from `first` (or its directory) up to the repository root. Outside a
/// repository only the scanned directory itself is looked at: a config in some parent directory (a
/// shared `/tmp`, a home directory) is not the scanned tree's to give.
fn discover_config(first: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(first).unwrap_or_else(|_| first.to_path_buf());
    let start = if start.is_dir() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    };
    let in_repo = start.ancestors().any(|d| d.join(".git").exists());
    for dir in start.ancestors() {
        let candidate = dir.join(".leakhound.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        if !in_repo || dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// The rule pack: the defaults (unless `no_default`), the `--rules` files, then each config's rules (a
/// rule with the id of one loaded before replaces it). Returns it with what the configs changed.
pub fn build_rules(
    no_default: bool,
    extra: &[PathBuf],
    configs: &mut [LoadedConfig],
) -> anyhow::Result<(RuleSet, Vec<ConfigChange>)> {
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
    let mut changes = Vec::new();
    for c in configs {
        changes.extend(c.config.changes(&c.file, c.origin, &rules));
        rules.extend(std::mem::take(&mut c.config.rules));
    }
    if rules.is_empty() {
        bail!("no rules to run: --no-default-rules needs --rules FILE or rules in the config");
    }
    Ok((rules, changes))
}

/// One line per warning about a rule file (a gitleaks configuration's unsupported fields), on stderr.
pub fn print_rule_warnings(warnings: &[RuleWarning]) {
    let mut err = io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "leakhound: warning: {w}");
    }
}
