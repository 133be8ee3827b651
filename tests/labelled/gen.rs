//! Generators for the labelled evaluation set: a seeded PRNG, the format-template language, and the
//! structured formats a template cannot express (checksummed tokens, JWTs, DER/PEM, OpenSSH and PGP
//! private keys, bech32, base64-wrapped JSON). Everything is derived from the PRNG: no key material is
//! stored anywhere, and nothing here is, or was ever, a live credential.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use leakhound_core::validate::github_token_with_checksum;

// ------------------------------------------------------------------------------------------ PRNG

/// splitmix64: tiny, fast, good enough for test data, identical on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant for test data).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive - lo + 1)
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }

    /// A string of `lo..=hi` characters.
    pub fn string_n(&mut self, alphabet: &[u8], lo: usize, hi: usize) -> String {
        let n = self.range(lo, hi);
        self.string(alphabet, n)
    }

    pub fn bytes_n(&mut self, lo: usize, hi: usize) -> Vec<u8> {
        let n = self.range(lo, hi);
        self.bytes(n)
    }

    pub fn hex(&mut self, n: usize) -> String {
        self.string(HEX, n)
    }

    pub fn uuid(&mut self) -> String {
        let mut b = self.bytes(16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

/// FNV-1a, to derive a stable seed from a format's identity (adding a format elsewhere does not
/// change the tokens of this one).
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub const HEX: &[u8] = b"0123456789abcdef";
pub const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
pub const DIGIT: &[u8] = b"0123456789";
pub const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
pub const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const LOWER_ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
pub const UPPER_ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn alphabet(kind: &str) -> Option<&'static [u8]> {
    Some(match kind {
        "hex" => HEX,
        "HEX" => HEX_UPPER,
        "alnum" => ALNUM,
        "alpha" => ALPHA,
        "lower" => LOWER,
        "upper" => UPPER,
        "digit" => DIGIT,
        "lower_alnum" => LOWER_ALNUM,
        "upper_alnum" => UPPER_ALNUM,
        "base64" => BASE64,
        "base64url" => BASE64URL,
        "base32" => BASE32,
        _ => return None,
    })
}

/// `[A-Za-z0-9_.~-]` → the bytes of the class (ranges and literals; a `-` first or last is literal).
fn class(spec: &str) -> Option<Vec<u8>> {
    let b = spec.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if i + 2 < b.len() && b[i + 1] == b'-' {
            let (lo, hi) = (b[i], b[i + 2]);
            if lo > hi {
                return None;
            }
            out.extend(lo..=hi);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// Expands a template. Placeholders: `{hex:N}` `{HEX:N}` `{alnum:N}` `{alpha:N}` `{lower:N}`
/// `{upper:N}` `{digit:N}` `{lower_alnum:N}` `{upper_alnum:N}` `{base64:N}` `{base64url:N}`
/// `{base32:N}` `{uuid}`, a character class `{[A-Za-z0-9_.~-]:N}`, and the names in `vars`
/// (`{value}`, `{name}` in usage lines). A `{…}` that is none of these is literal text (JSON in a
/// template stays as written).
pub fn expand(template: &str, rng: &mut Rng, vars: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        // A class may contain `}` only if we look for `]:` first.
        let (inner, consumed) = if after.starts_with('[') {
            match after.find("]:") {
                Some(end) => match after[end..].find('}') {
                    Some(c) => (&after[..end + c], end + c),
                    None => (&after[..close], close),
                },
                None => (&after[..close], close),
            }
        } else {
            (&after[..close], close)
        };
        match placeholder(inner, rng, vars)? {
            Some(s) => {
                out.push_str(&s);
                rest = &after[consumed + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn placeholder(
    inner: &str,
    rng: &mut Rng,
    vars: &[(&str, &str)],
) -> Result<Option<String>, String> {
    if let Some((_, v)) = vars.iter().find(|(k, _)| *k == inner) {
        return Ok(Some((*v).to_owned()));
    }
    if inner == "uuid" {
        return Ok(Some(rng.uuid()));
    }
    let Some((kind, n)) = inner.rsplit_once(':') else {
        return Ok(None);
    };
    let Ok(n) = n.parse::<usize>() else {
        return Ok(None);
    };
    if let Some(a) = alphabet(kind) {
        return Ok(Some(rng.string(a, n)));
    }
    if let Some(spec) = kind.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
        let a = class(spec).ok_or_else(|| format!("bad character class {{{inner}}}"))?;
        return Ok(Some(rng.string(&a, n)));
    }
    if kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("unknown placeholder {{{inner}}}"));
    }
    Ok(None)
}

// ------------------------------------------------------------------------------------ specials

/// A generated value and, when the secret is only part of it, the secret's byte range in the value.
pub struct Special {
    pub value: String,
    pub secret: Option<(usize, usize)>,
}

impl Special {
    fn whole(value: String) -> Special {
        Special {
            value,
            secret: None,
        }
    }
}

/// Kinds `special` knows (other `special` values are documentation only and are not generated).
pub const SPECIALS: &[&str] = &[
    "github",
    "jwt",
    "pem",
    "openssh",
    "pgp",
    "gcp-service-account",
    "azure-sas",
    "sentry-org-token",
    "grafana-cloud-token",
    "discord-bot-token",
    "mapbox-secret-token",
    "age-secret-key",
    "docker-config",
    "sigstore",
    "ppk",
    "keystore",
    "base64-credential",
];

pub fn known_special(name: &str) -> bool {
    SPECIALS.contains(&name.split(':').next().unwrap_or(name))
}

/// The formats a template cannot express. `name` is `kind` or `kind:variant`.
pub fn special(name: &str, rng: &mut Rng) -> Result<Special, String> {
    let (kind, variant) = name.split_once(':').unwrap_or((name, ""));
    Ok(match kind {
        "github" => {
            let random30 = rng.string(ALNUM, 30);
            Special::whole(github_token_with_checksum(variant, &random30))
        }
        "jwt" => Special::whole(jwt(variant, rng)?),
        "pem" => pem_written(variant, rng)?,
        "openssh" => Special::whole(openssh(variant, rng)?),
        "pgp" => Special::whole(pgp_private_key(rng)),
        "gcp-service-account" => gcp_service_account(rng),
        "azure-sas" => azure_sas(variant, rng)?,
        "sentry-org-token" => Special::whole(sentry_org_token(rng)),
        "grafana-cloud-token" => Special::whole(grafana_cloud_token(rng)),
        "discord-bot-token" => Special::whole(discord_bot_token(rng)),
        "mapbox-secret-token" => Special::whole(mapbox_secret_token(rng)),
        "age-secret-key" => Special::whole(age_secret_key(rng)),
        "docker-config" => docker_config(variant, rng)?,
        "sigstore" => Special::whole(sigstore(variant, rng)?),
        "ppk" => Special::whole(ppk(variant, rng)?),
        "keystore" => Special::whole(keystore(variant, rng)?),
        "base64-credential" => Special::whole(base64_credential(variant, rng)?),
        _ => return Err(format!("unknown special {name:?}")),
    })
}

fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A signed JWT: base64url JSON header and payload (issuer, audience, expiry years ahead), and a
/// signature of the algorithm's size.
pub fn jwt(alg: &str, rng: &mut Rng) -> Result<String, String> {
    let sig_len = match alg {
        "HS256" => 32,
        "HS512" => 64,
        "RS256" => 256,
        "ES256" => 64,
        _ => return Err(format!("unsupported JWT alg {alg:?}")),
    };
    let header = if alg.starts_with("HS") {
        format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#)
    } else {
        format!(
            r#"{{"alg":"{alg}","kid":"{}","typ":"JWT"}}"#,
            rng.string(ALNUM, 16)
        )
    };
    let iat = 1_767_225_600 + rng.below(30 * 86_400) as u64; // January 2026
    let exp = iat + 10 * 365 * 86_400;
    let iss = rng.pick(&[
        "https://auth.acme.io/",
        "https://login.acme-corp.com/oauth2/default",
        "https://sts.internal.acme.io",
    ]);
    let aud = rng.pick(&[
        "billing-api",
        "orders-service",
        "https://api.acme.io",
        "internal",
    ]);
    let sub = format!("svc-{}", rng.string(LOWER_ALNUM, 8));
    let scope = rng.pick(&[
        "invoices:write",
        "read write",
        "admin",
        "orders:read orders:write",
    ]);
    let payload = format!(
        r#"{{"iss":"{iss}","sub":"{sub}","aud":"{aud}","scope":"{scope}","iat":{iat},"exp":{exp},"jti":"{}"}}"#,
        rng.uuid()
    );
    Ok(format!(
        "{}.{}.{}",
        b64url(header.as_bytes()),
        b64url(payload.as_bytes()),
        b64url(&rng.bytes(sig_len))
    ))
}

// ------------------------------------------------------------------------------------------- DER

fn der_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// An unsigned big-endian integer as a DER INTEGER (leading zeros stripped, a zero added when the
/// high bit is set).
fn int(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut v = bytes[start..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    der(0x02, &v)
}

fn small(n: u32) -> Vec<u8> {
    int(&n.to_be_bytes())
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut groups = vec![(a & 0x7f) as u8];
        let mut x = a >> 7;
        while x > 0 {
            groups.push(0x80 | (x & 0x7f) as u8);
            x >>= 7;
        }
        groups.reverse();
        body.extend(groups);
    }
    der(0x06, &body)
}

fn octets(b: &[u8]) -> Vec<u8> {
    der(0x04, b)
}

fn bits(b: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(b);
    der(0x03, &v)
}

fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// A random `n`-byte number: `top` sets the high bit (a full-size modulus or prime), `odd` the low one.
fn number(rng: &mut Rng, n: usize, top: bool, odd: bool) -> Vec<u8> {
    let mut b = rng.bytes(n);
    if top {
        b[0] |= 0x80;
    } else {
        b[0] &= 0x7f;
    }
    if odd {
        b[n - 1] |= 1;
    }
    b
}

const OID_RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 1];
const OID_EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10_045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10_045, 3, 1, 7];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];
const OID_PBES2: &[u64] = &[1, 2, 840, 113_549, 1, 5, 13];
const OID_PBKDF2: &[u64] = &[1, 2, 840, 113_549, 1, 5, 12];
const OID_HMAC_SHA256: &[u64] = &[1, 2, 840, 113_549, 2, 9];
const OID_AES256_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 42];

