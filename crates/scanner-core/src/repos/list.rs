//! `--repos FILE|DIR`: the repositories of an organisation scan.

use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use super::identity::exact_identity;
use super::{normalise_remote, Shard};

/// One repository of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoEntry {
    /// As written in the list (a path or a URL), or the subdirectory's name.
    pub spec: String,
    /// Where the clone is; None for a URL (a repository not cloned here).
    pub path: Option<PathBuf>,
    /// What names the repository everywhere ([`crate::repos::identity`]): shards and ledgers key on it.
    pub identity: String,
}

/// Why an entry of a list cannot be scanned.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    /// A remote URL: leakhound scans local clones.
    #[error("{0}: a remote URL, not a local clone (clone it first: `leakhound repos LIST | xargs -n1 git clone --mirror`)")]
    NotCloned(String),
    /// Nothing at the path.
    #[error("{}: does not exist", .0.display())]
    Missing(PathBuf),
    /// The path is not a git repository itself (a directory above it may be: not scanned in its place).
    #[error("{}: not a git repository", .0.display())]
    NotARepository(PathBuf),
    /// A repository that cannot be opened (permissions, a broken configuration).
    #[error("{}: cannot open the repository", .path.display())]
    Open {
        /// The clone.
        path: PathBuf,
        /// What git said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl RepoEntry {
    /// The entry as messages and reports show it: as written, without a URL's user and password (a
    /// token in a clone URL must not reach a log). `spec` keeps them, for cloning.
    pub fn shown(&self) -> String {
        let Some((scheme, rest)) = self.spec.split_once("://") else {
            return self.spec.clone();
        };
        let authority = rest.split('/').next().unwrap_or(rest);
        match authority.rsplit_once('@') {
            Some((_, host)) if self.path.is_none() => {
                format!("{scheme}://{host}{}", &rest[authority.len()..])
            }
            _ => self.spec.clone(),
        }
    }

    /// The clone to scan: a path that is a git repository itself, bare or not (never a repository
    /// above it, which a history scan of a plain directory would find).
    ///
    /// # Errors
    /// [`EntryError`]: a URL, a missing path, not a repository, a repository that cannot be opened.
    pub fn clone_path(&self) -> Result<&Path, EntryError> {
        let Some(path) = &self.path else {
            return Err(EntryError::NotCloned(self.shown()));
        };
        if let Err(e) = std::fs::metadata(path) {
            return Err(match e.kind() {
                std::io::ErrorKind::NotFound => EntryError::Missing(path.clone()),
                _ => EntryError::Open {
                    path: path.clone(),
                    source: e.into(),
                },
            });
        }
        match gix::open(path) {
            Ok(_) => Ok(path),
            // Neither a work tree (`.git`) nor a git directory (`HEAD`): not a repository at all.
            Err(_) if !path.join(".git").exists() && !path.join("HEAD").exists() => {
                Err(EntryError::NotARepository(path.clone()))
            }
            Err(e) => Err(EntryError::Open {
                path: path.clone(),
                source: e.into(),
            }),
        }
    }
}

/// The repositories a list names, in its order (a directory's: by name), each once.
#[derive(Debug, Clone, Default)]
pub struct RepoList {
    /// Each repository, once.
    pub entries: Vec<RepoEntry>,
    /// Entries left out because an earlier one has the same identity (two clones of one
    /// repository, or a line written twice): the entry and the one it repeats.
    pub duplicates: Vec<(RepoEntry, String)>,
    /// What a directory of clones holds beside its subdirectories (files, broken links): not
    /// repositories, not scanned, named so that nothing there goes unseen.
    pub not_directories: Vec<PathBuf>,
}

/// A list that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReposError {
    /// The file or directory cannot be read.
    #[error("{}: cannot read the list of repositories", .path.display())]
    Read {
        /// The list.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The directory is a repository itself, not a directory of clones.
    #[error("{}: is a git repository, not a directory of clones (scan it with `scan --history`, or give its parent)", .0.display())]
    IsARepository(PathBuf),
    /// Nothing listed.
    #[error("{}: lists no repositories", .0.display())]
    Empty(PathBuf),
}

