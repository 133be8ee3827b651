//! What happens to each object the history scan decodes: blobs are scanned, commit and tag messages are
//! scanned, commits are kept for the attribution walk, trees are read for submodules (and, in a partial
//! clone, for the objects they name). One [`Worker`] per thread; each merges into [`Shared`] once.

use std::collections::HashSet;
use std::sync::Mutex;

use gix::bstr::{BString, ByteSlice};
use gix::hash::ObjectId;
use gix::objs::Kind;

use super::attribute::CommitNode;
use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};
use crate::source::message::MessageKind;
use crate::source::sink::{Progress, Sink};

/// Where a finding of the first pass was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Place {
    /// In this blob, whose path and commit are looked up afterwards.
    Blob(ObjectId),
    /// In the message of this commit or tag; the finding already carries its commit, author and date.
    Message(ObjectId),
}

/// A finding and where it was made.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub place: Place,
    pub finding: Finding,
}

/// State shared by the traversal threads; each thread's [`Worker`] merges into it once, when dropped.
pub(super) struct Shared<'a> {
    pub scanner: &'a Scanner,
    pub hash: gix::hash::Kind,
    pub max_size: u64,
    /// Objects an earlier run scanned with the same configuration (`--incremental`).
    pub known: &'a HashSet<ObjectId>,
    pub out: Mutex<Collected>,
    pub progress: Option<&'a dyn Sink>,
    /// Keep the ids of scanned objects (for the incremental state).
    pub record_scanned: bool,
    /// A partial clone: note every object trees and commits refer to, to count the missing ones.
    pub note_references: bool,
}

/// What the workers collected.
#[derive(Default)]
pub(super) struct Collected {
    pub found: Vec<Found>,
    pub scanned: Vec<ObjectId>,
    pub commits: Vec<CommitNode>,
    pub stats: ScanStats,
    /// Objects skipped because the incremental state lists them.
    pub already: u64,
    /// Commit and tag messages scanned.
    pub messages: u64,
    /// Names of submodule (gitlink) entries met in trees.
    pub submodules: HashSet<BString>,
    /// Partial clones: the blobs and trees that trees and commits refer to.
    pub referenced_blobs: HashSet<ObjectId>,
    pub referenced_trees: HashSet<ObjectId>,
}

/// A clone starts empty: gix clones the template worker once per thread, and each clone merges only
/// what its own thread collected (copying the template's counts would count them twice).
impl Clone for Collected {
    fn clone(&self) -> Collected {
        Collected::default()
    }
}

impl Collected {
    fn merge(&mut self, other: Collected) {
        self.found.extend(other.found);
        self.scanned.extend(other.scanned);
        self.commits.extend(other.commits);
        self.stats.merge(other.stats);
        self.already += other.already;
        self.messages += other.messages;
        self.submodules.extend(other.submodules);
        self.referenced_blobs.extend(other.referenced_blobs);
        self.referenced_trees.extend(other.referenced_trees);
    }
}

impl Shared<'_> {
    /// Everything the workers merged; all of them must have been dropped.
    pub fn into_collected(self) -> Collected {
        self.out.into_inner().expect("no panics while holding it")
    }
}

/// One thread's scratch space and counters. `Drop` is the merge point.
#[derive(Clone)]
pub(super) struct Worker<'a> {
    shared: &'a Shared<'a>,
    scratch: Scratch,
    /// Where content that is not plain text is turned into text.
    text: Vec<u8>,
    found: Vec<Finding>,
    pub local: Collected,
    /// Objects and bytes not yet reported to the progress callback.
    unreported: (u64, u64),
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.report_progress();
        let local = std::mem::take(&mut self.local);
        if let Ok(mut out) = self.shared.out.lock() {
            out.merge(local);
        }
    }
}

