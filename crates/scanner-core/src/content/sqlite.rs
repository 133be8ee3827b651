//! SQLite databases in a strings view.
//!
//! SQLite stores a row as a record: a header of serial types, then the values back to back. In the
//! strings of the file a secret is therefore glued to its neighbours (`%Agitlab_tokenglpat-…`: the
//! `%A` are the serial types of two short texts, which happen to be printable), and no rule sees where
//! it starts. Within each record of each b-tree leaf page, [`separate_records`] rewrites the view so
//! that the record's text and blob values come first, each followed by a space, over the bytes its
//! header and numbers took: the view keeps its length, a value moves left by at most the size of its
//! record's header, and the record's newlines stay within it. Everything the parse does not recognise
//! (free space, overflow pages, a damaged page) keeps the plain strings view, so deleted rows are still
//! scanned.

/// Where the b-tree page header of page 1 starts: after the 100-byte database header.
const DB_HEADER: usize = 100;

/// Rewrites, in `view` (the strings view of `db`, same length), every record of every b-tree leaf
/// page of the SQLite database `db` so that its values are separated. Runs in linear time; stops at
/// anything inconsistent.
pub(super) fn separate_records(db: &[u8], view: &mut [u8]) {
    let Some((page_size, usable)) = geometry(db) else {
        return;
    };
    let mut record = Vec::new();
    for (n, page) in db.chunks_exact(page_size).enumerate() {
        let header = if n == 0 { DB_HEADER } else { 0 };
        let base = n * page_size;
        let Some(cells) = leaf_cells(page, header) else {
            continue;
        };
        for cell in cells {
            if let Some(span) = cell_record(page, cell, usable) {
                let span = base + span.start..base + span.end;
                separate(&db[span.clone()], &mut view[span], &mut record);
            }
        }
    }
}

/// The page size and usable size per page from the database header, if they are valid.
fn geometry(db: &[u8]) -> Option<(usize, usize)> {
    let raw = usize::from(u16::from_be_bytes([*db.get(16)?, *db.get(17)?]));
    let page_size = if raw == 1 { 65536 } else { raw };
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return None;
    }
    let reserved = usize::from(*db.get(20)?);
    let usable = page_size.checked_sub(reserved).filter(|u| *u >= 480)?;
    Some((page_size, usable))
}

/// The cell offsets of a leaf page (table or index) or an interior index page, whose b-tree header
/// starts at `header`.
fn leaf_cells(page: &[u8], header: usize) -> Option<impl Iterator<Item = (u8, usize)> + '_> {
    let kind = *page.get(header)?;
    let header_len = match kind {
        10 | 13 => 8,
        2 => 12,
        _ => return None,
    };
    let count = usize::from(u16::from_be_bytes([
        *page.get(header + 3)?,
        *page.get(header + 4)?,
    ]));
    let pointers = page.get(header + header_len..header + header_len + 2 * count)?;
    Some(
        pointers
            .chunks_exact(2)
            .map(move |p| (kind, usize::from(u16::from_be_bytes([p[0], p[1]])))),
    )
}

/// The span (within the page) of the record that the cell at `at` holds locally.
fn cell_record(
    page: &[u8],
    (kind, at): (u8, usize),
    usable: usize,
) -> Option<std::ops::Range<usize>> {
    let mut pos = at;
    if kind == 2 {
        pos += 4; // left child page number
    }
    let (payload, n) = varint(page.get(pos..)?)?;
    pos += n;
    if kind == 13 {
        let (_rowid, n) = varint(page.get(pos..)?)?;
        pos += n;
    }
    // How much of the payload is on this page (the rest is on overflow pages), as SQLite computes it.
    let payload = usize::try_from(payload).ok()?;
    let max_local = if kind == 13 {
        usable - 35
    } else {
        (usable - 12) * 64 / 255 - 23
    };
    let local = if payload <= max_local {
        payload
    } else {
        let min_local = (usable - 12) * 32 / 255 - 23;
        let k = min_local + (payload - min_local) % (usable - 4);
        if k <= max_local {
            k
        } else {
            min_local
        }
    };
    let end = pos.checked_add(local)?;
    (end <= page.len()).then_some(pos..end)
}

