//! Live validation: asks each credential's provider whether it still works and what it reaches, and
//! revokes it where the provider lets its holder do that. Feature `live`; nothing here runs unless a
//! caller asks, and nothing is sent anywhere but to the hosts a rule's `[rule.verify]` table declares.
//!
//! The API is **blocking** and needs **no async runtime**: [`Validator::check`] runs its requests on up to
//! [`Options::concurrency`] threads of its own (scoped: they are gone when it returns) over one HTTP
//! client (ureq, rustls with the Mozilla roots from `webpki-roots`).
//!
//! ```no_run
//! use leakhound_core::live::{Options, Validator};
//! use leakhound_core::{RuleSet, Scanner};
//!
//! let scanner = Scanner::with_default_rules().with_validation_parts(true);
//! let findings = scanner.scan_bytes("ci.env", b"GITHUB_TOKEN=ghp_...\n");
//! let validator = Validator::new(scanner.rules(), Options::default())?;
//! let (results, summary) = validator.check(&findings);
//! for (fingerprint, liveness) in &results {
//!     println!("{fingerprint}: {} {:?}", liveness.status.as_str(), liveness.identity);
//! }
//! println!("{} live, {} requests", summary.live, summary.requests);
//! # Ok::<(), leakhound_core::live::LiveError>(())
//! ```

mod answer;
pub(crate) mod builtin;
mod cache;
mod http;
pub(crate) mod request;
mod revoke;
mod selftest;
mod template;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::finding::Finding;
use crate::liveness::{LiveStatus, Liveness};
use crate::rules::spec::verify::VerifySpec;
use crate::rules::RuleSet;

pub use crate::liveness::ValidationSummary as Summary;
pub use cache::default_path as default_cache_path;
pub use revoke::{RevokeOutcome, RevokeState};
pub use selftest::check_examples;

use answer::Reading;
use request::Subject;

