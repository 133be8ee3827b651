//! Offline structural checks: formats that carry their own checksum or structure are verified without
//! touching the network, which removes look-alike false positives that a regex alone cannot, and tells
//! the reader what the secret is (a live or a test key, an expired token, an encrypted private key, the
//! AWS account a key belongs to).

use base64::Engine as _;

use crate::date::Date;
use crate::severity::Severity;

mod discord;
mod keystore;
pub(crate) mod names;
mod ppk;

/// A structural validator a rule can name in `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// GitHub's and npm's `xxx_` tokens end in six base62 characters of CRC32 over the 30 random ones.
    Crc32Base62,
    /// A JWT's header and payload are base64url JSON objects; the header names an `alg`. `exp`, `iss` and
    /// `aud` are reported, and an expired token is low severity.
    Jwt,
    /// An AWS access key id: the account id is decoded from the id itself (keys issued since 2019).
    AwsKeyId,
    /// A PEM or OpenSSH private key whose body parses (ASN.1 DER, `openssh-key-v1`, OpenPGP packets).
    PrivateKey,
    /// A base64 PKCS#12, JKS or JCEKS keystore: reported when it holds a key entry, dropped when it
    /// holds only certificates (a truststore).
    Keystore,
    /// A key whose prefix says test or live mode (`sk_test_`, `rzp_live_`, `access-sandbox-`): test keys
    /// are low severity.
    Mode,
    /// A Discord bot token: its first part is the base64 of a snowflake id created since 2015.
    DiscordBotToken,
    /// HTTP Basic credentials: base64 of `user:password`, decoded and checked (RFC 7617).
    BasicAuth,
    /// A password stored as base64 (FileZilla): decoded, printable, not a placeholder.
    Base64Password,
}

/// Names accepted in a rule's `validate` field.
pub use names::VALIDATORS as VALIDATOR_NAMES;

/// What a validator concluded about one secret that is still worth reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Short label for the finding's `validation` field (`checksum-ok`, `jwt-expired`, `key-encrypted`).
    pub label: &'static str,
    /// Overrides the rule's severity (a test-mode key, an expired token, an unverifiable key).
    pub severity: Option<Severity>,
    /// Facts decoded from the secret (`account`, `iss`, `exp`, `key_type`), for the finding's `details`.
    /// Never secret material.
    pub details: Vec<(&'static str, String)>,
}

impl Verdict {
    fn ok(label: &'static str) -> Verdict {
        Verdict {
            label,
            severity: None,
            details: Vec::new(),
        }
    }
    fn low(label: &'static str) -> Verdict {
        Verdict {
            severity: Some(Severity::Low),
            ..Verdict::ok(label)
        }
    }
    fn with(mut self, key: &'static str, value: impl Into<String>) -> Verdict {
        self.details.push((key, value.into()));
        self
    }
}

/// What a validator concluded about one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Report it, with the verdict's label, severity and details.
    Report(Verdict),
    /// Not the format at all: drop the finding.
    Invalid,
}

impl Outcome {
    /// The label, if reported (convenient in tests).
    pub fn label(&self) -> Option<&'static str> {
        match self {
            Outcome::Report(v) => Some(v.label),
            Outcome::Invalid => None,
        }
    }
    /// The severity override, if any.
    pub fn severity(&self) -> Option<Severity> {
        match self {
            Outcome::Report(v) => v.severity,
            Outcome::Invalid => None,
        }
    }
    /// A detail by key.
    pub fn detail(&self, key: &str) -> Option<&str> {
        match self {
            Outcome::Report(v) => v
                .details
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str()),
            Outcome::Invalid => None,
        }
    }
}

impl Validator {
    /// Parses a validator name as written in a rule file.
    pub fn parse(name: &str) -> Option<Validator> {
        match name {
            "github-checksum" | "npm-checksum" => Some(Validator::Crc32Base62),
            "jwt" => Some(Validator::Jwt),
            "aws-key-id" => Some(Validator::AwsKeyId),
            "private-key" => Some(Validator::PrivateKey),
            "mode" => Some(Validator::Mode),
            "discord-bot-token" => Some(Validator::DiscordBotToken),
            "keystore" => Some(Validator::Keystore),
            "basic-auth" => Some(Validator::BasicAuth),
            "base64-password" => Some(Validator::Base64Password),
            _ => None,
        }
    }

    /// Checks `secret`. `now` is seconds since the Unix epoch (for JWT expiry).
    ///
    /// ```
    /// use leakhound_core::validate::{Validator, github_token_with_checksum};
    ///
    /// let token = github_token_with_checksum("ghp_", "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps");
    /// let outcome = Validator::Crc32Base62.check(token.as_bytes(), 0);
    /// assert_eq!(outcome.label(), Some("checksum-ok"));
    ///
    /// // Keys issued since 2019 carry their account id.
    /// let outcome = Validator::AwsKeyId.check(b"ASIAY34FZKBOKMUTVV7A", 0); // leakhound:allow (documentation key id)
    /// assert_eq!(outcome.detail("account"), Some("609629065308"));
    /// ```
    pub fn check(self, secret: &[u8], now: u64) -> Outcome {
        match self {
            Validator::Crc32Base62 => crc32_base62(secret),
            Validator::Jwt => jwt(secret, now),
            Validator::AwsKeyId => aws_key_id(secret),
            Validator::PrivateKey => private_key(secret),
            Validator::Mode => mode(secret),
            Validator::DiscordBotToken => discord::discord_bot_token(secret, now),
            Validator::Keystore => keystore::check(secret),
            Validator::BasicAuth => basic_auth(secret),
            Validator::Base64Password => base64_password(secret),
        }
    }
}

