//! Git history: every object of the repository's object database read once, blobs and messages
//! scanned, then each finding attributed to the commit that introduced it.
//!
//! Peers pipe `git log -p` (every blob re-read for every commit that touches it) or look objects up one
//! at a time (every delta chain walked again for each object). Here each pack is traversed the way
//! `git index-pack` resolves it, with gix's delta tree: every object is decoded exactly once, from its
//! already-decoded base, on all cores, and blobs go straight to the matcher. The object database is
//! opened as git opens it (gix's store), so packs and loose objects of alternates (`git clone --shared`,
//! `--reference`, fork pools) and packs listed by a multi-pack index are all read. Paths are not known
//! during that traversal, so only the blobs that produced findings are looked for afterwards, in one
//! walk over the commit graph, and rescanned there with their path: memory stays proportional to the
//! findings, not to the history.
//!
//! Nothing is lost silently: a pack or index that cannot be read is named and its objects counted, the
//! rest is scanned; a partial clone's missing objects are counted; a shallow clone is flagged.

mod attribute;
mod collect;
mod pack;
mod state;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use gix::bstr::ByteSlice;
use gix::hash::ObjectId;
use serde::Serialize;

use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};
use crate::source::sink::{Progress, Sink};
use attribute::{attribute, introduced_blobs, CommitNode, Origin};
use collect::{Collected, Found, Place, Shared, Worker};
use pack::{Pack, PositionSet};
use state::StateKey;

/// How a history scan runs.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Blobs larger than this are skipped and counted.
    pub max_file_size: u64,
    /// Only the blobs that the commits of this range introduce (`BASE..HEAD`, revisions as git
    /// resolves them).
    pub range: Option<String>,
    /// The state of objects already scanned with this configuration: they are skipped, and the state
    /// is updated at the end (a file written in place, or bytes returned in [`HistoryStats::state`]).
    pub incremental: Option<StateStore>,
    /// Globs of paths (relative to the repository root) whose findings are not reported. Part of the
    /// incremental state's key, like the rules and the size limit.
    pub allow_paths: Vec<String>,
    /// A partial clone's missing objects are expected: count them, but do not treat them as lost input.
    pub allow_partial: bool,
    /// With an incremental state: HEAD's blobs are scanned again even when the state lists them, so
    /// that the run sees everything at HEAD (its findings, today's owners and statuses), plus what is
    /// new in the history.
    pub rescan_head: bool,
}

/// Where `--incremental` keeps the ids of the objects earlier runs scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateStore {
    /// A file, read before the scan and replaced after it.
    File(PathBuf),
    /// Kept by the caller (a ledger): the bytes an earlier run returned in [`HistoryStats::state`]
    /// (empty: none). Nothing is written; the new state comes back in [`HistoryStats::state`].
    Bytes(Vec<u8>),
}

