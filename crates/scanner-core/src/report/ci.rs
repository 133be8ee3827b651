//! CI formats: GitHub Actions workflow commands (annotations on the pull request's lines, a job summary)
//! and GitLab's secret-detection report (merge request widgets).

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::context::Context;
use crate::credentials::Credential;
use crate::finding::Finding;
use crate::liveness::LiveStatus;
use crate::severity::Severity;

use super::liveness_phrase;

fn is_live(f: &Finding) -> bool {
    f.liveness
        .as_ref()
        .is_some_and(|l| l.status == LiveStatus::Live)
}

/// Escapes the message part of a workflow command (`%`, CR and LF), as the Actions runner expects.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error …::message` per finding (`::warning` for low severity, unless a provider said it is
/// live). A validated finding's message says what the provider said: `LIVE (identity octo-dev, …)`,
/// `DEAD`, `UNKNOWN (why)`.
///
/// ```
/// use leakhound_core::{report::ci::github_annotations, Scanner};
/// let mut f = Scanner::with_default_rules().scan_bytes("app/.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"); // leakhound:allow (documentation token)
/// f.iter_mut().for_each(|f| f.redact());
/// let out = github_annotations(&f);
/// assert!(out.starts_with("::error file=app/.env,line=1,endLine=1,col=3,endColumn=29,title=gitlab-pat::"));
/// ```
pub fn github_annotations(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        // A leaked secret is an error in the review; a low-severity one (a test-mode key, an expired
        // token) a warning.
        let kind = if f.severity == Severity::Low && !is_live(f) {
            "warning"
        } else {
            "error"
        };
        let mut msg = format!("{} ({}): {}", f.description, f.severity.as_str(), f.secret);
        if let Some(l) = &f.liveness {
            let _ = write!(msg, " · {}", liveness_phrase(l, true));
        }
        if f.context != Context::Code {
            let _ = write!(msg, " · context: {}", f.context);
        }
        if let Some(s) = f.surface {
            let _ = write!(msg, " · surface: {}", s.as_str());
        }
        if let Some(s) = f.status {
            let _ = write!(msg, " · status: {}", s.as_str());
        }
        if let Some(o) = &f.owner {
            let _ = write!(msg, " · owner: {} ({})", o.team, o.source);
        }
        if f.path.is_empty() {
            // A commit or tag message has no file to annotate: the annotation goes on the run, and
            // says where the secret is.
            let _ = write!(msg, " · in {}, line {}", f.place(), f.line);
            let _ = writeln!(
                out,
                "::{kind} title={}::{}",
                escape_property(&f.rule),
                escape_data(&msg)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "::{kind} file={},line={},endLine={},col={},endColumn={},title={}::{}",
            escape_property(&f.path),
            f.line,
            f.end_line,
            f.column,
            f.end_column,
            escape_property(&f.rule),
            escape_data(&msg)
        );
    }
    out
}

/// The job summary (Markdown, for `$GITHUB_STEP_SUMMARY`): counts and the credentials with their owners.
pub fn github_step_summary(findings: &[Finding], creds: &[Credential]) -> String {
    let mut md = String::from("## leakhound\n\n");
    if findings.is_empty() {
        md.push_str("No secrets found.\n");
        return md;
    }
    let _ = writeln!(
        md,
        "{} findings, {} unique credentials.\n",
        findings.len(),
        creds.len()
    );
    // Live credentials first: the ones to act on.
    let mut creds: Vec<&Credential> = creds.iter().collect();
    creds.sort_by_key(|c| {
        !c.liveness
            .as_ref()
            .is_some_and(|l| l.status == LiveStatus::Live)
    });
    let validated = creds.iter().any(|c| c.liveness.is_some());
    if validated {
        md.push_str("| credential | rule | status | liveness | owner | locations |\n|---|---|---|---|---|---|\n");
    } else {
        md.push_str("| credential | rule | status | owner | locations |\n|---|---|---|---|---|\n");
    }
    for c in creds {
        let owner = c
            .owner
            .as_ref()
            .map_or_else(|| "—".to_owned(), |o| format!("{} ({})", o.team, o.source));
        let first = c.locations.first().map_or_else(String::new, |l| {
            match (&l.commit, l.path.is_empty()) {
                (Some(c), true) => format!("commit `{}` message:{}", &c[..c.len().min(10)], l.line),
                (None, true) => format!("message:{}", l.line),
                _ => format!("`{}:{}`", l.path, l.line),
            }
        });
        let more = if c.locations.len() > 1 {
            format!(" +{}", c.locations.len() - 1)
        } else {
            String::new()
        };
        let liveness = match (validated, &c.liveness) {
            (false, _) => String::new(),
            (true, None) => "— | ".to_owned(),
            (true, Some(l)) => format!("{} | ", liveness_phrase(l, false).replace('|', "\\|")),
        };
        let _ = writeln!(
            md,
            "| `{}…` | {} | {} | {liveness}{} | {first}{more} |",
            &c.fingerprint[..c.fingerprint.len().min(19)],
            c.rule,
            c.status.as_str(),
            owner.replace('|', "\\|")
        );
    }
    md
}

#[derive(Serialize)]
struct GitLabReport<'a> {
    version: &'static str,
    vulnerabilities: Vec<GitLabVulnerability<'a>>,
    scan: GitLabScan,
}

#[derive(Serialize)]
struct GitLabVulnerability<'a> {
    id: String,
    category: &'static str,
    name: &'a str,
    message: String,
    description: String,
    severity: &'static str,
    confidence: &'static str,
    raw_source_code_extract: &'a str,
    scanner: GitLabRef,
    location: GitLabLocation<'a>,
    identifiers: Vec<GitLabIdentifier<'a>>,
    /// Named fields GitLab shows on the vulnerability's page (schema `details`).
    details: GitLabDetails,
}

