//! The Markdown report.
//!
//! GitHub-flavoured Markdown for a CI job summary or a weekly issue: the headline numbers, the
//! distributions' medians, the owners (each with their oldest open credentials) and the most reused
//! credentials. Every string from the ledger is escaped for a table cell: pipes, backticks and the
//! other inline markup characters, and `<`, `>`, `&` (GitHub renders inline HTML).

use std::fmt::Write as _;

use super::super::model::{Distribution, LedgerReport, Lifecycle, OwnerTable, RepoRow};
use super::format::{days, instant, int, list, pct, short_fingerprint};

/// Rows in one owner's table.
const OWNER_ROWS: usize = 10;
/// Owners with a table of their own (`(unowned)` always has one).
const OWNER_TABLES: usize = 20;
/// Rows in the owners' summary table.
const OWNER_SUMMARY_ROWS: usize = 100;
/// Rows in the most-reused table.
const REUSED_ROWS: usize = 20;
/// Rows in the repositories' table (most open credentials first).
const REPO_ROWS: usize = 20;

/// The report's headline numbers and owner tables as Markdown.
///
/// ```
/// use leakhound_core::ledger::model::LedgerReport;
/// use leakhound_core::ledger::render;
///
/// let mut report = LedgerReport::default();
/// report.kpis.credentials = 3;
/// let text = render::markdown(&report);
/// assert!(text.starts_with("## Credential ledger"));
/// assert!(text.contains("| 3 |"));
/// ```
pub fn markdown(report: &LedgerReport) -> String {
    let mut out = String::with_capacity(16 * 1024);
    header(&mut out, report);
    kpis(&mut out, report);
    distributions(&mut out, report);
    repositories(&mut out, &report.repositories);
    owners(&mut out, &report.owners);
    reused(&mut out, report);
    out.push_str(
        "\n<sub>Tables are capped; `leakhound report --format json` has every credential. \
         The ledger holds fingerprints and metadata, never a secret.</sub>\n",
    );
    out
}

fn header(out: &mut String, report: &LedgerReport) {
    let filters = super::format::filters(&report.filters, md);
    let period = match (report.runs.first(), report.runs.last()) {
        (Some(a), Some(b)) => format!(
            " · runs {} – {}",
            md(a.at.get(..10).unwrap_or(&a.at)),
            md(b.at.get(..10).unwrap_or(&b.at))
        ),
        _ => " · no runs yet".to_owned(),
    };
    let _ = writeln!(
        out,
        "## Credential ledger\n\nGenerated {} from {}{period} · filters: {} · fingerprints: {}\n",
        md(&instant(&report.generated_at)),
        code(&report.ledger),
        filters,
        md(if report.fingerprint_kind.is_empty() {
            "sha256"
        } else {
            &report.fingerprint_kind
        }),
    );
}

fn kpis(out: &mut String, report: &LedgerReport) {
    let k = &report.kpis;
    let _ = writeln!(
        out,
        "| Credentials | Open | Overdue | Live | Unknown origin | Owned | With expiry |\n\
         |---:|---:|---:|---:|---:|---:|---:|\n\
         | {} | {} | {} | {} | {} | {} | {} |\n",
        int(k.credentials),
        int(k.open),
        bold_if(k.overdue),
        bold_if(k.live),
        int(k.unknown_origin),
        pct(k.owned_pct),
        pct(k.with_expiry_pct),
    );
    let _ = writeln!(
        out,
        "| Runs | Repositories | Revoked | Removed from HEAD | Reused | Median time to detect | Median time to remove | Median time to revoke |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        int(k.runs),
        int(k.repositories),
        int(k.revoked),
        int(k.removed_from_head),
        int(k.reused),
        days(k.median_time_to_detect_days),
        days(k.median_time_to_remove_days),
        days(k.median_time_to_revoke_days),
    );
    let _ = writeln!(
        out,
        "| Repositories with open credentials | Last run incomplete | Shared across repositories |\n\
         |---:|---:|---:|\n\
         | {} of {} | {} | {} |\n",
        int(k.repositories_with_open),
        int(k.repositories),
        bold_if(k.repositories_incomplete),
        int(k.shared),
    );
}

fn bold_if(n: usize) -> String {
    if n > 0 {
        format!("**{}**", int(n))
    } else {
        int(n)
    }
}

