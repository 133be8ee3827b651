//! The staged-diff line mapping of the pre-commit hook (`leakhound_core::fuzzing`): which lines of the
//! staged text a diff adds, the text kept around them, and whether a finding spans an added line. The
//! input is `reach` (two bytes), then the old text, a NUL, and the new text.
#![no_main]

use std::collections::BTreeMap;

use leakhound_core::{Finding, Severity};
use leakhound_core::fuzzing;
use libfuzzer_sys::fuzz_target;

fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

fn finding(line: usize, end_line: usize) -> Finding {
    Finding {
        rule: "r".into(),
        description: String::new(),
        severity: Severity::High,
        original_severity: None,
        path: "p".into(),
        line,
        column: 1,
        end_line,
        end_column: 1,
        secret: "x".into(),
        fingerprint: leakhound_core::fingerprint(b"x"),
        entropy: 0.0,
        validation: None,
        details: BTreeMap::new(),
        encoding: None,
        context: Default::default(),
        surface: None,
        commit: None,
        author: None,
        date: None,
        summary: None,
        blob: None,
        source: None,
        owner: None,
        status: None,
        note: None,
        offset: 0,
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let reach = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let rest = &data[2..];
    let (old, new) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let (old_lines, new_lines) = (lines(old), lines(new));

    // One flag per line of the new text.
    let added = fuzzing::added_lines(old, new);
    assert_eq!(added.len(), new_lines.len());
    // The lines a diff keeps are lines of the old text, in order.
    let mut it = old_lines.iter();
    for (l, _) in new_lines.iter().zip(&added).filter(|(_, a)| !**a) {
        assert!(
            it.any(|o| o == l),
            "kept line {:?} is not in the old text in order",
            String::from_utf8_lossy(l)
        );
    }
    // Nothing is added to itself; everything is added to nothing.
    assert!(fuzzing::added_lines(new, new).iter().all(|a| !a));
    assert!(fuzzing::added_lines(&[], new).iter().all(|a| *a));

    // The context keeps every byte in place: same length, lines where they were, added lines intact,
    // anything else either kept or blanked with spaces.
    let mut buf = Vec::new();
    let visible = fuzzing::context_of_changes(new, &added, reach, &mut buf).to_vec();
    assert_eq!(visible.len(), new.len());
    let mut at = 0;
    for (l, a) in new_lines.iter().zip(&added) {
        let v = &visible[at..at + l.len()];
        if *a {
            assert_eq!(v, *l, "an added line was blanked");
        } else {
            assert!(
                v == *l
                    || v.iter()
                        .zip(l.iter())
                        .all(|(x, y)| x == y || (*x == b' ' && *y != b'\n' && *y != b'\r'))
            );
        }
        at += l.len();
    }
    // The lines on either side of an added one are kept (they end its block, or continue it).
    for (i, w) in added.windows(2).enumerate() {
        if w[0] != w[1] {
            let j = if w[0] { i + 1 } else { i };
            let s: usize = new_lines[..j].iter().map(|l| l.len()).sum();
            let l = new_lines[j];
            assert_eq!(
                &visible[s..s + l.len()],
                l,
                "line {} next to an added line blanked",
                j + 1
            );
        }
    }

    // A finding counts when any line it spans is added.
    let n = added.len();
    for (line, end) in [(1, 1), (1, n), (n, n), (n + 1, n + 2), (0, 0), (2, 1)] {
        let spans = fuzzing::spans_added_line(&finding(line, end), &added);
        let expect =
            (line.max(1)..=end.max(line)).any(|l| added.get(l - 1).copied().unwrap_or(false));
        assert_eq!(spans, expect, "lines {line}..={end} of {added:?}");
    }
    if let Some(&b) = rest.first() {
        let line = usize::from(b % 16) + 1;
        let end = line + usize::from(b >> 4);
        let spans = fuzzing::spans_added_line(&finding(line, end), &added);
        let expect = (line..=end).any(|l| added.get(l - 1).copied().unwrap_or(false));
        assert_eq!(spans, expect, "lines {line}..={end} of {added:?}");
    }
});
