//! `aws-sts`: STS `GetCallerIdentity`, signed with Signature Version 4.
//!
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html>: no permission is
//! needed to call it, so any working key pair answers, and an explicit deny cannot hide a live key.
//! The request is signed by AWS's own Signature Version 4 signer (the `aws-sigv4` crate); the tests
//! check it against the signatures AWS documents.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use super::part;
use crate::live::request::{Request, Subject};

/// The global STS endpoint (us-east-1), which every partition-`aws` key can call.
const HOST: &str = "sts.amazonaws.com";
const REGION: &str = "us-east-1";
const SERVICE: &str = "sts";
const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The signed `GetCallerIdentity` request. The secret is the access key id; `pair.secret` the secret
/// access key; `pair.session` the session token (needed by an `ASIA` key, sent as
/// `X-Amz-Security-Token`).
pub(super) fn request(s: &Subject<'_>, now: jiff::Timestamp) -> Result<Request, String> {
    let key_id = s.secret.trim();
    if key_id.is_empty() {
        return Err("no access key id".into());
    }
    let secret = part(s, "pair.secret", "secret access key")?;
    let session = s
        .value("pair.session")
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if key_id.starts_with("ASIA") && session.is_none() {
        return Err(
            "a temporary (ASIA) key id needs its session token (`{pair.session}`), none found near it"
                .into(),
        );
    }
    let mut headers = vec![("Content-Type".to_owned(), CONTENT_TYPE.to_owned())];
    if let Some(t) = session {
        headers.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
    }
    let url = format!("https://{HOST}/");
    let signed = sign(&Signing {
        method: "POST",
        url: &url,
        headers: &headers,
        body: BODY.as_bytes(),
        region: REGION,
        service: SERVICE,
        key_id,
        secret,
        time: now,
    })?;
    headers.extend(signed);
    headers.push(("Accept".into(), "text/xml".into()));
    Ok(Request {
        method: "POST".into(),
        url,
        headers,
        body: Some(BODY.as_bytes().to_vec()),
    })
}

/// What is signed.
pub(super) struct Signing<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// Headers sent besides those the signature adds (`Host` comes from the URL).
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub region: &'a str,
    pub service: &'a str,
    pub key_id: &'a str,
    pub secret: &'a str,
    pub time: jiff::Timestamp,
}

