//! The [`Scanner`]: a rule set with its keyword index, ready to scan bytes or directory trees.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use regex::bytes::Regex;
use serde::Serialize;

use crate::finding::Finding;
pub use crate::matcher::Truncation;
use crate::matcher::{MatchContext, Scratch};
use crate::prefilter::Prefilter;
use crate::rules::RuleSet;

/// A compiled rule set with its keyword index. Build one per process and share it across threads: it
/// is `Sync`, and each rule's regex is compiled once, on its first keyword hit, by whichever thread gets
/// there first.
///
/// # Example
/// ```
/// use leakhound_core::Scanner;
///
/// let scanner = Scanner::with_default_rules();
/// let findings = scanner.scan_bytes("deploy.sh", b"export AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\n"); // leakhound:allow (documentation token)
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].rule, "aws-access-key-id");
/// assert_eq!((findings[0].line, findings[0].column), (1, 26));
///
/// // Documentation values are not findings.
/// assert!(scanner.scan_bytes("README.md", b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE").is_empty());
/// ```
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    prefilter: Prefilter,
    allow: Vec<Regex>,
    now: u64,
    max_findings: usize,
    /// What validators need besides the secret, by rule ([`Scanner::with_validation_parts`]).
    parts: Option<crate::parts::PartsTable>,
    /// Findings' fingerprints are keyed under it when set ([`Scanner::with_fingerprint_key`]).
    key: Option<crate::FingerprintKey>,
}

/// Findings reported per file (or blob, or any scanned buffer) by default: a file with more is a dump
/// of test data or a generated fixture, and its first thousand findings say what it is. The cap also
/// bounds the time and memory one file can take: the search stops soon after it is reached.
pub const DEFAULT_MAX_FINDINGS_PER_FILE: usize = 1000;

impl Scanner {
    /// A scanner over `rules`. Building the keyword automaton takes well under a millisecond for the
    /// default pack; no regex is compiled here.
    pub fn new(rules: RuleSet) -> Scanner {
        let prefilter = Prefilter::new(rules.rules());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Scanner {
            rules,
            prefilter,
            allow: Vec::new(),
            now,
            max_findings: DEFAULT_MAX_FINDINGS_PER_FILE,
            parts: None,
            key: None,
        }
    }

    /// Fingerprints findings with `key` (`hmac-sha256:`) instead of plain SHA-256 (`None`, the
    /// default). Keying costs one HMAC per finding, where the plain form costs one hash.
    ///
    /// ```
    /// use leakhound_core::{FingerprintKey, Scanner};
    /// let key = FingerprintKey::from_bytes([5u8; 32]).unwrap();
    /// let scanner = Scanner::with_default_rules().with_fingerprint_key(Some(key.clone()));
    /// let f = scanner.scan_bytes("a.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"); // leakhound:allow (documentation token)
    /// assert_eq!(f[0].fingerprint, key.fingerprint(b"glpat-Hq3Zr8xK2mVb7NcT1pWd")); // leakhound:allow (documentation token)
    /// ```
    pub fn with_fingerprint_key(mut self, key: Option<crate::FingerprintKey>) -> Scanner {
        self.key = key;
        self
    }

    /// The key findings are fingerprinted with, if any.
    pub fn fingerprint_key(&self) -> Option<&crate::FingerprintKey> {
        self.key.as_ref()
    }

    /// Collects, with each finding of a rule that has a validator (`[rule.verify]`), the values the
    /// validator needs besides the secret ([`Finding::captures`]): the rule regex's other groups and the
    /// non-secret parts of a multi-part credential found near the secret. Off by default (it costs a
    /// second regex run per such finding); a scan whose credentials will be validated turns it on.
    pub fn with_validation_parts(mut self, on: bool) -> Scanner {
        self.parts = on.then(|| crate::parts::PartsTable::build(self.rules.rules()));
        self
    }

    /// A scanner over the embedded default rule pack.
    pub fn with_default_rules() -> Scanner {
        Scanner::new(RuleSet::embedded())
    }

    /// Adds global allowlist regexes: a secret matching any of them is never reported, whatever the rule.
    pub fn with_allow_regexes(mut self, allow: Vec<Regex>) -> Scanner {
        self.allow = allow;
        self
    }

