//! Directory trees: the parallel walk of `source::walk` (ignore files applied, tracked files always
//! scanned), each thread with its own read buffer and matcher scratch space; large files are
//! memory-mapped under `source::mapguard`, so that one truncated while it is scanned is reported
//! instead of killing the process.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use globset::GlobSet;

use crate::content::TextKind;
use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};
use crate::source::sink::Sink;

use super::mapguard::{self, Mapped};
use super::walk::{walk, Visitor, WalkOptions};

/// How a directory walk reads files.
#[derive(Debug, Clone)]
pub struct FsOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Files larger than this are skipped and counted.
    pub max_file_size: u64,
    /// Files at least this large are memory-mapped instead of read.
    pub mmap_threshold: u64,
    /// Honour `.gitignore`, `.ignore` and `.git/info/exclude` for untracked files (files in a git
    /// index are scanned whatever they say); what they exclude is counted in
    /// [`ScanStats::ignored`].
    pub respect_ignore_files: bool,
    /// Follow symbolic links (loops are detected and counted).
    pub follow_links: bool,
    /// Paths never scanned. Matched against the path relative to `paths_base` (the directory of the
    /// config file that listed them) and against the path as displayed.
    pub paths_allow: Option<GlobSet>,
    /// Directory that `paths_allow` globs are relative to.
    pub paths_base: Option<PathBuf>,
}

/// Default maximum file size: large enough for minified bundles and lock files, small enough that a
/// stray database dump does not dominate the scan.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// Files from this size on are memory-mapped. Measured with `--mmap-threshold` over the benchmark corpus
/// (benches/, best of 5, 2 threads): mapping from 16 KiB makes the 201 MB source tree 40% slower (0.29 s
/// vs 0.20-0.21 s for any threshold from 128 KiB to 8 MiB: mapping costs page-table work per file), and
/// never mapping makes the 537 MB of 64 MiB files 24% slower (0.31 s vs 0.25 s: `read` copies).
pub const DEFAULT_MMAP_THRESHOLD: u64 = 1024 * 1024;

pub use crate::content::BINARY_PROBE;

impl Default for FsOptions {
    fn default() -> FsOptions {
        FsOptions {
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            mmap_threshold: DEFAULT_MMAP_THRESHOLD,
            respect_ignore_files: true,
            follow_links: false,
            paths_allow: None,
            paths_base: None,
        }
    }
}

/// The failure that stops a directory scan before it starts.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// A path given to scan does not exist.
    #[error("{}: no such file or directory", .0.display())]
    Missing(PathBuf),
    /// The walk's threads could not be started.
    #[error("cannot start the scan's threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}

impl Scanner {
    /// Scans every file under `roots`, calling `sink` for each finding as it is found (from worker
    /// threads, in no particular order). Returns the merged statistics.
    ///
    /// # Errors
    /// [`FsError::Missing`] if a root does not exist; unreadable files inside the tree are counted in
    /// the statistics instead, and the scan goes on.
    ///
    /// # Example
    /// ```
    /// use leakhound_core::source::Collect;
    /// use leakhound_core::{FsOptions, Scanner};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join(".env"), "GITLAB_TOKEN=glpat-Hq3Zr8xK2mVb7NcT1pWd\n").unwrap(); // leakhound:allow (documentation token)
    /// let found = Collect::default();
    /// let stats = Scanner::with_default_rules()
    ///     .scan_paths(&[dir.path()], &FsOptions::default(), &found)
    ///     .unwrap();
    /// assert_eq!(stats.files, 1);
    /// assert_eq!(found.into_sorted()[0].rule, "gitlab-pat");
    /// ```
    pub fn scan_paths<P: AsRef<Path>>(
        &self,
        roots: &[P],
        opts: &FsOptions,
        sink: &dyn Sink,
    ) -> Result<ScanStats, FsError> {
        let started = Instant::now();
        for r in roots {
            if std::fs::symlink_metadata(r.as_ref()).is_err() {
                return Err(FsError::Missing(r.as_ref().to_path_buf()));
            }
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        // A directory, or a large file, is a bulk scan: worth the keyword DFA's ~4 ms build.
        let bulk = roots
            .iter()
            .any(|r| std::fs::metadata(r.as_ref()).is_ok_and(|m| m.is_dir() || m.len() >= 1 << 20));
        let walk_opts = WalkOptions {
            threads: crate::scan::effective_threads(opts.threads),
            follow_links: opts.follow_links,
            respect_ignore_files: opts.respect_ignore_files,
        };
        let roots: Vec<&Path> = roots.iter().map(AsRef::as_ref).collect();
        let places = root_places(&roots);
        let workers = walk(&roots, &walk_opts, || Worker {
            places: &places,
            scanner: self,
            opts,
            sink,
            buf: Vec::new(),
            text: Vec::new(),
            scratch: Scratch::new(),
            found: Vec::new(),
            stats: ScanStats::default(),
            cwd: cwd.clone(),
            bulk,
        })
        .map_err(FsError::Threads)?;
        let mut stats = ScanStats::default();
        for w in workers {
            stats.merge(w.stats);
        }
        stats.warnings.sort_by(|a, b| a.path.cmp(&b.path));
        stats.elapsed = started.elapsed();
        Ok(stats)
    }
}

/// One walk thread's state: buffers and scratch space reused for every file, statistics merged
/// once the walk is over instead of locking per file.
struct Worker<'s> {
    /// How displayed paths map to paths in their project (see [`root_places`]).
    places: &'s [RootPlace],
    scanner: &'s Scanner,
    opts: &'s FsOptions,
    sink: &'s dyn Sink,
    buf: Vec<u8>,
    /// Where content that is not plain text is turned into text.
    text: Vec<u8>,
    scratch: Scratch,
    found: Vec<Finding>,
    stats: ScanStats,
    cwd: PathBuf,
    bulk: bool,
}