// ------------------------------------------------------------------------------------------ checksums

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// `ghp_` / `npm_` + 30 random + 6 checksum. A mismatch is downgraded rather than dropped: the scheme is
/// documented only informally, so a wrong guess here must never cost recall.
fn crc32_base62(secret: &[u8]) -> Outcome {
    let Some(us) = secret.iter().rposition(|&b| b == b'_') else {
        return Outcome::Invalid;
    };
    let body = &secret[us + 1..];
    if body.len() != 36 {
        return Outcome::Report(Verdict::ok("checksum-unknown"));
    }
    let (random, check) = body.split_at(30);
    if base62_6(crc32fast::hash(random)) == check {
        Outcome::Report(Verdict::ok("checksum-ok"))
    } else {
        Outcome::Report(Verdict::low("checksum-mismatch"))
    }
}

/// Builds a GitHub- or npm-style token with a correct checksum (for tests and fixtures).
///
/// # Panics
/// When `random30` is not 30 bytes long.
pub fn github_token_with_checksum(prefix: &str, random30: &str) -> String {
    assert_eq!(
        random30.len(),
        30,
        "these tokens carry 30 random characters"
    );
    let check = base62_6(crc32fast::hash(random30.as_bytes()));
    format!(
        "{prefix}{random30}{}",
        std::str::from_utf8(&check).expect("base62 is ASCII")
    )
}

// ------------------------------------------------------------------------------------------------ JWT

fn jwt(secret: &[u8], now: u64) -> Outcome {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return Outcome::Invalid;
    };
    let decode = |s: &[u8]| -> Option<serde_json::Value> {
        let s = s.strip_suffix(b"==").or(s.strip_suffix(b"=")).unwrap_or(s);
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .ok()?;
        serde_json::from_slice::<serde_json::Value>(&raw)
            .ok()
            .filter(|v| v.is_object())
    };
    let (Some(header), Some(payload)) = (decode(h), decode(p)) else {
        return Outcome::Invalid;
    };
    let Some(alg) = header.get("alg").and_then(|a| a.as_str()) else {
        return Outcome::Invalid;
    };
    let mut v = if alg.eq_ignore_ascii_case("none") {
        Verdict::low("jwt-unsigned")
    } else {
        Verdict::ok("jwt-valid")
    };
    v = v.with("alg", clip(alg));
    let text = |key: &str| match payload.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Array(a)) => Some(
            a.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    };
    if let Some(iss) = text("iss") {
        v = v.with("iss", clip(&iss));
    }
    if let Some(aud) = text("aud") {
        v = v.with("aud", clip(&aud));
    }
    if let Some(exp) = payload.get("exp").and_then(|e| e.as_f64()) {
        if (0.0..1e11).contains(&exp) {
            v = v.with(
                "exp",
                Date::from_days((exp as i64).div_euclid(86_400)).to_string(),
            );
        }
        if exp < now as f64 {
            v.label = "jwt-expired";
            v.severity = Some(Severity::Low);
        }
    }
    Outcome::Report(v)
}

/// Claims are attacker-controlled text: keep what is shown short and on one line.
fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(120).collect()
}

// --------------------------------------------------------------------------------------------- AWS

/// AWS key ids are `AKIA` + 16 base32 characters; for keys issued since 2019 the 40 bits after the
/// first one of the decoded bytes are the account id (Aidan Steele, "AWS Access Key ID formats", 2020).
/// Older ids (`AKIAI…`, `AKIAJ…`) carry no account; they are reported with `account-unknown`.
fn aws_key_id(secret: &[u8]) -> Outcome {
    const PREFIXES: [&[u8]; 11] = [
        b"AKIA", b"ASIA", b"ABIA", b"ACCA", b"AGPA", b"AIDA", b"AROA", b"AIPA", b"ANPA", b"ANVA",
        b"APKA",
    ];
    if secret.len() != 20 {
        return Outcome::Invalid;
    }
    let kind = if secret.starts_with(b"ASIA") {
        "temporary"
    } else {
        "long-term"
    };
    let body = &secret[4..];
    if !PREFIXES.iter().any(|p| secret.starts_with(p)) && !secret.starts_with(b"A3T") {
        return Outcome::Invalid;
    }
    let mut bits: u64 = 0;
    for &c in &body[..10] {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return Outcome::Invalid,
        };
        bits = (bits << 5) | u64::from(v);
    }
    // 10 base32 characters = 50 bits; the first 48 are the first six bytes.
    let first6 = bits >> 2;
    if first6 >> 47 == 0 {
        return Outcome::Report(Verdict::ok("account-unknown").with("key_kind", kind));
    }
    let account = (first6 & 0x7fff_ffff_ff80) >> 7;
    if account > 999_999_999_999 {
        return Outcome::Report(Verdict::ok("account-unknown").with("key_kind", kind));
    }
    Outcome::Report(
        Verdict::ok("account-decoded")
            .with("account", format!("{account:012}"))
            .with("key_kind", kind),
    )
}

// -------------------------------------------------------------------------------------------- mode

/// Test or live, from the key's own prefix segments: `sk_test_`, `rzp_live_`, `access-sandbox-`,
/// `FLWSECK_TEST-`, `sk_sbox_`. Only the first three segments count, so random characters later in the
/// key cannot spell `test`.
fn mode(secret: &[u8]) -> Outcome {
    let mut segs = secret
        .split(|&b| matches!(b, b'_' | b'-' | b'$' | b'.'))
        .take(3);
    let live = segs.clone().any(|s| {
        s.eq_ignore_ascii_case(b"live")
            || s.eq_ignore_ascii_case(b"prod")
            || s.eq_ignore_ascii_case(b"production")
    });
    let test = segs.any(|s| {
        ["test", "sandbox", "sbox", "dev", "development"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w.as_bytes()))
    });
    Outcome::Report(match (live, test) {
        (true, false) => Verdict::ok("live-mode"),
        (false, true) => Verdict::low("test-mode"),
        _ => Verdict::ok("mode-unknown"),
    })
}

