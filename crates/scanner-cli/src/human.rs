//! Output for a person at a terminal: one line per finding, a one-line summary.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use leakhound_core::{Finding, HistoryStats, ScanStats, Severity};
use leakhound_hook::StagedStats;

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

/// `path:line:col  rule  secret  (severity, validation, details, encoding)`; colour codes are stripped by the caller's
/// stream when it is not a terminal (or `color` is false, for `--output FILE`).
pub fn findings(w: &mut dyn Write, findings: &[Finding], color: bool) -> io::Result<()> {
    let paint = |s: Style| if color { s } else { Style::new() };
    for f in findings {
        let sev = paint(severity_style(f.severity));
        let (p, l, d) = (paint(PATH), paint(LINE), paint(DIM));
        write!(
            w,
            "{p}{}{p:#}:{l}{}{l:#}:{}  {sev}{}{sev:#}  {}  {d}({}",
            f.path,
            f.line,
            f.column,
            f.rule,
            f.secret,
            f.severity.as_str()
        )?;
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
        if let Some(c) = &f.commit {
            let short = &c[..c.len().min(10)];
            write!(
                w,
                "  {l}{short}{l:#} {}",
                f.date.as_deref().unwrap_or_default()
            )?;
        } else if let Some(note) = &f.note {
            write!(w, "  {d}{note}{d:#}")?;
        }
        writeln!(w)?;
    }
    Ok(())
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
            leakhound_core::report::unique_secrets(findings) as u64,
            "unique secret"
        ),
        plural(stats.files, unit),
        stats.bytes as f64 / 1e6,
        stats.elapsed.as_secs_f64(),
        stats.mb_per_sec()
    )?;
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

/// The staged form: changed files and added lines.
pub fn staged_summary(w: &mut dyn Write, findings: &[Finding], s: &StagedStats) -> io::Result<()> {
    let extra = format!(
        " · {} added in {}",
        plural(s.added_lines, "line"),
        plural(s.changed_files, "changed file")
    );
    summary_of(w, findings, &s.scan, "file", &extra)
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
        writeln!(
            w,
            "  {PATH}{}{PATH:#}:{LINE}{}{LINE:#}  {}  {}",
            f.path, f.line, f.rule, f.secret
        )?;
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

/// The credentials table after the findings: one line per unique secret, with its owner and status.
pub fn credentials(
    w: &mut dyn Write,
    creds: &[leakhound_core::Credential],
    color: bool,
) -> io::Result<()> {
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
        writeln!(w)?;
    }
    Ok(())
}

/// `governance: 3 credentials · 1 owned (33.3%) · …`
pub fn governance(w: &mut dyn Write, g: &leakhound_core::Governance) -> io::Result<()> {
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
    if let Some(d) = g.median_exposure_days {
        write!(w, " · median exposure {d} days")?;
    }
    writeln!(w)
}
