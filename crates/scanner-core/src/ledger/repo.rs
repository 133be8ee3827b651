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
        let remote = repo.as_ref().and_then(crate::repos::identity_of);
        let identity = remote.unwrap_or_else(|| {
            std::fs::canonicalize(root)
                .unwrap_or_else(|_| root.to_path_buf())
                .display()
                .to_string()
        });
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
        let repo = self.repo.as_ref().ok_or("not a repository")?;
        let root = repo
            .head_commit()
            .map_err(|e| e.to_string())?
            .tree_id()
            .map_err(|e| e.to_string())?
            .detach();
        let hash = repo.object_hash();
        let mut blobs = HashSet::new();
        let mut trees = HashSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !trees.insert(id) {
                continue;
            }
            let tree = repo.find_object(id).map_err(|e| e.to_string())?;
            for entry in gix::objs::TreeRefIter::from_bytes(&tree.data, hash) {
                let entry = entry.map_err(|e| e.to_string())?;
                if entry.mode.is_tree() {
                    stack.push(entry.oid.to_owned());
                } else if entry.mode.is_blob() || entry.mode.is_link() {
                    blobs.insert(entry.oid.to_owned());
                }
            }
        }
        Ok(blobs)
    }
}
