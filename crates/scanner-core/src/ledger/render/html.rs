//! The HTML report.
//!
//! One self-contained page: inline CSS (light and dark through `prefers-color-scheme`, a print
//! stylesheet), inline SVG charts ([`super::svg`]), no script and no external resource, so it opens
//! offline, in a mail client and under a strict Content Security Policy (the page declares one that
//! forbids scripts). Tables are capped so that a ledger of 100,000 credentials still gives a page a
//! browser opens at once; the JSON report has everything.

use std::fmt::Write as _;

use crate::Date;

use super::super::model::{Distribution, LedgerReport, Lifecycle, OwnerTable, RepoRow};
use super::format::{days, esc, instant, int, list, pct, short_fingerprint};
use super::svg::{bar_chart, time_chart, BarChart, Kind, Series, TimeChart};

/// Rows in one owner's table; the rest is counted ("and 12 more").
pub(crate) const OWNER_ROWS: usize = 200;
/// Owners with a table of their own (the summary table lists more; `(unowned)` always has one).
pub(crate) const OWNER_TABLES: usize = 50;
/// Rows in the owners' summary table.
const OWNER_SUMMARY_ROWS: usize = 500;
/// Rows in the most-reused table.
pub(crate) const REUSED_ROWS: usize = 20;
/// Rows in the repositories' table (most open credentials first).
pub(crate) const REPO_ROWS: usize = 200;
/// Runs of one repository drawn one point each; more runs, or the runs of several repositories, are
/// drawn as one point per day (their credential-weighted mean), so that an organisation's thousands
/// of runs stay a chart and not a smear.
const RUN_POINTS: usize = 400;

const STYLE: &str = include_str!("report.css");

/// The report as one self-contained HTML page.
///
/// Every string from the ledger is escaped; the page has no script and loads nothing. A report
/// without runs or history renders too, its charts saying "No data yet".
///
/// ```
/// use leakhound_core::ledger::model::LedgerReport;
/// use leakhound_core::ledger::render;
///
/// let mut report = LedgerReport::default();
/// report.ledger = "sqlite:ledger.db".into();
/// let page = render::html(&report);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("No data yet"));
/// assert!(!page.contains("<script"));
/// ```
pub fn html(report: &LedgerReport) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="leakhound">
<title>Credential ledger · {}</title>
<style>{STYLE}</style>
</head>
<body>
"#,
        esc(&instant(&report.generated_at))
    );
    header(&mut out, report);
    out.push_str("<main>\n");
    kpis(&mut out, report);
    trend(&mut out, report);
    distributions(&mut out, report);
    repositories(&mut out, &report.repositories);
    owners(&mut out, &report.owners);
    reused(&mut out, report);
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<footer>Made by leakhound from <code>{}</code>. The ledger holds fingerprints and metadata, never a secret. \
         Tables here are capped; <code>leakhound report --format json</code> has every credential.</footer>\n</body>\n</html>\n",
        esc(&report.ledger)
    );
    out
}

/// The page's header: what ledger, when, which filters, which period.
fn header(out: &mut String, report: &LedgerReport) {
    let applied =
        super::format::filters(&report.filters, |v| format!("<strong>{}</strong>", esc(v)));
    let period = match (report.runs.first(), report.runs.last()) {
        (Some(first), Some(last)) => {
            format!("{} – {}", esc(&date_of(&first.at)), esc(&date_of(&last.at)))
        }
        _ => "no runs yet".to_owned(),
    };
    let _ = write!(
        out,
        r#"<header class="top">
<div class="brand"><p class="eyebrow">leakhound · credential ledger</p><h1>Secrets exposure report</h1></div>
<dl class="meta">
<div><dt>Ledger</dt><dd><code>{}</code></dd></div>
<div><dt>Generated</dt><dd>{}</dd></div>
<div><dt>Period</dt><dd>{period}</dd></div>
<div><dt>Filters</dt><dd>{applied}</dd></div>
<div><dt>Fingerprints</dt><dd>{}</dd></div>
</dl>
</header>
"#,
        esc(&report.ledger),
        esc(&instant(&report.generated_at)),
        esc(if report.fingerprint_kind.is_empty() {
            "sha256"
        } else {
            &report.fingerprint_kind
        }),
    );
}

