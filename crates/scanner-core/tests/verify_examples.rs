//! Every validator of the embedded pack against a loopback server: each documented answer reads as its
//! `[[rule.verify.example]]` says, the request goes to the template's path and carries the secret, and
//! every failure (429 then the answer, timeout, 5xx, garbage, a redirect to another host, a TLS failure)
//! ends `unknown` with a reason that does not hold the secret.
#![cfg(feature = "live")]

#[path = "support/loopback.rs"]
mod loopback;

use std::time::Duration;

use base64::Engine as _;
use leakhound_core::live::{Options, Validator};
use leakhound_core::rules::verify::{AnswerExample, VerifySpec};
use leakhound_core::{Finding, LiveStatus, Liveness, Rule, Scanner};
use loopback::{Reply, Seen, Server};

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

fn reply_of(e: &AnswerExample) -> Reply {
    Reply::Http(
        e.status,
        e.headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        e.body.as_bytes().to_vec(),
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the request carries `secret` anywhere a provider would read it.
fn carries(seen: &Seen, secret: &str) -> bool {
    let mut places = vec![
        percent_decode(&seen.target),
        percent_decode(&String::from_utf8_lossy(&seen.body)),
    ];
    places.push(String::from_utf8_lossy(&seen.body).replace("\\/", "/"));
    for (k, v) in &seen.headers {
        places.push(v.clone());
        if k == "authorization" {
            if let Some(b) = v.strip_prefix("Basic ") {
                if let Ok(d) = base64::engine::general_purpose::STANDARD.decode(b) {
                    places.push(String::from_utf8_lossy(&d).into_owned());
                }
            }
        }
    }
    places.iter().any(|p| p.contains(secret))
}

/// The literal path prefix of a URL template (up to its first placeholder).
fn path_prefix(url: &str) -> String {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let upto = path.find('{').unwrap_or(path.len());
    let p = &path[..upto];
    p.split('?').next().unwrap_or(p).to_owned()
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
    let failures = run_parallel(&cases, |c| {
        let mut errs = Vec::new();
        let id = c.rule.id();
        let has = |s: LiveStatus| c.spec.example.iter().any(|e| e.expect == s);
        if !has(LiveStatus::Live) || !has(LiveStatus::Dead) {
            errs.push(format!(
                "{id}: needs at least one live and one dead example"
            ));
        }
        for (i, e) in c.spec.example.iter().enumerate() {
            let input = e
                .input
                .clone()
                .unwrap_or_else(|| c.rule.examples().next().unwrap_or("").to_owned());
            let (found, f) = match find(&scanner, c.rule, &input) {
                Ok(x) => x,
                Err(m) => {
                    errs.push(format!("{id} example #{}: {m}", i + 1));
                    continue;
                }
            };
            let reply = std::sync::Mutex::new(Some(reply_of(e)));
            let server = Server::start(move |_, _| {
                reply
                    .lock()
                    .unwrap()
                    .take()
                    .unwrap_or(Reply::status(500, ""))
            });
            let l = check_with(&scanner, &server.base, &found, &f, Duration::from_secs(3));
            let at = format!("{id} example #{} (HTTP {})", i + 1, e.status);
            if l.status != e.expect {
                errs.push(format!(
                    "{at}: read as {} ({:?}), expected {}",
                    l.status.as_str(),
                    l.reason,
                    e.expect.as_str()
                ));
            }
            if e.identity.is_some() && l.identity != e.identity {
                errs.push(format!(
                    "{at}: identity {:?}, expected {:?}",
                    l.identity, e.identity
                ));
            }
            if e.account.is_some() && l.account != e.account {
                errs.push(format!(
                    "{at}: account {:?}, expected {:?}",
                    l.account, e.account
                ));
            }
            if let Some(s) = &e.scopes {
                if &l.scopes != s {
                    errs.push(format!("{at}: scopes {:?}, expected {:?}", l.scopes, s));
                }
            }
            let seen = server.requests();
            let Some(first) = seen.first() else {
                errs.push(format!("{at}: no request was made ({:?})", l.reason));
                continue;
            };
            if let Some(url) = &c.spec.url {
                let prefix = path_prefix(url);
                if !first.target.starts_with(&prefix) {
                    errs.push(format!(
                        "{at}: request to {}, expected a path under {prefix}",
                        first.target
                    ));
                }
                if !carries(first, &f.secret) {
                    errs.push(format!("{at}: the request does not carry the secret"));
                }
                if first.method != c.spec.method() {
                    errs.push(format!(
                        "{at}: method {}, expected {}",
                        first.method,
                        c.spec.method()
                    ));
                }
            }
            let host = first.header("x-leakhound-host").unwrap_or("");
            if !leakhound_core::rules::verify::host_allowed(host, &c.spec.allowed_hosts()) {
                errs.push(format!(
                    "{at}: request meant for {host}, not a declared host"
                ));
            }
            for text in [
                l.reason.as_deref(),
                l.identity.as_deref(),
                l.account.as_deref(),
            ]
            .into_iter()
            .flatten()
            {
                if f.secret.len() >= 8 && text.contains(&f.secret) {
                    errs.push(format!("{at}: a liveness field holds the secret"));
                }
            }
        }
        errs
    });
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