struct RsaKey {
    n: Vec<u8>,
    e: Vec<u8>,
    d: Vec<u8>,
    p: Vec<u8>,
    q: Vec<u8>,
    dp: Vec<u8>,
    dq: Vec<u8>,
    qinv: Vec<u8>,
}

/// Random numbers of the right sizes in the right places: structurally an RSA key, mathematically not.
fn rsa_key(rng: &mut Rng, bits_: usize) -> RsaKey {
    let (n, h) = (bits_ / 8, bits_ / 16);
    RsaKey {
        n: number(rng, n, true, true),
        e: vec![0x01, 0x00, 0x01],
        d: rng.bytes(n),
        p: number(rng, h, true, true),
        q: number(rng, h, true, true),
        dp: rng.bytes(h),
        dq: rng.bytes(h),
        qinv: rng.bytes(h),
    }
}

fn rsa_bits(rng: &mut Rng) -> usize {
    *rng.pick(&[2048, 2048, 2048, 3072, 4096])
}

/// PKCS#1 RSAPrivateKey.
fn pkcs1(k: &RsaKey) -> Vec<u8> {
    seq(&[
        small(0),
        int(&k.n),
        int(&k.e),
        int(&k.d),
        int(&k.p),
        int(&k.q),
        int(&k.dp),
        int(&k.dq),
        int(&k.qinv),
    ])
}