/// How to validate.
#[derive(Clone)]
pub struct Options {
    /// Requests in flight at most (default 8).
    pub concurrency: usize,
    /// Requests per second to one host at most (default 10; 0: no pacing).
    pub rate_per_host: f64,
    /// Timeout of one request, connection to last byte (default 10 s).
    pub timeout: Duration,
    /// The longest `Retry-After` waited for (default 30 s); a longer one leaves the credential `unknown`.
    pub max_retry_wait: Duration,
    /// The cache file (default: none; the CLI uses [`default_cache_path`]).
    pub cache: Option<PathBuf>,
    /// How long a cached `live`/`dead` answer is trusted (default 24 h).
    pub ttl: Duration,
    /// Tests only: send every request to this loopback address (`http://127.0.0.1:PORT`) instead of the
    /// provider, path and query kept. Anything but loopback is refused ([`LiveError::NotLoopback`]).
    pub base_url: Option<String>,
    /// Called with (checked, total) as answers come in.
    pub progress: Option<Arc<dyn Fn(usize, usize) + Send + Sync>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            concurrency: 8,
            rate_per_host: 10.0,
            timeout: Duration::from_secs(10),
            max_retry_wait: Duration::from_secs(30),
            cache: None,
            ttl: Duration::from_secs(24 * 3600),
            base_url: None,
            progress: None,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("concurrency", &self.concurrency)
            .field("rate_per_host", &self.rate_per_host)
            .field("timeout", &self.timeout)
            .field("cache", &self.cache)
            .field("ttl", &self.ttl)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// What can stop validation before it starts (a check that fails is an `unknown` result, not an error).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The test base URL is not a loopback address.
    #[error("the validation base URL must be a loopback address without a path (http://127.0.0.1:PORT, http://[::1]:PORT, http://localhost:PORT)")]
    NotLoopback,
    /// The cache file cannot be read or written.
    #[error("validation cache {}: {message}", path.display())]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A rule's `[rule.verify]` table does not read.
    #[error("rule `{rule}`: field `verify`: {message}")]
    Spec {
        /// The rule.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// `revoke`: the rule has no self-service revocation.
    #[error("{provider} ({rule}) has no self-service revocation API{}", rotate.as_deref().map(|r| format!(": revoke it at {r}")).unwrap_or_default())]
    NoRevocation {
        /// The rule.
        rule: String,
        /// The provider.
        provider: String,
        /// The console page.
        rotate: Option<String>,
    },
}

/// Checks credentials with their providers.
pub struct Validator {
    specs: HashMap<String, Arc<VerifySpec>>,
    client: http::Client,
    opts: Options,
    /// Keys the cache entries of multi-part credentials as the findings are keyed.
    key: Option<crate::FingerprintKey>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("validators", &self.specs.len())
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

/// One check to make: a credential (and the findings of its other parts).
struct Job<'a> {
    fingerprint: &'a str,
    rule: &'a str,
    spec: Arc<VerifySpec>,
    secret: &'a str,
    values: Vec<(String, String)>,
    /// Fingerprints of its other parts that are findings of their own (an AWS secret key).
    parts: Vec<&'a str>,
    key: String,
}

impl Validator {
    /// A validator for the rules of `rules` that have a `[rule.verify]` table.
    ///
    /// # Errors
    /// A test base URL that is not loopback; a rule whose table does not read (rules read from files
    /// were checked when loaded, so this is rare).
    pub fn new(rules: &RuleSet, opts: Options) -> Result<Validator, LiveError> {
        let mut specs = HashMap::new();
        for r in rules.rules() {
            if let Some(text) = r.verify_text() {
                let spec: VerifySpec = toml::from_str(text).map_err(|e| LiveError::Spec {
                    rule: r.id().to_owned(),
                    message: e.message().to_owned(),
                })?;
                specs.insert(r.id().to_owned(), Arc::new(spec));
            }
        }
        let client = http::Client::new(
            opts.timeout,
            opts.rate_per_host,
            opts.max_retry_wait,
            opts.base_url.clone(),
        )?;
        Ok(Validator {
            specs,
            client,
            opts,
            key: None,
        })
    }

    /// Keys the cache entry of a multi-part credential (a fingerprint over all its parts) with the
    /// scan's fingerprint key, as the findings' own fingerprints are: without it, the cache file would
    /// hold a plain hash of the parts. The session sets it ([`crate::ScanSession::with_fingerprint_key`]).
    pub fn with_fingerprint_key(mut self, key: Option<crate::FingerprintKey>) -> Validator {
        self.key = key;
        self
    }

    /// Rule ids with a validator, and their providers, sorted by rule.
    pub fn providers(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<_> = self
            .specs
            .iter()
            .map(|(r, s)| (r.as_str(), s.provider.as_str()))
            .collect();
        v.sort_unstable();
        v
    }