impl Visitor for Worker<'_> {
    fn file(&mut self, fs_path: &Path) {
        let path = display_path(fs_path);
        if let Some(allow) = &self.opts.paths_allow {
            let rel = self
                .opts
                .paths_base
                .as_deref()
                .and_then(|base| relative_to(base, &self.cwd, fs_path));
            if allow.is_match(&path) || rel.is_some_and(|r| allow.is_match(r)) {
                self.stats
                    .skip(&path, SkipReason::Allowlisted, "allowlisted path");
                return;
            }
        }
        self.scan_file(fs_path, &path);
    }

    fn stats(&mut self) -> &mut ScanStats {
        &mut self.stats
    }
}

/// Reads a file whose size `fstat` just gave into `buf`, which is grown but never shrunk, so one buffer
/// per thread serves every small file. `read_to_end` would cost two more syscalls per file (its own
/// `fstat` and `lseek` for a size hint, then a `read` to see EOF); over a tree of 26k files those are
/// ~10% of the scan. A file that shrank meanwhile is read as it now is; one that grew, as it was.
fn read_known_len(file: &mut File, len: usize, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let mut n = 0;
    while n < len {
        match file.read(&mut buf[n..len]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// `./src/a.rs` → `src/a.rs`: findings name paths the way a person types them.
pub(crate) fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./")
        .map(str::to_owned)
        .unwrap_or_else(|| s.into_owned())
}

impl Worker<'_> {
    fn scan_file(&mut self, fs_path: &Path, path: &str) {
        let io_skip = |stats: &mut ScanStats, e: std::io::Error| {
            let reason = if e.kind() == ErrorKind::NotFound {
                SkipReason::Vanished
            } else {
                SkipReason::Unreadable
            };
            stats.skip(path, reason, e.to_string());
        };
        let mut file = match File::open(fs_path) {
            Ok(f) => f,
            Err(e) => return io_skip(&mut self.stats, e),
        };
        let len = match file.metadata() {
            Ok(m) => m.len(),
            Err(e) => return io_skip(&mut self.stats, e),
        };
        if len > self.opts.max_file_size {
            let msg = crate::scan::too_large(len, self.opts.max_file_size);
            self.stats.skip(path, SkipReason::TooLarge, msg);
            return;
        }
        self.found.clear();
        let place = place_of(self.places, path);
        let mut matcher = Matcher {
            place: &place,
            scanner: self.scanner,
            bulk: self.bulk,
            text: &mut self.text,
            scratch: &mut self.scratch,
            found: &mut self.found,
        };
        let (outcome, size) = if len >= self.opts.mmap_threshold && mapguard::SUPPORTED {
            let map = match Mapped::map(&file) {
                Ok(m) => m,
                Err(e) => return io_skip(&mut self.stats, e),
            };
            let ((outcome, size), changed) =
                map.read(|bytes| (matcher.scan(path, bytes), bytes.len()));
            if changed {
                self.found.clear();
                let msg = "truncated while it was being scanned: not scanned, scan it again";
                self.stats.skip(path, SkipReason::Changed, msg);
                return;
            }
            (outcome, size)
        } else {
            match read_known_len(&mut file, len as usize, &mut self.buf) {
                Ok(n) => (matcher.scan(path, &self.buf[..n]), n),
                Err(e) => return io_skip(&mut self.stats, e),
            }
        };
        match outcome {
            Ok(kind) => {
                self.stats.files += 1;
                self.stats.bytes += size as u64;
                self.stats.count_limits(&self.scratch, || path.to_owned());
                for mut f in self.found.drain(..) {
                    kind.mark(&mut f);
                    self.sink.finding(f);
                }
            }
            Err(reason) => self.stats.skip(path, reason, reason.as_str()),
        }
    }
}

/// The part of a worker that turns a file's bytes into findings, borrowed apart from the read buffer
/// so that it can run over either the buffer or a mapping.
struct Matcher<'w> {
    /// The file's path in its project, for its context.
    place: &'w str,
    scanner: &'w Scanner,
    bulk: bool,
    text: &'w mut Vec<u8>,
    scratch: &'w mut Scratch,
    found: &'w mut Vec<Finding>,
}

