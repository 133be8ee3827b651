//! Files of fingerprints of the other kind: an inventory or baseline written with plain `sha256:`
//! fingerprints read by a scan with a key, or one written with keyed `hmac-sha256:` fingerprints read
//! by a scan without one.
//!
//! Plain entries still match under a key: the plain form of each finding's secret is computed for the
//! lookup, and the entry is read as the finding's keyed fingerprint. Keyed entries cannot match
//! without the key, and neither can entries made under another key. Either way the scan says so once
//! per file ([`FingerprintNote`]) rather than silently reporting unknown-origin credentials.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::baseline::Baseline;
use crate::inventory::Inventory;

use crate::finding::{fingerprint, Finding, FingerprintKind};
use crate::FingerprintKey;

/// Which file a [`FingerprintNote`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerprintFile {
    /// The owner inventory.
    Inventory,
    /// The baseline.
    Baseline,
}

impl FingerprintFile {
    fn as_str(self) -> &'static str {
        match self {
            FingerprintFile::Inventory => "inventory",
            FingerprintFile::Baseline => "baseline",
        }
    }
}

/// Something a scan noticed about the kind of fingerprints a file holds; the command line prints each
/// once, on stderr. None of them carries a secret or the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FingerprintNote {
    /// A key is set and the file holds plain `sha256:` entries: they are matched through the plain
    /// form of each finding's secret, and should be re-keyed.
    PlainUnderKey {
        /// Which file.
        which: FingerprintFile,
        /// Its path.
        file: PathBuf,
        /// How many plain entries it holds.
        plain: usize,
        /// The plain entries a finding matched, with the keyed fingerprint each stands for: what to
        /// write in their place.
        rekeyed: Vec<(String, String)>,
    },
    /// No key is set and the file holds keyed `hmac-sha256:` entries: none of them can match.
    KeyedWithoutKey {
        /// Which file.
        which: FingerprintFile,
        /// Its path.
        file: PathBuf,
        /// How many keyed entries it holds.
        keyed: usize,
    },
    /// The file says it was written under another key ([`FingerprintKey::id`]): its keyed entries
    /// cannot match.
    OtherKey {
        /// Which file.
        which: FingerprintFile,
        /// Its path.
        file: PathBuf,
        /// The key id the file records.
        file_key: String,
        /// The id of the key this scan uses.
        key: String,
    },
}

impl FingerprintNote {
    /// Whether the file's entry `fingerprint` cannot match any finding of this scan: a keyed entry
    /// without the key, or under another key. Such an entry is not stale (its secret may well be
    /// there), so it is not reported as one.
    pub fn cannot_match(&self, fingerprint: &str) -> bool {
        matches!(
            self,
            FingerprintNote::KeyedWithoutKey { .. } | FingerprintNote::OtherKey { .. }
        ) && FingerprintKind::of(fingerprint) == Some(FingerprintKind::HmacSha256)
    }
}

impl fmt::Display for FingerprintNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FingerprintNote::PlainUnderKey {
                which,
                file,
                plain,
                rekeyed,
            } => write!(
                f,
                "{} {} holds {plain} plain sha256 fingerprint{} while a fingerprint key is set: {} \
                 matched through the plain form of the secret; re-key the file (see README, \
                 \"Keyed fingerprints\")",
                which.as_str(),
                file.display(),
                if *plain == 1 { "" } else { "s" },
                rekeyed.len(),
            ),
            FingerprintNote::KeyedWithoutKey { which, file, keyed } => write!(
                f,
                "{} {} holds {keyed} keyed hmac-sha256 fingerprint{} and no fingerprint key is set \
                 (LEAKHOUND_FINGERPRINT_KEY, LEAKHOUND_FINGERPRINT_KEY_FILE, \
                 --fingerprint-key-file): {} cannot match any finding",
                which.as_str(),
                file.display(),
                if *keyed == 1 { "" } else { "s" },
                if *keyed == 1 { "it" } else { "they" },
            ),
            FingerprintNote::OtherKey {
                which,
                file,
                file_key,
                key,
            } => write!(
                f,
                "{} {} was written under fingerprint key {file_key}, this scan uses key {key}: its \
                 keyed entries cannot match",
                which.as_str(),
                file.display(),
            ),
        }
    }
}

/// The plain form of each keyed finding's fingerprint, for reading files written before the key.
// Used by the session (feature `fs`); the governance modules build without it.
#[cfg_attr(not(feature = "fs"), allow(dead_code))]
pub(crate) struct PlainForms {
    /// The scan's key id, when it has a key.
    key_id: Option<String>,
    /// Plain fingerprint → keyed fingerprint.
    map: HashMap<String, String>,
}

