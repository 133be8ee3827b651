//! Checks shared by the fuzz targets: what every finding must satisfy whatever the input.
#![allow(dead_code)]

use leakhound_core::{fingerprint, parse_fingerprint, Finding};

/// 1-based line and byte column of `off` in `hay` (as the matcher computes them).
pub fn line_col(hay: &[u8], off: usize) -> (usize, usize) {
    let before = &hay[..off];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, off - start + 1)
}

/// The invariants of findings made by scanning `hay` at `path`:
/// - positions are 1-based, the end is not before the start, the offset lies inside the input;
/// - the fingerprint is a well-formed one and, when the secret survived lossy UTF-8, the SHA-256 of it;
/// - the line and column are those of the offset;
/// - a finding in the file's own bytes (not decoded, not a file finding) names the bytes at its offset,
///   and its end position is where those bytes end;
/// - findings come in offset order.
///
/// `same_bytes`: whether the scanner sees `hay` as it is (false for a notebook, whose `\"` the matcher
/// blanks before scanning: positions hold but the bytes differ).
pub fn check_findings(path: &str, hay: &[u8], findings: &[Finding], same_bytes: bool) {
    let mut last = 0;
    for f in findings {
        let ctx = || {
            format!(
                "{f:#?}\ninput ({} bytes): {:?}",
                hay.len(),
                String::from_utf8_lossy(hay)
            )
        };
        assert_eq!(f.path, path, "{}", ctx());
        assert!(f.line >= 1 && f.column >= 1, "{}", ctx());
        assert!(
            (f.end_line, f.end_column) >= (f.line, f.column),
            "end before start: {}",
            ctx()
        );
        assert!(f.offset <= hay.len(), "offset outside the input: {}", ctx());
        assert!(f.offset >= last, "findings out of offset order: {}", ctx());
        last = f.offset;
        assert!(!f.secret.is_empty(), "empty secret: {}", ctx());
        assert_eq!(
            parse_fingerprint(&f.fingerprint).as_deref(),
            Ok(f.fingerprint.as_str()),
            "{}",
            ctx()
        );
        let lossless = !f.secret.contains('\u{FFFD}');
        if lossless {
            assert_eq!(f.fingerprint, fingerprint(f.secret.as_bytes()), "{}", ctx());
        }
        assert!(
            f.entropy.is_finite() && (0.0..=8.0).contains(&f.entropy),
            "{}",
            ctx()
        );
        if f.note.is_some() {
            continue; // a file finding: the path is the secret, at 1:1
        }
        assert_eq!((f.line, f.column), line_col(hay, f.offset), "{}", ctx());
        if f.encoding.is_none() && lossless {
            let end = f.offset + f.secret.len();
            assert!(end <= hay.len(), "secret runs past the input: {}", ctx());
            if same_bytes {
                assert_eq!(
                    &hay[f.offset..end],
                    f.secret.as_bytes(),
                    "secret is not the bytes at its offset: {}",
                    ctx()
                );
            }
            assert_eq!(
                (f.end_line, f.end_column),
                line_col(hay, end),
                "end position is not where the secret ends: {}",
                ctx()
            );
        }
    }
}

/// Values of `fingerprint` fields that look like a token: at least 16 characters of a token's alphabet,
/// occurring once in `text` (so nothing but the fingerprint field can explain seeing them in a message).
/// Fields are found as they are written, whether or not the document parses: a TOML line
/// `fingerprint = …` (the key bare or quoted) or a JSON member `"fingerprint": …`; the value quoted or
/// not.
pub fn token_like_fingerprint_values(text: &str) -> Vec<&str> {
    let mut values = Vec::new();
    for line in text.lines() {
        let l = line.trim_start();
        for key in ["fingerprint", "\"fingerprint\"", "'fingerprint'"] {
            if let Some(rest) = l.strip_prefix(key) {
                if let Some(v) = rest.trim_start().strip_prefix('=') {
                    values.push(v);
                }
            }
        }
    }
    let mut rest = text;
    while let Some(i) = rest.find("\"fingerprint\"") {
        rest = &rest[i + "\"fingerprint\"".len()..];
        if let Some(v) = rest.trim_start().strip_prefix(':') {
            values.push(v);
        }
    }
    values
        .into_iter()
        .filter_map(|v| {
            let v = v.trim_start_matches([' ', '\t', '"', '\'']);
            let end = v
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_-+/.:".contains(c)))
                .unwrap_or(v.len());
            let v = &v[..end];
            (v.len() >= 16 && text.matches(v).count() == 1 && parse_fingerprint(v).is_err())
                .then_some(v)
        })
        .collect()
}
