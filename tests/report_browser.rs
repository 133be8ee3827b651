//! The HTML ledger report in a real browser (Debian's chromium, headless): it renders, every chart
//! has data points with a size, user strings stay text, and a screenshot of a year of weekly runs is
//! saved for review at `<target dir>/report-screenshots/year-of-weekly-runs.png` (the dark palette
//! beside it as `year-of-weekly-runs-dark.png`, the page itself as `.html`, the Markdown as `.md`).
//!
//! The browser is `LEAKHOUND_CHROMIUM`, else `chromium` or `chromium-browser` on PATH. Without one
//! the test fails when `CI` is set and is skipped with a note otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use leakhound_core::ledger::model::{
    Bucket, Distribution, Filters, Kpis, LedgerReport, Lifecycle, OwnerTable, Reused, RunPoint,
    TrendPoint,
};
use leakhound_core::ledger::render;
use leakhound_core::Date;

const WIDTH: u32 = 1400;
const HEIGHT: u32 = 2600;

#[test]
fn html_report_renders_in_a_headless_browser() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no chromium was found (set LEAKHOUND_CHROMIUM or install Debian's chromium)"
        );
        eprintln!("note: no chromium on PATH (or LEAKHOUND_CHROMIUM): the browser test is skipped");
        return;
    };
    let report = year_of_weekly_runs();
    let page = render::html(&report);
    assert!(!page.contains("<script"), "the report has no script");

    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    std::fs::write(&html, &page).unwrap();

    // The screenshot, kept for review.
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("year-of-weekly-runs.png");
    let _ = std::fs::remove_file(&png);
    std::fs::write(shots.join("year-of-weekly-runs.html"), &page).unwrap();
    let markdown = render::markdown(&report);
    assert!(markdown.contains("| R&amp;D &lt;ops&gt; |"), "{markdown}");
    std::fs::write(shots.join("year-of-weekly-runs.md"), markdown).unwrap();
    let out = browse(
        &chromium,
        dir.path(),
        &[&format!("--screenshot={}", png.display())],
        &html,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let be32 = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((be32(16), be32(20)), (WIDTH, HEIGHT), "the window's size");
    // A blank page of this size compresses to a few kilobytes; charts, tables and text do not.
    assert!(bytes.len() > 100_000, "{} bytes only", bytes.len());
    eprintln!("screenshot: {}", png.display());
    // The dark palette (prefers-color-scheme: dark), for review only.
    let dark = shots.join("year-of-weekly-runs-dark.png");
    let out = browse(
        &chromium,
        dir.path(),
        &[
            "--force-dark-mode",
            &format!("--screenshot={}", dark.display()),
        ],
        &html,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("screenshot (dark): {}", dark.display());

    // The measurements, by a script in a copy of the page (the report itself has none, and its
    // Content Security Policy forbids one).
    let csp = page
        .lines()
        .find(|l| l.contains("Content-Security-Policy"))
        .expect("the report declares a CSP");
    let probe = page
        .replace(csp, "")
        .replace("</body>", &format!("<script>{CHECK}</script></body>"));
    let copy = dir.path().join("probe.html");
    std::fs::write(&copy, probe).unwrap();
    let out = browse(&chromium, dir.path(), &["--dump-dom"], &copy);
    let dom = String::from_utf8_lossy(&out.stdout);
    let check = dom
        .split_once(r#"<pre id="check">"#)
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(check, _)| check.to_owned())
        .unwrap_or_else(|| panic!("no check output: {}", String::from_utf8_lossy(&out.stderr)));
    eprintln!("{check}");
    let charts: Vec<(&str, u32, u32, usize)> = check
        .lines()
        .filter_map(|l| {
            let mut f = l.strip_prefix("chart ")?.split(' ');
            Some((
                f.next()?,
                f.next()?.parse().ok()?,
                f.next()?.parse().ok()?,
                f.next()?.parse().ok()?,
            ))
        })
        .collect();
    let ids: Vec<&str> = charts.iter().map(|c| c.0).collect();
    assert_eq!(
        ids,
        [
            "chart-open",
            "chart-flow",
            "chart-governance",
            "chart-exposure",
            "chart-detect",
            "chart-remove",
            "chart-revoke"
        ]
    );
    for (id, w, h, points) in &charts {
        assert!(*w > 300 && *h > 100, "{id} is {w}×{h}");
        assert!(*points > 0, "{id} has no data point with a size");
    }
    // Two lines of one point per weekly run, and two lines of one point per run.
    assert_eq!(charts[0].3, 2 * 52, "open and in HEAD");
    assert_eq!(charts[2].3, 2 * 52, "owned and with expiry");
    assert!(
        check.contains("owner R&amp;D &lt;ops&gt;"),
        "an owner name stays text: {check}"
    );
    assert!(check.contains("scripts 1"), "only the probe runs: {check}");
}

/// Measures each chart and counts its data points with a non-zero size, into `<pre id="check">`.
const CHECK: &str = r#"
(() => {
  const lines = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    let points = 0;
    for (const p of svg.querySelectorAll('.pt')) {
      const b = p.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) points++;
    }
    lines.push(`chart ${svg.id} ${Math.round(box.width)} ${Math.round(box.height)} ${points}`);
  }
  for (const o of document.querySelectorAll('.owner-name')) lines.push(`owner ${o.textContent}`);
  lines.push(`scripts ${document.scripts.length}`);
  const pre = document.createElement('pre');
  pre.id = 'check';
  pre.textContent = lines.join('\n');
  document.body.appendChild(pre);
})();
"#;

