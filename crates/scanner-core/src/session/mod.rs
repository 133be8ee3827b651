//! One scan, end to end, as `leakhound scan` runs it: the porcelain over the engine and the sources.
//!
//! A [`ScanSession`] is built once from the source (paths, history with a range or incremental state,
//! staged changes, a commit message, caller bytes) and the settings (rules, configs, baseline,
//! inventory, limits, exit policy); [`ScanSession::run`] loads the configs and rule pack, runs the
//! source through one [`Sink`](crate::source::Sink), applies the baseline, links every finding to the
//! inventory and CODEOWNERS, and returns one [`Report`]. The command line parses its arguments into a
//! session and prints the report; the git hooks run one.
//!
//! ```
//! use leakhound_core::session::{ScanSession, Verdict};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join(".env"), "GITLAB_TOKEN=glpat-Hq3Zr8xK2mVb7NcT1pWd\n").unwrap(); // leakhound:allow (documentation token)
//! let report = ScanSession::paths([dir.path()]).run().unwrap();
//! assert_eq!(report.findings[0].rule, "gitlab-pat");
//! assert_eq!(report.governance.unknown_origin, 1);
//! assert_eq!(report.verdict(), Verdict::Findings);
//! ```

mod configs;
mod outcome;
mod paths;
mod rule_check;
mod run_info;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::baseline::{Baseline, BaselineError};
use crate::config::ConfigError;
use crate::context::Context;
use crate::credentials::{self, Status};
use crate::date::Date;
use crate::finding::Finding;
use crate::fingerprint_notes::PlainForms;
use crate::inventory::{Inventory, InventoryError};
use crate::owners::CodeOwners;
use crate::rules::RuleError;
use crate::scan::Scanner;
use crate::source::fs::{FsError, FsOptions};
use crate::source::{Collect, Progress};

pub use crate::source::Stats;
pub use configs::rule_pack;
pub use outcome::{Report, Scanned, Verdict};
pub use paths::repo_root;
use paths::RootPaths;
pub use rule_check::{check_rules, RuleCheck};
pub use run_info::RunInfo;

#[cfg(feature = "git")]
use crate::source::{
    commit_msg::{Cleanup, MessageError},
    git::{HistoryError, HistoryOptions, StateStore},
    staged::StagedError,
};

/// The baseline file a repository keeps at its root (used by the hooks without being named).
pub const BASELINE_FILE: &str = ".leakhound-baseline.json";

/// The inventory file a repository keeps at its root (used when present).
pub const INVENTORY_FILE: &str = "leakhound-inventory.toml";

/// What a session scans.
#[derive(Debug, Clone)]
pub enum Source {
    /// Files and directories, walked.
    Paths(Vec<PathBuf>),
    /// The history of the repository at (or above) this path.
    #[cfg(feature = "git")]
    History(PathBuf),
    /// The staged changes of the repository at (or above) this path, added lines only.
    #[cfg(feature = "git")]
    Staged(PathBuf),
    /// A commit message file, as git will record it in the repository at `repo`.
    #[cfg(feature = "git")]
    CommitMessage {
        /// The repository (for its `core.commentChar` and `commit.cleanup`).
        repo: PathBuf,
        /// The message file git hands the hook.
        file: PathBuf,
    },
    /// Bytes the caller has, under a display name.
    Bytes {
        /// The name findings carry as their path.
        name: String,
        /// The content.
        bytes: Vec<u8>,
    },
}