/// The headers the signature adds: `X-Amz-Date` and `Authorization` (and the session token when the
/// request has one, which the caller sends already).
pub(super) fn sign(r: &Signing<'_>) -> Result<Vec<(String, String)>, String> {
    let identity: Identity =
        Credentials::new(r.key_id, r.secret, None, None, "leakhound-finding").into();
    let time = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(r.time.as_second()).unwrap_or(0));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(r.region)
        .name(r.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    let signable = SignableRequest::new(
        r.method,
        r.url,
        r.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(r.body),
    )
    .map_err(|e| format!("cannot sign: {e}"))?;
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| format!("cannot sign: {e}"))?
        .into_parts();
    Ok(instructions
        .headers()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example key pair (not a credential).
    const DOC_KEY_ID: &str = "AKIDEXAMPLE"; // leakhound:allow (AWS documentation example)
    const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"; // leakhound:allow (AWS documentation example)
    /// The rule's made-up examples.
    const KEY_ID: &str = "AKIA3VEGNNRNYZH6PXKD"; // leakhound:allow (rule example)
    const SECRET: &str = "5bBJuolMzHzO0NSBPTY9ibaOf+hvbHHLNxtSeam/"; // leakhound:allow (rule example)
    const OTHER_SECRET: &str = "AdvmVPbJL5WcUO1f01wsNJJHEYlCKxPsZcGFwsVX"; // leakhound:allow (rule example)
    const TEMP_KEY_ID: &str = "ASIAO5BQ2TMUA5KANWTY"; // leakhound:allow (rule example)
    const TEMP_SECRET: &str = "P+F8S5GCT/IZV0ij1d1pugwv3csFDHomxxyh5Mwg"; // leakhound:allow (rule example)
    const SESSION: &str = "IQoJb3JpZ2luX2VjEAU6IMd76HpGpkl7pCeCZN2BLw"; // leakhound:allow (truncated rule example)

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn authorization(signed: &[(String, String)]) -> &str {
        signed
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    /// The IAM `ListUsers` example of the Signature Version 4 documentation (2015-08-30).
    #[test]
    fn signs_the_documented_iam_example() {
        let headers = h(&[("content-type", CONTENT_TYPE)]);
        let signed = sign(&Signing {
            method: "GET",
            url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
            headers: &headers,
            body: b"",
            region: "us-east-1",
            service: "iam",
            key_id: DOC_KEY_ID,
            secret: DOC_SECRET,
            time: "2015-08-30T12:36:00Z".parse().unwrap(),
        })
        .unwrap();
        assert_eq!(
            authorization(&signed),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    /// `get-vanilla` of the Signature Version 4 test suite.
    #[test]
    fn signs_the_test_suite_vanilla_get() {
        let signed = sign(&Signing {
            method: "GET",
            url: "https://example.amazonaws.com/",
            headers: &[],
            body: b"",
            region: "us-east-1",
            service: "service",
            key_id: DOC_KEY_ID,
            secret: DOC_SECRET,
            time: "2015-08-30T12:36:00Z".parse().unwrap(),
        })
        .unwrap();
        assert!(authorization(&signed).ends_with(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ));
    }

    fn sts(values: &[(String, String)], key_id: &str) -> Result<Request, String> {
        let s = Subject {
            secret: key_id,
            values,
        };
        request(&s, "2026-12-06T07:33:02Z".parse().unwrap())
    }

    fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn builds_get_caller_identity() {
        let secret = SECRET;
        let v = vec![("pair.secret".to_owned(), secret.to_owned())];
        let r = sts(&v, KEY_ID).unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "https://sts.amazonaws.com/");
        assert_eq!(r.body.as_deref(), Some(BODY.as_bytes()));
        assert_eq!(header(&r, "x-amz-date"), Some("20261206T073302Z"));
        assert_eq!(header(&r, "content-type"), Some(CONTENT_TYPE));
        let auth = header(&r, "authorization").unwrap();
        let prefix = format!("AWS4-HMAC-SHA256 Credential={KEY_ID}/20261206/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=");
        assert!(auth.starts_with(&prefix), "{auth}");
        let sig = &auth[prefix.len()..];
        assert_eq!(sig.len(), 64);
        assert!(sig.bytes().all(|b| b.is_ascii_hexdigit()));
        // The secret key never leaves: not in a header, not in the body.
        let all = format!("{:?}", r);
        assert!(!all.contains(secret));
        // Another secret, another signature.
        let other = vec![("pair.secret".to_owned(), OTHER_SECRET.to_owned())];
        let r2 = sts(&other, KEY_ID).unwrap();
        assert_ne!(header(&r2, "authorization"), Some(auth));
    }

    #[test]
    fn temporary_keys_carry_their_session_token() {
        let v = vec![("pair.secret".to_owned(), TEMP_SECRET.to_owned())];
        let e = sts(&v, TEMP_KEY_ID).unwrap_err();
        assert!(e.contains("session token"), "{e}");
        let mut v = v;
        v.push(("pair.session".to_owned(), SESSION.to_owned()));
        let r = sts(&v, TEMP_KEY_ID).unwrap();
        assert_eq!(header(&r, "x-amz-security-token"), Some(SESSION));
        assert!(header(&r, "authorization")
            .unwrap()
            .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
    }

    #[test]
    fn needs_the_secret_half() {
        let e = sts(&[], KEY_ID).unwrap_err();
        assert!(e.contains("secret access key"), "{e}");
    }
}