/// Rewrites `view` (the view of one record's local bytes `rec`): text and blob values first, each
/// followed by a space, then spaces, then as many newlines as the header and numbers had in the view.
fn separate(rec: &[u8], view: &mut [u8], out: &mut Vec<u8>) {
    let Some((header_len, n)) = varint(rec) else {
        return;
    };
    let Ok(header_len) = usize::try_from(header_len) else {
        return;
    };
    if header_len > rec.len() || header_len < n {
        return;
    }
    out.clear();
    let (mut at, mut body) = (n, header_len);
    while at < header_len {
        let Some((serial, n)) = varint(&rec[at..header_len]) else {
            return;
        };
        at += n;
        let len = match serial {
            0 | 8 | 9 => 0,
            1..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return,
            s => match usize::try_from((s - 12) / 2) {
                Ok(l) => l,
                Err(_) => return,
            },
        };
        let end = body.saturating_add(len).min(rec.len());
        if serial >= 12 && body < end {
            out.extend_from_slice(&view[body..end]);
            out.push(b' ');
        }
        body = end;
    }
    if out.len() > view.len() {
        return; // cannot happen for a well-formed header (one byte per value at least); be safe
    }
    let newlines = memchr::memchr_iter(b'\n', view).count();
    let kept = memchr::memchr_iter(b'\n', out).count();
    let tail = view.len() - out.len();
    // The newlines outside the values must all fit after them, or lines after this record would move
    // up. Values are disjoint slices of `view`, so `kept <= newlines`; the room can run short when the
    // header's bytes in the view are newlines (cells that overlap, so a record already rewritten holds
    // another's header; found by the `content` fuzz target): then the record keeps the plain strings view.
    let moved = newlines - kept;
    if moved > tail {
        return;
    }
    view[..out.len()].copy_from_slice(out);
    view[out.len()..].fill(b' ');
    let len = view.len();
    view[len - moved..].fill(b'\n');
}

/// A SQLite varint (1 to 9 bytes, big-endian, 7 bits per byte but the 9th) and its length.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(9) {
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }

    #[test]
    fn a_record_has_its_values_separated_in_place() {
        // Header: size 4, NULL (rowid alias), text of 12, text of 26; then the two texts.
        let mut rec = vec![4, 0, 12 * 2 + 13, 26 * 2 + 13];
        rec.extend_from_slice(b"gitlab_tokenglpat-AAAAAAAAAAAAAAAAAAAA");
        let mut view = rec.clone();
        view[..4].copy_from_slice(b"  %A");
        separate(&rec, &mut view, &mut Vec::new());
        assert_eq!(view, b"gitlab_token glpat-AAAAAAAAAAAAAAAAAAAA   ");
        assert_eq!(view.len(), rec.len());
    }

    #[test]
    fn damaged_records_are_left_alone() {
        for rec in [&[0x80][..], &[9, 13], &[3, 10, 13, b'x'], &[200, 13, b'x']] {
            let mut view = vec![b'.'; rec.len()];
            separate(rec, &mut view, &mut Vec::new());
            assert!(view.iter().all(|b| *b == b'.'), "{rec:?}");
        }
    }

    /// Fuzz regression (`content` target): the cells of a page overlapped (pointers into each other's
    /// records, one cell listed many times), so a record was rewritten over another's rewrite, whose
    /// newlines sat where its header was; the separators took their room and a newline was lost, moving
    /// every later line up. The input as the fuzzer minimised it.
    #[test]
    fn fuzz_overlapping_cells_keep_the_line_count() {
        let db = include_bytes!("../../tests/fuzz-regressions/content/sqlite-overlapping-cells.db");
        let mut buf = Vec::new();
        let (view, kind) = crate::content::as_text(db, &mut buf).unwrap();
        assert_eq!(kind, crate::content::TextKind::Strings);
        assert_eq!(view.len(), db.len());
        let newlines = |b: &[u8]| memchr::memchr_iter(b'\n', b).count();
        assert_eq!(newlines(view), newlines(db));
    }

    /// A database of two 4096-byte pages: the header and an empty schema, then a table leaf page
    /// holding one row (NULL rowid alias, a name, a value).
    fn database(name: &str, value: &str) -> Vec<u8> {
        let mut db = b"SQLite format 3\0\x10\0\x01\x01\0\x40\x20\x20".to_vec();
        db.resize(100, 0);
        db.extend_from_slice(b"\x0d\0\0\0\0\x10\0\0");
        db.resize(4096, 0);
        let mut record = vec![4, 0, name.len() as u8 * 2 + 13, value.len() as u8 * 2 + 13];
        record.extend_from_slice(name.as_bytes());
        record.extend_from_slice(value.as_bytes());
        db.extend_from_slice(&[13, 0, 0, 0, 1, 0x0b, 0xb8, 0, 0x0b, 0xb8]);
        db.resize(4096 + 3000, 0);
        db.extend_from_slice(&[record.len() as u8, 1]);
        db.extend_from_slice(&record);
        db.resize(8192, 0);
        db
    }

    #[test]
    fn rows_of_a_database_are_separated_in_the_strings_view() {
        let db = database("api_key", "sk_test_AbCdEfGhIjKlMnOp");
        let mut buf = Vec::new();
        let (view, kind) = crate::content::as_text(&db, &mut buf).unwrap();
        assert_eq!(kind, crate::content::TextKind::Strings);
        assert_eq!(view.len(), db.len());
        let row = 4096 + 3000 + 2;
        assert_eq!(
            &view[row..row + 38],
            b"api_key sk_test_AbCdEfGhIjKlMnOp      "
        );
        assert!(!db.windows(8).any(|w| w == b"api_key "));
    }
}
