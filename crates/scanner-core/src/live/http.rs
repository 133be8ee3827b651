//! Sending requests: HTTPS only, only to the hosts a rule declares, no redirect to any other host, a
//! timeout, per-host pacing, `429 Retry-After` honoured, proxies from the environment (`HTTPS_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::answer::Answer;
use super::request::Request;
use super::LiveError;
use crate::rules::spec::verify::host_allowed;

/// Largest answer body read: identity endpoints answer in a few kilobytes.
const MAX_BODY: u64 = 1 << 20;
/// Redirects followed at most (each to an allowed host).
const MAX_REDIRECTS: usize = 3;
/// Retries of a `429` or `503` answer.
const MAX_RETRIES: usize = 2;

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// One line, without the secret.
    pub reason: String,
    /// The network itself failed (no route, no DNS, refused): counted for the one "no network" warning.
    pub network: bool,
}

/// The HTTP client all checks share.
pub(crate) struct Client {
    agent: ureq::Agent,
    /// Test-only: every request goes to this `http(s)://127.0.0.1:PORT` (or `[::1]`, `localhost`) instead,
    /// path and query kept.
    base: Option<String>,
    pace: Option<Duration>,
    max_wait: Duration,
    next: Mutex<HashMap<String, Instant>>,
    /// Requests sent (every attempt, redirects and retries included).
    pub sent: AtomicUsize,
}

impl Client {
    pub fn new(
        timeout: Duration,
        rate_per_host: f64,
        max_wait: Duration,
        base: Option<String>,
    ) -> Result<Client, LiveError> {
        if let Some(b) = &base {
            check_loopback(b)?;
        }
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .https_only(base.is_none())
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!(
                "leakhound/",
                env!("CARGO_PKG_VERSION"),
                " (secret validation)"
            ))
            .build();
        Ok(Client {
            agent: config.into(),
            base,
            pace: (rate_per_host > 0.0).then(|| Duration::from_secs_f64(1.0 / rate_per_host)),
            max_wait,
            next: Mutex::new(HashMap::new()),
            sent: AtomicUsize::new(0),
        })
    }

    /// Sends `req` (whose host must be in `hosts`), following redirects only to `hosts` over HTTPS and
    /// retrying `429`/`503` after `Retry-After` when that is short. `secret` is cut out of every message.
    pub fn send(&self, req: &Request, hosts: &[String], secret: &str) -> Result<Answer, Failure> {
        let fail = |reason: String| Failure {
            reason: scrub(&reason, secret),
            network: false,
        };
        let mut url = req.url.clone();
        let mut method = req.method.clone();
        let mut body = req.body.clone();
        let mut redirects = 0;
        let mut retries = 0;
        loop {
            let host = host_of(&url).ok_or_else(|| fail("the request URL has no host".into()))?;
            if !url.starts_with("https://") {
                return Err(fail(format!(
                    "refused a request to {host} that is not over HTTPS"
                )));
            }
            if !host_allowed(host, hosts) {
                return Err(fail(format!(
                    "refused a request to {host}: not a host the rule declares"
                )));
            }
            self.wait_turn(host);
            let answer = self.once(&method, &url, &req.headers, body.as_deref(), secret)?;
            match answer.status {
                301 | 302 | 303 | 307 | 308 => {
                    let Some(loc) = answer.header("location") else {
                        return Err(fail(format!(
                            "redirect (HTTP {}) without a location",
                            answer.status
                        )));
                    };
                    let next = resolve(&url, loc);
                    let to = host_of(&next).unwrap_or("?").to_owned();
                    if !next.starts_with("https://") || !host_allowed(&to, hosts) {
                        return Err(fail(format!(
                            "redirect to another host ({to}) not followed"
                        )));
                    }
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(fail("too many redirects".into()));
                    }
                    if answer.status == 303 || (answer.status <= 302 && method == "POST") {
                        method = "GET".into();
                        body = None;
                    }
                    url = next;
                }
                429 | 503 if retries < MAX_RETRIES => {
                    let wait = retry_after(&answer).unwrap_or(Duration::from_secs(1 << retries));
                    if wait > self.max_wait {
                        return Err(fail(format!(
                            "rate limited (HTTP {}, retry after {} s)",
                            answer.status,
                            wait.as_secs()
                        )));
                    }
                    self.hold_host(host, wait);
                    std::thread::sleep(wait);
                    retries += 1;
                }
                429 => return Err(fail("rate limited (HTTP 429)".into())),
                _ => return Ok(answer),
            }
        }
    }

    /// One request, no redirect followed.
    fn once(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
        secret: &str,
    ) -> Result<Answer, Failure> {
        let target = match &self.base {
            Some(base) => format!("{base}{}", path_of(url)),
            None => url.to_owned(),
        };
        let mut b = ureq::http::Request::builder().method(method).uri(&target);
        for (k, v) in headers {
            b = b.header(k, v);
        }
        if self.base.is_some() {
            b = b.header("x-leakhound-host", host_of(url).unwrap_or(""));
        }
        let req = b
            .body(body.unwrap_or_default().to_vec())
            .map_err(|e| Failure {
                reason: scrub(&format!("cannot build the request: {e}"), secret),
                network: false,
            })?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        let mut resp = self.agent.run(req).map_err(|e| failure(&e, secret))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            resp.body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| failure(&e, secret))?
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Waits for this host's next slot (`rate_per_host`).
    fn wait_turn(&self, host: &str) {
        let Some(pace) = self.pace else { return };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(host.to_owned(), slot + pace);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }

    /// A `429`: nobody asks this host again before `wait` is over.
    fn hold_host(&self, host: &str, wait: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + wait;
        let e = next.entry(host.to_owned()).or_insert(until);
        if *e < until {
            *e = until;
        }
    }
}

