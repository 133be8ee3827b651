//! Directory trees: `ignore`'s parallel walker, each worker thread with its own read buffer and matcher
//! scratch space.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};

/// How a directory walk reads files.
#[derive(Debug, Clone)]
pub struct FsOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Files larger than this are skipped and counted.
    pub max_file_size: u64,
    /// Files at least this large are memory-mapped instead of read.
    pub mmap_threshold: u64,
    /// Honour `.gitignore`, `.ignore` and `.git/info/exclude`.
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
    /// use leakhound_core::{FsOptions, Scanner};
    /// use std::sync::Mutex;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join(".env"), "GITLAB_TOKEN=glpat-Hq3Zr8xK2mVb7NcT1pWd\n").unwrap(); // leakhound:allow (documentation token)
    /// let found = Mutex::new(Vec::new());
    /// let stats = Scanner::with_default_rules()
    ///     .scan_paths(&[dir.path()], &FsOptions::default(), &|f| found.lock().unwrap().push(f))
    ///     .unwrap();
    /// assert_eq!(stats.files, 1);
    /// assert_eq!(found.into_inner().unwrap()[0].rule, "gitlab-pat");
    /// ```
    pub fn scan_paths<P: AsRef<Path>>(
        &self,
        roots: &[P],
        opts: &FsOptions,
        sink: &(dyn Fn(Finding) + Sync),
    ) -> Result<ScanStats, FsError> {
        let started = Instant::now();
        for r in roots {
            if std::fs::symlink_metadata(r.as_ref()).is_err() {
                return Err(FsError::Missing(r.as_ref().to_path_buf()));
            }
        }
        let Some((first, rest)) = roots.split_first() else {
            return Ok(ScanStats::default());
        };
        let mut builder = WalkBuilder::new(first.as_ref());
        for r in rest {
            builder.add(r.as_ref());
        }
        let ignore_files = opts.respect_ignore_files;
        builder
            .hidden(false)
            .ignore(ignore_files)
            .git_ignore(ignore_files)
            .git_exclude(ignore_files)
            .git_global(false)
            .parents(ignore_files)
            .require_git(false)
            .follow_links(opts.follow_links)
            .threads(crate::scan::effective_threads(opts.threads))
            // `.git` holds objects, not files a developer wrote: history scanning is its own source.
            .filter_entry(|e| e.file_name() != ".git");

        let totals = Mutex::new(ScanStats::default());
        let cwd = std::env::current_dir().unwrap_or_default();
        // A directory, or a large file, is a bulk scan: worth the keyword DFA's ~4 ms build.
        let bulk = roots
            .iter()
            .any(|r| std::fs::metadata(r.as_ref()).is_ok_and(|m| m.is_dir() || m.len() >= 1 << 20));
        builder.build_parallel().run(|| {
            let mut worker = Worker {
                scanner: self,
                opts,
                sink,
                buf: Vec::new(),
                text: Vec::new(),
                scratch: Scratch::new(),
                found: Vec::new(),
                stats: ScanStats::default(),
                totals: &totals,
                cwd: cwd.clone(),
                bulk,
            };
            Box::new(move |entry| {
                worker.visit(entry);
                WalkState::Continue
            })
        });
        let mut stats = totals
            .into_inner()
            .expect("a worker panicked while merging statistics");
        stats.warnings.sort_by(|a, b| a.path.cmp(&b.path));
        stats.elapsed = started.elapsed();
        Ok(stats)
    }
}

/// One walker thread's state. Statistics are merged into `totals` once, when the thread's closure is
/// dropped, instead of locking per file.
struct Worker<'s> {
    scanner: &'s Scanner,
    opts: &'s FsOptions,
    sink: &'s (dyn Fn(Finding) + Sync),
    buf: Vec<u8>,
    /// Where content that is not plain text is turned into text.
    text: Vec<u8>,
    scratch: Scratch,
    found: Vec<Finding>,
    stats: ScanStats,
    totals: &'s Mutex<ScanStats>,
    cwd: PathBuf,
    bulk: bool,
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        if let Ok(mut t) = self.totals.lock() {
            t.merge(std::mem::take(&mut self.stats));
        }
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
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = walk_error_path(&err).unwrap_or_default();
                let reason = if is_loop(&err) {
                    SkipReason::SymlinkLoop
                } else {
                    SkipReason::WalkError
                };
                self.stats.skip(&path, reason, walk_error_message(&err));
                return;
            }
        };
        let Some(ft) = entry.file_type() else { return };
        if ft.is_dir() {
            return;
        }
        let path = display_path(entry.path());
        if !ft.is_file() {
            if !ft.is_symlink() {
                self.stats
                    .skip(&path, SkipReason::NotAFile, "not a regular file");
            }
            return;
        }
        if let Some(allow) = &self.opts.paths_allow {
            let rel = self
                .opts
                .paths_base
                .as_deref()
                .and_then(|base| relative_to(base, &self.cwd, entry.path()));
            if allow.is_match(&path) || rel.is_some_and(|r| allow.is_match(r)) {
                self.stats
                    .skip(&path, SkipReason::Allowlisted, "allowlisted path");
                return;
            }
        }
        self.scan_file(entry.path(), &path);
    }

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
            let msg = format!(
                "{len} bytes is over the maximum file size of {} bytes",
                self.opts.max_file_size
            );
            self.stats.skip(path, SkipReason::TooLarge, msg);
            return;
        }
        let map;
        let bytes: &[u8] = if len >= self.opts.mmap_threshold {
            // SAFETY: the map is read-only and dropped before this function returns. If another process
            // truncates the file while it is mapped, reads past the new end fault (SIGBUS); leakhound
            // accepts that rare risk for large files, as ripgrep does, because mapping saves a copy of
            // every byte. Small files, the overwhelming majority, are read, not mapped.
            match unsafe { memmap2::Mmap::map(&file) } {
                Ok(m) => {
                    map = m;
                    &map[..]
                }
                Err(e) => return io_skip(&mut self.stats, e),
            }
        } else {
            match read_known_len(&mut file, len as usize, &mut self.buf) {
                Ok(n) => &self.buf[..n],
                Err(e) => return io_skip(&mut self.stats, e),
            }
        };
        let (text, kind) = match crate::content::as_text(bytes, &mut self.text) {
            Ok(t) => t,
            Err(reason) => {
                self.stats.skip(path, reason, reason.as_str());
                return;
            }
        };
        self.stats.files += 1;
        self.stats.bytes += bytes.len() as u64;
        self.found.clear();
        self.scanner
            .context(self.bulk)
            .scan(path, text, &mut self.scratch, &mut self.found);
        for mut f in self.found.drain(..) {
            kind.mark(&mut f);
            (self.sink)(f);
        }
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

fn walk_error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::Io(_) | ignore::Error::Partial(_) => None,
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(display_path(child)),
        _ => None,
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

/// The walker's error without the path it wraps (the warning line names the path once).
fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loops back to {}", display_path(ancestor))
        }
        other => other
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}
