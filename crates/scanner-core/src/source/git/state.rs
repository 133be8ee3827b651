//! The `--incremental` state: the ids of the objects (blobs, and commits and tags whose messages were
//! read) that an earlier run scanned, valid only for the exact configuration that scanned them.

use std::collections::HashSet;
use std::path::Path;

use gix::hash::ObjectId;
use sha2::{Digest, Sha256};

/// A segment: magic, the hash's length, the key, the id count (u64, little-endian), the ids. A state
/// is one or more segments: a caller that keeps the state (a ledger) appends each run's new ids as a
/// segment instead of rewriting them all.
const MAGIC: &[u8; 8] = b"LHINC03\n";
/// The earlier single-segment format (no count): still read.
const MAGIC_V2: &[u8; 8] = b"LHINC02\n";

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

/// The object ids in a state's bytes that were written under `key`: segments under another key (or
/// for another object format) are skipped; malformed bytes are no state at all.
pub(super) fn decode(bytes: &[u8], key: StateKey, hash: gix::hash::Kind) -> HashSet<ObjectId> {
    let len = hash.len_in_bytes();
    let mut ids = HashSet::new();
    let head = MAGIC.len() + 1 + key.0.len();
    if bytes.starts_with(MAGIC_V2) {
        if bytes.len() < head
            || usize::from(bytes[MAGIC.len()]) != len
            || bytes[MAGIC.len() + 1..head] != key.0
            || !(bytes.len() - head).is_multiple_of(len)
        {
            return ids;
        }
        return ids_of(&bytes[head..], len);
    }
    let mut rest = bytes;
    while !rest.is_empty() {
        if rest.len() < head + 8 || &rest[..MAGIC.len()] != MAGIC {
            return HashSet::new();
        }
        let width = usize::from(rest[MAGIC.len()]);
        let count = u64::from_le_bytes(rest[head..head + 8].try_into().expect("8 bytes"));
        let Some(size) = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(width))
            .filter(|&n| n <= rest.len() - head - 8)
        else {
            return HashSet::new();
        };
        let body = &rest[head + 8..head + 8 + size];
        if width == len && rest[MAGIC.len() + 1..head] == key.0 {
            ids.extend(ids_of(body, len));
        }
        rest = &rest[head + 8 + size..];
    }
    ids
}

fn ids_of(body: &[u8], len: usize) -> HashSet<ObjectId> {
    body.chunks_exact(len)
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

/// A state of one segment: `ids` under `key`, sorted (deterministic).
pub(super) fn encode<'a>(
    key: StateKey,
    hash: gix::hash::Kind,
    ids: impl IntoIterator<Item = &'a ObjectId>,
) -> Vec<u8> {
    let mut sorted: Vec<&ObjectId> = ids.into_iter().collect();
    sorted.sort_unstable();
    let len = hash.len_in_bytes();
    let mut bytes = Vec::with_capacity(MAGIC.len() + 1 + key.0.len() + 8 + sorted.len() * len);
    bytes.extend_from_slice(MAGIC);
    bytes.push(u8::try_from(len).expect("a hash is shorter than 256 bytes"));
    bytes.extend_from_slice(&key.0);
    bytes.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
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

    #[test]
    fn segments_append_and_other_keys_are_skipped() {
        let sha1 = gix::hash::Kind::Sha1;
        let (key, other) = (StateKey::new([&b"a"[..]]), StateKey::new([&b"b"[..]]));
        let id = |b: u8| ObjectId::from_bytes_or_panic(&[b; 20]);
        let mut state = encode(key, sha1, &[id(1), id(2)]);
        state.extend(encode(other, sha1, &[id(3)]));
        state.extend(encode(key, sha1, &[id(4)]));
        assert_eq!(decode(&state, key, sha1), [id(1), id(2), id(4)].into());
        assert_eq!(decode(&state, other, sha1), [id(3)].into());
        assert!(decode(&state, key, gix::hash::Kind::Sha256).is_empty());
        // A cut segment is no state: everything is read again rather than something skipped wrongly.
        assert!(decode(&state[..state.len() - 3], key, sha1).is_empty());
        let mut huge = encode(key, sha1, &[id(1)]);
        let at = MAGIC.len() + 1 + 32;
        huge[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode(&huge, key, sha1).is_empty());
        // The earlier single-segment format is still read.
        let mut v2 = MAGIC_V2.to_vec();
        v2.push(20);
        v2.extend_from_slice(&key.0);
        v2.extend_from_slice(id(9).as_bytes());
        assert_eq!(decode(&v2, key, sha1), [id(9)].into());
    }
}
