//! Staged changes: the index compared with `HEAD`, scanned on added lines only.
//!
//! Peers get this wrong in ways their users report: scanning the working tree instead of the index,
//! whole files instead of added lines, or nothing at all on a repository's first commit. Here the
//! content is the index's blobs; a file is compared with its `HEAD` version (or, for an added file with
//! the same name as a deleted one, with that: a rename), and a finding counts only if the line it
//! starts on is added. The whole blob is still scanned, so a secret spanning lines keeps its context.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use gix::bstr::{BStr, BString, ByteSlice};
use gix::hash::ObjectId;
use leakhound_core::{Finding, ScanStats, Scanner, Scratch, SkipReason};

/// What stops a staged scan before it starts.
#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    /// The path is not inside a git repository.
    #[error("{}: not a git repository", .0.display())]
    NotARepository(std::path::PathBuf),
    /// The repository has no work tree (`git commit` is not possible in a bare repository).
    #[error("{}: a bare repository has no staged changes", .0.display())]
    Bare(std::path::PathBuf),
    /// The index or an object could not be read.
    #[error("{what}: {message}")]
    Read {
        /// What was being read.
        what: String,
        /// Why it failed.
        message: String,
    },
}

/// Counters of a staged scan.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StagedStats {
    /// Staged files compared with `HEAD` that differ from it (added, modified, renamed, copied).
    pub changed_files: u64,
    /// Lines added by the staged changes.
    pub added_lines: u64,
    /// Blobs scanned, bytes, skips, time.
    #[serde(flatten)]
    pub scan: ScanStats,
}

/// One staged file that differs from `HEAD`.
struct Change {
    path: BString,
    new: ObjectId,
    old: Option<ObjectId>,
}