/// What stops a history scan before it starts.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The path is not inside a git repository.
    #[error("{}: not a git repository", .0.display())]
    NotARepository(PathBuf),
    /// There is a repository, but it cannot be opened (an unsupported object format or extension, a
    /// broken configuration).
    #[error("{}: cannot open the repository", .path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// What gix said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// `--range` is not of the form `BASE..HEAD`.
    #[error("{0}: expected BASE..HEAD")]
    NotARange(String),
    /// A revision of `--range` does not resolve.
    #[error("{spec}: not a commit here")]
    BadRevision {
        /// The revision as given.
        spec: String,
        /// Why it does not resolve.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The repository could not be read (its object database cannot be listed, the state file cannot be
    /// written).
    #[error("{path}: {what}")]
    Repository {
        /// The file or directory concerned.
        path: String,
        /// What could not be done.
        what: &'static str,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A glob of [`HistoryOptions::allow_paths`] is invalid.
    #[error("allowlisted path {glob:?}: {message}")]
    BadGlob {
        /// The glob as given.
        glob: String,
        /// Why it is invalid.
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
    /// Commit and annotated tag messages scanned.
    pub messages: u64,
    /// Objects (blobs, and commits and tags for their messages) skipped because the incremental state
    /// lists them as scanned.
    pub blobs_already_scanned: u64,
    /// Objects that could not be decoded (each pack, index or object named in a warning).
    pub corrupt_objects: u64,
    /// Objects that commits and trees refer to but that are not in the repository (a partial clone).
    pub missing_objects: u64,
    /// The repository is a partial clone (`--filter`): objects it was cloned without are not there.
    pub partial_clone: bool,
    /// Distinct submodule entries (by name) in the history's trees: not followed.
    pub submodules: u64,
    /// Findings in blobs that no commit reaches.
    pub unreachable_findings: u64,
    /// The repository is a shallow clone: history before the cut is not there to scan.
    pub shallow: bool,
    /// The repository's object format (`sha1` or `sha256`).
    pub object_format: String,
    /// The new incremental state, when the caller keeps it ([`StateStore::Bytes`]): every object
    /// scanned by this run and the earlier ones, under this run's configuration.
    #[serde(skip)]
    pub state: Option<Vec<u8>>,
    /// With [`StateStore::Bytes`]: only what this run added, as a segment to append to the earlier
    /// state (the earlier bytes followed by this equal [`HistoryStats::state`]; empty when nothing was
    /// added); None when the earlier state was empty or written under another configuration (then
    /// [`HistoryStats::state`] replaces it).
    #[serde(skip)]
    pub state_added: Option<Vec<u8>>,
}

/// What a source pass produced: findings by place, the object ids scanned (for the incremental state),
/// and the commits met (object-database scans) or the origins already known (range scans).
#[derive(Default)]
struct Pass {
    /// Commits and trees whose pack index misnames them, for lookups by their real id.
    recovered: Vec<(gix::objs::Kind, Vec<u8>)>,
    found: Vec<Found>,
    scanned: Vec<ObjectId>,
    commits: Vec<CommitNode>,
    origins: HashMap<ObjectId, Origin>,
    /// A range's blobs at each path that introduced them, oldest commit first.
    introduced: Vec<(ObjectId, Origin)>,
}

impl Scanner {
    /// Scans the history of the repository at (or above) `repo`: every blob of the object database once
    /// (packs and loose objects, of the repository and of its alternates, reachable from any ref or
    /// not) and every commit and annotated tag message, or, with `opts.range`, only the blobs and
    /// messages of the commits of that range. Each finding carries the `commit`, `author` and `date` at
    /// which its blob first appeared (oldest in topological order) and its `path` there; a blob that no
    /// commit reaches has no commit and a note saying so; a message's finding has `source` set and no
    /// path.
    ///
    /// # Errors
    /// [`HistoryError`] when there is no repository, it cannot be opened, a revision does not resolve,
    /// or its object database cannot be listed. Unreadable packs, indexes and objects are counted and
    /// named in the warnings, and the scan goes on.
    ///
    /// # Example
    /// ```no_run
    /// use leakhound_core::source::Collect;
    /// use leakhound_core::{HistoryOptions, Scanner};
    ///
    /// let opts = HistoryOptions { max_file_size: 100 << 20, ..HistoryOptions::default() };
    /// let found = Collect::default();
    /// let stats = Scanner::with_default_rules().scan_history(".".as_ref(), &opts, &found)?;
    /// for f in &found.into_sorted() {
    ///     println!("{} {}:{} {}", f.commit.as_deref().unwrap_or("-"), f.path, f.line, f.rule);
    /// }
    /// println!("{} blobs, {} bytes", stats.scan.files, stats.scan.bytes);
    /// # Ok::<(), leakhound_core::HistoryError>(())
    /// ```
    pub fn scan_history(
        &self,
        repo: &Path,
        opts: &HistoryOptions,
        sink: &dyn Sink,
    ) -> Result<HistoryStats, HistoryError> {
        let started = Instant::now();
        let mut repository = open(repo)?;
        let hash = repository.object_hash();
        let mut stats = HistoryStats {
            shallow: repository.is_shallow().unwrap_or(false),
            partial_clone: is_partial_clone(&repository),
            object_format: hash.to_string(),
            ..HistoryStats::default()
        };
        let allow_paths = crate::config::globs(&opts.allow_paths)
            .map_err(|(glob, message)| HistoryError::BadGlob { glob, message })?;
        let max_size = if opts.max_file_size == 0 {
            u64::MAX
        } else {
            opts.max_file_size
        };
        let key = self.state_key(opts, max_size);
        let mut known = match &opts.incremental {
            Some(StateStore::File(p)) => state::load(p, key, hash),
            Some(StateStore::Bytes(b)) => state::decode(b, key, hash),
            None => HashSet::new(),
        };
        let prior_len = known.len();
        // HEAD's blobs that the state lists, read again (`rescan_head`).
        let mut reread = HashSet::new();
        if opts.rescan_head && !known.is_empty() {
            let head =
                crate::repos::head_blobs(&repository).map_err(|e| HistoryError::Repository {
                    path: repo.display().to_string(),
                    what: "cannot read HEAD's tree",
                    source: e.into(),
                })?;
            known.retain(|id| match head.contains(id) {
                true => !reread.insert(*id),
                false => true,
            });
        }

        let mut pass = match &opts.range {
            Some(range) => self.scan_range(&repository, range, max_size, &known, &mut stats)?,
            None => {
                self.scan_object_database(&repository, opts, max_size, &known, &mut stats, sink)?
            }
        };
        if !pass.recovered.is_empty() {
            // Lookups by id go through the object database, which cannot find what a corrupt index
            // misnames: keep those objects in memory (never written to the repository).
            repository = repository.with_object_memory();
            add_objects(&repository, &pass.recovered);
        }
        let path_rules: Vec<&crate::Rule> =
            self.rules().iter().filter(|r| r.is_path_only()).collect();
        // Rules limited to `paths` and without keywords never ran on a blob (its path was unknown):
        // every blob that appeared at one of their paths is scanned again there.
        let scoped_rules: Vec<&crate::Rule> = self
            .rules()
            .iter()
            .filter(|r| !r.paths().is_empty() && r.keywords().is_empty())
            .collect();
        let accepts = |path: &str| {
            let mut candidate = None;
            scoped_rules.iter().any(|r| r.runs_on(path, &mut candidate))
        };
        let scoped_test: Option<&dyn Fn(&str) -> bool> =
            (!scoped_rules.is_empty()).then_some(&accepts);
        let mut paths = Vec::new();
        let mut scoped = HashMap::new();
        if opts.range.is_none() {
            let wanted: HashSet<ObjectId> = pass
                .found
                .iter()
                .filter_map(|f| match f.place {
                    Place::Blob(b) => Some(b),
                    Place::Message(_) => None,
                })
                .collect();
            sink.progress(Progress::Attributing);
            let walked = attribute(
                &repository,
                &pass.commits,
                &wanted,
                !path_rules.is_empty(),
                scoped_test,
                &pass.recovered,
            );
            pass.origins = walked.origins;
            paths = walked.paths;
            scoped = walked.scoped;
        } else if let Some(accepts) = scoped_test {
            // A range lists every blob at every path it introduces.
            for (blob, origin) in std::mem::take(&mut pass.introduced) {
                if !scoped.contains_key(&blob) && accepts(&origin.path.to_str_lossy()) {
                    scoped.insert(blob, origin);
                }
            }
        }
        stats.commits = pass.commits.len() as u64;
        let scanned = std::mem::take(&mut pass.scanned);
        // Blobs with findings are scanned again at their origin's path.
        let rescanned: HashMap<ObjectId, &Origin> = pass
            .found
            .iter()
            .filter_map(|f| match f.place {
                Place::Blob(b) => pass.origins.get(&b).map(|o| (b, o)),
                Place::Message(_) => None,
            })
            .collect();
        let scoped = self.scan_scoped(
            &repository,
            scoped,
            &rescanned,
            &known,
            max_size,
            &scoped_rules,
        );
        let found = self.rescan_with_paths(&repository, pass.found, &pass.origins);
        let mut findings = self.finish(&repository, found, &pass.origins, &mut stats);
        findings.extend(scoped);
        for (path, commit) in paths {
            let path = path.to_str_lossy();
            for rule in &path_rules {
                if rule.reports_file(&path) {
                    let mut f = crate::matcher::file_finding(rule, &path, self.fingerprint_key());
                    describe(&repository, commit, &mut HashMap::new(), &mut f);
                    findings.push(f);
                }
            }
        }
        if let Some(allow) = &allow_paths {
            findings.retain(|f| f.path.is_empty() || !allow.is_match(&f.path));
        }

        if let Some(store) = &opts.incremental {
            // What this run read that the state did not list (HEAD's blobs read again are not new).
            let added = matches!(store, StateStore::Bytes(_)).then(|| {
                let new: Vec<&ObjectId> = scanned
                    .iter()
                    .filter(|id| !known.contains(*id) && !reread.contains(*id))
                    .collect();
                match new.is_empty() {
                    true => Vec::new(),
                    false => state::encode(key, hash, new),
                }
            });
            let mut all = known;
            all.extend(scanned);
            match store {
                StateStore::File(p) => {
                    state::save(p, key, hash, &all).map_err(|e| HistoryError::Repository {
                        path: p.display().to_string(),
                        what: "cannot write the incremental state",
                        source: e.into(),
                    })?
                }
                StateStore::Bytes(_) => {
                    stats.state_added = added.filter(|_| prior_len > 0);
                    stats.state = Some(state::encode(key, hash, &all));
                }
            }
        }
        stats.scan.warnings.sort_by(|a, b| a.path.cmp(&b.path));
        stats.scan.elapsed = started.elapsed();
        findings.into_iter().for_each(|f| sink.finding(f));
        Ok(stats)
    }

    /// Everything that decides what a scanned object reports, for the incremental state's key.
    fn state_key(&self, opts: &HistoryOptions, max_size: u64) -> StateKey {
        let rules = self.rules().content_hash().to_le_bytes();
        let size = max_size.to_le_bytes();
        // A blob cut at the findings cap holds findings never reported: a higher cap must see it again.
        let cap = (self.max_findings_per_file() as u64).to_le_bytes();
        let mut parts: Vec<&[u8]> = vec![
            b"rules",
            &rules,
            b"max-size",
            &size,
            b"max-findings",
            &cap,
            b"allow",
        ];
        parts.extend(self.allow_regexes().iter().map(|r| r.as_str().as_bytes()));
        parts.push(b"allow-paths");
        parts.extend(opts.allow_paths.iter().map(|g| g.as_bytes()));
        StateKey::new(parts)
    }

    /// Every pack traversed with delta-tree decoding, then the loose objects, of the repository and its
    /// alternates. Returns the findings, the object ids scanned (kept for `--incremental` only), and
    /// every commit met, reachable or not.
    fn scan_object_database(
        &self,
        repo: &gix::Repository,
        opts: &HistoryOptions,
        max_size: u64,
        known: &HashSet<ObjectId>,
        stats: &mut HistoryStats,
        sink: &dyn Sink,
    ) -> Result<Pass, HistoryError> {
        let hash = repo.object_hash();
        let threads = crate::scan::effective_threads(opts.threads);
        let (packs, loose_dirs) = open_object_database(repo, stats)?;
        sink.progress(Progress::Objects(
            packs
                .iter()
                .map(|p| u64::from(p.bundle.index.num_objects()))
                .sum(),
        ));
        let shared = Shared {
            scanner: self,
            hash,
            max_size,
            known,
            out: Mutex::new(Collected::default()),
            progress: Some(sink),
            record_scanned: opts.incremental.is_some(),
            note_references: stats.partial_clone,
        };
        let recovered = pack::Recovered::default();
        for (n, p) in packs.iter().enumerate() {
            // An object stored twice (two packs) is scanned where it is met first: a later pack's entry
            // is decoded (its deltas may need it) but not delivered when an earlier pack has it.
            let skip = (n > 0).then(|| {
                let index = &p.bundle.index;
                let set = PositionSet::new(index.num_objects());
                for i in 0..index.num_objects() {
                    let oid = index.oid_at_index(i);
                    if packs[..n]
                        .iter()
                        .any(|q| q.bundle.index.lookup(oid).is_some())
                    {
                        set.insert(i);
                    }
                }
                set
            });
            let done = PositionSet::new(p.bundle.index.num_objects());
            let traversed = {
                let worker = Worker::new(&shared);
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    pack::traverse(p, hash, threads, worker, skip.as_ref(), &done, &recovered)
                }))
                .unwrap_or_else(|_| Err("the pack's decoder failed".to_owned()))
            };
            let missed = pack::undelivered(p, skip.as_ref(), &done);
            if missed.is_empty() {
                continue;
            }
            let pack_path = p.bundle.pack.path().display().to_string();
            // Objects the traversal did not deliver are looked up one by one: another copy may exist, and
            // a truncated pack still holds the objects before the cut.
            let mut worker = Worker::new(&shared);
            let mut failed = 0u64;
            for oid in missed {
                match repo.find_object(oid) {
                    Ok(obj) => worker.object(obj.kind, oid, &obj.data),
                    Err(_) => failed += 1,
                }
            }
            drop(worker);
            if failed > 0 {
                let why = traversed
                    .err()
                    .unwrap_or_else(|| "objects did not decode".into());
                stats.corrupt_objects += failed;
                stats.scan.skip_many(
                    &pack_path,
                    SkipReason::Unreadable,
                    failed,
                    format!(
                        "{failed} objects cannot be decoded ({}): not scanned",
                        first_line(&why)
                    ),
                );
            }
        }

        // Loose objects: usually few (recent commits before `git gc`), read one by one.
        let mut worker = Worker::new(&shared);
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut buf = Vec::new();
        for dir in &loose_dirs {
            let loose = gix::odb::loose::Store::at(dir, hash);
            for oid in loose.iter().filter_map(Result::ok) {
                if packs.iter().any(|p| p.bundle.index.lookup(oid).is_some()) || !seen.insert(oid) {
                    continue;
                }
                match loose.try_find(&oid, &mut buf) {
                    Ok(Some(obj)) => worker.object(obj.kind, oid, obj.data),
                    // Removed meanwhile (a concurrent `git gc` packed it): the pack has it.
                    Ok(None) => {}
                    Err(e) => {
                        stats.corrupt_objects += 1;
                        worker.local.stats.skip(
                            &format!("object {oid}"),
                            SkipReason::Unreadable,
                            format!(
                                "loose object in {} cannot be decoded: {}",
                                dir.display(),
                                first_line(&e.to_string())
                            ),
                        );
                    }
                }
            }
        }
        drop(worker);

        let out = shared.into_collected();
        if stats.partial_clone {
            count_missing(repo, &out, opts.allow_partial, stats);
        }
        stats.submodules = out.submodules.len() as u64;
        let mut pass = self.take_pass(out, stats);
        pass.recovered = recovered.into_inner().map(|r| r.0).unwrap_or_default();
        Ok(pass)
    }

    /// Moves the collected counters into `stats` and the rest into a [`Pass`].
    fn take_pass(&self, out: Collected, stats: &mut HistoryStats) -> Pass {
        stats.scan.merge(out.stats);
        stats.blobs_already_scanned += out.already;
        stats.messages += out.messages;
        Pass {
            recovered: Vec::new(),
            found: out.found,
            scanned: out.scanned,
            commits: out.commits,
            origins: HashMap::new(),
            introduced: Vec::new(),
        }
    }

    /// The blobs and messages that the commits of `BASE..HEAD` introduce (blobs added or changed
    /// relative to each commit's first parent), each scanned once and attributed to the oldest commit of
    /// the range introducing it.
    fn scan_range(
        &self,
        repo: &gix::Repository,
        range: &str,
        max_size: u64,
        known: &HashSet<ObjectId>,
        stats: &mut HistoryStats,
    ) -> Result<Pass, HistoryError> {
        let hash = repo.object_hash();
        let (base, head) = match range.split_once("..") {
            Some((b, h)) => (b, if h.is_empty() { "HEAD" } else { h }),
            None => {
                return Err(HistoryError::NotARange(range.to_owned()));
            }
        };
        let resolve = |spec: &str| -> Result<ObjectId, HistoryError> {
            let spec = if spec.is_empty() { "HEAD" } else { spec };
            let bad = |e: Box<dyn std::error::Error + Send + Sync>| HistoryError::BadRevision {
                spec: spec.to_owned(),
                source: e,
            };
            repo.rev_parse_single(spec)
                .map_err(|e| bad(e.into()))?
                .object()
                .map_err(|e| bad(e.into()))?
                .peel_to_commit()
                .map(|c| c.id)
                .map_err(|e| bad(e.into()))
        };
        let (base, head) = (resolve(base)?, resolve(head)?);
        let walk = repo
            .rev_walk([head])
            .with_hidden([base])
            .all()
            .map_err(|e| HistoryError::BadRevision {
                spec: range.to_owned(),
                source: e.into(),
            })?;
        let ids: Vec<ObjectId> = walk.filter_map(Result::ok).map(|info| info.id).collect();
        let shared = Shared {
            scanner: self,
            hash,
            max_size,
            known,
            out: Mutex::new(Collected::default()),
            progress: None,
            record_scanned: true,
            note_references: false,
        };
        let mut worker = Worker::new(&shared);
        // Oldest first; each commit's message is scanned as its object is read.
        for &id in ids.iter().rev() {
            match repo.find_object(id) {
                Ok(o) => worker.commit(id, &o.data),
                Err(e) => {
                    stats.corrupt_objects += 1;
                    worker.local.stats.skip(
                        &format!("commit {id}"),
                        SkipReason::Unreadable,
                        first_line(&e.to_string()),
                    );
                }
            }
        }
        let mut commits = std::mem::take(&mut worker.local.commits);
        // Within a range, a parent outside it is still the base to diff against.
        commits.iter_mut().for_each(|c| c.parents.truncate(1));

        let mut origins: HashMap<ObjectId, Origin> = HashMap::new();
        let mut introduced = Vec::new();
        let mut order: Vec<ObjectId> = Vec::new();
        let mut diff_state = gix::diff::tree::State::default();
        let trees: HashMap<ObjectId, ObjectId> = HashMap::new();
        for c in &commits {
            for (oid, path) in
                introduced_blobs(repo, c, &trees, &mut diff_state, &mut stats.submodules)
            {
                let origin = Origin { commit: c.id, path };
                introduced.push((oid, origin.clone()));
                if let std::collections::hash_map::Entry::Vacant(e) = origins.entry(oid) {
                    e.insert(origin);
                    order.push(oid);
                }
            }
        }
        for oid in order {
            match repo.find_object(oid) {
                Ok(obj) => worker.blob(oid, &obj.data),
                Err(e) => {
                    let missing = !repo.has_object(oid);
                    let (reason, what) = if missing && stats.partial_clone {
                        (SkipReason::Missing, "not in this partial clone")
                    } else {
                        (SkipReason::Unreadable, "cannot be read")
                    };
                    if missing {
                        stats.missing_objects += 1;
                    } else {
                        stats.corrupt_objects += 1;
                    }
                    worker.local.stats.skip(
                        &format!("blob {oid}"),
                        reason,
                        format!("{what}: {}", first_line(&e.to_string())),
                    );
                }
            }
        }
        drop(worker);
        let mut pass = self.take_pass(shared.into_collected(), stats);
        pass.commits = commits;
        pass.origins = origins;
        pass.introduced = introduced;
        Ok(pass)
    }

    /// Path-dependent work, now that paths are known: each blob with findings is scanned again at the
    /// path that introduced it, so that rules' path conditions, allowlists with paths and path-specific
    /// handling (notebooks) apply as in a file scan. Blobs no commit reaches keep their findings.
    fn rescan_with_paths(
        &self,
        repo: &gix::Repository,
        found: Vec<Found>,
        origins: &HashMap<ObjectId, Origin>,
    ) -> Vec<Found> {
        let mut out = Vec::with_capacity(found.len());
        let mut by_blob: HashMap<ObjectId, Vec<Found>> = HashMap::new();
        for f in found {
            match f.place {
                Place::Blob(b) if origins.contains_key(&b) => by_blob.entry(b).or_default().push(f),
                _ => out.push(f),
            }
        }
        let (mut scratch, mut text, mut again) = (Scratch::new(), Vec::new(), Vec::new());
        for (blob, first) in by_blob {
            let path = origins[&blob].path.to_str_lossy();
            if !self.scan_blob_at(
                repo,
                blob,
                &path,
                u64::MAX,
                &mut scratch,
                &mut text,
                &mut again,
            ) {
                out.extend(first);
                continue;
            }
            out.extend(again.drain(..).map(|finding| Found {
                place: Place::Blob(blob),
                finding,
            }));
        }
        out
    }

    /// Scans `blob` again as the file at `path` into `out` (cleared first), each finding marked with
    /// the blob's decoding. `false` when the blob cannot be read, is over `max_size` or is not text:
    /// the traversal has counted it already.
    #[allow(clippy::too_many_arguments)]
    fn scan_blob_at(
        &self,
        repo: &gix::Repository,
        blob: ObjectId,
        path: &str,
        max_size: u64,
        scratch: &mut Scratch,
        text: &mut Vec<u8>,
        out: &mut Vec<Finding>,
    ) -> bool {
        out.clear();
        let Ok(obj) = repo.find_object(blob) else {
            return false;
        };
        if obj.data.len() as u64 > max_size {
            return false;
        }
        let Ok((view, kind)) = crate::content::as_text(&obj.data, text) else {
            return false;
        };
        self.context(true).scan(path, view, scratch, out);
        out.iter_mut().for_each(|f| kind.mark(f));
        true
    }

    /// Blobs that appeared at a path of a rule limited to `paths` without keywords (a `.pgpass`, a
    /// Rails `master.key`), scanned at that path: the traversal, which did not know it, could not run
    /// those rules. A blob already scanned again at that same path (it had other findings) is not read
    /// twice; one scanned again at another path adds only those rules' findings. Blobs an earlier
    /// incremental run scanned, and blobs over the size limit (already counted), are left alone.
    fn scan_scoped(
        &self,
        repo: &gix::Repository,
        scoped: HashMap<ObjectId, Origin>,
        rescanned: &HashMap<ObjectId, &Origin>,
        known: &HashSet<ObjectId>,
        max_size: u64,
        rules: &[&crate::Rule],
    ) -> Vec<Finding> {
        let mut blobs: Vec<(ObjectId, Origin)> = scoped
            .into_iter()
            .filter(|(b, o)| {
                !known.contains(b) && rescanned.get(b).is_none_or(|f| f.path != o.path)
            })
            .collect();
        blobs.sort_by(|a, b| a.1.path.cmp(&b.1.path).then(a.0.cmp(&b.0)));
        let (mut scratch, mut text, mut found) = (Scratch::new(), Vec::new(), Vec::new());
        let mut commits = HashMap::new();
        let mut out = Vec::new();
        for (blob, origin) in blobs {
            let path = origin.path.to_str_lossy();
            if !self.scan_blob_at(
                repo,
                blob,
                &path,
                max_size,
                &mut scratch,
                &mut text,
                &mut found,
            ) {
                continue;
            }
            let elsewhere = rescanned.contains_key(&blob);
            for mut finding in found.drain(..) {
                if elsewhere && !rules.iter().any(|r| r.id() == finding.rule) {
                    continue;
                }
                finding.blob = Some(blob.to_string());
                finding.path = path.clone().into_owned();
                describe(repo, origin.commit, &mut commits, &mut finding);
                out.push(finding);
            }
        }
        out
    }

    /// Attaches origins (path, commit, author, date) to blob findings.
    fn finish(
        &self,
        repo: &gix::Repository,
        found: Vec<Found>,
        origins: &HashMap<ObjectId, Origin>,
        stats: &mut HistoryStats,
    ) -> Vec<Finding> {
        let mut commits: HashMap<ObjectId, [String; 3]> = HashMap::new();
        let mut out = Vec::with_capacity(found.len());
        for Found { place, mut finding } in found {
            let Place::Blob(blob) = place else {
                out.push(finding);
                continue;
            };
            finding.blob = Some(blob.to_string());
            match origins.get(&blob) {
                Some(origin) => {
                    finding.path = origin.path.to_str_lossy().into_owned();
                    describe(repo, origin.commit, &mut commits, &mut finding);
                }
                None => {
                    finding.path = format!("(blob {blob})");
                    finding.note =
                        Some("unreachable: no commit in the repository contains this blob".into());
                    stats.unreachable_findings += 1;
                }
            }
            out.push(finding);
        }
        out
    }
}

