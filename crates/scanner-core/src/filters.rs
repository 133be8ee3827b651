//! Cheap checks applied to a candidate secret after its regex matched: entropy, placeholders, inline
//! allow comments, and the assignment-shape gate that keeps the generic tier lazy.

use memchr::memmem;

use crate::shapes;

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
    b"not my real",
    b"notmyreal",
    b"abcdefgh",
    b"12345678",
    b"qwertyu",
    b"asdfghj",
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
];

/// Format-string and command-substitution marks: a template only where a value starts with them
/// (`%s`, `%(password)s`, `$(cat key)`), or in a short value; a long random key (a Django secret key's
/// alphabet includes `$%(`) contains them by chance.
const FORMAT_MARKS: &[&[u8]] = &[b"%s", b"%(", b"$("];

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
    if FORMAT_MARKS
        .iter()
        .any(|m| secret.starts_with(m) || (secret.len() < 16 && memmem::find(secret, m).is_some()))
    {
        return true;
    }
    // `<your-api-key>`, `<token>`: angle-bracketed names.
    if secret.first() == Some(&b'<') || secret.last() == Some(&b'>') {
        return true;
    }
    longest_run(secret) >= 6 || has_x_run(secret)
}

/// Longest run of one repeated byte, whitespace aside: the indentation of a PEM block in YAML is not
/// filler.
fn longest_run(s: &[u8]) -> usize {
    let (mut best, mut cur, mut prev) = (0, 0, None);
    for &b in s.iter().filter(|b| !b.is_ascii_whitespace()) {
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
    allowed_lines(hay, line_start, line_end)
}

/// Whether `hay[line_start..line_end]` (whole lines) carries an allow marker, or the line before it
/// detect-secrets' `nextline` marker.
fn allowed_lines(hay: &[u8], line_start: usize, line_end: usize) -> bool {
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

/// Line lookups for offsets visited in (mostly) increasing order, as candidates and findings are: each
/// byte of the buffer is read a bounded number of times however many lookups land on its line. Searching
/// back to the line start from every candidate instead made one long line quadratic (a 2 MB line of
/// `password=` took minutes). Lookups that go backwards stay correct; they only cost a fresh search.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    hay: &'a [u8],
    /// The furthest offset whose line start is known, and that start.
    at: usize,
    start: usize,
    /// The first newline at or after `nl_from` is at `nl` (the buffer's length when there is none).
    nl_from: usize,
    nl: usize,
    /// `line` is the 1-based line number of offset `counted`.
    counted: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub fn new(hay: &'a [u8]) -> Lines<'a> {
        Lines {
            hay,
            at: 0,
            start: 0,
            nl_from: usize::MAX,
            nl: 0,
            counted: 0,
            line: 1,
        }
    }

    /// Start of the line holding `off`.
    pub fn start(&mut self, off: usize) -> usize {
        if off >= self.at {
            if let Some(i) = memchr::memrchr(b'\n', &self.hay[self.at..off]) {
                self.start = self.at + i + 1;
            }
            self.at = off;
            self.start
        } else if off >= self.start {
            // No newline between the start of `at`'s line and `at`.
            self.start
        } else {
            memchr::memrchr(b'\n', &self.hay[..off]).map_or(0, |i| i + 1)
        }
    }

    /// End of the line holding `off`: its newline, or the end of the buffer.
    pub fn end(&mut self, off: usize) -> usize {
        if off < self.nl_from || off > self.nl {
            self.nl = memchr::memchr(b'\n', &self.hay[off..]).map_or(self.hay.len(), |i| off + i);
            self.nl_from = off;
        }
        self.nl
    }

    /// 1-based line number and byte column of `off`.
    pub fn line_col(&mut self, off: usize) -> (usize, usize) {
        if off < self.counted {
            (self.counted, self.line) = (0, 1);
        }
        self.line += memchr::memchr_iter(b'\n', &self.hay[self.counted..off]).count();
        self.counted = off;
        (self.line, off - self.start(off) + 1)
    }
}

/// [`inline_allowed`] for candidates in offset order: the lines a candidate spans are searched once for
/// all the candidates on them, not once per candidate.
#[derive(Debug, Clone)]
pub(crate) struct InlineAllow {
    lines: (usize, usize),
    allowed: bool,
}

impl InlineAllow {
    pub fn new() -> InlineAllow {
        InlineAllow {
            lines: (usize::MAX, 0),
            allowed: false,
        }
    }

    /// Same answer as [`inline_allowed`]`(hay, start, end)`; `lines` is over `hay`.
    pub fn allowed(&mut self, hay: &[u8], lines: &mut Lines<'_>, start: usize, end: usize) -> bool {
        let line_start = lines.start(start);
        let line_end = lines.end(end.max(start).min(hay.len()));
        if self.lines != (line_start, line_end) {
            self.lines = (line_start, line_end);
            self.allowed = allowed_lines(hay, line_start, line_end);
        }
        self.allowed
    }
}

/// The gate of the generic tier: after a keyword such as `password`, is there an assignment within a
/// few bytes (`=`, `:`, `=>`, `:=`, `.=`, an XML tag's `>`, a call's `("` or `, "`, or an XML
/// attribute pair's `value=`)? Most of the ~400 hits per MB of `token`/`secret`/`password` in real
/// code are identifiers and prose; this test discards them before any regex runs.
pub fn looks_like_assignment(hay: &[u8], keyword_end: usize) -> bool {
    let rest = &hay[keyword_end..hay.len().min(keyword_end + 48)];
    let mut i = 0;
    // The rest of the identifier: `password_hash`, `token.value`, `apiKey"`.
    while i < rest.len()
        && (rest[i].is_ascii_alphanumeric() || matches!(rest[i], b'_' | b'.' | b'-'))
    {
        i += 1;
    }
    // PHP's `.=` after `$pass`: the identifier scan took the dot.
    if i > 0 && rest[i - 1] == b'.' && rest.get(i) == Some(&b'=') {
        return true;
    }
    // Closing quotes and brackets, escaped ones too (`\"password\": \"…\"` inside a JSON string).
    while i < rest.len() && matches!(rest[i], b'"' | b'\'' | b'`' | b']' | b'\\' | b' ' | b'\t') {
        i += 1;
    }
    // `Password::new`, `AWS::SecretsManager::Secret`: a path separator, not an assignment.
    if rest.get(i..i + 2) == Some(b"::") && rest.get(i + 2) != Some(&b'=') {
        return false;
    }
    match rest.get(i..) {
        Some([b'=' | b':' | b'>' | b',', ..]) => !assigns_a_call(hay, keyword_end + i + 1),
        // Makefile `?=`, `+=`, PHP `.=`, R's `<-`.
        Some([b'?' | b'+' | b'.', b'=', ..] | [b'<', b'-', ..]) => {
            !assigns_a_call(hay, keyword_end + i + 2)
        }
        // A call whose callee names the credential: `setPassword("…")`, `withToken('…')`.
        Some([b'(', r @ ..]) => {
            let q = r.iter().position(|b| !matches!(b, b' ' | b'\t'));
            q.is_some_and(|q| matches!(r[q], b'"' | b'\''))
        }
        // An XML attribute pair: `key="db.password" value="…"`.
        Some(r) => r.len() >= 6 && r[..5].eq_ignore_ascii_case(b"value") && r[5] == b'=',
        None => false,
    }
}

/// Whether what follows an assignment operator at `at` is a call (`cache_key = make_key(user)`,
/// `token: this.auth.getToken()`, `password => Hash::make(…)`): an identifier or a dotted path of them
/// (`$`-prefixed too) directly followed by `(`. No literal secret is written so, and in code the
/// names the generic tier looks for are assigned calls more often than anything else; the regex is not
/// run for them. Reads at most 96 bytes.
fn assigns_a_call(hay: &[u8], at: usize) -> bool {
    let rest = &hay[at.min(hay.len())..hay.len().min(at + 96)];
    let mut i = rest
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'=' | b'>' | b':'))
        .unwrap_or(rest.len());
    // `new Foo(`, `await fetch(`: keywords before the call.
    for kw in [&b"new "[..], b"await "] {
        if rest[i..].starts_with(kw) {
            i += kw.len();
        }
    }
    if !rest
        .get(i)
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$'))
    {
        return false;
    }
    // `a.b.c(`, `Hash::make(`.
    while i < rest.len()
        && (rest[i].is_ascii_alphanumeric() || matches!(rest[i], b'_' | b'$' | b'.' | b':'))
    {
        i += 1;
    }
    rest.get(i) == Some(&b'(')
}

