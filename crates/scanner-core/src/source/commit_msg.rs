//! The commit message the commit-msg hook is given, as git will record it.
//!
//! git hands the hook the message file before cleaning it up. When an editor was used, the file still
//! holds the comment lines of the template (the list of changes) and, under `git commit -v`, the
//! staged diff below the scissors line; git drops both. Scanning them would block commits over text
//! that is never recorded (and the diff's context lines repeat old secrets of the files), so they are
//! left out. Without an editor (`-m`, `-F`) git's default cleanup keeps `#` lines, and so does the scan.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::matcher::Scratch;
use crate::scan::{ScanStats, ScanWarning, Scanner};
use crate::source::message::MessageKind;
use crate::source::sink::Sink;

/// The line git writes above the diff of `git commit -v`, after the comment prefix and a space.
const CUT_LINE: &[u8] = b"------------------------ >8 ------------------------";

/// The characters `core.commentChar=auto` chooses from, in git's order.
const AUTO_CANDIDATES: &[u8] = b"#;@!$%^&|:";

/// Which lines begin a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentPrefix {
    /// Lines starting with these bytes (`#` by default).
    Prefix(Vec<u8>),
    /// `core.commentChar=auto`: git picked a character that no line of the message started with.
    Auto,
}

/// How git will clean up a commit message: what the commit-msg hook's file holds that git does not
/// record.
///
/// ```
/// use leakhound_core::source::commit_msg::{Cleanup, CommentPrefix};
///
/// let edited = Cleanup::new(CommentPrefix::Prefix(b"#".to_vec()), None, true);
/// let file = b"Title\n# a comment\nbody\n# ------------------------ >8 ------------------------\ndiff\n";
/// assert_eq!(edited.recorded(file), b"Title\n\nbody\n");
/// // `git commit -m`: no editor, and git keeps `#` lines.
/// let typed = Cleanup::new(CommentPrefix::Prefix(b"#".to_vec()), None, false);
/// assert_eq!(typed.recorded(b"Title\n# kept\n"), b"Title\n# kept\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleanup {
    comment: CommentPrefix,
    strip_comments: bool,
    cut_at_scissors: bool,
}

impl Cleanup {
    /// The cleanup for a message: `comment` from `core.commentChar`, `mode` the value of
    /// `commit.cleanup` (`strip`, `whitespace`, `verbatim`, `scissors`, `default`; `None` for unset),
    /// `editor` whether git opened an editor on it.
    ///
    /// Comment lines are dropped in mode `strip`, and in the default mode when an editor was used (as
    /// git does). Everything from the scissors line on is dropped when an editor was used: that is
    /// where `git commit -v` and the `scissors` mode put it.
    pub fn new(comment: CommentPrefix, mode: Option<&str>, editor: bool) -> Cleanup {
        let strip_comments = match mode {
            Some("strip") => true,
            Some("whitespace" | "verbatim" | "scissors") => false,
            _ => editor,
        };
        // Without an editor, `auto` picked a character that starts no line: nothing is a comment.
        let comment = match comment {
            CommentPrefix::Auto if !editor => CommentPrefix::Prefix(Vec::new()),
            c => c,
        };
        Cleanup {
            comment,
            strip_comments,
            cut_at_scissors: editor,
        }
    }

    /// The cleanup git will apply in the repository at (or above) `repo`: `core.commentChar` (or
    /// `core.commentString`) and `commit.cleanup` as `git config` reads them (so that `git -c`
    /// settings of the running commit count), and whether an editor is used: git sets `GIT_EDITOR=:`
    /// for its hooks when none is. Outside a repository, or without git, git's defaults.
    pub fn from_git(repo: &Path) -> Cleanup {
        let mut comment = CommentPrefix::Prefix(b"#".to_vec());
        let mut mode = None;
        let out = std::process::Command::new("git")
            .args([
                "config",
                "--get-regexp",
                r"^(core\.comment(char|string)|commit\.cleanup)$",
            ])
            .current_dir(repo)
            .stderr(std::process::Stdio::null())
            .output();
        if let Ok(out) = out {
            // One `key value` line per setting, in the order git reads them: the last one wins.
            for line in out.stdout.split(|&b| b == b'\n') {
                let (key, value) = match line.iter().position(|&b| b == b' ') {
                    Some(i) => (&line[..i], &line[i + 1..]),
                    None => (line, &b""[..]),
                };
                match key {
                    b"core.commentchar" | b"core.commentstring" if value == b"auto" => {
                        comment = CommentPrefix::Auto;
                    }
                    b"core.commentchar" | b"core.commentstring" if !value.is_empty() => {
                        comment = CommentPrefix::Prefix(value.to_vec());
                    }
                    b"commit.cleanup" => {
                        mode = Some(String::from_utf8_lossy(value).to_ascii_lowercase());
                    }
                    _ => {}
                }
            }
        }
        let editor = std::env::var_os("GIT_EDITOR").is_none_or(|e| e != ":");
        Cleanup::new(comment, mode.as_deref(), editor)
    }

    /// The text git will record from the message file `raw`, line for line: a dropped comment line is
    /// left empty so that every line keeps its number, and the text stops at the scissors line.
    pub fn recorded(&self, raw: &[u8]) -> Vec<u8> {
        let prefix = match &self.comment {
            CommentPrefix::Prefix(p) => p.clone(),
            CommentPrefix::Auto => auto_prefix(raw),
        };
        let mut out = Vec::with_capacity(raw.len());
        for line in raw.split_inclusive(|&b| b == b'\n') {
            let text = line.strip_suffix(b"\n").unwrap_or(line);
            if self.cut_at_scissors && is_scissors(text, &prefix) {
                break;
            }
            if self.strip_comments && !prefix.is_empty() && text.starts_with(&prefix) {
                out.extend_from_slice(&line[text.len()..]);
            } else {
                out.extend_from_slice(line);
            }
        }
        out
    }
}

