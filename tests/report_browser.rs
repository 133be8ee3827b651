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

use leakhound_core::ledger::model::{Filters, LedgerReport};
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
    // Two lines of one point per week (the day of the week's runs), and two lines of one point per
    // day of runs (three repositories' runs a week, drawn as the day's weighted mean).
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

/// One credential of the generated year: where it lives and what happens to it, by week.
struct Planted {
    secret: String,
    rule: (&'static str, &'static str),
    repos: Vec<usize>,
    path: String,
    /// Days before the first run (a backlog) or after it (a new leak) its commit was made.
    introduced: i64,
    /// The week its owner claimed it in the inventory, with an expiry or not.
    owned_from: Option<(usize, &'static str, bool)>,
    removed_week: Option<usize>,
    revoked_week: Option<usize>,
    live: bool,
    environments: Option<&'static str>,
}

/// A real SQLite ledger of a year of weekly runs over three repositories (52 weeks × 3 history scans,
/// a backlog found by the first run, new leaks every week, owners claiming more of them as the year
/// goes on, removals and revocations), recorded through `Ledger::record` and reported by
/// `Ledger::report`: the report the screenshot shows is the one `leakhound report` would build.
fn year_of_weekly_runs() -> LedgerReport {
    use leakhound_core::ledger::{Ledger, LedgerUrl, RunRecord, Sighting};
    const WEEKS: usize = 52;
    let repos = [
        "github.com/acme/platform",
        "github.com/acme/checkout",
        "github.com/acme/mobile-app",
    ];
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
        "services/api",
        "infra/terraform",
        "tools/scripts",
        "docs/runbooks",
    ];
    let files = [
        ".env",
        "config.yaml",
        "settings.py",
        "main.tf",
        "README.md",
        "values.yaml",
    ];
    let first = Date::parse("2025-12-01").unwrap().days();
    let run_day = |week: usize| first + 7 * week as i64;
    let mut rng = Rng(0x5eed_1eaf_b0a7_2026);
    let mut planted: Vec<Planted> = Vec::new();
    let mut plant = |rng: &mut Rng, introduced: i64, week: usize| {
        let repo = rng.below(3) as usize;
        let mut in_repos = vec![repo];
        if rng.chance(6) {
            in_repos.push((repo + 1 + rng.below(2) as usize) % 3);
        }
        let removed_week = rng.chance(45).then(|| week + 1 + rng.below(20) as usize);
        let revoked_week = rng.chance(40).then(|| week + 2 + rng.below(30) as usize);
        let owned_from = rng.chance(70).then(|| {
            (
                week + rng.below(40) as usize,
                owners[rng.below(owners.len() as u64) as usize],
                rng.chance(60),
            )
        });
        let n = planted.len();
        planted.push(Planted {
            secret: format!("generated-secret-{n}-{}", rng.next()),
            rule: rules[rng.below(rules.len() as u64) as usize],
            repos: in_repos,
            path: format!(
                "{}/{}",
                dirs[rng.below(dirs.len() as u64) as usize],
                files[rng.below(files.len() as u64) as usize]
            ),
            introduced,
            owned_from,
            removed_week,
            revoked_week,
            live: rng.chance(12),
            environments: rng.chance(5).then_some("prod,staging"),
        });
    };
    // The backlog the first run finds: committed over the three years before.
    for _ in 0..140 {
        let ago = 1 + rng.below(1_100) as i64;
        plant(&mut rng, -ago, 0);
    }
    // New leaks: up to four a week, each committed some days before the run that finds it.
    for week in 1..WEEKS {
        for _ in 0..rng.below(5) {
            let window = if rng.chance(70) { 7 } else { 90 };
            let before = rng.below(window) as i64;
            plant(&mut rng, 7 * week as i64 - before, week);
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&LedgerUrl::Sqlite(dir.path().join("ledger.sqlite"))).unwrap();
    for week in 0..WEEKS {
        for (r, repo) in repos.iter().enumerate() {
            let at = (run_day(week) * 86_400) + 3_600 * (6 + r as i64);
            let mut sightings = Vec::new();
            for p in planted
                .iter()
                .filter(|p| p.repos.contains(&r) && p.introduced <= 7 * week as i64)
            {
                let owned = p.owned_from.filter(|(w, ..)| *w <= week);
                let revoked = p.revoked_week.is_some_and(|w| w <= week);
                sightings.push(Sighting {
                    fingerprint: leakhound_core::fingerprint(p.secret.as_bytes()),
                    rule: p.rule.0.into(),
                    severity: p.rule.1.into(),
                    path: p.path.clone(),
                    line: 1 + (p.introduced.unsigned_abs() % 80),
                    commit: Some(format!("{:040x}", p.introduced.unsigned_abs() * 7919)),
                    commit_date: Some((first + p.introduced) * 86_400 - 7_200),
                    context: "code".into(),
                    owner: owned.map(|(_, o, _)| o.to_string()),
                    owner_source: owned.map(|_| "inventory".to_string()),
                    status: match (owned, revoked) {
                        (Some(_), true) => "revoked-still-present",
                        (Some(_), false) => "owned",
                        (None, _) => "unknown-origin",
                    }
                    .into(),
                    liveness: match (revoked, p.live) {
                        (true, _) => Some("dead".into()),
                        (false, true) => Some("live".into()),
                        _ => None,
                    },
                    expires: owned
                        .filter(|(.., expiry)| *expiry)
                        .map(|(w, ..)| Date::from_days(run_day(w) + 180).to_string()),
                    revoked_on: (owned.is_some() && revoked)
                        .then(|| Date::from_days(run_day(p.revoked_week.unwrap()) - 1).to_string()),
                    environments: p.environments.map(str::to_string),
                    at_head: p.removed_week.is_none_or(|w| w > week),
                });
            }
            let unique: std::collections::HashSet<&str> =
                sightings.iter().map(|s| s.fingerprint.as_str()).collect();
            let credentials = unique.len() as u64;
            let owned = sightings.iter().filter(|s| s.owner.is_some()).count() as u64;
            let with_expiry = sightings.iter().filter(|s| s.expires.is_some()).count() as u64;
            let pct = |n: u64| match sightings.len() {
                0 => 0.0,
                t => (n as f64 * 1000.0 / t as f64).round() / 10.0,
            };
            ledger
                .record(&RunRecord {
                    repo: repo.to_string(),
                    head: Some(format!("{:040x}", week * 3 + r + 1)),
                    mode: "history".into(),
                    covers_head: true,
                    rule_pack: "0.1.0/783/generated".into(),
                    fingerprint_kind: "sha256".into(),
                    started_at: at,
                    finished_at: at + 40,
                    complete: true,
                    findings: sightings.len() as u64,
                    credentials,
                    owned,
                    with_expiry,
                    unknown_origin: credentials - owned.min(credentials),
                    live: sightings
                        .iter()
                        .filter(|s| s.liveness.as_deref() == Some("live"))
                        .count() as u64,
                    owned_pct: pct(owned),
                    with_expiry_pct: pct(with_expiry),
                    sightings,
                    ..RunRecord::default()
                })
                .unwrap();
        }
    }
    let today = Date::from_days(run_day(WEEKS - 1));
    ledger.report(&Filters::default(), today).unwrap()
}