fn distributions(out: &mut String, report: &LedgerReport) {
    out.push_str(
        "### How long\n\n| Days | Count | Median | p90 | Max |\n|---|---:|---:|---:|---:|\n",
    );
    let rows: [(&str, &Distribution); 4] = [
        ("Exposure age of open credentials", &report.exposure_age),
        ("Time to detect", &report.time_to_detect),
        ("Time to remove from HEAD", &report.time_to_remove),
        ("Time to revoke", &report.time_to_revoke),
    ];
    for (name, d) in rows {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            int(d.count),
            days(d.median),
            days(d.p90),
            days(d.max)
        );
    }
    out.push('\n');
}

fn repositories(out: &mut String, rows: &[RepoRow]) {
    out.push_str("### Repositories\n\n");
    if rows.is_empty() {
        out.push_str("No runs yet.\n\n");
        return;
    }
    out.push_str(
        "| Repository | Runs | Last run | Open | In HEAD | Overdue | Live | Unknown origin | Owned | With expiry | Shared |\n\
         |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows.iter().take(REPO_ROWS) {
        let last = match r.last_run_complete {
            true => md(&instant(&r.last_run)),
            false => format!("{} **(incomplete)**", md(&instant(&r.last_run))),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {last} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&r.repo),
            int(r.runs),
            int(r.open),
            int(r.in_head),
            bold_if(r.overdue),
            bold_if(r.live),
            int(r.unknown_origin),
            pct(r.owned_pct),
            pct(r.with_expiry_pct),
            int(r.shared),
        );
    }
    more(out, rows.len().saturating_sub(REPO_ROWS), "repositories");
    out.push('\n');
}

fn owners(out: &mut String, owners: &[OwnerTable]) {
    out.push_str("### Open credentials by owner\n\n");
    if owners.is_empty() {
        out.push_str("No credentials yet.\n\n");
        return;
    }
    out.push_str("| Owner | Open | Overdue | Oldest open |\n|---|---:|---:|---:|\n");
    for owner in owners.iter().take(OWNER_SUMMARY_ROWS) {
        let oldest = owner
            .credentials
            .iter()
            .filter(|c| c.open)
            .map(|c| c.age_days)
            .max();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md(&owner.owner),
            int(owner.open),
            bold_if(owner.overdue),
            days(oldest)
        );
    }
    more(
        out,
        owners.len().saturating_sub(OWNER_SUMMARY_ROWS),
        "owners",
    );
    out.push('\n');
    for (i, owner) in owners.iter().enumerate() {
        if owner.open > 0 && (i < OWNER_TABLES || owner.owner == "(unowned)") {
            owner_table(out, owner);
        }
    }
}

fn owner_table(out: &mut String, owner: &OwnerTable) {
    let mut open: Vec<&Lifecycle> = owner.credentials.iter().filter(|c| c.open).collect();
    open.sort_by_key(|c| std::cmp::Reverse(c.age_days));
    let _ = writeln!(
        out,
        "#### {} — {} open, {} overdue\n\n\
         | Fingerprint | Rule | Severity | Repository | Path | Introduced | Age | Due | Liveness |\n\
         |---|---|---|---|---|---|---:|---|---|",
        md(&owner.owner),
        int(owner.open),
        int(owner.overdue)
    );
    for c in open.iter().take(OWNER_ROWS) {
        let due = if c.overdue {
            format!("**{} (overdue)**", md(&c.due))
        } else {
            md(&c.due)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {due} | {} |",
            code(short_fingerprint(&c.fingerprint)),
            md(&c.rule),
            md(&c.severity),
            md(&list(&c.repos, 1)),
            code(&c.path),
            md(c.introduced.as_deref().unwrap_or("–")),
            days(Some(c.age_days)),
            md(c.liveness.as_deref().unwrap_or("not checked")),
        );
    }
    more(
        out,
        open.len().saturating_sub(OWNER_ROWS),
        "open credentials",
    );
    out.push('\n');
}

fn reused(out: &mut String, report: &LedgerReport) {
    out.push_str("### Most reused credentials\n\n");
    if report.reused.is_empty() {
        out.push_str("No credential was seen in more than one repository or environment.\n");
        return;
    }
    out.push_str(
        "| Fingerprint | Rule | Repositories | Seen in | Environments | Owner | State |\n\
         |---|---|---:|---|---|---|---|\n",
    );
    for r in report.reused.iter().take(REUSED_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            code(short_fingerprint(&r.fingerprint)),
            md(&r.rule),
            int(r.repos.len()),
            md(&list(&r.repos, 3)),
            md(&list(&r.environments, 4)),
            md(r.owner.as_deref().unwrap_or("(unowned)")),
            if r.open { "open" } else { "revoked" },
        );
    }
    more(
        out,
        report.reused.len().saturating_sub(REUSED_ROWS),
        "reused credentials",
    );
}

