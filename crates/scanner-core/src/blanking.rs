//! Bytes blanked to spaces before the rules see a buffer, so that text wrapped around a secret by the
//! medium it sits in does not hide it. Blanking keeps the length: offsets, lines and columns stay those
//! of the file. A notebook is blanked before it is scanned; control sequences are found by the keyword
//! pass (`prefilter::ANSI`), and only a buffer holding one is copied, blanked and scanned again.
//!
//! - A Jupyter notebook stores each source line as a JSON string, so `key = "value"` reads
//!   `key = \"value\"`: the backslashes are blanked.
//! - CI and terminal logs colour their output with ANSI escape sequences glued to the text
//!   (`ESC[93m` + token + `ESC[0m`): the `m` before the token defeats every leading boundary (`\b`,
//!   `(?:^|[^A-Za-z0-9])`). Control sequences (`ESC [ params final`, raw or JSON-escaped as `\u001b[`,
//!   as in Docker's json-file logs) are blanked.

use memchr::memmem;

/// The longest control sequence blanked, escape included: `ESC[38;2;255;255;255m` is 19 bytes.
const MAX_CSI: usize = 32;

/// The starts of the control sequences blanked: the keyword pass reports them (trigger
/// `prefilter::ANSI`), and only a buffer holding one is blanked and scanned again.
pub(crate) const ANSI_MARKERS: [&str; 2] = ["\x1b[", "\\u001b["];

/// The buffer the rules should see for `hay`, when it differs from `hay`.
pub(crate) fn blanked(hay: &[u8], notebook: bool) -> Option<Vec<u8>> {
    let mut copy: Option<Vec<u8>> = None;
    let mut blank = |from: usize, to: usize| {
        let c = copy.get_or_insert_with(|| hay.to_vec());
        c[from..to].fill(b' ');
    };
    if notebook {
        for i in memmem::find_iter(hay, b"\\\"") {
            blank(i, i + 1);
        }
    }
    if memchr::memchr(0x1b, hay).is_some() {
        for i in memchr::memchr_iter(0x1b, hay) {
            if let Some(end) = csi_end(hay, i + 1) {
                blank(i, end);
            }
        }
    }
    for i in memmem::find_iter(hay, b"\\u001") {
        if matches!(hay.get(i + 5), Some(b'b' | b'B')) {
            if let Some(end) = csi_end(hay, i + 6) {
                blank(i, end);
            }
        }
    }
    copy
}

/// The end of the control sequence whose `[` is at `at` (just after the escape), when it is one:
/// `[`, parameter bytes (`0-9:;<=>?`), intermediate bytes (space to `/`), one final byte (`@` to `~`).
fn csi_end(hay: &[u8], at: usize) -> Option<usize> {
    if hay.get(at) != Some(&b'[') {
        return None;
    }
    let limit = hay.len().min(at + MAX_CSI);
    let mut i = at + 1;
    while i < limit && (0x30..=0x3f).contains(&hay[i]) {
        i += 1;
    }
    while i < limit && (0x20..=0x2f).contains(&hay[i]) {
        i += 1;
    }
    (i < limit && (0x40..=0x7e).contains(&hay[i])).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &[u8]) -> Vec<u8> {
        blanked(s, false).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn nothing_to_blank_copies_nothing() {
        assert!(blanked(b"token = abc%20def 100% \\u0041", false).is_none());
        assert!(blanked(b"say \\\"hi\\\"", false).is_none());
    }

    #[test]
    fn notebook_quotes() {
        assert_eq!(blanked(br#"k = \"v\""#, true).unwrap(), br#"k =  "v ""#);
    }

    #[test]
    fn ansi_colours_raw_and_json_escaped() {
        assert_eq!(view(b"\x1b[93mabc\x1b[0m!"), b"     abc    !");
        assert_eq!(view(b"x\x1b[1;38;5;196mabc"), b"x             abc");
        assert_eq!(view(br"\u001b[32mabc\u001B[0m"), br"          abc         ");
        // Not a control sequence: left alone.
        assert_eq!(
            view(b"\x1b]0;title\x07 \x1b[12"),
            b"\x1b]0;title\x07 \x1b[12"
        );
    }

    #[test]
    fn hostile_input_is_linear_and_safe() {
        let mut junk = b"\x1b[".repeat(10_000);
        junk.extend(br"\u001b[".repeat(10_000));
        junk.extend(b"\x1b");
        let v = view(&junk);
        assert_eq!(v.len(), junk.len());
    }
}