/// An uncompressed P-256 point. Random coordinates would not lie on the curve, and parsers that load
/// the public key (ssh-keygen) reject those; the base point G is a valid point, so keys use it.
fn ec_point() -> Vec<u8> {
    const G: &str = "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
    (0..G.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&G[i..i + 2], 16).expect("hex"))
        .collect()
}

/// SEC 1 ECPrivateKey on P-256; `params` includes the curve OID (omitted inside PKCS#8).
fn sec1(rng: &mut Rng, params: bool) -> Vec<u8> {
    let mut parts = vec![small(1), octets(&rng.bytes(32))];
    if params {
        parts.push(der(0xA0, &oid(OID_P256)));
    }
    parts.push(der(0xA1, &bits(&ec_point())));
    seq(&parts)
}

fn pkcs8(alg: Vec<u8>, key: Vec<u8>) -> Vec<u8> {
    seq(&[small(0), alg, octets(&key)])
}

fn wrap(s: &str, width: usize) -> String {
    s.as_bytes()
        .chunks(width)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn armor(label: &str, headers: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{headers}{}\n-----END {label}-----",
        wrap(&b64(der), 64)
    )
}

/// PEM private keys, built as real DER structures from random numbers.
pub fn pem(variant: &str, rng: &mut Rng) -> Result<String, String> {
    Ok(match variant {
        "rsa" => {
            let bits_ = rsa_bits(rng);
            armor("RSA PRIVATE KEY", "", &pkcs1(&rsa_key(rng, bits_)))
        }
        "rsa-encrypted" => {
            // Traditional OpenSSL encryption: headers, then the CBC-encrypted PKCS#1 body.
            let headers = format!(
                "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,{}\n\n",
                rng.string(HEX_UPPER, 32)
            );
            let len = (1190 / 16 + 1) * 16;
            armor("RSA PRIVATE KEY", &headers, &rng.bytes(len))
        }
        "ec" => armor("EC PRIVATE KEY", "", &sec1(rng, true)),
        "dsa" => {
            let der = seq(&[
                small(0),
                int(&number(rng, 128, true, true)),
                int(&number(rng, 20, true, true)),
                int(&number(rng, 128, false, false)),
                int(&number(rng, 128, false, false)),
                int(&number(rng, 20, false, false)),
            ]);
            armor("DSA PRIVATE KEY", "", &der)
        }
        "pkcs8-rsa" => {
            let bits_ = rsa_bits(rng);
            let alg = seq(&[oid(OID_RSA), null()]);
            armor("PRIVATE KEY", "", &pkcs8(alg, pkcs1(&rsa_key(rng, bits_))))
        }
        "pkcs8-ec" => {
            let alg = seq(&[oid(OID_EC_PUBLIC_KEY), oid(OID_P256)]);
            armor("PRIVATE KEY", "", &pkcs8(alg, sec1(rng, false)))
        }
        "pkcs8-ed25519" => {
            let alg = seq(&[oid(OID_ED25519)]);
            armor("PRIVATE KEY", "", &pkcs8(alg, octets(&rng.bytes(32))))
        }
        "pkcs8-encrypted" => {
            let alg = pbes2(rng);
            let len = *rng.pick(&[1232, 1232, 1248, 1840]);
            let der = seq(&[alg, octets(&rng.bytes(len))]);
            armor("ENCRYPTED PRIVATE KEY", "", &der)
        }
        _ => return Err(format!("unknown PEM variant {variant:?}")),
    })
}

/// The AlgorithmIdentifier of PBES2 as OpenSSL and keytool write it (PBKDF2-HMAC-SHA256 over a random
/// 8-byte salt, 2048 iterations, AES-256-CBC with a random IV): encrypted PKCS#8 keys and PKCS#12 key bags.
fn pbes2(rng: &mut Rng) -> Vec<u8> {
    let pbkdf2 = seq(&[
        oid(OID_PBKDF2),
        seq(&[
            octets(&rng.bytes(8)),
            small(2048),
            seq(&[oid(OID_HMAC_SHA256), null()]),
        ]),
    ]);
    let cipher = seq(&[oid(OID_AES256_CBC), octets(&rng.bytes(16))]);
    seq(&[oid(OID_PBES2), seq(&[pbkdf2, cipher])])
}