    /// Asks the provider of each unique credential among `findings` (one check per credential, not per
    /// finding) and returns what each said, by fingerprint, with the run's counts. The secrets must be
    /// as found (not redacted); for multi-part credentials the scan must have collected the parts
    /// ([`crate::Scanner::with_validation_parts`]).
    pub fn check(&self, findings: &[Finding]) -> (BTreeMap<String, Liveness>, Summary) {
        let started = Instant::now();
        let now = jiff::Timestamp::now();
        let mut summary = Summary::default();
        let mut firsts: BTreeMap<&str, &Finding> = BTreeMap::new();
        for f in findings {
            let e = firsts.entry(f.fingerprint.as_str()).or_insert(f);
            // A credential is checked by the first of its findings whose rule has a validator.
            if !self.specs.contains_key(&e.rule) && self.specs.contains_key(&f.rule) {
                *e = f;
            }
        }
        summary.credentials = firsts.len();
        let jobs: Vec<Job<'_>> = firsts
            .iter()
            .filter_map(|(fp, f)| Some(self.job(fp, f, self.specs.get(&f.rule)?, findings)))
            .collect();
        // Not checked: no validator of its own, and not a part checked with another credential.
        let parts: std::collections::BTreeSet<&str> =
            jobs.iter().flat_map(|j| j.parts.iter().copied()).collect();
        for (fp, f) in &firsts {
            if !self.specs.contains_key(&f.rule) && !parts.contains(fp) {
                summary.not_checked += 1;
                *summary.unchecked_rules.entry(f.rule.clone()).or_default() += 1;
            }
        }
        summary.checked = jobs.len();

        let now_s = now.as_second();
        let mut cache = match &self.opts.cache {
            Some(p) => {
                cache::Cache::open(p, self.opts.ttl.as_secs() as i64, now_s).unwrap_or_else(|e| {
                    summary.warning = Some(format!("{e}: validating without it"));
                    cache::Cache::none()
                })
            }
            None => cache::Cache::none(),
        };
        let checked_at = jiff::Timestamp::from_second(now_s)
            .map(|t| t.to_string())
            .unwrap_or_default();
        // One request per distinct check (two fingerprints can share a key only by being the same).
        let mut by_key: BTreeMap<String, Liveness> = BTreeMap::new();
        let mut todo: Vec<&Job<'_>> = Vec::new();
        for j in &jobs {
            if by_key.contains_key(&j.key) || todo.iter().any(|t| t.key == j.key) {
                continue;
            }
            match cache.get(&j.key, now_s) {
                Some(l) => {
                    summary.cached += 1;
                    by_key.insert(j.key.clone(), l);
                }
                None => todo.push(j),
            }
        }
        let network = AtomicUsize::new(0);
        let first_network: Mutex<Option<String>> = Mutex::new(None);
        let done = AtomicUsize::new(0);
        let total = todo.len();
        let next = AtomicUsize::new(0);
        let answers: Mutex<Vec<(usize, Liveness)>> = Mutex::new(Vec::with_capacity(total));
        let threads = self.opts.concurrency.clamp(1, 256).min(total.max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = todo.get(i) else { break };
                    let (reading, net) = self.ask(job, now);
                    if let Some(reason) = net {
                        network.fetch_add(1, Ordering::Relaxed);
                        first_network
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(reason);
                    }
                    let l = liveness(reading, &job.spec, &checked_at);
                    answers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, l));
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(p) = &self.opts.progress {
                        p(d, total);
                    }
                });
            }
        });
        for (i, l) in answers.into_inner().unwrap_or_else(|e| e.into_inner()) {
            cache.put(&todo[i].key, &l, now_s);
            by_key.insert(todo[i].key.clone(), l);
        }
        if let Err(e) = cache.save() {
            summary.warning.get_or_insert(e.to_string());
        }
        summary.network_failures = network.into_inner();
        if total > 0 && summary.network_failures == total {
            summary.warning = Some(format!(
                "validation: no network ({}); {} credential{} left unknown",
                first_network
                    .into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_default(),
                total,
                if total == 1 { "" } else { "s" }
            ));
        }
        let mut results = BTreeMap::new();
        for j in &jobs {
            let Some(l) = by_key.get(&j.key) else {
                continue;
            };
            match l.status {
                LiveStatus::Live => summary.live += 1,
                LiveStatus::Dead => summary.dead += 1,
                LiveStatus::Unknown => summary.unknown += 1,
            }
            results.insert(j.fingerprint.to_owned(), l.clone());
            for p in &j.parts {
                if firsts
                    .get(p)
                    .is_some_and(|f| !self.specs.contains_key(&f.rule))
                {
                    results.entry((*p).to_owned()).or_insert_with(|| l.clone());
                }
            }
        }
        summary.requests = self.client.sent.swap(0, Ordering::Relaxed);
        summary.seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        (results, summary)
    }

    /// [`Validator::check`], then sets each credential's and finding's `liveness` and moves statuses
    /// (`live-unowned`, `revoked-but-live`) and governance counts accordingly.
    pub fn validate(
        &self,
        findings: &mut [Finding],
        credentials: &mut [crate::Credential],
        governance: &mut crate::Governance,
    ) -> Summary {
        let (results, summary) = self.check(findings);
        crate::credentials::apply_liveness(findings, credentials, governance, &results);
        summary
    }

    fn job<'a>(
        &self,
        fp: &'a str,
        f: &'a Finding,
        spec: &Arc<VerifySpec>,
        all: &'a [Finding],
    ) -> Job<'a> {
        let mut values = f.captures.clone();
        let mut parts = Vec::new();
        for p in &spec.pair {
            let Some(rule) = &p.rule else { continue };
            // The nearest finding of that rule in the same file, blob or message.
            let near = all
                .iter()
                .filter(|o| {
                    o.rule == *rule
                        && o.path == f.path
                        && o.commit == f.commit
                        && o.blob == f.blob
                        && o.source == f.source
                        && o.line.abs_diff(f.line) <= p.within()
                })
                .min_by_key(|o| (o.line.abs_diff(f.line), o.line));
            if let Some(o) = near {
                values.push((format!("pair.{}", p.name), o.secret.clone()));
                parts.push(o.fingerprint.as_str());
            }
        }
        let key = if values.iter().any(|(k, _)| k.starts_with("pair.")) {
            let mut bytes = f.secret.clone().into_bytes();
            let mut sorted: Vec<_> = values.iter().collect();
            sorted.sort();
            for (k, v) in sorted {
                bytes.push(0);
                bytes.extend_from_slice(k.as_bytes());
                bytes.push(0);
                bytes.extend_from_slice(v.as_bytes());
            }
            crate::fingerprint_with(self.key.as_ref(), &bytes)
        } else {
            fp.to_owned()
        };
        Job {
            fingerprint: fp,
            rule: &f.rule,
            spec: Arc::clone(spec),
            secret: &f.secret,
            values,
            parts,
            key,
        }
    }

    /// Makes one check. The second value is the failure's reason when the network failed.
    fn ask(&self, job: &Job<'_>, now: jiff::Timestamp) -> (Reading, Option<String>) {
        let subject = Subject {
            secret: job.secret,
            values: &job.values,
        };
        let spec = &job.spec;
        let optional: Vec<String> = spec
            .pair
            .iter()
            .filter(|p| p.required == Some(false))
            .map(|p| format!("pair.{}", p.name))
            .collect();
        for p in spec.pair.iter().filter(|p| p.required != Some(false)) {
            if subject.value(&format!("pair.{}", p.name)).is_none() {
                return (
                    Reading::unknown(format!(
                        "not checked: its other part `{}` was not found within {} lines",
                        p.name,
                        p.within()
                    )),
                    None,
                );
            }
        }
        let built = match (&spec.builtin, template::Template::verify(spec)) {
            (Some(b), _) => builtin::request(b, &subject, now),
            (None, Some(t)) => t.render(&subject, &optional),
            (None, None) => Err(format!("rule `{}` has no request", job.rule)),
        };
        let req = match built {
            Ok(r) => r,
            Err(e) => {
                return (
                    Reading::unknown(format!("not checked: {}", http::scrub(&e, job.secret))),
                    None,
                )
            }
        };
        match self.client.send(&req, &spec.allowed_hosts(), job.secret) {
            Ok(a) => (answer::read(spec, &a, &subject), None),
            Err(f) => {
                let net = f.network.then(|| f.reason.clone());
                (Reading::unknown(f.reason), net)
            }
        }
    }
}

fn liveness(r: Reading, spec: &VerifySpec, checked_at: &str) -> Liveness {
    Liveness {
        status: r.status,
        checked_at: checked_at.to_owned(),
        reason: r.reason,
        provider: Some(spec.provider.clone()),
        identity: r.identity,
        account: r.account,
        scopes: r.scopes,
        expires: r.expires,
        rotate: spec.rotate.clone(),
        cached: false,
    }
}
