//! Which commit introduced a blob, and at which path: one walk over the commit graph, oldest first,
//! each commit diffed against its first parent.

use std::collections::{HashMap, HashSet};

use gix::bstr::{BString, ByteSlice};
use gix::hash::ObjectId;

/// A commit as the attribution walk needs it, parsed once (during the pack traversal when possible).
#[derive(Debug, Clone)]
pub(super) struct CommitNode {
    pub id: ObjectId,
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub time: i64,
}

impl CommitNode {
    pub fn from_commit(id: ObjectId, c: &gix::objs::CommitRef<'_>) -> CommitNode {
        let time = c
            .author()
            .ok()
            .and_then(|a| a.time().ok())
            .map_or(0, |t| t.seconds);
        CommitNode {
            id,
            tree: c.tree(),
            parents: c.parents().collect(),
            time,
        }
    }
}

/// Where a blob was first introduced.
#[derive(Debug, Clone)]
pub(super) struct Origin {
    pub commit: ObjectId,
    pub path: BString,
}

/// What the walk found: the origin of each wanted blob, and (when asked) the first commit of every path
/// any commit introduced, for rules that report files by path, and the first (commit, path) at which
/// each blob appeared under a path that `scoped` accepts, for rules that run only on some paths.
#[derive(Debug, Default)]
pub(super) struct Attribution {
    pub origins: HashMap<ObjectId, Origin>,
    pub paths: Vec<(BString, ObjectId)>,
    pub scoped: HashMap<ObjectId, Origin>,
}

/// For each wanted blob, the first (commit, path) introducing it, walking every commit of the object
/// database oldest first (a topological order: by generation, then author time), each diffed against
/// its first parent. Dangling commits are included: a force-push does not remove a leak. With
/// `all_paths`, the walk covers every commit and also lists each path at the first commit introducing
/// it (path-only rules need them), and each blob at the first path `scoped` accepts (rules limited to
/// some paths never ran on a blob whose path was unknown); otherwise it stops as soon as every wanted
/// blob has an origin.
///
/// The diffs run in parallel, a chunk of commits at a time in that order. Over the 6,000-commit
/// benchmark history the walk was half of the whole scan's time when it ran on one thread re-reading
/// each commit.
pub(super) fn attribute(
    repo: &gix::Repository,
    commits: &[CommitNode],
    wanted: &HashSet<ObjectId>,
    all_paths: bool,
    scoped: Option<&dyn Fn(&str) -> bool>,
    recovered: &[(gix::objs::Kind, Vec<u8>)],
) -> Attribution {
    use rayon::prelude::*;

    let mut out = Attribution::default();
    let all_paths = all_paths || scoped.is_some();
    if wanted.is_empty() && !all_paths {
        return out;
    }
    let order = topological_order(commits);
    let trees: HashMap<ObjectId, ObjectId> = commits.iter().map(|c| (c.id, c.tree)).collect();
    let mut seen_paths: HashSet<BString> = HashSet::new();
    let shared_repo = repo.clone().into_sync();
    for chunk in order.chunks(256) {
        let mut hits: Vec<(usize, ObjectId, BString)> = chunk
            .par_iter()
            .map_init(
                || {
                    let mut r = shared_repo.to_thread_local();
                    if !recovered.is_empty() {
                        r = r.with_object_memory();
                        super::add_objects(&r, recovered);
                    }
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
                            .filter(|(oid, _)| all_paths || wanted.contains(oid))
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
            let commit = commits[i].id;
            if all_paths && !seen_paths.contains(&path) {
                seen_paths.insert(path.clone());
                out.paths.push((path.clone(), commit));
            }
            if let Some(accepts) = scoped {
                if !out.scoped.contains_key(&oid) && accepts(&path.to_str_lossy()) {
                    let origin = Origin {
                        commit,
                        path: path.clone(),
                    };
                    out.scoped.insert(oid, origin);
                }
            }
            if wanted.contains(&oid) {
                out.origins.entry(oid).or_insert(Origin { commit, path });
            }
        }
        if !all_paths && out.origins.len() == wanted.len() {
            break;
        }
    }
    out
}

/// Commit indices oldest first: by generation number (roots are 1), then author time, then id.
fn topological_order(commits: &[CommitNode]) -> Vec<usize> {
    let index: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    // Generation numbers, iteratively: histories are deeper than the stack.
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
    order
}

/// The blobs (with their paths) that `commit` adds or changes relative to its first parent (all of its
/// tree for a root commit). `trees` maps commit ids to tree ids where known; other parents are read.
/// Submodule entries are counted, not followed. A tree that cannot be read (a partial clone, a
/// corrupt object) contributes nothing: the traversal has already named and counted it.
pub(super) fn introduced_blobs(
    repo: &gix::Repository,
    commit: &CommitNode,
    trees: &HashMap<ObjectId, ObjectId>,
    state: &mut gix::diff::tree::State,
    submodules: &mut u64,
) -> Vec<(ObjectId, BString)> {
    let hash = repo.object_hash();
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
    let old = gix::objs::TreeRefIter::from_bytes(old_data, hash);
    let new = gix::objs::TreeRefIter::from_bytes(&new_tree.data, hash);
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
