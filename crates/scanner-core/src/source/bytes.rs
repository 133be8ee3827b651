//! Bytes a caller has (standard input, an upload, a message body): read as text the way every source
//! reads files, counted the same way.

use std::time::Instant;

use crate::matcher::Scratch;
use crate::scan::{ScanStats, Scanner, SkipReason};
use crate::source::sink::Sink;

impl Scanner {
    /// Scans `bytes` as a file named `name`: over `max_size` bytes (0: no limit) or not text, it is
    /// skipped and counted with a warning naming it; UTF-16 and binary files with strings are read as
    /// [`crate::content::as_text`] says. Findings go to `sink`.
    ///
    /// ```
    /// use leakhound_core::{source::Collect, Scanner};
    ///
    /// let scanner = Scanner::with_default_rules();
    /// let found = Collect::default();
    /// let text = b"GITLAB_TOKEN=glpat-Hq3Zr8xK2mVb7NcT1pWd\n"; // leakhound:allow (documentation token)
    /// let stats = scanner.scan_named("stdin", text, 0, &found);
    /// assert_eq!((stats.files, found.into_sorted()[0].rule.as_str()), (1, "gitlab-pat"));
    /// let stats = scanner.scan_named("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 0, &Collect::default());
    /// assert_eq!((stats.files, stats.skipped.values().sum::<u64>()), (0, 1));
    /// ```
    pub fn scan_named(
        &self,
        name: &str,
        bytes: &[u8],
        max_size: u64,
        sink: &dyn Sink,
    ) -> ScanStats {
        let started = Instant::now();
        let mut stats = ScanStats::default();
        if max_size > 0 && bytes.len() as u64 > max_size {
            let msg = crate::scan::too_large(bytes.len() as u64, max_size);
            stats.skip(name, SkipReason::TooLarge, msg);
        } else {
            let mut text = Vec::new();
            match crate::content::as_text(bytes, &mut text) {
                Ok((view, kind)) => {
                    let (mut scratch, mut found) = (Scratch::new(), Vec::new());
                    self.scan_bytes_into(name, view, &mut scratch, &mut found);
                    stats.files = 1;
                    stats.bytes = bytes.len() as u64;
                    stats.count_limits(&scratch, || name.to_owned());
                    for mut f in found {
                        kind.mark(&mut f);
                        sink.finding(f);
                    }
                }
                Err(reason) => stats.skip(name, reason, reason.as_str()),
            }
        }
        stats.elapsed = started.elapsed();
        stats
    }
}