    /// The global allowlist regexes ([`Scanner::with_allow_regexes`]).
    pub fn allow_regexes(&self) -> &[Regex] {
        &self.allow
    }

    /// Reports at most `max` findings per file, blob or buffer (0: no limit; default
    /// [`DEFAULT_MAX_FINDINGS_PER_FILE`]): the first `max` in offset order. Whether a buffer was cut,
    /// and by how much, is in the scratch space's [`crate::Scratch::truncation`] after its scan.
    pub fn with_max_findings_per_file(mut self, max: usize) -> Scanner {
        self.max_findings = max;
        self
    }

    /// The per-file findings cap (0: none).
    pub fn max_findings_per_file(&self) -> usize {
        self.max_findings
    }

    /// The rules this scanner runs.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Scans one buffer; `path` is reported in findings and matched against rules' `paths_allow`.
    /// Findings come back in offset order.
    pub fn scan_bytes(&self, path: &str, bytes: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        self.scan_bytes_into(path, bytes, &mut Scratch::new(), &mut out);
        out
    }

    /// Like [`Scanner::scan_bytes`], reusing the caller's scratch space and output vector: the form for
    /// hot loops.
    ///
    /// ```
    /// use leakhound_core::{Scanner, Scratch};
    ///
    /// let scanner = Scanner::with_default_rules();
    /// let (mut scratch, mut out) = (Scratch::new(), Vec::new());
    /// for (path, text) in [("a.env", "X=1"), ("b.env", "STRIPE_KEY=sk_live_51Hq8ZtR2vNx7LmWp3KcY9bDs")] { // leakhound:allow (documentation token)
    ///     scanner.scan_bytes_into(path, text.as_bytes(), &mut scratch, &mut out);
    /// }
    /// assert_eq!(out.len(), 1);
    /// assert_eq!(out[0].path, "b.env");
    /// ```
    pub fn scan_bytes_into(
        &self,
        path: &str,
        bytes: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) {
        self.context(false).scan(path, bytes, scratch, out);
    }

    /// `bulk`: many buffers follow (a directory walk, a history scan), so the keyword DFA is worth its
    /// build time; otherwise small buffers use the cheaper-to-build NFA.
    pub(crate) fn context(&self, bulk: bool) -> MatchContext<'_> {
        MatchContext {
            rules: self.rules.rules(),
            prefilter: &self.prefilter,
            allow: &self.allow,
            now: self.now,
            bulk,
            max_findings: self.max_findings,
            parts: self.parts.as_ref(),
            key: self.key.as_ref(),
        }
    }
}

/// The worker threads a scan runs: `requested` (0: one per core), never more than four per core. A
/// thread per file of a small tree costs more to start than the scan (`--threads 10000` took over a
/// minute on five files).
///
/// ```
/// let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
/// assert_eq!(leakhound_core::effective_threads(0), cores);
/// assert_eq!(leakhound_core::effective_threads(10_000), 4 * cores);
/// assert_eq!(leakhound_core::effective_threads(1), 1);
/// ```
pub fn effective_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match requested {
        0 => cores,
        n => n.min(4 * cores),
    }
}

/// The message of a [`SkipReason::TooLarge`] skip, the same for every source.
pub(crate) fn too_large(size: u64, max: u64) -> String {
    format!("{size} bytes is over the maximum file size of {max} bytes")
}

/// Why a file or blob was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Binary content with no text worth scanning (compressed data, images, archives, fonts, media,
    /// executables): see [`crate::content::as_text`].
    Binary,
    /// Larger than the maximum file size.
    TooLarge,
    /// Could not be opened or read (permissions, I/O error).
    Unreadable,
    /// Disappeared between the walk and the read.
    Vanished,
    /// Truncated while it was being scanned (a memory-mapped file shrank under the scan): what was
    /// scanned is not what the file holds, so nothing of it is reported.
    Changed,
    /// Exempted by an allowlisted path.
    Allowlisted,
    /// Not a regular file (FIFO, socket, device).
    NotAFile,
    /// A followed symbolic link leads back to one of its ancestors.
    SymlinkLoop,
    /// The directory walk reported an error (an unreadable directory).
    WalkError,
    /// An object the history refers to is not in the repository (a partial clone's promised objects).
    Missing,
}

