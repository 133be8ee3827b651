//! Findings: one secret occurrence, located and fingerprinted.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::context::{Context, Surface};
use crate::severity::Severity;

/// `sha256:<hex>` of the secret's bytes (the plain kind; with an organisation's key,
/// [`crate::FingerprintKey::fingerprint`] makes the keyed one). Content-based, so the same key found in two files, two commits or
/// two repositories has one fingerprint, and an inventory or baseline can name it without holding it.
///
/// ```
/// use leakhound_core::fingerprint;
/// assert_eq!(
///     fingerprint(b"abc"),
///     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn fingerprint(secret: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(secret);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in digest {
        write!(s, "{b:02x}").expect("writing to a String");
    }
    s
}

/// The two kinds of fingerprint: plain `sha256:` ([`fingerprint`]) and keyed `hmac-sha256:`
/// ([`crate::FingerprintKey::fingerprint`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FingerprintKind {
    /// `sha256:<hex>`: SHA-256 of the secret; anyone can recompute it (and reverse it for a guessable
    /// secret).
    Sha256,
    /// `hmac-sha256:<hex>`: HMAC-SHA-256 under an organisation's key; only a holder of the key can
    /// recompute it.
    HmacSha256,
}

impl FingerprintKind {
    /// Both kinds.
    pub const ALL: [FingerprintKind; 2] = [FingerprintKind::Sha256, FingerprintKind::HmacSha256];

    /// `sha256` or `hmac-sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            FingerprintKind::Sha256 => "sha256",
            FingerprintKind::HmacSha256 => "hmac-sha256",
        }
    }

    /// `sha256:` or `hmac-sha256:`.
    pub fn prefix(self) -> &'static str {
        match self {
            FingerprintKind::Sha256 => "sha256:",
            FingerprintKind::HmacSha256 => "hmac-sha256:",
        }
    }

    /// The kind of a fingerprint, by its prefix (case-insensitive); `None` for anything else. Only
    /// the prefix is looked at: [`parse_fingerprint`] checks the rest.
    ///
    /// ```
    /// use leakhound_core::{fingerprint, FingerprintKind};
    /// assert_eq!(FingerprintKind::of(&fingerprint(b"x")), Some(FingerprintKind::Sha256));
    /// assert_eq!(FingerprintKind::of("HMAC-SHA256:ab"), Some(FingerprintKind::HmacSha256));
    /// assert_eq!(FingerprintKind::of("md5:ab"), None);
    /// ```
    pub fn of(fingerprint: &str) -> Option<FingerprintKind> {
        FingerprintKind::ALL.into_iter().find(|k| {
            let p = k.prefix();
            fingerprint
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
        })
    }
}

impl std::fmt::Display for FingerprintKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a fingerprint. It never carries the string itself: what was given where a
/// fingerprint belongs is, often enough, the secret (pasted in the wrong place), and an error message
/// must not print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    /// No `sha256:` or `hmac-sha256:` prefix.
    #[error("not a fingerprint: it does not start with `sha256:` or `hmac-sha256:` (the value is not shown: it may be a secret)")]
    Prefix,
    /// The wrong number of digits after the prefix.
    #[error("not a fingerprint: {0} characters after the prefix, expected 64 hexadecimal digits (the value is not shown: it may be a secret)")]
    Length(usize),
    /// A character that is not a hexadecimal digit.
    #[error("not a fingerprint: a character after the prefix is not a hexadecimal digit (the value is not shown: it may be a secret)")]
    NotHex,
}