/// How a tile is coloured.
#[derive(Clone, Copy)]
enum Tone {
    Plain,
    /// Bad when above zero.
    Alert,
    /// Worth a look when above zero.
    Warn,
}

/// The headline numbers as tiles: the seven that matter most, then six more.
fn kpis(out: &mut String, report: &LedgerReport) {
    let k = &report.kpis;
    out.push_str(r#"<section class="kpis" aria-label="Headline numbers">"#);
    out.push_str(r#"<div class="tiles primary">"#);
    tile(
        out,
        "Credentials",
        &int(k.credentials),
        &format!(
            "{} runs · {} repositories",
            int(k.runs),
            int(k.repositories)
        ),
        Tone::Plain,
        k.credentials,
    );
    tile(
        out,
        "Open",
        &int(k.open),
        "not revoked",
        Tone::Plain,
        k.open,
    );
    tile(
        out,
        "Overdue",
        &int(k.overdue),
        "open past their due date",
        Tone::Alert,
        k.overdue,
    );
    tile(
        out,
        "Live",
        &int(k.live),
        "a provider said live",
        Tone::Alert,
        k.live,
    );
    tile(
        out,
        "Unknown origin",
        &int(k.unknown_origin),
        "open, not in the inventory",
        Tone::Warn,
        k.unknown_origin,
    );
    percent_tile(out, "Owned", k.owned_pct, "of open credentials");
    percent_tile(out, "With expiry", k.with_expiry_pct, "of open credentials");
    out.push_str("</div>\n<div class=\"tiles secondary\">");
    tile(
        out,
        "Revoked",
        &int(k.revoked),
        "dead or revoked",
        Tone::Plain,
        0,
    );
    tile(
        out,
        "Removed from HEAD",
        &int(k.removed_from_head),
        "gone from the latest tree",
        Tone::Plain,
        0,
    );
    tile(
        out,
        "Reused",
        &int(k.reused),
        "in several repositories or environments",
        Tone::Warn,
        k.reused,
    );
    tile(
        out,
        "Median time to detect",
        &days(k.median_time_to_detect_days),
        "introduced → first detected",
        Tone::Plain,
        0,
    );
    tile(
        out,
        "Median time to remove",
        &days(k.median_time_to_remove_days),
        "detected → gone from HEAD",
        Tone::Plain,
        0,
    );
    tile(
        out,
        "Median time to revoke",
        &days(k.median_time_to_revoke_days),
        "detected → revoked",
        Tone::Plain,
        0,
    );
    out.push_str("</div>\n<div class=\"tiles secondary\">");
    tile(
        out,
        "Repositories with open credentials",
        &int(k.repositories_with_open),
        &format!("of {} repositories", int(k.repositories)),
        Tone::Warn,
        k.repositories_with_open,
    );
    tile(
        out,
        "Last run incomplete",
        &int(k.repositories_incomplete),
        "repositories whose last run lost input",
        Tone::Alert,
        k.repositories_incomplete,
    );
    tile(
        out,
        "Shared across repositories",
        &int(k.shared),
        "credentials seen in two or more repositories",
        Tone::Warn,
        k.shared,
    );
    out.push_str("</div></section>\n");
}

fn tile(out: &mut String, label: &str, value: &str, note: &str, tone: Tone, n: usize) {
    let class = match tone {
        Tone::Alert if n > 0 => " alert",
        Tone::Warn if n > 0 => " warn",
        _ => "",
    };
    let _ = write!(
        out,
        r#"<div class="tile{class}"><div class="label">{}</div><div class="value">{}</div><div class="note">{}</div></div>"#,
        esc(label),
        esc(value),
        esc(note)
    );
}

/// A percentage tile with a bar under the number (an SVG, so no inline style is needed).
fn percent_tile(out: &mut String, label: &str, p: f64, note: &str) {
    let fill = if p.is_finite() {
        p.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let _ = write!(
        out,
        r#"<div class="tile"><div class="label">{}</div><div class="value">{}</div><svg class="meter" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"><rect class="track" width="100" height="6" rx="3"/><rect class="fill" width="{fill:.1}" height="6" rx="3"/></svg><div class="note">{}</div></div>"#,
        esc(label),
        esc(&pct(p)),
        esc(note)
    );
}

/// The charts over time: open credentials, new and revoked per day, governance per run.
fn trend(out: &mut String, report: &LedgerReport) {
    let trend = &report.trend;
    let day = |s: &str| Date::parse(s).map(|d| d.days() as f64);
    let series =
        |name: &str, kind, color, value: fn(&super::super::model::TrendPoint) -> usize| Series {
            name: name.to_owned(),
            kind,
            color,
            points: trend
                .iter()
                .filter_map(|p| Some((day(&p.date)?, value(p) as f64)))
                .collect(),
        };
    let open_chart = time_chart(&TimeChart {
        id: "chart-open",
        title: "Open credentials over time",
        y_label: "credentials",
        y_max: None,
        y_suffix: "",
        width: 1240.0,
        height: 300.0,
        series: vec![
            series("open", Kind::Line, 0, |p| p.open),
            series("in HEAD", Kind::Line, 1, |p| p.in_head),
        ],
    });
    let now = match trend.last() {
        Some(last) => format!(
            " On {}: <strong>{}</strong> open, <strong>{}</strong> still in HEAD.",
            esc(&last.date),
            int(last.open),
            int(last.in_head)
        ),
        None => String::new(),
    };
    let flow_chart = time_chart(&TimeChart {
        id: "chart-flow",
        title: "New and revoked credentials per day",
        y_label: "credentials",
        y_max: None,
        y_suffix: "",
        width: 610.0,
        height: 280.0,
        series: vec![
            series("new", Kind::Bar, 2, |p| p.new),
            series("revoked", Kind::Bar, 3, |p| p.revoked),
        ],
    });
    let (runs, per_day) = governance_points(report);
    let governance_chart = time_chart(&TimeChart {
        id: "chart-governance",
        title: "Governance per run: share owned and share with an expiry",
        y_label: "% of credentials",
        y_max: Some(100.0),
        y_suffix: "%",
        width: 610.0,
        height: 280.0,
        series: runs,
    });
    let _ = write!(
        out,
        r#"<section aria-labelledby="h-trend"><h2 id="h-trend">Over time</h2>
<figure class="card wide">{open_chart}<figcaption><strong>Open credentials</strong> (not revoked) and those <strong>in HEAD</strong> (still in the latest tree), one point per day with a run.{now}</figcaption></figure>
<div class="pair">
<figure class="card">{flow_chart}<figcaption><strong>New</strong> (first detected) and <strong>revoked</strong> credentials per day with a run.</figcaption></figure>
<figure class="card">{governance_chart}<figcaption>Each run's share of credentials with an inventory <strong>owner</strong> and with an <strong>expiry</strong>{}.</figcaption></figure>
</div></section>
"#,
        if per_day {
            " (each day's mean over its runs, weighted by credentials)"
        } else {
            ""
        }
    );
}

/// The runs' percentages as two series, per run or (many runs) per day; and whether per day.
fn governance_points(report: &LedgerReport) -> (Vec<Series>, bool) {
    let runs: Vec<(f64, &super::super::model::RunPoint)> = report
        .runs
        .iter()
        .filter_map(|r| Some((instant_days(&r.at)?, r)))
        .collect();
    // Several repositories' runs interleave (each its own percentages): one point per day reads as
    // the organisation's share; one repository's runs are drawn as they are, up to RUN_POINTS.
    let repos: std::collections::BTreeSet<&str> =
        runs.iter().map(|(_, r)| r.repo.as_str()).collect();
    let per_day = runs.len() > RUN_POINTS || repos.len() > 1;
    type Points = Vec<(f64, f64)>;
    let (owned, expiry): (Points, Points) = if per_day {
        let mut days: std::collections::BTreeMap<i64, (f64, f64, f64, usize)> = Default::default();
        for (x, r) in &runs {
            let e = days.entry(x.floor() as i64).or_default();
            let w = r.credentials as f64;
            if r.owned_pct.is_finite() && r.with_expiry_pct.is_finite() {
                e.0 += r.owned_pct * w;
                e.1 += r.with_expiry_pct * w;
                e.2 += w;
            }
            e.3 += 1;
        }
        days.into_iter()
            .filter(|(_, (_, _, w, _))| *w > 0.0)
            .map(|(d, (o, x, w, _))| ((d as f64, o / w), (d as f64, x / w)))
            .unzip()
    } else {
        runs.iter()
            .map(|(x, r)| ((*x, r.owned_pct), (*x, r.with_expiry_pct)))
            .unzip()
    };
    (
        vec![
            Series {
                name: "owned".into(),
                kind: Kind::Line,
                color: 4,
                points: owned,
            },
            Series {
                name: "with expiry".into(),
                kind: Kind::Line,
                color: 5,
                points: expiry,
            },
        ],
        per_day,
    )
}

/// The four distributions as histograms, each with its median and 90th percentile stated.
fn distributions(out: &mut String, report: &LedgerReport) {
    out.push_str(
        r#"<section aria-labelledby="h-dist"><h2 id="h-dist">How long</h2><div class="pair">"#,
    );
    let charts = [
        (
            "chart-exposure",
            "Exposure age of open credentials",
            "Days since introduced (else since first detected).",
            &report.exposure_age,
            2,
        ),
        (
            "chart-detect",
            "Time to detect",
            "Days from the commit that introduced a credential to the first run that saw it.",
            &report.time_to_detect,
            0,
        ),
        (
            "chart-remove",
            "Time to remove from HEAD",
            "Days from first detected to the first run whose tree no longer had it.",
            &report.time_to_remove,
            1,
        ),
        (
            "chart-revoke",
            "Time to revoke",
            "Days from first detected to revoked (inventory, revoke, or a provider said dead).",
            &report.time_to_revoke,
            3,
        ),
    ];
    for (id, title, what, dist, color) in charts {
        let svg = bar_chart(&BarChart {
            id,
            title,
            x_label: "days",
            y_label: "credentials",
            width: 610.0,
            height: 260.0,
            color,
            bars: if dist.count == 0 {
                Vec::new()
            } else {
                dist.buckets
                    .iter()
                    .map(|b| (b.label.clone(), b.count as f64))
                    .collect()
            },
        });
        let _ = write!(
            out,
            r#"<figure class="card">{svg}<figcaption><strong>{}</strong> {} {}</figcaption></figure>"#,
            esc(title),
            stats(dist),
            esc(what)
        );
    }
    out.push_str("</div></section>\n");
}

/// `n = 12 · median 4 d · p90 30 d · max 90 d`, as HTML.
fn stats(dist: &Distribution) -> String {
    if dist.count == 0 {
        return r#"<span class="stats">no values yet.</span>"#.to_owned();
    }
    format!(
        r#"<span class="stats">n = {} · median <strong>{}</strong> · p90 <strong>{}</strong> · max {}.</span>"#,
        int(dist.count),
        days(dist.median),
        days(dist.p90),
        days(dist.max)
    )
}

/// The repositories: most open credentials first, at most [`REPO_ROWS`].
fn repositories(out: &mut String, rows: &[RepoRow]) {
    out.push_str(r#"<section aria-labelledby="h-repos"><h2 id="h-repos">Repositories</h2>"#);
    if rows.is_empty() {
        out.push_str(r#"<p class="card nodata">No runs yet.</p></section>"#);
        return;
    }
    out.push_str(
        r#"<div class="card"><div class="scroll"><table class="repos"><thead><tr><th scope="col">Repository</th><th scope="col" class="num">Runs</th><th scope="col">Last run</th><th scope="col" class="num">Open</th><th scope="col" class="num">In HEAD</th><th scope="col" class="num">Overdue</th><th scope="col" class="num">Live</th><th scope="col" class="num">Unknown origin</th><th scope="col" class="num">Owned</th><th scope="col" class="num">With expiry</th><th scope="col" class="num">Shared</th></tr></thead><tbody>"#,
    );
    for r in rows.iter().take(REPO_ROWS) {
        let last = match r.last_run_complete {
            true => esc(&instant(&r.last_run)),
            false => format!(
                r#"{} <span class="badge overdue" title="the run lost input: its numbers may be short">incomplete</span>"#,
                esc(&instant(&r.last_run))
            ),
        };
        let bad = |n: usize| if n > 0 { " bad" } else { "" };
        let _ = write!(
            out,
            r#"<tr><td class="wrap" title="{}">{}</td><td class="num">{}</td><td>{last}</td><td class="num">{}</td><td class="num">{}</td><td class="num{}">{}</td><td class="num{}">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(&r.repo),
            breakable(&r.repo),
            int(r.runs),
            int(r.open),
            int(r.in_head),
            bad(r.overdue),
            int(r.overdue),
            bad(r.live),
            int(r.live),
            int(r.unknown_origin),
            esc(&pct(r.owned_pct)),
            esc(&pct(r.with_expiry_pct)),
            int(r.shared),
        );
    }
    out.push_str("</tbody></table></div>");
    more(out, rows.len().saturating_sub(REPO_ROWS), "repositories");
    out.push_str("</div></section>\n");
}

/// The owners: a summary table, then each owner's open credentials, oldest first.
fn owners(out: &mut String, owners: &[OwnerTable]) {
    out.push_str(
        r#"<section aria-labelledby="h-owners"><h2 id="h-owners">Open credentials by owner</h2>"#,
    );
    if owners.is_empty() {
        out.push_str(r#"<p class="card nodata">No credentials yet.</p></section>"#);
        return;
    }
    // The owners with a table: the first ones as given, and `(unowned)` wherever it is.
    let detailed: Vec<usize> = owners
        .iter()
        .enumerate()
        .filter(|(i, o)| o.open > 0 && (*i < OWNER_TABLES || o.owner == "(unowned)"))
        .map(|(i, _)| i)
        .collect();
    out.push_str(
        r#"<div class="card"><table class="summary"><caption>Owners</caption><thead><tr><th scope="col">Owner</th><th scope="col" class="num">Open</th><th scope="col" class="num">Overdue</th><th scope="col" class="num">Oldest open</th></tr></thead><tbody>"#,
    );
    for (i, owner) in owners.iter().enumerate().take(OWNER_SUMMARY_ROWS) {
        let oldest = owner
            .credentials
            .iter()
            .filter(|c| c.open)
            .map(|c| c.age_days)
            .max();
        let name = if detailed.contains(&i) {
            format!(r##"<a href="#owner-{i}">{}</a>"##, esc(&owner.owner))
        } else {
            esc(&owner.owner)
        };
        let _ = write!(
            out,
            r#"<tr><th scope="row">{name}</th><td class="num">{}</td><td class="num{}">{}</td><td class="num">{}</td></tr>"#,
            int(owner.open),
            if owner.overdue > 0 { " bad" } else { "" },
            int(owner.overdue),
            days(oldest)
        );
    }
    out.push_str("</tbody></table>");
    more(
        out,
        owners.len().saturating_sub(OWNER_SUMMARY_ROWS),
        "owners",
    );
    out.push_str("</div>\n");
    for i in detailed {
        owner_table(out, i, &owners[i]);
    }
    out.push_str("</section>\n");
}

/// One owner's open credentials, oldest first, at most [`OWNER_ROWS`].
fn owner_table(out: &mut String, i: usize, owner: &OwnerTable) {
    let mut open: Vec<&Lifecycle> = owner.credentials.iter().filter(|c| c.open).collect();
    // Oldest first whatever order the model came in; stable, so equal ages keep theirs.
    open.sort_by_key(|c| std::cmp::Reverse(c.age_days));
    let _ = write!(
        out,
        r#"<section class="card owner" id="owner-{i}" aria-labelledby="owner-{i}-h"><h3 id="owner-{i}-h"><span class="owner-name">{}</span> <span class="counts">{} open · {} overdue</span></h3><div class="scroll"><table><thead><tr><th scope="col">Fingerprint</th><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Repository</th><th scope="col">Path</th><th scope="col">Introduced</th><th scope="col">First detected</th><th scope="col" class="num">Age</th><th scope="col">Due</th><th scope="col">Liveness</th></tr></thead><tbody>"#,
        esc(&owner.owner),
        int(owner.open),
        int(owner.overdue)
    );
    for c in open.iter().take(OWNER_ROWS) {
        let due = if c.overdue {
            format!(
                r#"<strong>{}</strong> <span class="badge overdue">overdue</span>"#,
                esc(&c.due)
            )
        } else {
            esc(&c.due)
        };
        let _ = write!(
            out,
            r#"<tr{}><td>{}</td><td>{}</td><td>{}</td><td class="wrap" title="{}">{}</td><td class="wrap path">{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{due}</td><td>{}</td></tr>"#,
            if c.overdue { r#" class="overdue""# } else { "" },
            fingerprint(&c.fingerprint),
            esc(&c.rule),
            severity(&c.severity),
            esc(&c.repos.join("\n")),
            breakable(&list(&c.repos, 1)),
            breakable(&c.path),
            esc(c.introduced.as_deref().unwrap_or("–")),
            esc(&c.first_detected),
            days(Some(c.age_days)),
            liveness(c.liveness.as_deref()),
        );
    }
    out.push_str("</tbody></table></div>");
    more(
        out,
        open.len().saturating_sub(OWNER_ROWS),
        "open credentials",
    );
    out.push_str("</section>\n");
}

/// The most reused credentials, at most [`REUSED_ROWS`].
fn reused(out: &mut String, report: &LedgerReport) {
    out.push_str(
        r#"<section aria-labelledby="h-reused"><h2 id="h-reused">Most reused credentials</h2>"#,
    );
    if report.reused.is_empty() {
        out.push_str(r#"<p class="card nodata">No credential was seen in more than one repository or environment.</p></section>"#);
        return;
    }
    out.push_str(
        r#"<div class="card"><div class="scroll"><table><thead><tr><th scope="col">Fingerprint</th><th scope="col">Rule</th><th scope="col" class="num">Repositories</th><th scope="col">Seen in</th><th scope="col">Environments</th><th scope="col">Owner</th><th scope="col">State</th></tr></thead><tbody>"#,
    );
    for r in report.reused.iter().take(REUSED_ROWS) {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="wrap" title="{}">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            fingerprint(&r.fingerprint),
            esc(&r.rule),
            int(r.repos.len()),
            esc(&r.repos.join("\n")),
            breakable(&list(&r.repos, 3)),
            esc(&list(&r.environments, 4)),
            esc(r.owner.as_deref().unwrap_or("(unowned)")),
            if r.open {
                r#"<span class="badge open">open</span>"#
            } else {
                r#"<span class="badge closed">revoked</span>"#
            },
        );
    }
    out.push_str("</tbody></table></div>");
    more(
        out,
        report.reused.len().saturating_sub(REUSED_ROWS),
        "reused credentials",
    );
    out.push_str("</div></section>\n");
}

/// "and 12 more …" under a capped table.
fn more(out: &mut String, n: usize, what: &str) {
    if n > 0 {
        let _ = write!(
            out,
            r#"<p class="more">and {} more {what} (the JSON report lists every one).</p>"#,
            int(n)
        );
    }
}

/// Escaped, with a line-break opportunity after each `/`, so that a long path wraps at its
/// separators instead of widening the table or breaking inside a name.
fn breakable(s: &str) -> String {
    esc(s).replace('/', "/<wbr>")
}

fn fingerprint(fp: &str) -> String {
    format!(
        r#"<code title="{}">{}</code>"#,
        esc(fp),
        esc(short_fingerprint(fp))
    )
}

fn severity(s: &str) -> String {
    let class = match s {
        "critical" | "high" | "medium" | "low" => s,
        _ => "other",
    };
    format!(r#"<span class="sev {class}">{}</span>"#, esc(s))
}

fn liveness(l: Option<&str>) -> String {
    match l {
        Some("live") => r#"<span class="badge live">live</span>"#.to_owned(),
        Some("dead") => r#"<span class="badge closed">dead</span>"#.to_owned(),
        Some(other) => format!(r#"<span class="badge">{}</span>"#, esc(other)),
        None => r#"<span class="muted">not checked</span>"#.to_owned(),
    }
}

/// The date of an RFC 3339 instant (UTC).
fn date_of(s: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d").to_string(),
        Err(_) => s.get(..10).unwrap_or(s).to_owned(),
    }
}

/// Days since 1970-01-01 of an RFC 3339 instant, with the time of day as a fraction.
fn instant_days(s: &str) -> Option<f64> {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => Some(t.as_second() as f64 / 86_400.0),
        Err(_) => Date::parse(s).map(|d| d.days() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::model::*;
    use super::*;

    fn lifecycle(owner: &str, age: i64, overdue: bool) -> Lifecycle {
        Lifecycle {
            fingerprint: format!("sha256:{:064x}", age),
            rule: "github-pat-classic".into(),
            severity: "high".into(),
            owner: Some(owner.into()),
            status: "owned".into(),
            repos: vec!["github.com/acme/shop".into()],
            path: "src/config.py".into(),
            first_detected: "2026-01-05".into(),
            last_seen: "2026-12-28".into(),
            due: "2026-02-04".into(),
            overdue,
            open: true,
            age_days: age,
            ..Lifecycle::default()
        }
    }

    #[test]
    fn every_user_string_is_escaped() {
        let evil = "<script>alert(1)</script>";
        let mut report = LedgerReport {
            ledger: evil.into(),
            ..LedgerReport::default()
        };
        report.filters.owner = Some(evil.into());
        let mut c = lifecycle(evil, 3, true);
        c.path = evil.into();
        c.repos = vec![evil.into()];
        c.rule = evil.into();
        report.owners = vec![OwnerTable {
            owner: evil.into(),
            open: 1,
            overdue: 1,
            credentials: vec![c],
        }];
        report.reused = vec![Reused {
            fingerprint: evil.into(),
            rule: evil.into(),
            repos: vec![evil.into(), "b".into()],
            repo_count: 2,
            environments: vec![evil.into()],
            owner: Some(evil.into()),
            open: true,
        }];
        let page = html(&report);
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    fn repo_row(repo: &str, open: usize) -> RepoRow {
        RepoRow {
            repo: repo.into(),
            runs: 3,
            last_run: "2026-03-01T06:00:00Z".into(),
            last_run_complete: true,
            open,
            in_head: open,
            owned_pct: 50.0,
            ..RepoRow::default()
        }
    }

    #[test]
    fn repository_names_are_escaped_and_incomplete_runs_flagged() {
        let mut row = repo_row("github.com/acme/<b>&</b>", 2);
        row.last_run_complete = false;
        row.overdue = 1;
        let mut report = LedgerReport {
            repositories: vec![row],
            ..LedgerReport::default()
        };
        report.kpis.repositories = 1;
        report.kpis.repositories_incomplete = 1;
        let page = html(&report);
        assert!(!page.contains("<b>&</b>"), "{page}");
        assert!(page.contains("github.com/<wbr>acme/<wbr>&lt;b&gt;&amp;&lt;/<wbr>b&gt;"));
        assert!(page.contains(r#"title="github.com/acme/&lt;b&gt;&amp;&lt;/b&gt;""#));
        assert!(page.contains(">2026-03-01 06:00 UTC <span class=\"badge overdue\""));
        assert!(page.contains(">incomplete</span>"));
        assert!(page.contains("Last run incomplete"));
        assert!(page.contains(r#"<td class="num bad">1</td>"#));
    }

    #[test]
    fn the_repositories_table_is_capped() {
        let report = LedgerReport {
            repositories: (0..REPO_ROWS + 7)
                .map(|i| repo_row(&format!("github.com/acme/repo-{i:04}"), 1000 - i))
                .collect(),
            ..LedgerReport::default()
        };
        let page = html(&report);
        assert!(page.contains("and 7 more repositories (the JSON report lists every one)."));
        assert!(page.contains("repo-0199<"));
        assert!(!page.contains("repo-0200<"));
        let table = page.split(r#"<table class="repos">"#).nth(1).unwrap();
        let table = table.split("</table>").next().unwrap();
        assert_eq!(
            table.matches("<tr>").count(),
            REPO_ROWS + 1,
            "the header and the rows"
        );
    }

    #[test]
    fn an_empty_report_renders_with_no_data_states() {
        let page = html(&LedgerReport::default());
        assert!(page.contains("</html>"));
        // The three time charts and the four histograms.
        assert_eq!(page.matches("No data yet").count(), 7);
        assert!(page.contains("No credentials yet."));
        assert!(page.contains("No runs yet."));
        assert!(!page.contains("NaN") && !page.contains("inf"));
    }

    #[test]
    fn tables_are_capped_and_say_how_many_more() {
        let credentials: Vec<Lifecycle> = (0..OWNER_ROWS as i64 + 5)
            .map(|age| lifecycle("payments", age, false))
            .collect();
        let report = LedgerReport {
            owners: vec![OwnerTable {
                owner: "payments".into(),
                open: credentials.len(),
                overdue: 0,
                credentials,
            }],
            ..LedgerReport::default()
        };
        let page = html(&report);
        assert!(page.contains("and 5 more open credentials"));
        // Oldest first: the oldest is in the table, the 5 youngest are not.
        assert!(page.contains(&format!("{} d", OWNER_ROWS + 4)));
        assert!(!page.contains(">4 d<"));
    }

    #[test]
    fn numbers_and_overdue_rows_are_shown() {
        let mut report = LedgerReport::default();
        report.kpis.credentials = 12_345;
        report.kpis.owned_pct = 66.66;
        report.kpis.median_time_to_detect_days = Some(40);
        report.owners = vec![OwnerTable {
            owner: "payments".into(),
            open: 1,
            overdue: 1,
            credentials: vec![lifecycle("payments", 400, true)],
        }];
        let page = html(&report);
        assert!(page.contains("12\u{202F}345"));
        assert!(page.contains("66.7%"));
        assert!(page.contains(">40 d<"));
        assert!(page.contains(r#"<tr class="overdue">"#));
        assert!(page.contains(">000000000000</code>"));
    }

    #[test]
    fn many_runs_are_drawn_per_day() {
        let report = LedgerReport {
            runs: (0..RUN_POINTS + 1)
                .map(|i| RunPoint {
                    id: i as i64,
                    at: format!("2026-03-{:02}T{:02}:00:00Z", 1 + i % 20, i % 24),
                    credentials: 10,
                    owned_pct: 50.0,
                    with_expiry_pct: 25.0,
                    ..RunPoint::default()
                })
                .collect(),
            ..LedgerReport::default()
        };
        let page = html(&report);
        assert!(page.contains("each day&#39;s mean") || page.contains("each day's mean"));
        let governance = page
            .split(r#"id="chart-governance""#)
            .nth(1)
            .expect("the chart");
        let governance = governance.split("</svg>").next().expect("its end");
        assert_eq!(governance.matches("<circle class=\"pt").count(), 40);
    }
}
