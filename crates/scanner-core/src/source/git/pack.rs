//! One pack, decoded the way `git index-pack` resolves it: gix's delta tree, every object decoded exactly
//! once from its already-decoded base, on all cores.
//!
//! The tree is built over index positions (a `u32` per object) rather than gix's full index entries,
//! which keeps it at ~50 bytes per object instead of ~170, and tells exactly which objects were
//! delivered: whatever a broken pack kept the traversal from decoding is looked up one by one afterwards
//! (another copy may exist elsewhere in the object database), and what still fails is counted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use gix::hash::ObjectId;

use super::collect::Worker;

/// An opened pack with its index.
pub(super) struct Pack {
    pub bundle: gix::odb::pack::Bundle,
    /// The index failed its checksum: its object ids are not trusted, and are recomputed from the
    /// decoded objects instead.
    pub recompute_ids: bool,
}

/// A set of index positions, shared by the traversal threads.
pub(super) struct PositionSet(Vec<AtomicU64>);

impl PositionSet {
    pub fn new(n: u32) -> PositionSet {
        PositionSet((0..n.div_ceil(64)).map(|_| AtomicU64::new(0)).collect())
    }

    pub fn insert(&self, pos: u32) {
        self.0[(pos / 64) as usize].fetch_or(1 << (pos % 64), Ordering::Relaxed);
    }

    pub fn contains(&self, pos: u32) -> bool {
        self.0[(pos / 64) as usize].load(Ordering::Relaxed) & (1 << (pos % 64)) != 0
    }
}

/// Gives back the pages of a pack's memory map as the traversal moves on. Every object is decoded once,
/// so every page of the pack is touched, and a touched page of a file mapping stays in the process's
/// resident set until it is unmapped: without this, peak memory grows by the size of the pack (a 270 MB
/// pack for git's own history of 420k objects). Each time another [`RELEASE_EVERY`] bytes of entries
/// have been decoded, the whole map is released; pages the traversal still needs fault back in from the
/// page cache (a minor fault, no I/O).
struct PageRelease<'a> {
    map: &'a [u8],
    consumed: AtomicU64,
}

const RELEASE_EVERY: u64 = 16 << 20;

impl PageRelease<'_> {
    fn consumed(&self, bytes: u64) {
        let before = self.consumed.fetch_add(bytes, Ordering::Relaxed);
        if before / RELEASE_EVERY != (before + bytes) / RELEASE_EVERY {
            self.release();
        }
    }

    /// Asks the kernel not to map neighbouring pages on each fault (fault-around maps 64 KiB for every
    /// touched entry, and delta bases are spread over the whole pack).
    fn random_access(&self) {
        #[cfg(target_os = "linux")]
        // SAFETY: advice only; it changes how pages are faulted in, never their contents.
        unsafe {
            libc::madvise(
                self.map.as_ptr() as *mut libc::c_void,
                self.map.len(),
                libc::MADV_RANDOM,
            );
        }
    }

    fn release(&self) {
        #[cfg(target_os = "linux")]
        // SAFETY: `map` is gix's read-only, private mapping of the pack file, never written. For such a
        // mapping MADV_DONTNEED only drops the pages from this process: a later read faults the same
        // bytes back in from the file, so every slice into the map keeps its contents. Readers on other
        // threads are unaffected but for that fault. Failure is harmless (memory stays resident).
        unsafe {
            libc::madvise(
                self.map.as_ptr() as *mut libc::c_void,
                self.map.len(),
                libc::MADV_DONTNEED,
            );
        }
    }
}

/// Objects of a pack whose index misnames them, kept (commits and trees only, up to [`RECOVER_LIMIT`]
/// bytes) so that the attribution walk can find them by their real id.
pub(super) type Recovered = std::sync::Mutex<(Vec<(gix::objs::Kind, Vec<u8>)>, usize)>;

/// Bytes of misnamed commits and trees kept for the attribution walk.
const RECOVER_LIMIT: usize = 64 << 20;

/// Decodes every object of `pack` into `worker` (cloned once per thread), marking each delivered index
/// position in `done`. Positions in `skip` (objects an earlier pack holds too) are decoded, as their
/// descendants need them, but not delivered.
///
/// # Errors
/// Why the traversal stopped early; the objects delivered until then are in `done`.
pub(super) fn traverse(
    pack: &Pack,
    hash: gix::hash::Kind,
    threads: usize,
    worker: Worker<'_>,
    skip: Option<&PositionSet>,
    done: &PositionSet,
    recovered: &Recovered,
) -> Result<(), String> {
    use gix::odb::pack::cache::delta::{traverse, Tree};

    let index = &pack.bundle.index;
    let data = &pack.bundle.pack;
    let interrupt = AtomicBool::new(false);
    let mut by_offset: Vec<(u64, u32)> = (0..index.num_objects())
        .map(|i| (index.pack_offset_at_index(i), i))
        .collect();
    by_offset.sort_unstable();
    let tree = Tree::from_offsets_in_pack(
        data.path(),
        by_offset.into_iter().map(|(_, i)| i),
        &|&i| index.pack_offset_at_index(i),
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        hash,
    )
    .map_err(|e| e.to_string())?;
    let recompute = pack.recompute_ids;
    let release = PageRelease {
        map: data
            .entry_slice(0..data.data_len() as u64)
            .unwrap_or_default(),
        consumed: AtomicU64::new(0),
    };
    release.random_access();
    let release = &release;
    let mut worker = worker;
    tree.traverse(
        |slice, pack: &gix::odb::pack::data::File| pack.entry_slice(slice),
        data,
        data.pack_end() as u64,
        move |pos: &mut u32, _: &dyn gix::progress::Progress, ctx: traverse::Context<'_>| {
            let pos = *pos;
            done.insert(pos);
            release.consumed(ctx.entry_end.saturating_sub(ctx.entry.data_offset));
            if skip.is_some_and(|s| s.contains(pos)) {
                return Ok(());
            }
            let Some(kind) = ctx.entry.header.as_kind() else {
                return Ok(());
            };
            let oid = if recompute {
                let Ok(id) = gix::objs::compute_hash(hash, kind, ctx.decompressed) else {
                    return Ok(());
                };
                let misnamed = id.as_ref() != index.oid_at_index(pos);
                if misnamed && matches!(kind, gix::objs::Kind::Commit | gix::objs::Kind::Tree) {
                    if let Ok(mut r) = recovered.lock() {
                        if r.1 + ctx.decompressed.len() <= RECOVER_LIMIT {
                            r.1 += ctx.decompressed.len();
                            r.0.push((kind, ctx.decompressed.to_vec()));
                        }
                    }
                }
                id
            } else {
                index.oid_at_index(pos).to_owned()
            };
            worker.object(kind, oid, ctx.decompressed);
            Ok(())
        },
        traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(threads),
            should_interrupt: &interrupt,
            object_hash: hash,
            alloc_limit_bytes: None,
        },
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// The ids of the objects of `pack` at positions not in `done` (and not in `skip`).
pub(super) fn undelivered(
    pack: &Pack,
    skip: Option<&PositionSet>,
    done: &PositionSet,
) -> Vec<ObjectId> {
    let index = &pack.bundle.index;
    (0..index.num_objects())
        .filter(|&i| !done.contains(i) && !skip.is_some_and(|s| s.contains(i)))
        .map(|i| index.oid_at_index(i).to_owned())
        .collect()
}
