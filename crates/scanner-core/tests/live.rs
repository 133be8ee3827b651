//! The validation engine against loopback servers: one check per credential, the concurrency bound,
//! per-host pacing, the cache (a second run asks nobody, and the file holds no secret), multi-part
//! credentials paired by proximity, no network, and loopback-only test overrides.
#![cfg(feature = "live")]

#[path = "support/loopback.rs"]
mod loopback;

use std::time::{Duration, Instant};

use leakhound_core::live::{LiveError, Options, Validator};
use leakhound_core::{LiveStatus, RuleSet, Scanner};
use loopback::{Reply, Server};

/// A made-up provider: tokens `tok_` + 24 alphanumerics, checked at GET /v1/me with a bearer header.
const RULES: &str = r#"
[[rule]]
id = "acme-token"
description = "Acme API token"
severity = "high"
keywords = ["tok_"]
regex = '''\b(?P<secret>tok_[A-Za-z0-9]{24})\b'''
examples = ["ACME_TOKEN=tok_Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf"] # leakhound:allow (made-up)
negative_examples = ["tok_short"]
[rule.verify]
provider = "Acme"
docs = "https://docs.acme.example.com/api/me"
url = "https://api.acme.example.com/v1/me"
headers = { Authorization = "Bearer {secret}" }
live = [200]
dead = [401]
identity = "{json:login}"
scopes = "json:scopes"
rotate = "https://acme.example.com/settings/tokens"
[[rule.verify.example]]
status = 200
body = '{"login":"ci-bot","scopes":["read"]}'
expect = "live"
[[rule.verify.example]]
status = 401
expect = "dead"

[[rule]]
id = "acme-key-id"
description = "Acme key id"
severity = "medium"
keywords = ["AKEY"]
regex = '''\b(?P<secret>AKEY[A-Z0-9]{12})\b'''
examples = ["key_id = AKEYQ7RT2M9XK4PW"]
negative_examples = ["AKEY"]
[rule.verify]
provider = "Acme Keys"
docs = "https://docs.acme.example.com/api/keys"
url = "https://{pair.region}.keys.acme.example.com/v1/whoami"
hosts = ["*.keys.acme.example.com"]
basic = ["{secret}", "{pair.secret}"]
live = [200]
dead = [403]
identity = "{pair.region}/{json:user}"
[[rule.verify.pair]]
name = "secret"
rule = "acme-key-secret"
within = 3
[[rule.verify.pair]]
name = "region"
regex = '''region\s*=\s*(?P<value>[a-z]{2}-[a-z]+-[0-9])'''
within = 5
[[rule.verify.example]]
status = 200
body = '{"user":"svc"}'
expect = "live"
[[rule.verify.example]]
status = 403
expect = "dead"

[[rule]]
id = "acme-key-secret"
description = "Acme key secret"
severity = "high"
keywords = ["key_secret"]
regex = '''key_secret\s*=\s*(?P<secret>[A-Za-z0-9/+]{32})'''
examples = ["key_secret = Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0a"] # leakhound:allow (made-up)
negative_examples = ["key_secret = short"]
"#;

fn scanner() -> Scanner {
    Scanner::new(RuleSet::from_toml("acme.toml", RULES).unwrap()).with_validation_parts(true)
}

fn opts(base: &str) -> Options {
    Options {
        base_url: Some(base.to_owned()),
        rate_per_host: 0.0,
        timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

/// `n` distinct tokens, each twice (two findings, one credential).
fn tokens(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let t = format!("tok_{}", made_up(i as u64 + 1, 24));
        s.push_str(&format!("A_{i}={t}\nB_{i}={t}\n"));
    }
    s
}

/// `n` made-up alphanumerics from `seed` (a linear congruential generator).
fn made_up(seed: u64, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            A[(x >> 33) as usize % A.len()] as char
        })
        .collect()
}