// --------------------------------------------------------------------------------- base64 credentials

/// Decodes standard base64 (padded or not) into printable text: no control bytes, valid UTF-8.
fn decoded_text(secret: &[u8]) -> Option<String> {
    let trimmed: &[u8] = {
        let end = secret.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
        &secret[..end]
    };
    let d = crate::decode::base64_engine(false)
        .decode(trimmed)
        .ok()
        .or_else(|| crate::decode::base64_engine(true).decode(trimmed).ok())?;
    let text = String::from_utf8(d).ok()?;
    (!text.is_empty() && !text.chars().any(char::is_control)).then_some(text)
}

/// Whether a decoded password is a stand-in: a placeholder word, or the word `password`/`pass`/`secret`.
fn placeholder_password(p: &str) -> bool {
    let low = p.to_ascii_lowercase();
    crate::filters::is_placeholder(p.as_bytes())
        || [
            "password", "passwd", "pass", "pwd", "secret", "changeit", "admin", "root", "guest",
        ]
        .contains(&low.as_str())
}

/// `Authorization: Basic …`: padded base64 of `user:password` (RFC 7617). Anything else (a raw token sent
/// with the wrong scheme, binary) is not this format; a placeholder password (`user:password`) is dropped.
/// An API key sent as the user name with an empty password (`sk_…:`) is a credential too.
fn basic_auth(secret: &[u8]) -> Outcome {
    // Padded standard base64, as RFC 7617 sends it: a word after "Basic" is seldom a multiple of four.
    if !secret.len().is_multiple_of(4) {
        return Outcome::Invalid;
    }
    let Some(text) = decoded_text(secret) else {
        return Outcome::Invalid;
    };
    let Some((user, pass)) = text.split_once(':') else {
        return Outcome::Invalid;
    };
    let credential = if pass.is_empty() { user } else { pass };
    if credential.len() < 3 || placeholder_password(credential) {
        return Outcome::Invalid;
    }
    let v = Verdict::ok("basic-decoded");
    Outcome::Report(if user.is_empty() || pass.is_empty() {
        v
    } else {
        v.with("user", clip(user))
    })
}

/// A password stored base64-encoded (FileZilla's `<Pass encoding="base64">`): the decoded text must be
/// printable and not a placeholder.
fn base64_password(secret: &[u8]) -> Outcome {
    match decoded_text(secret) {
        Some(p) if p.len() >= 3 && !placeholder_password(&p) => {
            Outcome::Report(Verdict::ok("base64-decoded"))
        }
        _ => Outcome::Invalid,
    }
}

// ------------------------------------------------------------------------------------- private keys

fn b64() -> base64::engine::GeneralPurpose {
    crate::decode::base64_engine(false)
}

/// Splits a PEM block as found in the wild (plain, `\n`-escaped inside a JSON or YAML string, or
/// concatenated string literals) into its header fields and its decoded body.
fn pem_parts(secret: &[u8]) -> Option<(String, Vec<String>, Vec<u8>)> {
    let text = String::from_utf8_lossy(secret);
    let mut text = text
        .replace("\\r", "\n")
        .replace("\\n", "\n")
        .replace('\\', "");
    // Newlines written as HTML or XML (a key pasted into a wiki page, an XML attribute).
    if text.contains('<') || text.contains('&') {
        for br in [
            "<br>", "<br/>", "<br />", "<BR>", "<BR/>", "<BR />", "&#10;", "&#13;", "&#xA;",
            "&#xa;", "&#xD;", "&#xd;",
        ] {
            text = text.replace(br, "\n");
        }
    }
    let begin = text.find("-----BEGIN ")?;
    let after = &text[begin + 11..];
    let label_end = after.find("-----")?;
    let label = after[..label_end].trim().to_owned();
    let body = &after[label_end + 5..];
    let end = body.find("-----END").unwrap_or(body.len());
    let mut headers = Vec::new();
    let mut b64text = String::new();
    for line in body[..end].lines() {
        let mut l = line.trim();
        // What is left of `"…\n" +` once the `\n` became a line break: the closing quote and the
        // operator, no key material (a `+` kept here corrupted every concatenated key's base64).
        if l.chars()
            .all(|c| matches!(c, '"' | '\'' | '+' | '.' | ',' | ';' | ' ' | '\t'))
        {
            continue;
        }
        // `"…\n" +` / `'…' .` line continuations of string literals.
        for _ in 0..2 {
            l = l.trim_matches(|c: char| c == '"' || c == '\'' || c == ',' || c == ';');
            let t = l.trim_end();
            if let Some(s) = t.strip_suffix('+').or_else(|| t.strip_suffix('.')) {
                let s2 = s.trim_end();
                if s2.ends_with('"') || s2.ends_with('\'') {
                    l = s2;
                }
            }
            l = l.trim();
        }
        if l.contains(':') {
            headers.push(l.to_owned());
        } else if l.starts_with('=') && l.len() == 5 && label.starts_with("PGP") {
            headers.push(format!("crc24={}", &l[1..]));
        } else {
            b64text.extend(l.chars().filter(|c| !c.is_whitespace()));
        }
    }
    let body = b64().decode(b64text.as_bytes()).ok()?;
    Some((label, headers, body))
}