/// What stops a session. Each variant keeps its cause as the error's source.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A config file cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A rule file cannot be used.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// `--no-default-rules` without any other rule.
    #[error("no rules to run: --no-default-rules needs --rules FILE or rules in the config")]
    NoRules,
    /// A glob of a config's `allowlist.paths` is invalid.
    #[error("allowlist.paths: {glob:?}: {message}")]
    BadGlob {
        /// The glob as written.
        glob: String,
        /// Why it is invalid.
        message: String,
    },
    /// The baseline cannot be used.
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    /// The inventory cannot be used.
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    /// The file source could not start.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The history source could not start.
    #[cfg(feature = "git")]
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The staged source could not start.
    #[cfg(feature = "git")]
    #[error(transparent)]
    Staged(#[from] StagedError),
    /// The commit message cannot be read.
    #[cfg(feature = "git")]
    #[error(transparent)]
    Message(#[from] MessageError),
    /// Validation cannot start (a test base URL that is not loopback).
    #[cfg(feature = "live")]
    #[error(transparent)]
    Validation(#[from] crate::live::LiveError),
}

/// A progress callback, shared with the source's threads.
type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// One scan's source and settings. Build it with a constructor for the source and the `with`-style
/// setters, then [`ScanSession::run`] it (as many times as wanted).
#[derive(Clone)]
pub struct ScanSession {
    source: Source,
    default_rules: bool,
    rule_files: Vec<PathBuf>,
    config: Option<PathBuf>,
    repo_config: bool,
    baseline: Option<PathBuf>,
    inventory: Option<PathBuf>,
    fail_on: Vec<crate::credentials::FailOn>,
    fail_on_context: Option<Vec<Context>>,
    fs: FsOptions,
    max_findings_per_file: usize,
    #[cfg(feature = "git")]
    history: HistoryOptions,
    /// History: the incremental state at its default place in the repository.
    #[cfg(feature = "git")]
    incremental: bool,
    today: Option<Date>,
    progress: Option<ProgressFn>,
    /// Live validation (`--validate`): off unless asked for.
    #[cfg(feature = "live")]
    validation: Option<crate::live::Options>,
    /// Keyed fingerprints ([`ScanSession::with_fingerprint_key`]).
    fingerprint_key: Option<crate::FingerprintKey>,
}

impl std::fmt::Debug for ScanSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanSession")
            .field("source", &self.source)
            .field("rule_files", &self.rule_files)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ScanSession {
    /// A session over `source` with the defaults of `leakhound scan`: the embedded rules, the
    /// repository's config, every finding fails, 100 MiB files at most.
    pub fn new(source: Source) -> ScanSession {
        ScanSession {
            source,
            default_rules: true,
            rule_files: Vec::new(),
            config: None,
            repo_config: true,
            baseline: None,
            inventory: None,
            fail_on: Vec::new(),
            fail_on_context: None,
            fs: FsOptions::default(),
            max_findings_per_file: crate::DEFAULT_MAX_FINDINGS_PER_FILE,
            #[cfg(feature = "git")]
            history: HistoryOptions {
                max_file_size: FsOptions::default().max_file_size,
                ..HistoryOptions::default()
            },
            #[cfg(feature = "git")]
            incremental: false,
            today: None,
            progress: None,
            #[cfg(feature = "live")]
            validation: None,
            fingerprint_key: None,
        }
    }

    /// Files and directories (the current directory when empty).
    pub fn paths<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> ScanSession {
        let mut paths: Vec<PathBuf> = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
        if paths.is_empty() {
            paths.push(PathBuf::from("."));
        }
        ScanSession::new(Source::Paths(paths))
    }

    /// The history of the repository at (or above) `repo`.
    #[cfg(feature = "git")]
    pub fn history(repo: impl Into<PathBuf>) -> ScanSession {
        ScanSession::new(Source::History(repo.into()))
    }

    /// The staged changes of the repository at (or above) `repo`.
    #[cfg(feature = "git")]
    pub fn staged(repo: impl Into<PathBuf>) -> ScanSession {
        ScanSession::new(Source::Staged(repo.into()))
    }

    /// The commit message in `file`, for the repository at `repo`.
    #[cfg(feature = "git")]
    pub fn commit_message(repo: impl Into<PathBuf>, file: impl Into<PathBuf>) -> ScanSession {
        ScanSession::new(Source::CommitMessage {
            repo: repo.into(),
            file: file.into(),
        })
    }

    /// Bytes the caller has, reported under `name`.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> ScanSession {
        ScanSession::new(Source::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        })
    }

    /// The source.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Whether the embedded rules run (default: yes).
    pub fn with_default_rules(mut self, yes: bool) -> Self {
        self.default_rules = yes;
        self
    }

    /// Rule files (leakhound's format or a gitleaks configuration) to add, in order.
    pub fn with_rule_files(mut self, files: impl IntoIterator<Item = PathBuf>) -> Self {
        self.rule_files.extend(files);
        self
    }

    /// An explicit config (an organisation's policy), applied before the repository's.
    pub fn with_config(mut self, file: Option<PathBuf>) -> Self {
        self.config = file;
        self
    }

    /// Whether the scanned repository's own `.leakhound.toml` is used (default: yes).
    pub fn with_repo_config(mut self, yes: bool) -> Self {
        self.repo_config = yes;
        self
    }

    /// A baseline of accepted findings. The hooks' sources use the repository's without being told.
    pub fn with_baseline(mut self, file: Option<PathBuf>) -> Self {
        self.baseline = file;
        self
    }

    /// The owner inventory (default: `leakhound-inventory.toml` at the root, when present).
    pub fn with_inventory(mut self, file: Option<PathBuf>) -> Self {
        self.inventory = file;
        self
    }

    /// Only findings with these statuses fail the scan (empty, the default: any finding does).
    pub fn with_fail_on(self, statuses: Vec<Status>) -> Self {
        self.with_fail_on_any(statuses.into_iter().map(Into::into).collect())
    }

    /// Only findings these select fail the scan: statuses, or `live` ([`crate::credentials::FailOn`],
    /// `--fail-on`); empty, the default: any finding does.
    pub fn with_fail_on_any(mut self, selectors: Vec<crate::credentials::FailOn>) -> Self {
        self.fail_on = selectors;
        self
    }

    /// Only findings in these contexts fail the scan (`None`, the default: the configs' policy, else
    /// every context).
    pub fn with_fail_on_context(mut self, contexts: Option<Vec<Context>>) -> Self {
        self.fail_on_context = contexts;
        self
    }

    /// Worker threads (0, the default: one per core).
    pub fn with_threads(mut self, n: usize) -> Self {
        self.fs.threads = n;
        #[cfg(feature = "git")]
        {
            self.history.threads = n;
        }
        self
    }

    /// Files (and blobs) larger than this are skipped and counted (history, staged changes and caller
    /// bytes: 0 lifts the limit).
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.fs.max_file_size = bytes;
        #[cfg(feature = "git")]
        {
            self.history.max_file_size = bytes;
        }
        self
    }

    /// Asks each credential's provider whether it still works (feature `live`; never the default):
    /// the scan collects the parts validators need, the report's credentials and findings get
    /// `liveness`, statuses move to `live-unowned` and `revoked-but-live`, and
    /// [`Report::validation`] counts the answers. Findings a baseline accepts are not checked.
    #[cfg(feature = "live")]
    pub fn with_validation(mut self, options: Option<crate::live::Options>) -> Self {
        self.validation = options;
        self
    }

    /// Fingerprints every finding with `key` (`hmac-sha256:`; `None`, the default: plain `sha256:`),
    /// so the report, the baseline and the inventory lookups all use the keyed form. Plain entries of
    /// an inventory or baseline still match (through the plain form of each finding's secret), and
    /// [`Report::fingerprint_notes`] says which files hold the other kind.
    pub fn with_fingerprint_key(mut self, key: Option<crate::FingerprintKey>) -> Self {
        self.fingerprint_key = key;
        self
    }

    /// Findings reported per file at most (0: no cap).
    pub fn with_max_findings_per_file(mut self, n: usize) -> Self {
        self.max_findings_per_file = n;
        self
    }

    /// Files from this size are memory-mapped rather than read.
    pub fn with_mmap_threshold(mut self, bytes: u64) -> Self {
        self.fs.mmap_threshold = bytes;
        self
    }

    /// Whether `.gitignore`, `.ignore` and `.git/info/exclude` exclude untracked files (default: yes).
    pub fn with_ignore_files(mut self, yes: bool) -> Self {
        self.fs.respect_ignore_files = yes;
        self
    }

    /// Whether symbolic links are followed (default: no).
    pub fn with_follow_links(mut self, yes: bool) -> Self {
        self.fs.follow_links = yes;
        self
    }

    /// History: only the commits of this range (`BASE..HEAD`).
    #[cfg(feature = "git")]
    pub fn with_range(mut self, range: Option<String>) -> Self {
        self.history.range = range;
        self
    }

    /// History: only the commits since `rev` (the range `rev..HEAD`), unless a range is set.
    #[cfg(feature = "git")]
    pub fn with_since_commit(mut self, rev: Option<&str>) -> Self {
        if self.history.range.is_none() {
            self.history.range = rev.map(|rev| format!("{rev}..HEAD"));
        }
        self
    }

    /// History: skip the objects this state file lists as scanned, and update it.
    #[cfg(feature = "git")]
    pub fn with_incremental_state(mut self, file: Option<PathBuf>) -> Self {
        self.history.incremental = file.map(StateStore::File);
        self
    }

    /// History: incremental, with the state kept by the caller (a ledger keeps one per repository):
    /// `prior` is what an earlier run returned (empty for none). Nothing is written to the
    /// repository; the new state is in the report's history stats ([`HistoryStats::state`]). HEAD's
    /// blobs are read every time ([`HistoryOptions::rescan_head`]): the run reports everything at
    /// HEAD, with today's owners and statuses, plus what the history gained since, so a ledger can
    /// tell from it that a credential has left HEAD.
    ///
    /// [`HistoryStats::state`]: crate::HistoryStats::state
    #[cfg(feature = "git")]
    pub fn with_incremental_state_bytes(mut self, prior: Vec<u8>) -> Self {
        self.history.incremental = Some(StateStore::Bytes(prior));
        self.history.rescan_head = true;
        self
    }

    /// History: keep the incremental state at its default place (`.git/leakhound/history-state`)
    /// unless [`ScanSession::with_incremental_state`] names a file.
    #[cfg(feature = "git")]
    pub fn with_incremental(mut self, yes: bool) -> Self {
        self.incremental = yes;
        self
    }

    /// History: a partial clone's missing objects are expected, not lost input.
    #[cfg(feature = "git")]
    pub fn with_allow_partial(mut self, yes: bool) -> Self {
        self.history.allow_partial = yes;
        self
    }

    /// The day expiry dates are judged against (default: today, UTC).
    pub fn with_today(mut self, today: Date) -> Self {
        self.today = Some(today);
        self
    }

    /// Called with progress reports from the source's threads (history: objects decoded).
    pub fn with_progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The path configs are discovered from and the root is found from.
    fn first_path(&self) -> Option<&PathBuf> {
        match &self.source {
            Source::Paths(p) => p.first(),
            #[cfg(feature = "git")]
            Source::History(p) | Source::Staged(p) | Source::CommitMessage { repo: p, .. } => {
                Some(p)
            }
            Source::Bytes { .. } => None,
        }
    }

    /// Whether this is one of the hooks' sources: they use the repository's baseline without being
    /// told, and see only the changes or the message (a baseline entry they do not meet is not stale).
    fn is_hook(&self) -> bool {
        match &self.source {
            #[cfg(feature = "git")]
            Source::Staged(_) | Source::CommitMessage { .. } => true,
            _ => false,
        }
    }

    /// Runs the source with the configs and rules, before any baseline or inventory: every finding,
    /// sorted, unredacted.
    ///
    /// # Errors
    /// [`SessionError`] when a config, rule file or the source cannot be used; unreadable inputs
    /// inside the source are counted in the stats instead.
    pub fn collect(&self) -> Result<Scanned, SessionError> {
        let started_at = std::time::SystemTime::now();
        let given: &[PathBuf] = match &self.source {
            Source::Paths(paths) => paths,
            _ => self
                .first_path()
                .map(std::slice::from_ref)
                .unwrap_or_default(),
        };
        if let Some(p) = given.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
            return Err(FsError::Missing(p.clone()).into());
        }
        // Caller bytes have no place of their own: the current directory's repository is theirs.
        let anchor = self
            .first_path()
            .cloned()
            .or_else(|| std::env::current_dir().ok());
        let mut configs =
            configs::load(self.config.as_deref(), anchor.as_deref(), self.repo_config)?;
        let (mut rules, mut rule_warnings) = rule_pack(self.default_rules, &self.rule_files)?;
        rule_warnings.append(&mut configs.warnings);
        let config_changes = configs::apply(&mut rules, &mut configs);
        if rules.is_empty() {
            return Err(SessionError::NoRules);
        }
        let allow_paths = configs.allow_paths();
        let paths_allow = crate::config::globs(&allow_paths)
            .map_err(|(glob, message)| SessionError::BadGlob { glob, message })?;
        // A history scan that reads every object sees all of HEAD; a range or an incremental run
        // does not.
        #[cfg(feature = "git")]
        let history_mode = match (&self.history.range, &self.history.incremental) {
            (Some(_), _) => ("range", false),
            (None, Some(_)) => ("incremental", self.history.rescan_head),
            (None, None) if self.incremental => ("incremental", self.history.rescan_head),
            (None, None) => ("history", true),
        };
        #[cfg(not(feature = "git"))]
        let history_mode = ("history", true);
        let run = RunInfo::new(
            &self.source,
            &anchor.as_deref().map(repo_root).unwrap_or_default(),
            history_mode,
            rules.iter().map(|r| r.id()),
            started_at,
        );
        let scanner = Scanner::new(rules)
            .with_allow_regexes(configs.allow_regexes())
            .with_max_findings_per_file(self.max_findings_per_file)
            .with_fingerprint_key(self.fingerprint_key.clone());
        #[cfg(feature = "live")]
        let scanner = scanner.with_validation_parts(self.validation.is_some());
        #[cfg(feature = "live")]
        let validator = match &self.validation {
            Some(o) => Some(
                crate::live::Validator::new(scanner.rules(), o.clone())?
                    .with_fingerprint_key(self.fingerprint_key.clone()),
            ),
            None => None,
        };
        let root = anchor.as_deref().map(repo_root).unwrap_or_default();
        let sink = match &self.progress {
            Some(p) => {
                let p = Arc::clone(p);
                Collect::with_progress(move |x| p(x))
            }
            None => Collect::default(),
        };
        let allowed = |f: &Finding| paths_allow.as_ref().is_some_and(|g| g.is_match(&f.path));
        let (stats, paths) = match &self.source {
            Source::Paths(paths) => {
                let opts = FsOptions {
                    paths_allow: paths_allow.clone(),
                    paths_base: configs.globs_base(),
                    ..self.fs.clone()
                };
                let stats = scanner.scan_paths(paths, &opts, &sink)?;
                (Stats::Files(stats), RootPaths::new(&root, paths))
            }
            #[cfg(feature = "git")]
            Source::History(repo) => {
                // The config's allowlisted paths apply to the path each blob was introduced at.
                let incremental = match (&self.history.incremental, self.incremental) {
                    (None, true) => Some(StateStore::File(crate::source::git::default_state_path(
                        repo,
                    )?)),
                    (given, _) => given.clone(),
                };
                let opts = HistoryOptions {
                    allow_paths,
                    incremental,
                    ..self.history.clone()
                };
                let stats = scanner.scan_history(repo, &opts, &sink)?;
                (Stats::History(stats), RootPaths::as_is())
            }
            #[cfg(feature = "git")]
            Source::Staged(repo) => {
                let stats = scanner.scan_staged(repo, self.fs.max_file_size, &sink)?;
                // Staged paths are relative to the repository root already.
                (Stats::Staged(stats), RootPaths::as_is())
            }
            #[cfg(feature = "git")]
            Source::CommitMessage { repo, file } => {
                let cleanup = Cleanup::from_git(repo);
                let stats = scanner.scan_commit_message(file, &cleanup, &sink)?;
                (Stats::Files(stats), RootPaths::as_is())
            }
            Source::Bytes { name, bytes } => {
                let stats = scanner.scan_named(name, bytes, self.fs.max_file_size, &sink);
                (Stats::Files(stats), RootPaths::as_is())
            }
        };
        let mut findings = sink.into_sorted();
        // The file walker and the history source skip allowlisted paths themselves; the staged
        // source's and caller bytes' findings are dropped here (a commit message has no path).
        let filters_itself = match &self.source {
            Source::Paths(_) => true,
            #[cfg(feature = "git")]
            Source::History(_) => true,
            _ => false,
        };
        if !filters_itself {
            findings.retain(|f| f.path.is_empty() || !allowed(f));
        }
        Ok(Scanned {
            findings,
            stats,
            root,
            config_changes,
            rule_warnings,
            fail_on_context: configs.fail_on_context(),
            paths,
            run,
            #[cfg(feature = "live")]
            validator,
        })
    }

    /// Runs the scan: [`ScanSession::collect`], then the baseline, the inventory and CODEOWNERS, and
    /// the exit policy.
    ///
    /// # Errors
    /// As [`ScanSession::collect`], and when the baseline or inventory cannot be used.
    pub fn run(&self) -> Result<Report, SessionError> {
        let scanned = self.collect()?;
        self.settle(scanned)
    }

    /// Applies the baseline, the inventory, CODEOWNERS and the exit policy to what
    /// [`ScanSession::collect`] gathered: the second half of [`ScanSession::run`], for callers that
    /// use the findings as collected first (`leakhound baseline create` records them, then the run).
    ///
    /// # Errors
    /// When the baseline or inventory cannot be used.
    pub fn settle(&self, scanned: Scanned) -> Result<Report, SessionError> {
        let Scanned {
            mut findings,
            stats,
            root,
            config_changes,
            rule_warnings,
            fail_on_context,
            paths,
            run,
            #[cfg(feature = "live")]
            validator,
        } = scanned;
        let rel = |f: &Finding| paths.rel(&f.path);
        // Files of the other fingerprint kind: plain entries read under a key, keyed ones noted.
        let plain_forms = PlainForms::new(self.fingerprint_key.as_ref(), &findings);
        let mut fingerprint_notes = Vec::new();
        let hook = self.is_hook();
        let baseline_path = self.baseline.clone().or_else(|| {
            let p = root.join(BASELINE_FILE);
            (hook && p.is_file()).then_some(p)
        });
        let stale = match &baseline_path {
            Some(p) => {
                let mut b = Baseline::load(p)?;
                let note = plain_forms.baseline(&mut b, p);
                let mut stale = b.apply_at(&mut findings, &rel);
                // An entry that cannot match is not stale: the note says why instead.
                stale.retain(|e| {
                    !note
                        .as_ref()
                        .is_some_and(|n| n.cannot_match(&e.fingerprint))
                });
                fingerprint_notes.extend(note);
                stale
            }
            None => Vec::new(),
        };
        let stale_baseline = if hook { Vec::new() } else { stale };
        let inventory_path = self
            .inventory
            .clone()
            .or_else(|| Some(root.join(INVENTORY_FILE)).filter(|p| p.is_file()));
        let mut inventory = match &inventory_path {
            Some(p) => Inventory::load(p)?,
            None => Inventory::default(),
        };
        if let Some(p) = &inventory_path {
            fingerprint_notes.extend(plain_forms.inventory(&mut inventory, p));
        }
        let owners = CodeOwners::discover(&root);
        let today = self.today.unwrap_or_else(Date::today);
        #[allow(unused_mut)]
        let (mut credentials, mut governance) =
            credentials::link_at(&mut findings, &inventory, &owners, today, &rel);
        #[allow(unused_mut)]
        let mut validation = None;
        #[cfg(feature = "live")]
        if let Some(v) = &validator {
            validation = Some(v.validate(&mut findings, &mut credentials, &mut governance));
        }
        let fail_on_context = self
            .fail_on_context
            .clone()
            .or(fail_on_context)
            .unwrap_or_else(|| Context::ALL.to_vec());
        Ok(Report {
            findings,
            credentials,
            governance,
            stats,
            stale_baseline,
            config_changes,
            rule_warnings,
            root,
            fail_on: self.fail_on.clone(),
            fail_on_context,
            paths,
            validation,
            run,
            fingerprint_notes,
        })
    }
}
