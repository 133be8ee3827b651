//! Which entries of a directory walk the ignore files exclude, and which of those git tracks anyway.
//!
//! The rules are those of the `ignore` crate as leakhound used them (`.ignore`, `.gitignore` and a
//! repository's `.git/info/exclude`, in every directory of the walk and above its root, whether or not
//! in a repository; within a directory's files the last matching line wins, and over directories the
//! deepest file with a matching line; `.ignore` before `.gitignore` before `exclude`), with git's one
//! exception: a file in the index is scanned whatever the ignore files say. Ignore files only exclude
//! untracked entries. An excluded directory that holds tracked files is walked for those files only.
//!
//! Matching is done here, not by the walker, so that every exclusion is counted; which ignore files a
//! directory has comes from its listing, so rules cost no system call in a directory without them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::scan::{ScanStats, SkipReason};

use super::fs::display_path;

/// One root of a walk: the path as the user gave it (the form of every path the walk produces) and
/// its canonical form (for rules above it).
pub(crate) struct Root {
    pub(crate) path: PathBuf,
    pub(crate) abs: PathBuf,
}

impl Root {
    /// The absolute form of `path`, a path under this root as the walk spells it.
    fn absolute(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.path) {
            Ok(rel) => self.abs.join(rel),
            Err(_) => path.to_path_buf(),
        }
    }
}

/// The ignore files a directory listing showed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Found {
    pub(crate) dot_ignore: bool,
    pub(crate) gitignore: bool,
    /// A `.git` directory or file: the directory is a work tree's root.
    pub(crate) git: bool,
}

impl Found {
    /// Notes `name` if it is one of the files that matter to rules.
    pub(crate) fn note(&mut self, name: &std::ffi::OsStr) {
        match name.as_encoded_bytes() {
            b".ignore" => self.dot_ignore = true,
            b".gitignore" => self.gitignore = true,
            b".git" => self.git = true,
            _ => {}
        }
    }
}

/// What the rules say about one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not excluded: walk it.
    Walk,
    /// Excluded, but git tracks it (a file) or files in it (a directory): scan it, or walk the
    /// directory for its tracked files only.
    Tracked,
    /// Excluded and untracked: count it, do not read it.
    Ignored,
}

/// The rules in force in one directory: its own ignore files, then its parent's. A directory without
/// ignore files shares its parent's node.
pub(crate) struct Rules {
    parent: Option<Arc<Rules>>,
    dot_ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    exclude: Option<Gitignore>,
    /// A directory above the walk root: its globs are matched against absolute paths.
    above_root: bool,
    /// Whether this node or an ancestor has any glob: without one, nothing is matched.
    any: bool,
    /// The work tree whose index says what is tracked here.
    repo: Option<Arc<Repo>>,
    /// This directory is itself excluded and walked only for its tracked files.
    excluded: bool,
}

impl Rules {
    /// The rules of the directories above `root` (their `.ignore`, `.gitignore` and, at a work
    /// tree's root, `.git/info/exclude`), and the work tree `root` is in, if any. Warnings (an
    /// unreadable or malformed ignore file) go to `stats`.
    pub(crate) fn above(root: &Root, stats: &mut ScanStats) -> Arc<Rules> {
        let mut node = Arc::new(Rules {
            parent: None,
            dot_ignore: None,
            gitignore: None,
            exclude: None,
            above_root: true,
            any: false,
            repo: None,
            excluded: false,
        });
        let mut ancestors: Vec<&Path> = root.abs.ancestors().skip(1).collect();
        ancestors.reverse();
        for dir in ancestors {
            let found = Found {
                dot_ignore: true,
                gitignore: true,
                git: dir.join(".git").exists(),
            };
            let repo = found.git.then(|| {
                let prefix = root.abs.strip_prefix(dir).unwrap_or(Path::new(""));
                Arc::new(Repo::new(dir.to_path_buf(), None, prefix))
            });
            node = Rules::node(&node, dir, found, repo, true, false, stats);
        }
        node
    }