impl<'a> Worker<'a> {
    pub fn new(shared: &'a Shared<'a>) -> Worker<'a> {
        Worker {
            shared,
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
                p.progress(Progress::Decoded {
                    objects: self.unreported.0,
                    bytes: self.unreported.1,
                });
            }
        }
        self.unreported = (0, 0);
    }

    /// One decoded object.
    pub fn object(&mut self, kind: Kind, oid: ObjectId, data: &[u8]) {
        self.unreported.0 += 1;
        if self.unreported.0 >= 2048 {
            self.report_progress();
        }
        match kind {
            Kind::Blob => self.blob(oid, data),
            Kind::Commit => self.commit(oid, data),
            Kind::Tree => self.tree(data),
            Kind::Tag => self.tag(oid, data),
        }
    }

    /// Scans a blob, unless an earlier run did (incremental) or it is over the size limit.
    pub fn blob(&mut self, oid: ObjectId, data: &[u8]) {
        if self.shared.known.contains(&oid) {
            self.local.already += 1;
            return;
        }
        let stats = &mut self.local.stats;
        if data.len() as u64 > self.shared.max_size {
            let msg = crate::scan::too_large(data.len() as u64, self.shared.max_size);
            // Not recorded as scanned: a later run with a higher limit must see it.
            stats.skip(&format!("blob {oid}"), SkipReason::TooLarge, msg);
            return;
        }
        if self.shared.record_scanned {
            self.local.scanned.push(oid);
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
        stats.count_limits(&self.scratch, || format!("blob {oid}"));
        for mut finding in self.found.drain(..) {
            kind.mark(&mut finding);
            self.local.found.push(Found {
                place: Place::Blob(oid),
                finding,
            });
        }
    }

    /// Keeps the commit for the attribution walk and scans its message once.
    pub fn commit(&mut self, oid: ObjectId, data: &[u8]) {
        let Ok(c) = gix::objs::CommitRef::from_bytes(data, self.shared.hash) else {
            self.local.stats.skip(
                &format!("commit {oid}"),
                SkipReason::Unreadable,
                "the commit object cannot be parsed",
            );
            return;
        };
        if self.shared.note_references {
            self.local.referenced_trees.insert(c.tree());
        }
        self.local.commits.push(CommitNode::from_commit(oid, &c));
        if self.shared.known.contains(&oid) {
            return;
        }
        let (author, date) = signature(c.author().ok());
        let summary = c.message_summary().to_str_lossy().into_owned();
        self.message(MessageKind::Commit, oid, c.message, |f| {
            f.commit = Some(oid.to_string());
            f.author = Some(author.clone());
            f.date = Some(date.clone());
            f.summary = Some(summary.clone());
        });
    }

    /// Scans an annotated tag's message once; its findings name the tagged object as their commit.
    pub fn tag(&mut self, oid: ObjectId, data: &[u8]) {
        if self.shared.known.contains(&oid) {
            return;
        }
        let Ok(t) = gix::objs::TagRef::from_bytes(data, self.shared.hash) else {
            self.local.stats.skip(
                &format!("tag {oid}"),
                SkipReason::Unreadable,
                "the tag object cannot be parsed",
            );
            return;
        };
        let (author, date) = signature(t.tagger().ok().flatten());
        let target = t.target().to_string();
        let name = t.name.to_str_lossy().into_owned();
        let summary = t
            .message
            .lines()
            .next()
            .unwrap_or_default()
            .to_str_lossy()
            .into_owned();
        self.message(MessageKind::Tag, oid, t.message, |f| {
            f.commit = Some(target.clone());
            f.author = Some(author.clone());
            f.date = Some(date.clone());
            f.summary = Some(summary.clone());
            f.note = Some(format!("annotated tag {name} ({oid})"));
        });
    }

    fn message(
        &mut self,
        kind: MessageKind,
        oid: ObjectId,
        message: &gix::bstr::BStr,
        describe: impl Fn(&mut Finding),
    ) {
        if self.shared.record_scanned {
            self.local.scanned.push(oid);
        }
        self.local.messages += 1;
        self.found.clear();
        let scanned =
            self.shared
                .scanner
                .scan_message(kind, message, &mut self.scratch, &mut self.found);
        let what = match kind {
            MessageKind::Commit => "commit",
            MessageKind::Tag => "tag",
        };
        match scanned {
            Err(reason) => {
                self.local
                    .stats
                    .skip(&format!("{what} {oid}"), reason, "the message is not text");
            }
            Ok(()) => self
                .local
                .stats
                .count_limits(&self.scratch, || format!("{what} {oid} message")),
        }
        for mut finding in self.found.drain(..) {
            describe(&mut finding);
            self.local.found.push(Found {
                place: Place::Message(oid),
                finding,
            });
        }
    }

    /// Notes submodules (not followed: their objects live in another repository) and, in a partial
    /// clone, the objects the tree names.
    pub fn tree(&mut self, data: &[u8]) {
        for entry in gix::objs::TreeRefIter::from_bytes(data, self.shared.hash).flatten() {
            if entry.mode.is_commit() {
                self.local.submodules.insert(entry.filename.to_owned());
            } else if self.shared.note_references {
                if entry.mode.is_tree() {
                    self.local.referenced_trees.insert(entry.oid.to_owned());
                } else if entry.mode.is_blob() {
                    self.local.referenced_blobs.insert(entry.oid.to_owned());
                }
            }
        }
    }
}

/// `Name <email>` and the RFC 3339 UTC time of a signature (empty strings when absent).
fn signature(sig: Option<gix::actor::SignatureRef<'_>>) -> (String, String) {
    match sig {
        Some(s) => (
            format!(
                "{} <{}>",
                s.name.to_str_lossy().trim(),
                s.email.to_str_lossy().trim()
            ),
            s.time()
                .map(|t| super::rfc3339_utc(t.seconds))
                .unwrap_or_default(),
        ),
        None => Default::default(),
    }
}
