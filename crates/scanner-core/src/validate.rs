//! Offline structural checks: formats that carry their own checksum or structure are verified without
//! touching the network, which removes look-alike false positives that a regex alone cannot.

use base64::Engine as _;

/// A structural validator a rule can name in `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// GitHub's `gh?_` tokens end in six base62 characters of CRC32 over the 30 random ones.
    GithubChecksum,
    /// A JWT's header and payload are base64url JSON objects; the header names an `alg`.
    Jwt,
}

/// What a validator concluded about one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The structure checks out; the label goes into the finding's `validation` field.
    Valid(&'static str),
    /// Structurally fine but of lower value (an expired JWT): report at low severity.
    Downgrade(&'static str),
    /// Not the format at all: drop the finding.
    Invalid,
}

impl Validator {
    /// Parses a validator name as written in a rule file.
    pub fn parse(name: &str) -> Option<Validator> {
        match name {
            "github-checksum" => Some(Validator::GithubChecksum),
            "jwt" => Some(Validator::Jwt),
            _ => None,
        }
    }

    /// Checks `secret`. `now` is seconds since the Unix epoch (for JWT expiry).
    pub fn check(self, secret: &[u8], now: u64) -> Outcome {
        match self {
            Validator::GithubChecksum => github_checksum(secret),
            Validator::Jwt => jwt(secret, now),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// `ghp_` + 30 random + 6 checksum. A mismatch is downgraded rather than dropped: the checksum scheme is
/// not published by GitHub, so a wrong guess here must never cost recall.
fn github_checksum(secret: &[u8]) -> Outcome {
    let Some(us) = secret.iter().position(|&b| b == b'_') else {
        return Outcome::Invalid;
    };
    let body = &secret[us + 1..];
    if body.len() != 36 {
        return Outcome::Downgrade("checksum-unknown");
    }
    let (random, check) = body.split_at(30);
    if base62_6(crc32fast::hash(random)) == check {
        Outcome::Valid("checksum-ok")
    } else {
        Outcome::Downgrade("checksum-mismatch")
    }
}

fn jwt(secret: &[u8], now: u64) -> Outcome {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return Outcome::Invalid;
    };
    let decode = |s: &[u8]| -> Option<serde_json::Value> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.strip_suffix(b"=").unwrap_or(s))
            .ok()?;
        serde_json::from_slice::<serde_json::Value>(&raw)
            .ok()
            .filter(|v| v.is_object())
    };
    let Some(header) = decode(h) else {
        return Outcome::Invalid;
    };
    let Some(payload) = decode(p) else {
        return Outcome::Invalid;
    };
    if header.get("alg").is_none() {
        return Outcome::Invalid;
    }
    if header.get("alg").and_then(|a| a.as_str()) == Some("none") {
        return Outcome::Downgrade("jwt-unsigned");
    }
    match payload.get("exp").and_then(|e| e.as_f64()) {
        Some(exp) if exp < now as f64 => Outcome::Downgrade("jwt-expired"),
        _ => Outcome::Valid("jwt-structure-ok"),
    }
}

/// Builds a GitHub-style token with a correct checksum (for tests and fixtures).
pub fn github_token_with_checksum(prefix: &str, random30: &str) -> String {
    assert_eq!(
        random30.len(),
        30,
        "GitHub tokens carry 30 random characters"
    );
    let check = base62_6(crc32fast::hash(random30.as_bytes()));
    format!(
        "{prefix}{random30}{}",
        std::str::from_utf8(&check).expect("base62 is ASCII")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum_round_trip() {
        let t = github_token_with_checksum("ghp_", "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps");
        assert_eq!(
            Validator::GithubChecksum.check(t.as_bytes(), 0),
            Outcome::Valid("checksum-ok")
        );
        let mut corrupt = t.into_bytes();
        corrupt[10] = if corrupt[10] == b'a' { b'b' } else { b'a' };
        assert_eq!(
            Validator::GithubChecksum.check(&corrupt, 0),
            Outcome::Downgrade("checksum-mismatch")
        );
    }

    #[test]
    fn jwt_structure_and_expiry() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let h = enc(r#"{"alg":"HS256","typ":"JWT"}"#);
        let live = format!(
            "{h}.{}.c2lnbmF0dXJlLWJ5dGVzLWhlcmU",
            enc(r#"{"sub":"42","exp":4102444800}"#)
        );
        let dead = format!(
            "{h}.{}.c2lnbmF0dXJlLWJ5dGVzLWhlcmU",
            enc(r#"{"sub":"42","exp":1000}"#)
        );
        assert_eq!(
            Validator::Jwt.check(live.as_bytes(), 1_700_000_000),
            Outcome::Valid("jwt-structure-ok")
        );
        assert_eq!(
            Validator::Jwt.check(dead.as_bytes(), 1_700_000_000),
            Outcome::Downgrade("jwt-expired")
        );
        assert_eq!(
            Validator::Jwt.check(b"eyJhbGciOi.eyJzdWIi.sig", 0),
            Outcome::Invalid
        );
    }
}