#[test]
fn one_check_per_credential_within_the_concurrency_bound() {
    let server = Server::start(|_, _| {
        Reply::Delay(
            Duration::from_millis(50),
            Box::new(Reply::status(
                200,
                r#"{"login":"ci-bot","scopes":["read","write"]}"#,
            )),
        )
    });
    let scanner = scanner();
    let findings = scanner.scan_bytes("app.env", tokens(40).as_bytes());
    assert_eq!(findings.len(), 80);
    let v = Validator::new(
        scanner.rules(),
        Options {
            concurrency: 4,
            ..opts(&server.base)
        },
    )
    .unwrap();
    let (results, summary) = v.check(&findings);
    assert_eq!(results.len(), 40);
    assert_eq!(server.requests().len(), 40, "one request per credential");
    assert_eq!(
        (summary.live, summary.requests, summary.checked),
        (40, 40, 40)
    );
    let peak = server
        .max_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=4).contains(&peak), "in flight at once: {peak}");
    let l = results.values().next().unwrap();
    assert_eq!(l.identity.as_deref(), Some("ci-bot"));
    assert_eq!(l.scopes, ["read", "write"]);
    assert_eq!(l.provider.as_deref(), Some("Acme"));
    assert_eq!(
        l.rotate.as_deref(),
        Some("https://acme.example.com/settings/tokens")
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.target, "/v1/me");
    assert_eq!(
        sent.header("x-leakhound-host"),
        Some("api.acme.example.com")
    );
    assert!(sent
        .header("authorization")
        .unwrap()
        .starts_with("Bearer tok_"));
}