/// A PEM key as it is written outside a `.pem` file: `variant` is a `pem` variant, optionally followed
/// by `+br` (lines joined with `<br>`, as in a wiki page or a CMS field), `+br/` (`<br/>`), `+esc2`
/// (`\\n`: a JSON string inside a JSON string) or `+concat` (a JavaScript string concatenation over
/// several lines, whose secret runs from `-----BEGIN` to the end of `-----END …-----`).
fn pem_written(variant: &str, rng: &mut Rng) -> Result<Special, String> {
    let (base, how) = variant.split_once('+').unwrap_or((variant, ""));
    let key = pem(base, rng)?;
    Ok(match how {
        "" => Special::whole(key),
        "br" => Special::whole(key.replace('\n', "<br>")),
        "br/" => Special::whole(key.replace('\n', "<br/>")),
        "esc2" => Special::whole(key.replace('\n', "\\\\n")),
        "concat" => {
            let lines: Vec<&str> = key.lines().collect();
            let last = lines.len() - 1;
            let mut value = String::new();
            let mut end = 0;
            for (i, l) in lines.iter().enumerate() {
                value.push('"');
                value.push_str(l);
                if i == last {
                    end = value.len();
                }
                value.push_str("\\n\"");
                if i < last {
                    value.push_str(" +\n    ");
                }
            }
            Special {
                secret: Some((1, end)),
                value,
            }
        }
        _ => return Err(format!("unknown PEM writing {how:?}")),
    })
}

/// A cosign / sigstore encrypted private key (`cosign generate-key-pair`): base64 of the JSON envelope
/// (scrypt parameters and salt, nacl/secretbox nonce, ciphertext of a PKCS#8 ECDSA key), wrapped at 64
/// columns; `variant` `cosign` uses the older `ENCRYPTED COSIGN PRIVATE KEY` label.
fn sigstore(variant: &str, rng: &mut Rng) -> Result<String, String> {
    let label = match variant {
        "" | "sigstore" => "ENCRYPTED SIGSTORE PRIVATE KEY",
        "cosign" => "ENCRYPTED COSIGN PRIVATE KEY",
        _ => return Err(format!("unknown sigstore variant {variant:?}")),
    };
    let n = *rng.pick(&[32768, 65536]);
    let json = format!(
        r#"{{"kdf":{{"name":"scrypt","params":{{"N":{n},"r":8,"p":1}},"salt":"{}"}},"cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"{}"}}"#,
        b64(&rng.bytes(32)),
        b64(&rng.bytes(24)),
        b64(&{
            let n = *rng.pick(&[154, 156, 157]);
            rng.bytes(n)
        })
    );
    Ok(format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        wrap(&b64(json.as_bytes()), 64)
    ))
}

/// A PuTTY private key file: `variant` is `<key>-v<format>[-encrypted]` with key `rsa` or `ed25519`
/// (`rsa-v2`, `ed25519-v3-encrypted`): the SSH wire public blob, the private blob (or its AES-256-CBC
/// ciphertext, with format 3's Argon2 parameters), base64 wrapped at 64 columns, and a MAC of the
/// format's size.
fn ppk(variant: &str, rng: &mut Rng) -> Result<String, String> {
    let (rest, encrypted) = match variant.strip_suffix("-encrypted") {
        Some(r) => (r, true),
        None => (variant, false),
    };
    let (alg, version) = rest
        .split_once("-v")
        .ok_or_else(|| format!("ppk variant {variant:?} is not <key>-v<format>"))?;
    let version: u8 = version
        .parse()
        .map_err(|_| format!("ppk format {version:?}"))?;
    let (mut public, mut private) = (Vec::new(), Vec::new());
    let name = match alg {
        "rsa" => {
            let k = rsa_key(rng, 2048);
            ssh_string(&mut public, b"ssh-rsa");
            ssh_mpint(&mut public, &k.e);
            ssh_mpint(&mut public, &k.n);
            for part in [&k.d, &k.p, &k.q, &k.qinv] {
                ssh_mpint(&mut private, part);
            }
            "ssh-rsa"
        }
        "ed25519" => {
            ssh_string(&mut public, b"ssh-ed25519");
            ssh_string(&mut public, &rng.bytes(32));
            ssh_string(&mut private, &rng.bytes(32));
            "ssh-ed25519"
        }
        _ => return Err(format!("unknown ppk key {alg:?}")),
    };
    if encrypted {
        private = rng.bytes((private.len() / 16 + 1) * 16);
    }
    let lines = |b: &[u8]| {
        let w = wrap(&b64(b), 64);
        (w.lines().count(), w)
    };
    let (np, pb) = lines(&public);
    let (nq, qb) = lines(&private);
    let comment = format!(
        "{}-key-2026{:02}{:02}",
        if alg == "rsa" { "rsa" } else { "eddsa" },
        rng.range(1, 12),
        rng.range(1, 28)
    );
    let kdf = if encrypted && version == 3 {
        format!(
            "Key-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: {}\nArgon2-Parallelism: 1\nArgon2-Salt: {}\n",
            rng.range(8, 34),
            rng.hex(32)
        )
    } else {
        String::new()
    };
    Ok(format!(
        "PuTTY-User-Key-File-{version}: {name}\nEncryption: {}\nComment: {comment}\nPublic-Lines: {np}\n{pb}\n{kdf}Private-Lines: {nq}\n{qb}\nPrivate-MAC: {}",
        if encrypted { "aes256-cbc" } else { "none" },
        rng.hex(if version == 2 { 40 } else { 64 })
    ))
}