fn more(out: &mut String, n: usize, what: &str) {
    if n > 0 {
        let _ = writeln!(out, "\n…and {} more {what}.", int(n));
    }
}

/// Text for a table cell: inline markup and pipes backslash-escaped, HTML's three characters as
/// entities, line breaks as spaces.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span, for fingerprints, paths and the ledger's URL. Inside a code span backslashes are
/// literal, so a string that would need more than its pipes escaped is plain escaped text instead.
fn code(s: &str) -> String {
    if s.is_empty() || s.contains('`') || s.chars().any(char::is_control) {
        md(s)
    } else {
        // GitHub splits table cells before it parses code spans; `\|` is its way to a pipe in one.
        format!("`{}`", s.replace('|', "\\|"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::model::*;
    use super::*;

    #[test]
    fn cells_escape_pipes_backticks_and_html() {
        assert_eq!(md("a|b`c"), "a\\|b\\`c");
        assert_eq!(md("<script>"), "&lt;script&gt;");
        assert_eq!(md("line\nbreak"), "line break");
        assert_eq!(code("src/a|b.env"), "`src/a\\|b.env`");
        assert_eq!(code("we`ird"), "we\\`ird");
    }

    #[test]
    fn owner_names_cannot_break_the_table() {
        let report = LedgerReport {
            owners: vec![OwnerTable {
                owner: "<script>|`x`".into(),
                open: 1,
                overdue: 1,
                credentials: vec![Lifecycle {
                    fingerprint: "sha256:00112233445566778899".into(),
                    path: "a|b".into(),
                    due: "2026-01-01".into(),
                    overdue: true,
                    open: true,
                    age_days: 30,
                    ..Lifecycle::default()
                }],
            }],
            ..LedgerReport::default()
        };
        let text = markdown(&report);
        assert!(!text.contains("<script"));
        assert!(
            text.contains("| &lt;script&gt;\\|\\`x\\` | 1 | **1** | 30 d |"),
            "{text}"
        );
        assert!(text.contains("`001122334455`"));
        assert!(text.contains("**2026-01-01 (overdue)**"));
        // Every table row has the same number of unescaped pipes as its header.
        for line in text.lines().filter(|l| l.starts_with("| `0011")) {
            assert_eq!(line.replace("\\|", "").matches('|').count(), 10, "{line}");
        }
    }

    #[test]
    fn the_repositories_table_is_escaped_and_capped() {
        let mut report = LedgerReport {
            repositories: (0..25)
                .map(|i| RepoRow {
                    repo: format!("github.com/acme/r{i:02}"),
                    runs: 2,
                    last_run: "2026-03-01T06:00:00Z".into(),
                    last_run_complete: true,
                    open: 30 - i,
                    ..RepoRow::default()
                })
                .collect(),
            ..LedgerReport::default()
        };
        report.repositories[0].repo = "<a>|&`".into();
        report.repositories[0].last_run_complete = false;
        report.repositories[0].overdue = 2;
        let text = markdown(&report);
        assert!(!text.contains("<a>"), "{text}");
        assert!(
            text.contains("| &lt;a&gt;\\|&amp;\\` | 2 | 2026-03-01 06:00 UTC **(incomplete)** | 30 | 0 | **2** | 0 | 0 | 0.0% | 0.0% | 0 |"),
            "{text}"
        );
        assert!(text.contains("| github.com/acme/r19 |"));
        assert!(!text.contains("| github.com/acme/r20 |"));
        assert!(text.contains("…and 5 more repositories."));
        for line in text.lines().filter(|l| l.contains("github.com/acme/r")) {
            assert_eq!(line.replace("\\|", "").matches('|').count(), 12, "{line}");
        }
    }

    #[test]
    fn an_empty_report_renders() {
        let text = markdown(&LedgerReport::default());
        assert!(text.contains("no runs yet"));
        assert!(text.contains("| Time to revoke | 0 | – | – | – |"));
        assert!(text.contains("No credentials yet."));
    }
}
