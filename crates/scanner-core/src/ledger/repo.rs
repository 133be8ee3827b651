//! A repository's identity, HEAD and HEAD's blobs, for the ledger.

use std::collections::HashSet;
use std::path::Path;

/// What the ledger records about the repository a run scanned.
pub(crate) struct RepoFacts {
    /// `origin`'s URL normalised (`github.com/org/repo`: no scheme, no user or password, no `.git`),
    /// else the first remote's, else the absolute path of the directory.
    pub identity: String,
    /// HEAD's commit id, if there is a commit.
    pub head: Option<String>,
    repo: Option<gix::Repository>,
}

impl RepoFacts {
    /// Reads the identity and HEAD of the repository at `root` (a plain directory has a path and no
    /// HEAD). The repository is opened once.
    pub(crate) fn read(root: &Path) -> RepoFacts {
        let repo = gix::open(root).ok();
        // As `repos::identity` names it (shards, the incremental state and runs key on it alike).
        let identity = repo
            .as_ref()
            .and_then(crate::repos::identity_of)
            .unwrap_or_else(|| crate::repos::absolute(root));
        let head = repo
            .as_ref()
            .and_then(|r| r.head_id().ok())
            .map(|id| id.to_string());
        RepoFacts {
            identity,
            head,
            repo,
        }
    }

    /// Every blob id in HEAD's tree. Trees are read as object bytes and walked without building paths
    /// (12,000 entries in a few milliseconds); each tree is read once however often it is shared.
    pub(crate) fn head_blobs(&self) -> Result<HashSet<gix::ObjectId>, String> {
        crate::repos::head_blobs(self.repo.as_ref().ok_or("not a repository")?)
    }
}