    /// The rules of directory `dir` (as the walk spells it), child of `parent`, whose listing showed
    /// `found`; `excluded` if the directory is walked only for its tracked files.
    pub(crate) fn child(
        parent: &Arc<Rules>,
        dir: &Path,
        found: Found,
        excluded: bool,
        stats: &mut ScanStats,
    ) -> Arc<Rules> {
        if !found.dot_ignore && !found.gitignore && !found.git && excluded == parent.excluded {
            return Arc::clone(parent);
        }
        let repo = found
            .git
            .then(|| Arc::new(Repo::new(dir.to_path_buf(), Some(dir), Path::new(""))));
        Rules::node(parent, dir, found, repo, false, excluded, stats)
    }

    fn node(
        parent: &Arc<Rules>,
        dir: &Path,
        found: Found,
        repo: Option<Arc<Repo>>,
        above_root: bool,
        excluded: bool,
        stats: &mut ScanStats,
    ) -> Arc<Rules> {
        let read = |wanted: bool, file: PathBuf, stats: &mut ScanStats| {
            wanted.then(|| load(dir, &file, stats)).flatten()
        };
        let dot_ignore = read(found.dot_ignore, dir.join(".ignore"), stats);
        let gitignore = read(found.gitignore, dir.join(".gitignore"), stats);
        let exclude = match found.git {
            true => git_common_dir(dir).and_then(|d| load(dir, &d.join("info/exclude"), stats)),
            false => None,
        };
        let own = dot_ignore.is_some() || gitignore.is_some() || exclude.is_some();
        if !own && repo.is_none() && excluded == parent.excluded {
            return Arc::clone(parent);
        }
        Arc::new(Rules {
            parent: Some(Arc::clone(parent)),
            dot_ignore,
            gitignore,
            exclude,
            above_root,
            any: parent.any || own,
            repo: repo.or_else(|| parent.repo.clone()),
            excluded,
        })
    }

    /// What the rules say about `path` (a child of this node's directory, as the walk spells it).
    /// A warning about an unreadable index goes to `stats`, once per work tree.
    pub(crate) fn verdict(
        &self,
        root: &Root,
        path: &Path,
        is_dir: bool,
        stats: &mut ScanStats,
    ) -> Verdict {
        if !self.excluded && !self.matches(root, path, is_dir) {
            return Verdict::Walk;
        }
        match &self.repo {
            Some(repo) if repo.tracks(root, path, is_dir, stats) => Verdict::Tracked,
            _ => Verdict::Ignored,
        }
    }

    /// Whether the ignore files exclude `path`: per kind of file, the deepest with a matching line
    /// decides; then `.ignore` over `.gitignore` over `exclude`.
    fn matches(&self, root: &Root, path: &Path, is_dir: bool) -> bool {
        if !self.any {
            return false;
        }
        let (mut by_ignore, mut by_gitignore, mut by_exclude) =
            (Match::None, Match::None, Match::None);
        let mut absolute: Option<PathBuf> = None;
        let mut node = Some(self);
        while let Some(n) = node {
            if !n.any {
                break;
            }
            let p: &Path = if n.above_root {
                absolute.get_or_insert_with(|| root.absolute(path))
            } else {
                path
            };
            let check = |m: &mut Match<()>, g: &Option<Gitignore>| {
                if let (true, Some(g)) = (m.is_none(), g) {
                    *m = g.matched(p, is_dir).map(|_| ());
                }
            };
            check(&mut by_ignore, &n.dot_ignore);
            check(&mut by_gitignore, &n.gitignore);
            check(&mut by_exclude, &n.exclude);
            node = n.parent.as_deref();
        }
        by_ignore.or(by_gitignore).or(by_exclude).is_ignore()
    }
}

