//! Staged changes: the index compared with `HEAD`, scanned on added lines only.
//!
//! Peers get this wrong in ways their users report: scanning the working tree instead of the index,
//! whole files instead of added lines, or nothing at all on a repository's first commit. Here the
//! content is the index's blobs, read as text the way every source reads them
//! ([`crate::content::as_text`]); a file's text is compared with the text of its `HEAD` version
//! (or, for an added file with the same name as a deleted one, with that: a rename), and a finding
//! counts when any line it spans is added: a private key replaced in place under the same `BEGIN` line
//! is a new secret.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};
use crate::source::sink::Sink;
use gix::bstr::{BStr, BString, ByteSlice};
use gix::hash::ObjectId;

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
    #[error("{what}: cannot read")]
    Read {
        /// What was being read.
        what: String,
        /// Why it failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Counters of a staged scan.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StagedStats {
    /// Staged files compared with `HEAD` that differ from it (added, modified, renamed, copied).
    pub changed_files: u64,
    /// Lines added by the staged changes.
    pub added_lines: u64,
    /// Staged files that were not scanned (binary, too large), each named: nothing unseen goes
    /// unmentioned.
    pub not_scanned: Vec<NotScanned>,
    /// Blobs scanned, bytes, skips, time.
    #[serde(flatten)]
    pub scan: ScanStats,
}

/// A staged file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotScanned {
    /// Its path in the repository.
    pub path: String,
    /// Why it was skipped (`binary`, `too-large`, …).
    pub reason: SkipReason,
    /// Whether a warning line already names it (errors, files over the size limit).
    #[serde(skip)]
    pub warned: bool,
}

impl StagedStats {
    /// Counts a skipped file (see [`ScanStats::skip`]) and records it in [`StagedStats::not_scanned`].
    pub fn skip(&mut self, path: &str, reason: SkipReason, message: impl Into<String>) {
        let warnings = self.scan.warnings.len();
        self.scan.skip(path, reason, message);
        self.not_scanned.push(NotScanned {
            path: path.to_owned(),
            reason,
            warned: self.scan.warnings.len() > warnings,
        });
    }
}

/// One staged file that differs from `HEAD`.
struct Change {
    path: BString,
    new: ObjectId,
    old: Option<ObjectId>,
}

impl Scanner {
    /// Scans what `git commit` would record in the repository at (or above) `repo`: the staged version of
    /// every added, modified, renamed or copied file, reporting only findings that span an added line.
    /// Works on a repository without commits (everything staged is added). Deleted and submodule entries
    /// are skipped; content that cannot be read as text (binary) and files over `max_file_size` (0: no
    /// limit) are skipped and counted, and binary ones are listed in [`StagedStats::not_scanned`].
    ///
    /// # Errors
    /// [`StagedError`] when there is no repository or its index cannot be read.
    pub fn scan_staged(
        &self,
        repo: &Path,
        max_file_size: u64,
        sink: &dyn Sink,
    ) -> Result<StagedStats, StagedError> {
        // 0 lifts the limit, as for history.
        let max = if max_file_size == 0 {
            u64::MAX
        } else {
            max_file_size
        };
        staged(self, repo, max, sink)
    }
}

