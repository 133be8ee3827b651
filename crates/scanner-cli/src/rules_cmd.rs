//! `leakhound rules list` and `leakhound rules check FILE`.

use std::io::Write;
use std::process::ExitCode;

use leakhound_core::{RuleSet, Scanner};
use serde::Serialize;

use crate::args::{Format, RulesCheckArgs, RulesListArgs};
use crate::scan_cmd::print_rule_warnings;

pub fn list(a: RulesListArgs) -> anyhow::Result<ExitCode> {
    let (rules, warnings) = leakhound_core::session::rule_pack(!a.no_default_rules, &a.rules)?;
    print_rule_warnings(&warnings);
    if rules.is_empty() {
        return Err(leakhound_core::session::SessionError::NoRules.into());
    }
    let mut out = anstream::stdout().lock();
    if a.format == Format::Human {
        for r in rules.iter() {
            writeln!(
                out,
                "{:<40} {:<8} {:<40} {}",
                r.id(),
                r.severity().as_str(),
                r.keywords().join(","),
                r.description()
            )?;
        }
        writeln!(out, "{} rules", rules.len())?;
    } else {
        #[derive(Serialize)]
        struct Row<'a> {
            id: &'a str,
            description: &'a str,
            severity: &'a str,
            keywords: &'a [String],
            generic: bool,
            file: &'a str,
        }
        let rows: Vec<Row> = rules
            .iter()
            .map(|r| Row {
                id: r.id(),
                description: r.description(),
                severity: r.severity().as_str(),
                keywords: r.keywords(),
                generic: r.is_generic(),
                file: r.file(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads each file (a load error is exit 2, naming file, rule and field), then runs the file's examples
/// against the rules a real scan would use, so a rule shadowed by a default rule shows up here. A rule
/// of a gitleaks configuration that had to be skipped counts as a failure.
pub fn check(a: RulesCheckArgs) -> anyhow::Result<ExitCode> {
    let mut checked = RuleSet::empty();
    let mut skipped = 0;
    for f in &a.files {
        let loaded = RuleSet::from_path(f)?;
        print_rule_warnings(&loaded.warnings);
        skipped += loaded.warnings.iter().filter(|w| w.rule_skipped).count();
        checked.extend(loaded.rules);
    }
    let ids: Vec<String> = checked.iter().map(|r| r.id().to_owned()).collect();
    let examples: usize = checked
        .iter()
        .map(|r| r.examples().len() + r.negative_examples().len())
        .sum();
    let mut rules = if a.no_default_rules {
        RuleSet::empty()
    } else {
        RuleSet::embedded()
    };
    rules.extend(checked);
    let scanner = Scanner::new(rules);
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let failures = scanner.check_examples(Some(&id_refs));
    let mut out = anstream::stdout().lock();
    for f in &failures {
        writeln!(out, "FAIL {f}")?;
    }
    let ours = || {
        scanner
            .rules()
            .iter()
            .filter(|r| ids.iter().any(|i| i == r.id()))
    };
    for r in ours().filter(|r| r.examples().len() == 0 && !r.is_imported()) {
        writeln!(
            out,
            "note: rule `{}` has no examples: add some so this check can catch regressions",
            r.id()
        )?;
    }
    let imported = ours().filter(|r| r.is_imported()).count();
    if imported > 0 {
        writeln!(
            out,
            "note: {imported} rules imported from gitleaks: loaded and compiled; gitleaks rules carry \
             no examples to run"
        )?;
    }
    write!(
        out,
        "{} rules, {} examples, {} failures",
        ids.len(),
        examples,
        failures.len()
    )?;
    if skipped > 0 {
        write!(out, ", {skipped} rules skipped (see the warnings)")?;
    }
    writeln!(out)?;
    Ok(if failures.is_empty() && skipped == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
