//! Built-in validators: requests no template can express. Each builds a signed request from the secret
//! and its parts; the answer is read by the rule's `[rule.verify]` table like any other.

use super::request::{Request, Subject};

/// Builds the request of built-in validator `name` (one of `rules::spec::verify::BUILTINS`).
pub(crate) fn request(
    name: &str,
    s: &Subject<'_>,
    now: jiff::Timestamp,
) -> Result<Request, String> {
    let _ = (s, now);
    Err(format!("built-in validator `{name}` is not available"))
}