/// Checks that `s` is a fingerprint as [`fingerprint`] or [`crate::FingerprintKey::fingerprint`]
/// writes it, `sha256:` or `hmac-sha256:` and exactly 64 hexadecimal digits, and returns it normalised
/// to lowercase (a fingerprint copied through a tool that upper-cases hex still names the same
/// secret). Every file and flag that holds a fingerprint is read through this.
///
/// # Errors
/// A [`FingerprintError`] saying what is wrong, without the value.
///
/// ```
/// use leakhound_core::{fingerprint, parse_fingerprint, FingerprintKey};
/// let fp = fingerprint(b"abc");
/// assert_eq!(parse_fingerprint(&fp.to_uppercase()).unwrap(), fp);
/// let keyed = FingerprintKey::from_bytes([9u8; 32]).unwrap().fingerprint(b"abc");
/// assert_eq!(parse_fingerprint(&keyed.to_uppercase()).unwrap(), keyed);
/// assert!(parse_fingerprint("sha256:zz").is_err());
/// assert!(parse_fingerprint("hmac-sha256:zz").is_err());
/// let err = parse_fingerprint("glpat-Hq3Zr8xK2mVb7NcT1pWd").unwrap_err(); // leakhound:allow (documentation token)
/// assert!(!err.to_string().contains("glpat"));
/// ```
pub fn parse_fingerprint(s: &str) -> Result<String, FingerprintError> {
    let kind = FingerprintKind::of(s).ok_or(FingerprintError::Prefix)?;
    let hex = &s[kind.prefix().len()..];
    if hex.len() != 64 {
        return Err(FingerprintError::Length(hex.chars().count()));
    }
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FingerprintError::NotHex);
    }
    Ok(format!("{}{}", kind.prefix(), hex.to_ascii_lowercase()))
}

/// A short, safe prefix of a secret for display: at most 6 characters and never more than a quarter of
/// the secret, followed by `…`.
///
/// ```
/// use leakhound_core::redact;
/// assert_eq!(redact("ghp_Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cD"), "ghp_Zq…"); // leakhound:allow (documentation token)
/// assert_eq!(redact("hunter2!"), "hu…");
/// ```
pub fn redact(secret: &str) -> String {
    let keep = (secret.chars().count() / 4).min(6);
    let mut s: String = secret.chars().take(keep).collect();
    s.push('…');
    s
}

/// Who owns a credential, and where that knowledge comes from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Owner {
    /// The team (or person, for `author`).
    pub team: String,
    /// `inventory`, `codeowners` or `author`.
    pub source: String,
}

/// Governance status of a credential (and of each of its findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// In the inventory, active, not expired.
    Owned,
    /// Past its `expires`: rotate it.
    Expired,
    /// Revoked in the inventory but still in the code or history: clean it up.
    RevokedStillPresent,
    /// A planted canary: reported as such, never as a leak to rotate.
    Honeytoken,
    /// Not in the inventory: nobody has claimed it.
    UnknownOrigin,
    /// Not in the inventory, and its provider says it is live (`--validate`): nobody has claimed a key
    /// that works. The list to act on first.
    LiveUnowned,
    /// Revoked in the inventory, but its provider says it is live (`--validate`): the revocation
    /// failed, or was never done.
    RevokedButLive,
}

impl Status {
    /// Every status, in declaration order.
    pub const ALL: [Status; 7] = [
        Status::Owned,
        Status::Expired,
        Status::RevokedStillPresent,
        Status::Honeytoken,
        Status::UnknownOrigin,
        Status::LiveUnowned,
        Status::RevokedButLive,
    ];

