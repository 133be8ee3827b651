//! Machine-readable reports: JSON (one object with findings and summary) and JSON Lines.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Finding;
use crate::scan::ScanStats;

/// The `summary` object of a JSON report.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Number of findings reported.
    pub findings: usize,
    /// Number of distinct fingerprints among them.
    pub unique_secrets: usize,
    /// Scan counters.
    #[serde(flatten)]
    pub stats: &'a ScanStats,
    /// Throughput, MB/s.
    pub mb_per_sec: f64,
}

impl<'a> Summary<'a> {
    /// Summarises `findings` and `stats`.
    pub fn new(findings: &[Finding], stats: &'a ScanStats) -> Summary<'a> {
        let mut fps: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        fps.sort_unstable();
        fps.dedup();
        Summary {
            findings: findings.len(),
            unique_secrets: fps.len(),
            stats,
            mb_per_sec: (stats.mb_per_sec() * 10.0).round() / 10.0,
        }
    }
}

/// Writes `{"findings": [...], "summary": {...}}`.
///
/// # Errors
/// I/O errors from `w`.
pub fn write_json<W: Write>(mut w: W, findings: &[Finding], stats: &ScanStats) -> io::Result<()> {
    #[derive(Serialize)]
    struct Report<'a> {
        findings: &'a [Finding],
        summary: Summary<'a>,
    }
    serde_json::to_writer_pretty(
        &mut w,
        &Report {
            findings,
            summary: Summary::new(findings, stats),
        },
    )?;
    writeln!(w)
}

/// Writes one finding per line.
///
/// # Errors
/// I/O errors from `w`.
pub fn write_jsonl<W: Write>(mut w: W, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut w, f)?;
        writeln!(w)?;
    }
    Ok(())
}
