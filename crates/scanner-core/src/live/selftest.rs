//! Checking validators against their documented answers: each `[[rule.verify.example]]` is served by a
//! one-shot HTTP server on 127.0.0.1 while the rule's validator checks the example's secret, and the
//! reading must be what the example says. `leakhound rules check` and the pack's tests run this; nothing
//! leaves the machine.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use super::{Options, Validator};
use crate::rules::spec::verify::{host_allowed, AnswerExample, VerifySpec};
use crate::scan::Scanner;

/// A request as the one-shot server read it.
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Runs the documented answers of the rules with validators among `ids` (every rule of the scanner's
/// when `None`). Returns one line per failure (`rule example #2 (HTTP 401): read as live, expected
/// dead`) and the number of answers run.
pub fn check_examples(scanner: &Scanner, ids: Option<&[&str]>) -> (Vec<String>, usize) {
    let mut failures = Vec::new();
    let mut run = 0;
    for rule in scanner.rules().iter() {
        if ids.is_some_and(|ids| !ids.contains(&rule.id())) {
            continue;
        }
        let Some(text) = rule.verify_text() else {
            continue;
        };
        let spec: VerifySpec = match toml::from_str(text) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: verify: {}", rule.id(), e.message()));
                continue;
            }
        };
        for (i, e) in spec.example.iter().enumerate() {
            run += 1;
            let at = format!(
                "{} verify example #{} (HTTP {})",
                rule.id(),
                i + 1,
                e.status
            );
            if let Err(m) = one(scanner, rule, &spec, e) {
                failures.push(format!("{at}: {m}"));
            }
        }
    }
    (failures, run)
}

fn one(
    scanner: &Scanner,
    rule: &crate::rules::Rule,
    spec: &VerifySpec,
    e: &AnswerExample,
) -> Result<(), String> {
    let input = match &e.input {
        Some(i) => i.clone(),
        None => rule.examples().next().unwrap_or_default().to_owned(),
    };
    let found = scanner.scan_bytes(&rule.example_path(), input.as_bytes());
    let f = found
        .iter()
        .find(|f| f.rule == rule.id())
        .ok_or("its input gives no finding of the rule")?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("loopback: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let reply = answer_bytes(e);
    let server = std::thread::spawn(move || -> Option<Seen> {
        let (stream, _) = listener.accept().ok()?;
        serve(stream, &reply)
    });
    let v = Validator::new(
        scanner.rules(),
        Options {
            base_url: Some(format!("http://127.0.0.1:{port}")),
            rate_per_host: 0.0,
            concurrency: 1,
            timeout: Duration::from_secs(5),
            max_retry_wait: Duration::from_secs(0),
            ..Options::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let (results, _) = v.check(&found);
    // Unblock the server if no request came.
    let _ = TcpStream::connect(("127.0.0.1", port));
    let seen = server
        .join()
        .ok()
        .flatten()
        .filter(|s| !s.method.is_empty());
    let l = results.get(&f.fingerprint).ok_or("no result")?;
    let mut errs = Vec::new();
    if l.status != e.expect {
        errs.push(format!(
            "read as {} ({}), expected {}",
            l.status.as_str(),
            l.reason.as_deref().unwrap_or("no reason"),
            e.expect.as_str()
        ));
    }
    if e.identity.is_some() && l.identity != e.identity {
        errs.push(format!(
            "identity {:?}, expected {:?}",
            l.identity, e.identity
        ));
    }
    if e.account.is_some() && l.account != e.account {
        errs.push(format!("account {:?}, expected {:?}", l.account, e.account));
    }
    if let Some(s) = &e.scopes {
        if &l.scopes != s {
            errs.push(format!("scopes {:?}, expected {s:?}", l.scopes));
        }
    }
    match &seen {
        None => errs.push("no request was made".into()),
        Some(req) => {
            let host = header(req, "x-leakhound-host").unwrap_or("");
            if !host_allowed(host, &spec.allowed_hosts()) {
                errs.push(format!(
                    "the request was meant for `{host}`, not a declared host"
                ));
            }
            if let Some(url) = &spec.url {
                let prefix = path_prefix(url);
                if !req.target.starts_with(&prefix) {
                    errs.push(format!(
                        "request to {}, expected a path under {prefix}",
                        req.target
                    ));
                }
                if req.method != spec.method() {
                    errs.push(format!("method {}, expected {}", req.method, spec.method()));
                }
                if !carries(req, &f.secret) {
                    errs.push("the request does not carry the secret".into());
                }
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

fn answer_bytes(e: &AnswerExample) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} Example\r\ncontent-length: {}\r\nconnection: close\r\n",
        e.status,
        e.body.len()
    );
    for (k, v) in &e.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(e.body.as_bytes());
    out
}

fn serve(stream: TcpStream, reply: &[u8]) -> Option<Seen> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut out = stream.try_clone().ok()?;
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    out.write_all(reply).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

fn header<'a>(s: &'a Seen, name: &str) -> Option<&'a str> {
    s.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The literal path of a URL template, up to its first placeholder or query.
fn path_prefix(url: &str) -> String {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let path = &path[..path.find(['{', '?']).unwrap_or(path.len())];
    path.to_owned()
}

/// Whether the request carries `secret` where a provider would read it: the URL, a header (basic
/// authentication decoded), the body (form- or JSON-encoded).
fn carries(s: &Seen, secret: &str) -> bool {
    use base64::Engine as _;
    let body = String::from_utf8_lossy(&s.body);
    let mut places = vec![decode(&s.target), decode(&body), body.replace("\\/", "/")];
    for (k, v) in &s.headers {
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

fn decode(s: &str) -> String {
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
