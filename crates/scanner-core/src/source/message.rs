//! Commit and tag messages: text that lives in history as long as the commit does, and that people paste
//! tokens into ("fix auth, token was ghp_…").

use crate::finding::Finding;
use crate::matcher::Scratch;
use crate::scan::{Scanner, SkipReason};

/// Which kind of message a finding was made in; its name is the finding's `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A commit message (history scans, and the commit-msg hook).
    Commit,
    /// An annotated tag's message.
    Tag,
}

impl MessageKind {
    /// `commit-message` or `tag-message`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Commit => "commit-message",
            MessageKind::Tag => "tag-message",
        }
    }
}

impl Scanner {
    /// Scans a commit or tag message. Findings have an empty `path` (serialised as `null`), `source` set
    /// to the kind of message, and lines and columns within the message.
    ///
    /// ```
    /// use leakhound_core::source::message::MessageKind;
    /// use leakhound_core::{Scanner, Scratch};
    ///
    /// let scanner = Scanner::with_default_rules();
    /// let msg = b"Fix deploy\n\nused GITLAB_TOKEN=glpat-Hq3Zr8xK2mVb7NcT1pWd to test\n"; // leakhound:allow (documentation token)
    /// let mut out = Vec::new();
    /// scanner.scan_message(MessageKind::Commit, msg, &mut Scratch::new(), &mut out).unwrap();
    /// assert_eq!((out[0].line, out[0].source.as_deref()), (3, Some("commit-message")));
    /// assert!(out[0].path.is_empty());
    /// ```
    pub fn scan_message(
        &self,
        kind: MessageKind,
        message: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) -> Result<(), SkipReason> {
        let before = out.len();
        let mut text = Vec::new();
        let (view, text_kind) = crate::content::as_text(message, &mut text)?;
        self.context(false).scan("", view, scratch, out);
        for f in &mut out[before..] {
            f.source = Some(kind.as_str().to_owned());
            text_kind.mark(f);
        }
        Ok(())
    }
}
