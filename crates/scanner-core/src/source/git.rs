//! Git history: every unique blob in the object database scanned once, then attributed to the commit
//! that introduced it.
//!
//! Peers pipe `git log -p` (every blob re-read for every commit that touches it) or look objects up one
//! at a time (every delta chain walked again for each object). Here each pack is traversed the way
//! `git verify-pack` does it, with gix's delta-tree traversal: every object is decoded exactly once,
//! from its already-decoded base, on all cores, and blobs go straight to the matcher. Paths are not
//! known during that traversal, so only the blobs that produced findings are looked for afterwards, in
//! one walk over the commit graph: memory stays proportional to the findings, not to the history.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Instant;

use gix::bstr::{BString, ByteSlice};
use gix::hash::ObjectId;
use gix::objs::Kind;
use serde::Serialize;

use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};

/// Progress of a history scan, for a display; sent from worker threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryProgress {
    /// About to decode this many objects (all packs).
    Objects(u64),
    /// This many more objects decoded, this many more blob bytes scanned.
    Decoded {
        /// Objects decoded since the last report.
        objects: u64,
        /// Blob bytes scanned since the last report.
        bytes: u64,
    },
    /// Decoding is done; the commits of the blobs with findings are being looked up.
    Attributing,
}

/// A progress callback (must be cheap: it is called every few thousand objects from each thread).
pub type ProgressFn = std::sync::Arc<dyn Fn(HistoryProgress) + Send + Sync>;

/// How a history scan runs.
#[derive(Clone, Default)]
pub struct HistoryOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Blobs larger than this are skipped and counted.
    pub max_file_size: u64,
    /// Only the blobs that the commits of this range introduce (`BASE..HEAD`, revisions as git
    /// resolves them).
    pub range: Option<String>,
    /// A state file of blob ids already scanned with this rule pack: they are skipped, and the file is
    /// updated at the end.
    pub incremental: Option<PathBuf>,
    /// Called with progress reports.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for HistoryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistoryOptions")
            .field("threads", &self.threads)
            .field("max_file_size", &self.max_file_size)
            .field("range", &self.range)
            .field("incremental", &self.incremental)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What stops a history scan before it starts.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The path is not inside a git repository.
    #[error("{}: not a git repository", .0.display())]
    NotARepository(PathBuf),
    /// A revision of `--range` does not resolve.
    #[error("{spec}: {message}")]
    BadRevision {
        /// The revision as given.
        spec: String,
        /// Why it does not resolve.
        message: String,
    },
    /// The repository could not be read (a broken pack index, an unwritable state file).
    #[error("{path}: {message}")]
    Repository {
        /// The file or directory concerned.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Counters of a history scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryStats {
    /// Commits in the object database (or in the range).
    pub commits: u64,
    /// Blobs scanned, bytes decoded, skips by reason, time.
    #[serde(flatten)]
    pub scan: ScanStats,
    /// Blobs skipped because the incremental state lists them as scanned.
    pub blobs_already_scanned: u64,
    /// Objects that could not be decoded (each named in a warning).
    pub corrupt_objects: u64,
    /// Distinct submodule entries (by name) in the history's trees: not followed.
    pub submodules: u64,
    /// Findings in blobs that no commit reaches.
    pub unreachable_findings: u64,
    /// The repository is a shallow clone: history before the cut is not there to scan.
    pub shallow: bool,
}

/// A finding and the blob it was found in.
#[derive(Debug, Clone)]
struct BlobFinding {
    blob: ObjectId,
    finding: Finding,
}

/// A commit as the attribution walk needs it, parsed once (during the pack traversal when possible).
#[derive(Debug, Clone)]
struct CommitNode {
    id: ObjectId,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
}

impl CommitNode {
    fn parse(id: ObjectId, data: &[u8]) -> Option<CommitNode> {
        let c = gix::objs::CommitRef::from_bytes(data, gix::hash::Kind::Sha1).ok()?;
        let time = c
            .author()
            .ok()
            .and_then(|a| a.time().ok())
            .map_or(0, |t| t.seconds);
        Some(CommitNode {
            id,
            tree: c.tree(),
            parents: c.parents().collect(),
            time,
        })
    }
}