fn staged(
    scanner: &Scanner,
    repo: &Path,
    max_file_size: u64,
    sink: &dyn Sink,
) -> Result<StagedStats, StagedError> {
    let started = Instant::now();
    let repository =
        gix::discover(repo).map_err(|_| StagedError::NotARepository(repo.to_path_buf()))?;
    if repository.workdir().is_none() {
        return Err(StagedError::Bare(repo.to_path_buf()));
    }
    let read_err = |what: &str, e: Box<dyn std::error::Error + Send + Sync>| StagedError::Read {
        what: what.to_owned(),
        source: e,
    };
    // The index's trailing SHA-1 is not verified: hashing a 2.5 MB index of 23,000 files was a third of
    // the hook's time, and git skips it too with index.skipHash. No index file yet: nothing is staged.
    let index_path = repository.index_path();
    let index = if index_path.exists() {
        gix::index::File::at(
            &index_path,
            repository.object_hash(),
            true,
            Default::default(),
        )
        .map_err(|e| read_err(&index_path.display().to_string(), e.into()))?
    } else {
        gix::index::File::from_state(gix::index::State::new(repository.object_hash()), index_path)
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

    // How far from a change the text stays visible: no keyword further away than the largest rule
    // window can yield a match that reaches the change.
    let reach = 2 * scanner
        .rules()
        .iter()
        .map(|r| r.window())
        .max()
        .unwrap_or(0);
    let (mut scratch, mut found, mut out, mut sparse) =
        (Scratch::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut text, mut old_text) = (Vec::new(), Vec::new());
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
            .map_err(|e| read_err(&path, e.into()))?
            .detach();
        let data = &new.data;
        if data.len() as u64 > max_file_size {
            let msg = crate::scan::too_large(data.len() as u64, max_file_size);
            stats.skip(&path, SkipReason::TooLarge, msg);
            continue;
        }
        let (data, kind) = match crate::content::as_text(data, &mut text) {
            Ok(t) => t,
            Err(reason) => {
                stats.skip(&path, reason, reason.as_str());
                continue;
            }
        };
        // Lines are compared as the scan reads them: a transcoded file's lines are those of its text,
        // and an old version that was not text at all has no lines in common with the new one.
        let old = match old_id {
            Some(id) => repository
                .find_object(id)
                .map(|o| o.detach().data)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let old = crate::content::as_text(&old, &mut old_text).map_or(&[][..], |(t, _)| t);
        let added = added_lines(old, data);
        stats.added_lines += added.iter().filter(|a| **a).count() as u64;
        stats.scan.files += 1;
        stats.scan.bytes += data.len() as u64;
        found.clear();
        let visible = context_of_changes(data, &added, reach, &mut sparse);
        scanner.scan_bytes_into(&path, visible, &mut scratch, &mut found);
        stats.scan.count_limits(&scratch, || path.clone());
        out.extend(
            found
                .drain(..)
                .filter(|f| spans_added_line(f, &added))
                .map(|mut f| {
                    kind.mark(&mut f);
                    f
                }),
        );
    }
    stats.not_scanned.sort_by(|a, b| a.path.cmp(&b.path));
    stats.scan.elapsed = started.elapsed();
    out.into_iter().for_each(|f| sink.finding(f));
    Ok(stats)
}

/// Whether a finding covers an added line: a secret spanning lines (a PEM block) is new when any of
/// its lines is, even under an unchanged first line.
pub(crate) fn spans_added_line(f: &Finding, added: &[bool]) -> bool {
    let first = f.line.saturating_sub(1);
    let last = f.end_line.max(f.line).min(added.len());
    added.get(first..last).is_some_and(|s| s.contains(&true))
}

/// The staged text with every line blanked (spaces; newlines kept) that is not in the context of a
/// change. Lines and columns stay where they are, so findings keep their positions; the keyword
/// prefilter then never fires on code the commit does not touch, which spares the hook the regex work
/// (and the lazy regex compilation) for it: scanning whole files took 64% more instructions on the
/// staged benchmark than this.
///
/// The context of a change is the block it sits in: the run of non-blank lines around the added lines,
/// up to `reach` bytes away, and one line beyond on each side (the blank line that ends the block, or
/// an allow comment above). What a match spanning lines needs is a block of text: a PEM key whose
/// middle line changed keeps its `BEGIN` and `END` lines, a service-account file keeps the
/// `client_email` that its private key's rule looks for, a Kubernetes Secret keeps its `kind` line; a
/// change in an encrypted PEM body reaches across the blank line that separates it from its headers.
/// Keeping the whole block cost 1% on the benchmark; keeping a fixed 512 bytes around each change, 17%.
/// Two linear sweeps (down from each change, then up), so any input takes linear time.
pub(crate) fn context_of_changes<'a>(
    data: &'a [u8],
    added: &[bool],
    reach: usize,
    buf: &'a mut Vec<u8>,
) -> &'a [u8] {
    if added.iter().all(|a| *a) {
        return data;
    }
    let lines: Vec<(usize, usize)> = data
        .split_inclusive(|&b| b == b'\n')
        .scan(0, |start, line| {
            let span = (*start, *start + line.len());
            *start = span.1;
            Some(span)
        })
        .collect();
    let blank = |(s, e): (usize, usize)| data[s..e].iter().all(u8::is_ascii_whitespace);
    let is_added = |i: usize| added.get(i).copied().unwrap_or(false);
    let mut keep = vec![false; lines.len()];
    // Down: from the end of the last change seen, while in its block and within reach.
    let mut from: Option<usize> = None;
    for (i, &span) in lines.iter().enumerate() {
        if is_added(i) {
            keep[i] = true;
            from = Some(span.1);
        } else if let Some(end) = from {
            keep[i] = true;
            if blank(span) || span.1 - end > reach {
                from = None;
            }
        }
    }
    // Up: from the start of the next change. A PEM body (lines of base64 only) is separated from its
    // armour's headers by a blank line in an encrypted key (RFC 1421: `Proc-Type`, `DEK-Info`, blank
    // line, body): going up from a change in such a body, that one blank line does not end the block.
    let mut from: Option<usize> = None;
    let mut in_body = false;
    for (i, &span) in lines.iter().enumerate().rev() {
        if is_added(i) {
            if from.is_none() {
                in_body = true;
            }
            in_body &= base64_line(&data[span.0..span.1]);
            from = Some(span.0);
        } else if let Some(start) = from {
            keep[i] = true;
            if start - span.0 > reach {
                from = None;
            } else if blank(span) {
                if !std::mem::replace(&mut in_body, false) {
                    from = None;
                }
            } else {
                in_body &= base64_line(&data[span.0..span.1]);
            }
        }
    }
    if keep.iter().all(|k| *k) {
        return data;
    }
    buf.clear();
    buf.extend_from_slice(data);
    for (&(s, e), _) in lines.iter().zip(&keep).filter(|(_, k)| !**k) {
        for b in &mut buf[s..e] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    buf
}