/// The generic tier's keyword gate, given the whole hit: [`looks_like_assignment`], or a name that
/// opens its line followed by a quoted value (`#define DB_PASSWORD "…"`, Gradle's `password '…'`).
/// A keyword of at most four bytes (`pw`, `pass`, `key`, `auth`) is an ordinary word inside other
/// words (`compass`, `bypass`, `monkey`), so it counts only where it starts a word of the identifier:
/// after a separator, at a camelCase hump (`dbPass`), or on its own.
pub fn lazy_hit(hay: &[u8], keyword_start: usize, keyword_end: usize) -> bool {
    lazy_hit_run(hay, keyword_start, keyword_end).is_some()
}

/// [`lazy_hit`], with the length of the literal assigned (at least 6, at most 64 bytes are measured)
/// when the hit counts: a rule whose secret is longer than that needs no regex for this hit.
pub(crate) fn lazy_hit_run(hay: &[u8], keyword_start: usize, keyword_end: usize) -> Option<usize> {
    if keyword_end - keyword_start <= 4 && !starts_word(hay, keyword_start) {
        return None;
    }
    // `key` alone is a map key (`{"key": …}`, `- key: app.kubernetes.io/name`), the commonest of
    // them: it names a credential only as the last word of a longer identifier (`encryptionKey`,
    // `MASTER_KEY`, `openai.key`), so a hit needs a word before it.
    if hay[keyword_start..keyword_end].eq_ignore_ascii_case(b"key")
        && !inner_word(hay, keyword_start)
    {
        return None;
    }
    if !(looks_like_assignment(hay, keyword_end)
        || leading_name_then_quote(hay, keyword_start, keyword_end))
    {
        return None;
    }
    Some(assigned_run(hay, keyword_end)).filter(|&n| n >= MIN_ASSIGNED)
}

