//! `aws-sts`: STS `GetCallerIdentity`, signed with Signature Version 4.
//!
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html>: no permission is
//! needed to call it, so any working key pair answers, and an explicit deny cannot hide a live key.
//! The signature follows <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>;
//! it is computed here with `hmac` and `sha2` (the `aws-sigv4` crate needs `aws-credential-types` to
//! name the key pair, which this crate does not depend on). The tests check it against the signatures
//! AWS documents.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{hex, part};
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
    let amz_date = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut headers = vec![
        ("content-type".to_owned(), CONTENT_TYPE.to_owned()),
        ("host".to_owned(), HOST.to_owned()),
        ("x-amz-date".to_owned(), amz_date.clone()),
    ];
    if let Some(t) = session {
        headers.push(("x-amz-security-token".to_owned(), t.to_owned()));
    }
    let authorization = sign(&Signable {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: BODY.as_bytes(),
        region: REGION,
        service: SERVICE,
        key_id,
        secret,
        amz_date: &amz_date,
    });
    // The client sets `Host` from the URL (the signature covers it): it is not repeated here.
    let mut out: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(k, _)| k != "host")
        .map(|(k, v)| (display_name(&k), v))
        .collect();
    out.push(("Authorization".into(), authorization));
    out.push(("Accept".into(), "text/xml".into()));
    Ok(Request {
        method: "POST".into(),
        url: format!("https://{HOST}/"),
        headers: out,
        body: Some(BODY.as_bytes().to_vec()),
    })
}

fn display_name(lower: &str) -> String {
    match lower {
        "content-type" => "Content-Type".into(),
        "x-amz-date" => "X-Amz-Date".into(),
        "x-amz-security-token" => "X-Amz-Security-Token".into(),
        other => other.into(),
    }
}

/// What SigV4 signs. `headers` are the signed headers, names lower case, `host` among them; `query` is
/// already canonical (sorted, encoded).
pub(super) struct Signable<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub region: &'a str,
    pub service: &'a str,
    pub key_id: &'a str,
    pub secret: &'a str,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

/// The canonical request (step 1 of the documented procedure).
fn canonical_request(r: &Signable<'_>) -> (String, String) {
    let mut hs: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    hs.sort();
    let signed = hs
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = hs.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let payload = hex(&Sha256::digest(r.body));
    (
        format!(
            "{}\n{}\n{}\n{canonical_headers}\n{signed}\n{payload}",
            r.method, r.path, r.query
        ),
        signed,
    )
}

/// The string to sign (step 2).
fn string_to_sign(r: &Signable<'_>, canonical: &str) -> String {
    let date = &r.amz_date[..8];
    format!(
        "AWS4-HMAC-SHA256\n{}\n{date}/{}/{}/aws4_request\n{}",
        r.amz_date,
        r.region,
        r.service,
        hex(&Sha256::digest(canonical.as_bytes()))
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The signature (steps 3 and 4), hex.
fn signature(r: &Signable<'_>, to_sign: &str) -> String {
    let date = &r.amz_date[..8];
    let k_date = hmac(format!("AWS4{}", r.secret).as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, r.region.as_bytes());
    let k_service = hmac(&k_region, r.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex(&hmac(&k_signing, to_sign.as_bytes()))
}

/// The `Authorization` header value.
pub(super) fn sign(r: &Signable<'_>) -> String {
    let (canonical, signed) = canonical_request(r);
    let to_sign = string_to_sign(r, &canonical);
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/aws4_request, SignedHeaders={signed}, Signature={}",
        r.key_id,
        &r.amz_date[..8],
        r.region,
        r.service,
        signature(r, &to_sign)
    )
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

    /// The IAM `ListUsers` example of the Signature Version 4 documentation (2015-08-30).
    #[test]
    fn signs_the_documented_iam_example() {
        let headers = h(&[
            ("content-type", CONTENT_TYPE),
            ("host", "iam.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
        ]);
        let r = Signable {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: &headers,
            body: b"",
            region: "us-east-1",
            service: "iam",
            key_id: DOC_KEY_ID,
            secret: DOC_SECRET,
            amz_date: "20150830T123600Z",
        };
        let (canonical, signed) = canonical_request(&r);
        assert_eq!(
            hex(&Sha256::digest(canonical.as_bytes())),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
        assert_eq!(signed, "content-type;host;x-amz-date");
        assert_eq!(
            sign(&r),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    /// `get-vanilla` of the Signature Version 4 test suite.
    #[test]
    fn signs_the_test_suite_vanilla_get() {
        let headers = h(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
        ]);
        let r = Signable {
            method: "GET",
            path: "/",
            query: "",
            headers: &headers,
            body: b"",
            region: "us-east-1",
            service: "service",
            key_id: DOC_KEY_ID,
            secret: DOC_SECRET,
            amz_date: "20150830T123600Z",
        };
        assert!(sign(&r).ends_with(
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
