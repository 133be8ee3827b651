//! `azure-storage`: List Containers with `maxresults=1`, authorized with Shared Key.
//!
//! <https://learn.microsoft.com/en-us/rest/api/storageservices/list-containers2> and
//! <https://learn.microsoft.com/en-us/rest/api/storageservices/authorize-with-shared-key>: the
//! signature is an HMAC-SHA256, keyed with the base64-decoded account key, of the documented
//! string-to-sign. Only the account name and the signature are sent.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::part;
use crate::live::request::{Request, Subject};

/// The service version asked for (`x-ms-version`); Shared Key's string-to-sign is the one of versions
/// 2015-02-21 and later (an empty `Content-Length` for a request without a body).
pub(super) const VERSION: &str = "2021-12-02";

/// `x-ms-date`: RFC 1123, GMT.
fn http_date(now: jiff::Timestamp) -> String {
    now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether `name` is a storage account name: 3 to 24 lower-case letters and digits.
fn account_name(name: &str) -> bool {
    (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The string-to-sign of `GET https://{account}.blob.core.windows.net/?comp=list&maxresults=1` for
/// the Blob service: the verb, eleven standard headers (all empty for this request: no body, no
/// conditions), the canonicalized `x-ms-` headers, then the canonicalized resource with the query
/// parameters sorted by name.
pub(super) fn string_to_sign(account: &str, date: &str) -> String {
    let standard = "\n".repeat(11);
    format!(
        "GET\n{standard}x-ms-date:{date}\nx-ms-version:{VERSION}\n/{account}/\ncomp:list\nmaxresults:1"
    )
}

/// The signed request. The secret is the account key; `pair.account` (or `capture.account`) the
/// account name.
pub(super) fn request(s: &Subject<'_>, now: jiff::Timestamp) -> Result<Request, String> {
    let account = match s.value("capture.account") {
        Some(a) if !a.is_empty() => a,
        _ => part(s, "pair.account", "storage account name")?,
    }
    .to_ascii_lowercase();
    if !account_name(&account) {
        return Err(format!("`{account}` is not a storage account name"));
    }
    // A connection string of another cloud (Azure Government, Azure China): its account is not asked
    // about in the public cloud, where a namesake account would refuse the key.
    if let Some(suffix) = s
        .value("pair.suffix")
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        if !suffix.eq_ignore_ascii_case("core.windows.net") {
            return Err(format!(
                "the account is in another Azure cloud (EndpointSuffix={suffix}): not checked"
            ));
        }
    }
    let key = base64::engine::general_purpose::STANDARD
        .decode(s.secret.trim())
        .map_err(|_| "the account key is not base64".to_owned())?;
    let date = http_date(now);
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(string_to_sign(&account, &date).as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Ok(Request {
        method: "GET".into(),
        url: format!("https://{account}.blob.core.windows.net/?comp=list&maxresults=1"),
        headers: vec![
            ("x-ms-date".into(), date),
            ("x-ms-version".into(), VERSION.into()),
            (
                "Authorization".into(),
                format!("SharedKey {account}:{signature}"),
            ),
        ],
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule example's made-up key.
    const KEY: &str =
        "fSm9xREOdBtoOSaq5BmIZX16slm6+7X4uKbPOqUZGnd9u/hpb0vLLbs/0ir3/YW4QOnkqejxkokcV49AIECTZg=="; // leakhound:allow (rule example)
    const OTHER_KEY: &str =
        "jCgiWPi+5601aR4GyZ3DccKPqbrro68t8kHjcGPRJaIAyhS6k5msABUL2Aje6t4pun0XyRlzHRAu6Pd6wrKa9g=="; // leakhound:allow (rule example)

    fn now() -> jiff::Timestamp {
        "2026-12-06T07:33:02Z".parse().unwrap()
    }

    #[test]
    fn string_to_sign_as_documented() {
        // Built by hand from "Authorize with Shared Key" (Blob, version 2015-02-21 and later):
        // VERB, Content-Encoding, Content-Language, Content-Length, Content-MD5, Content-Type, Date,
        // If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range, each followed by
        // "\n"; CanonicalizedHeaders; CanonicalizedResource.
        let by_hand = [
            "GET",
            "", // Content-Encoding
            "", // Content-Language
            "", // Content-Length (empty: no body)
            "", // Content-MD5
            "", // Content-Type
            "", // Date (x-ms-date is given)
            "", // If-Modified-Since
            "", // If-Match
            "", // If-None-Match
            "", // If-Unmodified-Since
            "", // Range
            "x-ms-date:Sun, 06 Dec 2026 07:33:02 GMT",
            "x-ms-version:2021-12-02",
            "/stprodinvoices/",
            "comp:list",
            "maxresults:1",
        ]
        .join("\n");
        assert_eq!(http_date(now()), "Sun, 06 Dec 2026 07:33:02 GMT");
        assert_eq!(string_to_sign("stprodinvoices", &http_date(now())), by_hand);
    }

    fn build(values: &[(String, String)], key: &str) -> Result<Request, String> {
        request(
            &Subject {
                secret: key,
                values,
            },
            now(),
        )
    }

    #[test]
    fn builds_list_containers() {
        let v = vec![("pair.account".to_owned(), "stprodinvoices".to_owned())];
        let r = build(&v, KEY).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.url,
            "https://stprodinvoices.blob.core.windows.net/?comp=list&maxresults=1"
        );
        assert_eq!(r.body, None);
        let auth = &r
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .unwrap()
            .1;
        // The signature is HMAC-SHA256(base64-decoded key, string-to-sign), base64.
        let raw = base64::engine::general_purpose::STANDARD
            .decode(KEY)
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&raw).unwrap();
        mac.update(string_to_sign("stprodinvoices", "Sun, 06 Dec 2026 07:33:02 GMT").as_bytes());
        let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(auth, &format!("SharedKey stprodinvoices:{want}"));
        assert!(!format!("{r:?}").contains(KEY), "the key is never sent");
        let other = build(&v, OTHER_KEY).unwrap();
        assert_ne!(other.headers, r.headers);
    }

    #[test]
    fn refuses_bad_parts() {
        assert!(build(&[], KEY).unwrap_err().contains("account name"));
        let v = vec![("pair.account".to_owned(), "evil.example.com/x".to_owned())];
        assert!(build(&v, KEY)
            .unwrap_err()
            .contains("not a storage account name"));
        let v = vec![("pair.account".to_owned(), "logsarchive01".to_owned())];
        assert!(build(&v, "not base64!").unwrap_err().contains("base64"));
        let v = vec![
            ("pair.account".to_owned(), "logsarchive01".to_owned()),
            (
                "pair.suffix".to_owned(),
                "core.usgovcloudapi.net".to_owned(),
            ),
        ];
        assert!(build(&v, KEY).unwrap_err().contains("another Azure cloud"));
        let v = vec![
            ("pair.account".to_owned(), "logsarchive01".to_owned()),
            ("pair.suffix".to_owned(), "core.windows.net".to_owned()),
        ];
        assert!(build(&v, KEY).is_ok());
    }
}