/// `<prefix> ------------------------ >8 ------------------------`
fn is_scissors(line: &[u8], prefix: &[u8]) -> bool {
    line.len() == prefix.len() + 1 + CUT_LINE.len()
        && line.starts_with(prefix)
        && line[prefix.len()] == b' '
        && line.ends_with(CUT_LINE)
}

/// The character `core.commentChar=auto` chose for an edited message. git picks the first candidate
/// that starts no line of the message, then writes its template with it, below the message: so it is
/// the scissors line's, else the one that starts the last line starting with any candidate.
fn auto_prefix(raw: &[u8]) -> Vec<u8> {
    let lines = || raw.split(|&b| b == b'\n');
    let starts_with_candidate = |l: &&[u8]| l.first().is_some_and(|c| AUTO_CANDIDATES.contains(c));
    lines()
        .filter(starts_with_candidate)
        .find(|l| is_scissors(l, &l[..1]))
        .or_else(|| lines().rev().find(starts_with_candidate))
        .map_or_else(|| b"#".to_vec(), |l| l[..1].to_vec())
}

/// A commit message file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot read the commit message", .path.display())]
pub struct MessageError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

impl Scanner {
    /// Scans the commit message in `file` as git will record it under `cleanup`. Findings have
    /// `source: commit-message`, an empty path, and the lines of the file. A message that is not text is
    /// not scanned: counted as skipped, with a warning naming the file.
    ///
    /// # Errors
    /// [`MessageError`] when the file cannot be read.
    pub fn scan_commit_message(
        &self,
        file: &Path,
        cleanup: &Cleanup,
        sink: &dyn Sink,
    ) -> Result<ScanStats, MessageError> {
        let started = Instant::now();
        let raw = std::fs::read(file).map_err(|source| MessageError {
            path: file.to_path_buf(),
            source,
        })?;
        let text = cleanup.recorded(&raw);
        let mut stats = ScanStats::default();
        let mut findings = Vec::new();
        match self.scan_message(
            MessageKind::Commit,
            &text,
            &mut Scratch::new(),
            &mut findings,
        ) {
            Ok(()) => {
                stats.files = 1;
                stats.bytes = text.len() as u64;
            }
            Err(reason) => {
                let path = file.display().to_string();
                let warnings = stats.warnings.len();
                stats.skip(&path, reason, "the commit message is not text");
                if stats.warnings.len() == warnings {
                    stats.warnings.push(ScanWarning {
                        path,
                        reason,
                        message: "the commit message is not text: not scanned".into(),
                    });
                }
            }
        }
        stats.elapsed = started.elapsed();
        findings.into_iter().for_each(|f| sink.finding(f));
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash() -> CommentPrefix {
        CommentPrefix::Prefix(b"#".to_vec())
    }

    #[test]
    fn comment_lines_are_emptied_in_place_when_git_strips_them() {
        let file = b"Fix\n\n# Please enter the message\n#\tmodified: a.rs\nbody # not a comment\n";
        let edited = Cleanup::new(hash(), None, true);
        assert_eq!(edited.recorded(file), b"Fix\n\n\n\nbody # not a comment\n");
        // `commit.cleanup=strip` strips without an editor too; `verbatim` never does.
        assert_eq!(
            Cleanup::new(hash(), Some("strip"), false).recorded(file),
            edited.recorded(file)
        );
        assert_eq!(
            Cleanup::new(hash(), Some("verbatim"), true).recorded(file),
            file
        );
        assert_eq!(Cleanup::new(hash(), None, false).recorded(file), file);
    }

    #[test]
    fn the_scissors_line_ends_an_edited_message() {
        let file = b"Fix\n; ------------------------ >8 ------------------------\n+T=1\n";
        let semi = CommentPrefix::Prefix(b";".to_vec());
        assert_eq!(
            Cleanup::new(semi.clone(), None, true).recorded(file),
            b"Fix\n"
        );
        // Another prefix's scissors, or a scissors line typed into `-m`, is text.
        assert_eq!(Cleanup::new(hash(), None, true).recorded(file), file);
        assert_eq!(Cleanup::new(semi, None, false).recorded(file), file);
    }

    #[test]
    fn comment_strings_and_auto() {
        let file = b"Fix\n// note\n/ kept\n";
        let slashes = CommentPrefix::Prefix(b"//".to_vec());
        assert_eq!(
            Cleanup::new(slashes, None, true).recorded(file),
            b"Fix\n\n/ kept\n"
        );
        // auto: the message starts a line with `#`, so git's template used `;`.
        let file = b"Fix\n# heading\n\n; Please enter the message\n; On branch main\n";
        let auto = Cleanup::new(CommentPrefix::Auto, None, true);
        assert_eq!(auto.recorded(file), b"Fix\n# heading\n\n\n\n");
        let cut =
            b"Fix\n; x\n@ ------------------------ >8 ------------------------\n@@ -1 +1 @@\n";
        assert_eq!(auto.recorded(cut), b"Fix\n; x\n");
        // Without an editor there is no template: nothing is a comment.
        assert_eq!(
            Cleanup::new(CommentPrefix::Auto, None, false).recorded(file),
            file
        );
    }

    #[test]
    fn a_message_without_a_final_newline_keeps_its_last_line() {
        let c = Cleanup::new(hash(), None, true);
        assert_eq!(c.recorded(b"Fix\n# c"), b"Fix\n");
        assert_eq!(c.recorded(b"Fix\nlast"), b"Fix\nlast");
        assert_eq!(c.recorded(b""), b"");
    }
}
