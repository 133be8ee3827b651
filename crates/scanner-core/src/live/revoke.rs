//! Self-service revocation: the request a rule's `[rule.verify.revoke]` table describes (GitHub's
//! credential revocation API, GitLab's self-revoke, Slack's `auth.revoke`), then a fresh check.

use serde::Serialize;

use super::answer::Answer;
use super::request::Subject;
use super::template::Template;
use super::{http, LiveError, Validator};
use crate::finding::Finding;
use crate::liveness::{LiveStatus, Liveness};
use crate::rules::spec::verify::RevokeSpec;

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
                Ok(a) => read_revoke(rs, &a, &subject),
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

/// A revocation's answer: a `when` entry that reads `dead` means revoked, any other reading means not;
/// else the `done` statuses.
fn read_revoke(
    rs: &RevokeSpec,
    a: &Answer,
    subject: &Subject<'_>,
) -> (RevokeState, Option<String>) {
    if let Some((w, reason)) = super::answer::first_when(&rs.when, a, subject) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> RevokeSpec {
        toml::from_str(
            r#"
docs = "https://docs.slack.dev/reference/methods/auth.revoke"
url = "https://slack.com/api/auth.revoke"
method = "POST"
headers = { Authorization = "Bearer {secret}" }
done = [200]
[[when]]
json = "ok"
equals = false
then = "unknown"
reason = "{json:error}"
"#,
        )
        .unwrap()
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_200_that_says_no_is_not_a_revocation() {
        let sub = Subject {
            secret: "xoxb-1-2-abc", // leakhound:allow (test value)
            values: &[],
        };
        let (state, reason) =
            read_revoke(&spec(), &answer(200, r#"{"ok":true,"revoked":true}"#), &sub);
        assert_eq!((state, reason), (RevokeState::Revoked, None));
        let (state, reason) = read_revoke(
            &spec(),
            &answer(200, r#"{"ok":false,"error":"invalid_auth"}"#),
            &sub,
        );
        assert_eq!(
            (state, reason.as_deref()),
            (RevokeState::Failed, Some("invalid_auth"))
        );
        let (state, reason) = read_revoke(&spec(), &answer(500, ""), &sub);
        assert_eq!(
            (state, reason.as_deref()),
            (RevokeState::Failed, Some("the provider answered HTTP 500"))
        );
    }
}
