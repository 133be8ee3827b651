//! What a session produces: the findings of a source ([`Scanned`]) and, with the baseline and the
//! inventory applied, the [`Report`] and its [`Verdict`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::baseline::BaselineEntry;
use crate::config::ConfigChange;
use crate::context::Context;
use crate::credentials::{Credential, FailOn, Governance};
use crate::finding::Finding;
use crate::liveness::Liveness;
use crate::report::{Redactor, Summary};
use crate::rules::RuleWarning;
use crate::scan::ScanStats;
use crate::source::Stats;

use super::paths::RootPaths;

/// What a source found, before any baseline or inventory: findings sorted and unredacted.
#[derive(Debug)]
pub struct Scanned {
    /// Every finding, in [`crate::source::order`].
    pub findings: Vec<Finding>,
    /// The source's counters.
    pub stats: Stats,
    /// Where a baseline, inventory and CODEOWNERS live: the repository's work tree, else the scanned
    /// directory.
    pub root: PathBuf,
    /// What the configs changed in the rule pack.
    pub config_changes: Vec<ConfigChange>,
    /// Warnings about the rule files and configs (unsupported gitleaks fields, ignored keys).
    pub rule_warnings: Vec<RuleWarning>,
    pub(crate) fail_on_context: Option<Vec<Context>>,
    pub(crate) paths: RootPaths,
    /// The run's mode, coverage, rule pack and start.
    pub run: super::RunInfo,
    #[cfg(feature = "live")]
    pub(crate) validator: Option<crate::live::Validator>,
}

impl Scanned {
    /// A finding's path relative to the root (a file scan displays paths as the user spelled them):
    /// what baseline entries and CODEOWNERS patterns are matched against.
    pub fn root_relative(&self, f: &Finding) -> String {
        self.paths.rel(&f.path)
    }

    /// The validator of a session with validation ([`crate::ScanSession::with_validation`]): nothing has
    /// been asked yet; [`crate::live::Validator::revoke`] and [`crate::live::Validator::check`] use it.
    #[cfg(feature = "live")]
    pub fn validator(&self) -> Option<&crate::live::Validator> {
        self.validator.as_ref()
    }
}

/// How a scan ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Everything was read and nothing failing was found.
    Clean,
    /// Findings the policy fails on.
    Findings,
    /// Some input was lost (unreadable, undecodable): the scan cannot say "clean".
    Incomplete,
}

/// A scan's result: findings with their owners and statuses, the unique credentials, governance,
/// counters, and what the scan could not use.
#[derive(Debug)]
pub struct Report {
    /// Findings not in the baseline, in [`crate::source::order`], linked to the inventory.
    pub findings: Vec<Finding>,
    /// The unique credentials among them.
    pub credentials: Vec<Credential>,
    /// Governance metrics of the credentials.
    pub governance: Governance,
    /// The source's counters.
    pub stats: Stats,
    /// Baseline entries that matched nothing (never for the hooks, which see only changes).
    pub stale_baseline: Vec<BaselineEntry>,
    /// What the configs changed in the rule pack.
    pub config_changes: Vec<ConfigChange>,
    /// Warnings about the rule files and configs.
    pub rule_warnings: Vec<RuleWarning>,
    /// The root the baseline, inventory and CODEOWNERS were looked up at.
    pub root: PathBuf,
    /// What validation asked and heard (`--validate`), when it ran.
    pub validation: Option<crate::liveness::ValidationSummary>,
    /// The run's mode, coverage, rule pack and start (what a ledger records).
    pub run: super::RunInfo,
    /// The inventory or baseline holds fingerprints of the other kind than this scan's (plain under
    /// a key, keyed without one, another key's): one note per file, for stderr.
    pub fingerprint_notes: Vec<crate::fingerprint_notes::FingerprintNote>,
    pub(crate) fail_on: Vec<FailOn>,
    pub(crate) fail_on_context: Vec<Context>,
    pub(crate) paths: RootPaths,
}

impl Report {
    /// What every source counts.
    pub fn scan_stats(&self) -> &ScanStats {
        self.stats.scan()
    }

    /// A finding's path relative to the root.
    pub fn root_relative(&self, f: &Finding) -> String {
        self.paths.rel(&f.path)
    }

    /// Whether `f` fails the scan under the policy (`--fail-on`, `--fail-on-context`, the configs').
    pub fn fails(&self, f: &Finding) -> bool {
        self.fail_on_context.contains(&f.context)
            && (self.fail_on.is_empty() || self.fail_on.iter().any(|x| x.selects(f)))
    }

    /// Applies what the providers said (keyed by fingerprint) to the findings, the credentials and
    /// governance: [`crate::credentials::apply_liveness`]. Call it before [`Report::redact`].
    pub fn apply_liveness(&mut self, results: &BTreeMap<String, Liveness>) {
        crate::credentials::apply_liveness(
            &mut self.findings,
            &mut self.credentials,
            &mut self.governance,
            results,
        );
    }

    /// Lost input first (a scan that lost input never says clean), then findings the policy fails on.
    pub fn verdict(&self) -> Verdict {
        if self.scan_stats().had_errors() {
            Verdict::Incomplete
        } else if self.findings.iter().any(|f| self.fails(f)) {
            Verdict::Findings
        } else {
            Verdict::Clean
        }
    }

    /// Redacts every secret in every field: findings, credentials, warnings and notes (a path or
    /// message can quote a secret too), config changes.
    pub fn redact(&mut self) {
        let redactor = Redactor::new(self.findings.iter().map(|f| f.secret.as_str()));
        self.findings.iter_mut().for_each(|f| redactor.finding(f));
        self.credentials
            .iter_mut()
            .for_each(|c| redactor.credential(c));
        let stats = self.stats.scan_mut();
        stats.warnings.iter_mut().for_each(|w| redactor.warning(w));
        stats.notes.iter_mut().for_each(|n| {
            n.path = redactor.text(&n.path);
            n.message = redactor.text(&n.message);
        });
        stats
            .truncated
            .iter_mut()
            .for_each(|(path, _)| *path = redactor.text(path));
        self.config_changes
            .iter_mut()
            .for_each(|c| redactor.config_change(c));
    }

    /// The summary of the JSON report: counts, the source's counters, governance, warnings and
    /// config changes.
    pub fn summary(&self) -> Summary<'_, Stats> {
        let mut summary = Summary::new(&self.findings, &self.stats, self.scan_stats());
        summary.governance = Some(self.governance.clone());
        summary.config_changes = self.config_changes.clone();
        summary.validation = self.validation.clone();
        summary
    }
}