/// Adds objects to a repository's in-memory object overlay.
fn add_objects(repo: &gix::Repository, objects: &[(gix::objs::Kind, Vec<u8>)]) {
    use gix::objs::Write as _;
    for (kind, data) in objects {
        // An object that cannot be added stays unfindable, as it was.
        let _ = repo.objects.write_buf(*kind, data);
    }
}

/// Opens the repository at or above `path`, telling "no repository" from "a repository that cannot be
/// opened" (an unknown object format, say), which needs its own message.
fn open(path: &Path) -> Result<gix::Repository, HistoryError> {
    gix::discover(path).map_err(|e| {
        if gix::discover::upwards(path).is_ok() {
            HistoryError::Open {
                path: path.to_path_buf(),
                source: e.into(),
            }
        } else {
            HistoryError::NotARepository(path.to_path_buf())
        }
    })
}

/// Whether the repository was cloned with a filter: git records the promisor remote in
/// `extensions.partialClone` and marks the packs it fetched with `.promisor` files.
fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    if config.string("extensions.partialClone").is_some() {
        return true;
    }
    let pack_dir = repo.objects.store_ref().path().join("pack");
    std::fs::read_dir(pack_dir).is_ok_and(|rd| {
        rd.filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "promisor"))
    })
}

/// The packs (with their indexes) and loose object directories of the object database as git sees it:
/// the repository's own and its alternates', packs listed by a multi-pack index included. A pack or
/// index that cannot be opened is named, its objects counted, and left out.
fn open_object_database(
    repo: &gix::Repository,
    stats: &mut HistoryStats,
) -> Result<(Vec<Pack>, Vec<PathBuf>), HistoryError> {
    use gix::odb::store::structure::Record;
    let hash = repo.object_hash();
    let records = repo
        .objects
        .store_ref()
        .structure()
        .map_err(|e| HistoryError::Repository {
            path: repo.objects.store_ref().path().display().to_string(),
            what: "cannot list the object database",
            source: e.into(),
        })?;
    let mut loose = Vec::new();
    let mut indexes: Vec<PathBuf> = Vec::new();
    for record in records {
        match record {
            Record::LooseObjectDatabase {
                objects_directory, ..
            } => loose.push(objects_directory),
            Record::Index { path, .. } => indexes.push(path),
            Record::MultiIndex { path, .. } => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                match gix::odb::pack::multi_index::File::at(&path, None) {
                    Ok(m) => indexes.extend(m.index_names().iter().map(|n| dir.join(n))),
                    Err(e) => {
                        // The packs are still there, each with its own index: read those.
                        stats.scan.note(
                            &path.display().to_string(),
                            format!(
                                "the multi-pack index cannot be read ({}); reading each pack's own index",
                                first_line(&e.to_string())
                            ),
                        );
                        indexes.extend(pack_indexes_in(&dir));
                    }
                }
            }
            Record::Empty => {}
        }
    }
    indexes.sort();
    indexes.dedup();
    let mut packs = Vec::with_capacity(indexes.len());
    for idx_path in indexes {
        if let Some(p) = open_pack(&idx_path, hash, stats) {
            packs.push(p);
        }
    }
    Ok((packs, loose))
}

