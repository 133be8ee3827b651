//! Liveness: what a provider said about a credential when asked (`--validate`). The checks themselves
//! are in `crate::live` (feature `live`); this is the data every output and governance carry.

use serde::{Deserialize, Serialize};

pub use crate::rules::spec::verify::LiveStatus;

/// What a provider said about one credential, and when.
///
/// Serialises to the `liveness` object of DESIGN.md: `{"status": "live|dead|unknown", "checked_at": RFC 3339,
/// "reason"?, "identity"?, "account"?, "scopes"?, "expires"?, …}`. It never holds the secret, nor
/// anything the provider returned besides these fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Liveness {
    /// `live`, `dead` or `unknown`.
    pub status: LiveStatus,
    /// When the provider was asked, RFC 3339 UTC.
    pub checked_at: String,
    /// Why: the provider's error, or why no conclusion was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The provider's name (`GitHub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The identity behind the key: login, user, service account, ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The account, organisation, team or project it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Its scopes or permissions, as the provider names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Its expiry, as the provider gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The console page where a person rotates or revokes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<String>,
    /// The answer came from the validation cache, not from the provider now.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
}

impl Liveness {
    /// A result with only a status and a reason.
    pub fn new(status: LiveStatus, checked_at: String, reason: Option<String>) -> Liveness {
        Liveness {
            status,
            checked_at,
            reason,
            provider: None,
            identity: None,
            account: None,
            scopes: Vec::new(),
            expires: None,
            rotate: None,
            cached: false,
        }
    }
}

/// Counts of one validation run (`summary.validation` in the JSON report).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ValidationSummary {
    /// Unique credentials in the scan.
    pub credentials: usize,
    /// Credentials whose rule has a validator.
    pub checked: usize,
    /// Credentials whose rule has none: not asked, listed by rule in `unchecked_rules`.
    pub not_checked: usize,
    /// Answers: live.
    pub live: usize,
    /// Answers: dead.
    pub dead: usize,
    /// No conclusion (see each credential's `liveness.reason`).
    pub unknown: usize,
    /// Answers taken from the cache.
    pub cached: usize,
    /// HTTP requests sent (retries and redirects included).
    pub requests: usize,
    /// Checks that failed because the network did (no route, no DNS, refused).
    pub network_failures: usize,
    /// Wall time of the validation, seconds.
    pub seconds: f64,
    /// Rules of the credentials not checked, with how many each.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub unchecked_rules: std::collections::BTreeMap<String, usize>,
    /// One warning for the whole run (every check failed on the network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}
