//! What the bytes of a file or blob are, as text: the one place every source (files, history, staged
//! changes) decides whether and how content is scanned.
//!
//! Text is scanned as it is. Everything else is either turned into text the rules can read or skipped,
//! and the caller counts the skip: nothing is dropped without a trace.
//!
//! | content | [`TextKind`] | the text scanned | `line` / `column` of a finding |
//! |---|---|---|---|
//! | no NUL in the first 8 KiB (UTF-8, ASCII, Latin-1, …) | `Plain` | the bytes themselves | the file's lines, byte columns |
//! | UTF-16 with a BOM, or without one when the NUL pattern of the first 8 KiB says so | `Utf16Le` / `Utf16Be` | the content decoded to UTF-8, BOM dropped | the file's lines (U+000A is a line end in both); columns count bytes of the line's UTF-8 decoding, so on an ASCII line column `c` is the line's `c`-th UTF-16 unit |
//! | binary with text in it (SQLite, core dumps, `.pyc`, keystores, `.class`) | `Strings` | same length as the content: runs of at least [`MIN_STRING_RUN`] text bytes kept, every other byte a space except `\n`; in a SQLite database, each row's values separated by spaces within the row's own bytes | the file's own bytes: lines count `\n` bytes as `grep -a -n` does, columns are byte offsets from the last `\n`, so `offset = line start + column - 1` (in a SQLite row, the value may sit up to its row header's size, a few bytes, further right in the file) |
//! | compressed data, images, archives, fonts, media, executables, random bytes | — | skipped: [`SkipReason::Binary`] | — |
//!
//! The decision costs one `memchr` for NUL over the first [`BINARY_PROBE`] bytes (plus a two-byte BOM
//! check) for the overwhelming majority of files, which are plain text; only content with a NUL there is
//! looked at further, and only in its first [`BINARY_PROBE`] bytes.

use crate::scan::SkipReason;

mod sqlite;

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Bytes inspected to decide what content is (git's binary heuristic looks at the first 8000).
pub const BINARY_PROBE: usize = 8192;

/// Shortest run of text bytes a [`TextKind::Strings`] view keeps, as `strings` does by default.
pub const MIN_STRING_RUN: usize = 4;

/// A run of text at least this long in the probe means binary content carries strings worth scanning
/// (a schema, identifiers, certificate names, environment variables). Random or compressed bytes
/// practically never hold one: a byte is text with probability ~0.38, so 16 in a row ~2e-7.
const TELLING_RUN: usize = 16;

/// Below this byte entropy (bits per byte) a probe without a telling run is still structured data
/// (zero padding, tables, small integers) whose text may come later; compressed or encrypted data is
/// above 7.5 over a few KiB.
const STRUCTURED_ENTROPY: f64 = 7.0;

/// How content was turned into the text that was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Plain text (UTF-8, ASCII or any other byte-oriented encoding), scanned as it is.
    Plain,
    /// UTF-16 little-endian (with or without a BOM), decoded to UTF-8.
    Utf16Le,
    /// UTF-16 big-endian (with or without a BOM), decoded to UTF-8.
    Utf16Be,
    /// Binary content whose printable strings were scanned, in place: a view of the same length in
    /// which every byte outside a run of text is a space (`\n` bytes are kept, so lines stay the
    /// content's own).
    Strings,
}

