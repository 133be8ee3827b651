//! The default scanner over arbitrary bytes as a file's content. The first byte picks the path (some
//! work depends on it: notebooks are unescaped, an empty path is a commit message or a history blob
//! whose path is not known yet), whether the scan is repeated with fresh scratch space, and whether it
//! is repeated under a small per-file findings cap or on the content repeated to 64 KiB (a
//! super-linear scan then shows as a timeout); the rest is the content.
#![no_main]

use std::cell::RefCell;
use std::sync::OnceLock;

use leakhound_core::{Scanner, Scratch};
use libfuzzer_sys::fuzz_target;

#[path = "../common.rs"]
mod common;

const PATHS: [&str; 16] = [
    "src/app.py",
    "notebook.ipynb",
    ".env",
    "deploy/k8s/secret.yaml",
    "config.json",
    "",
    ".npmrc",
    "id_rsa",
    "README.md",
    "settings.toml",
    "Dockerfile",
    "tests/fixtures/creds.txt",
    "docker/config.json",
    ".github/workflows/ci.yml",
    "main.tf",
    "dir/nb.ipynb",
];

/// Bytes an input is repeated to when the scan's growth is checked.
const STRETCH: usize = 64 << 10;

/// The cap of the capped scanner.
const CAP: usize = 3;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(Scanner::with_default_rules)
}

fn capped() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::with_default_rules().with_max_findings_per_file(CAP))
}

/// Whether the matcher reads `hay` as a notebook (and blanks the backslashes of its `\"`).
fn notebook(path: &str, hay: &[u8]) -> bool {
    path.ends_with(".ipynb")
        || (hay.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
            && hay.windows(10).any(|w| w == b"\"nbformat\""))
}

thread_local! {
    // Reused across inputs, as a directory walk reuses it across files.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, hay)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(sel) % PATHS.len()];
    let mut found = Vec::new();
    let truncation = SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        scanner().scan_bytes_into(path, hay, &mut s, &mut found);
        s.truncation()
    });
    common::check_findings(path, hay, &found, !notebook(path, hay));
    assert!(found.len() <= leakhound_core::DEFAULT_MAX_FINDINGS_PER_FILE);
    if sel & 0x80 != 0 {
        // Scratch space carries nothing from one buffer to the next.
        let fresh = scanner().scan_bytes(path, hay);
        assert_eq!(found, fresh, "reused scratch changed the findings");
    }
    if sel & 0xF0 == 0x20 && hay.len() % 2 == 0 && !hay.is_empty() && hay.len() <= 4096 {
        // Time must be linear in the input: a short input repeated to 64 KiB (one line, or many) scans in
        // well under the timeout unless some shape of input makes the scan super-linear (n^1.5 would
        // already be 256 times the linear time). One input in 32: under the fuzzer's instrumentation
        // the repeated scan costs as much as a hundred ordinary ones.
        let mut big = Vec::with_capacity(STRETCH + hay.len());
        while big.len() < STRETCH {
            big.extend_from_slice(hay);
        }
        let found = scanner().scan_bytes(path, &big);
        common::check_findings(path, &big, &found, !notebook(path, &big));
    }
    if sel & 0x40 != 0 && truncation.is_none() {
        // Under a cap, the first findings in offset order are reported, and the cut is counted.
        let (mut scratch, mut cut) = (Scratch::new(), Vec::new());
        capped().scan_bytes_into(path, hay, &mut scratch, &mut cut);
        assert!(cut.len() <= CAP);
        assert_eq!(
            cut[..],
            found[..cut.len()],
            "capped findings are not the first ones"
        );
        match scratch.truncation() {
            None => assert_eq!(cut.len(), found.len(), "findings cut without a truncation"),
            Some(t) => {
                assert!(
                    found.len() > CAP || !t.complete,
                    "{t:?} with {} findings",
                    found.len()
                );
                assert_eq!(t.reported, cut.len());
                if t.complete {
                    assert_eq!(t.reported + t.more, found.len(), "{t:?}");
                } else {
                    assert!(t.reported + t.more <= found.len(), "{t:?}");
                }
            }
        }
    }
});
