//! Keyed fingerprints: `hmac-sha256:<hex>`, HMAC-SHA-256 of the secret under an organisation's key.
//!
//! A plain `sha256:` fingerprint of a low-entropy secret (a password, a short PIN-like token) is
//! reversible: hash a dictionary and look the fingerprint up. Inventories, baselines and ledgers are
//! shared widely, so an organisation that sets a key gets fingerprints that only a holder of the key
//! can recompute, and that still correlate the same credential across repositories and runs.

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::finding::FingerprintKind;

/// The environment variable holding the key itself.
pub const KEY_ENV: &str = "LEAKHOUND_FINGERPRINT_KEY";

/// The environment variable naming a file that holds the key.
pub const KEY_FILE_ENV: &str = "LEAKHOUND_FINGERPRINT_KEY_FILE";

/// The shortest key accepted, in bytes: 128 bits, so that the key is not itself guessable.
pub const MIN_KEY_LEN: usize = 16;

/// What [`FingerprintKey::id`] is the MAC of.
const ID_MESSAGE: &[u8] = b"leakhound key id";

/// Why a fingerprint key cannot be used. Never carries the key or any part of it.
#[derive(Debug, thiserror::Error)]
pub enum FingerprintKeyError {
    /// The key is shorter than [`MIN_KEY_LEN`] bytes (empty included).
    #[error("the fingerprint key is {len} bytes long: at least {MIN_KEY_LEN} are needed (e.g. `openssl rand -hex 32`)")]
    TooShort {
        /// Its length in bytes.
        len: usize,
    },
    /// The key file cannot be read.
    #[error("fingerprint key file {}: cannot read", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The key file holds a key that cannot be used.
    #[error("fingerprint key file {}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with its key.
        #[source]
        source: Box<FingerprintKeyError>,
    },
    /// The key in [`KEY_ENV`] cannot be used.
    #[error("{KEY_ENV} is set but unusable (unset it for plain sha256 fingerprints)")]
    Env {
        /// What is wrong with it.
        #[source]
        source: Box<FingerprintKeyError>,
    },
    /// Both [`KEY_ENV`] and [`KEY_FILE_ENV`] are set.
    #[error("both {KEY_ENV} and {KEY_FILE_ENV} are set: set one")]
    BothSet,
}

