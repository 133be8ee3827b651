//! Built-in validators: requests no template can express. Each builds a signed request from the secret
//! and its parts; the answer is read by the rule's `[rule.verify]` table like any other.
//!
//! What each request carries: the AWS access key id and the Azure account name (not secrets), signatures
//! and a signed assertion. The AWS secret key, the Azure account key and the Google private key only ever
//! key a MAC or a signature here; they are never sent, never logged and never kept.

use super::request::{Request, Subject};

mod aws;
mod azure;
mod gcp;

/// Builds the request of built-in validator `name` (one of `rules::spec::verify::BUILTINS`).
///
/// # Errors
/// A part is missing or unusable (no `pair.secret` near an AWS key id, a private key that does not
/// parse), or `name` is not a built-in validator.
pub(crate) fn request(
    name: &str,
    s: &Subject<'_>,
    now: jiff::Timestamp,
) -> Result<Request, String> {
    match name {
        "aws-sts" => aws::request(s, now),
        "gcp-service-account" => gcp::request(s, now),
        "azure-storage" => azure::request(s, now),
        _ => Err(format!("built-in validator `{name}` is not available")),
    }
}

/// The value of `name` (`pair.secret`), non-empty.
fn part<'a>(s: &'a Subject<'_>, name: &str, what: &str) -> Result<&'a str, String> {
    match s.value(name) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim()),
        _ => Err(format!("no {what} (`{{{name}}}`) found near the secret")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_builtin() {
        let s = Subject {
            secret: "x",
            values: &[],
        };
        let e = request("nope", &s, jiff::Timestamp::UNIX_EPOCH).unwrap_err();
        assert!(e.contains("not available"), "{e}");
    }

    #[test]
    fn every_declared_builtin_is_implemented() {
        for name in crate::rules::spec::verify::BUILTINS {
            let s = Subject {
                secret: "x",
                values: &[],
            };
            let e = request(name, &s, jiff::Timestamp::UNIX_EPOCH).unwrap_err();
            assert!(!e.contains("not available"), "{name}: {e}");
        }
    }
}