impl Matcher<'_> {
    /// Scans `bytes` as [`crate::content::as_text`] says, into `found`.
    fn scan(&mut self, path: &str, bytes: &[u8]) -> Result<TextKind, SkipReason> {
        let (text, kind) = crate::content::as_text(bytes, self.text)?;
        self.scanner
            .context(self.bulk)
            .scan_at(path, self.place, text, self.scratch, self.found);
        Ok(kind)
    }
}

/// A scanned root: its displayed form (paths under it start so) and where it is in its project: its
/// path relative to the enclosing git work tree, or nothing when it is not in one (a file root outside
/// a repository keeps its name).
#[derive(Debug)]
struct RootPlace {
    shown: String,
    inside: String,
}

/// The [`RootPlace`] of each root, found once per scan.
fn root_places(roots: &[&Path]) -> Vec<RootPlace> {
    roots
        .iter()
        .map(|root| {
            let shown = match display_path(root).as_str() {
                "." => String::new(),
                s => s.trim_end_matches('/').to_owned(),
            };
            let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
            let dir = if abs.is_dir() {
                abs.clone()
            } else {
                abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
            };
            let inside = match dir.ancestors().find(|d| d.join(".git").exists()) {
                Some(repo) => abs.strip_prefix(repo).map_or_else(
                    |_| String::new(),
                    |p| {
                        p.components()
                            .map(|c| c.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/")
                    },
                ),
                None if abs.is_dir() => String::new(),
                None => abs
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            RootPlace { shown, inside }
        })
        .collect()
}

/// Where the displayed `path` is in its project: the part below the longest root it starts with,
/// after that root's own place. `path` itself when no root matches.
///
/// A root `/ci/builds/test/app` (a repository) shows `/ci/builds/test/app/src/a.env`, which is
/// `src/a.env` in its project: the `test` above the repository is not a test directory.
fn place_of<'p>(places: &[RootPlace], path: &'p str) -> std::borrow::Cow<'p, str> {
    use std::borrow::Cow;
    let best = places
        .iter()
        .filter_map(|r| {
            let rest = if r.shown.is_empty() {
                path
            } else {
                let rest = path.strip_prefix(r.shown.as_str())?;
                if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\')) {
                    return None;
                }
                rest.trim_start_matches(['/', '\\'])
            };
            Some((r, rest))
        })
        .max_by_key(|(r, _)| r.shown.len());
    match best {
        None => Cow::Borrowed(path),
        Some((r, rest)) if r.inside.is_empty() => Cow::Borrowed(rest),
        Some((r, "")) => Cow::Owned(r.inside.clone()),
        Some((r, rest)) => Cow::Owned(format!("{}/{rest}", r.inside)),
    }
}

/// `path` relative to the absolute directory `base`, resolving `.` and `..` lexically (as the walker
/// produced them from the root the user typed); `None` if it is outside `base`.
fn relative_to(base: &Path, cwd: &Path, path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut abs = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                abs.pop();
            }
            other => abs.push(other),
        }
    }
    abs.strip_prefix(base).ok().map(Path::to_path_buf)
}

#[cfg(test)]
mod place_tests {
    use super::*;

    fn place(shown: &str, inside: &str, path: &str) -> String {
        let places = [RootPlace {
            shown: shown.into(),
            inside: inside.into(),
        }];
        place_of(&places, path).into_owned()
    }

    #[test]
    fn places_are_relative_to_the_project() {
        // `scan .` at the repository root.
        assert_eq!(place("", "", "src/a.env"), "src/a.env");
        // `scan /ci/builds/test/app`: the directories above the repository do not count.
        assert_eq!(
            place("/ci/builds/test/app", "", "/ci/builds/test/app/src/a.env"),
            "src/a.env"
        );
        // `scan repo/tests` inside a repository: the root's own place counts.
        assert_eq!(
            place("repo/tests", "tests", "repo/tests/a.env"),
            "tests/a.env"
        );
        // A file root.
        assert_eq!(
            place("tests/a.env", "tests/a.env", "tests/a.env"),
            "tests/a.env"
        );
        // A root that is a prefix of a sibling's name is not that sibling's root.
        assert_eq!(
            place("/x/app", "", "/x/app2/tests/a.env"),
            "/x/app2/tests/a.env"
        );
    }
}