impl RepoList {
    /// Reads a list: a file with one clone path (or URL) per line (`#` comments and blank lines
    /// ignored; relative paths are relative to the file's directory; `-` is standard input, relative
    /// to the current directory), or a directory whose every subdirectory is a clone, bare or not.
    ///
    /// # Errors
    /// [`ReposError`] when the list cannot be read, is a repository itself, or names nothing.
    pub fn read(list: &Path) -> Result<RepoList, ReposError> {
        let read = |source| ReposError::Read {
            path: list.to_path_buf(),
            source,
        };
        let mut specs: Vec<(String, Option<PathBuf>)> = Vec::new();
        let mut not_directories = Vec::new();
        if list.as_os_str() == "-" {
            for line in std::io::stdin().lock().lines() {
                push_line(&mut specs, &line.map_err(read)?, Path::new(""));
            }
        } else if list.is_dir() {
            if gix::open(list).is_ok() {
                return Err(ReposError::IsARepository(list.to_path_buf()));
            }
            let mut dirs = Vec::new();
            for entry in std::fs::read_dir(list).map_err(read)? {
                let entry = entry.map_err(read)?;
                // Subdirectories (a symbolic link to one too) are the clones; anything else (a
                // list, a README, a broken link) is named, not scanned.
                match entry.path().is_dir() {
                    true => dirs.push(entry.file_name()),
                    false => not_directories.push(entry.path()),
                }
            }
            dirs.sort();
            not_directories.sort();
            specs.extend(
                dirs.into_iter()
                    .map(|d| (d.to_string_lossy().into_owned(), Some(list.join(&d)))),
            );
        } else {
            let text = std::fs::read_to_string(list).map_err(read)?;
            let base = list.parent().unwrap_or(Path::new(""));
            for line in text.lines() {
                push_line(&mut specs, line, base);
            }
        }
        if specs.is_empty() {
            return Err(ReposError::Empty(list.to_path_buf()));
        }
        let mut out = RepoList {
            not_directories,
            ..RepoList::default()
        };
        let mut seen: HashMap<String, String> = HashMap::new();
        for (spec, path) in specs {
            let id = match &path {
                Some(p) => exact_identity(p),
                None => normalise_remote(&spec).unwrap_or_else(|| spec.clone()),
            };
            let entry = RepoEntry {
                spec,
                path,
                identity: id,
            };
            match seen.get(&entry.identity) {
                Some(first) => out.duplicates.push((entry, first.clone())),
                None => {
                    seen.insert(entry.identity.clone(), entry.shown());
                    out.entries.push(entry);
                }
            }
        }
        Ok(out)
    }

    /// The entries in `shard`, in the list's order.
    pub fn shard(&self, shard: Shard) -> impl Iterator<Item = &RepoEntry> {
        self.entries
            .iter()
            .filter(move |e| shard.contains(&e.identity))
    }
}

/// One line of a list file: a path (relative to `base`) or a remote URL.
fn push_line(specs: &mut Vec<(String, Option<PathBuf>)>, line: &str, base: &Path) {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return;
    }
    let path = match line.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => Some(PathBuf::from(rest)),
        Some(_) => None,
        // `git@host:org/repo` (scp-like): a colon before any slash.
        None if is_scp_like(line) => None,
        None => Some(base.join(line)),
    };
    specs.push((line.to_string(), path));
}

fn is_scp_like(s: &str) -> bool {
    match (s.find(':'), s.find('/')) {
        (Some(colon), Some(slash)) => colon < slash && colon > 0,
        (Some(colon), None) => colon > 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_paths_and_urls() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("repos.txt");
        std::fs::write(
            &list,
            "# clones\n\nhttps://github.com/acme/api.git\n  git@github.com:acme/web.git  \nlocal/x\n/abs/y\nhttps://github.com/acme/api\n",
        )
        .unwrap();
        let l = RepoList::read(&list).unwrap();
        let ids: Vec<&str> = l.entries.iter().map(|e| e.identity.as_str()).collect();
        assert_eq!(ids[..2], ["github.com/acme/api", "github.com/acme/web"]);
        assert_eq!(l.entries[0].path, None);
        assert_eq!(
            l.entries[2].path.as_deref(),
            Some(dir.path().join("local/x").as_path())
        );
        assert_eq!(l.entries[3].path.as_deref(), Some(Path::new("/abs/y")));
        assert_eq!(l.entries.len(), 4);
        assert_eq!(l.duplicates.len(), 1);
        assert_eq!(l.duplicates[0].1, "https://github.com/acme/api.git");
    }

    #[test]
    fn credentials_in_urls_are_not_shown() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("repos.txt");
        std::fs::write(
            &list,
            "https://ci:s3cr3t-t0ken@git.example.test/acme/api.git\n",
        )
        .unwrap();
        let l = RepoList::read(&list).unwrap();
        let e = &l.entries[0];
        assert_eq!(e.shown(), "https://git.example.test/acme/api.git");
        assert!(e.spec.contains("s3cr3t"), "kept for cloning");
        assert!(!e.clone_path().unwrap_err().to_string().contains("s3cr3t"));
    }

    #[test]
    fn empty_lists_and_a_repository_given_as_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("repos.txt");
        std::fs::write(&list, "# nothing yet\n\n").unwrap();
        assert!(matches!(RepoList::read(&list), Err(ReposError::Empty(_))));
        let empty = dir.path().join("clones");
        std::fs::create_dir(&empty).unwrap();
        assert!(matches!(RepoList::read(&empty), Err(ReposError::Empty(_))));
        // Beside the clones: named, not scanned.
        std::fs::create_dir(empty.join("api")).unwrap();
        std::fs::write(empty.join("README"), "clones\n").unwrap();
        let l = RepoList::read(&empty).unwrap();
        assert_eq!(l.entries.len(), 1);
        assert_eq!(l.not_directories, [empty.join("README")]);
        assert!(matches!(
            RepoList::read(&dir.path().join("missing.txt")),
            Err(ReposError::Read { .. })
        ));
    }
}