/// What a source pass produced: findings per blob, the blob ids scanned (for the incremental state),
/// and the commits met (object-database scans) or the origins already known (range scans).
#[derive(Default)]
struct Pass {
    found: Vec<BlobFinding>,
    scanned: Vec<ObjectId>,
    commits: Vec<CommitNode>,
    origins: HashMap<ObjectId, Origin>,
}

/// Where a blob was first introduced.
#[derive(Debug, Clone)]
struct Origin {
    commit: ObjectId,
    path: BString,
}

/// State shared by the traversal threads; each thread's [`Worker`] merges into it once, when dropped.
struct Shared<'a> {
    scanner: &'a Scanner,
    max_size: u64,
    known: &'a HashSet<ObjectId>,
    out: Mutex<Collected>,
    progress: Option<&'a ProgressFn>,
    /// Keep the ids of scanned blobs (for the incremental state).
    record_scanned: bool,
}

#[derive(Default)]
struct Collected {
    findings: Vec<BlobFinding>,
    scanned: Vec<ObjectId>,
    commits: Vec<CommitNode>,
    /// Objects decoded (a count: a set of ids would cost ~40 bytes per object of the repository).
    decoded: u64,
    stats: ScanStats,
    already: u64,
    /// Names of submodule (gitlink) entries met in trees.
    submodules: HashSet<BString>,
}

impl Shared<'_> {
    /// Everything the workers merged (all of them must have been dropped), counters added to `stats`.
    fn finish(self, stats: &mut HistoryStats) -> Collected {
        let mut out = self.out.into_inner().expect("no panics while holding it");
        stats.scan.merge(std::mem::take(&mut out.stats));
        stats.blobs_already_scanned += out.already;
        out
    }
}

/// One traversal thread's scratch space and counters. gix clones the processor closure (and with it
/// this worker) once per thread and drops the clones when the pack is done: `Drop` is the merge point.
#[derive(Clone)]
struct Worker<'a> {
    shared: &'a Shared<'a>,
    skip: &'a HashSet<ObjectId>,
    scratch: Scratch,
    /// Where content that is not plain text is turned into text.
    text: Vec<u8>,
    found: Vec<Finding>,
    local: Collected,
    /// Objects and bytes not yet reported to the progress callback.
    unreported: (u64, u64),
}

/// A clone starts empty: gix clones the template worker once per thread, and each clone merges only
/// what its own thread collected (copying the template's counts would count them twice).
impl Clone for Collected {
    fn clone(&self) -> Collected {
        Collected::default()
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.report_progress();
        let local = std::mem::take(&mut self.local);
        if let Ok(mut out) = self.shared.out.lock() {
            out.findings.extend(local.findings);
            out.scanned.extend(local.scanned);
            out.commits.extend(local.commits);
            out.decoded += local.decoded;
            out.stats.merge(local.stats);
            out.already += local.already;
            out.submodules.extend(local.submodules);
        }
    }
}

