//! The parallel directory walk: every regular file under the roots, once, on a pool of threads, with
//! ignore files applied (and counted) as [`super::ignore_rules`] says.
//!
//! Each directory is one task: it is listed once, its subdirectories become tasks of their own, and
//! its files are handed to the visitor of whichever thread runs the task, in chunks that idle threads
//! can steal. The walk does no system call beyond listing directories (and, for `--follow`, resolving
//! links): which ignore files a directory has comes from its listing.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::scan::{ScanStats, SkipReason};

use super::fs::display_path;
use super::ignore_rules::{Found, Root, Rules, Verdict};

/// Most files handed to a visitor at once: small enough that the files of a large directory spread
/// over the threads, large enough that scheduling costs nothing next to reading them.
const FILES_PER_TASK: usize = 32;

/// How to walk.
pub(crate) struct WalkOptions {
    /// Worker threads (already capped).
    pub(crate) threads: usize,
    /// Follow symbolic links (loops are detected and counted).
    pub(crate) follow_links: bool,
    /// Apply `.ignore`, `.gitignore` and `.git/info/exclude`.
    pub(crate) respect_ignore_files: bool,
}

/// What a walk thread does with what it finds. A visitor must not wait on rayon work (`join`,
/// `install`) while visiting: the waiting thread could run another task of the walk, which would then
/// wait for the visitor it holds.
pub(crate) trait Visitor: Send {
    /// A regular file (or, with `--follow`, a link to one) to scan.
    fn file(&mut self, path: &Path);
    /// Where the walk counts what it skipped and ignored.
    fn stats(&mut self) -> &mut ScanStats;
}

/// Walks `roots`, giving each file to one of `visitors` (one per thread of a pool of
/// `opts.threads`), and returns them, their statistics filled in. A root that is a file is visited
/// whatever the ignore files say; a root that cannot be read is counted as a walk error.
///
/// # Errors
/// When the thread pool cannot be started.
pub(crate) fn walk<V: Visitor>(
    roots: &[&Path],
    opts: &WalkOptions,
    make_visitor: impl Fn() -> V,
) -> Result<Vec<V>, rayon::ThreadPoolBuildError> {
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("leakhound-walk-{i}"))
        .build()?;
    let visitors: Vec<Mutex<V>> = (0..threads).map(|_| Mutex::new(make_visitor())).collect();
    let walker = Walker {
        opts,
        visitors: &visitors,
    };
    pool.scope(|s| {
        for &root in roots {
            let walker = &walker;
            s.spawn(move |s| walker.root(s, root));
        }
    });
    Ok(visitors
        .into_iter()
        .map(|v| v.into_inner().expect("a walk thread panicked"))
        .collect())
}

struct Walker<'a, V> {
    opts: &'a WalkOptions,
    visitors: &'a [Mutex<V>],
}

/// A directory on the walk's current path, for loop detection when links are followed. Its identity
/// is looked up only when a followed link needs comparing.
struct Ancestor {
    path: PathBuf,
    id: OnceLock<Option<(u64, u64)>>,
    parent: Option<Arc<Ancestor>>,
}

/// What a directory task needs to know about where it is.
struct Place {
    root: Arc<Root>,
    rules: Option<Arc<Rules>>,
    /// The directory is excluded and walked only for its tracked files.
    excluded: bool,
    ancestor: Option<Arc<Ancestor>>,
}

