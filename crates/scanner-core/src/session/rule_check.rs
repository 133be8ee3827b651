//! `leakhound rules check`: rule files loaded as a scan would load them, and their examples run against
//! the rules a real scan would use, so a rule shadowed by a default one shows up.

use std::path::PathBuf;

use crate::rules::{RuleSet, RuleWarning};
use crate::scan::{ExampleFailure, Scanner};

use super::SessionError;

/// What checking rule files found.
#[derive(Debug)]
pub struct RuleCheck {
    /// The ids of the files' rules, in order.
    pub ids: Vec<String>,
    /// Examples and negative examples run.
    pub examples: usize,
    /// Examples not detected, negative examples detected.
    pub failures: Vec<ExampleFailure>,
    /// The files' rules without examples (imported rules aside: gitleaks rules carry none).
    pub without_examples: Vec<String>,
    /// Rules imported from gitleaks configurations: loaded and compiled.
    pub imported: usize,
    /// Warnings of the files (a gitleaks configuration's unsupported fields).
    pub warnings: Vec<RuleWarning>,
    /// Rules of gitleaks configurations that had to be skipped.
    pub skipped: usize,
    /// Validators' documented answers run against a loopback server (feature `live`).
    pub verify_examples: usize,
    /// Those that did not read as documented.
    pub verify_failures: Vec<String>,
}

impl RuleCheck {
    /// Whether every example passed and no rule was skipped.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.skipped == 0 && self.verify_failures.is_empty()
    }
}

/// Loads each file (an error names the file, rule and field), then runs the files' examples with the
/// embedded rules too unless `!defaults`.
///
/// # Errors
/// [`SessionError::Rules`] when a file cannot be read or a rule is invalid.
pub fn check_rules(files: &[PathBuf], defaults: bool) -> Result<RuleCheck, SessionError> {
    let mut checked = RuleSet::empty();
    let mut warnings = Vec::new();
    for f in files {
        let loaded = RuleSet::from_path(f)?;
        warnings.extend(loaded.warnings);
        checked.extend(loaded.rules);
    }
    let ids: Vec<String> = checked.iter().map(|r| r.id().to_owned()).collect();
    let examples = checked
        .iter()
        .map(|r| r.examples().len() + r.negative_examples().len())
        .sum();
    let mut rules = if defaults {
        RuleSet::embedded()
    } else {
        RuleSet::empty()
    };
    rules.extend(checked);
    // With the parts validators need, as a validating scan collects them.
    let scanner = Scanner::new(rules).with_validation_parts(cfg!(feature = "live"));
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let failures = scanner.check_examples(Some(&id_refs));
    let ours = || {
        scanner
            .rules()
            .iter()
            .filter(|r| ids.iter().any(|i| i == r.id()))
    };
    let without_examples = ours()
        .filter(|r| r.examples().len() == 0 && !r.is_imported())
        .map(|r| r.id().to_owned())
        .collect();
    let imported = ours().filter(|r| r.is_imported()).count();
    let skipped = warnings.iter().filter(|w| w.rule_skipped).count();
    #[cfg(feature = "live")]
    let (verify_failures, verify_examples) = crate::live::check_examples(&scanner, Some(&id_refs));
    #[cfg(not(feature = "live"))]
    let (verify_failures, verify_examples) = (Vec::new(), 0);
    Ok(RuleCheck {
        ids,
        examples,
        failures,
        without_examples,
        imported,
        warnings,
        skipped,
        verify_examples,
        verify_failures,
    })
}
