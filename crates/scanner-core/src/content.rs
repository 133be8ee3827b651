//! What the bytes of a file or blob are, as text: the one place every source (files, history, staged
//! changes) decides whether and how content is scanned.
//!
//! Text is scanned as it is. Everything else is either turned into text the rules can read or skipped,
//! and the caller counts the skip: nothing is dropped without a trace.

use crate::scan::SkipReason;

/// Bytes inspected for a NUL to decide that content is not plain text (git's heuristic looks at the
/// first 8000).
pub const BINARY_PROBE: usize = 8192;

/// How content was turned into the text that was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Plain text (UTF-8, ASCII or any other byte-oriented encoding), scanned as it is.
    Plain,
}

impl TextKind {
    /// The name a finding carries in its `encoding` field when its content was not plain text (`None`
    /// for plain text: the location is in the file's own bytes).
    pub fn encoding(self) -> Option<&'static str> {
        match self {
            TextKind::Plain => None,
        }
    }

    /// Records on a finding of this content how its text was obtained: the outermost layer of its
    /// `encoding` (`utf-16le+base64` for a base64 value in a UTF-16 file).
    pub fn mark(self, finding: &mut crate::Finding) {
        if let Some(enc) = self.encoding() {
            finding.encoding = Some(match finding.encoding.take() {
                Some(inner) => format!("{enc}+{inner}"),
                None => enc.to_owned(),
            });
        }
    }
}

/// The text to scan for `bytes`: the bytes themselves, or a view built in `buf`. `Err` names why the
/// content cannot be scanned at all.
///
/// # Errors
/// [`SkipReason::Binary`] for binary content.
///
/// ```
/// use leakhound_core::content::{as_text, TextKind};
/// use leakhound_core::SkipReason;
///
/// let mut buf = Vec::new();
/// assert_eq!(as_text(b"key = 1\n", &mut buf).unwrap(), (&b"key = 1\n"[..], TextKind::Plain));
/// assert_eq!(as_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &mut buf).unwrap_err(), SkipReason::Binary);
/// ```
pub fn as_text<'a>(
    bytes: &'a [u8],
    buf: &'a mut Vec<u8>,
) -> Result<(&'a [u8], TextKind), SkipReason> {
    let _ = buf;
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
        return Err(SkipReason::Binary);
    }
    Ok((bytes, TextKind::Plain))
}
