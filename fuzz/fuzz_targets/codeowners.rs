//! CODEOWNERS: the parser over arbitrary text, and the owner lookup of a path taken from the input
//! (its first line; the rest is the file).
#![no_main]

use leakhound_core::CodeOwners;
use libfuzzer_sys::fuzz_target;

/// A path whose characters mean nothing to a glob, so a pattern spelling it matches only it.
fn literal_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.ends_with('/')
        && !p.contains("//")
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, file) = text.split_once('\n').unwrap_or((text, ""));
    let owners = CodeOwners::parse(file);
    if let Some(o) = owners.owners_of(path) {
        // An owner is a word of the file, never a comment.
        assert!(
            !o.is_empty() && !o.starts_with('#') && !o.chars().any(char::is_whitespace),
            "{o:?}"
        );
        assert!(
            file.split_whitespace().any(|w| w == o),
            "{o:?} is not in the file"
        );
    }
    let _ = owners.is_empty();
    if literal_path(path) {
        // The last matching pattern wins: a line naming the path, appended, decides its owner, anchored
        // or not.
        let anchored = CodeOwners::parse(&format!("{file}\n/{path} @fuzz/anchored\n"));
        assert_eq!(anchored.owners_of(path), Some("@fuzz/anchored"), "/{path}");
        let name = path.rsplit('/').next().unwrap_or(path);
        let anywhere = CodeOwners::parse(&format!("{file}\n{name} @fuzz/any\n"));
        assert_eq!(
            anywhere.owners_of(path),
            Some("@fuzz/any"),
            "{name} for {path}"
        );
        // Everything below a directory pattern belongs to it.
        let below = format!("{path}/x.env");
        let dir = CodeOwners::parse(&format!("{file}\n/{path}/ @fuzz/dir\n"));
        assert_eq!(
            dir.owners_of(&below),
            Some("@fuzz/dir"),
            "/{path}/ for {below}"
        );
    }
});
