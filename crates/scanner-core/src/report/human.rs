//! Output for a person at a terminal: one line per finding, a one-line summary.

use std::io::{self, Write};

use crate::context::Context;
use crate::finding::Finding;
use crate::liveness::{LiveStatus, Liveness};
use crate::rules::Severity;
use crate::scan::ScanStats;
use crate::source::Stats;
#[cfg(feature = "git")]
use crate::source::{git::HistoryStats, staged::StagedStats};
use anstyle::{AnsiColor, Style};

const PATH: Style = AnsiColor::Magenta.on_default();
const LINE: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
    }
}

/// `path:line:col  rule  secret  (severity, validation, details, encoding)` (`commit 1a2b3c4d5e
/// message:line:col` for a secret in a commit message); colour codes are stripped by the caller's
/// stream when it is not a terminal (or `color` is false, for `--output FILE`).
///
/// Findings in real code come first; those in tests, docs, examples, vendored and generated code follow
/// under a heading that counts them by context, each line naming its context (their severity is one
/// step lower, the rule's in brackets). After `--validate`, each part lists the findings of live
/// credentials first (then in the order given), and a validated line ends with what the provider
/// said: `[live: identity octo-dev, scopes repo]`, `[dead]`, `[unknown: why]`.
pub fn findings(w: &mut dyn Write, findings: &[Finding], color: bool) -> io::Result<()> {
    let (mut code, mut other): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.context == Context::Code);
    // Stable: the order within live and within the rest stays.
    code.sort_by_key(|f| !is_live(f.liveness.as_ref()));
    other.sort_by_key(|f| !is_live(f.liveness.as_ref()));
    for f in &code {
        finding_line(w, f, color)?;
    }
    if other.is_empty() {
        return Ok(());
    }
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    if !code.is_empty() {
        writeln!(w)?;
    }
    writeln!(
        w,
        "{bold}Not in code: {} ({}){bold:#}",
        plural(other.len() as u64, "finding"),
        by_context(&other).join(", ")
    )?;
    for f in &other {
        finding_line(w, f, color)?;
    }
    Ok(())
}

/// `3 test, 1 docs`: the findings' counts by context, in the contexts' order, zeros left out.
fn by_context(findings: &[&Finding]) -> Vec<String> {
    Context::ALL
        .iter()
        .filter_map(|c| {
            let n = findings.iter().filter(|f| f.context == *c).count();
            (n > 0).then(|| format!("{n} {c}"))
        })
        .collect()
}

fn is_live(l: Option<&Liveness>) -> bool {
    l.is_some_and(|l| l.status == LiveStatus::Live)
}

/// `[live: identity octo-dev, account acme, scopes repo, read:org]`, `[dead: Bad credentials]`,
/// `[unknown: provider error]`: live in bold red, dead dimmed, unknown in yellow.
fn liveness_tag(w: &mut dyn Write, l: &Liveness, color: bool) -> io::Result<()> {
    let style = match (color, l.status) {
        (false, _) => Style::new(),
        (true, LiveStatus::Live) => AnsiColor::Red.on_default().bold(),
        (true, LiveStatus::Dead) => DIM,
        (true, LiveStatus::Unknown) => AnsiColor::Yellow.on_default(),
    };
    let detail = crate::report::liveness_detail(l);
    let tag = match detail.is_empty() {
        true => format!("[{}]", l.status.as_str()),
        false => format!("[{}: {detail}]", l.status.as_str()),
    };
    write!(w, "  {style}{tag}{style:#}")
}