impl SkipReason {
    /// The kebab-case name used in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too-large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Vanished => "vanished",
            SkipReason::Changed => "changed",
            SkipReason::Allowlisted => "allowlisted",
            SkipReason::NotAFile => "not-a-file",
            SkipReason::SymlinkLoop => "symlink-loop",
            SkipReason::WalkError => "walk-error",
            SkipReason::Missing => "missing",
        }
    }

    /// Whether this skip means input was lost to an error (and the scan must exit 2).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            SkipReason::Unreadable
                | SkipReason::WalkError
                | SkipReason::Missing
                | SkipReason::Changed
        )
    }
}

/// A problem with one input that did not stop the scan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScanWarning {
    /// The file (or directory) concerned.
    pub path: String,
    /// Why it was skipped.
    pub reason: SkipReason,
    /// What went wrong, one line.
    pub message: String,
}

/// Something a scan wants the user to know that lost no input.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Note {
    /// The file, object or repository concerned.
    pub path: String,
    /// What to know, one line.
    pub message: String,
}

/// Counters of a scan, merged from every worker thread when it finishes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanStats {
    /// Files (or blobs) whose bytes were scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files skipped, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Untracked entries that ignore files (`.gitignore`, `.ignore`, `.git/info/exclude`) exclude
    /// from a directory walk: a file, or a directory counted once and not read. Tracked files are
    /// scanned whatever the ignore files say, and are not counted here.
    pub ignored: u64,
    /// Errors and notable skips, one per input (not serialised: reported on stderr).
    #[serde(skip)]
    pub warnings: Vec<ScanWarning>,
    /// Things worth knowing that lost no input (an index whose object ids were recomputed, a partial
    /// clone accepted as such), one line each, reported on stderr.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Wall time of the scan.
    #[serde(serialize_with = "ser_secs", rename = "seconds")]
    pub elapsed: Duration,
    /// Files (or blobs) whose findings were cut at the per-file cap.
    pub truncated_files: u64,
    /// Files (or blobs) some of whose encoded values were not decoded, each named in `notes`.
    pub undecoded_files: u64,
    /// Each of them, with how it was cut (not serialised: reported on stderr).
    #[serde(skip)]
    pub truncated: Vec<(String, Truncation)>,
}

fn ser_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

