//! The offline validators (`Validator::check`) over arbitrary secrets. The first byte picks the
//! validator and, for the private-key and JWT validators, whether the rest is the secret as found in a
//! file or the bytes inside it: a DER/OpenSSH/OpenPGP body that the target wraps in PEM armour, or the
//! JSON of a JWT's header and payload that the target base64url-encodes. That lets the fuzzer reach the
//! binary parsers without having to discover base64 itself.
#![no_main]

use base64::Engine as _;
use leakhound_core::validate::{github_token_with_checksum, Outcome, Validator};
use leakhound_core::Severity;
use libfuzzer_sys::fuzz_target;

const LABELS: [&str; 16] = [
    "ERROR",
    "ERROR",
    "RSA",
    "RSA",
    "EC",
    "DSA",
    "OPENSSH",
    "OPENSSH",
    "ENCRYPTED",
    "PGP",
    "",
    "",
    "SSH2 ENCRYPTED",
    "RSA",
    "OPENSSH",
    "PGP",
];

/// PEM armour around `body`, as `ssh-keygen` and `openssl` write it (64 columns).
fn pem(label: &str, body: &[u8], legacy_encrypted: bool) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    let (begin, end) = match label {
        "PGP" => (
            "PGP PRIVATE KEY BLOCK".to_owned(),
            "PGP PRIVATE KEY BLOCK".to_owned(),
        ),
        "" => ("PRIVATE KEY".to_owned(), "PRIVATE KEY".to_owned()),
        "ERROR" => (
            "ENCRYPTED PRIVATE KEY".to_owned(),
            "ENCRYPTED PRIVATE KEY".to_owned(),
        ),
        l => (format!("{l} PRIVATE KEY"), format!("{l} PRIVATE KEY")),
    };
    let headers = if legacy_encrypted {
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
    } else {
        ""
    };
    format!(
        "-----BEGIN {begin}-----\n{headers}{}\n-----END {end}-----\n",
        lines.join("\n")
    )
}

fn check(v: Validator, secret: &[u8], now: u64) -> Outcome {
    let out = v.check(secret, now);
    if let Outcome::Report(verdict) = &out {
        assert!(!verdict.label.is_empty());
        if verdict.label.ends_with("-mismatch")
            || verdict.label == "key-unparseable"
            || verdict.label == "test-mode"
            || verdict.label == "jwt-expired"
            || verdict.label == "jwt-unsigned"
        {
            assert_eq!(verdict.severity, Some(Severity::Low), "{verdict:?}");
        }
        for (k, value) in &verdict.details {
            // Details are shown to people in every report format: short, on one line, no terminal
            // control sequences, whatever the secret holds.
            assert!(
                value.chars().count() <= 120 && !value.chars().any(char::is_control),
                "detail {k} = {value:?} of {v:?} on {:?}",
                String::from_utf8_lossy(secret)
            );
        }
        if let Some(acct) = out.detail("account") {
            assert!(
                acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()),
                "{acct}"
            );
        }
        if let Some(exp) = out.detail("exp") {
            assert!(leakhound_core::Date::parse(exp).is_some(), "{exp}");
        }
    }
    match v {
        Validator::PrivateKey | Validator::Mode => {
            assert!(
                matches!(out, Outcome::Report(_)),
                "{v:?} never drops a finding"
            )
        }
        Validator::AwsKeyId if secret.len() != 20 => assert_eq!(out, Outcome::Invalid),
        Validator::Jwt => {
            if matches!(out, Outcome::Report(_)) {
                assert!(out.detail("alg").is_some());
            }
        }
        _ => {}
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let now = u64::from(sel) * 13_000_000;
    match sel % 8 {
        0 => {
            check(Validator::Crc32Base62, rest, now);
        }
        1 => {
            check(Validator::Jwt, rest, now);
        }
        2 => {
            check(Validator::AwsKeyId, rest, now);
        }
        3 => {
            check(Validator::PrivateKey, rest, now);
        }
        4 => {
            check(Validator::Mode, rest, now);
        }
        5 => {
            // A key body in PEM armour.
            let label = LABELS[usize::from(sel >> 4)];
            let key = pem(label, rest, sel & 8 != 0);
            check(Validator::PrivateKey, key.as_bytes(), now);
            // The same key as a JSON string value (service-account files).
            let escaped = key.replace('\n', "\\n");
            check(Validator::PrivateKey, escaped.as_bytes(), now);
        }
        6 => {
            // A JWT from the JSON of its header and payload (split at the first NUL).
            let (h, p) = match rest.iter().position(|&b| b == 0) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &b"{}"[..]),
            };
            let e = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
            let token = format!("{}.{}.c2lnbmF0dXJl", e(h), e(p));
            check(Validator::Jwt, token.as_bytes(), now);
        }
        _ => {
            // A checksummed token is recognised; one changed character is not.
            let Ok(random) = std::str::from_utf8(rest) else {
                return;
            };
            if random.len() != 30 || !random.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return;
            }
            let token = github_token_with_checksum("ghp_", random);
            assert_eq!(
                check(Validator::Crc32Base62, token.as_bytes(), now).label(),
                Some("checksum-ok")
            );
            let mut bad = token.into_bytes();
            let i = 4 + usize::from(sel) % 36;
            bad[i] = if bad[i] == b'a' { b'b' } else { b'a' };
            assert_eq!(
                check(Validator::Crc32Base62, &bad, now).label(),
                Some("checksum-mismatch")
            );
        }
    }
});