/// A keystore holding one private key, as base64 on one line (`+wrap`: at 76 columns, as `base64`
/// writes it): `pkcs12` (PFX version 3: the key in a pkcs8ShroudedKeyBag inside a `data` ContentInfo,
/// the certificate in an `encryptedData`, then the MAC), `jks` or `jceks` (magic, version 2, a private
/// key entry with its certificate chain).
fn keystore(variant: &str, rng: &mut Rng) -> Result<String, String> {
    let (kind, how) = variant.split_once('+').unwrap_or((variant, ""));
    let der = match kind {
        "pkcs12" => {
            const PKCS7_DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 1];
            const PKCS7_ENCRYPTED: &[u64] = &[1, 2, 840, 113_549, 1, 7, 6];
            const SHROUDED_KEY_BAG: &[u64] = &[1, 2, 840, 113_549, 1, 12, 10, 1, 2];
            const FRIENDLY_NAME: &[u64] = &[1, 2, 840, 113_549, 1, 9, 20];
            const SHA256: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 1];
            let alias: Vec<u8> = "server".encode_utf16().flat_map(u16::to_be_bytes).collect();
            let key_len = *rng.pick(&[160, 1232, 1248]);
            let key_bag = seq(&[
                oid(SHROUDED_KEY_BAG),
                der(0xa0, &seq(&[pbes2(rng), octets(&rng.bytes(key_len))])),
                der(
                    0x31,
                    &seq(&[oid(FRIENDLY_NAME), der(0x31, &der(0x1e, &alias))]),
                ),
            ]);
            let data = seq(&[oid(PKCS7_DATA), der(0xa0, &octets(&seq(&[key_bag])))]);
            let cert_len = *rng.pick(&[464, 800, 1008]);
            let encrypted = seq(&[
                oid(PKCS7_ENCRYPTED),
                der(
                    0xa0,
                    &seq(&[
                        small(0),
                        seq(&[oid(PKCS7_DATA), pbes2(rng), der(0x80, &rng.bytes(cert_len))]),
                    ]),
                ),
            ]);
            let auth_safe = seq(&[
                oid(PKCS7_DATA),
                der(0xa0, &octets(&seq(&[encrypted, data]))),
            ]);
            let mac = seq(&[
                seq(&[seq(&[oid(SHA256), null()]), octets(&rng.bytes(32))]),
                octets(&rng.bytes(8)),
                small(2048),
            ]);
            seq(&[small(3), auth_safe, mac])
        }
        "jks" | "jceks" => {
            let mut d = if kind == "jks" {
                vec![0xfe, 0xed, 0xfe, 0xed]
            } else {
                vec![0xce; 4]
            };
            d.extend(2u32.to_be_bytes());
            d.extend(1u32.to_be_bytes());
            d.extend(1u32.to_be_bytes());
            let alias = *rng.pick(&["server", "signing", "tomcat", "mykey"]);
            d.extend((alias.len() as u16).to_be_bytes());
            d.extend(alias.as_bytes());
            d.extend((1_750_000_000_000u64 + rng.next_u64() % 100_000_000_000).to_be_bytes());
            let n = *rng.pick(&[138, 1257]);
            let key = rng.bytes(n);
            d.extend((key.len() as u32).to_be_bytes());
            d.extend(key);
            d.extend(1u32.to_be_bytes());
            d.extend(5u16.to_be_bytes());
            d.extend(b"X.509");
            let cert = seq(&[
                seq(&[der(0xa0, &small(2)), int(&rng.bytes(9))]),
                octets(&rng.bytes(300)),
            ]);
            d.extend((cert.len() as u32).to_be_bytes());
            d.extend(cert);
            // The integrity digest (SHA-1 over the password and the data).
            d.extend(rng.bytes(20));
            d
        }
        _ => return Err(format!("unknown keystore {kind:?}")),
    };
    Ok(match how {
        "" => b64(&der),
        "wrap" => wrap(&b64(&der), 76),
        _ => return Err(format!("unknown keystore writing {how:?}")),
    })
}

/// PKCS#8 RSA key, PEM, for embedding in a service-account JSON.
fn pkcs8_rsa_2048(rng: &mut Rng) -> String {
    let alg = seq(&[oid(OID_RSA), null()]);
    armor("PRIVATE KEY", "", &pkcs8(alg, pkcs1(&rsa_key(rng, 2048))))
}

// --------------------------------------------------------------------------------------- OpenSSH