/// The gate of a rule given as `name` and `value` (its regex is the name, the shared assignment
/// grammar, then the value): a hit counts only where the identifier holding the keyword is followed by
/// an assignment ([`looks_like_assignment`]) or by blanks (`#define NAME "v"`, `--name v`), and then
/// returns the length of the literal assigned. A service's name occurs far more often in imports, URLs
/// and prose than in front of a key; those hits need neither the rule's regex nor its compilation.
pub(crate) fn named_hit_run(hay: &[u8], keyword_end: usize) -> Option<usize> {
    let rest = &hay[keyword_end..hay.len().min(keyword_end + 64)];
    let mut i = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    while matches!(rest.get(i), Some(b'"' | b'\'' | b'`' | b']' | b'\\')) {
        i += 1;
    }
    if looks_like_assignment(hay, keyword_end) {
        return Some(assigned_run(hay, keyword_end));
    }
    if !matches!(rest.get(i), Some(b' ' | b'\t')) {
        return None;
    }
    // Blanks: the value is the next word, or the one after it when the name is two words
    // (`shodan init KEY`, `heroku authorizations:create`-style subcommands).
    let first = assigned_run(hay, keyword_end);
    let skip =
        |from: usize, f: fn(u8) -> bool| from + rest[from..].iter().take_while(|&&b| f(b)).count();
    let word = skip(skip(i, |b| matches!(b, b' ' | b'\t')), |b| {
        !b.is_ascii_whitespace()
    });
    let second = if matches!(rest.get(word), Some(b' ' | b'\t')) {
        assigned_run(hay, keyword_end + word)
    } else {
        0
    };
    Some(first.max(second))
}

/// The shortest literal a lazy rule reports (a six-character password under a whole password name).
const MIN_ASSIGNED: usize = 6;

/// The length of the literal assigned after a name that ends at `at`: past the rest of the identifier,
/// closing quotes and brackets, the operator, blanks, a string prefix and opening quotes, the bytes up
/// to the next blank, quote, bracket or separator. In code most names the generic tier looks for are
/// assigned something short (`token = None`, `password: str`, `key = ""`, `token=token`, `$(cmd)`,
/// `${VAR}`), and those hits need no regex. Reads at most 64 bytes past the operator.
fn assigned_run(hay: &[u8], at: usize) -> usize {
    let rest = &hay[at.min(hay.len())..hay.len().min(at + 128)];
    let at = |i: usize| rest.get(i).copied().unwrap_or(0);
    // The rest of the identifier, then closing quotes, brackets and blanks.
    let mut i = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    while matches!(at(i), b'"' | b'\'' | b'`' | b']' | b'\\' | b' ' | b'\t') {
        i += 1;
    }
    // The operator: `=`, `:`, `>`, `,`, `(` and their blanks, two-byte ones only whole (`+=`, `.=`,
    // `?=`, `<-`), so that a value starting with `-`, `.` or `+` keeps its first byte.
    loop {
        match (at(i), at(i + 1)) {
            (b'<', b'-') | (b'+' | b'.' | b'?', b'=') => i += 2,
            (b'=' | b':' | b'>' | b',' | b'(' | b' ' | b'\t', _) => i += 1,
            _ => break,
        }
    }
    // An XML attribute pair: `key="SmtpPassword" value="…"`.
    if rest.len() >= i + 6 && rest[i..i + 5].eq_ignore_ascii_case(b"value") && rest[i + 5] == b'=' {
        i += 6;
    }
    // A string prefix (`@"…"`, `$"…"`) and opening quotes.
    if matches!(at(i), b'@' | b'$') && matches!(at(i + 1), b'"' | b'\'') {
        i += 1;
    }
    while matches!(at(i), b'"' | b'\'' | b'`' | b'\\') {
        i += 1;
    }
    let end = rest.len().min(i + 64);
    rest[i.min(end)..end]
        .iter()
        .take_while(|&&b| {
            !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b';' | b',' | b'\\'))
        })
        .count()
}