impl TextKind {
    /// The name a finding carries in its `encoding` field when its content was decoded (`None` when
    /// the location is in the content's own bytes: plain text and strings of binary content).
    pub fn encoding(self) -> Option<&'static str> {
        match self {
            TextKind::Plain | TextKind::Strings => None,
            TextKind::Utf16Le => Some("utf-16le"),
            TextKind::Utf16Be => Some("utf-16be"),
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

/// The text to scan for `bytes`: the bytes themselves ([`TextKind::Plain`]), or a view built in `buf`
/// (UTF-16 decoded to UTF-8, or the strings of binary content). `Err` names why the content cannot
/// be scanned at all. See the module documentation for how locations map back to the content.
///
/// Runs in time linear in `bytes.len()`, and never panics.
///
/// # Errors
/// [`SkipReason::Binary`] for binary content with no text worth scanning: compressed data, images,
/// archives, fonts, media, executables, random bytes.
///
/// ```
/// use leakhound_core::content::{as_text, TextKind};
/// use leakhound_core::SkipReason;
///
/// let mut buf = Vec::new();
/// assert_eq!(as_text(b"key = 1\n", &mut buf).unwrap(), (&b"key = 1\n"[..], TextKind::Plain));
/// assert_eq!(as_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &mut buf).unwrap_err(), SkipReason::Binary);
///
/// // UTF-16LE with a BOM (a PowerShell script saved by Windows PowerShell).
/// let ps1: Vec<u8> = "\u{feff}$k = 'x'\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// assert_eq!(as_text(&ps1, &mut buf).unwrap(), (&b"$k = 'x'\r\n"[..], TextKind::Utf16Le));
///
/// // A binary record with a string in it: same length, the string in place, the rest blanked.
/// let row = b"\x0d\x00\x00\x00\x01\x0f\x00api_token=abcdef1234567890\x00\x02\x9c";
/// let (view, kind) = as_text(row, &mut buf).unwrap();
/// assert_eq!(kind, TextKind::Strings);
/// assert_eq!(view, b"       api_token=abcdef1234567890   ");
/// ```
pub fn as_text<'a>(
    bytes: &'a [u8],
    buf: &'a mut Vec<u8>,
) -> Result<(&'a [u8], TextKind), SkipReason> {
    // A BOM is checked before the NUL probe: UTF-16 text with no ASCII in its first 4096 characters
    // (CJK comments, say) has no NUL there, and its ASCII secrets come later.
    if let Some((kind, bom)) = utf16_bom(bytes) {
        decode_utf16(&bytes[bom..], kind, buf);
        return Ok((buf, kind));
    }
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if memchr::memchr(0, probe).is_none() {
        return Ok((bytes, TextKind::Plain));
    }
    if let Some(kind) = utf16_by_nul_pattern(probe) {
        decode_utf16(bytes, kind, buf);
        return Ok((buf, kind));
    }
    if !holds_text(probe) {
        return Err(SkipReason::Binary);
    }
    strings_view(bytes, buf);
    if bytes.starts_with(SQLITE_MAGIC) {
        sqlite::separate_records(bytes, buf);
    }
    Ok((buf, TextKind::Strings))
}

/// The UTF-16 byte order mark at the start of `bytes`, and its length. `FF FE 00 00` is UTF-32LE's
/// mark, not UTF-16's (no text starts with U+0000).
fn utf16_bom(bytes: &[u8]) -> Option<(TextKind, usize)> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => None,
        [0xFF, 0xFE, ..] => Some((TextKind::Utf16Le, 2)),
        [0xFE, 0xFF, ..] => Some((TextKind::Utf16Be, 2)),
        _ => None,
    }
}

/// BOM-less UTF-16 from the NUL pattern of mostly-ASCII text: in UTF-16LE every ASCII character is
/// `c 00`, in UTF-16BE `00 c`. The probe is UTF-16 in one byte order when at least half of its code
/// units are printable ASCII in that order and almost none (1/64) are control characters (NUL
/// included). Binary data fails one test or the other: random bytes have ~1/256 zero high bytes,
/// arrays of small integers have controls everywhere, and zero padding is NUL units.
fn utf16_by_nul_pattern(probe: &[u8]) -> Option<TextKind> {
    let units = probe.len() / 2;
    if units == 0 {
        return None;
    }
    let (mut le_text, mut le_ctrl, mut be_text, mut be_ctrl) = (0, 0, 0, 0);
    for pair in probe.chunks_exact(2) {
        let (a, b) = (pair[0], pair[1]);
        if b == 0 {
            if is_text_byte(a) {
                le_text += 1;
            } else if a < 0x80 {
                le_ctrl += 1;
            }
        }
        if a == 0 {
            if is_text_byte(b) {
                be_text += 1;
            } else if b < 0x80 {
                be_ctrl += 1;
            }
        }
    }
    let plausible = |text: usize, ctrl: usize| 2 * text >= units && 64 * ctrl <= units;
    if plausible(le_text, le_ctrl) {
        Some(TextKind::Utf16Le)
    } else if plausible(be_text, be_ctrl) {
        Some(TextKind::Utf16Be)
    } else {
        None
    }
}

