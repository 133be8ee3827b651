//! Builds a large ledger and times the report over it.
//!
//! `cargo run --release -p leakhound-core --features ledger --example ledger_bench -- [FILE] [RUNS] [PER_RUN]`
//!
//! Defaults: 100 runs of 10,000 sightings each (1,000,000 sightings) over 10 repositories, into a new
//! SQLite file (`/tmp/leakhound-ledger-bench.sqlite`); then the report (lifecycles, KPIs) and its HTML,
//! Markdown and JSON forms are built and timed. The file is kept for timing `leakhound report` itself.
//! Fingerprints are hashes of made-up strings; no secret is involved.

use std::time::Instant;

use leakhound_core::ledger::{render, Filters, Ledger, LedgerUrl, RunRecord, Sighting};
use leakhound_core::{fingerprint, Date};

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .unwrap_or_else(|| "/tmp/leakhound-ledger-bench.sqlite".into());
    let runs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let per_run: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let url = LedgerUrl::Sqlite(file.clone().into());
    if runs > 0 {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    }
    let mut ledger = Ledger::open(&url).expect("ledger");
    let repos = 10;
    // Each repository holds 2,000 credentials seen at 5 places each; one run sees its repository's
    // credentials that are alive at that time (credentials come and go as runs advance).
    let creds_per_repo = (per_run / 5).max(1);
    let owners = [
        "team-payments",
        "team-platform",
        "team-data",
        "team-web",
        "team-mobile",
    ];
    let t0: i64 = 1_735_718_400; // 2025-01-01
    let started = Instant::now();
    let mut written = 0usize;
    for r in 0..runs {
        let repo = r % repos;
        let week = (r / repos) as i64;
        let at = t0 + (r as i64) * 3 * 86_400 + 3_600;
        let mut sightings = Vec::with_capacity(per_run as usize);
        for c in 0..creds_per_repo {
            // Credential ids shift with time: a slice of each repository's credentials is new each
            // week, and an overlap across repositories makes some credentials reused.
            let id = repo * 1_000_000 + c + (week as u64) * (creds_per_repo / 20);
            let shared = c.is_multiple_of(97);
            let key = if shared {
                format!("shared-{c}")
            } else {
                format!("cred-{id}")
            };
            let fp = fingerprint(key.as_bytes());
            for place in 0..5 {
                sightings.push(Sighting {
                    fingerprint: fp.clone(),
                    rule: [
                        "gitlab-pat",
                        "aws-access-key-id",
                        "slack-bot-token",
                        "stripe-secret-key",
                    ][(id % 4) as usize]
                        .into(),
                    severity: ["critical", "high", "medium", "low"][(id % 4) as usize].into(),
                    path: format!("services/svc{}/config/{place}.env", id % 50),
                    line: place + 1,
                    commit: Some(format!("{:040x}", id * 7 + place)),
                    commit_date: Some(at - ((id % 400) as i64) * 86_400),
                    context: "code".into(),
                    owner: (!id.is_multiple_of(3)).then(|| owners[(id % 5) as usize].to_string()),
                    owner_source: (!id.is_multiple_of(3)).then(|| "inventory".to_string()),
                    status: if id.is_multiple_of(3) {
                        "unknown-origin"
                    } else {
                        "owned"
                    }
                    .into(),
                    liveness: id
                        .is_multiple_of(11)
                        .then(|| if id.is_multiple_of(2) { "dead" } else { "live" }.to_string()),
                    expires: id.is_multiple_of(2).then(|| "2026-06-30".to_string()),
                    revoked_on: None,
                    environments: id.is_multiple_of(13).then(|| "prod,staging".to_string()),
                    at_head: place < 2,
                });
            }
        }
        let run = RunRecord {
            repo: format!("github.com/acme/repo-{repo}"),
            head: Some(format!("{r:040x}")),
            mode: "history".into(),
            covers_head: true,
            rule_pack: "bench".into(),
            fingerprint_kind: "sha256".into(),
            started_at: at,
            finished_at: at + 60,
            complete: true,
            findings: sightings.len() as u64,
            credentials: creds_per_repo,
            sightings,
            ..RunRecord::default()
        };
        written += ledger.record(&run).expect("record").sightings;
    }
    let write_s = started.elapsed().as_secs_f64().max(1e-9);
    if runs > 0 {
        println!(
            "wrote {runs} runs, {written} sightings in {write_s:.2} s ({:.0} sightings/s)",
            written as f64 / write_s
        );
    }
    drop(ledger);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("ledger file: {:.1} MB", size as f64 / 1e6);

    let today = Date::parse("2026-01-01").unwrap();
    let t = Instant::now();
    let mut ledger = Ledger::open_existing(&url).expect("open");
    let report = ledger.report(&Filters::default(), today).expect("report");
    let report_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let html = render::html(&report);
    let html_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let md = render::markdown(&report);
    let md_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let js = serde_json::to_string(&report).unwrap();
    let json_s = t.elapsed().as_secs_f64();
    println!(
        "report: {} credentials, {} open, {} reused: lifecycles {report_s:.2} s; html {html_s:.2} s ({:.1} MB); markdown {md_s:.2} s; json {json_s:.2} s ({:.1} MB)",
        report.kpis.credentials,
        report.kpis.open,
        report.kpis.reused,
        html.len() as f64 / 1e6,
        js.len() as f64 / 1e6,
    );
    let _ = md;
}