/// The `*.idx` files of a pack directory.
fn pack_indexes_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect()
        })
        .unwrap_or_default()
}

/// Opens one pack and its index, checking that they belong together and that the index is intact. A
/// failure is named (the file at fault) and counted; an index that fails its checksum is used with the
/// object ids recomputed from the objects themselves.
fn open_pack(idx_path: &Path, hash: gix::hash::Kind, stats: &mut HistoryStats) -> Option<Pack> {
    let pack_path = idx_path.with_extension("pack");
    let index = match gix::odb::pack::index::File::at(idx_path, hash) {
        Ok(i) => i,
        Err(e) => {
            // Without its index a pack's objects cannot be listed; `git index-pack` rebuilds it.
            stats.scan.skip(
                &idx_path.display().to_string(),
                SkipReason::Unreadable,
                format!(
                    "the pack index cannot be read ({}): the objects of {} are not scanned",
                    first_line(&e.to_string()),
                    file_name(&pack_path)
                ),
            );
            return None;
        }
    };
    let unreadable_pack = |stats: &mut HistoryStats, why: String| {
        let n = u64::from(index.num_objects());
        stats.corrupt_objects += n;
        stats.scan.skip_many(
            &pack_path.display().to_string(),
            SkipReason::Unreadable,
            n.max(1),
            format!("the pack cannot be read ({why}): its {n} objects are not scanned"),
        );
    };
    let data = match gix::odb::pack::data::File::at(&pack_path, hash) {
        Ok(d) => d,
        Err(e) => {
            unreadable_pack(stats, first_line(&e.to_string()));
            return None;
        }
    };
    // `checksum()` reads the pack's trailer; a pack shorter than a header and a trailer has none.
    if data.data_len() < 12 + hash.len_in_bytes() {
        unreadable_pack(stats, "truncated".into());
        return None;
    }
    if data.checksum() != index.pack_checksum() {
        // Offsets from another pack's index point into the wrong bytes: each object that fails to decode
        // is counted after the traversal.
        stats.scan.note(
            &pack_path.display().to_string(),
            format!(
                "the pack does not end with the checksum {} records (truncated or rewritten)",
                file_name(idx_path)
            ),
        );
    }
    let mut recompute_ids = false;
    // Hashing the index costs ~1% of a scan (a few MB per 100k objects), and a corrupt index otherwise
    // mislabels every object it misnames: findings would show as unreachable.
    if index
        .verify_checksum(
            &mut gix::progress::Discard,
            &std::sync::atomic::AtomicBool::new(false),
        )
        .is_err()
    {
        recompute_ids = true;
        stats.scan.note(
            &idx_path.display().to_string(),
            "the pack index fails its checksum (corrupt): object ids are recomputed from the pack's \
             objects; run `git index-pack` on the pack to repair it",
        );
    }
    Some(Pack {
        bundle: gix::odb::pack::Bundle { pack: data, index },
        recompute_ids,
    })
}

