//! Output for a person at a terminal: one line per finding, a one-line summary.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use leakhound_core::{Finding, ScanStats, Severity};

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

/// `path:line:col  rule  secret  (severity, validation)`; colour codes are stripped by the caller's
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
        writeln!(w, "){d:#}")?;
    }
    Ok(())
}

/// `3 findings (2 unique secrets) · 120 files, 4.1 MB in 0.02 s (205 MB/s) · skipped: 2 binary`.
pub fn summary(w: &mut dyn Write, findings: &[Finding], stats: &ScanStats) -> io::Result<()> {
    let mut fps: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    fps.sort_unstable();
    fps.dedup();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    write!(
        w,
        "{} ({}) · {}, {:.1} MB in {:.2} s ({:.0} MB/s)",
        plural(findings.len(), "finding"),
        plural(fps.len(), "unique secret"),
        plural(stats.files as usize, "file"),
        stats.bytes as f64 / 1e6,
        stats.elapsed.as_secs_f64(),
        stats.mb_per_sec()
    )?;
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