    /// The kebab-case name (`unknown-origin`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Owned => "owned",
            Status::Expired => "expired",
            Status::RevokedStillPresent => "revoked-still-present",
            Status::Honeytoken => "honeytoken",
            Status::UnknownOrigin => "unknown-origin",
            Status::LiveUnowned => "live-unowned",
            Status::RevokedButLive => "revoked-but-live",
        }
    }

    /// Parses a kebab-case name.
    ///
    /// ```
    /// use leakhound_core::Status;
    /// for s in Status::ALL {
    ///     assert_eq!(Status::parse(s.as_str()), Some(s));
    /// }
    /// assert_eq!(Status::parse("live-unowned"), Some(Status::LiveUnowned));
    /// assert_eq!(Status::parse("live"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status the inventory alone gives: [`Status::LiveUnowned`] is [`Status::UnknownOrigin`] and
    /// [`Status::RevokedButLive`] [`Status::RevokedStillPresent`] before a provider was asked.
    pub fn inventory_status(self) -> Status {
        match self {
            Status::LiveUnowned => Status::UnknownOrigin,
            Status::RevokedButLive => Status::RevokedStillPresent,
            s => s,
        }
    }

    /// The status once the provider said `live` (only `live` moves one): unknown-origin becomes
    /// live-unowned, revoked-still-present revoked-but-live; the others stay.
    pub fn with_live(self, live: bool) -> Status {
        match (self.inventory_status(), live) {
            (Status::UnknownOrigin, true) => Status::LiveUnowned,
            (Status::RevokedStillPresent, true) => Status::RevokedButLive,
            (s, _) => s,
        }
    }
}

/// One occurrence of a secret.
///
/// Serialises to the finding JSON of DESIGN.md. `line`/`column` are 1-based, columns count bytes, and
/// `end_column` is exclusive (one past the secret's last byte on `end_line`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Rule description.
    pub description: String,
    /// Severity: the rule's, possibly lowered by a validator, then one step lower outside real code
    /// ([`Context::lower`]).
    pub severity: Severity,
    /// The severity before the finding's context lowered it; present only when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_severity: Option<Severity>,
    /// Path of the file, relative to the scan root where possible. Empty for a secret found in a commit
    /// or tag message (`source` says which), serialised as `null`.
    #[serde(serialize_with = "path_or_null")]
    pub path: String,
    /// Line where the secret starts.
    pub line: usize,
    /// Byte column where the secret starts.
    pub column: usize,
    /// Line where the secret ends (differs from `line` only for multi-line secrets such as PEM keys).
    pub end_line: usize,
    /// Byte column one past the secret's end on `end_line`.
    pub end_column: usize,
    /// The secret (lossy UTF-8), or its redacted prefix.
    pub secret: String,
    /// `sha256:<hex>` of the secret bytes, or with a fingerprint key `hmac-sha256:<hex>`
    /// ([`crate::FingerprintKey`]).
    pub fingerprint: String,
    /// Shannon entropy of the secret, bits per byte, two decimals.
    pub entropy: f64,
    /// What an offline validator concluded (`checksum-ok`, `jwt-expired`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
    /// Facts a validator decoded from the secret: `account` (AWS), `iss`/`aud`/`exp` (JWT), `key_type`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// When the secret was found inside encoded bytes: the encodings peeled, outermost first
    /// (`base64`, `base64+percent`). The location fields then span the encoded bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// What kind of place the finding is in (`code`, `test`, `docs`, `example`, `vendor`, `generated`),
    /// from its path and the file's first bytes.
    pub context: Context,
    /// `ai-agent` for a finding in an AI agent's configuration (an MCP server definition and the like);
    /// absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface: Option<Surface>,
    /// History scans: the commit that introduced the blob (hex id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// History scans: that commit's author, `Name <email>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// History scans: that commit's author date, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// History scans: the first line of that commit's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// History scans: the blob id the secret was found in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    /// Where the secret was found when it is not a file's content: `commit-message` or `tag-message`
    /// (history scans and the commit-msg hook; `path` is then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Who owns the credential (when known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Governance status (`owned`, `expired`, `revoked-still-present`, `honeytoken`, `unknown-origin`,
    /// and with `--validate` `live-unowned`, `revoked-but-live`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Anything notable about where the finding was made (an unreachable blob).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the provider said about the credential (`--validate`), the same for all its findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<crate::liveness::Liveness>,
    /// Values a validator needs besides the secret: the rule regex's other groups (`capture.NAME`) and
    /// the parts of a multi-part credential found near it (`pair.NAME`). Filled only when the scan was
    /// asked to ([`crate::Scanner::with_validation_parts`]); never serialised.
    #[serde(skip)]
    pub captures: Vec<(String, String)>,
    /// Byte offset of the secret in the scanned content.
    #[serde(skip)]
    pub offset: usize,
}