fn private_key(secret: &[u8]) -> Outcome {
    if memchr::memmem::find(secret, b"PuTTY-User-Key-File-").is_some() {
        return ppk::check(secret);
    }
    let Some((label, headers, body)) = pem_parts(secret) else {
        return Outcome::Report(Verdict::low("key-unparseable"));
    };
    let unparseable = || Outcome::Report(Verdict::low("key-unparseable"));
    if body.len() < 32 {
        return unparseable();
    }
    let encrypted_hdr = headers
        .iter()
        .any(|h| h.starts_with("Proc-Type:") && h.contains("ENCRYPTED"));
    let v = match label.as_str() {
        "OPENSSH PRIVATE KEY" => openssh(&body),
        "PGP PRIVATE KEY BLOCK" => pgp(&body, &headers),
        _ if encrypted_hdr => {
            // Legacy PEM encryption: the body is ciphertext, a whole number of cipher blocks.
            (body.len() % 8 == 0).then(|| Verdict::ok("key-encrypted").with("format", "pem-legacy"))
        }
        "ENCRYPTED PRIVATE KEY" => pkcs8_encrypted(&body),
        "ENCRYPTED SIGSTORE PRIVATE KEY" | "ENCRYPTED COSIGN PRIVATE KEY" => sigstore(&body),
        "RSA PRIVATE KEY" => rsa_pkcs1(&body),
        "EC PRIVATE KEY" => ec_sec1(&body),
        "DSA PRIVATE KEY" => dsa(&body),
        "PRIVATE KEY" => pkcs8(&body),
        _ => pkcs8(&body)
            .or_else(|| rsa_pkcs1(&body))
            .or_else(|| ec_sec1(&body)),
    };
    match v {
        Some(mut v) => {
            if v.label == "key-encrypted" {
                // Still a leak (passphrases are guessable offline), but not an open door.
                v.severity = Some(Severity::Medium);
            }
            Outcome::Report(v)
        }
        None => unparseable(),
    }
}

/// One DER TLV: `(tag, content, rest)`.
fn tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, d) = d.split_first()?;
    let (&l0, d) = d.split_first()?;
    let (len, d) = if l0 < 0x80 {
        (usize::from(l0), d)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 || d.len() < n {
            return None;
        }
        let len = d[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        (len, &d[n..])
    };
    (d.len() >= len).then(|| (tag, &d[..len], &d[len..]))
}

const SEQ: u8 = 0x30;
const INT: u8 = 0x02;
const OCTETS: u8 = 0x04;
const OID: u8 = 0x06;

/// The content of a top-level SEQUENCE that spans the whole body (trailing bytes allowed: some tools pad).
fn sequence(body: &[u8]) -> Option<&[u8]> {
    let (tag, content, _) = tlv(body)?;
    (tag == SEQ).then_some(content)
}

fn integers(mut d: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((INT, c, rest)) = tlv(d) {
        out.push(c);
        d = rest;
    }
    out
}

fn bits(int: &[u8]) -> usize {
    let int = &int[int.iter().position(|&b| b != 0).unwrap_or(int.len())..];
    match int.first() {
        Some(&b) => (int.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
        None => 0,
    }
}

/// Rounds a modulus size to the nominal key size (a 2047-bit modulus is a "2048-bit key").
fn nominal(b: usize) -> usize {
    b.div_ceil(8) * 8
}

fn rsa_pkcs1(body: &[u8]) -> Option<Verdict> {
    let ints = integers(sequence(body)?);
    (ints.len() >= 9 && bits(ints[1]) >= 256).then(|| {
        Verdict::ok("key-unencrypted").with("key_type", format!("rsa-{}", nominal(bits(ints[1]))))
    })
}

fn dsa(body: &[u8]) -> Option<Verdict> {
    let ints = integers(sequence(body)?);
    (ints.len() >= 6 && bits(ints[1]) >= 512).then(|| {
        Verdict::ok("key-unencrypted").with("key_type", format!("dsa-{}", nominal(bits(ints[1]))))
    })
}

fn curve(oid: &[u8]) -> &'static str {
    match oid {
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => "p256",
        [0x2b, 0x81, 0x04, 0x00, 0x22] => "p384",
        [0x2b, 0x81, 0x04, 0x00, 0x23] => "p521",
        [0x2b, 0x81, 0x04, 0x00, 0x0a] => "secp256k1",
        _ => "other-curve",
    }
}

fn ec_sec1(body: &[u8]) -> Option<Verdict> {
    let (tag, version, rest) = tlv(sequence(body)?)?;
    let (tag2, scalar, rest) = tlv(rest)?;
    if tag != INT || version != [1] || tag2 != OCTETS || scalar.len() < 16 {
        return None;
    }
    let name = match tlv(rest) {
        Some((0xa0, params, _)) => match tlv(params) {
            Some((OID, oid, _)) => curve(oid),
            _ => "other-curve",
        },
        _ => "ec",
    };
    Some(Verdict::ok("key-unencrypted").with("key_type", format!("ec-{name}")))
}

fn pkcs8(body: &[u8]) -> Option<Verdict> {
    let (tag, version, rest) = tlv(sequence(body)?)?;
    if tag != INT || !(version == [0] || version == [1]) {
        return None;
    }
    let (SEQ, alg, rest) = tlv(rest)? else {
        return None;
    };
    let (OID, oid, params) = tlv(alg)? else {
        return None;
    };
    let (OCTETS, key, _) = tlv(rest)? else {
        return None;
    };
    let key_type = match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
        | [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a] => {
            let ints = integers(sequence(key)?);
            if ints.len() < 9 {
                return None;
            }
            format!("rsa-{}", nominal(bits(ints[1])))
        }
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] => match tlv(params) {
            Some((OID, c, _)) => format!("ec-{}", curve(c)),
            _ => "ec".to_owned(),
        },
        [0x2b, 0x65, 0x70] => "ed25519".to_owned(),
        [0x2b, 0x65, 0x71] => "ed448".to_owned(),
        [0x2b, 0x65, 0x6e] => "x25519".to_owned(),
        [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01] => "dsa".to_owned(),
        _ => "other".to_owned(),
    };
    if key.len() < 16 {
        return None;
    }
    Some(Verdict::ok("key-unencrypted").with("key_type", key_type))
}