fn finding_line(w: &mut dyn Write, f: &Finding, color: bool) -> io::Result<()> {
    let paint = |s: Style| if color { s } else { Style::new() };
    let sev = paint(severity_style(f.severity));
    let (p, l, d) = (paint(PATH), paint(LINE), paint(DIM));
    write!(
        w,
        "{p}{}{p:#}:{l}{}{l:#}:{}  {sev}{}{sev:#}  {}  {d}({}",
        f.place(),
        f.line,
        f.column,
        f.rule,
        f.secret,
        f.severity.as_str()
    )?;
    if let Some(o) = f.original_severity {
        write!(w, " [{}]", o.as_str())?;
    }
    if f.context != Context::Code {
        write!(w, ", {}", f.context)?;
    }
    if let Some(s) = f.surface {
        write!(w, ", {}", s.as_str())?;
    }
    if let Some(v) = &f.validation {
        write!(w, ", {v}")?;
    }
    for (k, v) in &f.details {
        write!(w, ", {k} {v}")?;
    }
    if let Some(e) = &f.encoding {
        write!(w, ", {e}-encoded")?;
    }
    write!(w, "){d:#}")?;
    if let Some(l) = &f.liveness {
        liveness_tag(w, l, color)?;
    }
    if let (Some(date), true) = (&f.date, f.path.is_empty()) {
        // A message finding names its commit in its place already.
        write!(w, "  {date}")?;
    } else if let Some(c) = &f.commit {
        let short = &c[..c.len().min(10)];
        write!(
            w,
            "  {l}{short}{l:#} {}",
            f.date.as_deref().unwrap_or_default()
        )?;
    } else if let Some(note) = &f.note {
        write!(w, "  {d}{note}{d:#}")?;
    }
    writeln!(w)
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `3 findings (2 unique secrets) · 120 files, 4.1 MB in 0.02 s (205 MB/s) · 4 ignored · skipped: 2 binary`.
pub fn summary(w: &mut dyn Write, findings: &[Finding], stats: &ScanStats) -> io::Result<()> {
    summary_of(w, findings, stats, "file", "")
}

#[cfg(feature = "git")]
/// The history form: blobs instead of files, plus commits, incremental skips, unreachable blobs, and
/// notes about shallow clones and submodules.
pub fn history_summary(
    w: &mut dyn Write,
    findings: &[Finding],
    h: &HistoryStats,
) -> io::Result<()> {
    let mut extra = format!(" · {}", plural(h.commits, "commit"));
    if h.blobs_already_scanned > 0 {
        extra.push_str(&format!(
            " · {} already scanned (incremental)",
            plural(h.blobs_already_scanned, "blob")
        ));
    }
    if h.unreachable_findings > 0 {
        extra.push_str(&format!(
            " · {} in unreachable blobs",
            plural(h.unreachable_findings, "finding")
        ));
    }
    summary_of(w, findings, &h.scan, "blob", &extra)?;
    if h.shallow {
        writeln!(
            w,
            "leakhound: note: shallow clone: history before the shallow boundary is not scanned"
        )?;
    }
    if h.submodules > 0 {
        writeln!(w, "leakhound: note: {} submodule entries not followed: scan those repositories separately", h.submodules)?;
    }
    Ok(())
}

fn summary_of(
    w: &mut dyn Write,
    findings: &[Finding],
    stats: &ScanStats,
    unit: &str,
    extra: &str,
) -> io::Result<()> {
    write!(
        w,
        "{} ({}) · {}, {:.1} MB in {:.2} s ({:.0} MB/s){extra}",
        plural(findings.len() as u64, "finding"),
        plural(
            crate::report::unique_secrets(findings) as u64,
            "unique secret"
        ),
        plural(stats.files, unit),
        stats.bytes as f64 / 1e6,
        stats.elapsed.as_secs_f64(),
        stats.mb_per_sec()
    )?;
    if findings.iter().any(|f| f.context != Context::Code) {
        let all: Vec<&Finding> = findings.iter().collect();
        write!(w, " · by context: {}", by_context(&all).join(", "))?;
    }
    let agent = findings.iter().filter(|f| f.surface.is_some()).count();
    if agent > 0 {
        write!(w, " · {} in AI agent configuration", agent)?;
    }
    if let Some((live, dead, unknown)) = crate::report::liveness_counts(findings) {
        write!(
            w,
            " · validated: {live} live, {dead} dead, {unknown} unknown"
        )?;
    }
    if stats.ignored > 0 {
        write!(w, " · {} ignored", stats.ignored)?;
    }
    if !stats.skipped.is_empty() {
        let parts: Vec<String> = stats
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} {}", r.as_str()))
            .collect();
        write!(w, " · skipped: {}", parts.join(", "))?;
    }
    writeln!(w)
}

