//! `--shard I/N`: a stable share of a list of repositories for one of N workers.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `index` of `count` (1-based, as Playwright and Jest count). A repository belongs to the shard
/// its identity hashes to (the first 8 bytes of SHA-256 of the identity, modulo `count`): the same
/// shard whatever the list's order and whichever machine reads it, so a retried worker scans the
/// same repositories, and N workers together scan every repository exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A shard specification that is not `I/N` with 1 ≤ I ≤ N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shard {spec:?}: {problem}")]
pub struct ShardError {
    spec: String,
    problem: &'static str,
}

impl Shard {
    /// The whole list (`1/1`).
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` (1-based) of `count`.
    ///
    /// # Errors
    /// When `count` is 0 or `index` is not in `1..=count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        format!("{index}/{count}").parse()
    }

    /// This shard's number, from 1.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// How many shards there are.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether the repository of this identity is in this shard.
    pub fn contains(&self, identity: &str) -> bool {
        self.count == 1 || shard_of(identity, self.count) == self.index
    }
}

/// The shard (1-based) of `count` that `identity` belongs to.
fn shard_of(identity: &str, count: u32) -> u32 {
    let digest = Sha256::digest(identity.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count)) as u32 + 1
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let err = |problem| ShardError {
            spec: s.to_string(),
            problem,
        };
        let (i, n) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| err("expected I/N (shard I of N, counted from 1), like 2/4"))?;
        let number = |v: &str| v.trim().parse::<u32>().ok();
        let (Some(index), Some(count)) = (number(i), number(n)) else {
            return Err(err(
                "expected I/N with whole numbers (shard I of N, counted from 1), like 2/4",
            ));
        };
        if count == 0 {
            return Err(err("there must be at least one shard (N ≥ 1)"));
        }
        if index == 0 {
            return Err(err("shards are counted from 1 (1/N is the first)"));
        }
        if index > count {
            return Err(err("I is more than N: there is no such shard"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert_eq!(" 1/1 ".parse::<Shard>().unwrap(), Shard::ALL);
        for (bad, says) in [
            ("5/4", "no such shard"),
            ("0/0", "at least one shard"),
            ("0/4", "counted from 1"),
            ("2", "expected I/N"),
            ("a/b", "whole numbers"),
            ("-1/4", "whole numbers"),
            ("", "expected I/N"),
        ] {
            let e = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains(&format!("{bad:?}")), "{bad}: {e}");
        }
        assert_eq!(Shard::new(3, 8).unwrap().to_string(), "3/8");
    }

    #[test]
    fn every_identity_is_in_exactly_one_shard_and_shards_are_balanced() {
        let ids: Vec<String> = (0..4000)
            .map(|i| format!("github.com/acme/repo-{i}"))
            .collect();
        for n in [1u32, 2, 3, 4, 7] {
            let mut sizes = vec![0usize; n as usize];
            for id in &ids {
                let holders: Vec<u32> = (1..=n)
                    .filter(|&i| Shard::new(i, n).unwrap().contains(id))
                    .collect();
                assert_eq!(holders.len(), 1, "{id} in {holders:?} of {n}");
                sizes[holders[0] as usize - 1] += 1;
            }
            let even = ids.len() / n as usize;
            for s in sizes {
                assert!(
                    s.abs_diff(even) < even / 10 + 10,
                    "{n} shards: {s} vs {even}"
                );
            }
        }
        // Stable across releases: the assignment is part of the contract (a retried worker, or
        // workers of two versions, must agree). These values are SHA-256's, fixed.
        assert_eq!(shard_of("github.com/acme/api", 4), 3);
        assert_eq!(shard_of("github.com/acme/web", 4), 4);
    }
}
