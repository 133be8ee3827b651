//! SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDEs), built with `serde-sarif`'s typed model.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use crate::finding::Finding;
use crate::severity::Severity;

/// The `partialFingerprints` key: the secret's SHA-256, so a result keeps its identity when the line
/// moves (code scanning then does not reopen it as new).
pub const FINGERPRINT_KEY: &str = "leakhound/secret-sha256/v1";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

fn level_name(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

const REMEDIATION: &str = "Remove the secret from the code (and from history if it was committed), then \
rotate it: a secret that reached a repository must be treated as compromised. If it is not a secret, mark \
the line with `leakhound:allow` or accept it into the baseline.";

/// Builds the SARIF log: one run, the rules that produced findings in the driver, one result per finding
/// with a relative URI, its region, the fingerprint, and as properties its `context`, `surface` (when
/// set), `original_severity` (when the context lowered the level), governance status and owner, and
/// `liveness` (`--validate`), which the message sums up (`… · live (identity octo-dev)`).
/// Findings should already be redacted: the message carries only `secret` as given.
pub fn build(findings: &[Finding]) -> Sarif {
    // The rules used, with their description and highest severity seen (a validator may have lowered some).
    let mut used: BTreeMap<&str, (&str, Severity)> = BTreeMap::new();
    for f in findings {
        let e = used
            .entry(f.rule.as_str())
            .or_insert((f.description.as_str(), f.severity));
        e.1 = e.1.max(f.severity);
    }
    let descriptors: Vec<ReportingDescriptor> = used
        .iter()
        .map(|(id, &(desc, sev))| {
            ReportingDescriptor::builder()
                .id(*id)
                .name(*id)
                .short_description(MultiformatMessageString::builder().text(desc).build())
                .help(
                    MultiformatMessageString::builder()
                        .text(REMEDIATION)
                        .markdown(format!("**{desc}**\n\n{REMEDIATION}"))
                        .build(),
                )
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level_name(sev)))
                        .build(),
                )
                .properties(
                    PropertyBag::builder()
                        .tags(vec!["security".to_owned(), "secret".to_owned()])
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let mut props = BTreeMap::new();
            if let Some(s) = f.status {
                props.insert("status".to_owned(), serde_json::json!(s.as_str()));
            }
            if let Some(o) = &f.owner {
                props.insert("owner".to_owned(), serde_json::json!(o.team));
                props.insert("owner_source".to_owned(), serde_json::json!(o.source));
            }
            if let Some(c) = &f.commit {
                props.insert("commit".to_owned(), serde_json::json!(c));
            }
            if let Some(s) = &f.source {
                props.insert("source".to_owned(), serde_json::json!(s));
            }
            // Where the finding is: code scanning lists them all, and a reviewer filters on these.
            props.insert("context".to_owned(), serde_json::json!(f.context));
            if let Some(s) = f.surface {
                props.insert("surface".to_owned(), serde_json::json!(s));
            }
            if let Some(o) = f.original_severity {
                props.insert("original_severity".to_owned(), serde_json::json!(o));
            }
            // What the provider said (`--validate`): the same object as in the JSON report.
            if let Some(l) = &f.liveness {
                props.insert("liveness".to_owned(), serde_json::json!(l));
            }
            let said = f
                .liveness
                .as_ref()
                .map(|l| format!(" · {}", super::liveness_phrase(l, false)))
                .unwrap_or_default();
            let location = if f.path.is_empty() {
                // A secret in a commit or tag message has no file: the message is a logical location,
                // named by the commit, and the line and column within it go in the properties.
                props.insert("message_line".to_owned(), serde_json::json!(f.line));
                props.insert("message_column".to_owned(), serde_json::json!(f.column));
                let mut logical = LogicalLocation::builder()
                    .name(f.place())
                    .kind("resource")
                    .build();
                logical.fully_qualified_name = f
                    .commit
                    .as_ref()
                    .map(|c| format!("{}:{c}", f.source.as_deref().unwrap_or("message")));
                Location::builder().logical_locations(vec![logical]).build()
            } else {
                let region = Region::builder()
                    .start_line(f.line as i64)
                    .start_column(f.column as i64)
                    .end_line(f.end_line as i64)
                    .end_column(f.end_column as i64)
                    .build();
                Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder().uri(uri(&f.path)).build(),
                            )
                            .region(region)
                            .build(),
                    )
                    .build()
            };
            SarifResult::builder()
                .rule_id(f.rule.as_str())
                .level(level(f.severity))
                .message(
                    Message::builder()
                        .text(if f.path.is_empty() {
                            format!(
                                "{}: {} (in {}, line {}){said}",
                                f.description,
                                f.secret,
                                f.place(),
                                f.line
                            )
                        } else {
                            format!("{}: {}{said}", f.description, f.secret)
                        })
                        .build(),
                )
                .locations(vec![location])
                .partial_fingerprints(BTreeMap::from([(
                    FINGERPRINT_KEY.to_owned(),
                    f.fingerprint.clone(),
                )]))
                .properties(PropertyBag::builder().additional_properties(props).build())
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("leakhound")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/leakhound/leakhound")
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// A relative URI for a path: forward slashes, no leading `./`, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    p.replace('%', "%25").replace(' ', "%20")
}