impl<'a> Worker<'a> {
    fn new(shared: &'a Shared<'a>, skip: &'a HashSet<ObjectId>) -> Worker<'a> {
        Worker {
            shared,
            skip,
            scratch: Scratch::new(),
            text: Vec::new(),
            found: Vec::new(),
            local: Collected::default(),
            unreported: (0, 0),
        }
    }

    fn report_progress(&mut self) {
        if let Some(p) = self.shared.progress {
            if self.unreported.0 > 0 {
                p(HistoryProgress::Decoded {
                    objects: self.unreported.0,
                    bytes: self.unreported.1,
                });
            }
        }
        self.unreported = (0, 0);
    }

    fn object(&mut self, kind: Kind, oid: ObjectId, data: &[u8]) {
        self.unreported.0 += 1;
        if self.unreported.0 >= 2048 {
            self.report_progress();
        }
        self.local.decoded += 1;
        if self.skip.contains(&oid) {
            return;
        }
        match kind {
            Kind::Blob => self.blob(oid, data),
            Kind::Commit => self.local.commits.extend(CommitNode::parse(oid, data)),
            Kind::Tree => {
                // Submodules are not followed (their objects live in another repository): note them.
                for entry in
                    gix::objs::TreeRefIter::from_bytes(data, gix::hash::Kind::Sha1).flatten()
                {
                    if entry.mode.is_commit() {
                        self.local.submodules.insert(entry.filename.to_owned());
                    }
                }
            }
            Kind::Tag => {}
        }
    }

    fn blob(&mut self, oid: ObjectId, data: &[u8]) {
        if self.shared.known.contains(&oid) {
            self.local.already += 1;
            return;
        }
        if self.shared.record_scanned {
            self.local.scanned.push(oid);
        }
        let stats = &mut self.local.stats;
        if data.len() as u64 > self.shared.max_size {
            let msg = format!(
                "{} bytes is over the maximum file size of {} bytes",
                data.len(),
                self.shared.max_size
            );
            stats.skip(&format!("blob {oid}"), SkipReason::TooLarge, msg);
            return;
        }
        let (text, kind) = match crate::content::as_text(data, &mut self.text) {
            Ok(t) => t,
            Err(reason) => {
                stats.skip(&format!("blob {oid}"), reason, reason.as_str());
                return;
            }
        };
        stats.files += 1;
        stats.bytes += data.len() as u64;
        self.unreported.1 += data.len() as u64;
        self.shared
            .scanner
            .context(true)
            .scan("", text, &mut self.scratch, &mut self.found);
        for mut finding in self.found.drain(..) {
            kind.mark(&mut finding);
            self.local.findings.push(BlobFinding { blob: oid, finding });
        }
    }
}

impl Scanner {
    /// Scans the history of the repository at (or above) `repo`: every blob of the object database once
    /// (packs and loose objects, reachable from any ref or not), or, with `opts.range`, only the blobs
    /// the commits of that range introduce. Each finding carries the `commit`, `author`, `date` and
    /// `path` at which its blob first appeared (oldest in topological order); a blob that no commit
    /// reaches has no commit and a note saying so.
    ///
    /// # Errors
    /// [`HistoryError`] when there is no repository, a revision does not resolve, or a pack index cannot
    /// be read. Corrupt objects are counted and named in the warnings, and the scan goes on.
    ///
    /// # Example
    /// ```no_run
    /// use leakhound_core::{HistoryOptions, Scanner};
    ///
    /// let opts = HistoryOptions { max_file_size: 100 << 20, ..HistoryOptions::default() };
    /// let (findings, stats) = Scanner::with_default_rules().scan_history(".".as_ref(), &opts)?;
    /// for f in &findings {
    ///     println!("{} {}:{} {}", f.commit.as_deref().unwrap_or("-"), f.path, f.line, f.rule);
    /// }
    /// println!("{} blobs, {} bytes", stats.scan.files, stats.scan.bytes);
    /// # Ok::<(), leakhound_core::HistoryError>(())
    /// ```
    pub fn scan_history(
        &self,
        repo: &Path,
        opts: &HistoryOptions,
    ) -> Result<(Vec<Finding>, HistoryStats), HistoryError> {
        let started = Instant::now();
        let repository =
            gix::discover(repo).map_err(|_| HistoryError::NotARepository(repo.to_path_buf()))?;
        let mut stats = HistoryStats {
            shallow: repository.is_shallow().unwrap_or(false),
            ..HistoryStats::default()
        };
        // The state is valid for these rules and this engine: a new release may find more in old blobs.
        let pack_hash = env!("CARGO_PKG_VERSION")
            .bytes()
            .fold(self.rules().content_hash(), |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let known = match &opts.incremental {
            Some(p) => load_state(p, pack_hash),
            None => HashSet::new(),
        };
        let max_size = if opts.max_file_size == 0 {
            u64::MAX
        } else {
            opts.max_file_size
        };

        let pass = match &opts.range {
            Some(range) => self.scan_range(&repository, range, max_size, &known, &mut stats)?,
            None => {
                let mut pass =
                    self.scan_object_database(&repository, opts, max_size, &known, &mut stats)?;
                let wanted: HashSet<ObjectId> = pass.found.iter().map(|f| f.blob).collect();
                if let Some(p) = &opts.progress {
                    p(HistoryProgress::Attributing);
                }
                pass.origins = attribute(&repository, &pass.commits, &wanted);
                pass
            }
        };
        stats.commits = pass.commits.len() as u64;
        let scanned = pass.scanned;
        let mut findings = self.finish(&repository, pass.found, &pass.origins, &mut stats);
        findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.commit).cmp(&(&b.path, b.line, b.column, &b.commit))
        });