#[cfg(feature = "git")]
/// The staged form: changed files and added lines.
pub fn staged_summary(w: &mut dyn Write, findings: &[Finding], s: &StagedStats) -> io::Result<()> {
    let extra = format!(
        " · {} added in {}",
        plural(s.added_lines, "line"),
        plural(s.changed_files, "changed file")
    );
    summary_of(w, findings, &s.scan, "file", &extra)
}

#[cfg(feature = "git")]
/// One note per kind of staged file the scan skipped without a warning line of its own:
/// `leakhound: note: 2 binary files not scanned: assets/logo.png, data.bin`.
pub fn not_scanned(w: &mut dyn Write, s: &StagedStats) -> io::Result<()> {
    let mut by_reason: std::collections::BTreeMap<_, Vec<&str>> = Default::default();
    for n in s.not_scanned.iter().filter(|n| !n.warned) {
        by_reason.entry(n.reason).or_default().push(&n.path);
    }
    for (reason, paths) in by_reason {
        writeln!(
            w,
            "leakhound: note: {} not scanned: {}",
            plural(paths.len() as u64, &format!("{} file", reason.as_str())),
            paths.join(", ")
        )?;
    }
    Ok(())
}

/// The pre-commit hook's message, on stderr, for a person about to commit: where each secret is (never
/// the whole secret), and what to do about it.
pub fn blocking(w: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let bold = Style::new().bold();
    let red = AnsiColor::Red.on_default().bold();
    writeln!(
        w,
        "{red}leakhound: commit blocked:{red:#} {} in the staged changes",
        plural(findings.len() as u64, "secret")
    )?;
    writeln!(w)?;
    for f in findings {
        write!(
            w,
            "  {PATH}{}{PATH:#}:{LINE}{}{LINE:#}  {}  {}",
            f.place(),
            f.line,
            f.rule,
            f.secret
        )?;
        // A fixture's key blocks the commit too (it is often a real one): say where it is.
        match (f.context, f.surface) {
            (Context::Code, None) => writeln!(w)?,
            (Context::Code, Some(s)) => writeln!(w, "  ({})", s.as_str())?,
            (c, None) => writeln!(w, "  ({c})")?,
            (c, Some(s)) => writeln!(w, "  ({c}, {})", s.as_str())?,
        }
    }
    writeln!(w)?;
    writeln!(w, "{bold}What to do{bold:#}")?;
    writeln!(
        w,
        "  - A real secret: remove it from the change (unstage it: git restore --staged <file>),"
    )?;
    writeln!(
        w,
        "    and rotate it: assume it is compromised once it has been anywhere near a commit."
    )?;
    writeln!(
        w,
        "  - A false positive: add `leakhound:allow` in a comment on that line, or accept it"
    )?;
    writeln!(
        w,
        "    for good with `leakhound baseline create` (writes .leakhound-baseline.json)."
    )?;
    writeln!(
        w,
        "  - `git commit --no-verify` skips this hook (and every other): use it knowingly."
    )?;
    Ok(())
}

/// The commit-msg hook's message, on stderr: where each secret is in the message (never the whole
/// secret), and how to write the message again without it.
pub fn blocking_message(
    w: &mut dyn Write,
    findings: &[Finding],
    file: &std::path::Path,
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let bold = Style::new().bold();
    let red = AnsiColor::Red.on_default().bold();
    writeln!(
        w,
        "{red}leakhound: commit blocked:{red:#} {} in the commit message",
        plural(findings.len() as u64, "secret")
    )?;
    writeln!(w)?;
    for f in findings {
        writeln!(
            w,
            "  {PATH}commit message{PATH:#}:{LINE}{}{LINE:#}  {}  {}",
            f.line, f.rule, f.secret
        )?;
    }
    writeln!(w)?;
    writeln!(w, "{bold}What to do{bold:#}")?;
    let file = file.display();
    writeln!(
        w,
        "  - Take it out of the message and commit again: your text is kept in {file}"
    )?;
    writeln!(w, "    (`git commit -e -F {file}` starts from it).")?;
    writeln!(
        w,
        "  - A real secret: rotate it if it has been anywhere else (a chat, a ticket, a log)."
    )?;
    writeln!(
        w,
        "  - A false positive: add `leakhound:allow` on that line of the message."
    )?;
    writeln!(
        w,
        "  - `git commit --no-verify` skips this hook (and every other): use it knowingly."
    )?;
    Ok(())
}