/// Whether a line is one of a PEM body's: base64 characters only (indentation and line end aside), at
/// least 16 of them.
fn base64_line(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.len() >= 16
        && t.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// For each line of `new` (0-based), whether the diff from `old` adds it.
pub(crate) fn added_lines(old: &[u8], new: &[u8]) -> Vec<bool> {
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
                        source: e.into(),
                    })?
                    .detach()
                    .data
            }
            None => Vec::new(),
        };
        let head_entries: HashMap<&[u8], (ObjectId, bool)> =
            gix::objs::TreeRefIter::from_bytes(&tree_data, self.repo.object_hash())
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

    fn visible(data: &str, added: &[usize], reach: usize) -> String {
        let n = data.lines().count();
        let added: Vec<bool> = (1..=n).map(|l| added.contains(&l)).collect();
        let mut buf = Vec::new();
        let v = context_of_changes(data.as_bytes(), &added, reach, &mut buf);
        assert_eq!(v.len(), data.len(), "lines and columns stay in place");
        String::from_utf8(v.to_vec()).unwrap()
    }

    #[test]
    fn lines_outside_the_changed_block_are_blanked_in_place() {
        let data = "far\n\nBEGIN\nbody1\nCHANGED\nbody2\nEND\n\nother\n";
        assert_eq!(
            visible(data, &[5], 1 << 16),
            "   \n\nBEGIN\nbody1\nCHANGED\nbody2\nEND\n\n     \n"
        );
        // Several changes in one block, and a change on a block's last line.
        let data = "a\nb\n\nc\nd\ne\n\nf\n";
        assert_eq!(visible(data, &[4, 6], 1 << 16), " \n \n\nc\nd\ne\n\n \n");
    }

    #[test]
    fn a_block_is_kept_only_within_reach_plus_one_line() {
        let data = "l1\nl2\nl3\nl4\nCHANGED\nl6\nl7\nl8\nl9\n";
        // Three bytes of reach: one full line each way, then one more as the margin.
        assert_eq!(
            visible(data, &[5], 3),
            "  \n  \nl3\nl4\nCHANGED\nl6\nl7\n  \n  \n"
        );
    }

    #[test]
    fn a_finding_counts_when_any_line_it_spans_is_added() {
        let mut f = Scanner::with_default_rules()
            .scan_bytes("a.env", b"T=glpat-Hq3Zr8xK2mVb7NcT1pWd\n") // leakhound:allow (test token)
            .remove(0);
        (f.line, f.end_line) = (2, 4);
        assert!(!spans_added_line(&f, &[true, false, false, false, true]));
        assert!(spans_added_line(&f, &[false, false, true, false, false]));
        assert!(spans_added_line(&f, &[false, false, false, true]));
        (f.line, f.end_line) = (9, 9);
        assert!(!spans_added_line(&f, &[true]));
    }
}