impl ScanStats {
    /// Adds `other`'s counters into `self`.
    pub fn merge(&mut self, other: ScanStats) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.ignored += other.ignored;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        self.warnings.extend(other.warnings);
        self.notes.extend(other.notes);
        self.truncated_files += other.truncated_files;
        self.undecoded_files += other.undecoded_files;
        self.truncated.extend(other.truncated);
    }

    /// Counts what the per-buffer limits left out of the scan `scratch` just ran: findings past the cap
    /// ([`ScanStats::truncated`]) and encoded values past the decoding budget ([`ScanStats::undecoded`]).
    /// `path` names the input; it is called only when something was left out.
    ///
    /// ```
    /// use leakhound_core::{ScanStats, Scanner, Scratch};
    ///
    /// let scanner = Scanner::with_default_rules().with_max_findings_per_file(1);
    /// let text = "A=AKIAQYLPMN5HHHFPZAM2\nB=AKIAVKYVXHVPHH7VM7BH\n"; // leakhound:allow (documentation key ids)
    /// let (mut scratch, mut out, mut stats) = (Scratch::new(), Vec::new(), ScanStats::default());
    /// scanner.scan_bytes_into("ids.txt", text.as_bytes(), &mut scratch, &mut out);
    /// stats.count_limits(&scratch, || "ids.txt".to_owned());
    /// assert_eq!((stats.truncated_files, stats.undecoded_files), (1, 0));
    /// ```
    pub fn count_limits(&mut self, scratch: &crate::Scratch, path: impl Fn() -> String) {
        if let Some(t) = scratch.truncation() {
            self.truncated(&path(), t);
        }
        if scratch.undecoded() > 0 {
            self.undecoded(&path(), scratch.undecoded());
        }
    }

    /// Names an input some of whose encoded values were not decoded (see
    /// [`crate::Scratch::undecoded`]): after each scan of a buffer,
    /// `if scratch.undecoded() > 0 { stats.undecoded(path, scratch.undecoded()) }`.
    pub fn undecoded(&mut self, path: &str, runs: usize) {
        self.undecoded_files += 1;
        self.note(
            path,
            format!(
                "{runs} encoded values not decoded: the file's decoding budget is spent \
                 (their encoded text was scanned)"
            ),
        );
    }

    /// Counts an input whose findings were cut at the per-file cap: after each scan of a buffer,
    /// `if let Some(t) = scratch.truncation() { stats.truncated(path, t) }`.
    ///
    /// ```
    /// use leakhound_core::{ScanStats, Truncation};
    ///
    /// let mut stats = ScanStats::default();
    /// stats.truncated("dump.sql", Truncation { reported: 1000, more: 5, complete: true });
    /// assert_eq!(stats.truncated_files, 1);
    /// assert_eq!(
    ///     format!("{}: {}", stats.truncated[0].0, stats.truncated[0].1),
    ///     "dump.sql: truncated: the first 1000 findings are reported, 5 more are not"
    /// );
    /// ```
    pub fn truncated(&mut self, path: &str, truncation: Truncation) {
        self.truncated_files += 1;
        self.truncated.push((path.to_owned(), truncation));
    }

    /// Counts a skipped input; errors also keep a warning line.
    pub fn skip(&mut self, path: &str, reason: SkipReason, message: impl Into<String>) {
        *self.skipped.entry(reason).or_default() += 1;
        if reason.is_error() || reason == SkipReason::TooLarge {
            self.warnings.push(ScanWarning {
                path: path.to_owned(),
                reason,
                message: message.into(),
            });
        }
    }

    /// Counts `n` inputs skipped for one reason with one warning line (a broken pack's objects).
    pub fn skip_many(
        &mut self,
        path: &str,
        reason: SkipReason,
        n: u64,
        message: impl Into<String>,
    ) {
        if n == 0 {
            return;
        }
        *self.skipped.entry(reason).or_default() += n;
        self.warnings.push(ScanWarning {
            path: path.to_owned(),
            reason,
            message: message.into(),
        });
    }

    /// Records a note about `path` that lost no input.
    pub fn note(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// Whether any input was lost to an error.
    pub fn had_errors(&self) -> bool {
        self.skipped.iter().any(|(r, n)| r.is_error() && *n > 0)
    }

    /// Scan throughput in MB/s (10^6 bytes).
    pub fn mb_per_sec(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.bytes as f64 / s / 1e6
        } else {
            0.0
        }
    }
}

/// A rule example that did not behave as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule.
    pub rule: String,
    /// `true` for an `examples` entry that found nothing, `false` for a `negative_examples` entry that
    /// produced a finding.
    pub positive: bool,
    /// The example text.
    pub example: String,
    /// What was found instead (rule ids), for the message.
    pub found: Vec<String>,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.positive {
            write!(
                f,
                "rule `{}`: example not detected: {:?}",
                self.rule, self.example
            )?;
            if !self.found.is_empty() {
                write!(f, " (found instead: {})", self.found.join(", "))?;
            }
            Ok(())
        } else {
            write!(
                f,
                "rule `{}`: negative example detected: {:?}",
                self.rule, self.example
            )
        }
    }
}