/// Where the screenshot goes: `report-screenshots/` in the cargo target directory.
fn screenshot_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target dir>/tmp` for integration tests.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join("report-screenshots")
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LEAKHOUND_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Runs headless chromium on `page` with `args`, its profile in `dir`, for at most two minutes.
fn browse(chromium: &Path, dir: &Path, args: &[&str], page: &Path) -> Output {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", chromium.display()));
    // Read both pipes on threads so that a chatty browser cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).map(|_| v)
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).map(|_| v)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
    }
}

/// A small deterministic generator (xorshift), so the report is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One credential of the synthetic year.
struct Synthetic {
    lifecycle: Lifecycle,
    /// Run index of first detection, of removal from HEAD, of revocation, of the owner's adoption.
    detected: usize,
    removed: Option<usize>,
    revoked: Option<usize>,
    adopted: Option<usize>,
    expiry: bool,
}

/// A ledger of a year of weekly runs over one repository, as the report model: 52 runs, about 330
/// credentials, six owners and the unowned, a share removed from HEAD and revoked as the year goes
/// on, ownership and expiries improving. Synthetic but plausible; to be replaced by a real ledger
/// generated by scans.
fn year_of_weekly_runs() -> LedgerReport {
    const RUNS: usize = 52;
    let repo = "github.com/acme/platform";
    let first = Date::parse("2025-12-01").unwrap().days();
    let day = |run: usize| first + 7 * run as i64;
    let date = |d: i64| Date::from_days(d).to_string();
    let today = day(RUNS - 1);
    let mut rng = Rng(0x5eed_1eaf_b0a7_2026);
    let owners = [
        "payments",
        "platform",
        "data-eng",
        "mobile",
        "identity",
        "R&D <ops>",
    ];
    let rules = [
        ("github-pat-classic", "high"),
        ("aws-access-key-id", "critical"),
        ("slack-bot-token", "medium"),
        ("stripe-secret-key", "critical"),
        ("private-key-pem", "high"),
        ("postgres-url-password", "high"),
        ("gitlab-pat", "high"),
        ("generic-api-key", "low"),
        ("sendgrid-api-key", "medium"),
    ];
    let dirs = [
        "deploy/prod",
        "deploy/staging",
        "services/checkout",
        "services/search",
        "infra/terraform",
        "tools/scripts",
        "apps/android",
        "docs/runbooks",
    ];
    let files = [
        ".env",
        "config.yaml",
        "settings.py",
        "main.tf",
        "values.yaml",
        "README.md",
        "secrets.json",
    ];

    let mut creds: Vec<Synthetic> = Vec::new();
    // The first run is a history scan of a repository with years behind it: a backlog.
    for run in 0..RUNS {
        let arrivals = if run == 0 { 140 } else { rng.below(7) as usize };
        for _ in 0..arrivals {
            let n = creds.len();
            let (rule, severity) = rules[rng.below(rules.len() as u64) as usize];
            let detected = day(run);
            let introduced = if run == 0 {
                detected - 3 - rng.below(1100) as i64
            } else if rng.chance(15) {
                detected - 30 - rng.below(400) as i64
            } else {
                detected - rng.below(12) as i64
            };
            // Cleaned up at some pace: removal first, revocation later (or never).
            let removed = rng
                .chance(55)
                .then(|| run + 1 + rng.below(20) as usize)
                .filter(|r| *r < RUNS);
            let revoked = rng
                .chance(45)
                .then(|| removed.unwrap_or(run) + rng.below(12) as usize)
                .filter(|r| *r < RUNS && *r > run);
            let adopted = rng
                .chance(80)
                .then(|| run + rng.below(30) as usize)
                .filter(|r| *r < RUNS);
            let owner = adopted.map(|_| owners[rng.below(owners.len() as u64) as usize]);
            let expiry = adopted.is_some() && rng.chance(65);
            let dir = dirs[rng.below(dirs.len() as u64) as usize];
            let environments: Vec<String> = if rng.chance(7) {
                vec!["prod".into(), "staging".into()]
                    .into_iter()
                    .chain(rng.chance(40).then(|| "dev".to_owned()))
                    .collect()
            } else if dir.ends_with("prod") {
                vec!["prod".into()]
            } else if dir.ends_with("staging") {
                vec!["staging".into()]
            } else {
                vec![]
            };
            let window = match severity {
                "critical" => 7,
                "high" => 30,
                "medium" => 90,
                _ => 180,
            };
            let expires = expiry.then(|| date(detected + 60 + rng.below(300) as i64));
            let due = expires.clone().unwrap_or_else(|| date(detected + window));
            let open = revoked.is_none();
            let end = revoked.map_or(today, day);
            let liveness = match rng.below(10) {
                0 | 1 if open => Some("live".to_owned()),
                2 | 3 if !open => Some("dead".to_owned()),
                4 => Some("unknown".to_owned()),
                _ => None,
            };
            let lifecycle = Lifecycle {
                fingerprint: format!(
                    "sha256:{:016x}{:016x}{:016x}{:016x}",
                    rng.next(),
                    rng.next(),
                    rng.next(),
                    n
                ),
                rule: rule.into(),
                severity: severity.into(),
                owner: owner.map(str::to_owned),
                owner_source: owner.map(|_| "inventory".to_owned()),
                status: if owner.is_some() {
                    "owned"
                } else {
                    "unknown-origin"
                }
                .into(),
                liveness,
                expires,
                repos: vec![repo.into()],
                environments,
                path: format!("{dir}/{}", files[rng.below(files.len() as u64) as usize]),
                introduced: Some(date(introduced)),
                first_detected: date(detected),
                last_seen: date(removed.map_or(today, |r| day(r - 1))),
                removed_from_head: removed.map(|r| date(day(r))),
                revoked: revoked.map(|r| date(day(r))),
                overdue: open && Date::parse(&due).unwrap().days() < today,
                due,
                open,
                age_days: end - introduced,
                time_to_detect_days: Some(detected - introduced),
                time_to_remove_days: removed.map(|r| day(r) - detected),
                time_to_revoke_days: revoked.map(|r| day(r) - detected),
                sightings: 1 + rng.below(40) as usize,
            };
            creds.push(Synthetic {
                lifecycle,
                detected: run,
                removed,
                revoked,
                adopted,
                expiry,
            });
        }
    }

    let mut trend = Vec::new();
    let mut runs = Vec::new();
    for run in 0..RUNS {
        let seen = |c: &&Synthetic| c.detected <= run;
        let open = |c: &&Synthetic| c.revoked.is_none_or(|r| r > run);
        let in_head = |c: &&Synthetic| c.removed.is_none_or(|r| r > run);
        let open_now: Vec<&Synthetic> = creds.iter().filter(seen).filter(open).collect();
        trend.push(TrendPoint {
            date: date(day(run)),
            open: open_now.len(),
            in_head: open_now.iter().copied().filter(in_head).count(),
            new: creds.iter().filter(|c| c.detected == run).count(),
            revoked: creds.iter().filter(|c| c.revoked == Some(run)).count(),
        });
        let reported: Vec<&Synthetic> = creds.iter().filter(seen).filter(in_head).collect();
        let owned = reported
            .iter()
            .filter(|c| c.adopted.is_some_and(|a| a <= run))
            .count();
        let with_expiry = reported
            .iter()
            .filter(|c| c.expiry && c.adopted.is_some_and(|a| a <= run))
            .count();
        let share = |n: usize| {
            if reported.is_empty() {
                0.0
            } else {
                (1000.0 * n as f64 / reported.len() as f64).round() / 10.0
            }
        };
        runs.push(RunPoint {
            id: run as i64 + 1,
            at: format!("{}T06:{:02}:00Z", date(day(run)), rng.below(60)),
            repo: repo.into(),
            mode: if run == 0 { "history" } else { "files" }.into(),
            head: Some(format!("{:016x}{:016x}{:08x}", rng.next(), rng.next(), run)),
            findings: reported.iter().map(|c| 1 + c.lifecycle.sightings % 3).sum(),
            credentials: reported.len(),
            unknown_origin: reported.len() - owned,
            live: reported
                .iter()
                .filter(|c| c.lifecycle.liveness.as_deref() == Some("live"))
                .count(),
            owned_pct: share(owned),
            with_expiry_pct: share(with_expiry),
        });
    }

    let lifecycles: Vec<Lifecycle> = creds.into_iter().map(|c| c.lifecycle).collect();
    let open: Vec<&Lifecycle> = lifecycles.iter().filter(|c| c.open).collect();
    let pct = |n: usize| {
        if open.is_empty() {
            0.0
        } else {
            (1000.0 * n as f64 / open.len() as f64).round() / 10.0
        }
    };
    let exposure_age = distribution(open.iter().map(|c| c.age_days).collect());
    let time_to_detect = distribution(
        lifecycles
            .iter()
            .filter_map(|c| c.time_to_detect_days)
            .collect(),
    );
    let time_to_remove = distribution(
        lifecycles
            .iter()
            .filter_map(|c| c.time_to_remove_days)
            .collect(),
    );
    let time_to_revoke = distribution(
        lifecycles
            .iter()
            .filter_map(|c| c.time_to_revoke_days)
            .collect(),
    );

    let mut owner_names: Vec<&str> = owners.to_vec();
    owner_names.sort();
    owner_names.push("(unowned)");
    let owner_tables: Vec<OwnerTable> = owner_names
        .iter()
        .map(|name| {
            let mut held: Vec<Lifecycle> = lifecycles
                .iter()
                .filter(|c| c.owner.as_deref().unwrap_or("(unowned)") == *name)
                .cloned()
                .collect();
            held.sort_by(|a, b| b.open.cmp(&a.open).then(b.age_days.cmp(&a.age_days)));
            OwnerTable {
                owner: (*name).into(),
                open: held.iter().filter(|c| c.open).count(),
                overdue: held.iter().filter(|c| c.overdue).count(),
                credentials: held,
            }
        })
        .collect();
    let mut reused: Vec<Reused> = lifecycles
        .iter()
        .filter(|c| c.environments.len() > 1)
        .map(|c| Reused {
            fingerprint: c.fingerprint.clone(),
            rule: c.rule.clone(),
            repos: c.repos.clone(),
            environments: c.environments.clone(),
            owner: c.owner.clone(),
            open: c.open,
        })
        .collect();
    reused.sort_by_key(|r| std::cmp::Reverse(r.environments.len()));

    LedgerReport {
        generated_at: format!("{}T07:12:09Z", date(today)),
        ledger: "sqlite:/var/lib/leakhound/ledger.db".into(),
        filters: Filters {
            since: Some(date(first)),
            repo: None,
            owner: None,
        },
        fingerprint_kind: "sha256".into(),
        kpis: Kpis {
            runs: RUNS,
            repositories: 1,
            credentials: lifecycles.len(),
            open: open.len(),
            overdue: open.iter().filter(|c| c.overdue).count(),
            live: open
                .iter()
                .filter(|c| c.liveness.as_deref() == Some("live"))
                .count(),
            revoked: lifecycles.len() - open.len(),
            removed_from_head: lifecycles
                .iter()
                .filter(|c| c.removed_from_head.is_some())
                .count(),
            unknown_origin: open.iter().filter(|c| c.owner.is_none()).count(),
            owned_pct: pct(open.iter().filter(|c| c.owner.is_some()).count()),
            with_expiry_pct: pct(open.iter().filter(|c| c.expires.is_some()).count()),
            reused: reused.len(),
            median_time_to_detect_days: time_to_detect.median,
            median_time_to_remove_days: time_to_remove.median,
            median_time_to_revoke_days: time_to_revoke.median,
        },
        trend,
        runs,
        exposure_age,
        time_to_detect,
        time_to_remove,
        time_to_revoke,
        owners: owner_tables,
        reused,
        credentials: lifecycles,
    }
}

/// Whole days in the report's fixed buckets, with median, 90th percentile and maximum.
fn distribution(mut values: Vec<i64>) -> Distribution {
    values.sort_unstable();
    let at = |q: f64| {
        (!values.is_empty()).then(|| values[((values.len() - 1) as f64 * q).round() as usize])
    };
    let bounds: [(&str, i64, Option<i64>); 6] = [
        ("0–1 d", 0, Some(1)),
        ("2–7 d", 2, Some(7)),
        ("8–30 d", 8, Some(30)),
        ("31–90 d", 31, Some(90)),
        ("91–365 d", 91, Some(365)),
        ("> 1 y", 366, None),
    ];
    Distribution {
        count: values.len(),
        median: at(0.5),
        p90: at(0.9),
        max: values.last().copied(),
        buckets: bounds
            .iter()
            .map(|(label, from, to)| Bucket {
                label: (*label).into(),
                from_days: *from,
                to_days: *to,
                count: values
                    .iter()
                    .filter(|v| **v >= *from && to.is_none_or(|to| **v <= to))
                    .count(),
            })
            .collect(),
    }
}