/// Decodes UTF-16 `bytes` (no BOM) into UTF-8 in `buf`. Unpaired surrogates and a trailing odd byte
/// become U+FFFD, so every unit is accounted for and lines stay where they were.
fn decode_utf16(bytes: &[u8], kind: TextKind, buf: &mut Vec<u8>) {
    let unit: fn([u8; 2]) -> u16 = if kind == TextKind::Utf16Be {
        u16::from_be_bytes
    } else {
        u16::from_le_bytes
    };
    buf.clear();
    buf.reserve(bytes.len() / 2 + 16);
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut tmp = [0u8; 4];
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) if c.is_ascii() => buf.push(c as u8),
            Ok(c) => buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes()),
            Err(_) => buf.extend_from_slice("\u{FFFD}".as_bytes()),
        }
    }
    if bytes.len() % 2 == 1 {
        buf.extend_from_slice("\u{FFFD}".as_bytes());
    }
}

/// Printable ASCII, tab, CR and LF.
fn is_text_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E)
}

/// The length of the text character at `bytes[i]`: 1 for a text byte, 2 to 4 for a well-formed UTF-8
/// sequence (so non-ASCII text stays one run), 0 for anything else.
fn text_len(bytes: &[u8], i: usize) -> usize {
    let b = bytes[i];
    if b < 0x80 {
        return usize::from(is_text_byte(b));
    }
    let (len, lo, hi) = match b {
        0xC2..=0xDF => (2, 0x80, 0xBF),
        0xE0 => (3, 0xA0, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
        0xED => (3, 0x80, 0x9F),
        0xF0 => (4, 0x90, 0xBF),
        0xF1..=0xF3 => (4, 0x80, 0xBF),
        0xF4 => (4, 0x80, 0x8F),
        _ => return 0,
    };
    let Some(seq) = bytes.get(i..i + len) else {
        return 0;
    };
    let second_ok = (lo..=hi).contains(&seq[1]);
    let rest_ok = seq[2..].iter().all(|c| (0x80..=0xBF).contains(c));
    if second_ok && rest_ok {
        len
    } else {
        0
    }
}

/// Calls `run(start, end)` for every maximal run of text in `bytes`, in order; the bytes between runs
/// are not text.
fn for_each_run(bytes: &[u8], mut run: impl FnMut(usize, usize)) {
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        loop {
            let n = if i < bytes.len() {
                text_len(bytes, i)
            } else {
                0
            };
            if n == 0 {
                break;
            }
            i += n;
        }
        if i > start {
            run(start, i);
        } else {
            i += 1;
        }
    }
}

/// Whether binary content (a probe with a NUL that is not UTF-16) has text worth scanning: not a
/// format known to hold none (compressed data, images, archives, fonts, media, executables), and
/// either a telling run of text in the probe or structured (low-entropy) bytes.
fn holds_text(probe: &[u8]) -> bool {
    match known_format(probe) {
        Some(Format::Textless) => return false,
        Some(Format::WithStrings) => return true,
        None => {}
    }
    let mut longest = 0;
    for_each_run(probe, |s, e| longest = longest.max(e - s));
    longest >= TELLING_RUN
        || (probe.len() >= 1024 && crate::filters::entropy(probe) < STRUCTURED_ENTROPY)
}

enum Format {
    /// Compressed or encoded data, images, fonts, media, executables: strings found in them are
    /// noise, or their text is compressed out of reach.
    Textless,
    /// Formats that keep text as it is: SQLite databases, ELF core dumps, Java keystores.
    WithStrings,
}

