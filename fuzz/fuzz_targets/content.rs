//! `content::as_text` over arbitrary bytes: how every source turns a file or blob into the text it
//! scans (plain text as it is, UTF-16 decoded, the strings of binary content in place, SQLite records
//! separated), with the location guarantees of the module documentation checked.
#![no_main]

use std::cell::RefCell;

use leakhound_core::content::{as_text, TextKind, BINARY_PROBE};
use leakhound_core::SkipReason;
use libfuzzer_sys::fuzz_target;

thread_local! {
    // Reused across inputs, as sources reuse it across files: it must not leak into the next view.
    static BUF: RefCell<Vec<u8>> = RefCell::new(b"left over from an earlier file\n".repeat(9));
}

fn count_nl(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

fuzz_target!(|data: &[u8]| {
    let mut fresh = Vec::new();
    let got = as_text(data, &mut fresh).map(|(v, k)| (v.to_vec(), k));
    // The same view whatever the buffer held before.
    BUF.with(|b| {
        let mut b = b.borrow_mut();
        let again = as_text(data, &mut b).map(|(v, k)| (v.to_vec(), k));
        assert_eq!(
            got, again,
            "the view depends on the buffer's earlier content"
        );
    });
    let (view, kind) = match got {
        Ok(v) => v,
        Err(reason) => {
            assert_eq!(reason, SkipReason::Binary);
            // Only content with a NUL in the probe is ever skipped.
            assert!(data[..data.len().min(BINARY_PROBE)].contains(&0));
            return;
        }
    };
    match kind {
        TextKind::Plain => {
            assert_eq!(view, data, "plain text is scanned as it is");
            assert!(!data[..data.len().min(BINARY_PROBE)].contains(&0));
        }
        TextKind::Utf16Le | TextKind::Utf16Be => {
            let units = data.len() / 2;
            // Valid UTF-8, at most 3 bytes per unit (a surrogate pair's 4 bytes cover 2 units) and
            // one U+FFFD for an odd byte.
            assert!(
                std::str::from_utf8(&view).is_ok(),
                "UTF-16 view is not UTF-8"
            );
            assert!(
                view.len() <= 3 * units + 3,
                "{} from {}",
                view.len(),
                data.len()
            );
            // Lines are the content's own: one `\n` per U+000A unit.
            let le = kind == TextKind::Utf16Le;
            let nl_units = data
                .chunks_exact(2)
                .filter(|p| {
                    if le {
                        p == &[b'\n', 0]
                    } else {
                        p == &[0, b'\n']
                    }
                })
                .count();
            assert_eq!(count_nl(&view), nl_units, "UTF-16 lines moved");
            assert_eq!(kind.encoding().is_some(), true);
        }
        TextKind::Strings => {
            // Same length, so offsets are the content's own; the same lines.
            assert_eq!(view.len(), data.len(), "strings view changed length");
            assert_eq!(
                count_nl(&view),
                count_nl(data),
                "strings view changed the line count"
            );
            assert_eq!(kind.encoding(), None);
            if !data.starts_with(b"SQLite format 3\0") {
                // Outside SQLite records, every byte is in place or blanked (newlines kept).
                for (i, (&v, &d)) in view.iter().zip(data).enumerate() {
                    assert!(
                        v == d || (v == b' ' && d != b'\n'),
                        "byte {i}: {v:#x} in the view for {d:#x}"
                    );
                }
            }
        }
    }
});
