//! Self-service revocation: the request a rule's `[rule.verify.revoke]` table describes (GitHub's
//! credential revocation API, GitLab's self-revoke, Slack's `auth.revoke`), then a fresh check.

use serde::Serialize;

use super::answer::Answer;
use super::request::Subject;
use super::template::Template;
use super::{http, LiveError, Validator};
use crate::finding::Finding;
use crate::liveness::{LiveStatus, Liveness};
use crate::rules::spec::verify::{RevokeSpec, When};

/// What a revocation request achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevokeState {
    /// The provider confirmed the revocation.
    Revoked,
    /// The provider refused or failed; the key may still work.
    Failed,
}

/// The result of [`Validator::revoke`].
#[derive(Debug, Clone, Serialize)]
pub struct RevokeOutcome {
    /// The provider.
    pub provider: String,
    /// Whether it worked.
    pub state: RevokeState,
    /// Why not, or what the provider said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A fresh check after the revocation (never from the cache).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Liveness>,
}

impl Validator {
    /// Whether `rule` has a self-service revocation, and where a person rotates it by hand otherwise:
    /// `(provider, has_api, console page)`; `None` when the rule has no validator at all.
    pub fn revocation(&self, rule: &str) -> Option<(&str, bool, Option<&str>)> {
        let s = self.specs.get(rule)?;
        Some((&s.provider, s.revoke.is_some(), s.rotate.as_deref()))
    }

    /// Revokes the credential of `finding` with its provider, then checks it again without the cache.
    /// `all` are the scan's findings (for the parts of a multi-part credential).
    ///
    /// # Errors
    /// [`LiveError::NoRevocation`] when the provider has no self-service revocation API (the error
    /// names the console page where a person does it).
    pub fn revoke(&self, finding: &Finding, all: &[Finding]) -> Result<RevokeOutcome, LiveError> {
        let spec = self
            .specs
            .get(&finding.rule)
            .ok_or_else(|| LiveError::NoRevocation {
                rule: finding.rule.clone(),
                provider: finding.description.clone(),
                rotate: None,
            })?;
        let Some(rs) = &spec.revoke else {
            return Err(LiveError::NoRevocation {
                rule: finding.rule.clone(),
                provider: spec.provider.clone(),
                rotate: spec.rotate.clone(),
            });
        };
        let job = self.job(&finding.fingerprint, finding, spec, all);
        let subject = Subject {
            secret: job.secret,
            values: &job.values,
        };
        let (state, reason) = match Template::revoke(rs).render(&subject, &[]) {
            Err(e) => (RevokeState::Failed, Some(http::scrub(&e, job.secret))),
            Ok(req) => match self.client.send(&req, &spec.allowed_hosts(), job.secret) {
                Err(f) => (RevokeState::Failed, Some(f.reason)),
                Ok(a) => read_revoke(rs, &a, job.secret),
            },
        };
        let mut after = None;
        if state == RevokeState::Revoked {
            let (reading, _) = self.ask(&job, jiff::Timestamp::now());
            let at = jiff::Timestamp::now().to_string();
            after = Some(super::liveness(reading, spec, &at));
        }
        Ok(RevokeOutcome {
            provider: spec.provider.clone(),
            state,
            reason,
            after,
        })
    }
}

fn read_revoke(rs: &RevokeSpec, a: &Answer, secret: &str) -> (RevokeState, Option<String>) {
    let json: Option<serde_json::Value> = serde_json::from_slice(&a.body).ok();
    let hit = |w: &When| {
        (w.status.is_empty() || w.status.contains(&a.status))
            && w.json.as_deref().is_none_or(|p| {
                let v = p
                    .split('.')
                    .fold(json.as_ref(), |v, k| v.and_then(|v| v.get(k)));
                match (&w.equals, v) {
                    (Some(toml::Value::Boolean(b)), Some(serde_json::Value::Bool(x))) => b == x,
                    (Some(toml::Value::String(s)), Some(serde_json::Value::String(x))) => s == x,
                    (Some(_), _) => false,
                    (None, v) => v.is_some() == w.present.unwrap_or(true),
                }
            })
            && w.contains
                .as_deref()
                .is_none_or(|t| String::from_utf8_lossy(&a.body).contains(t))
    };
    if let Some(w) = rs.when.iter().find(|w| hit(w)) {
        let reason = w.reason.as_deref().map(|r| {
            let mut out = r.to_owned();
            if let Some(j) = &json {
                for (s, e, name) in crate::rules::spec::verify::placeholders(r) {
                    if let Some(p) = name.strip_prefix("json:") {
                        let v = p
                            .split('.')
                            .try_fold(j, |v, k| v.get(k))
                            .and_then(|v| v.as_str())
                            .unwrap_or("");
                        out = out.replace(&r[s..e], v);
                    }
                }
            }
            http::scrub(&out, secret)
        });
        let state = if w.then == LiveStatus::Dead {
            RevokeState::Revoked
        } else {
            RevokeState::Failed
        };
        return (state, reason);
    }
    if rs.done.contains(&a.status) {
        (RevokeState::Revoked, None)
    } else {
        (
            RevokeState::Failed,
            Some(format!("the provider answered HTTP {}", a.status)),
        )
    }
}