/// An empty path (a finding in a commit or tag message) is `null` in JSON.
pub(crate) fn path_or_null<S: serde::Serializer>(path: &str, s: S) -> Result<S::Ok, S::Error> {
    if path.is_empty() {
        s.serialize_none()
    } else {
        s.serialize_str(path)
    }
}

impl Finding {
    /// Where the finding is, for a person: the path, or for a secret in a commit or tag message (no
    /// path), `commit 1a2b3c4d5e message` / `tag message`.
    ///
    /// ```
    /// use leakhound_core::Finding;
    /// # use leakhound_core::Scanner;
    /// # let mut f: Finding = Scanner::with_default_rules().scan_bytes("a.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n").remove(0); // leakhound:allow (documentation token)
    /// assert_eq!(f.place(), "a.env");
    /// f.path.clear();
    /// f.source = Some("commit-message".into());
    /// f.commit = Some("1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into());
    /// assert_eq!(f.place(), "commit 1a2b3c4d5e message");
    /// ```
    pub fn place(&self) -> String {
        if !self.path.is_empty() {
            return self.path.clone();
        }
        let kind = match self.source.as_deref() {
            Some("tag-message") => "tag",
            Some("commit-message") => "commit",
            Some(other) => other,
            None => "unknown",
        };
        match &self.commit {
            Some(c) => format!("{kind} {} message", &c[..c.len().min(10)]),
            None => format!("{kind} message"),
        }
    }

    /// Sets the finding's context and lowers its severity to match ([`Context::lower`]), keeping the
    /// severity before in `original_severity`. Applying the same context again changes nothing.
    pub fn set_context(&mut self, context: Context) {
        let base = self.original_severity.take().unwrap_or(self.severity);
        self.context = context;
        self.severity = context.lower(base);
        self.original_severity = (self.severity != base).then_some(base);
    }

    /// Whether this finding is the credential `fp` (normalised, as [`parse_fingerprint`] returns it)
    /// names: its own fingerprint, or, for a keyed finding, the plain `sha256:` form of its secret (an
    /// inventory or a flag written before the key was set). A redacted finding matches its own
    /// fingerprint only.
    ///
    /// ```
    /// use leakhound_core::{fingerprint, FingerprintKey, ScanSession};
    /// let key = FingerprintKey::from_bytes([3u8; 32]).unwrap();
    /// let report = ScanSession::bytes("a.env", "T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n") // leakhound:allow (documentation token)
    ///     .with_fingerprint_key(Some(key.clone()))
    ///     .run()
    ///     .unwrap();
    /// let f = &report.findings[0];
    /// assert_eq!(f.fingerprint, key.fingerprint(b"glpat-Hq3Zr8xK2mVb7NcT1pWd")); // leakhound:allow (documentation token)
    /// assert!(f.has_fingerprint(&fingerprint(b"glpat-Hq3Zr8xK2mVb7NcT1pWd"))); // leakhound:allow (documentation token)
    /// assert!(!f.has_fingerprint(&fingerprint(b"other")));
    /// ```
    pub fn has_fingerprint(&self, fp: &str) -> bool {
        self.fingerprint == fp
            || (FingerprintKind::of(fp) == Some(FingerprintKind::Sha256)
                && FingerprintKind::of(&self.fingerprint) == Some(FingerprintKind::HmacSha256)
                && !self.secret.ends_with('…')
                && fingerprint(self.secret.as_bytes()) == fp)
    }

    /// Replaces `secret` by its redacted prefix. Idempotent.
    pub fn redact(&mut self) {
        if !self.secret.ends_with('…') {
            self.secret = redact(&self.secret);
        }
    }
}
