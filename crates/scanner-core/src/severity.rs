//! How bad a leak is: the one severity scale of rules, validators, findings and reports.

use serde::Serialize;

/// How bad a leak of this kind of secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Test-mode keys, expired tokens, values with little power.
    Low,
    /// Scoped or short-lived credentials.
    Medium,
    /// Credentials that grant access to an account or service.
    High,
    /// Credentials that grant broad production access (cloud root keys, live payment keys, private keys).
    Critical,
}

impl Severity {
    /// Parses `critical|high|medium|low`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            _ => None,
        }
    }

    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}