fn pkcs8_encrypted(body: &[u8]) -> Option<Verdict> {
    let (SEQ, alg, rest) = tlv(sequence(body)?)? else {
        return None;
    };
    let (OID, _, _) = tlv(alg)? else {
        return None;
    };
    let (OCTETS, data, _) = tlv(rest)? else {
        return None;
    };
    (data.len() >= 16).then(|| Verdict::ok("key-encrypted").with("format", "pkcs8"))
}

/// cosign and sigstore keys (`cosign generate-key-pair`): the body is JSON naming the KDF (scrypt) and
/// the cipher (nacl/secretbox) around the encrypted key. Always passphrase-protected, but the
/// passphrase is often empty or sits in the same CI configuration (`COSIGN_PASSWORD`).
fn sigstore(body: &[u8]) -> Option<Verdict> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let kdf = v.get("kdf")?.get("name")?.as_str()?;
    let cipher = v.get("cipher")?.get("name")?.as_str()?;
    let ciphertext = v.get("ciphertext")?.as_str()?;
    (ciphertext.len() >= 16).then(|| {
        Verdict::ok("key-encrypted")
            .with("format", "sigstore")
            .with("kdf", clip(kdf))
            .with("cipher", clip(cipher))
    })
}

/// `openssh-key-v1\0`, then cipher, kdf, kdf options, key count, and the public key blob whose first
/// string is the key type.
fn openssh(body: &[u8]) -> Option<Verdict> {
    let mut d = body.strip_prefix(b"openssh-key-v1\0")?;
    fn u32_at(d: &[u8]) -> Option<usize> {
        Some(u32::from_be_bytes(d.get(..4)?.try_into().ok()?) as usize)
    }
    fn string<'a>(d: &mut &'a [u8]) -> Option<&'a [u8]> {
        let n = u32_at(d)?;
        let s = d.get(4..4 + n)?;
        *d = &d[4 + n..];
        Some(s)
    }
    let cipher = string(&mut d)?;
    let _kdf = string(&mut d)?;
    let _kdf_options = string(&mut d)?;
    let nkeys = u32_at(d)?;
    d = &d[4..];
    if nkeys == 0 || nkeys > 16 {
        return None;
    }
    let mut pubkey = string(&mut d)?;
    let key_type = std::str::from_utf8(string(&mut pubkey)?).ok()?;
    if key_type.is_empty() || !key_type.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let v = if cipher == b"none" {
        Verdict::ok("key-unencrypted")
    } else {
        // The cipher and key type names are the file's bytes, shown in every report: clipped to one
        // short line like JWT claims (a control character in the cipher name reached the terminal;
        // found by the `validators` fuzz target).
        Verdict::ok("key-encrypted").with("format", clip(&String::from_utf8_lossy(cipher)))
    };
    Some(v.with("key_type", clip(key_type)))
}

/// OpenPGP armor: the `=XXXX` line is a CRC-24 of the body (RFC 4880 §6.1), and the first packet must be
/// a secret key (tag 5). Whether the secret material is protected is the S2K usage octet after the
/// public key fields.
fn pgp(body: &[u8], headers: &[String]) -> Option<Verdict> {
    if let Some(crc) = headers.iter().find_map(|h| h.strip_prefix("crc24=")) {
        let want = b64().decode(crc).ok()?;
        let got = crc24(body).to_be_bytes();
        if want != got[1..] {
            return Some(Verdict::low("checksum-mismatch"));
        }
    }
    let (&h, rest) = body.split_first()?;
    if h & 0x80 == 0 {
        return None;
    }
    let (tag, rest) = if h & 0x40 != 0 {
        // New format: length octets follow.
        let (&l0, r) = rest.split_first()?;
        let r = match l0 {
            0..=191 => r,
            192..=223 => r.get(1..)?,
            255 => r.get(4..)?,
            _ => return None,
        };
        (h & 0x3f, r)
    } else {
        let skip = [1, 2, 4, 0][usize::from(h & 3)];
        ((h >> 2) & 0x0f, rest.get(skip..)?)
    };
    if tag != 5 {
        return None;
    }
    let v = Verdict::ok("key-unencrypted").with("key_type", "pgp");
    // v4: version, 4-byte time, algorithm, public MPIs, then the S2K usage octet.
    if rest.first() != Some(&4) {
        return Some(v);
    }
    let algo = *rest.get(5)?;
    let mut d = rest.get(6..)?;
    let mpi = |d: &mut &[u8]| -> Option<()> {
        let nbits = usize::from(u16::from_be_bytes(d.get(..2)?.try_into().ok()?));
        *d = d.get(2 + nbits.div_ceil(8)..)?;
        Some(())
    };
    let oid = |d: &mut &[u8]| -> Option<()> {
        let n = usize::from(*d.first()?);
        *d = d.get(1 + n..)?;
        Some(())
    };
    match algo {
        1..=3 => (0..2).try_for_each(|_| mpi(&mut d))?,
        16 | 20 => (0..3).try_for_each(|_| mpi(&mut d))?,
        17 => (0..4).try_for_each(|_| mpi(&mut d))?,
        19 | 22 => {
            oid(&mut d)?;
            mpi(&mut d)?;
        }
        18 => {
            oid(&mut d)?;
            mpi(&mut d)?;
            oid(&mut d)?; // KDF parameters: a length-prefixed field like an OID
        }
        _ => return Some(v),
    }
    Some(match d.first()? {
        0 => v,
        _ => Verdict::ok("key-encrypted").with("key_type", "pgp"),
    })
}

fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        match content.len() {
            n if n < 0x80 => v.push(n as u8),
            n if n < 0x100 => v.extend([0x81, n as u8]),
            n => v.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        v.extend_from_slice(content);
        v
    }

    fn pem(label: &str, body: &[u8]) -> String {
        let b = enc(body);
        let lines: Vec<&str> = b
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----",
            lines.join("\n")
        )
    }

    fn pseudo(n: usize, seed: u8) -> Vec<u8> {
        let mut x = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 8) as u8
            })
            .collect()
    }

    fn rsa_body() -> Vec<u8> {
        let mut n = pseudo(256, 1);
        n[0] |= 0x80;
        let mut modulus = vec![0];
        modulus.extend(n);
        let mut seq = der(INT, &[0]);
        seq.extend(der(INT, &modulus));
        seq.extend(der(INT, &[1, 0, 1]));
        for i in 0..6 {
            seq.extend(der(INT, &pseudo(128, 10 + i)));
        }
        der(SEQ, &seq)
    }

    #[test]
    fn every_name_rule_files_accept_parses() {
        for n in VALIDATOR_NAMES {
            assert!(Validator::parse(n).is_some(), "{n}");
        }
    }

    #[test]
    fn basic_auth_decodes_user_and_password() {
        let enc = |s: &str| b64().encode(s);
        let v = Validator::BasicAuth.check(enc("deploy:Tq7!vR2mXw").as_bytes(), 0); // leakhound:allow
        assert_eq!(v.label(), Some("basic-decoded"));
        assert_eq!(v.detail("user"), Some("deploy"));
        // An API key as the user name, no password (Stripe, Mailgun style).
        let v = Validator::BasicAuth.check(enc("k9Fq2LmZ8wXc4RtY:").as_bytes(), 0); // leakhound:allow
        assert_eq!(v.label(), Some("basic-decoded"));
        for bad in [
            "user:password",
            "admin:changeme",
            "no-colon-here",
            "u:",
            ":<token>",
        ] {
            assert_eq!(
                Validator::BasicAuth.check(enc(bad).as_bytes(), 0),
                Outcome::Invalid,
                "{bad}"
            );
        }
        assert_eq!(
            Validator::BasicAuth.check(b"%%%not-base64", 0),
            Outcome::Invalid
        );
        // A word after "Basic" in prose ("Basic Osunbit SDK") is not padded base64.
        assert_eq!(Validator::BasicAuth.check(b"Osunbit", 0), Outcome::Invalid);
        let binary = b64().encode([0u8, 1, 2, 0xff, b':', 7]);
        assert_eq!(
            Validator::BasicAuth.check(binary.as_bytes(), 0),
            Outcome::Invalid
        );

        let v = Validator::Base64Password.check(enc("Wq8#zLm2").as_bytes(), 0); // leakhound:allow
        assert_eq!(v.label(), Some("base64-decoded"));
        assert_eq!(
            Validator::Base64Password.check(enc("password").as_bytes(), 0),
            Outcome::Invalid
        );
    }

    #[test]
    fn crc32_checksum_valid_and_corrupted() {
        let t = github_token_with_checksum("ghp_", "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps");
        let v = Validator::Crc32Base62.check(t.as_bytes(), 0);
        assert_eq!((v.label(), v.severity()), (Some("checksum-ok"), None));
        let mut corrupt = t.clone().into_bytes();
        corrupt[10] = if corrupt[10] == b'a' { b'b' } else { b'a' };
        let v = Validator::Crc32Base62.check(&corrupt, 0);
        assert_eq!(
            (v.label(), v.severity()),
            (Some("checksum-mismatch"), Some(Severity::Low))
        );
        let npm = github_token_with_checksum("npm_", "k3Vq9ZpL2mX8wR4tY7nB1cD6fG0hJ5");
        assert_eq!(
            Validator::parse("npm-checksum")
                .unwrap()
                .check(npm.as_bytes(), 0)
                .label(),
            Some("checksum-ok")
        );
        // `github_pat_…_…` carries no CRC of this kind: reported as unknown, never dropped.
        assert_eq!(
            Validator::Crc32Base62
                .check(b"github_pat_11ABCDEFG0123456789_abcdefghij", 0)
                .label(),
            Some("checksum-unknown")
        );
    }

    #[test]
    fn jwt_claims_and_expiry() {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let h = e(r#"{"alg":"RS256","typ":"JWT"}"#);
        let live = format!(
            "{h}.{}.c2lnbmF0dXJlLWJ5dGVzLWhlcmU",
            e(r#"{"iss":"https://auth.acme.dev","aud":["api","web"],"exp":4102444800}"#)
        );
        let v = Validator::Jwt.check(live.as_bytes(), 1_700_000_000);
        assert_eq!(v.label(), Some("jwt-valid"));
        assert_eq!(v.detail("iss"), Some("https://auth.acme.dev"));
        assert_eq!(v.detail("aud"), Some("api,web"));
        assert_eq!(v.detail("exp"), Some("2100-01-01"));
        assert_eq!(v.severity(), None);

        let dead = format!("{h}.{}.c2ln", e(r#"{"sub":"42","exp":1000}"#));
        let v = Validator::Jwt.check(dead.as_bytes(), 1_700_000_000);
        assert_eq!(
            (v.label(), v.severity()),
            (Some("jwt-expired"), Some(Severity::Low))
        );
        let unsigned = format!("{}.{}.", e(r#"{"alg":"none"}"#), e(r#"{"sub":"1"}"#));
        assert_eq!(
            Validator::Jwt.check(unsigned.as_bytes(), 0).label(),
            Some("jwt-unsigned")
        );
        // Corrupted: the header is not JSON, or has no `alg`.
        assert_eq!(
            Validator::Jwt.check(b"eyJhbGciOi.eyJzdWIi.sig", 0),
            Outcome::Invalid
        );
        let no_alg = format!("{}.{}.sig", e(r#"{"typ":"JWT"}"#), e(r#"{"a":1}"#));
        assert_eq!(Validator::Jwt.check(no_alg.as_bytes(), 0), Outcome::Invalid);
    }

    #[test]
    fn aws_account_from_key_id() {
        // Published examples of the decoding (AWS documentation and the original write-up).
        let v = Validator::AwsKeyId.check(b"ASIAY34FZKBOKMUTVV7A", 0); // leakhound:allow (documentation key id)
        assert_eq!(v.detail("account"), Some("609629065308"));
        assert_eq!(v.detail("key_kind"), Some("temporary"));
        // Pre-2019 ids carry no account.
        let v = Validator::AwsKeyId.check(b"AKIAIOSFODNN7EXAMPLE", 0); // leakhound:allow (documentation key id)
        assert_eq!(v.label(), Some("account-unknown"));
        // Not base32 / wrong length / unknown prefix.
        assert_eq!(
            Validator::AwsKeyId.check(b"AKIA1234567890123456", 0),
            Outcome::Invalid
        );
        assert_eq!(Validator::AwsKeyId.check(b"AKIAQ234", 0), Outcome::Invalid);
        assert_eq!(
            Validator::AwsKeyId.check(b"AXYZQYLPMN5HHHFPZAM2", 0),
            Outcome::Invalid
        );
    }

    #[test]
    fn mode_from_prefix() {
        let m = |s: &str| Validator::Mode.check(s.as_bytes(), 0);
        assert_eq!(m("sk_live_51Hq8ZtR2vNx7LmWp").label(), Some("live-mode"));
        assert_eq!(m("rzp_test_Kq8ZtR2vNx7Lm").severity(), Some(Severity::Low));
        assert_eq!(m("access-sandbox-8f2c").label(), Some("test-mode"));
        assert_eq!(m("FLWSECK_TEST-9a8b7c").label(), Some("test-mode"));
        // `test` deep inside the random part is not a mode.
        assert_eq!(m("shippo_live_ab_cd_test").label(), Some("live-mode"));
        assert_eq!(m("xoxb-123-456-abc").label(), Some("mode-unknown"));
    }

    #[test]
    fn line_breaks_written_as_html_escapes_or_concatenation() {
        let key = pem("RSA PRIVATE KEY", &rsa_body());
        for written in [
            key.replace('\n', "<br>"),
            key.replace('\n', "<br />"),
            key.replace('\n', "&#10;"),
            key.replace('\n', "\\\\n"),
            // `"…\n" +` one literal per line, as Java and JavaScript write it.
            key.lines()
                .map(|l| format!("\"{l}\\n\""))
                .collect::<Vec<_>>()
                .join(" +\n    "),
        ] {
            let v = Validator::PrivateKey.check(written.as_bytes(), 0);
            assert_eq!(v.detail("key_type"), Some("rsa-2048"), "{written}");
        }
    }

    #[test]
    fn sigstore_envelope() {
        let json = br#"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"c2FsdHNhbHRzYWx0c2FsdA=="},"cipher":{"name":"nacl/secretbox","nonce":"bm9uY2Vub25jZQ=="},"ciphertext":"Y2lwaGVydGV4dGNpcGhlcnRleHRjaXBoZXJ0ZXh0"}"#;
        let v =
            Validator::PrivateKey.check(pem("ENCRYPTED SIGSTORE PRIVATE KEY", json).as_bytes(), 0);
        assert_eq!(v.label(), Some("key-encrypted"));
        assert_eq!(v.severity(), Some(Severity::Medium));
        assert_eq!(v.detail("kdf"), Some("scrypt"));
        let v =
            Validator::PrivateKey.check(pem("ENCRYPTED COSIGN PRIVATE KEY", json).as_bytes(), 0);
        assert_eq!(v.detail("format"), Some("sigstore"));
        // Not the envelope: unparseable, low.
        let v = Validator::PrivateKey.check(
            pem("ENCRYPTED SIGSTORE PRIVATE KEY", &pseudo(200, 3)).as_bytes(),
            0,
        );
        assert_eq!(v.label(), Some("key-unparseable"));
    }

    #[test]
    fn rsa_pkcs1_and_pkcs8_parse() {
        let body = rsa_body();
        let key = pem("RSA PRIVATE KEY", &body);
        let v = Validator::PrivateKey.check(key.as_bytes(), 0);
        assert_eq!(v.label(), Some("key-unencrypted"));
        assert_eq!(v.detail("key_type"), Some("rsa-2048"));

        // The same key inside a JSON string, `\n`-escaped (service-account files).
        let json = key.replace('\n', "\\n");
        assert_eq!(
            Validator::PrivateKey
                .check(json.as_bytes(), 0)
                .detail("key_type"),
            Some("rsa-2048")
        );

        let mut p8 = der(INT, &[0]);
        let mut alg = der(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
        alg.extend(der(0x05, &[]));
        p8.extend(der(SEQ, &alg));
        p8.extend(der(OCTETS, &body));
        let key = pem("PRIVATE KEY", &der(SEQ, &p8));
        assert_eq!(
            Validator::PrivateKey
                .check(key.as_bytes(), 0)
                .detail("key_type"),
            Some("rsa-2048")
        );

        // Corrupted: random bytes in PEM armour are reported at low severity, not dropped.
        let junk = pem("RSA PRIVATE KEY", &pseudo(600, 3));
        let v = Validator::PrivateKey.check(junk.as_bytes(), 0);
        assert_eq!(
            (v.label(), v.severity()),
            (Some("key-unparseable"), Some(Severity::Low))
        );
        // Truncated DER.
        let cut = pem("RSA PRIVATE KEY", &body[..300]);
        assert_eq!(
            Validator::PrivateKey.check(cut.as_bytes(), 0).label(),
            Some("key-unparseable")
        );
    }

    #[test]
    fn ec_and_encrypted_keys() {
        let mut ec = der(INT, &[1]);
        ec.extend(der(OCTETS, &pseudo(32, 5)));
        ec.extend(der(
            0xa0,
            &der(OID, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
        ));
        let mut pubkey = vec![0, 4];
        pubkey.extend(pseudo(64, 6));
        ec.extend(der(0xa1, &der(0x03, &pubkey)));
        let key = pem("EC PRIVATE KEY", &der(SEQ, &ec));
        assert_eq!(
            Validator::PrivateKey
                .check(key.as_bytes(), 0)
                .detail("key_type"),
            Some("ec-p256")
        );

        let mut alg = der(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d]);
        alg.extend(der(SEQ, &pseudo(40, 7)));
        let mut enc_seq = der(SEQ, &alg);
        enc_seq.extend(der(OCTETS, &pseudo(1200, 8)));
        let key = pem("ENCRYPTED PRIVATE KEY", &der(SEQ, &enc_seq));
        let v = Validator::PrivateKey.check(key.as_bytes(), 0);
        assert_eq!(
            (v.label(), v.severity()),
            (Some("key-encrypted"), Some(Severity::Medium))
        );

        let legacy = pem("RSA PRIVATE KEY", &pseudo(1192, 9)).replace(
            "-----\n",
            "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D4E5F60718293A4B5C6D7E8F9\n\n",
        );
        assert_eq!(
            Validator::PrivateKey.check(legacy.as_bytes(), 0).label(),
            Some("key-encrypted")
        );
    }

    #[test]
    fn openssh_keys() {
        let s = |b: &[u8]| {
            let mut v = (b.len() as u32).to_be_bytes().to_vec();
            v.extend_from_slice(b);
            v
        };
        let build = |cipher: &[u8]| {
            let mut body = b"openssh-key-v1\0".to_vec();
            body.extend(s(cipher));
            body.extend(s(if cipher == b"none" {
                b"none"
            } else {
                b"bcrypt"
            }));
            body.extend(s(b""));
            body.extend(1u32.to_be_bytes());
            let mut pk = s(b"ssh-ed25519");
            pk.extend(s(&pseudo(32, 4)));
            body.extend(s(&pk));
            body.extend(s(&pseudo(144, 5)));
            pem("OPENSSH PRIVATE KEY", &body)
        };
        let v = Validator::PrivateKey.check(build(b"none").as_bytes(), 0);
        assert_eq!(v.label(), Some("key-unencrypted"));
        assert_eq!(v.detail("key_type"), Some("ssh-ed25519"));
        let v = Validator::PrivateKey.check(build(b"aes256-ctr").as_bytes(), 0);
        assert_eq!(v.label(), Some("key-encrypted"));
        let bad = pem("OPENSSH PRIVATE KEY", &pseudo(300, 1));
        assert_eq!(
            Validator::PrivateKey.check(bad.as_bytes(), 0).label(),
            Some("key-unparseable")
        );
    }

    /// Fuzz regression (`validators` target): the cipher name of an OpenSSH key went into the `format`
    /// detail as it was, control characters and all, and details are printed in every report. The
    /// input as the fuzzer minimised it (its selector byte dropped): a truncated, mutated key whose
    /// cipher reads `no\x06e`.
    #[test]
    fn fuzz_openssh_cipher_name_is_shown_clipped() {
        let key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vBmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQABVQ2pkAAAAJiWq5tXAEHJvb3RAYnVpbGQtbIIGvkhak4bzm="; // leakhound:allow (fuzz regression input, not a key)
        let v = Validator::PrivateKey.check(key, 0);
        assert_eq!(v.label(), Some("key-encrypted"));
        assert_eq!(v.detail("format"), Some("noe"));
        assert_eq!(v.detail("key_type"), Some("ssh-ed25519"));
    }

    /// The same for a JWT's `alg`, which is the token's own text too.
    #[test]
    fn jwt_alg_is_shown_clipped() {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let alg = format!("HS256\\u001b]8;;x\\u0007{}", "A".repeat(200));
        let token = format!("{}.{}.c2ln", e(&format!(r#"{{"alg":"{alg}"}}"#)), e("{}"));
        let v = Validator::Jwt.check(token.as_bytes(), 0);
        let shown = v.detail("alg").expect("alg");
        assert!(shown.starts_with("HS256]8;;x"), "{shown:?}");
        assert!(
            !shown.chars().any(char::is_control) && shown.len() <= 120,
            "{shown:?}"
        );
    }

    #[test]
    fn pgp_armor_checksum() {
        // A v4 secret-key packet: RSA, n and e, then S2K usage 0 (unprotected).
        let mut pkt = vec![4, 0x65, 0x00, 0x00, 0x00, 1];
        pkt.extend([0x08, 0x00]);
        pkt.extend(pseudo(256, 2));
        pkt.extend([0x00, 0x11, 0x01, 0x00, 0x01]);
        pkt.push(0);
        pkt.extend(pseudo(300, 3));
        let mut body = vec![0xc5, 0xff];
        body.extend((pkt.len() as u32).to_be_bytes());
        body.extend(&pkt);
        let crc = crc24(&body).to_be_bytes();
        let armor = |crc: &[u8]| {
            pem("PGP PRIVATE KEY BLOCK", &body)
                .replace("\n-----END", &format!("\n={}\n-----END", enc(crc)))
        };
        let v = Validator::PrivateKey.check(armor(&crc[1..]).as_bytes(), 0);
        assert_eq!(v.label(), Some("key-unencrypted"), "{v:?}");
        let v = Validator::PrivateKey.check(armor(&[1, 2, 3]).as_bytes(), 0);
        assert_eq!(v.label(), Some("checksum-mismatch"));
    }
}
