//! Text the renderers share: HTML escaping and locale-free number, percent, day and fingerprint
//! formatting. Every string from a ledger (owners, paths, repositories come from users' files) passes
//! through [`esc`] before it reaches HTML or SVG.

use std::fmt::Write as _;

/// `s` escaped for HTML text and for attribute values in double quotes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (but tab and newline) have no business in a report and some are not
            // allowed in XML at all (inline SVG is parsed as HTML here, but may be copied out).
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// An integer with thin-space thousands separators (`12 345`), the same in every locale.
pub(crate) fn int(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            // U+202F NARROW NO-BREAK SPACE: the ISO 80000 digit group separator, never a decimal mark.
            out.push('\u{202F}');
        }
        out.push(d);
    }
    out
}

/// A percentage with one decimal (`87.5%`); `–` when not a number.
pub(crate) fn pct(p: f64) -> String {
    if p.is_finite() {
        format!("{p:.1}%")
    } else {
        "–".to_owned()
    }
}

/// A chart axis value: whole numbers without decimals, others with one.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        "–".to_owned()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        // In range of i64 exactly; `as` is the conversion wanted.
        let n = v as i64;
        if n < 0 {
            format!("-{}", int(n.unsigned_abs() as usize))
        } else {
            int(n as usize)
        }
    } else {
        format!("{v:.1}")
    }
}

/// A number of days (`12 d`); `–` when none.
pub(crate) fn days(d: Option<i64>) -> String {
    match d {
        Some(d) if d < 0 => format!("-{} d", int(d.unsigned_abs() as usize)),
        Some(d) => format!("{} d", int(d as usize)),
        None => "–".to_owned(),
    }
}

/// An RFC 3339 instant as `YYYY-MM-DD HH:MM UTC`; other text as it is.
pub(crate) fn instant(s: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => s.to_owned(),
    }
}

/// A fingerprint shortened for a table: its first 12 hex digits, without the kind (`sha256:`).
pub(crate) fn short_fingerprint(fp: &str) -> &str {
    let hex = fp.rsplit_once(':').map_or(fp, |(_, hex)| hex);
    // Hex is ASCII; anything else is cut at a character boundary.
    match hex.char_indices().nth(12) {
        Some((i, _)) => &hex[..i],
        None => hex,
    }
}

/// The first `max` items of a list joined with `, `, and `+N` for the rest.
pub(crate) fn list(items: &[String], max: usize) -> String {
    let mut out = items
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(out, " +{}", items.len() - max);
    }
    out
}

/// The filters a report was built with, each as `name value` with the value through `value` (escaped
/// for the format), joined by ` · `; `none` without any.
pub(crate) fn filters(f: &super::super::model::Filters, value: impl Fn(&str) -> String) -> String {
    let applied: Vec<String> = [
        ("since", &f.since),
        ("repository", &f.repo),
        ("owner", &f.owner),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.as_deref().map(|v| format!("{name} {}", value(v))))
    .collect();
    match applied.is_empty() {
        true => "none".to_owned(),
        false => applied.join(" · "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn numbers_are_locale_free() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1\u{202F}000");
        assert_eq!(int(1234567), "1\u{202F}234\u{202F}567");
        assert_eq!(pct(87.46), "87.5%");
        assert_eq!(pct(f64::NAN), "–");
        assert_eq!(num(20.0), "20");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(-3000.0), "-3\u{202F}000");
        assert_eq!(days(Some(12)), "12 d");
        assert_eq!(days(None), "–");
    }

    #[test]
    fn fingerprints_are_shortened_to_twelve_hex_digits() {
        assert_eq!(
            short_fingerprint("sha256:0123456789abcdef0123"),
            "0123456789ab"
        );
        assert_eq!(short_fingerprint("hmac-sha256:abc"), "abc");
        assert_eq!(short_fingerprint("ééééééééééééééé"), "éééééééééééé");
    }

    #[test]
    fn lists_are_capped() {
        let items: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(list(&items, 2), "a, b +1");
        assert_eq!(list(&items, 5), "a, b, c");
    }
}
