//! Every validator of the embedded pack against a loopback server: each documented answer reads as its
//! `[[rule.verify.example]]` says, the request goes to the template's path and carries the secret, and
//! every failure (429 then the answer, timeout, 5xx, garbage, a redirect to another host, a TLS failure)
//! ends `unknown` with a reason that does not hold the secret.
#![cfg(feature = "live")]

#[path = "support/loopback.rs"]
mod loopback;

use std::time::Duration;

use leakhound_core::live::{Options, Validator};
use leakhound_core::rules::verify::VerifySpec;
use leakhound_core::{Finding, LiveStatus, Liveness, Rule, Scanner};
use loopback::{Reply, Server};

struct Case<'a> {
    rule: &'a Rule,
    spec: VerifySpec,
}

fn cases(scanner: &Scanner) -> Vec<Case<'_>> {
    scanner
        .rules()
        .iter()
        .filter_map(|r| {
            let spec = toml::from_str(r.verify_text()?).expect("checked at build time");
            Some(Case { rule: r, spec })
        })
        .collect()
}

fn opts(base: &str) -> Options {
    Options {
        base_url: Some(base.to_owned()),
        rate_per_host: 0.0,
        timeout: Duration::from_secs(3),
        concurrency: 1,
        ..Options::default()
    }
}

/// The findings of `input` and the one of `rule`.
fn find(scanner: &Scanner, rule: &Rule, input: &str) -> Result<(Vec<Finding>, Finding), String> {
    let found = scanner.scan_bytes(&rule.example_path(), input.as_bytes());
    let f = found
        .iter()
        .find(|f| f.rule == rule.id())
        .cloned()
        .ok_or_else(|| format!("the example input gives no finding of `{}`", rule.id()))?;
    Ok((found, f))
}

fn check_with(
    scanner: &Scanner,
    base: &str,
    found: &[Finding],
    f: &Finding,
    timeout: Duration,
) -> Liveness {
    let v = Validator::new(
        scanner.rules(),
        Options {
            timeout,
            ..opts(base)
        },
    )
    .unwrap();
    let (results, _) = v.check(found);
    results
        .get(&f.fingerprint)
        .cloned()
        .unwrap_or_else(|| panic!("{}: no result", f.rule))
}

fn run_parallel<'a>(
    cases: &'a [Case<'a>],
    f: impl Fn(&Case<'a>) -> Vec<String> + Sync,
) -> Vec<String> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                let errs = f(c);
                out.lock().unwrap().extend(errs);
            });
        }
    });
    let mut v = out.into_inner().unwrap();
    v.sort();
    v
}

#[test]
fn every_validator_reads_its_documented_answers() {
    let scanner = Scanner::with_default_rules().with_validation_parts(true);
    let cases = cases(&scanner);
    assert!(!cases.is_empty());
    let mut failures: Vec<String> = cases
        .iter()
        .filter(|c| {
            // A live answer, and one that is not (dead, or an answer that proves nothing: some
            // providers answer a revoked key and a key without the scope alike).
            let live = c.spec.example.iter().any(|e| e.expect == LiveStatus::Live);
            let other = c.spec.example.iter().any(|e| e.expect != LiveStatus::Live);
            !(live && other)
        })
        .map(|c| {
            format!(
                "{}: needs a live and a not-live documented answer",
                c.rule.id()
            )
        })
        .collect();
    let ids: Vec<&str> = cases.iter().map(|c| c.rule.id()).collect();
    // Eight threads, each a slice of the validators.
    let chunks: Vec<&[&str]> = ids.chunks(ids.len().div_ceil(8)).collect();
    let run: usize = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(|| leakhound_core::live::check_examples(&scanner, Some(c))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let (f, n) = h.join().unwrap();
                failures.extend(f);
                n
            })
            .sum()
    });
    assert!(
        run >= 2 * cases.len(),
        "{run} answers for {} validators",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_validator_fails_safe() {
    let scanner = Scanner::with_default_rules().with_validation_parts(true);
    let cases = cases(&scanner);
    let failures = run_parallel(&cases, |c| {
        let mut errs = Vec::new();
        let id = c.rule.id();
        let Some(live) = c.spec.example.iter().find(|e| e.expect == LiveStatus::Live) else {
            return vec![format!("{id}: no live example")];
        };
        let input = live
            .input
            .clone()
            .unwrap_or_else(|| c.rule.examples().next().unwrap_or("").to_owned());
        let Ok((found, f)) = find(&scanner, c.rule, &input) else {
            return vec![format!("{id}: the live example's input gives no finding")];
        };
        let unknown = |what: &str, l: &Liveness, want: &str, errs: &mut Vec<String>| {
            let reason = l.reason.clone().unwrap_or_default();
            if l.status != LiveStatus::Unknown || !reason.contains(want) {
                errs.push(format!(
                    "{id} {what}: {} ({reason}), expected unknown with `{want}`",
                    l.status.as_str()
                ));
            }
            if f.secret.len() >= 8 && reason.contains(&f.secret) {
                errs.push(format!("{id} {what}: the reason holds the secret"));
            }
        };
        // 429 with Retry-After, then the documented answer: the engine waits and asks again.
        let (status, headers, body) = (live.status, live.headers.clone(), live.body.clone());
        let s = Server::start(move |_, n| {
            if n == 0 {
                Reply::Http(429, vec![("retry-after".into(), "0".into())], Vec::new())
            } else {
                Reply::Http(
                    status,
                    headers
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    body.as_bytes().to_vec(),
                )
            }
        });
        let l = check_with(&scanner, &s.base, &found, &f, Duration::from_secs(3));
        if l.status != LiveStatus::Live || s.requests().len() != 2 {
            errs.push(format!(
                "{id} 429 then live: {} after {} requests",
                l.status.as_str(),
                s.requests().len()
            ));
        }
        // A timeout.
        let s = Server::start(|_, _| {
            Reply::Delay(
                Duration::from_millis(1500),
                Box::new(Reply::status(200, "{}")),
            )
        });
        let l = check_with(&scanner, &s.base, &found, &f, Duration::from_millis(300));
        unknown("timeout", &l, "timed out", &mut errs);
        // A provider error.
        let s = Server::start(|_, _| Reply::status(500, "<html>Internal Server Error</html>"));
        let l = check_with(&scanner, &s.base, &found, &f, Duration::from_secs(3));
        unknown("HTTP 500", &l, "HTTP 500", &mut errs);
        // Garbage instead of HTTP.
        let s = Server::start(|_, _| Reply::Raw(b"\x00\x17garbage\xff\r\n\r\n".to_vec()));
        let l = check_with(&scanner, &s.base, &found, &f, Duration::from_secs(3));
        unknown("garbage", &l, "", &mut errs);
        // A redirect to another host is not followed.
        let s = Server::start(|_, _| {
            Reply::Http(
                302,
                vec![(
                    "location".into(),
                    "https://collector.attacker.invalid/x".into(),
                )],
                Vec::new(),
            )
        });
        let l = check_with(&scanner, &s.base, &found, &f, Duration::from_secs(3));
        unknown(
            "redirect",
            &l,
            "redirect to another host (collector.attacker.invalid) not followed",
            &mut errs,
        );
        if s.requests().len() != 1 {
            errs.push(format!("{id} redirect: {} requests", s.requests().len()));
        }
        // A TLS failure.
        let s = Server::start(|_, _| Reply::status(200, "{}"));
        let l = check_with(&scanner, &s.tls_base(), &found, &f, Duration::from_secs(3));
        unknown("TLS", &l, "TLS failure", &mut errs);
        errs
    });
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
