//! `gcp-service-account`: a service account key's signed assertion (RS256 JWT) exchanged at Google's
//! OAuth 2.0 token endpoint, as
//! <https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests>
//! describes. The answer's access token (read-only scope) is never kept or logged: only the status and
//! `access_token`'s presence are read.

use super::part;
use crate::live::request::{Request, Subject};
use crate::live::template::percent_encode as form_encode;

/// The token URI of every Google service account key file.
pub(super) const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The narrowest scope that still authenticates: read-only.
pub(super) const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform.read-only";
/// Assertions live five minutes.
const LIFETIME_S: i64 = 300;

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// The private key as a PEM: the JSON key file's `\n` (and `\r`) escapes undone.
fn unescape(key: &str) -> String {
    key.replace("\\r", "")
        .replace("\\n", "\n")
        .replace("\\/", "/")
        .replace('\r', "")
}

/// The token request. The secret is the private key; `pair.email` the `client_email`.
pub(super) fn request(s: &Subject<'_>, now: jiff::Timestamp) -> Result<Request, String> {
    let email = part(s, "pair.email", "client_email")?;
    let pem = unescape(s.secret.trim());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| "the private key is not a usable RSA key".to_owned())?;
    let iat = now.as_second();
    let claims = Claims {
        iss: email,
        scope: SCOPE,
        aud: TOKEN_URI,
        iat,
        exp: iat + LIFETIME_S,
    };
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    let assertion = jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|_| "the private key cannot sign (RS256)".to_owned())?;
    let body = format!(
        "grant_type={}&assertion={}",
        form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        form_encode(&assertion)
    );
    Ok(Request {
        method: "POST".into(),
        url: TOKEN_URI.into(),
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(body.into_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2048-bit RSA key generated for these tests with `openssl genpkey`: it belongs to no service
    /// account and protects nothing. Written as a JSON key file holds it.
    pub(crate) const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----\\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCP4szQuItzhR2o\\neXDhJl6V11oqbUJH2N+ogxwr7ghYWzqLN3mXgKvhBc63t520oH/wlSMSAzNxYycK\\nr3sQPe0kQP8t7Ru1tv09W5bvSSK8bU+nFYrkIi6JUxXZ7qRr/GezlmB9ddqGtP8f\\nys8vtlJ4cfY4y6F9MYpNZmeNplUc8IQTDIJvPBeBLEn802xzh1kHNrIKjoI60mDR\\nvysjaMvx1be7qmQAK7loEMfdVWb4DQnBeg1glx53TmBKSQqdI7lSYyqux35e2sep\\nQQGOujXfFBUXCvPWJXvlgjQEh8FmW7Jk2RVqPpxpH1R3i6GdiBPoS3JE7ZHLHC+A\\ntD8gY0FHAgMBAAECggEARA+z841ABbJzj4R2dUI5nqaCE6ygHC1FysfOFSehEe6B\\neGYS4avvYd9l47h65HzBWDOrpbMW6+1Lg/3y+AFbAfmu23Ib1+6JxrLi6CiPwlLw\\nySfjDbvviGzhWrfMVfpMsYIR/Xa4mlzWi5rbO4YCZ8/8eOw15OsAsVEd7b6+5xNW\\nj07V4CK0o4ETP6L/Pu424Hq0RWzwvhmqv+MviPBNZAVqbV2e7+HEDGZ3S4aKbqVT\\nnkTvcROANzl1KOJEq+SDMPKUFqRkS8UyGzZBBdVOb728xp6Ud1L/g2HTrixUBVv9\\ntTwBmL/cHj2V8KY4fxjLRELPiQad4/XXjsfikjYAcQKBgQDJ+7xlkpLQZhAdFDLt\\nGihPap5rcxbxP976Vj/6PqVByAUH8a9qpQbxVkHFRjrcmfpBxnKChotVUdxYvWue\\ngBluHVk6pq6b0lidmZ9g//SodRvZhFn49EGywKNuPp2UWsY9mPcVLtG8Y3e5qub+\\nS4GCJHGM48AOoaXRJfO0tcTSFwKBgQC2XZOP3+GT/EopaOMZQLWR4vjtuyshKMdn\\nPu34xptx2W0CfnUB24g9mWU+u5rm8hLxs/cj8PmDPKUIDAqzOaxOMVhlW8ZloTpI\\nvoGwDIIkA3Ee1A3V6qKend3iYfkazUtMqTfnymlnWixGbieP6FNsRxgEmqwgtdQq\\nh+UCSa54UQKBgHTU28CU678HikKHsH1dJ/vn3AKi655YJ4393bvOCKDoJaDWt3Sk\\nSEPIdPq7CMkZd5wcQZgmYunTE/Vwe5OO3SbIaxh12YHgRcnDVmExLD9UnetPlwtd\\nnbLboqzeIx/w8cInfKQQFNk3X8VRiZOF8T9p/RRVmH3eGp/DqBfbHCG5AoGAVQ3T\\n0tiSNxkF5cZblN2PUZlQjGAtP2vrhIXfK5ZFzZWgt/cOz2z6X/B5Pgb1uhzRJRXQ\\ngFzVopXYSqaDHxAZAucU2UEyiRfnPSJNDjTnRbCtQ7mXMlwauGvcnscfDZcONZT+\\n1Aadnmx6FecuYHn03p1R4GPbP+5OI//5mVWQH+ECgYBFVsMqrxXvDgU9zcvKyNBK\\nKac/dTKBzyKzO3W2c0qUnq4k6sQEb39gWDKSdVzmiLA6MLci6c3D9kUO6DYtUn+x\\ngPRx6tM63A2WTyoUquysMfIr4Bf3txVYoYg2un3ZMxzrZe26GNUQ1p9qDP8S52ga\\nxeRrq4EskAnI0UM2dQCHNg==\\n-----END PRIVATE KEY-----\\n"; // leakhound:allow (generated test key, protects nothing)
    const TEST_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAj+LM0LiLc4UdqHlw4SZe\nlddaKm1CR9jfqIMcK+4IWFs6izd5l4Cr4QXOt7edtKB/8JUjEgMzcWMnCq97ED3t\nJED/Le0btbb9PVuW70kivG1PpxWK5CIuiVMV2e6ka/xns5ZgfXXahrT/H8rPL7ZS\neHH2OMuhfTGKTWZnjaZVHPCEEwyCbzwXgSxJ/NNsc4dZBzayCo6COtJg0b8rI2jL\n8dW3u6pkACu5aBDH3VVm+A0JwXoNYJced05gSkkKnSO5UmMqrsd+XtrHqUEBjro1\n3xQVFwrz1iV75YI0BIfBZluyZNkVaj6caR9Ud4uhnYgT6EtyRO2RyxwvgLQ/IGNB\nRwIDAQAB\n-----END PUBLIC KEY-----\n";
    const TRUNCATED: &str = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----"; // leakhound:allow (truncated, not a key)
    const EMAIL: &str = "leakhound-test@fake-project-000000.iam.gserviceaccount.com";

    #[derive(serde::Deserialize, Debug)]
    struct Read {
        iss: String,
        scope: String,
        aud: String,
        iat: i64,
        exp: i64,
    }

    fn form_value<'a>(body: &'a str, name: &str) -> &'a str {
        body.split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .unwrap()
    }

    #[test]
    fn the_assertion_verifies_and_carries_the_claims() {
        let values = vec![("pair.email".to_owned(), EMAIL.to_owned())];
        let s = Subject {
            secret: TEST_KEY,
            values: &values,
        };
        let now = jiff::Timestamp::now();
        let r = request(&s, now).unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "https://oauth2.googleapis.com/token");
        let body = String::from_utf8(r.body.clone().unwrap()).unwrap();
        assert_eq!(
            form_value(&body, "grant_type"),
            "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        );
        let jwt = form_value(&body, "assertion");
        assert_eq!(jwt.split('.').count(), 3, "{jwt}");
        let public = TEST_PUBLIC_KEY;
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&[TOKEN_URI]);
        v.set_issuer(&[EMAIL]);
        let t = jsonwebtoken::decode::<Read>(jwt, &key, &v).unwrap();
        assert_eq!(t.header.alg, jsonwebtoken::Algorithm::RS256);
        let c = t.claims;
        assert_eq!(c.iss, EMAIL);
        assert_eq!(c.aud, TOKEN_URI);
        assert_eq!(c.scope, SCOPE);
        assert_eq!(c.iat, now.as_second());
        assert_eq!(c.exp, now.as_second() + 300);
        // The private key is not sent.
        assert!(!body.contains("PRIVATE"));
        assert!(!body.contains(&TEST_KEY[40..80]));
    }

    #[test]
    fn another_key_does_not_verify() {
        let values = vec![("pair.email".to_owned(), EMAIL.to_owned())];
        let s = Subject {
            secret: TEST_KEY,
            values: &values,
        };
        let r = request(&s, jiff::Timestamp::now()).unwrap();
        let body = String::from_utf8(r.body.unwrap()).unwrap();
        let mut jwt = form_value(&body, "assertion").to_owned();
        // Flip one character of the signature.
        let last = jwt.pop().unwrap();
        jwt.push(if last == 'A' { 'B' } else { 'A' });
        let public = TEST_PUBLIC_KEY;
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&[TOKEN_URI]);
        assert!(jsonwebtoken::decode::<Read>(&jwt, &key, &v).is_err());
    }

    #[test]
    fn refuses_what_cannot_sign() {
        let values = vec![("pair.email".to_owned(), EMAIL.to_owned())];
        let bad = Subject {
            secret: TRUNCATED,
            values: &values,
        };
        let e = request(&bad, jiff::Timestamp::now()).unwrap_err();
        assert!(e.contains("not a usable RSA key"), "{e}");
        let no_email = Subject {
            secret: TEST_KEY,
            values: &[],
        };
        let e = request(&no_email, jiff::Timestamp::now()).unwrap_err();
        assert!(e.contains("client_email"), "{e}");
    }

    #[test]
    fn unescapes_json_key_files() {
        assert_eq!(unescape("a\\nb\\r\\nc"), "a\nb\nc");
    }
}
