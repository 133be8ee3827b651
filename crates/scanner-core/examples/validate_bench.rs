//! Validation benchmark: 10,000 unique credentials of a made-up provider checked against a loopback
//! server. Prints requests per second, the most requests in flight (the concurrency bound), the pacing
//! (per-host rate limit) observed, that a second run within the TTL makes no request, and peak memory.
//!
//! `cargo run --release -p leakhound-core --features live --example validate_bench [N]`
//! `… --example validate_bench serve` only serves (for timing the `leakhound` binary: see
//! scripts/bench-validate.sh), printing its base URL.

#[path = "../tests/support/loopback.rs"]
mod loopback;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use leakhound_core::live::{Options, Validator};
use leakhound_core::{RuleSet, Scanner};
use loopback::{Reply, Server};

/// The made-up provider's rule, as a user would write it.
pub const RULES: &str = r#"
[[rule]]
id = "bench-token"
description = "Benchmark provider token"
severity = "high"
keywords = ["bench_"]
regex = '''\b(?P<secret>bench_[A-Za-z0-9]{32})\b'''
examples = ["T=bench_Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1"]
negative_examples = ["bench_x"]
[rule.verify]
provider = "Bench"
docs = "https://docs.bench.example.com/me"
url = "https://api.bench.example.com/v1/me"
headers = { Authorization = "Bearer {secret}" }
live = [200]
dead = [401]
identity = "{json:login}"
[[rule.verify.example]]
status = 200
body = '{"login":"x"}'
expect = "live"
[[rule.verify.example]]
status = 401
expect = "dead"
"#;

fn token(i: u64) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let s: String = (0..32)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            A[(x >> 33) as usize % A.len()] as char
        })
        .collect();
    format!("bench_{s}")
}

fn server() -> Server {
    Server::start(|req, _| {
        // Half live, half dead, decided by the token's last character.
        let live = req
            .header("authorization")
            .is_some_and(|a| a.as_bytes()[a.len() - 1] % 2 == 0);
        if live {
            Reply::status(200, r#"{"login":"svc-account"}"#)
        } else {
            Reply::status(401, r#"{"message":"Bad credentials"}"#)
        }
    })
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let arg = std::env::args().nth(1);
    if arg.as_deref() == Some("serve") {
        let s = server();
        println!("{}", s.base);
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    if arg.as_deref() == Some("input") {
        let n: u64 = std::env::args()
            .nth(2)
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        for i in 0..n {
            println!("TOKEN_{i}={}", token(i));
        }
        return;
    }
    let n: u64 = arg.and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let scanner = Scanner::new(RuleSet::from_toml("bench.toml", RULES).expect("rules"))
        .with_max_findings_per_file(0)
        .with_validation_parts(true);
    let text: String = (0..n)
        .map(|i| format!("TOKEN_{i}={}\n", token(i)))
        .collect();
    let findings = scanner.scan_bytes("bench.env", text.as_bytes());
    assert_eq!(findings.len() as u64, n, "every token found");
    let s = server();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("validation.json");
    let opts = Options {
        base_url: Some(s.base.clone()),
        rate_per_host: 0.0,
        concurrency: 8,
        cache: Some(cache.clone()),
        ..Options::default()
    };
    let t = Instant::now();
    let (results, first) = Validator::new(scanner.rules(), opts.clone())
        .expect("validator")
        .check(&findings);
    let secs = t.elapsed().as_secs_f64();
    let peak = s.max_in_flight.load(Ordering::SeqCst);
    println!(
        "first run:  {n} credentials, {} requests in {secs:.2} s = {:.0} requests/s; live {} dead {} unknown {}; most in flight {peak} (bound 8)",
        first.requests,
        first.requests as f64 / secs,
        first.live,
        first.dead,
        first.unknown
    );
    assert_eq!(results.len() as u64, n);
    assert!(peak <= 8, "the concurrency bound did not hold: {peak}");
    let before = s.requests().len();
    let t = Instant::now();
    let (_, second) = Validator::new(scanner.rules(), opts.clone())
        .expect("validator")
        .check(&findings);
    println!(
        "second run: {} requests, {} from the cache, in {:.3} s (cache file {} KiB)",
        second.requests,
        second.cached,
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&cache).map_or(0, |m| m.len() / 1024)
    );
    assert_eq!(second.requests, 0);
    assert_eq!(
        s.requests().len(),
        before,
        "the server saw a request on the cached run"
    );
    let stored = std::fs::read_to_string(&cache).expect("cache");
    assert!(
        findings.iter().all(|f| !stored.contains(&f.secret)),
        "a secret in the cache"
    );
    // Pacing: 200 credentials at 50 requests per second to one host.
    let paced: Vec<_> = findings.iter().take(200).cloned().collect();
    let t = Instant::now();
    let (_, third) = Validator::new(
        scanner.rules(),
        Options {
            rate_per_host: 50.0,
            cache: None,
            ..opts
        },
    )
    .expect("validator")
    .check(&paced);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "paced run:  {} requests at --validate-rate 50 in {secs:.2} s = {:.1} requests/s (limit 50)",
        third.requests,
        third.requests as f64 / secs
    );
    assert!(
        third.requests as f64 / secs <= 50.5,
        "the rate limit did not hold"
    );
    println!(
        "peak memory (VmHWM, this process incl. the server): {:.1} MiB",
        peak_rss_mib()
    );
}