/// An ignore file's globs, rooted at `dir`; `None` when it has none. A file that cannot be read or
/// holds a malformed glob is a warning: what it would have excluded may be scanned.
fn load(dir: &Path, file: &Path, stats: &mut ScanStats) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(dir);
    if let Some(err) = builder.add(file) {
        let missing = err
            .io_error()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        if !missing {
            let msg = err.to_string();
            let msg = msg.lines().next().unwrap_or_default();
            stats.skip(&display_path(file), SkipReason::WalkError, msg);
        }
    }
    match builder.build() {
        Ok(g) if !g.is_empty() => Some(g),
        Ok(_) => None,
        Err(err) => {
            stats.skip(&display_path(file), SkipReason::WalkError, err.to_string());
            None
        }
    }
}

/// The directory holding `info/exclude` for the work tree at `dir`: `.git` itself, or for a linked
/// work tree or submodule (a `.git` file naming the git directory) that directory's common directory.
fn git_common_dir(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let content = std::fs::read_to_string(&dot_git).ok()?;
    let git_dir = dir.join(content.strip_prefix("gitdir:")?.trim());
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(common) => Some(git_dir.join(common.trim())),
        Err(_) => Some(git_dir),
    }
}

/// A work tree, and its index once an exclusion needs it.
pub(crate) struct Repo {
    /// Where the work tree is on disk.
    work_tree: PathBuf,
    /// The work tree's root as the walk spells it, when the walk reached it from above.
    walk_dir: Option<PathBuf>,
    /// Otherwise the walk root's path inside the work tree (`sub/dir`, or empty).
    prefix: PathBuf,
    index: OnceLock<Result<gix::worktree::Index, String>>,
    reported: AtomicBool,
}

impl Repo {
    fn new(work_tree: PathBuf, walk_dir: Option<&Path>, prefix: &Path) -> Repo {
        Repo {
            work_tree,
            walk_dir: walk_dir.map(Path::to_path_buf),
            prefix: prefix.to_path_buf(),
            index: OnceLock::new(),
            reported: AtomicBool::new(false),
        }
    }

    /// Whether the index has `path` (a file) or a file under it (a directory). Loaded on the first
    /// exclusion, so a walk that excludes nothing never reads it. An index that cannot be read tracks
    /// nothing, with a warning: excluded tracked files may then go unscanned.
    fn tracks(&self, root: &Root, path: &Path, is_dir: bool, stats: &mut ScanStats) -> bool {
        let index = self.index.get_or_init(|| {
            gix::open_opts(&self.work_tree, gix::open::Options::isolated())
                .map_err(|e| e.to_string())
                .and_then(|r| r.index_or_empty().map_err(|e| e.to_string()))
        });
        let index = match index {
            Ok(index) => index,
            Err(msg) => {
                if !self.reported.swap(true, Ordering::Relaxed) {
                    let msg = format!("cannot read the git index ({msg}): tracked files that ignore files exclude are not scanned");
                    stats.skip(&display_path(&self.work_tree), SkipReason::WalkError, msg);
                }
                return false;
            }
        };
        // Borrowed where the walk reached the work tree's root: no allocation for a file.
        let rel: std::borrow::Cow<'_, Path> = match &self.walk_dir {
            Some(d) => match path.strip_prefix(d) {
                Ok(r) => r.into(),
                Err(_) => return false,
            },
            None => match path.strip_prefix(&root.path) {
                Ok(r) => self.prefix.join(r).into(),
                Err(_) => return false,
            },
        };
        let Ok(rel) = gix::path::into_bstr(rel) else {
            return false;
        };
        let rel = gix::path::to_unix_separators_on_windows(rel);
        if !is_dir {
            return index.entry_by_path(rel.as_ref()).is_some();
        }
        let mut rel = rel.into_owned();
        rel.push(b'/');
        let at = index
            .entry_index_by_path(rel.as_ref())
            .unwrap_or_else(|at| at);
        index
            .entries()
            .get(at)
            .is_some_and(|e| e.path(index).starts_with(&rel))
    }
}