impl<'a, V: Visitor> Walker<'a, V> {
    fn visitor(&self) -> std::sync::MutexGuard<'a, V> {
        let i = rayon::current_thread_index().expect("walk tasks run on the pool");
        self.visitors[i]
            .lock()
            .expect("a walk thread panicked holding its visitor")
    }

    fn root<'s>(&'s self, s: &rayon::Scope<'s>, path: &Path) {
        let mut v = self.visitor();
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                v.stats()
                    .skip(&display_path(path), SkipReason::WalkError, e.to_string());
                return;
            }
        };
        if meta.is_file() {
            v.file(path);
            return;
        }
        if !meta.is_dir() {
            v.stats().skip(
                &display_path(path),
                SkipReason::NotAFile,
                "not a regular file",
            );
            return;
        }
        let root = Arc::new(Root {
            path: path.to_path_buf(),
            abs: fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        });
        let rules = self
            .opts
            .respect_ignore_files
            .then(|| Rules::above(&root, v.stats()));
        let ancestor = self.opts.follow_links.then(|| {
            Arc::new(Ancestor {
                path: path.to_path_buf(),
                id: OnceLock::from(identity(&meta)),
                parent: None,
            })
        });
        drop(v);
        let place = Place {
            root,
            rules,
            excluded: false,
            ancestor,
        };
        self.dir(s, path.to_path_buf(), place);
    }

    fn dir<'s>(&'s self, s: &rayon::Scope<'s>, dir: PathBuf, place: Place) {
        let mut v = self.visitor();
        let listing = match fs::read_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                v.stats()
                    .skip(&display_path(&dir), SkipReason::WalkError, e.to_string());
                return;
            }
        };
        let mut entries = Vec::new();
        let mut found = Found::default();
        for entry in listing {
            match entry {
                Ok(e) => {
                    let path = e.path();
                    let name = path.file_name().expect("a listed entry has a name");
                    found.note(name);
                    // `.git` holds objects, not files a developer wrote: history scanning is its
                    // own source.
                    if name != ".git" {
                        entries.push((path, e.file_type()));
                    }
                }
                Err(e) => v
                    .stats()
                    .skip(&display_path(&dir), SkipReason::WalkError, e.to_string()),
            }
        }
        let rules = place
            .rules
            .as_ref()
            .map(|r| Rules::child(r, &dir, found, place.excluded, v.stats()));
        let mut files = Vec::new();
        for (path, file_type) in entries {
            let file_type = match file_type {
                Ok(t) => t,
                Err(e) => {
                    v.stats()
                        .skip(&display_path(&path), SkipReason::WalkError, e.to_string());
                    continue;
                }
            };
            let link = file_type.is_symlink();
            let (file_type, target) = if link && self.opts.follow_links {
                match fs::metadata(&path) {
                    Ok(m) => (m.file_type(), Some(m)),
                    Err(e) => {
                        v.stats()
                            .skip(&display_path(&path), SkipReason::WalkError, e.to_string());
                        continue;
                    }
                }
            } else {
                (file_type, None)
            };
            let is_dir = file_type.is_dir();
            let excluded = match &rules {
                None => false,
                Some(r) => match r.verdict(&place.root, &path, is_dir, v.stats()) {
                    Verdict::Walk => false,
                    Verdict::Tracked => true,
                    Verdict::Ignored => {
                        v.stats().ignored += 1;
                        continue;
                    }
                },
            };
            if is_dir {
                let ancestor = place.ancestor.as_ref().map(|parent| {
                    Arc::new(Ancestor {
                        path: path.clone(),
                        id: match &target {
                            Some(m) => OnceLock::from(identity(m)),
                            None => OnceLock::new(),
                        },
                        parent: Some(Arc::clone(parent)),
                    })
                });
                if let (Some(target), Some(parent)) = (&target, &place.ancestor) {
                    if let Some(looped) = loops_back(identity(target), parent) {
                        let msg = format!("symbolic link loops back to {}", display_path(looped));
                        v.stats()
                            .skip(&display_path(&path), SkipReason::SymlinkLoop, msg);
                        continue;
                    }
                }
                let child = Place {
                    root: Arc::clone(&place.root),
                    rules: rules.clone(),
                    excluded,
                    ancestor,
                };
                s.spawn(move |s| self.dir(s, path, child));
            } else if file_type.is_file() {
                files.push(path);
            } else if !file_type.is_symlink() {
                v.stats().skip(
                    &display_path(&path),
                    SkipReason::NotAFile,
                    "not a regular file",
                );
            }
        }
        drop(v);
        // A few files (a directory of large ones) are spread one per task, many in chunks.
        let per_task = (files.len() / (4 * self.opts.threads.max(1))).clamp(1, FILES_PER_TASK);
        while files.len() > per_task {
            let chunk = files.split_off(files.len() - per_task);
            s.spawn(move |_| self.files(&chunk));
        }
        self.files(&files);
    }

    fn files(&self, files: &[PathBuf]) {
        let mut v = self.visitor();
        for f in files {
            v.file(f);
        }
    }
}

/// The (device, inode) of a file, where the platform has them.
fn identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// The ancestor (from `parent` up) that a followed link to a directory with identity `id` leads
/// back to.
fn loops_back(id: Option<(u64, u64)>, parent: &Arc<Ancestor>) -> Option<&Path> {
    let id = id?;
    let mut node = Some(parent);
    while let Some(a) = node {
        let own =
            a.id.get_or_init(|| fs::metadata(&a.path).ok().as_ref().and_then(identity));
        if *own == Some(id) {
            return Some(&a.path);
        }
        node = a.parent.as_ref();
    }
    None
}