/// Whether the byte at `at` starts a word: the input's start, a byte that is not alphanumeric before
/// it (`_` included), or a lower-case letter or digit before an upper-case one.
fn starts_word(hay: &[u8], at: usize) -> bool {
    // A keyword that opens with a separator (`_key`, `.key`) carries its own boundary.
    if !hay[at].is_ascii_alphanumeric() {
        return true;
    }
    match at.checked_sub(1).map(|p| hay[p]) {
        None => true,
        Some(p) if !p.is_ascii_alphanumeric() => true,
        Some(p) => (p.is_ascii_lowercase() || p.is_ascii_digit()) && hay[at].is_ascii_uppercase(),
    }
}

/// Whether the word at `at` follows another word of the same identifier: after `_`, `.` or `-` that
/// follows a letter or digit, or at a camelCase hump.
fn inner_word(hay: &[u8], at: usize) -> bool {
    match (
        at.checked_sub(2).map(|p| hay[p]),
        at.checked_sub(1).map(|p| hay[p]),
    ) {
        (Some(w), Some(b'_' | b'.' | b'-')) => w.is_ascii_alphanumeric(),
        (_, Some(p)) => (p.is_ascii_lowercase() || p.is_ascii_digit()) && hay[at] == b'K',
        _ => false,
    }
}