#[derive(Serialize)]
struct GitLabDetails {
    context: GitLabText,
    #[serde(skip_serializing_if = "Option::is_none")]
    surface: Option<GitLabText>,
    /// What the provider said (`--validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    liveness: Option<GitLabText>,
}

#[derive(Serialize)]
struct GitLabText {
    r#type: &'static str,
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct GitLabRef {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct GitLabLocation<'a> {
    /// Absent for a secret in a commit or tag message: the commit locates it.
    #[serde(skip_serializing_if = "str::is_empty")]
    file: &'a str,
    start_line: usize,
    end_line: usize,
    commit: GitLabCommit,
}

#[derive(Serialize)]
struct GitLabCommit {
    sha: String,
}

#[derive(Serialize)]
struct GitLabIdentifier<'a> {
    r#type: &'static str,
    name: String,
    value: &'a str,
}

#[derive(Serialize)]
struct GitLabScan {
    analyzer: GitLabTool,
    scanner: GitLabTool,
    r#type: &'static str,
    start_time: String,
    end_time: String,
    status: &'static str,
}

#[derive(Serialize)]
struct GitLabTool {
    id: &'static str,
    name: &'static str,
    version: &'static str,
    vendor: GitLabVendor,
}

#[derive(Serialize)]
struct GitLabVendor {
    name: &'static str,
}

fn tool() -> GitLabTool {
    GitLabTool {
        id: "leakhound",
        name: "leakhound",
        version: env!("CARGO_PKG_VERSION"),
        vendor: GitLabVendor { name: "leakhound" },
    }
}

/// GitLab's secret-detection report (schema 15.x): one vulnerability per finding, identified by rule and
/// located at file, line and (for history scans, or `CI_COMMIT_SHA` in a pipeline) commit. `started`
/// and `finished` are `YYYY-MM-DDTHH:MM:SS`. A validated finding's message and description say what
/// the provider said (`LIVE (identity octo-dev)`, `DEAD`), and its details carry it as `liveness`.
pub fn gitlab_report(findings: &[Finding], started: &str, finished: &str) -> serde_json::Value {
    let pipeline_sha = std::env::var("CI_COMMIT_SHA").unwrap_or_else(|_| "0".repeat(40));
    let vulnerabilities = findings
        .iter()
        .map(|f| {
            // Stable across runs for the same secret at the same place.
            let id_src = match (&f.commit, f.path.is_empty()) {
                (Some(c), true) => format!("{}:{}:{c}:{}", f.fingerprint, f.place(), f.line),
                _ => format!("{}:{}:{}", f.fingerprint, f.path, f.line),
            };
            let id: String = Sha256::digest(id_src.as_bytes())
                .iter()
                .take(16)
                .map(|b| format!("{b:02x}"))
                .collect();
            let said = f.liveness.as_ref().map(|l| liveness_phrase(l, true));
            GitLabVulnerability {
                id,
                category: "secret_detection",
                name: &f.description,
                message: match &said {
                    Some(said) => {
                        format!("{} detected in {} · {said}", f.description, f.place())
                    }
                    None => format!("{} detected in {}", f.description, f.place()),
                },
                description: format!(
                    "{} at {}{}{}. {}Remove it and rotate it; status: {}; context: {}{}.",
                    f.description,
                    f.place(),
                    if f.path.is_empty() { ", line " } else { ":" },
                    f.line,
                    said.as_ref()
                        .map(|s| format!("The provider says: {s}. "))
                        .unwrap_or_default(),
                    f.status.map_or("unknown-origin", crate::Status::as_str),
                    f.context,
                    f.surface
                        .map(|s| format!("; surface: {}", s.as_str()))
                        .unwrap_or_default()
                ),
                severity: match f.severity {
                    Severity::Critical => "Critical",
                    Severity::High => "High",
                    Severity::Medium => "Medium",
                    Severity::Low => "Low",
                },
                confidence: "Unknown",
                raw_source_code_extract: &f.secret,
                scanner: GitLabRef {
                    id: "leakhound",
                    name: "leakhound",
                },
                location: GitLabLocation {
                    file: &f.path,
                    start_line: f.line,
                    end_line: f.end_line,
                    commit: GitLabCommit {
                        sha: f.commit.clone().unwrap_or_else(|| pipeline_sha.clone()),
                    },
                },
                identifiers: vec![GitLabIdentifier {
                    r#type: "leakhound_rule_id",
                    name: format!("leakhound rule {}", f.rule),
                    value: &f.rule,
                }],
                details: GitLabDetails {
                    context: GitLabText {
                        r#type: "text",
                        name: "context",
                        value: f.context.as_str().to_owned(),
                    },
                    surface: f.surface.map(|s| GitLabText {
                        r#type: "text",
                        name: "surface",
                        value: s.as_str().to_owned(),
                    }),
                    liveness: said.map(|value| GitLabText {
                        r#type: "text",
                        name: "liveness",
                        value,
                    }),
                },
            }
        })
        .collect();
    let report = GitLabReport {
        version: "15.0.7",
        vulnerabilities,
        scan: GitLabScan {
            analyzer: tool(),
            scanner: tool(),
            r#type: "secret_detection",
            start_time: started.to_owned(),
            end_time: finished.to_owned(),
            status: "success",
        },
    };
    serde_json::to_value(report).expect("a report serialises")
}