#[cfg_attr(not(feature = "fs"), allow(dead_code))]
impl PlainForms {
    /// The plain forms of `findings` when a key is set (their fingerprints are then keyed); nothing
    /// otherwise. The plain form is taken from the secret as reported: for a secret that is not
    /// UTF-8, that is its lossy decoding, which a plain scan did not hash (such a secret's plain entry
    /// does not match under a key).
    pub fn new(key: Option<&FingerprintKey>, findings: &[Finding]) -> PlainForms {
        let map = match key {
            Some(_) => findings
                .iter()
                .filter(|f| {
                    FingerprintKind::of(&f.fingerprint) == Some(FingerprintKind::HmacSha256)
                })
                .map(|f| (fingerprint(f.secret.as_bytes()), f.fingerprint.clone()))
                .collect(),
            None => HashMap::new(),
        };
        PlainForms {
            key_id: key.map(FingerprintKey::id),
            map,
        }
    }

    /// Reads a baseline's fingerprints for this scan ([`PlainForms::translate`]); one made under
    /// another key (its `key_id`) is noted as such.
    pub fn baseline(&self, b: &mut Baseline, file: &Path) -> Option<FingerprintNote> {
        match (&self.key_id, &b.key_id) {
            (Some(key), Some(file_key)) if key != file_key => Some(FingerprintNote::OtherKey {
                which: FingerprintFile::Baseline,
                file: file.to_owned(),
                file_key: file_key.clone(),
                key: key.clone(),
            }),
            _ => {
                let fps = b.entries.iter_mut().map(|e| &mut e.fingerprint);
                self.translate(FingerprintFile::Baseline, file.to_owned(), fps)
            }
        }
    }

    /// Reads an inventory's fingerprints for this scan ([`PlainForms::translate`]).
    pub fn inventory(&self, inv: &mut Inventory, file: &Path) -> Option<FingerprintNote> {
        let fps = inv.entries.iter_mut().map(|e| &mut e.fingerprint);
        self.translate(FingerprintFile::Inventory, file.to_owned(), fps)
    }

    /// Reads the fingerprints of `which` (at `file`) for this scan: under a key, each plain one that a
    /// finding's plain form matches becomes that finding's keyed fingerprint. Returns what to tell
    /// the user about the file, if anything.
    fn translate<'a>(
        &self,
        which: FingerprintFile,
        file: PathBuf,
        fingerprints: impl Iterator<Item = &'a mut String>,
    ) -> Option<FingerprintNote> {
        let (mut plain, mut keyed) = (0, 0);
        let mut rekeyed = Vec::new();
        for fp in fingerprints {
            match FingerprintKind::of(fp) {
                Some(FingerprintKind::Sha256) => {
                    plain += 1;
                    if let Some(k) = self.map.get(fp.as_str()) {
                        rekeyed.push((std::mem::replace(fp, k.clone()), k.clone()));
                    }
                }
                Some(FingerprintKind::HmacSha256) => keyed += 1,
                None => {}
            }
        }
        match self.key_id.is_some() {
            true if plain > 0 => {
                rekeyed.sort();
                rekeyed.dedup();
                Some(FingerprintNote::PlainUnderKey {
                    which,
                    file,
                    plain,
                    rekeyed,
                })
            }
            false if keyed > 0 => Some(FingerprintNote::KeyedWithoutKey { which, file, keyed }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(key: &FingerprintKey) -> Finding {
        let scanner = crate::Scanner::with_default_rules().with_fingerprint_key(Some(key.clone()));
        scanner
            .scan_bytes("a.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n") // leakhound:allow (test token)
            .remove(0)
    }

    #[test]
    fn plain_entries_are_read_as_keyed_under_a_key() {
        let key = FingerprintKey::from_bytes([4u8; 32]).unwrap();
        let f = finding(&key);
        let plain = fingerprint(f.secret.as_bytes());
        let other = fingerprint(b"something else");
        let mut fps = vec![plain.clone(), other.clone()];
        let forms = PlainForms::new(Some(&key), std::slice::from_ref(&f));
        let note = forms
            .translate(
                FingerprintFile::Inventory,
                "inv.toml".into(),
                fps.iter_mut(),
            )
            .unwrap();
        assert_eq!(fps, vec![f.fingerprint.clone(), other]);
        let FingerprintNote::PlainUnderKey {
            plain: n, rekeyed, ..
        } = &note
        else {
            panic!("{note:?}")
        };
        assert_eq!(
            (*n, rekeyed.clone()),
            (2, vec![(plain, f.fingerprint.clone())])
        );
        assert!(!note.to_string().contains("glpat"));
    }

    #[test]
    fn keyed_entries_without_a_key_are_noted() {
        let key = FingerprintKey::from_bytes([4u8; 32]).unwrap();
        let mut fps = [key.fingerprint(b"a"), fingerprint(b"b")];
        let forms = PlainForms::new(None, &[]);
        let note = forms.translate(FingerprintFile::Baseline, "b.json".into(), fps.iter_mut());
        assert!(matches!(
            note,
            Some(FingerprintNote::KeyedWithoutKey { keyed: 1, .. })
        ));
        // A file of the scan's own kind: nothing to say.
        let mut plain = [fingerprint(b"b")];
        assert!(forms
            .translate(FingerprintFile::Baseline, "b.json".into(), plain.iter_mut())
            .is_none());
    }
}