/// An organisation's fingerprint key: with one, every fingerprint is `hmac-sha256:<hex>`.
///
/// `Debug` shows the key's [`id`](FingerprintKey::id), never the key.
///
/// ```
/// use leakhound_core::FingerprintKey;
///
/// let key = FingerprintKey::from_bytes(b"0123456789abcdef0123456789abcdef").unwrap();
/// let fp = key.fingerprint(b"hunter2");
/// assert!(fp.starts_with("hmac-sha256:") && fp.len() == 12 + 64);
/// assert_eq!(fp, key.fingerprint(b"hunter2"));
/// assert_ne!(fp, leakhound_core::fingerprint(b"hunter2"));
/// assert_eq!(key.id().len(), 16);
/// assert!(!format!("{key:?}").contains("0123456789"));
/// assert!(FingerprintKey::from_bytes(b"short").is_err());
/// ```
#[derive(Clone)]
pub struct FingerprintKey {
    /// The MAC keyed and ready: cloned for each fingerprint instead of re-deriving the key's pads.
    mac: Hmac<Sha256>,
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FingerprintKey")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

impl FingerprintKey {
    /// A key from its bytes.
    ///
    /// # Errors
    /// [`FingerprintKeyError::TooShort`] under [`MIN_KEY_LEN`] bytes.
    pub fn from_bytes(key: impl AsRef<[u8]>) -> Result<FingerprintKey, FingerprintKeyError> {
        let key = key.as_ref();
        if key.len() < MIN_KEY_LEN {
            return Err(FingerprintKeyError::TooShort { len: key.len() });
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
        Ok(FingerprintKey { mac })
    }

    /// The key held in a file: its whole content, with trailing line breaks removed (a key written by
    /// `echo` or an editor ends with one; a CI secret mounted as a file may not).
    ///
    /// The file's permissions are not checked: key files are mostly CI secrets mounted by the runner
    /// or Kubernetes (0644 by default), and refusing them would push users to the environment
    /// variable, which is no better kept. Keep it readable by the scanning user only where you can.
    ///
    /// # Errors
    /// [`FingerprintKeyError::Read`] when it cannot be read, [`FingerprintKeyError::File`] when its key
    /// is too short; both name the file.
    ///
    /// ```
    /// use leakhound_core::FingerprintKey;
    /// let dir = tempfile::tempdir().unwrap();
    /// let file = dir.path().join("key");
    /// std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap();
    /// let key = FingerprintKey::from_file(&file).unwrap();
    /// assert_eq!(key.id(), FingerprintKey::from_bytes("0123456789abcdef0123456789abcdef").unwrap().id());
    /// std::fs::write(&file, "tooshort\n").unwrap();
    /// let err = FingerprintKey::from_file(&file).unwrap_err();
    /// assert!(err.to_string().contains("key"));
    /// ```
    pub fn from_file(path: &Path) -> Result<FingerprintKey, FingerprintKeyError> {
        let bytes = std::fs::read(path).map_err(|source| FingerprintKeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let end = bytes
            .iter()
            .rposition(|b| !matches!(b, b'\n' | b'\r'))
            .map_or(0, |i| i + 1);
        FingerprintKey::from_bytes(&bytes[..end]).map_err(|e| FingerprintKeyError::File {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }

    /// The key the environment gives: [`KEY_ENV`] (the key itself) or [`KEY_FILE_ENV`] (a file, as
    /// [`FingerprintKey::from_file`]); `None` when neither is set.
    ///
    /// A variable set to the empty string counts as set: an empty key is an error, not plain
    /// fingerprints (a CI secret missing from a job would otherwise publish reversible ones).
    ///
    /// # Errors
    /// Both set ([`FingerprintKeyError::BothSet`]), or the key cannot be used.
    pub fn from_env() -> Result<Option<FingerprintKey>, FingerprintKeyError> {
        FingerprintKey::from_vars(std::env::var_os(KEY_ENV), std::env::var_os(KEY_FILE_ENV))
    }

    /// [`FingerprintKey::from_env`] over given values (testable without touching the environment).
    fn from_vars(
        key: Option<std::ffi::OsString>,
        file: Option<std::ffi::OsString>,
    ) -> Result<Option<FingerprintKey>, FingerprintKeyError> {
        match (key, file) {
            (Some(_), Some(_)) => Err(FingerprintKeyError::BothSet),
            (Some(k), None) => FingerprintKey::from_bytes(k.as_encoded_bytes())
                .map(Some)
                .map_err(|e| FingerprintKeyError::Env {
                    source: Box::new(e),
                }),
            (None, Some(f)) => FingerprintKey::from_file(Path::new(&f)).map(Some),
            (None, None) => Ok(None),
        }
    }

    /// `hmac-sha256:<64 hex>`: HMAC-SHA-256 of `secret` under this key.
    pub fn fingerprint(&self, secret: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(secret);
        let tag = mac.finalize().into_bytes();
        hex_with_prefix(FingerprintKind::HmacSha256.prefix(), &tag)
    }

    /// A short public identifier of the key: the first 16 hex digits of HMAC(key, "leakhound key
    /// id"). Files and ledgers record it so that fingerprints made under two keys are told apart
    /// without holding either key; it reveals nothing of the key.
    pub fn id(&self) -> String {
        let mut mac = self.mac.clone();
        mac.update(ID_MESSAGE);
        let tag = mac.finalize().into_bytes();
        hex_with_prefix("", &tag[..8])
    }
}

/// The fingerprint of `secret`: keyed under `key` when there is one, else plain `sha256:`.
///
/// ```
/// use leakhound_core::{fingerprint, fingerprint_with, FingerprintKey};
/// assert_eq!(fingerprint_with(None, b"x"), fingerprint(b"x"));
/// let key = FingerprintKey::from_bytes([7u8; 32]).unwrap();
/// assert_eq!(fingerprint_with(Some(&key), b"x"), key.fingerprint(b"x"));
/// ```
pub fn fingerprint_with(key: Option<&FingerprintKey>, secret: &[u8]) -> String {
    match key {
        Some(k) => k.fingerprint(secret),
        None => crate::finding::fingerprint(secret),
    }
}

/// `prefix` followed by the lowercase hex of `bytes`.
fn hex_with_prefix(prefix: &str, bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(prefix.len() + 2 * bytes.len());
    s.push_str(prefix);
    for b in bytes {
        write!(s, "{b:02x}").expect("writing to a String");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2 (a key shorter than the block, "Jefe"), checks the HMAC construction; our
    /// minimum length refuses that key, so the MAC is built directly here.
    #[test]
    fn rfc4231_test_case_2() {
        let mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        let key = FingerprintKey { mac };
        assert_eq!(
            key.fingerprint(b"what do ya want for nothing?"),
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// RFC 4231, test case 6: a key longer than the block (131 bytes of 0xaa), through the public
    /// constructor.
    #[test]
    fn rfc4231_test_case_6() {
        let key = FingerprintKey::from_bytes([0xaa; 131]).unwrap();
        assert_eq!(
            key.fingerprint(b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "hmac-sha256:60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn different_keys_different_fingerprints_and_ids() {
        let a = FingerprintKey::from_bytes([1u8; 16]).unwrap();
        let b = FingerprintKey::from_bytes([2u8; 16]).unwrap();
        assert_ne!(a.fingerprint(b"s"), b.fingerprint(b"s"));
        assert_ne!(a.id(), b.id());
        assert!(a.id().bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn short_keys_are_refused_with_their_length_only() {
        let err = FingerprintKey::from_bytes(b"fifteen bytes!!").unwrap_err();
        assert!(matches!(err, FingerprintKeyError::TooShort { len: 15 }));
        assert!(!err.to_string().contains("fifteen"));
        assert!(FingerprintKey::from_bytes(b"sixteen bytes!!!").is_ok());
    }

    #[test]
    fn key_files_lose_trailing_line_breaks_only() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k");
        let key = "  0123456789abcdef  ";
        std::fs::write(&f, format!("{key}\r\n\n")).unwrap();
        let from_file = FingerprintKey::from_file(&f).unwrap();
        assert_eq!(
            from_file.id(),
            FingerprintKey::from_bytes(key).unwrap().id()
        );
        std::fs::write(&f, "0123456789\n\n\n\n\n\n\n").unwrap();
        let err = FingerprintKey::from_file(&f).unwrap_err();
        assert!(matches!(&err, FingerprintKeyError::File { source, .. }
            if matches!(**source, FingerprintKeyError::TooShort { len: 10 })));
        let missing = FingerprintKey::from_file(&dir.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
    }

    #[test]
    fn environment_variables() {
        let k = Some("0123456789abcdef".into());
        assert!(FingerprintKey::from_vars(None, None).unwrap().is_none());
        assert!(FingerprintKey::from_vars(k.clone(), None)
            .unwrap()
            .is_some());
        assert!(matches!(
            FingerprintKey::from_vars(k, Some("/x".into())),
            Err(FingerprintKeyError::BothSet)
        ));
        let empty = FingerprintKey::from_vars(Some("".into()), None).unwrap_err();
        assert!(matches!(empty, FingerprintKeyError::Env { .. }));
    }
}