/// Scans what `git commit` would record in the repository at (or above) `repo`: the staged version of
/// every added, modified, renamed or copied file, reporting only findings on added lines. Works on a
/// repository without commits (everything staged is added). Deleted, binary and submodule entries are
/// skipped.
///
/// # Errors
/// [`StagedError`] when there is no repository or its index cannot be read.
pub fn scan_staged(
    scanner: &Scanner,
    repo: &Path,
    max_file_size: u64,
) -> Result<(Vec<Finding>, StagedStats), StagedError> {
    let started = Instant::now();
    let repository =
        gix::discover(repo).map_err(|_| StagedError::NotARepository(repo.to_path_buf()))?;
    if repository.workdir().is_none() {
        return Err(StagedError::Bare(repo.to_path_buf()));
    }
    let read_err = |what: &str, e: &dyn std::fmt::Display| StagedError::Read {
        what: what.to_owned(),
        message: e.to_string(),
    };
    // The index's trailing SHA-1 is not verified: hashing a 2.5 MB index of 23,000 files was a third of
    // the hook's time, and git skips it too with index.skipHash. No index file yet: nothing is staged.
    let index_path = repository.index_path();
    let index = if index_path.exists() {
        gix::index::File::at(&index_path, gix::hash::Kind::Sha1, true, Default::default())
            .map_err(|e| read_err(&index_path.display().to_string(), &e))?
    } else {
        gix::index::File::from_state(gix::index::State::new(gix::hash::Kind::Sha1), index_path)
    };
    let head_tree = repository.head_tree_id().ok().map(|id| id.detach());

    let mut changes = Vec::new();
    let mut deleted: Vec<(BString, ObjectId)> = Vec::new();
    let mut walk = Walk {
        repo: &repository,
        index: &index,
        changes: &mut changes,
        deleted: &mut deleted,
    };
    walk.dir(BString::default(), head_tree, index.tree())?;

    let mut stats = StagedStats {
        changed_files: changes.len() as u64,
        ..StagedStats::default()
    };
    // Renames: an added file whose content is a deleted file's is a pure rename (nothing added); one
    // with the same file name as a deleted file is compared with it.
    let deleted_ids: HashMap<ObjectId, ()> = deleted.iter().map(|(_, id)| (*id, ())).collect();
    let deleted_by_name: HashMap<&BStr, ObjectId> = deleted
        .iter()
        .map(|(p, id)| {
            (
                p.rsplit_str("/").next().unwrap_or(p.as_bstr()).as_bstr(),
                *id,
            )
        })
        .collect();

    let (mut scratch, mut found, mut out, mut sparse, mut text) = (
        Scratch::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for change in changes {
        let path = change.path.to_str_lossy().into_owned();
        if change.old.is_none() && deleted_ids.contains_key(&change.new) {
            continue;
        }
        let old_id = change.old.or_else(|| {
            let name = change
                .path
                .rsplit_str("/")
                .next()
                .unwrap_or(change.path.as_bstr());
            deleted_by_name.get(name.as_bstr()).copied()
        });
        let new = repository
            .find_object(change.new)
            .map_err(|e| read_err(&path, &e))?
            .detach();
        let data = &new.data;
        if data.len() as u64 > max_file_size {
            let msg = format!(
                "{} bytes is over the maximum file size of {max_file_size} bytes",
                data.len()
            );
            stats.scan.skip(&path, SkipReason::TooLarge, msg);
            continue;
        }
        let (data, kind) = match leakhound_core::content::as_text(data, &mut text) {
            Ok(t) => t,
            Err(reason) => {
                stats.scan.skip(&path, reason, reason.as_str());
                continue;
            }
        };
        let old = match old_id {
            Some(id) => repository
                .find_object(id)
                .map(|o| o.detach().data)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let added = added_lines(&old, data);
        stats.added_lines += added.iter().filter(|a| **a).count() as u64;
        stats.scan.files += 1;
        stats.scan.bytes += data.len() as u64;
        found.clear();
        let visible = only_changed_lines(data, &added, &mut sparse);
        scanner.scan_bytes_into(&path, visible, &mut scratch, &mut found);
        out.extend(
            found
                .drain(..)
                .filter(|f| added.get(f.line - 1).copied().unwrap_or(false))
                .map(|mut f| {
                    kind.mark(&mut f);
                    f
                }),
        );
    }
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    stats.scan.elapsed = started.elapsed();
    Ok((out, stats))
}

/// The staged blob with every line blanked (spaces, newlines kept) that is neither added nor next to an
/// added line. Lines and columns stay where they are, so findings keep their positions; the keyword
/// prefilter then never fires on untouched code, which spares the hook the regex work (and the lazy
/// regex compilation) for text the commit does not change. Neighbouring lines stay visible for
/// context: an allow comment on the line above, or a key whose value continues on the next line.
fn only_changed_lines<'a>(data: &'a [u8], added: &[bool], buf: &'a mut Vec<u8>) -> &'a [u8] {
    if added.iter().all(|a| *a) {
        return data;
    }
    buf.clear();
    buf.extend_from_slice(data);
    let keep = |i: usize| {
        added.get(i).copied().unwrap_or(false)
            || (i > 0 && added.get(i - 1).copied().unwrap_or(false))
            || added.get(i + 1).copied().unwrap_or(false)
    };
    let mut start = 0;
    for (i, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        let end = start + line.len();
        if !keep(i) {
            for b in &mut buf[start..end] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
        start = end;
    }
    buf
}

/// For each line of `new` (0-based), whether the diff from `old` adds it.
fn added_lines(old: &[u8], new: &[u8]) -> Vec<bool> {
    use imara_diff::{Algorithm, Diff, InternedInput};
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len() as u32)
        .map(|i| diff.is_added(i))
        .collect()
}

/// The recursive comparison of the index with `HEAD`'s tree, pruned by the index's cache-tree: a
/// directory whose cached tree id is valid and equal to `HEAD`'s has nothing staged below it, so a
/// commit touching three files in a repository of 10,000 reads only the trees on those three paths.
struct Walk<'a> {
    repo: &'a gix::Repository,
    index: &'a gix::index::File,
    changes: &'a mut Vec<Change>,
    deleted: &'a mut Vec<(BString, ObjectId)>,
}

impl Walk<'_> {
    fn dir(
        &mut self,
        prefix: BString,
        head: Option<ObjectId>,
        cache: Option<&gix::index::extension::Tree>,
    ) -> Result<(), StagedError> {
        if let (Some(h), Some(c)) = (head, cache) {
            if c.num_entries.is_some() && c.id == h {
                return Ok(());
            }
        }
        // HEAD's entries of this directory: name -> (id, is_tree).
        let tree_data: Vec<u8> = match head {
            Some(h) => {
                self.repo
                    .find_object(h)
                    .map_err(|e| StagedError::Read {
                        what: format!("tree {h}"),
                        message: e.to_string(),
                    })?
                    .detach()
                    .data
            }
            None => Vec::new(),
        };
        let head_entries: HashMap<&[u8], (ObjectId, bool)> =
            gix::objs::TreeRefIter::from_bytes(&tree_data, gix::hash::Kind::Sha1)
                .flatten()
                .map(|e| (e.filename.as_bytes(), (e.oid.to_owned(), e.mode.is_tree())))
                .collect();
        let entries = self.index.prefixed_entries(prefix.as_bstr()).unwrap_or(&[]);
        let backing = self.index.path_backing();
        let mut subdirs: Vec<BString> = Vec::new();
        let mut files_seen: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
        let mut i = 0;
        while i < entries.len() {
            let e = &entries[i];
            let rest = &e.path_in(backing)[prefix.len()..];
            i += 1;
            match rest.find_byte(b'/') {
                Some(slash) => {
                    // Entries of one subdirectory are contiguous: jump over them (a binary search)
                    // instead of visiting each, which made the root's walk touch all 23,000 entries.
                    let sub = &e.path_in(backing)[..prefix.len() + slash + 1];
                    i += entries[i..].partition_point(|x| x.path_in(backing).starts_with(sub));
                    subdirs.push(rest[..slash].into());
                }
                None => {
                    files_seen.insert(rest.as_bytes());
                    // Conflicted entries (stages 1-3) cannot be committed; submodules are other repositories.
                    if e.stage_raw() != 0 || e.mode.is_submodule() || e.mode.is_sparse() {
                        continue;
                    }
                    let old = head_entries
                        .get(rest.as_bytes())
                        .filter(|(_, t)| !t)
                        .map(|(id, _)| *id);
                    if old != Some(e.id) {
                        let mut path = prefix.clone();
                        path.extend_from_slice(rest);
                        self.changes.push(Change {
                            path,
                            new: e.id,
                            old,
                        });
                    }
                }
            }
        }
        for (name, (id, is_tree)) in &head_entries {
            if !is_tree && !files_seen.contains(name) {
                let mut path = prefix.clone();
                path.extend_from_slice(name);
                self.deleted.push((path, *id));
            }
        }
        // A directory like site-packages has hundreds of children: look them up by name, not by scan.
        let cache_children: HashMap<&[u8], &gix::index::extension::Tree> = cache
            .map(|c| c.children.iter().map(|t| (t.name.as_slice(), t)).collect())
            .unwrap_or_default();
        for name in subdirs {
            let head_sub = head_entries
                .get(name.as_slice())
                .filter(|(_, t)| *t)
                .map(|(id, _)| *id);
            let cache_sub = cache_children.get(name.as_slice()).copied();
            // Settled here, before building the child's path: most children are unchanged.
            if let (Some(h), Some(c)) = (head_sub, cache_sub) {
                if c.num_entries.is_some() && c.id == h {
                    continue;
                }
            }
            let mut sub = prefix.clone();
            sub.extend_from_slice(&name);
            sub.push(b'/');
            self.dir(sub, head_sub, cache_sub)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_marks_only_new_lines() {
        let old = b"a\nb\nc\n";
        let new = b"a\nTOKEN\nb\nc\nmore\n";
        assert_eq!(added_lines(old, new), [false, true, false, false, true]);
        assert_eq!(added_lines(b"", b"x\ny"), [true, true]);
    }

    #[test]
    fn untouched_lines_are_blanked_in_place() {
        let data = b"one\ntwo\nthree\nfour\nfive\n";
        let added = [false, false, false, true, false];
        let mut buf = Vec::new();
        let v = only_changed_lines(data, &added, &mut buf);
        assert_eq!(v, b"   \n   \nthree\nfour\nfive\n");
        assert_eq!(v.len(), data.len());
    }
}
