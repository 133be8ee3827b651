//! A repository's identity: what names it the same way on every machine that has a clone of it.

#[cfg(any(feature = "git", feature = "ledger"))]
use std::collections::HashSet;
use std::path::Path;

/// The identity of the repository at or above `path`: its `origin` URL normalised
/// ([`normalise_remote`]), else its first remote's, else the absolute path of its root. A path in no
/// repository (or that does not exist) is its own identity, absolute when it exists.
pub fn identity(path: &Path) -> String {
    match gix::discover(path) {
        Ok(repo) => identity_of(&repo)
            .unwrap_or_else(|| absolute(repo.workdir().unwrap_or_else(|| repo.git_dir()))),
        Err(_) => absolute(path),
    }
}

/// The identity of the repository exactly at `path` (not one above it), else the path's own.
pub(super) fn exact_identity(path: &Path) -> String {
    match gix::open(path) {
        Ok(repo) => identity_of(&repo).unwrap_or_else(|| absolute(path)),
        Err(_) => absolute(path),
    }
}

/// A path as an identity: absolute when it exists, else as given.
pub(crate) fn absolute(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// The normalised URL of an open repository's `origin` (else of its first remote), if it has one.
pub fn identity_of(repo: &gix::Repository) -> Option<String> {
    let config = repo.config_snapshot();
    config
        .string("remote.origin.url")
        .or_else(|| {
            repo.remote_names()
                .into_iter()
                .next()
                .and_then(|name| config.string(format!("remote.{name}.url").as_str()))
        })
        .and_then(|u| normalise_remote(&u.to_string()))
}

/// Every blob id in HEAD's tree (empty when there is no commit yet). Trees are read as object bytes and
/// walked without building paths (12,000 entries in a few milliseconds); each tree is read once however
/// often it is shared.
#[cfg(any(feature = "git", feature = "ledger"))]
pub(crate) fn head_blobs(repo: &gix::Repository) -> Result<HashSet<gix::ObjectId>, String> {
    let Ok(head) = repo.head_commit() else {
        return Ok(HashSet::new());
    };
    let root = head.tree_id().map_err(|e| e.to_string())?.detach();
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

/// `https://user:pw@github.com/org/repo.git` and `git@github.com:org/repo.git` → `github.com/org/repo`.
/// A local path or `file://` URL (a clone of a clone) stays a path. None when nothing is left.
///
/// ```
/// use leakhound_core::repos::normalise_remote;
/// assert_eq!(normalise_remote("git@github.com:acme/api.git").as_deref(), Some("github.com/acme/api"));
/// assert_eq!(normalise_remote("https://ci:t0ken@GitHub.com/acme/api/").as_deref(), Some("github.com/acme/api"));
/// ```
pub fn normalise_remote(url: &str) -> Option<String> {
    let url = url.trim();
    let (rest, scp) = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => {
            return Some(rest.to_string())
        }
        Some((_, rest)) => (rest, false),
        None if url.starts_with('/') || url.starts_with('.') => return Some(url.to_string()),
        None => (url, true),
    };
    // user[:password]@ is dropped: a token in a remote URL must never reach a ledger or a report.
    let (host, path) = if scp {
        let (host, path) = rest.split_once(':')?;
        (host.rsplit('@').next().unwrap_or(host), path)
    } else {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        (authority.rsplit('@').next().unwrap_or(authority), path)
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix(":22").unwrap_or(&host).to_string();
    let host = host.strip_suffix(":443").unwrap_or(&host);
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    match (host.is_empty(), path.is_empty()) {
        (true, _) => None,
        (false, true) => Some(host.to_string()),
        (false, false) => Some(format!("{host}/{path}")),
    }
}
#[cfg(test)]
mod tests {
    use super::normalise_remote as n;

    #[test]
    fn remotes_normalise_to_host_and_path_without_credentials() {
        for url in [
            "https://github.com/Org/repo.git",
            "https://x-access-token:tok@github.com/Org/repo.git",
            "git@github.com:Org/repo.git",
            "ssh://git@github.com/Org/repo",
            "ssh://git@GitHub.com:22/Org/repo.git/",
            "https://github.com:443/Org/repo",
        ] {
            assert_eq!(n(url).as_deref(), Some("github.com/Org/repo"), "{url}");
        }
        assert_eq!(n("/srv/git/repo.git").as_deref(), Some("/srv/git/repo.git"));
        assert_eq!(n("file:///srv/git/r").as_deref(), Some("/srv/git/r"));
    }
}
