//! Many repositories at once: a list of local clones ([`RepoList`]), each named by a stable identity
//! ([`identity`]: the normalised `origin` URL, else the path), and a stable share of them for one
//! worker of a batch job ([`Shard`]).
//!
//! ```
//! use leakhound_core::repos::{RepoList, Shard};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("repos.txt"), "# the org's clones\nhttps://github.com/acme/api.git\n")?;
//! let list = RepoList::read(&dir.path().join("repos.txt"))?;
//! assert_eq!(list.entries[0].identity, "github.com/acme/api");
//! let shard: Shard = "1/1".parse()?;
//! assert!(shard.contains(&list.entries[0].identity));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod identity;
mod list;
mod shard;

#[cfg(feature = "ledger")]
pub(crate) use identity::absolute;
#[cfg(any(feature = "git", feature = "ledger"))]
pub(crate) use identity::head_blobs;
pub use identity::{identity, identity_of, normalise_remote};
pub use list::{EntryError, RepoEntry, RepoList, ReposError};
pub use shard::{Shard, ShardError};