#[test]
fn pacing_holds_per_host() {
    let server = Server::start(|_, _| Reply::status(401, ""));
    let scanner = scanner();
    let findings = scanner.scan_bytes("app.env", tokens(11).as_bytes());
    let v = Validator::new(
        scanner.rules(),
        Options {
            rate_per_host: 20.0,
            concurrency: 8,
            ..opts(&server.base)
        },
    )
    .unwrap();
    let t = Instant::now();
    let (_, summary) = v.check(&findings);
    // 11 requests at 20 per second: the last leaves 10 intervals (500 ms) after the first.
    assert!(
        t.elapsed() >= Duration::from_millis(480),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(summary.dead, 11);
}

#[test]
fn the_cache_answers_a_second_run_and_holds_no_secret() {
    let server = Server::start(|_, _| Reply::status(200, r#"{"login":"ci-bot"}"#));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("validation.json");
    let scanner = scanner();
    let text = tokens(5);
    let findings = scanner.scan_bytes("app.env", text.as_bytes());
    let o = Options {
        cache: Some(cache.clone()),
        ..opts(&server.base)
    };
    let (_, first) = Validator::new(scanner.rules(), o.clone())
        .unwrap()
        .check(&findings);
    assert_eq!((first.requests, first.cached), (5, 0));
    let (results, second) = Validator::new(scanner.rules(), o.clone())
        .unwrap()
        .check(&findings);
    assert_eq!((second.requests, second.cached, second.live), (0, 5, 5));
    assert!(results.values().all(|l| l.cached));
    assert_eq!(server.requests().len(), 5);
    let stored = std::fs::read_to_string(&cache).unwrap();
    for f in &findings {
        assert!(!stored.contains(&f.secret), "the cache holds a secret");
        assert!(stored.contains(&f.fingerprint));
    }
    // Past the TTL the provider is asked again.
    let o = Options {
        ttl: Duration::from_secs(0),
        ..o
    };
    let (_, third) = Validator::new(scanner.rules(), o).unwrap().check(&findings);
    assert_eq!(third.requests, 5);
}

#[test]
fn unknown_answers_are_not_cached() {
    let server = Server::start(|_, _| Reply::status(500, ""));
    let dir = tempfile::tempdir().unwrap();
    let scanner = scanner();
    let findings = scanner.scan_bytes("app.env", tokens(2).as_bytes());
    let o = Options {
        cache: Some(dir.path().join("c.json")),
        ..opts(&server.base)
    };
    let (_, a) = Validator::new(scanner.rules(), o.clone())
        .unwrap()
        .check(&findings);
    let (_, b) = Validator::new(scanner.rules(), o).unwrap().check(&findings);
    assert_eq!((a.unknown, b.unknown, b.cached, b.requests), (2, 2, 0, 2));
}

#[test]
fn multi_part_credentials_pair_by_proximity() {
    let server = Server::start(|req, _| {
        if req.header("authorization").is_some() {
            Reply::status(200, r#"{"user":"svc"}"#)
        } else {
            Reply::status(400, "")
        }
    });
    let scanner = scanner();
    let text = "region = eu-west-1\nkey_id = AKEYQ7RT2M9XK4PW\nkey_secret = Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0a\n\n\n\n\n\nkey_id = AKEYH3NV8B6CZ2LD\n"; // leakhound:allow (made-up)
    let findings = scanner.scan_bytes("deploy.cfg", text.as_bytes());
    let v = Validator::new(scanner.rules(), opts(&server.base)).unwrap();
    let (results, summary) = v.check(&findings);
    let id = findings
        .iter()
        .find(|f| f.secret == "AKEYQ7RT2M9XK4PW") // leakhound:allow (made-up)
        .unwrap();
    let secret = findings
        .iter()
        .find(|f| f.rule == "acme-key-secret")
        .unwrap();
    let lone = findings
        .iter()
        .find(|f| f.secret == "AKEYH3NV8B6CZ2LD") // leakhound:allow (made-up)
        .unwrap();
    let l = &results[&id.fingerprint];
    assert_eq!(l.status, LiveStatus::Live);
    assert_eq!(l.identity.as_deref(), Some("eu-west-1/svc"));
    // The secret half is the same credential's part: it shares the answer, and is not "not checked".
    assert_eq!(results[&secret.fingerprint].status, LiveStatus::Live);
    assert_eq!(summary.not_checked, 0, "{summary:?}");
    // The key id 6 lines further has no secret within 3 lines: not asked at all.
    let l = &results[&lone.fingerprint];
    assert_eq!(l.status, LiveStatus::Unknown);
    assert!(
        l.reason
            .as_deref()
            .unwrap()
            .contains("`secret` was not found within 3 lines"),
        "{l:?}"
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].header("x-leakhound-host"),
        Some("eu-west-1.keys.acme.example.com")
    );
}

#[test]
fn no_network_is_one_warning_and_unknown_for_all() {
    // A port nothing listens on: bind, then close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let scanner = scanner();
    let findings = scanner.scan_bytes("app.env", tokens(3).as_bytes());
    let v = Validator::new(scanner.rules(), opts(&format!("http://127.0.0.1:{port}"))).unwrap();
    let (results, summary) = v.check(&findings);
    assert_eq!(summary.unknown, 3);
    assert!(results.values().all(|l| l.status == LiveStatus::Unknown));
    let w = summary.warning.expect("one warning");
    assert!(
        w.starts_with("validation: no network (connection failed"),
        "{w}"
    );
    assert!(w.ends_with("3 credentials left unknown"), "{w}");
}

#[test]
fn only_loopback_may_stand_in_for_providers() {
    for bad in [
        "http://10.1.2.3:80",
        "https://example.com",
        "http://127.0.0.1.nip.io:80",
        "http://127.0.0.1:9/x",
    ] {
        let e = Validator::new(
            &RuleSet::empty(),
            Options {
                base_url: Some(bad.into()),
                ..Options::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, LiveError::NotLoopback), "{bad}");
    }
}

#[test]
fn a_retry_after_longer_than_the_limit_is_not_waited_for() {
    let server = Server::start(|_, _| {
        Reply::Http(429, vec![("retry-after".into(), "3600".into())], Vec::new())
    });
    let scanner = scanner();
    let findings = scanner.scan_bytes("app.env", tokens(1).as_bytes());
    let t = Instant::now();
    let (results, _) = Validator::new(scanner.rules(), opts(&server.base))
        .unwrap()
        .check(&findings);
    assert!(t.elapsed() < Duration::from_secs(5));
    let l = results.values().next().unwrap();
    assert_eq!(
        l.reason.as_deref(),
        Some("rate limited (HTTP 429, retry after 3600 s)")
    );
}

#[test]
fn nothing_is_sent_for_rules_without_a_validator() {
    let server = Server::start(|_, _| Reply::status(200, "{}"));
    let scanner = scanner();
    let findings = scanner.scan_bytes("a.cfg", b"key_secret = Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0a\n"); // leakhound:allow (made-up)
    let (results, summary) = Validator::new(scanner.rules(), opts(&server.base))
        .unwrap()
        .check(&findings);
    assert!(results.is_empty());
    assert_eq!(
        (summary.credentials, summary.not_checked, summary.requests),
        (1, 1, 0)
    );
    assert_eq!(summary.unchecked_rules.get("acme-key-secret"), Some(&1));
    assert!(server.requests().is_empty());
}
