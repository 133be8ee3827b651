//! `leakhound rules list` and `leakhound rules check FILE`.

use std::io::Write;
use std::process::ExitCode;

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
    let validated = |r: &&leakhound_core::Rule| !a.validated || r.verify_text().is_some();
    if a.format == Format::Human && a.validated {
        let mut providers = std::collections::BTreeSet::new();
        let mut n = 0;
        for r in rules.iter().filter(validated) {
            let v = verify_info(r);
            writeln!(
                out,
                "{:<40} {:<24} {:<7} {}",
                r.id(),
                v.provider,
                if v.revoke { "revoke" } else { "" },
                v.docs
            )?;
            providers.insert(v.provider);
            n += 1;
        }
        writeln!(out, "{n} validators for {} providers", providers.len())?;
    } else if a.format == Format::Human {
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
            #[serde(skip_serializing_if = "Option::is_none")]
            validator: Option<VerifyInfo>,
        }
        let rows: Vec<Row> = rules
            .iter()
            .filter(validated)
            .map(|r| Row {
                validator: r.verify_text().map(|_| verify_info(r)),
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

/// What `rules list` shows of a rule's validator.
#[derive(Serialize)]
struct VerifyInfo {
    provider: String,
    docs: String,
    revoke: bool,
}

fn verify_info(r: &leakhound_core::Rule) -> VerifyInfo {
    let spec = r
        .verify_text()
        .and_then(|t| toml::from_str::<leakhound_core::rules::verify::VerifySpec>(t).ok());
    match spec {
        Some(s) => VerifyInfo {
            provider: s.provider,
            docs: s.docs,
            revoke: s.revoke.is_some(),
        },
        None => VerifyInfo {
            provider: String::new(),
            docs: String::new(),
            revoke: false,
        },
    }
}

/// Loads each file (a load error is exit 2, naming file, rule and field), then runs the file's examples
/// against the rules a real scan would use, so a rule shadowed by a default rule shows up here. A rule
/// of a gitleaks configuration that had to be skipped counts as a failure.
pub fn check(a: RulesCheckArgs) -> anyhow::Result<ExitCode> {
    let c = leakhound_core::session::check_rules(&a.files, !a.no_default_rules)?;
    print_rule_warnings(&c.warnings);
    let mut out = anstream::stdout().lock();
    for f in &c.failures {
        writeln!(out, "FAIL {f}")?;
    }
    for f in &c.verify_failures {
        writeln!(out, "FAIL {f}")?;
    }
    for id in &c.without_examples {
        writeln!(
            out,
            "note: rule `{id}` has no examples: add some so this check can catch regressions"
        )?;
    }
    if c.imported > 0 {
        writeln!(
            out,
            "note: {} rules imported from gitleaks: loaded and compiled; gitleaks rules carry \
             no examples to run",
            c.imported
        )?;
    }
    let (rules, examples, failures) = (
        c.ids.len(),
        c.examples,
        c.failures.len() + c.verify_failures.len(),
    );
    write!(out, "{rules} rules, {examples} examples")?;
    if c.verify_examples > 0 {
        write!(out, ", {} validator answers", c.verify_examples)?;
    }
    write!(out, ", {failures} failures")?;
    if c.skipped > 0 {
        write!(out, ", {} rules skipped (see the warnings)", c.skipped)?;
    }
    writeln!(out)?;
    Ok(ExitCode::from(u8::from(!c.passed())))
}
