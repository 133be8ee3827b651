//! The one way every source hands over what it finds: a push [`Sink`], as grep-searcher's.
//!
//! Files, history, staged changes and commit messages all push each [`Finding`] into a `Sink` as they
//! confirm it, and report their progress through it; what a source counted comes back as its stats,
//! every one built around the same [`ScanStats`](crate::ScanStats) and skip reasons. A source pushes
//! in whatever order its threads finish; [`order`] is the one order every report uses, and
//! [`Collect`] gathers and sorts by it.

use std::cmp::Ordering;
use std::sync::Mutex;

use crate::finding::Finding;

/// Receives what a source finds. Called from the source's worker threads: implementations are `Sync`
/// and cheap (a long-running `finding` holds a worker up).
///
/// Any `Fn(Finding) + Sync` closure is a sink:
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use leakhound_core::source::Sink;
///
/// let count = AtomicUsize::new(0);
/// let sink = |_f| { count.fetch_add(1, Ordering::Relaxed); };
/// fn takes(_: &dyn Sink) {}
/// takes(&sink);
/// ```
pub trait Sink: Sync {
    /// One finding, as the source confirms it (history: once its commit is known).
    fn finding(&self, finding: Finding);

    /// How far a long scan has got, for a display. Ignored unless overridden.
    fn progress(&self, _progress: Progress) {}
}

impl<F: Fn(Finding) + Sync> Sink for F {
    fn finding(&self, finding: Finding) {
        self(finding)
    }
}

/// Progress of a scan, for a display; sent from worker threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
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

/// The order of every report, whatever the source: path, line, column, then the commit (history: the
/// same text at the same place in several blobs) and the rule.
pub fn order(a: &Finding, b: &Finding) -> Ordering {
    (&a.path, a.line, a.column, &a.commit, &a.rule)
        .cmp(&(&b.path, b.line, b.column, &b.commit, &b.rule))
}

/// A sink that keeps every finding; [`Collect::into_sorted`] hands them back in [`order`].
///
/// ```
/// use leakhound_core::source::{Collect, Sink};
/// use leakhound_core::Scanner;
///
/// let scanner = Scanner::with_default_rules();
/// let collect = Collect::default();
/// let text = b"GITLAB_TOKEN=glpat-Xk2mPq9RtLw8vZn4sYbH\n"; // leakhound:allow (documentation token)
/// for f in scanner.scan_bytes("a.env", text) {
///     collect.finding(f);
/// }
/// assert_eq!(collect.into_sorted()[0].rule, "gitlab-pat");
/// ```
#[derive(Default)]
pub struct Collect {
    found: Mutex<Vec<Finding>>,
    progress: Option<ProgressHook>,
}

/// A progress callback a [`Collect`] passes reports to.
type ProgressHook = Box<dyn Fn(Progress) + Send + Sync>;

impl std::fmt::Debug for Collect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collect").finish_non_exhaustive()
    }
}

impl Collect {
    /// A collector that passes progress reports to `progress`.
    pub fn with_progress(progress: impl Fn(Progress) + Send + Sync + 'static) -> Collect {
        Collect {
            found: Mutex::default(),
            progress: Some(Box::new(progress)),
        }
    }

    /// Every finding pushed, in [`order`].
    pub fn into_sorted(self) -> Vec<Finding> {
        // A worker that panicked holding the lock has pushed whole findings only.
        let mut found = self.found.into_inner().unwrap_or_else(|e| e.into_inner());
        found.sort_by(order);
        found
    }
}

impl Sink for Collect {
    fn finding(&self, finding: Finding) {
        self.found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(finding);
    }

    fn progress(&self, progress: Progress) {
        if let Some(p) = &self.progress {
            p(progress);
        }
    }
}
