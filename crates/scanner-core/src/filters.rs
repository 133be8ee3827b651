//! Cheap checks applied to a candidate secret after its regex matched: entropy, placeholders, inline
//! allow comments, and the assignment-shape gate that keeps the generic tier lazy.

use memchr::memmem;

/// Shannon entropy of `bytes` in bits per byte (0 for empty input).
///
/// ```
/// use leakhound_core::entropy;
/// assert_eq!(entropy(b"aaaa"), 0.0);
/// assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
/// ```
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as a placeholder or documentation rather than a live secret.
/// Matched case-insensitively anywhere in the secret.
const PLACEHOLDER_WORDS: &[&[u8]] = &[
    b"example",
    b"changeme",
    b"change_me",
    b"change-me",
    b"placeholder",
    b"dummy",
    b"sample",
    b"your_",
    b"your-",
    b"yourkey",
    b"yourtoken",
    b"yoursecret",
    b"yourpassword",
    b"redacted",
    b"replace_me",
    b"replaceme",
    b"insert_",
    b"fake",
    b"notreal",
    b"not_real",
    b"not-a-real",
    b"abcdefgh",
    b"12345678",
    b"qwerty",
    b"lorem",
    b"ipsum",
    b"foobar",
];

/// Substrings that mark a template or masked value, matched as written.
const TEMPLATE_MARKS: &[&[u8]] = &[
    b"${",
    b"{{",
    b"}}",
    b"<%",
    b"%>",
    b"****",
    b"...",
    "\u{2026}".as_bytes(),
    b"%s",
    b"%(",
    b"$(",
];

/// Whether a secret looks like a placeholder, template or masked value.
///
/// Secrets longer than 256 bytes (PEM bodies) are only checked for the placeholder words: random
/// base64 of that length contains short runs such as `AAAAAA` often enough that run-based checks would
/// drop real keys.
///
/// ```
/// use leakhound_core::is_placeholder;
/// assert!(is_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
/// assert!(is_placeholder(b"${GITHUB_TOKEN}"));
/// assert!(is_placeholder(b"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"));
/// assert!(!is_placeholder(b"ghp_Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cD")); // leakhound:allow (documentation token)
/// ```
pub fn is_placeholder(secret: &[u8]) -> bool {
    let mut lower = [0u8; 256];
    let n = secret.len().min(lower.len());
    for (d, s) in lower[..n].iter_mut().zip(secret) {
        *d = s.to_ascii_lowercase();
    }
    let low = &lower[..n];
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| memmem::find(low, w).is_some())
    {
        return true;
    }
    if secret.len() > 256 {
        return false;
    }
    if TEMPLATE_MARKS
        .iter()
        .any(|m| memmem::find(secret, m).is_some())
    {
        return true;
    }
    // `<your-api-key>`, `<token>`: angle-bracketed names.
    if secret.first() == Some(&b'<') || secret.last() == Some(&b'>') {
        return true;
    }
    longest_run(secret) >= 6 || has_x_run(secret)
}

fn longest_run(s: &[u8]) -> usize {
    let (mut best, mut cur, mut prev) = (0, 0, None);
    for &b in s {
        cur = if Some(b) == prev { cur + 1 } else { 1 };
        prev = Some(b);
        best = best.max(cur);
    }
    best
}

/// `xxxx` / `XXXX`: the universal "fill me in".
fn has_x_run(s: &[u8]) -> bool {
    memmem::find(s, b"xxxx").is_some() || memmem::find(s, b"XXXX").is_some()
}

/// Markers that exempt a line (gitleaks' and detect-secrets' spellings are honoured so teams can migrate).
const ALLOW_MARKERS: &[&[u8]] = &[
    b"leakhound:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
];
/// detect-secrets' marker on the line above.
const ALLOW_NEXT_LINE: &[u8] = b"pragma: allowlist nextline secret";

/// Whether the lines spanning `start..end` of `hay` carry an inline allow comment (or the line before
/// carries detect-secrets' `nextline` marker).
pub fn inline_allowed(hay: &[u8], start: usize, end: usize) -> bool {
    let line_start = memchr::memrchr(b'\n', &hay[..start]).map_or(0, |i| i + 1);
    let end = end.max(start).min(hay.len());
    let line_end = memchr::memchr(b'\n', &hay[end..]).map_or(hay.len(), |i| end + i);
    let lines = &hay[line_start..line_end];
    if ALLOW_MARKERS
        .iter()
        .any(|m| memmem::find(lines, m).is_some())
    {
        return true;
    }
    if line_start > 0 {
        let prev_start = memchr::memrchr(b'\n', &hay[..line_start - 1]).map_or(0, |i| i + 1);
        return memmem::find(&hay[prev_start..line_start], ALLOW_NEXT_LINE).is_some();
    }
    false
}

/// The gate of the generic tier: after a keyword such as `password`, is there an assignment within a
/// few bytes (`=`, `:`, `=>`, `:=`, an XML tag's `>`, or a CLI flag's space)? Most of the ~400 hits per
/// MB of `token`/`secret`/`password` in real code are identifiers and prose; this test discards them
/// before any regex runs.
pub fn looks_like_assignment(hay: &[u8], keyword_end: usize) -> bool {
    let rest = &hay[keyword_end..hay.len().min(keyword_end + 48)];
    let mut i = 0;
    // The rest of the identifier: `password_hash`, `token.value`, `apiKey"`.
    while i < rest.len()
        && (rest[i].is_ascii_alphanumeric() || matches!(rest[i], b'_' | b'.' | b'-'))
    {
        i += 1;
    }
    while i < rest.len() && matches!(rest[i], b'"' | b'\'' | b'`' | b']' | b' ' | b'\t') {
        i += 1;
    }
    i < rest.len() && matches!(rest[i], b'=' | b':' | b'>' | b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "<your-api-key>",
            "{{ secrets.TOKEN }}",
            "changeme123",
            "********",
            "aaaaaaaaaaaa",
            "xoxb-XXXX-XXXX",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ93kd8ZqL",
            "9f8a7c6b5d4e3f2a1b0c9d8e7f6a5b4c",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn allow_comments() {
        let hay = b"a = 1\ntoken = \"abc\" # leakhound:allow\nb = 2\n";
        let s = memmem::find(hay, b"abc").unwrap();
        assert!(inline_allowed(hay, s, s + 3));
        let hay = b"# pragma: allowlist nextline secret\ntoken = \"abc\"\n";
        let s = memmem::find(hay, b"abc").unwrap();
        assert!(inline_allowed(hay, s, s + 3));
        let hay = b"token = \"abc\"\n# leakhound:allow\n";
        assert!(!inline_allowed(hay, 9, 12));
    }

    #[test]
    fn assignment_gate() {
        let ok =
            |s: &str, kw: &str| looks_like_assignment(s.as_bytes(), s.find(kw).unwrap() + kw.len());
        assert!(ok("db_password = \"x\"", "password"));
        assert!(ok("  \"apiToken\": \"x\"", "Token"));
        assert!(ok("<password>x</password>", "password"));
        assert!(!ok("def reset_password(user):", "password"));
        assert!(!ok("the token is refreshed", "token"));
    }
}