fn ssh_string(out: &mut Vec<u8>, b: &[u8]) {
    out.extend((b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

fn ssh_mpint(out: &mut Vec<u8>, b: &[u8]) {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    let mut v = b[start..].to_vec();
    if v.first().is_some_and(|&x| x & 0x80 != 0) {
        v.insert(0, 0);
    }
    ssh_string(out, &v);
}

/// An `openssh-key-v1` private key: ed25519, rsa or ecdsa-sha2-nistp256, unencrypted or (`-encrypted`)
/// aes256-ctr with bcrypt KDF, base64 wrapped at 70 columns like ssh-keygen.
pub fn openssh(variant: &str, rng: &mut Rng) -> Result<String, String> {
    let (alg, encrypted) = match variant.strip_suffix("-encrypted") {
        Some(a) => (a, true),
        None => (variant, false),
    };
    let comment = format!(
        "{}@{}",
        rng.pick(&["deploy", "ci", "jenkins", "dev", "root", "git"]),
        rng.pick(&["build-01", "ci-runner", "bastion", "laptop", "prod-web-3"])
    );
    let (mut public, mut private) = (Vec::new(), Vec::new());
    match alg {
        "ed25519" => {
            let pk = rng.bytes(32);
            ssh_string(&mut public, b"ssh-ed25519");
            ssh_string(&mut public, &pk);
            ssh_string(&mut private, b"ssh-ed25519");
            ssh_string(&mut private, &pk);
            let mut sk = rng.bytes(32);
            sk.extend_from_slice(&pk);
            ssh_string(&mut private, &sk);
        }
        "rsa" => {
            let k = {
                let b = rsa_bits(rng);
                rsa_key(rng, b)
            };
            ssh_string(&mut public, b"ssh-rsa");
            ssh_mpint(&mut public, &k.e);
            ssh_mpint(&mut public, &k.n);
            ssh_string(&mut private, b"ssh-rsa");
            for part in [&k.n, &k.e, &k.d, &k.qinv, &k.p, &k.q] {
                ssh_mpint(&mut private, part);
            }
        }
        "ecdsa" => {
            let q = ec_point();
            ssh_string(&mut public, b"ecdsa-sha2-nistp256");
            ssh_string(&mut public, b"nistp256");
            ssh_string(&mut public, &q);
            ssh_string(&mut private, b"ecdsa-sha2-nistp256");
            ssh_string(&mut private, b"nistp256");
            ssh_string(&mut private, &q);
            ssh_mpint(&mut private, &number(rng, 32, false, false));
        }
        _ => return Err(format!("unknown OpenSSH key type {alg:?}")),
    }
    ssh_string(&mut private, comment.as_bytes());
    let check = (rng.next_u64() as u32).to_be_bytes();
    let mut section = Vec::new();
    section.extend(check);
    section.extend(check);
    section.extend(private);
    let block = if encrypted { 16 } else { 8 };
    let mut pad = 1u8;
    while section.len() % block != 0 {
        section.push(pad);
        pad += 1;
    }
    let mut blob = b"openssh-key-v1\0".to_vec();
    if encrypted {
        ssh_string(&mut blob, b"aes256-ctr");
        ssh_string(&mut blob, b"bcrypt");
        let mut kdf = Vec::new();
        ssh_string(&mut kdf, &rng.bytes(16));
        kdf.extend(16u32.to_be_bytes());
        ssh_string(&mut blob, &kdf);
        // Ciphertext: same length as the plaintext section, random bytes.
        section = rng.bytes(section.len());
    } else {
        ssh_string(&mut blob, b"none");
        ssh_string(&mut blob, b"none");
        ssh_string(&mut blob, b"");
    }
    blob.extend(1u32.to_be_bytes());
    ssh_string(&mut blob, &public);
    ssh_string(&mut blob, &section);
    Ok(format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----",
        wrap(&b64(&blob), 70)
    ))
}

// ------------------------------------------------------------------------------------------- PGP

fn pgp_packet(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0xC0 | tag];
    let n = body.len();
    if n < 192 {
        out.push(n as u8);
    } else if n < 8384 {
        let m = n - 192;
        out.push((m >> 8) as u8 + 192);
        out.push(m as u8);
    } else {
        out.push(0xFF);
        out.extend((n as u32).to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}

fn pgp_mpi(out: &mut Vec<u8>, b: &[u8]) {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len() - 1);
    let v = &b[start..];
    let bitlen = (v.len() * 8) as u32 - v[0].leading_zeros().min(8);
    out.extend((bitlen as u16).to_be_bytes());
    out.extend_from_slice(v);
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

/// An ASCII-armored OpenPGP transferable secret key: a v4 RSA secret-key packet (unprotected), a user
/// ID and a positive-certification signature, with the armor CRC-24.
pub fn pgp_private_key(rng: &mut Rng) -> String {
    let k = {
        let b = *rng.pick(&[2048, 3072]);
        rsa_key(rng, b)
    };
    let created: u32 = 1_700_000_000 + rng.below(60_000_000) as u32;
    let mut key = vec![4];
    key.extend(created.to_be_bytes());
    key.push(1); // RSA
    pgp_mpi(&mut key, &k.n);
    pgp_mpi(&mut key, &k.e);
    key.push(0); // S2K usage: unprotected
    let mut secret = Vec::new();
    for part in [&k.d, &k.p, &k.q, &k.qinv] {
        pgp_mpi(&mut secret, part);
    }
    let sum = secret
        .iter()
        .fold(0u16, |a, &b| a.wrapping_add(u16::from(b)));
    key.extend(&secret);
    key.extend(sum.to_be_bytes());

    let uid = format!(
        "{} <{}@acme.io>",
        rng.pick(&["Release Signing", "Deploy Bot", "Ops Team", "Build Service"]),
        rng.pick(&["release", "deploy", "ops", "build"])
    );

    let mut sig = vec![4, 0x13, 1, 8];
    let mut hashed = vec![5, 2];
    hashed.extend(created.to_be_bytes());
    hashed.extend([2, 27, 0x03]); // key flags: certify + sign
    sig.extend((hashed.len() as u16).to_be_bytes());
    sig.extend(&hashed);
    let mut unhashed = vec![9, 16];
    unhashed.extend(rng.bytes(8)); // issuer key id
    sig.extend((unhashed.len() as u16).to_be_bytes());
    sig.extend(&unhashed);
    sig.extend(rng.bytes(2)); // left 16 bits of the hash
    pgp_mpi(&mut sig, &number(rng, k.n.len(), true, false));

    let mut data = pgp_packet(5, &key);
    data.extend(pgp_packet(13, uid.as_bytes()));
    data.extend(pgp_packet(2, &sig));
    let crc = crc24(&data).to_be_bytes();
    format!(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}\n={}\n-----END PGP PRIVATE KEY BLOCK-----",
        wrap(&b64(&data), 64),
        b64(&crc[1..])
    )
}

// -------------------------------------------------------------------------------- other specials

fn json_escape_str(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A Google Cloud service-account key file as downloaded from the console (pretty JSON); the secret
/// is the `private_key` value as written in the file (newlines as `\n` escapes).
fn gcp_service_account(rng: &mut Rng) -> Special {
    let project = format!(
        "{}-{}",
        rng.pick(&["ledger", "acme-prod", "data-platform", "billing"]),
        rng.string(LOWER_ALNUM, 6)
    );
    let account = rng.pick(&["deployer", "terraform", "bigquery-loader", "ci-runner"]);
    let key_id = rng.hex(40);
    let client_id = format!("1{}", rng.string(DIGIT, 20));
    let pem = json_escape_str(&format!("{}\n", pkcs8_rsa_2048(rng)));
    let email = format!("{account}@{project}.iam.gserviceaccount.com");
    let head = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"{project}\",\n  \"private_key_id\": \"{key_id}\",\n  \"private_key\": \""
    );
    let tail = format!(
        "\",\n  \"client_email\": \"{email}\",\n  \"client_id\": \"{client_id}\",\n  \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\",\n  \"token_uri\": \"https://oauth2.googleapis.com/token\",\n  \"auth_provider_x509_cert_url\": \"https://www.googleapis.com/oauth2/v1/certs\",\n  \"client_x509_cert_url\": \"https://www.googleapis.com/robot/v1/metadata/x509/{}\",\n  \"universe_domain\": \"googleapis.com\"\n}}",
        email.replace('@', "%40")
    );
    let start = head.len();
    // The reported secret stops at the END line, before the trailing `\n` escape.
    let end = start + pem.len() - 2;
    Special {
        value: format!("{head}{pem}{tail}"),
        secret: Some((start, end)),
    }
}

fn pct_b64(bytes: &[u8]) -> String {
    b64(bytes)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// Azure shared access signatures: a blob SAS URL as the portal shows it, an account SAS token, or a
/// storage connection string carrying a SAS. The secret is `sig`, URL-encoded.
fn azure_sas(variant: &str, rng: &mut Rng) -> Result<Special, String> {
    let account = format!(
        "st{}{}",
        rng.pick(&["prod", "data", "backup", "logs"]),
        rng.string(LOWER_ALNUM, 6)
    );
    let day = rng.range(1, 28);
    let sig = pct_b64(&rng.bytes(32));
    let head = match variant {
        "blob-url" => format!(
            "https://{account}.blob.core.windows.net/{}/{}?sp=r&st=2026-01-{day:02}T08:11:45Z&se=2026-03-{day:02}T16:11:45Z&spr=https&sv=2022-11-02&sr=b&sig=",
            rng.pick(&["exports", "backups", "invoices", "uploads"]),
            rng.pick(&["q3.csv", "db-2026-01-02.bak", "report.pdf", "data/part-0001.parquet"]),
        ),
        "account-token" => format!(
            "?sv=2022-11-02&ss=bfqt&srt=sco&sp=rwdlacupiytfx&se=2026-06-{day:02}T18:00:00Z&st=2026-01-{day:02}T10:00:00Z&spr=https&sig="
        ),
        "connection-string" => format!(
            "BlobEndpoint=https://{account}.blob.core.windows.net/;QueueEndpoint=https://{account}.queue.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=bq&srt=sco&sp=rwl&se=2026-09-{day:02}T00:00:00Z&st=2026-01-{day:02}T00:00:00Z&spr=https&sig="
        ),
        _ => return Err(format!("unknown azure-sas variant {variant:?}")),
    };
    let start = head.len();
    Ok(Special {
        secret: Some((start, start + sig.len())),
        value: format!("{head}{sig}"),
    })
}

/// `sntrys_` + base64 JSON claims + `_` + 43 base64 characters of secret.
fn sentry_org_token(rng: &mut Rng) -> String {
    let claims = format!(
        r#"{{"iat":{},"url":"https://sentry.io","region_url":"https://{}.sentry.io","org":"acme-{}"}}"#,
        1_706_000_000 + rng.below(50_000_000),
        rng.pick(&["us", "de"]),
        rng.string(LOWER_ALNUM, 5)
    );
    format!(
        "sntrys_{}_{}",
        b64(claims.as_bytes()),
        rng.string(BASE64, 43)
    )
}

/// `glc_` + base64 of the access-policy token JSON.
fn grafana_cloud_token(rng: &mut Rng) -> String {
    let claims = format!(
        r#"{{"o":"{}","n":"{}-{}","k":"{}","m":{{"r":"{}"}}}}"#,
        rng.range(100_000, 9_999_999),
        rng.pick(&[
            "stack-172438-alloy",
            "metrics-write",
            "logs-publisher",
            "hg-read"
        ]),
        rng.string(LOWER_ALNUM, 4),
        rng.string_n(ALNUM, 24, 32),
        rng.pick(&["prod-us-east-0", "prod-eu-west-2", "prod-ap-southeast-1"])
    );
    format!("glc_{}", b64(claims.as_bytes()))
}

/// base64url(user id) . base64url(timestamp) . HMAC. The id is a snowflake: milliseconds since
/// 2015-01-01 (here 2016 to 2025) shifted left 22 bits over a worker/sequence part.
fn discord_bot_token(rng: &mut Rng) -> String {
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    let created_ms = 1_451_606_400_000 + rng.next_u64() % 315_360_000_000;
    let id = (((created_ms - DISCORD_EPOCH_MS) << 22) | (rng.next_u64() & 0x3f_ffff)).to_string();
    let hmac_len = *rng.pick(&[27, 38]);
    format!(
        "{}.{}.{}",
        b64url(id.as_bytes()),
        b64url(&rng.bytes(4)),
        rng.string(BASE64URL, hmac_len)
    )
}

/// `sk.` + base64url `{"u":user,"a":id}` + `.` + 22 characters.
fn mapbox_secret_token(rng: &mut Rng) -> String {
    let claims = format!(
        r#"{{"u":"{}","a":"cl{}"}}"#,
        rng.pick(&["acme-maps", "fleetops", "geo-team", "dispatch"]),
        rng.string(LOWER_ALNUM, 23)
    );
    format!(
        "sk.{}.{}",
        b64url(claims.as_bytes()),
        rng.string(BASE64URL, 22)
    )
}

const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let b = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (b >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// An age X25519 identity: bech32 (`age-secret-key-` HRP) of 32 random bytes with a valid checksum,
/// upper-cased as age writes it.
fn age_secret_key(rng: &mut Rng) -> String {
    let hrp = "age-secret-key-";
    let key = rng.bytes(32);
    let mut data = Vec::new();
    let (mut acc, mut nbits) = (0u32, 0u32);
    for &b in &key {
        acc = (acc << 8) | u32::from(b);
        nbits += 8;
        while nbits >= 5 {
            nbits -= 5;
            data.push(((acc >> nbits) & 31) as u8);
        }
    }
    if nbits > 0 {
        data.push(((acc << (5 - nbits)) & 31) as u8);
    }
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    values.extend(&data);
    values.extend([0u8; 6]);
    let pm = bech32_polymod(&values) ^ 1;
    let check = (0..6).map(|i| ((pm >> (5 * (5 - i))) & 31) as u8);
    let body: String = data
        .iter()
        .copied()
        .chain(check)
        .map(|v| BECH32[v as usize] as char)
        .collect();
    format!("{hrp}1{body}").to_ascii_uppercase()
}

/// A Docker client config with one registry login: `auth` is base64 of `user:password`.
/// Base64 of a stored credential: `user-password` is HTTP Basic's `user:password` (RFC 7617, also
/// `.dockercfg`'s `auth`), `password` a password alone (FileZilla's `<Pass encoding="base64">`).
/// Passwords are 10 to 24 characters of letters, digits and the punctuation people use.
fn base64_credential(variant: &str, rng: &mut Rng) -> Result<String, String> {
    const PASSWORD: &[u8] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#%*^_~.@-";
    let password = rng.string_n(PASSWORD, 10, 24);
    Ok(match variant {
        "user-password" => {
            let user = *rng.pick(&["deploy", "ci-bot", "monitor", "svc-report", "admin2"]);
            b64(format!("{user}:{password}").as_bytes())
        }
        "password" => b64(password.as_bytes()),
        _ => return Err(format!("unknown base64-credential variant {variant:?}")),
    })
}

fn docker_config(variant: &str, rng: &mut Rng) -> Result<Special, String> {
    let registry = *rng.pick(&[
        "https://index.docker.io/v1/",
        "ghcr.io",
        "registry.gitlab.com",
        "acme.jfrog.io",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    ]);
    let user = *rng.pick(&["ci-bot", "deploy", "acmebuild", "svc-registry"]);
    let password = rng.string_n(ALNUM, 24, 40);
    let auth = b64(format!("{user}:{password}").as_bytes());
    let (head, tail) = match variant {
        "pretty" => (
            format!("{{\n\t\"auths\": {{\n\t\t\"{registry}\": {{\n\t\t\t\"auth\": \""),
            "\"\n\t\t}\n\t}\n}".to_owned(),
        ),
        "compact" => (
            format!(r#"{{"auths":{{"{registry}":{{"auth":""#),
            r#""}}}"#.to_owned(),
        ),
        _ => return Err(format!("unknown docker-config variant {variant:?}")),
    };
    let start = head.len();
    Ok(Special {
        secret: Some((start, start + auth.len())),
        value: format!("{head}{auth}{tail}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_and_template() {
        let mut r = Rng::new(1);
        let s = expand("x-{[a-c]:5}-{hex:4}-{\"a\":1}", &mut r, &[]).unwrap();
        assert!(s.starts_with("x-"));
        assert!(s.ends_with("-{\"a\":1}"), "{s}");
        assert!(expand("{bogus:3}", &mut r, &[]).is_err());
    }
}