/// Refuses a test base URL that is not on loopback.
pub(crate) fn check_loopback(base: &str) -> Result<(), LiveError> {
    let rest = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"));
    let host = rest.and_then(|r| {
        let authority = r.split('/').next()?;
        if let Some(v6) = authority.strip_prefix('[') {
            return v6.split(']').next();
        }
        authority.split(':').next()
    });
    match host {
        Some("127.0.0.1" | "::1" | "localhost")
            if !base[base.find("//").unwrap_or(0) + 2..].contains('/') =>
        {
            Ok(())
        }
        _ => Err(LiveError::NotLoopback),
    }
}

fn failure(e: &ureq::Error, secret: &str) -> Failure {
    let (reason, network) = match e {
        ureq::Error::Timeout(_) => ("timed out".to_owned(), false),
        ureq::Error::HostNotFound => ("host not found (DNS)".to_owned(), true),
        ureq::Error::ConnectionFailed => ("connection failed".to_owned(), true),
        // rustls reports a failed handshake through an I/O error of kind InvalidData.
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            (format!("TLS failure: {io}"), false)
        }
        ureq::Error::Io(io) => (format!("connection failed: {io}"), true),
        ureq::Error::Tls(m) => (format!("TLS failure: {m}"), false),
        ureq::Error::Rustls(r) => (format!("TLS failure: {r}"), false),
        ureq::Error::ConnectProxyFailed(m) => (format!("proxy failed: {m}"), true),
        ureq::Error::BodyExceedsLimit(_) => ("answer larger than 1 MiB".to_owned(), false),
        ureq::Error::Protocol(p) => (format!("malformed answer: {p}"), false),
        other => (format!("request failed: {other}"), false),
    };
    Failure {
        reason: scrub(&reason, secret),
        network,
    }
}

/// `s` without `secret` (nor its percent-encoded forms, as a query or a path holds it): error texts can
/// quote a URL.
pub(crate) fn scrub(s: &str, secret: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if secret.len() < 4 {
        return one;
    }
    let r = crate::redact(secret);
    one.replace(secret, &r)
        .replace(&super::template::percent_encode(secret), &r)
        .replace(&super::template::path_encode(secret), &r)
}

fn retry_after(a: &Answer) -> Option<Duration> {
    let v = a.header("retry-after")?.trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

/// The host of an absolute URL.
pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Path and query of an absolute URL (`/` when it has none).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |x| x.1);
    match rest.find(['/', '?']) {
        Some(i) => &rest[i..],
        None => "/",
    }
}

/// A `Location` resolved against the URL it answered.
fn resolve(base: &str, loc: &str) -> String {
    if loc.contains("://") {
        return loc.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(p) = loc.strip_prefix("//") {
        return format!("{scheme}://{p}");
    }
    if loc.starts_with('/') {
        return format!("{scheme}://{authority}{loc}");
    }
    let dir = path_of(base).split('?').next().unwrap_or("/");
    let dir = &dir[..dir.rfind('/').map_or(0, |i| i + 1)];
    format!("{scheme}://{authority}{dir}{loc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only() {
        for ok in [
            "http://127.0.0.1:8080",
            "https://[::1]:9",
            "http://localhost:1",
        ] {
            assert!(check_loopback(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:80",
            "https://api.github.com",
            "http://127.0.0.1.evil.io",
            "http://127.0.0.1:80/path",
            "ftp://127.0.0.1",
        ] {
            assert!(check_loopback(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            host_of("https://api.github.com/user?x=1"),
            Some("api.github.com")
        );
        assert_eq!(
            host_of("https://u:p@h.example.com:8443/"),
            Some("h.example.com")
        );
        assert_eq!(path_of("https://h/a/b?c=1"), "/a/b?c=1");
        assert_eq!(path_of("https://h"), "/");
        assert_eq!(resolve("https://h/a/b", "/c"), "https://h/c");
        assert_eq!(resolve("https://h/a/b", "c"), "https://h/a/c");
        assert_eq!(
            resolve("https://h/a", "http://evil.invalid/"),
            "http://evil.invalid/"
        );
        assert_eq!(
            scrub(
                "GET https://api.telegram.org/bot123%3AAB%2Fcd failed",
                "123:AB/cd"
            ),
            "GET https://api.telegram.org/bot12… failed"
        );
    }
}