/// Formats recognised by their magic number.
fn known_format(p: &[u8]) -> Option<Format> {
    const TEXTLESS: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",       // JPEG
        b"GIF87a",             // GIF
        b"GIF89a",             //
        b"II*\0",              // TIFF
        b"MM\0*",              //
        b"\0\0\x01\0",         // ICO
        b"RIFF",               // WebP, WAV, AVI
        b"PK\x03\x04",         // ZIP: jar, docx, apk, whl
        b"PK\x05\x06",         // empty ZIP
        b"\x1f\x8b",           // gzip
        b"BZh",                // bzip2
        b"\xfd7zXZ\0",         // xz
        b"\x28\xb5\x2f\xfd",   // zstd
        b"7z\xbc\xaf\x27\x1c", // 7-Zip
        b"Rar!\x1a\x07",       // RAR
        b"\x04\x22\x4d\x18",   // LZ4
        b"wOFF",               // WOFF
        b"wOF2",               // WOFF2
        b"\0\x01\0\0",         // TrueType
        b"OTTO",               // OpenType
        b"OggS",               // Ogg
        b"fLaC",               // FLAC
        b"ID3",                // MP3
        b"\0asm",              // WebAssembly
        b"MZ",                 // PE executables and DLLs
        b"\xfe\xed\xfa\xce",   // Mach-O
        b"\xfe\xed\xfa\xcf",   //
        b"\xce\xfa\xed\xfe",   //
        b"\xcf\xfa\xed\xfe",   //
        b"\x1a\x45\xdf\xa3",   // Matroska, WebM
        b"PACK",               // git pack
    ];
    const WITH_STRINGS: &[&[u8]] = &[
        SQLITE_MAGIC,
        b"\xfe\xed\xfe\xed", // JKS
        b"\xce\xce\xce\xce", // JCEKS
    ];
    if p.starts_with(b"\x7fELF") {
        // e_type (at 16, in the file's byte order) 4 is a core dump: the process's memory, with its
        // environment and heap strings. Executables and libraries are code and symbol names.
        let core = match p.get(5) {
            Some(2) => p.get(16..18) == Some(&[0, 4]),
            _ => p.get(16..18) == Some(&[4, 0]),
        };
        return Some(if core {
            Format::WithStrings
        } else {
            Format::Textless
        });
    }
    if p.get(4..8) == Some(b"ftyp") {
        return Some(Format::Textless); // MP4, MOV, HEIC, AVIF
    }
    if WITH_STRINGS.iter().any(|m| p.starts_with(m)) {
        return Some(Format::WithStrings);
    }
    if TEXTLESS.iter().any(|m| p.starts_with(m)) {
        return Some(Format::Textless);
    }
    None
}

