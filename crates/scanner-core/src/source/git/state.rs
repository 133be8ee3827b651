//! The `--incremental` state: the ids of the objects (blobs, and commits and tags whose messages were
//! read) that an earlier run scanned, valid only for the exact configuration that scanned them.

use std::collections::HashSet;
use std::path::Path;

use gix::hash::ObjectId;
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"LHINC02\n";

/// What makes two runs see the same thing in the same object: the engine, the rules, every allowlist
/// and every limit that decides whether an object's findings are reported. A state written under
/// another key is ignored, so a changed rule, allowlist or limit sees old objects again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StateKey([u8; 32]);

impl StateKey {
    /// A key over `parts`, each length-prefixed so that no two lists of parts hash alike.
    pub(super) fn new<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> StateKey {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        StateKey(h.finalize().into())
    }
}

/// The object ids an earlier run scanned under `key`; empty when the file is missing, unreadable,
/// malformed or written under another key (or for another object format).
pub(super) fn load(path: &Path, key: StateKey, hash: gix::hash::Kind) -> HashSet<ObjectId> {
    match std::fs::read(path) {
        Ok(bytes) => decode(&bytes, key, hash),
        Err(_) => HashSet::new(),
    }
}

/// The object ids in a state's bytes, when they were written under `key` (else none).
pub(super) fn decode(bytes: &[u8], key: StateKey, hash: gix::hash::Kind) -> HashSet<ObjectId> {
    let len = hash.len_in_bytes();
    let header = MAGIC.len() + 1 + key.0.len();
    if bytes.len() < header
        || &bytes[..MAGIC.len()] != MAGIC
        || usize::from(bytes[MAGIC.len()]) != len
        || bytes[MAGIC.len() + 1..header] != key.0
        || !(bytes.len() - header).is_multiple_of(len)
    {
        return HashSet::new();
    }
    bytes[header..]
        .chunks_exact(len)
        .filter_map(|c| ObjectId::try_from(c).ok())
        .collect()
}

/// Writes the state atomically (a temporary file renamed over it), ids sorted so the file is
/// deterministic.
pub(super) fn save(
    path: &Path,
    key: StateKey,
    hash: gix::hash::Kind,
    ids: &HashSet<ObjectId>,
) -> std::io::Result<()> {
    let bytes = encode(key, hash, ids);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

/// A state's bytes: magic, hash length, key, the ids sorted (deterministic).
pub(super) fn encode(key: StateKey, hash: gix::hash::Kind, ids: &HashSet<ObjectId>) -> Vec<u8> {
    let mut sorted: Vec<&ObjectId> = ids.iter().collect();
    sorted.sort_unstable();
    let len = hash.len_in_bytes();
    let mut bytes = Vec::with_capacity(MAGIC.len() + 1 + key.0.len() + sorted.len() * len);
    bytes.extend_from_slice(MAGIC);
    bytes.push(u8::try_from(len).expect("a hash is shorter than 256 bytes"));
    bytes.extend_from_slice(&key.0);
    for id in sorted {
        bytes.extend_from_slice(id.as_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_key_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s");
        let key = StateKey::new([&b"rules"[..]]);
        let ids: HashSet<ObjectId> = [ObjectId::from_bytes_or_panic(&[7; 20])].into();
        save(&p, key, gix::hash::Kind::Sha1, &ids).unwrap();
        assert_eq!(load(&p, key, gix::hash::Kind::Sha1), ids);
        assert!(load(&p, StateKey::new([&b"other"[..]]), gix::hash::Kind::Sha1).is_empty());
        // Parts are delimited: ("ab", "c") is not ("a", "bc").
        assert_ne!(
            StateKey::new([&b"ab"[..], b"c"]),
            StateKey::new([&b"a"[..], b"bc"])
        );
        std::fs::write(&p, b"garbage").unwrap();
        assert!(load(&p, key, gix::hash::Kind::Sha1).is_empty());
    }
}