/// Partial clones: the objects that the history's commits and trees name but that the clone does not
/// hold. Blobs below a missing tree cannot be counted; the message says so.
fn count_missing(
    repo: &gix::Repository,
    out: &Collected,
    allow_partial: bool,
    stats: &mut HistoryStats,
) {
    let blobs = out
        .referenced_blobs
        .iter()
        .filter(|id| !repo.has_object(*id))
        .count() as u64;
    let trees = out
        .referenced_trees
        .iter()
        .filter(|id| !repo.has_object(*id))
        .count() as u64;
    let n = blobs + trees;
    stats.missing_objects += n;
    if n == 0 {
        return;
    }
    let plural = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let mut what = plural(blobs, "blob");
    if trees > 0 {
        what.push_str(&format!(
            " and {} (and whatever those trees hold)",
            plural(trees, "tree")
        ));
    }
    let repo_path = repo
        .workdir()
        .unwrap_or_else(|| repo.git_dir())
        .display()
        .to_string();
    if allow_partial {
        stats.scan.note(
            &repo_path,
            format!("partial clone: {what} of the history not in this clone, not scanned (accepted with --allow-partial)"),
        );
    } else {
        stats.scan.skip_many(
            &repo_path,
            SkipReason::Missing,
            n,
            format!(
                "partial clone: {what} of the history not in this clone, not scanned; scan a clone \
                 made without --filter, or accept this with --allow-partial"
            ),
        );
    }
}

/// Fills a finding's `commit`, `author`, `date` and `summary` from the commit (looked up once).
fn describe(
    repo: &gix::Repository,
    id: ObjectId,
    cache: &mut HashMap<ObjectId, [String; 3]>,
    finding: &mut Finding,
) {
    let [author, date, summary] = cache
        .entry(id)
        .or_insert_with(|| describe_commit(repo, id))
        .clone();
    finding.commit = Some(id.to_string());
    finding.author = Some(author);
    finding.date = Some(date);
    finding.summary = Some(summary);
}

/// `Name <email>`, RFC 3339 author date (UTC), and the message's first line.
fn describe_commit(repo: &gix::Repository, id: ObjectId) -> [String; 3] {
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
    [author, date, summary]
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_utc(secs: i64) -> String {
    // A commit time outside jiff's range (years -9999..=9999) is a forged one: shown as the epoch.
    let t = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The default incremental state file of a repository: `<git dir>/leakhound/history-state`.
///
/// # Errors
/// [`HistoryError::NotARepository`] when `repo` is not in a git repository.
pub fn default_state_path(repo: &Path) -> Result<PathBuf, HistoryError> {
    let r = open(repo)?;
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