/// The strings of binary `bytes` in place, in `buf`: same length, runs of at least [`MIN_STRING_RUN`]
/// text bytes kept, every other byte a space except `\n`, which is kept so that lines stay the
/// content's own. Separating runs by spaces (rather than newlines) keeps line numbers meaningful; a
/// rule's pattern can span the gap only where its own syntax allows whitespace there.
fn strings_view(bytes: &[u8], buf: &mut Vec<u8>) {
    buf.clear();
    buf.resize(bytes.len(), b' ');
    for_each_run(bytes, |s, e| {
        if e - s >= MIN_STRING_RUN {
            buf[s..e].copy_from_slice(&bytes[s..e]);
        } else {
            for i in memchr::memchr_iter(b'\n', &bytes[s..e]) {
                buf[s + i] = b'\n';
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut units: Vec<u16> = s.encode_utf16().collect();
        if bom {
            units.insert(0, 0xFEFF);
        }
        units
            .into_iter()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    }

    /// Deterministic bytes that look like compressed data.
    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    const SCRIPT: &str =
        "# deploy\r\n$token = 'glpat-Hq3Zr8xK2mVb7NcT1pWd'\r\nWrite-Host \"é ok\"\r\n"; // leakhound:allow

    #[test]
    fn plain_text_is_scanned_as_it_is() {
        let mut buf = Vec::new();
        let text = "café = 1\n".as_bytes();
        let (view, kind) = as_text(text, &mut buf).unwrap();
        assert_eq!((view, kind), (text, TextKind::Plain));
        assert!(std::ptr::eq(view, text), "plain text is not copied");
        assert_eq!(as_text(b"", &mut buf).unwrap().1, TextKind::Plain);
    }

    #[test]
    fn utf16_with_and_without_bom_decodes_to_the_same_lines() {
        let mut buf = Vec::new();
        for (le, bom, kind) in [
            (true, true, TextKind::Utf16Le),
            (true, false, TextKind::Utf16Le),
            (false, true, TextKind::Utf16Be),
            (false, false, TextKind::Utf16Be),
        ] {
            let bytes = utf16(SCRIPT, le, bom);
            let (view, got) = as_text(&bytes, &mut buf).unwrap();
            assert_eq!(got, kind, "le={le} bom={bom}");
            assert_eq!(view, SCRIPT.as_bytes(), "le={le} bom={bom}");
        }
    }

    #[test]
    fn utf16_with_bom_and_no_ascii_up_front_is_still_decoded() {
        let text = format!("{}\nkey=value\n", "漢字".repeat(3000));
        let bytes = utf16(&text, true, true);
        assert!(!bytes[..BINARY_PROBE].contains(&0));
        let mut buf = Vec::new();
        let (view, kind) = as_text(&bytes, &mut buf).unwrap();
        assert_eq!((view, kind), (text.as_bytes(), TextKind::Utf16Le));
    }

    #[test]
    fn broken_utf16_keeps_every_unit() {
        // A lone high surrogate, then an odd trailing byte.
        let mut bytes = vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'\n', 0, b'b', 0, b'!'];
        let mut buf = Vec::new();
        let (view, kind) = as_text(&bytes, &mut buf).unwrap();
        assert_eq!(kind, TextKind::Utf16Le);
        assert_eq!(view, "a\u{FFFD}\nb\u{FFFD}".as_bytes());
        bytes.truncate(2);
        assert_eq!(as_text(&bytes, &mut buf).unwrap().0, b"");
    }

    #[test]
    fn utf32_mark_is_not_utf16() {
        assert_eq!(utf16_bom(b"\xff\xfe\0\0a\0\0\0"), None);
    }

    #[test]
    fn binary_formats_without_text_are_skipped() {
        let mut buf = Vec::new();
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(noise(20_000, 1));
        png.extend_from_slice(b"tEXtComment\0api_key=not-scanned-in-a-png-anyway");
        let mut gz = b"\x1f\x8b\x08\0\0\0\0\0\0\x03".to_vec();
        gz.extend(noise(5000, 2));
        let mut so = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0".to_vec();
        so.extend_from_slice(&[0; 64]);
        so.extend_from_slice(b"GLIBC_2.2.5 __cxa_finalize _ITM_registerTMCloneTable");
        let mut random = noise(4096, 3);
        random[10] = 0;
        for (name, bytes) in [("png", png), ("gzip", gz), ("so", so), ("random", random)] {
            assert_eq!(
                as_text(&bytes, &mut buf).unwrap_err(),
                SkipReason::Binary,
                "{name}"
            );
        }
    }

    #[test]
    fn binary_with_strings_is_scanned_in_place() {
        let mut db = b"SQLite format 3\0\x10\0\x01\x01\0@  ".to_vec();
        db.resize(4000, 0);
        db.extend_from_slice(
            b"\x1d\x03\x17\x1f\x01\x81\x0dSTRIPE_KEYsk_live_51Hq8ZtR2vNx7\x00\x0a\x0b",
        ); // leakhound:allow
        db.extend(noise(300, 4));
        let mut buf = Vec::new();
        let (view, kind) = as_text(&db, &mut buf).unwrap();
        assert_eq!(kind, TextKind::Strings);
        assert_eq!(view.len(), db.len());
        let at = 4007;
        assert_eq!(
            &view[at..at + 31],
            b"STRIPE_KEYsk_live_51Hq8ZtR2vNx7" // leakhound:allow
        );
        assert_eq!(&view[..15], b"SQLite format 3");
        // Every `\n` of the content is where it was, so line numbers are the content's own.
        let newlines = |b: &[u8]| memchr::memchr_iter(b'\n', b).collect::<Vec<_>>();
        assert_eq!(newlines(view), newlines(&db));
        // Outside kept runs, only spaces and newlines.
        assert!(view[16..at - 1].iter().all(|b| *b == b' ' || *b == b'\n'));
    }

    #[test]
    fn text_with_a_stray_nul_keeps_its_text_and_utf8() {
        let text = "line one\nnom = \"Zoë\"\0 token: ghp_000\nend\n".as_bytes();
        let mut buf = Vec::new();
        let (view, kind) = as_text(text, &mut buf).unwrap();
        assert_eq!(kind, TextKind::Strings);
        assert_eq!(
            view,
            "line one\nnom = \"Zoë\"  token: ghp_000\nend\n".as_bytes()
        );
    }

    #[test]
    fn structured_binary_without_a_long_run_up_front_is_scanned() {
        // Zero padding and short fields first (low entropy), text later.
        let mut data = Vec::new();
        for i in 0..4000u32 {
            data.extend_from_slice(&(i % 7).to_le_bytes());
        }
        data.extend_from_slice(b"password=correct-horse-battery"); // leakhound:allow (test text)
        let mut buf = Vec::new();
        let (view, kind) = as_text(&data, &mut buf).unwrap();
        assert_eq!(kind, TextKind::Strings);
        assert!(view.ends_with(b"password=correct-horse-battery")); // leakhound:allow (test text)
    }

    #[test]
    fn core_dumps_and_keystores_are_scanned() {
        let mut core = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x04\0\x3e\0".to_vec();
        core.extend(noise(9000, 5));
        core.extend_from_slice(b"\0AWS_SECRET_ACCESS_KEY=abc\0");
        let mut buf = Vec::new();
        assert_eq!(as_text(&core, &mut buf).unwrap().1, TextKind::Strings);
        let mut jks = b"\xfe\xed\xfe\xed\0\0\0\x02".to_vec();
        jks.extend(noise(9000, 6));
        assert_eq!(as_text(&jks, &mut buf).unwrap().1, TextKind::Strings);
    }

    #[test]
    fn a_u16_array_of_small_numbers_is_not_utf16() {
        let data: Vec<u8> = (0..4000u16).flat_map(|i| (i % 40).to_le_bytes()).collect();
        assert_eq!(utf16_by_nul_pattern(&data), None);
    }

    #[test]
    fn marks_compose_outermost_first() {
        let mut f = crate::Scanner::with_default_rules()
            .scan_bytes("x", b"t = glpat-Hq3Zr8xK2mVb7NcT1pWd\n") // leakhound:allow
            .remove(0);
        TextKind::Strings.mark(&mut f);
        assert_eq!(f.encoding, None);
        TextKind::Utf16Le.mark(&mut f);
        assert_eq!(f.encoding.as_deref(), Some("utf-16le"));
        f.encoding = Some("base64".into());
        TextKind::Utf16Be.mark(&mut f);
        assert_eq!(f.encoding.as_deref(), Some("utf-16be+base64"));
    }

    #[test]
    fn never_panics_on_short_or_odd_input() {
        let mut buf = Vec::new();
        for n in 0..64 {
            for seed in 0..8 {
                let mut b = noise(n, seed);
                if n > 0 {
                    b[n / 2] = 0;
                }
                let _ = as_text(&b, &mut buf);
                let tail: Vec<u8> = [&b"\xf0\x9f"[..], &b[..]].concat();
                let _ = as_text(&tail, &mut buf);
            }
        }
    }
}