/// `#define NAME "v"` or `name 'v'` with the name first on its line: blanks and then a quote after the
/// identifier, and only blanks (or `#define`) before it. Reads at most 64 bytes each way.
fn leading_name_then_quote(hay: &[u8], start: usize, end: usize) -> bool {
    let rest = &hay[end..hay.len().min(end + 64)];
    let mut i = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        .unwrap_or(rest.len());
    let blanks = rest[i..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    i += blanks;
    if blanks == 0 || !matches!(rest.get(i), Some(b'"' | b'\'')) {
        return false;
    }
    let from = start.saturating_sub(64);
    let mut j = start;
    while j > from
        && (hay[j - 1].is_ascii_alphanumeric() || matches!(hay[j - 1], b'_' | b'.' | b'-'))
    {
        j -= 1;
    }
    let line_start = memchr::memrchr(b'\n', &hay[from..j]).map(|k| from + k + 1);
    let Some(ls) = line_start.or((from == 0).then_some(0)) else {
        return false;
    };
    let lead = hay[ls..j].trim_ascii_start();
    lead.is_empty() || {
        let d = lead.strip_prefix(b"#").map(<[u8]>::trim_ascii_start);
        d.and_then(|d| d.strip_prefix(b"define"))
            .is_some_and(|t| t.trim_ascii().is_empty())
    }
}

/// Common words of configuration and test code, matched case-insensitively. A value made mostly of them
/// (`my-test-api-key`, `SuperSecretPassword`, `default_token_value`) was typed by a person as a stand-in,
/// not minted by a service.
const WORDS: &[&str] = &[
    "access",
    "account",
    "admin",
    "another",
    "apikey",
    "application",
    "auth",
    "base",
    "bearer",
    "change",
    "client",
    "config",
    "correct",
    "data",
    "debug",
    "default",
    "demo",
    "development",
    "dummy",
    "empty",
    "example",
    "expired",
    "fake",
    "false",
    "fixture",
    "foobar",
    "guest",
    "hello",
    "horse",
    "internal",
    "invalid",
    "key",
    "keys",
    "letmein",
    "local",
    "localhost",
    "login",
    "master",
    "mock",
    "my",
    "none",
    "null",
    "pass",
    "passw0rd",
    "password",
    "passwd",
    "private",
    "prod",
    "production",
    "public",
    "qwerty",
    "random",
    "real",
    "root",
    "sample",
    "secret",
    "secrets",
    "server",
    "service",
    "some",
    "staging",
    "string",
    "stub",
    "super",
    "temp",
    "test",
    "testing",
    "this",
    "token",
    "tokens",
    "true",
    "unit",
    "user",
    "valid",
    "value",
    "very",
    "welcome",
    "world",
    "wrong",
    "your",
];

/// Words that, in a value made of words, mark it as a test or documentation value.
const TEST_WORDS: &[&str] = &[
    "test", "testing", "fake", "dummy", "mock", "sample", "example", "demo", "stub", "fixture",
    "invalid", "wrong", "expired", "default", "change", "secret", "password", "passwd", "passw0rd",
    "token", "apikey", "letmein", "welcome", "foobar", "hello",
];

/// The [`WORDS`] that start with the lowercase letter `first`.
fn words_starting_with(first: u8) -> &'static [&'static str] {
    static BY_LETTER: std::sync::OnceLock<[Vec<&'static str>; 26]> = std::sync::OnceLock::new();
    let by = BY_LETTER.get_or_init(|| {
        let mut by: [Vec<&'static str>; 26] = Default::default();
        for w in WORDS {
            by[usize::from(w.as_bytes()[0] - b'a')].push(w);
        }
        by
    });
    &by[usize::from(first - b'a')]
}

/// Fraction of the letters of `s` covered by [`WORDS`] (greedy, longest word first at each position),
/// and whether one of the covering words is in [`TEST_WORDS`].
fn word_coverage(s: &[u8]) -> (f64, bool) {
    let letters = s.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 {
        return (0.0, false);
    }
    let (mut covered, mut test, mut i) = (0usize, false, 0usize);
    while i < s.len() {
        let first = s[i].to_ascii_lowercase();
        if !first.is_ascii_lowercase() {
            i += 1;
            continue;
        }
        let best = words_starting_with(first)
            .iter()
            .filter(|w| {
                s.len() - i >= w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes())
            })
            .max_by_key(|w| w.len());
        match best {
            // One- and two-letter words only count when they stand alone (`my_key`), not inside
            // random text where `my` occurs by chance.
            Some(w) if w.len() >= 3 || !s.get(i + w.len()).is_some_and(u8::is_ascii_alphabetic) => {
                covered += w.len();
                test |= TEST_WORDS.contains(w);
                i += w.len();
            }
            _ => i += 1,
        }
    }
    (covered as f64 / letters as f64, test)
}

/// How much a value looks like a machine-minted token rather than a word, an identifier or a person's
/// stand-in, from 0 to 1. Entropy alone cannot tell `ThisIsMyApiKeyForTesting` (4.0 bits) from a key;
/// the share of the value spelled by common words can, and the mix of character classes breaks ties.
///
/// ```
/// use leakhound_core::filters::token_likeness;
/// assert!(token_likeness(b"q8ZtR2vNx7LmWp3KcY9bDs4F") > 0.7);
/// assert!(token_likeness(b"my-test-api-key-value") < 0.3);
/// assert!(token_likeness(b"SuperSecretPassword") < 0.3);
/// ```
pub fn token_likeness(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let (coverage, _) = word_coverage(s);
    let classes = [
        s.iter().any(u8::is_ascii_lowercase),
        s.iter().any(u8::is_ascii_uppercase),
        s.iter().any(u8::is_ascii_digit),
        s.iter().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    let mix = match classes {
        0 | 1 => 0.4,
        2 => 0.8,
        _ => 1.0,
    };
    (1.0 - coverage) * mix
}

/// Shapes that a generic-tier value (`password = …`, `token: …`) takes when it is not a secret, beyond
/// the placeholder words every rule applies: a UUID under a name that is not a credential's, a hash
/// digest labelled as one, a base64 X.509 certificate (public by design), a `::` path, a reference to
/// a variable, a dotted identifier, a phrase, a resource name, sequential or repeated filler, a value
/// made of common words, or base64 that decodes to a placeholder.
///
/// `line` is the line holding the value; `name` is the text of the match before the value (the
/// identifier, quotes and operator). `password` relaxes the word test (people do choose passwords
/// made of words; only those that spell a test value are dropped) and lets short values through under
/// a whole password name (`password: s3cret`: a weak password is still a password).
pub fn generic_noise(secret: &[u8], line: &[u8], name: &[u8], password: bool) -> bool {
    noise(secret, &mut LineFacts::of(line), name, None, password)
}

/// What [`generic_noise`] asks of the line around a value, each answered at most once per line: a long
/// line holding many values is read once, not once per value.
#[derive(Debug, Clone)]
pub(crate) struct LineFacts<'a> {
    line: &'a [u8],
    example: Option<bool>,
    digest: Option<bool>,
}

impl<'a> LineFacts<'a> {
    pub fn of(line: &'a [u8]) -> LineFacts<'a> {
        LineFacts {
            line,
            example: None,
            digest: None,
        }
    }

    /// AWS's documentation marks its sample credentials with `EXAMPLE` (`AKIAIOSFODNN7EXAMPLE`,
    /// `ABCDE12345670EXAMPLE`); the other values on that line are samples too.
    fn example(&mut self) -> bool {
        let line = self.line;
        *self
            .example
            .get_or_insert_with(|| memmem::find(line, b"EXAMPLE").is_some())
    }

    /// The line is about a digest: a hex value on it is a hash, not a key.
    fn digest(&mut self) -> bool {
        let line = self.line;
        *self.digest.get_or_insert_with(|| {
            let low = line.to_ascii_lowercase();
            [
                "sha",
                "md5",
                "hash",
                "digest",
                "checksum",
                "integrity",
                "etag",
                "commit",
                "fingerprint",
            ]
            .iter()
            .any(|w| memmem::find(&low, w.as_bytes()).is_some())
        })
    }
}

/// Shortest password reported under a whole password name (`password`, `passwd`, `pwd`); under a
/// weak one (`pass`, `pw`) and for every other generic value the rules' own floors apply.
const SHORT_PASSWORD: usize = 6;
/// Below this length a password needs a whole password name.
const WEAK_NAME_PASSWORD: usize = 8;

/// [`generic_noise`] with the line's answers cached in `line`.
///
/// `after` is the byte after the value (`None` at the end of the input): a short password must be
/// closed the way it was opened.
pub(crate) fn noise(
    secret: &[u8],
    line: &mut LineFacts<'_>,
    name: &[u8],
    after: Option<u8>,
    password: bool,
) -> bool {
    if secret.first() == Some(&b':') {
        return true;
    }
    if line.example() {
        return true;
    }
    // A UUID is an id, unless the name says it is the credential (Heroku and Postmark keys are UUIDs).
    if is_uuid(secret) && (!shapes::credential_name(name) || shapes::id_like_name(name)) {
        return true;
    }
    let hexlen =
        secret.iter().all(u8::is_ascii_hexdigit) && matches!(secret.len(), 32 | 40 | 64 | 96 | 128);
    if hexlen && line.digest() {
        return true;
    }
    // The name attributes of an X.509 certificate (`06 03 55 04`, id-at-*) at the three base64
    // alignments: certificates are public; private keys never contain them.
    if secret.len() > 200
        && [&b"BgNVBA"[..], b"GA1UE", b"YDVQQ"]
            .iter()
            .any(|m| memmem::find(secret, m).is_some())
    {
        return true;
    }
    if shapes::call_on_other_name(name) {
        return true;
    }
    if secret.len() <= 256
        && (shapes::variable_reference(secret)
            || shapes::hex_literal(secret, name)
            || shapes::dotted_identifier(secret)
            || shapes::phrase(secret)
            || shapes::resource_name(secret)
            || shapes::field_list(secret)
            || shapes::function_call(secret)
            || shapes::sequential_or_repeated(secret))
    {
        return true;
    }
    let (coverage, test) = word_coverage(secret);
    if password {
        if coverage >= 0.9 && test || shapes::famous_password(secret) {
            return true;
        }
        if short_password_noise(secret, name, after) {
            return true;
        }
    } else if token_likeness(secret) < 0.35 {
        return true;
    }
    // Base64 of words: `cGFzc3dvcmQxMjM=` is "password123".
    if (12..=1024).contains(&secret.len()) && crate::decode::base64_text_prefix(secret) {
        if let Some(d) = crate::decode::decode(secret, crate::decode::Encoding::Base64) {
            let (coverage, test) = word_coverage(&d);
            if crate::decode::mostly_text(&d) && test && coverage >= 0.6 {
                return true;
            }
        }
    }
    false
}

/// Passwords are short and chosen by people, so entropy cannot have a fixed floor: a value of `n`
/// bytes needs most of them distinct (`s3cret`: 2.58 bits over 6, `qwerty77`: 2.75 over 8),
/// at least one byte that is not a letter, and, below [`WEAK_NAME_PASSWORD`] bytes, a whole password
/// name.
fn short_password_noise(secret: &[u8], name: &[u8], after: Option<u8>) -> bool {
    let n = secret.len();
    if n < SHORT_PASSWORD || (n < WEAK_NAME_PASSWORD && !shapes::strong_password_name(name)) {
        return true;
    }
    // A short value stands alone: its closing quote, or (unquoted) the end of its line or a blank.
    // Six bytes cut out of a longer run (decoded bytes rescanned in their line) do not.
    if n < WEAK_NAME_PASSWORD {
        let open = name.iter().rev().find(|b| !matches!(b, b' ' | b'\t'));
        let closed = match (open, after) {
            (Some(q @ (b'"' | b'\'' | b'`')), Some(a)) => a == *q,
            (Some(b'"' | b'\'' | b'`'), None) => false,
            (_, None) => true,
            (_, Some(a)) => matches!(a, b'\n' | b'\r' | b' ' | b'\t' | b';' | b'<'),
        };
        if !closed {
            return true;
        }
    }
    if secret.iter().all(u8::is_ascii_alphabetic) {
        return true;
    }
    let floor = ((n as f64).log2() - 0.6).min(3.0);
    entropy(secret) < floor
}

/// Whether a secret is base64 of a placeholder: `_auth = bm90IG15IHJlYWwgcGFzc3dvcmQ=` is
/// "not my real password". Random key material never decodes to text, so this costs no recall; tokens
/// that are base64 JSON by design (Grafana's `glc_eyJ…`) are left alone, and only the placeholder words
/// count (JSON is full of `}}`).
pub fn decodes_to_placeholder(secret: &[u8]) -> bool {
    if !(12..=1024).contains(&secret.len())
        || secret.starts_with(b"ey")
        || !crate::decode::base64_text_prefix(secret)
    {
        return false;
    }
    crate::decode::decode(secret, crate::decode::Encoding::Base64).is_some_and(|d| {
        if !crate::decode::mostly_text(&d) || d.starts_with(b"{") || d.starts_with(b"[") {
            return false;
        }
        let low = d.to_ascii_lowercase();
        PLACEHOLDER_WORDS
            .iter()
            .any(|w| memmem::find(&low, w).is_some())
    })
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_values_that_are_not_secrets() {
        let noise =
            |s: &str, line: &str| generic_noise(s.as_bytes(), line.as_bytes(), b"value: ", false);
        assert!(noise(
            "550e8400-e29b-41d4-a716-446655440000",
            "token: 550e8400-…"
        ));
        assert!(noise(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "secret_sha256 = e3b0…"
        ));
        assert!(!noise(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "SECRET_KEY = e3b0…"
        ));
        assert!(noise("my-test-api-key-value", ""));
        assert!(noise("bm90IG15IHJlYWwgcGFzc3dvcmQ=", ""));
        assert!(decodes_to_placeholder(
            b"aXNhYWNzOm5vdCBteSByZWFsIHBhc3N3b3Jk"
        ));
        assert!(!decodes_to_placeholder(
            b"glc_eyJvIjoiNzg0ODk1IiwibiI6InN0YWNrIn0=" // leakhound:allow (made-up token)
        ));
        assert!(!decodes_to_placeholder(b"q8ZtR2vNx7LmWp3KcY9bDs4FhT2mLx9W"));
        assert!(noise(":into_owned", ""));
        assert!(noise(
            "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=",
            "AccessKeyId=ABCDE12345670EXAMPLE,RawSecretAccessKey=DXjS…"
        ));
        assert!(!noise("q8ZtR2vNx7LmWp3KcY9bDs4F", ""));
        assert!(!noise("7Fh2KqP9xW3mZ8vR", ""));
        // Passwords made of words are kept unless they spell a test value.
        let pw = |s: &str, name: &str| generic_noise(s.as_bytes(), b"", name.as_bytes(), true);
        assert!(pw("password123", "password = "));
        assert!(!pw("Summer-Lake-2024!", "password = "));
        assert!(!pw("Tr0ub4dor&3xK!q", "password = "));
        // A weak password is still a password; a placeholder or reference is not.
        assert!(!pw("s3cret", "spring.datasource.password="));
        assert!(!pw("qwerty77", "DB_PASSWORD="));
        let short = |v: &str, name: &str, after: Option<u8>| {
            super::noise(
                v.as_bytes(),
                &mut LineFacts::of(b""),
                name.as_bytes(),
                after,
                true,
            )
        };
        assert!(!short("s3cret", "password: \"", Some(b'"')));
        assert!(!short("s3cret", "password=", Some(b' ')));
        assert!(short("s3cret", "password: \"", Some(b'%')));
        assert!(!pw("winter2024", "password: \""));
        assert!(!pw("P@ss#w0rd$2024!", "DB_PASSWORD="));
        assert!(pw("s3cret", "dbPass = \""));
        assert!(pw("${DB_PASSWORD}", "password: "));
        assert!(pw("$DB_PASSWORD", "password: "));
        assert!(pw("hunter2", "password = \""));
        assert!(pw("UID:GID:GECOS:directory:shell", "password:"));
        // UUIDs: an id, unless the name says key, token, secret or password and not id.
        let uuid = "9f4d9f69-275a-41fe-b58e-2b837bd9ba48";
        assert!(generic_noise(
            uuid.as_bytes(),
            b"",
            b"\"ClientToken\": \"",
            false
        ));
        assert!(generic_noise(uuid.as_bytes(), b"", b"request_id=", false));
        assert!(!generic_noise(
            uuid.as_bytes(),
            b"",
            b"HEROKU_API_KEY=",
            false
        ));
        assert!(!generic_noise(
            uuid.as_bytes(),
            b"",
            b"POSTMARK_SERVER_TOKEN=",
            false
        ));
    }

    #[test]
    fn placeholders() {
        for p in [
            "<your-api-key>",
            "{{ secrets.TOKEN }}",
            "changeme123",
            "********",
            "aaaaaaaaaaaa",
            "xoxb-XXXX-XXXX",
            "%(db_password)s",
            "$(cat /run/secrets/key)",
            "pw%s",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ93kd8ZqL",
            "9f8a7c6b5d4e3f2a1b0c9d8e7f6a5b4c",
            "k3#x9v!m2q$(w7z&p4r%s8t^n6y*b1c@f5h-j0g+d",
            "MIIB\n        AAAA\n        BBBB",
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
        assert!(!ok("let p = Password::into_owned(x);", "Password"));
        assert!(ok("DB_PASSWORD ?= x", "PASSWORD"));
        assert!(ok("TOKENS += x", "TOKEN"));
        assert!(ok("password <- \"x\"", "password"));
        assert!(ok("<add key=\"SmtpPassword\" value=\"x\" />", "Password"));
        assert!(!ok("password + salt", "password"));
        // An assigned call is never a literal secret.
        assert!(!ok("cache_key = make_key(user, scope)", "key"));
        assert!(!ok("token: this.auth.getToken(),", "token"));
        assert!(!ok(
            "$password = Hash::make($request->password);",
            "password"
        ));
        assert!(!ok("api_key = os.environ.get(\"API_KEY\")", "key"));
        assert!(!ok("const token = await fetchToken(user);", "token"));
        assert!(ok(
            "token = eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
            "token"
        ));
        assert!(ok("token = \"abc(def\"", "token"));
        assert!(ok("$db_pass .= \"x\";", "pass"));
        assert!(ok("ds.setPassword(\"x\");", "Password"));
        assert!(!ok("if (password(user)) {", "password"));
        assert!(ok("{\\\"password\\\": \\\"x\\\"}", "password"));
        let lazy = |s: &str, kw: &str| {
            let at = s.find(kw).unwrap();
            lazy_hit(s.as_bytes(), at, at + kw.len())
        };
        assert!(lazy("DB_PASS=xK2mq9Lp", "PASS")); // leakhound:allow
        assert!(lazy("dbPass: xK2mq9Lp", "Pass")); // leakhound:allow
        assert!(lazy("smtp-pass: xK2mq9Lp", "pass")); // leakhound:allow
        assert!(!lazy("bypass = xK2mq9Lp", "pass"));
        assert!(!lazy("compass: xK2mq9Lp", "pass"));
        assert!(lazy("#define DB_PASSWORD \"xK2mq9Lp\"", "PASSWORD"));
        assert!(lazy("    password 'xK2mq9Lp'", "password")); // leakhound:allow
        assert!(!lazy("enter the password \"xK2mq9Lp\"", "password"));
        assert!(lazy("encryptionKey = xK2mq9Lp", "Key"));
        assert!(lazy("MASTER_KEY=xK2mq9Lp", "KEY"));
        assert!(!lazy("{\"key\": xK2mq9Lp}", "key"));
        assert!(!lazy("monkey = xK2mq9Lp", "key"));
        assert!(lazy("MASTER_KEY=xK2mq9Lp", "_KEY"));
        // A name + value rule's gate: an assignment or blanks after the identifier, then the literal.
        let named = |s: &str, kw: &str| named_hit_run(s.as_bytes(), s.find(kw).unwrap() + kw.len());
        assert_eq!(
            named("DEEPGRAM_API_KEY=0123456789abcdef", "DEEPGRAM"),
            Some(16)
        );
        assert_eq!(
            named("#define DEEPGRAM_KEY \"0123456789\"", "DEEPGRAM"),
            Some(10)
        );
        assert_eq!(named("shodan init 0123456789abcdef", "shodan"), Some(16));
        assert_eq!(named("import deepgram\n", "deepgram"), None);
        assert_eq!(named("https://api.deepgram.com/v1", "deepgram"), None);
        // What is assigned is too short to be a literal credential: no regex runs.
        assert!(!lazy("token = None", "token"));
        assert!(!lazy("self.token = token", "token"));
        assert!(!lazy("password: str,", "password"));
        assert!(!lazy("TOKEN=${{ secrets.X }}", "TOKEN"));
        assert!(lazy("password: \"winter24\"", "password")); // leakhound:allow
    }
}