/// The credentials table after the findings: one line per unique secret, with its owner and status,
/// and after `--validate` what its provider said; live credentials first, then in the order given.
pub fn credentials(w: &mut dyn Write, creds: &[crate::Credential], color: bool) -> io::Result<()> {
    if creds.is_empty() {
        return Ok(());
    }
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    writeln!(w)?;
    writeln!(
        w,
        "{bold}{}{bold:#}",
        plural(creds.len() as u64, "credential")
    )?;
    let mut creds: Vec<&crate::Credential> = creds.iter().collect();
    creds.sort_by_key(|c| !is_live(c.liveness.as_ref()));
    for c in creds {
        let owner = c.owner.as_ref().map_or_else(
            || "no owner".to_owned(),
            |o| format!("{} ({})", o.team, o.source),
        );
        write!(
            w,
            "  {}…  {:<24} {:<22} {}  · {}, {}",
            &c.fingerprint[..c.fingerprint.len().min(19)],
            c.rule,
            c.status.as_str(),
            owner,
            plural(c.locations.len() as u64, "location"),
            plural(c.paths as u64, "path")
        )?;
        if let Some(e) = &c.expires {
            write!(w, " · expires {e}")?;
        }
        if c.cross_environment {
            write!(w, " · cross-environment: {}", c.environments.join(", "))?;
        }
        if let Some(l) = &c.liveness {
            liveness_tag(w, l, color)?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// `governance: 3 credentials · 1 owned (33.3%) · …`
pub fn governance(w: &mut dyn Write, g: &crate::Governance) -> io::Result<()> {
    if g.credentials == 0 {
        return Ok(());
    }
    write!(
        w,
        "governance: {} · {} owned ({:.1}%) · {} expired · {} revoked-still-present · {} honeytokens · {} unknown-origin · {:.1}% with expiry · {} cross-environment",
        plural(g.credentials as u64, "credential"),
        g.owned,
        g.owned_pct,
        g.expired,
        g.revoked_still_present,
        g.honeytokens,
        g.unknown_origin,
        g.with_expiry_pct,
        g.cross_environment
    )?;
    if g.handed_to_agents > 0 {
        write!(w, " · {} handed to AI agents", g.handed_to_agents)?;
    }
    if let Some(d) = g.median_exposure_days {
        write!(w, " · median exposure {d} days")?;
    }
    if let Some(d) = g.median_time_to_revoke_days {
        write!(w, " · median time to revoke {d} days")?;
    }
    if let Some(l) = &g.liveness {
        write!(
            w,
            " · validated {}: {} live, {} dead, {} unknown · {} live-unowned · {} revoked-but-live",
            l.checked, l.live, l.dead, l.unknown, l.live_unowned, l.revoked_but_live
        )?;
    }
    writeln!(w)
}

/// The summary line(s) of a scan for its source's counters.
pub fn stats_summary(w: &mut dyn Write, findings: &[Finding], stats: &Stats) -> io::Result<()> {
    match stats {
        Stats::Files(s) => summary(w, findings, s),
        #[cfg(feature = "git")]
        Stats::History(h) => history_summary(w, findings, h),
        #[cfg(feature = "git")]
        Stats::Staged(s) => staged_summary(w, findings, s),
    }
}

/// One warning line for each change a scanned repository's config makes that can hide a secret.
pub fn config_warnings(
    w: &mut dyn Write,
    changes: &[crate::config::ConfigChange],
) -> io::Result<()> {
    for c in changes
        .iter()
        .filter(|c| c.origin == crate::config::Origin::Repository && c.can_hide_secrets())
    {
        writeln!(w, "leakhound: warning: {c}")?;
    }
    Ok(())
}

/// One line per warning about a rule file or config (a gitleaks configuration's unsupported fields);
/// a quoted value that spans lines is shown with `\n`, so that each warning stays one line.
pub fn rule_warnings(w: &mut dyn Write, warnings: &[crate::rules::RuleWarning]) -> io::Result<()> {
    for warning in warnings {
        let text = warning
            .to_string()
            .replace('\r', "\\r")
            .replace('\n', "\\n");
        writeln!(w, "leakhound: warning: {text}")?;
    }
    Ok(())
}

/// Everything a scan could not use or wants known, one line each, for stderr: staged files not
/// scanned, the repository config's changes (`None` for the hook: run on every commit, it does not
/// repeat them), inputs skipped or lost, notes, capped files, stale baseline entries. `quiet` leaves
/// out the notes and stale entries, never what was not scanned.
pub fn diagnostics(
    w: &mut dyn Write,
    stats: &Stats,
    config_changes: Option<&[crate::config::ConfigChange]>,
    stale_baseline: &[crate::baseline::BaselineEntry],
    quiet: bool,
) -> io::Result<()> {
    #[cfg(feature = "git")]
    if let Stats::Staged(s) = stats {
        not_scanned(w, s)?;
    }
    if let Some(changes) = config_changes {
        config_warnings(w, changes)?;
    }
    let stats = stats.scan();
    for x in &stats.warnings {
        let reason = x.reason.as_str();
        writeln!(
            w,
            "leakhound: warning: {}: {} (skipped: {reason})",
            x.path, x.message
        )?;
    }
    for n in stats.notes.iter().filter(|_| !quiet) {
        writeln!(w, "leakhound: note: {}: {}", n.path, n.message)?;
    }
    for (path, t) in &stats.truncated {
        writeln!(
            w,
            "leakhound: warning: {path}: {t} (--max-findings-per-file N raises the cap, 0 lifts it)"
        )?;
    }
    for e in stale_baseline.iter().filter(|_| !quiet) {
        writeln!(
            w,
            "leakhound: note: stale baseline entry: {} {} {} matches nothing any more: remove it",
            e.path, e.rule, e.fingerprint
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret in a commit message has no path: it is placed by its commit, never as `:3:5`.
    #[test]
    fn a_message_finding_is_placed_by_its_commit() {
        use crate::source::message::MessageKind;
        let scanner = crate::Scanner::with_default_rules();
        let mut found = Vec::new();
        let msg = b"Fix\n\ntoken glpat-Hq3Zr8xK2mVb7NcT1pWd\n"; // leakhound:allow (test token)
        scanner
            .scan_message(
                MessageKind::Commit,
                msg,
                &mut crate::Scratch::new(),
                &mut found,
            )
            .unwrap();
        found[0].commit = Some("1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into());
        found[0].date = Some("2026-01-02T03:04:05Z".into());
        found[0].redact();
        let mut out = Vec::new();
        findings(&mut out, &found, false).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(
            line.starts_with("commit 1a2b3c4d5e message:3:7  gitlab-pat  glpat-…"),
            "{line}"
        );
        assert!(
            line.trim_end().ends_with("  2026-01-02T03:04:05Z"),
            "{line}"
        );
        let mut out = Vec::new();
        blocking(&mut out, &found).unwrap();
        // The hook's message is styled; the terminal stream strips the codes when it is not a tty.
        let mut text = String::new();
        let raw = String::from_utf8(out).unwrap();
        let mut rest = raw.as_str();
        while let Some(i) = rest.find('\x1b') {
            text.push_str(&rest[..i]);
            rest = &rest[i + rest[i..].find('m').unwrap() + 1..];
        }
        text.push_str(rest);
        assert!(
            text.contains("  commit 1a2b3c4d5e message:3  gitlab-pat"),
            "{text}"
        );
    }
}