impl Scanner {
    /// Runs the `examples` and `negative_examples` of the rules whose ids are in `ids` (all rules when
    /// `ids` is `None`) through this scanner, so overlap resolution with the other rules applies as in a
    /// real scan. Returns every failure.
    ///
    /// ```
    /// use leakhound_core::Scanner;
    /// assert!(Scanner::with_default_rules().check_examples(None).is_empty());
    /// ```
    pub fn check_examples(&self, ids: Option<&[&str]>) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        for rule in self
            .rules
            .iter()
            .filter(|r| ids.is_none_or(|ids| ids.contains(&r.id())))
        {
            let cases = rule
                .examples()
                .map(|e| (true, e))
                .chain(rule.negative_examples().map(|e| (false, e)));
            let path = rule.example_path();
            for (positive, example) in cases {
                let found = self.scan_bytes(&path, example.as_bytes());
                let hit = found.iter().any(|f| f.rule == rule.id());
                if hit != positive {
                    failures.push(ExampleFailure {
                        rule: rule.id().to_owned(),
                        positive,
                        example: example.to_owned(),
                        found: found.into_iter().map(|f| f.rule).collect(),
                    });
                }
            }
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule of the default pack: its regex compiles, its examples are found, its negative examples
    /// are not.
    #[test]
    fn default_pack_examples() {
        let scanner = Scanner::with_default_rules();
        let mut problems: Vec<String> = scanner
            .rules()
            .iter()
            .filter_map(|r| r.check().err())
            .map(|e| e.to_string())
            .collect();
        problems.extend(scanner.check_examples(None).iter().map(ToString::to_string));
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    /// No rule of the pack reads a value across a line break into the next line's name: each one-line
    /// example whose secret its rule finds is cut before the secret, and the secret moved to a next line
    /// under another name (`NAME=` / `OTHER_SETTING=secret`, YAML `OTHER_SETTING: secret`, indented, after a
    /// blank line). Reporting `OTHER_SETTING…` as the first name's value was `snowflake-password`'s defect.
    #[test]
    fn no_rule_reads_a_value_from_the_next_line() {
        // Owned elsewhere (rules/generic.toml): `bearer\s+` crosses lines.
        const KNOWN: &[&str] = &["http-bearer-token"];
        let scanner = Scanner::with_default_rules();
        let mut problems = Vec::new();
        for (example, f) in one_line_examples_found(&scanner) {
            let (pre, post) = (&example[..f.offset], &example[f.offset + f.secret.len()..]);
            let bare = pre.trim_end_matches([' ', '"', '\'', '`']);
            for marker in [
                "NEXT_SETTING_NAME_FOR_THE_CLIENT",
                "nextSettingNameForTheClientConfig",
            ] {
                let s = &f.secret;
                for text in [
                    format!("{pre}\n{marker}={s}{post}\n"),
                    format!("{bare}\n{marker}: {s}\n"),
                    format!("{pre}\n  {marker} = {s}{post}\n"),
                    format!("{bare}\n\n{marker} {s}\n"),
                ] {
                    for g in scanner.scan_bytes("example", text.as_bytes()) {
                        if g.secret.contains(marker) && !KNOWN.contains(&g.rule.as_str()) {
                            problems.push(format!("{}: {text:?} -> {:?}", g.rule, g.secret));
                        }
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every one-line example of the default pack (surrounding newlines trimmed) with the finding of
    /// its own rule in it; examples their rule does not find alone are left out.
    fn one_line_examples_found(scanner: &Scanner) -> Vec<(String, Finding)> {
        let mut out = Vec::new();
        for rule in scanner.rules().iter() {
            for example in rule.examples().map(|e| e.trim_matches('\n')) {
                if example.contains('\n') {
                    continue;
                }
                let found = scanner.scan_bytes("example", example.as_bytes());
                if let Some(f) = found.into_iter().find(|f| f.rule == rule.id()) {
                    out.push((example.to_owned(), f));
                }
            }
        }
        out
    }

    /// Every one-line example whose secret its rule finds is still found (a) with percent-encoded base64
    /// padding after the secret, as a token in a URL carries it (`…%3D`, `…%3D%3D`), and (b) wrapped
    /// in ANSI colour codes as a CI log prints it (`ESC[93m` + secret + `ESC[0m`, raw or as JSON's
    /// `\u001b[`).
    #[test]
    fn examples_survive_url_padding_and_log_colours() {
        // Rules whose secret must be followed by a closing quote (`"auth": "…"`), a `@host` or a JSON
        // `\n"`: nothing can follow the secret there. generic-*: rules/generic.toml, owned elsewhere.
        const PADDING_EXEMPT: &[&str] = &[
            "docker-config-auth",
            "sentry-dsn",
            "gcp-service-account-private-key",
            "generic-secret",
            "generic-token",
            // Inside an XML element or an HTTP header, where nothing percent-encodes the padding, and
            // the validators need the padded base64 (a word after `Basic` is seldom a multiple of 4).
            "filezilla-password",
            "http-basic-auth",
        ];
        let scanner = Scanner::with_default_rules();
        let mut problems = Vec::new();
        for (example, f) in one_line_examples_found(&scanner) {
            let rule = &f.rule;
            let (pre, s, post) = (
                &example[..f.offset],
                &f.secret,
                &example[f.offset + f.secret.len()..],
            );
            // A log colours a whole line, or a bare value printed after a name. A name and a value
            // separated by blanks only (`#define NAME "v"`, Gradle's `password 'v'`) count only
            // where the name opens its line, so those are not tried after a log prefix.
            let line_start_form = {
                let t = example.trim_start();
                t.starts_with("#define")
                    || t.split_once(' ').is_some_and(|(w, v)| {
                        w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                            && v.trim_start().starts_with(['"', '\''])
                    })
            };
            let mut cases = vec![format!("\x1b[32m{pre}{s}{post}\x1b[0m")];
            if !line_start_form {
                cases.push(format!(
                    "2026-03-02T10:11:12.345Z \x1b[1;31m{pre}{s}{post}\x1b[0m"
                ));
                cases.push(format!(
                    r#"{{"log":"\u001b[93m{pre}{s}{post}\u001b[0m\n"}}"#
                ));
            }
            if (pre.is_empty() || pre.ends_with(' ')) && (post.is_empty() || post.starts_with(' '))
            {
                cases.push(format!("{pre}\x1b[93m{s}\x1b[0m{post}"));
            }
            // Base64 padding, percent-encoded as in a URL's query.
            let bare = s.trim_end_matches('=');
            if !PADDING_EXEMPT.contains(&rule.as_str()) && bare.len() < s.len() {
                let pad = "%3D".repeat(s.len() - bare.len());
                cases.push(format!("{pre}{bare}{pad}{post}"));
            }
            for text in cases {
                let again = scanner.scan_bytes("ci.log", text.as_bytes());
                if !again
                    .iter()
                    .any(|g| g.rule == *rule && g.secret.starts_with(bare))
                {
                    problems.push(format!("{rule}: {text:?}"));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    /// Every `[[rule]]` of `rules/*.toml` is embedded, and the pack keeps the size issue 12 set.
    #[test]
    fn default_pack_holds_every_rule_of_the_rule_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let written: usize = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                std::fs::read_to_string(&p)
                    .unwrap()
                    .lines()
                    .filter(|l| l.trim_end() == "[[rule]]")
                    .count()
            })
            .sum();
        let embedded = RuleSet::embedded().len();
        assert_eq!(embedded, written);
        assert!(embedded >= 600, "{embedded}");
    }

    #[test]
    fn generic_loses_to_specific_on_same_bytes() {
        let scanner = Scanner::with_default_rules();
        let f = scanner.scan_bytes("x", b"api_token = \"glpat-Hq3Zr8xK2mVb7NcT1pWd\"\n"); // leakhound:allow
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "gitlab-pat");
    }

    #[test]
    fn positions_are_one_based_byte_columns() {
        let scanner = Scanner::with_default_rules();
        let f = scanner.scan_bytes("x", "é\r\n  key: glpat-Hq3Zr8xK2mVb7NcT1pWd\r\n".as_bytes()); // leakhound:allow
        assert_eq!(
            (f[0].line, f[0].column, f[0].end_line, f[0].end_column),
            (2, 8, 2, 34)
        );
    }

    /// An MCP server's `env` and `headers` values are credentials by position, whatever their names;
    /// outside agent configuration the same lines report nothing.
    #[test]
    fn agent_config_values_by_position() {
        let scanner = Scanner::with_default_rules();
        // One source line per line of the file, so that each carries its allow marker.
        let text = concat!(
            r#"{"mcpServers": {"notion": {"command": "npx","#,
            "\n",
            r#"  "args": ["-y", "@acme/mcp", "--auth", "Pq7Wm2Zr9Xv4Lc8Nt3Bk6Hd1Jf5Gs0Ya"],"#, // leakhound:allow
            "\n",
            r#"  "env": {"NOTION_INTEGRATION": "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cDeF", "LOG_LEVEL": "debug","#, // leakhound:allow
            "\n",
            r#"          "HOME_DIR": "/home/dev/.config/notion", "TOKEN_REF": "${NOTION_TOKEN}"},"#,
            "\n",
            r#"  "headers": {"X-Linear-Auth": "Rk4Tz8Qw2Vn6Ym1Hb9Xc3Jd7Lp5Fs0Ga"}}}}"#, // leakhound:allow
            "\n",
        )
        .as_bytes();
        for path in [".mcp.json", "tools/agents.json"] {
            let f = scanner.scan_bytes(path, text);
            let got: Vec<(usize, usize, &str)> = f
                .iter()
                .map(|f| (f.line, f.column, f.secret.as_str()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (2, 42, "Pq7Wm2Zr9Xv4Lc8Nt3Bk6Hd1Jf5Gs0Ya"),
                    (3, 34, "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cDeF"),
                    (5, 33, "Rk4Tz8Qw2Vn6Ym1Hb9Xc3Jd7Lp5Fs0Ga"),
                ],
                "{path}: {f:#?}"
            );
            assert!(f.iter().all(|f| f.surface == Some(crate::Surface::AiAgent)));
            assert!(f[1]
                .note
                .as_deref()
                .unwrap()
                .contains("`NOTION_INTEGRATION`"));
        }
        // Not agent configuration: no MCP key, no agent path. Nothing is read by position; only what a
        // name says is a credential is reported (`X-Linear-Auth` ends in `auth`: generic-credential).
        let plain = String::from_utf8_lossy(text).replace("mcpServers", "services");
        let by_name: Vec<(String, usize)> = scanner
            .scan_bytes("config.json", plain.as_bytes())
            .into_iter()
            .map(|f| (f.rule, f.line))
            .collect();
        assert_eq!(by_name, [("generic-credential".to_owned(), 5)]);
        // The file's own allow comment applies (JSONC, as VS Code reads it).
        let jsonc = concat!(
            r#"{"servers": {"x": {"env": {"X_AUTH": "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cDeF"}}}}"#, // leakhound:allow
            " // leakhound:allow"
        );
        assert!(scanner
            .scan_bytes(".vscode/mcp.json", jsonc.as_bytes())
            .is_empty());
        let bare = jsonc.trim_end_matches(" // leakhound:allow");
        assert_eq!(
            scanner
                .scan_bytes(".vscode/mcp.json", bare.as_bytes())
                .len(),
            1
        );
        // Ordinary values in an env block stay quiet.
        let quiet = br#"{"mcpServers": {"x": {"env": {"REGION": "eu-west-1", "MODE": "read-only-production-mirror", "ID": "3f2b8c1e-7d4a-4b9e-9c2f-1a6d5e8b7c40"}}}}"#;
        assert!(scanner.scan_bytes(".cursor/mcp.json", quiet).is_empty());
    }

    #[test]
    fn context_lowers_severity_once_per_file() {
        let scanner = Scanner::with_default_rules();
        let text = b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"; // leakhound:allow
        let code = scanner.scan_bytes("src/app.env", text);
        let test = scanner.scan_bytes("tests/fixtures/app.env", text);
        assert_eq!(code[0].context, crate::Context::Code);
        assert_eq!(code[0].original_severity, None);
        assert_eq!(test[0].context, crate::Context::Test);
        assert_eq!(test[0].original_severity, Some(code[0].severity));
        assert_eq!(
            test[0].severity,
            crate::Context::Test.lower(code[0].severity)
        );
        assert_eq!(code[0].surface, None);
    }

    #[test]
    fn survives_hostile_input() {
        let scanner = Scanner::with_default_rules();
        let mut junk: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        junk.extend_from_slice(
            b"password=\xff\xfe\x00 token: ghp_ AKIA -----BEGIN RSA PRIVATE KEY-----\n\xc3",
        );
        let lines = junk.split(|b| *b == b'\n').count();
        for f in scanner.scan_bytes("junk", &junk) {
            // Positions inside the input, the secret where they say.
            assert!(
                f.line >= 1 && f.line <= f.end_line && f.end_line <= lines,
                "{f:?}"
            );
            assert!(f.offset + f.secret.len() <= junk.len(), "{f:?}");
            // The stubs on the last line are prefixes and a PEM header without a body: no secret.
            assert!(f.line < lines, "{f:?}");
        }
        assert!(scanner.scan_bytes("empty", b"").is_empty());
        assert!(scanner.scan_bytes("kw-at-end", b"password").is_empty());
        assert!(scanner.scan_bytes("kw-at-end", b"password=").is_empty());
    }
}