        if let Some(p) = &opts.incremental {
            let mut all = known;
            all.extend(scanned);
            save_state(p, pack_hash, &all).map_err(|e| HistoryError::Repository {
                path: p.display().to_string(),
                message: format!("cannot write the incremental state: {e}"),
            })?;
        }
        stats.scan.warnings.sort_by(|a, b| a.path.cmp(&b.path));
        stats.scan.elapsed = started.elapsed();
        Ok((findings, stats))
    }

    /// Every pack traversed with delta-tree decoding, then the loose objects. Returns the findings, the
    /// blob ids scanned (kept for `--incremental` only), and every commit met, reachable or not.
    fn scan_object_database(
        &self,
        repo: &gix::Repository,
        opts: &HistoryOptions,
        max_size: u64,
        known: &HashSet<ObjectId>,
        stats: &mut HistoryStats,
    ) -> Result<Pass, HistoryError> {
        let objects_dir = repo.common_dir().join("objects");
        let mut idx_files: Vec<PathBuf> = std::fs::read_dir(objects_dir.join("pack"))
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                    .collect()
            })
            .unwrap_or_default();
        idx_files.sort();
        let bundles = idx_files
            .iter()
            .map(|idx| {
                gix::odb::pack::Bundle::at(idx, gix::hash::Kind::Sha1).map_err(|e| {
                    HistoryError::Repository {
                        path: idx.display().to_string(),
                        message: e.to_string(),
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let opts_progress = opts.progress.as_ref();
        if let Some(p) = opts_progress {
            p(HistoryProgress::Objects(
                bundles
                    .iter()
                    .map(|b| u64::from(b.index.num_objects()))
                    .sum(),
            ));
        }

        let shared = Shared {
            scanner: self,
            max_size,
            known,
            out: Mutex::new(Collected::default()),
            progress: opts_progress,
            record_scanned: opts.incremental.is_some(),
        };
        // An object stored twice (two packs, or a pack and a loose file) is scanned where it is met first:
        // a later pack's entry is skipped when an earlier pack's index has it. A binary search per entry
        // instead of a set of every object id, which would cost ~250 MB for a repository of 5M objects.
        for (n, (idx, bundle)) in idx_files.iter().zip(&bundles).enumerate() {
            let duplicates: HashSet<ObjectId> = bundle
                .index
                .iter()
                .map(|e| e.oid)
                .filter(|oid| bundles[..n].iter().any(|b| b.index.lookup(oid).is_some()))
                .collect();
            let decoded_before = shared
                .out
                .lock()
                .expect("no panics while holding it")
                .decoded;
            {
                let mut worker = Worker::new(&shared, &duplicates);
                let processor = move |kind: Kind,
                                      data: &[u8],
                                      entry: &gix::odb::pack::index::Entry,
                                      _: &dyn gix::Progress| {
                    worker.object(kind, entry.oid, data);
                    Ok(())
                };
                let interrupt = AtomicBool::new(false);
                let traversal = bundle.index.traverse(
                    &bundle.pack,
                    &mut gix::progress::Discard,
                    &interrupt,
                    processor,
                    gix::odb::pack::index::traverse::Options {
                        traversal: gix::odb::pack::index::traverse::Algorithm::DeltaTreeLookup,
                        thread_limit: Some(crate::scan::effective_threads(opts.threads)),
                        // Decode errors are not fatal: the objects that fail are found by difference below,
                        // named, and counted, and the rest of the pack is scanned.
                        check: gix::odb::pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerificationAndNoAbortOnDecodeError,
                        alloc_limit_bytes: None,
                        make_pack_lookup_cache: || gix::odb::pack::cache::Never,
                    },
                );
                if let Err(e) = traversal {
                    return Err(HistoryError::Repository {
                        path: idx.display().to_string(),
                        message: e.to_string(),
                    });
                }
            }
            let mut out = shared.out.lock().expect("no panics while holding it");
            if out.decoded - decoded_before < u64::from(bundle.index.num_objects()) {
                // Rare: name the objects that failed by decoding each one on its own.
                let failed = bundle
                    .index
                    .iter()
                    .map(|e| e.oid)
                    .filter(|oid| repo.find_object(*oid).is_err());
                for oid in failed {
                    stats.corrupt_objects += 1;
                    out.stats.skip(
                        &format!("object {oid}"),
                        SkipReason::Unreadable,
                        format!("cannot be decoded from {}", idx.display()),
                    );
                }
            }
        }

        // Loose objects: usually few (recent commits before `git gc`), read one by one.
        let loose = gix::odb::loose::Store::at(&objects_dir, gix::hash::Kind::Sha1);
        let no_skip = HashSet::new();
        let mut worker = Worker::new(&shared, &no_skip);
        let mut buf = Vec::new();
        for oid in loose.iter().filter_map(Result::ok) {
            if bundles.iter().any(|b| b.index.lookup(oid).is_some()) {
                continue;
            }
            match loose.try_find(&oid, &mut buf) {
                Ok(Some(obj)) => {
                    let kind = obj.kind;
                    let data = obj.data.to_vec();
                    worker.object(kind, oid, &data);
                }
                _ => {
                    stats.corrupt_objects += 1;
                    worker.local.stats.skip(
                        &format!("object {oid}"),
                        SkipReason::Unreadable,
                        "loose object cannot be decoded",
                    );
                }
            }
        }
        drop(worker);

        let out = shared.finish(stats);
        stats.submodules = out.submodules.len() as u64;
        Ok(Pass {
            found: out.findings,
            scanned: out.scanned,
            commits: out.commits,
            origins: HashMap::new(),
        })
    }

    /// The blobs that the commits of `BASE..HEAD` introduce (added or changed relative to each commit's
    /// first parent), each scanned once and attributed to the oldest commit of the range introducing it.
    fn scan_range(
        &self,
        repo: &gix::Repository,
        range: &str,
        max_size: u64,
        known: &HashSet<ObjectId>,
        stats: &mut HistoryStats,
    ) -> Result<Pass, HistoryError> {
        let (base, head) = match range.split_once("..") {
            Some((b, h)) => (b, if h.is_empty() { "HEAD" } else { h }),
            None => {
                return Err(HistoryError::BadRevision {
                    spec: range.to_owned(),
                    message: "expected BASE..HEAD".into(),
                });
            }
        };
        let resolve = |spec: &str| -> Result<ObjectId, HistoryError> {
            let spec = if spec.is_empty() { "HEAD" } else { spec };
            repo.rev_parse_single(spec)
                .map_err(|e| HistoryError::BadRevision {
                    spec: spec.to_owned(),
                    message: first_line(&e.to_string()),
                })?
                .object()
                .and_then(|o| o.peel_to_commit())
                .map(|c| c.id)
                .map_err(|e| HistoryError::BadRevision {
                    spec: spec.to_owned(),
                    message: first_line(&e.to_string()),
                })
        };
        let (base, head) = (resolve(base)?, resolve(head)?);
        let walk = repo
            .rev_walk([head])
            .with_hidden([base])
            .all()
            .map_err(|e| HistoryError::BadRevision {
                spec: range.to_owned(),
                message: first_line(&e.to_string()),
            })?;
        let ids: Vec<ObjectId> = walk.filter_map(Result::ok).map(|info| info.id).collect();
        let mut commits: Vec<CommitNode> = ids
            .iter()
            .rev() // oldest first
            .filter_map(|&id| {
                repo.find_object(id)
                    .ok()
                    .and_then(|o| CommitNode::parse(id, &o.data))
            })
            .collect();
        // Within a range, a parent outside it is still the base to diff against.
        commits.iter_mut().for_each(|c| c.parents.truncate(1));

        let mut origins: HashMap<ObjectId, Origin> = HashMap::new();
        let mut order: Vec<ObjectId> = Vec::new();
        let mut diff_state = gix::diff::tree::State::default();
        let trees: HashMap<ObjectId, ObjectId> = HashMap::new();
        for c in &commits {
            for (oid, path) in
                introduced_blobs(repo, c, &trees, &mut diff_state, &mut stats.submodules)
            {
                if let std::collections::hash_map::Entry::Vacant(e) = origins.entry(oid) {
                    e.insert(Origin { commit: c.id, path });
                    order.push(oid);
                }
            }
        }
        let opts_progress = None;
        let shared = Shared {
            scanner: self,
            max_size,
            known,
            out: Mutex::new(Collected::default()),
            progress: opts_progress,
            record_scanned: true,
        };
        let no_skip = HashSet::new();
        let mut worker = Worker::new(&shared, &no_skip);
        for oid in order {
            match repo.find_object(oid) {
                Ok(obj) => worker.blob(oid, &obj.data),
                Err(e) => {
                    stats.corrupt_objects += 1;
                    worker.local.stats.skip(
                        &format!("object {oid}"),
                        SkipReason::Unreadable,
                        first_line(&e.to_string()),
                    );
                }
            }
        }
        drop(worker);
        let out = shared.finish(stats);
        Ok(Pass {
            found: out.findings,
            scanned: out.scanned,
            commits,
            origins,
        })
    }

    /// Attaches origins (path, commit, author, date) and applies the path-based exemptions, which could
    /// not run while the blobs had no path.
    fn finish(
        &self,
        repo: &gix::Repository,
        found: Vec<BlobFinding>,
        origins: &HashMap<ObjectId, Origin>,
        stats: &mut HistoryStats,
    ) -> Vec<Finding> {
        let mut commit_info: HashMap<ObjectId, (String, String, String)> = HashMap::new();
        let mut out = Vec::with_capacity(found.len());
        for BlobFinding { blob, mut finding } in found {
            finding.blob = Some(blob.to_string());
            match origins.get(&blob) {
                Some(origin) => {
                    finding.path = origin.path.to_str_lossy().into_owned();
                    let (author, date, summary) = commit_info
                        .entry(origin.commit)
                        .or_insert_with(|| describe_commit(repo, origin.commit))
                        .clone();
                    finding.commit = Some(origin.commit.to_string());
                    finding.author = Some(author);
                    finding.date = Some(date);
                    finding.summary = Some(summary);
                }
                None => {
                    finding.path = format!("(blob {blob})");
                    finding.note =
                        Some("unreachable: no commit in the repository contains this blob".into());
                    stats.unreachable_findings += 1;
                }
            }
            let rule_exempt = self
                .rules()
                .get(&finding.rule)
                .is_some_and(|r| r.path_allowed(&finding.path));
            if !rule_exempt {
                out.push(finding);
            }
        }
        out
    }
}

/// For each wanted blob, the first (commit, path) introducing it, walking every commit of the object
/// database oldest first (a topological order: by generation, then author time), each diffed against
/// its first parent. Dangling commits are included: a force-push does not remove a leak.
///
/// The diffs run in parallel, a chunk of commits at a time in that order, and the walk stops at the
/// first chunk after which every wanted blob has an origin. Over the 6,000-commit benchmark history the
/// walk was half of the whole scan's time when it ran on one thread re-reading each commit.
fn attribute(
    repo: &gix::Repository,
    commits: &[CommitNode],
    wanted: &HashSet<ObjectId>,
) -> HashMap<ObjectId, Origin> {
    use rayon::prelude::*;

    let mut origins = HashMap::new();
    if wanted.is_empty() {
        return origins;
    }
    let index: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    // Generation numbers (roots are 1), iteratively: histories are deeper than the stack.
    let mut generation: Vec<u32> = vec![0; commits.len()];
    for start in 0..commits.len() {
        let mut stack = vec![start];
        while let Some(&i) = stack.last() {
            if generation[i] != 0 {
                stack.pop();
                continue;
            }
            let pending: Vec<usize> = commits[i]
                .parents
                .iter()
                .filter_map(|p| index.get(p).copied())
                .filter(|&p| generation[p] == 0)
                .collect();
            if pending.is_empty() {
                let g = commits[i]
                    .parents
                    .iter()
                    .filter_map(|p| index.get(p))
                    .map(|&p| generation[p])
                    .max();
                generation[i] = g.unwrap_or(0) + 1;
                stack.pop();
            } else {
                stack.extend(pending);
            }
        }
    }
    let mut order: Vec<usize> = (0..commits.len()).collect();
    order.sort_unstable_by_key(|&i| (generation[i], commits[i].time, commits[i].id));
    let trees: HashMap<ObjectId, ObjectId> = commits.iter().map(|c| (c.id, c.tree)).collect();

    let shared_repo = repo.clone().into_sync();
    for chunk in order.chunks(256) {
        let mut hits: Vec<(usize, ObjectId, BString)> = chunk
            .par_iter()
            .map_init(
                || {
                    let mut r = shared_repo.to_thread_local();
                    // Parents' trees are read again as the next commit's old side: keep them; and keep
                    // decoded delta bases, so a tree's delta chain is not inflated again for each version.
                    r.object_cache_size(16 << 20);
                    r.objects.set_pack_cache(|| {
                        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                            32 << 20,
                        ))
                    });
                    (r, gix::diff::tree::State::default())
                },
                |(r, state), &i| {
                    // Submodules were counted during the traversal already.
                    let mut n = 0;
                    let found: Vec<(usize, ObjectId, BString)> =
                        introduced_blobs(r, &commits[i], &trees, state, &mut n)
                            .into_iter()
                            .filter(|(oid, _)| wanted.contains(oid))
                            .map(|(oid, path)| (i, oid, path))
                            .collect();
                    found
                },
            )
            .flatten()
            .collect();
        // Keep the walk's order: the earliest commit of the chunk wins.
        let position: HashMap<usize, usize> =
            chunk.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
        hits.sort_by_key(|(i, _, _)| position[i]);
        for (i, oid, path) in hits {
            origins.entry(oid).or_insert(Origin {
                commit: commits[i].id,
                path,
            });
        }
        if origins.len() == wanted.len() {
            break;
        }
    }
    origins
}

/// The blobs (with their paths) that `commit` adds or changes relative to its first parent (all of its
/// tree for a root commit). `trees` maps commit ids to tree ids where known; other parents are read.
/// Submodule entries are counted, not followed.
fn introduced_blobs(
    repo: &gix::Repository,
    commit: &CommitNode,
    trees: &HashMap<ObjectId, ObjectId>,
    state: &mut gix::diff::tree::State,
    submodules: &mut u64,
) -> Vec<(ObjectId, BString)> {
    let Ok(new_tree) = repo.find_object(commit.tree).map(|o| o.detach()) else {
        return Vec::new();
    };
    let parent_tree = commit.parents.first().and_then(|p| {
        trees.get(p).copied().or_else(|| {
            repo.find_commit(*p)
                .ok()
                .and_then(|c| c.tree_id().ok().map(|t| t.detach()))
        })
    });
    let old_tree = parent_tree.and_then(|t| repo.find_object(t).ok().map(|o| o.detach()));
    let old_data: &[u8] = old_tree.as_ref().map_or(&[], |o| &o.data);
    let mut recorder = gix::diff::tree::Recorder::default();
    let old = gix::objs::TreeRefIter::from_bytes(old_data, gix::hash::Kind::Sha1);
    let new = gix::objs::TreeRefIter::from_bytes(&new_tree.data, gix::hash::Kind::Sha1);
    if gix::diff::tree(old, new, &mut *state, &repo.objects, &mut recorder).is_err() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for change in recorder.records {
        let (mode, oid, path) = match change {
            gix::diff::tree::recorder::Change::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => (entry_mode, oid, path),
            gix::diff::tree::recorder::Change::Modification {
                entry_mode,
                oid,
                path,
                ..
            } => (entry_mode, oid, path),
            gix::diff::tree::recorder::Change::Deletion { .. } => continue,
        };
        if mode.is_commit() {
            *submodules += 1;
        } else if mode.is_blob() {
            out.push((oid, path));
        }
    }
    out
}

/// `Name <email>`, RFC 3339 author date (UTC), and the message's first line.
fn describe_commit(repo: &gix::Repository, id: ObjectId) -> (String, String, String) {
    let Ok(c) = repo.find_commit(id) else {
        return Default::default();
    };
    let (author, date) = match c.author() {
        Ok(a) => (
            format!(
                "{} <{}>",
                a.name.to_str_lossy().trim(),
                a.email.to_str_lossy().trim()
            ),
            a.time().map(|t| rfc3339_utc(t.seconds)).unwrap_or_default(),
        ),
        Err(_) => Default::default(),
    };
    let summary = c
        .message()
        .map(|m| m.summary().to_str_lossy().into_owned())
        .unwrap_or_default();
    (author, date, summary)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_utc(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let date = crate::date::Date::from_days(secs.div_euclid(86_400));
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

const STATE_MAGIC: &[u8; 8] = b"LHINC01\n";

/// The blob ids an earlier run scanned with the same rule pack; empty when the file is missing,
/// unreadable, or was written for another rule pack (new rules must see old blobs).
fn load_state(path: &Path, pack_hash: u64) -> HashSet<ObjectId> {
    let Ok(bytes) = std::fs::read(path) else {
        return HashSet::new();
    };
    if bytes.len() < 16 || &bytes[..8] != STATE_MAGIC || bytes[8..16] != pack_hash.to_le_bytes() {
        return HashSet::new();
    }
    bytes[16..]
        .chunks_exact(20)
        .map(ObjectId::from_bytes_or_panic)
        .collect()
}

/// Writes the state atomically (temp file + rename), ids sorted so the file is deterministic.
fn save_state(path: &Path, pack_hash: u64, blobs: &HashSet<ObjectId>) -> std::io::Result<()> {
    let mut ids: Vec<&ObjectId> = blobs.iter().collect();
    ids.sort_unstable();
    let mut bytes = Vec::with_capacity(16 + ids.len() * 20);
    bytes.extend_from_slice(STATE_MAGIC);
    bytes.extend_from_slice(&pack_hash.to_le_bytes());
    for id in ids {
        bytes.extend_from_slice(id.as_bytes());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

/// The default incremental state file of a repository: `<git dir>/leakhound/history-state`.
///
/// # Errors
/// [`HistoryError::NotARepository`] when `repo` is not in a git repository.
pub fn default_state_path(repo: &Path) -> Result<PathBuf, HistoryError> {
    let r = gix::discover(repo).map_err(|_| HistoryError::NotARepository(repo.to_path_buf()))?;
    Ok(r.common_dir().join("leakhound").join("history-state"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_714_557_600), "2024-05-01T10:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
