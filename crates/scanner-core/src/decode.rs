//! Decoding: secrets wrapped in base64, hex or percent-encoding (a Kubernetes Secret's `data:`, a
//! kubeconfig's `client-key-data`, a service-account JSON pasted into a CI variable as base64, a token in
//! a URL-encoded query string) are found by decoding the encoded run and scanning the result.
//!
//! Decoding everything that looks like base64 would cost a pass over every byte and mostly decode hashes,
//! images and identifiers. Instead three cheap signals, all found by the keyword prefilter's single pass,
//! say where to decode:
//! - the base64 and percent-encoded forms of a few [`MARKERS`] that open what people encode whole
//!   (`-----BEGIN` at the three byte alignments is `LS0tLS1CRUdJT`, `tLS0tQkVHSU`, `LS0tLUJFR0lO`;
//!   `postgres://` in a query string is `postgres%3A%2F%2F`): the enclosing run is decoded;
//! - a Kubernetes `kind: Secret`: every `key: <base64>` value of the document is decoded in its line;
//! - the value of an assignment the generic tier already looks at (`password: <base64>`).
//!
//! Encoded forms of every rule keyword would find more, but they tripled the keyword automaton and cost
//! 40% of the scan's throughput (the automaton's size is what a scan pays for, in cache misses); the markers cover how secrets are actually wrapped (kubeconfigs, TLS
//! secrets, service-account files and `.env` files pasted into CI variables). Decoding is bounded in
//! depth and size.

use base64::Engine as _;

/// How far decoding nests (base64 inside base64: a `.dockerconfigjson` holding an `auth`).
pub(crate) const MAX_DEPTH: u8 = 2;
/// Longest encoded run decoded (a base64 kubeconfig or service-account file is a few KB).
pub(crate) const MAX_RUN: usize = 1 << 20;
/// Bytes rescanned per scanned buffer, all decoded runs and the context around them together: bounds the
/// work an adversarial file can cause. See [`budget`].
pub(crate) const BUDGET: usize = 4 << 20;

/// The rescan budget of a buffer of `len` bytes: [`BUDGET`], and no more than twice the buffer plus 64 KiB.
/// Decoded bytes are never more than the encoded ones, so real files stay far below this; a small file
/// packed with encoded values on long lines (each rescanned with its line around it) would otherwise
/// make leakhound rescan 4 MiB for every 100 KB of input.
pub(crate) fn budget(len: usize) -> usize {
    BUDGET.min((64 << 10) + 2 * len)
}
/// Shortest assignment value worth decoding: 16 base64 characters are 12 bytes.
const MIN_VALUE: usize = 16;

/// An encoding leakhound peels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Encoding {
    Base64,
    Hex,
    Percent,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent",
        }
    }
    /// The bit of this encoding in a pattern's trigger mask.
    pub fn bit(self) -> u8 {
        match self {
            Encoding::Base64 => 1,
            Encoding::Hex => 2,
            Encoding::Percent => 4,
        }
    }
    pub const ALL: [Encoding; 3] = [Encoding::Base64, Encoding::Hex, Encoding::Percent];
}

/// What people base64 whole, by its opening bytes: PEM blocks (kubeconfig `client-key-data`, TLS
/// secrets), service-account JSON, AWS credential files and `.env` files, connection URLs.
pub(crate) const MARKERS: &[&str] = &[
    "-----BEGIN ",
    "service_account",
    "\"private_key\"",
    "aws_secret_access_key",
    "AWS_SECRET_ACCESS_KEY",
    "_PASSWORD=",
    "_SECRET=",
    "_TOKEN=",
    "_API_KEY=",
    "postgres://",
    "postgresql://",
    "mysql://",
    "mongodb+srv://",
    "mongodb://",
    "redis://",
    "amqp://",
];

/// Plain keywords that switch on decoding of a whole document's values: a Kubernetes Secret's `data:`
/// holds nothing but base64, under names that need not mention a secret.
pub(crate) const DOCUMENT_MARKERS: &[&str] = &[
    "kind: secret",
    "\"kind\": \"secret\"",
    "\"kind\":\"secret\"",
];

/// The base64 forms of a marker at each of the three byte alignments: only the characters that do not
/// depend on the neighbouring bytes.
pub(crate) fn base64_forms(keyword: &str) -> Vec<String> {
    let k = keyword.as_bytes();
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut out = Vec::new();
    for a in 0..3usize {
        let mut buf = vec![0u8; a];
        buf.extend_from_slice(k);
        let enc = b64.encode(&buf);
        let from = (8 * a).div_ceil(6);
        let to = (8 * (a + k.len())) / 6;
        if to > from + 5 {
            out.push(enc[from..to].to_owned());
        }
    }
    out
}

/// The percent-encoded form of a keyword that URL encoding changes (`postgres://` →
/// `postgres%3A%2F%2F`); `None` when encoding leaves it as it is.
pub(crate) fn percent_form(keyword: &str) -> Option<String> {
    let k = keyword.as_bytes();
    if k.len() < 5 || !k.iter().any(|b| needs_percent(*b)) {
        return None;
    }
    // Characters are kept as they are, escapes replace single ASCII bytes: a non-ASCII character stays
    // itself (mapping its bytes through `char::from` made Latin-1 mojibake of it; found by the `decode`
    // fuzz target, unreachable with today's ASCII markers).
    let mut out = String::with_capacity(k.len() * 3);
    for c in keyword.chars() {
        match u8::try_from(c).ok().filter(|&b| needs_percent(b)) {
            Some(b) => out.push_str(&format!("%{b:02X}")),
            None => out.push(c),
        }
    }
    Some(out)
}

/// Longest rest of a `- name: X` line looked at for the newline before its `value:` line. Looking for the
/// newline from every `- name:` of a line is quadratic when a line repeats it; no env entry has a name
/// line anywhere near this long.
const MAX_NAME_LINE: usize = 4096;
/// Longest `value:` of an env pair scanned as `NAME: value`.
const MAX_PAIR_VALUE: usize = 4096;

/// A Kubernetes env entry after `- name:` at `pos`: the name, and the value of the next line when it is
/// `value: …` (quotes kept: rules expect them). `(name_start, name_end, value_start, value_end)`.
pub(crate) fn name_value_pair(hay: &[u8], pos: usize) -> Option<(usize, usize, usize, usize)> {
    // The newline at or after `from`, looked for in the next `max` bytes only.
    let eol = |from: usize, max: usize| {
        let to = hay.len().min(from + max);
        match memchr::memchr(b'\n', &hay[from..to]) {
            Some(i) => Some(from + i),
            None => (to == hay.len()).then_some(hay.len()),
        }
    };
    let mut ns = pos;
    while ns < hay.len() && matches!(hay[ns], b' ' | b'\t' | b'"' | b'\'') {
        ns += 1;
    }
    let mut ne = ns;
    while ne < hay.len()
        && (hay[ne].is_ascii_alphanumeric() || matches!(hay[ne], b'_' | b'-' | b'.'))
    {
        ne += 1;
    }
    if ne == ns || ne - ns > 128 {
        return None;
    }
    let line_end = eol(ne, MAX_NAME_LINE)?;
    let next = line_end + 1;
    if next >= hay.len() {
        return None;
    }
    let mut v = next;
    while v < hay.len() && matches!(hay[v], b' ' | b'\t') {
        v += 1;
    }
    let rest = hay.get(v..v + 6)?;
    if rest != b"value:" {
        return None;
    }
    v += 6;
    while v < hay.len() && matches!(hay[v], b' ' | b'\t') {
        v += 1;
    }
    // A value line longer than MAX_PAIR_VALUE (plus its `\r`) is not a pair: no need to look further.
    let ve = eol(v, MAX_PAIR_VALUE + 2)?;
    let ve = if hay[..ve].ends_with(b"\r") {
        ve - 1
    } else {
        ve
    };
    (ve > v && ve - v <= MAX_PAIR_VALUE).then_some((ns, ne, v, ve))
}

/// The base64 values of a document, each in its line: `key: <base64>` (YAML) and `"key": "<base64>"`
/// (JSON), at most `limit` of them.
pub(crate) fn document_values(hay: &[u8], limit: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < hay.len() && out.len() < limit {
        let end = memchr::memchr(b'\n', &hay[pos..]).map_or(hay.len(), |i| pos + i);
        let line = &hay[pos..end];
        if let Some(colon) = memchr::memchr(b':', line) {
            let mut s = colon + 1;
            while s < line.len() && matches!(line[s], b' ' | b'\t' | b'"') {
                s += 1;
            }
            let mut e = s;
            while e < line.len() && (is_b64(line[e]) || line[e] == b'=') {
                e += 1;
            }
            let rest = &line[e..];
            if e - s >= 12
                && rest
                    .iter()
                    .all(|b| matches!(b, b'"' | b',' | b' ' | b'\t' | b'\r'))
            {
                out.push((pos + s, pos + e));
            }
        }
        pos = end + 1;
    }
    out
}

fn needs_percent(b: u8) -> bool {
    matches!(
        b,
        b' ' | b':' | b'/' | b'@' | b'=' | b'+' | b'$' | b'&' | b'?' | b'#'
    )
}

/// Line widths base64 encoders wrap at.
const WRAP: [usize; 2] = [64, 76];

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

fn is_pct(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b',' | b';')
}

/// The encoded run of `enc` around a trigger at `s..e`: the maximal stretch of the encoding's alphabet.
/// Base64 may be wrapped (PEM at 64 columns, `base64` and MIME at 76): a line break continues the run
/// when the line before it is a full line of exactly one of those widths.
pub(crate) fn enclosing_run(hay: &[u8], s: usize, e: usize, enc: Encoding) -> (usize, usize) {
    let inside: fn(u8) -> bool = match enc {
        Encoding::Base64 => is_b64,
        Encoding::Hex => |b: u8| b.is_ascii_hexdigit(),
        Encoding::Percent => is_pct,
    };
    let lo_limit = s.saturating_sub(MAX_RUN);
    let hi_limit = (e + MAX_RUN).min(hay.len());
    let mut lo = s;
    loop {
        while lo > lo_limit && inside(hay[lo - 1]) {
            lo -= 1;
        }
        // Continue upwards over a wrapped line: the previous line must be long and all base64.
        if enc == Encoding::Base64 && lo > lo_limit + 1 && hay[lo - 1] == b'\n' {
            let prev_end = if hay[lo - 2] == b'\r' { lo - 2 } else { lo - 1 };
            let prev_start = memchr::memrchr(b'\n', &hay[..prev_end]).map_or(0, |i| i + 1);
            let line = &hay[prev_start..prev_end];
            let indent = line.iter().take_while(|b| **b == b' ').count();
            if WRAP.contains(&(line.len() - indent)) && line[indent..].iter().all(|&b| is_b64(b)) {
                lo = prev_start + indent;
                continue;
            }
        }
        break;
    }
    let mut hi = e;
    loop {
        while hi < hi_limit && inside(hay[hi]) {
            hi += 1;
        }
        if enc == Encoding::Base64 && hi < hi_limit && matches!(hay[hi], b'\n' | b'\r') {
            let line_start = memchr::memrchr(b'\n', &hay[..hi]).map_or(0, |i| i + 1);
            let this = &hay[line_start..hi];
            let indent = this.iter().take_while(|b| **b == b' ').count();
            let mut next =
                hi + 1 + usize::from(hay[hi] == b'\r' && hay.get(hi + 1) == Some(&b'\n'));
            while next < hi_limit && hay[next] == b' ' {
                next += 1;
            }
            if WRAP.contains(&(this.len() - indent)) && next < hi_limit && is_b64(hay[next]) {
                hi = next;
                continue;
            }
        }
        break;
    }
    // Trailing padding belongs to the run.
    while enc == Encoding::Base64 && hi < hay.len() && hay[hi] == b'=' && hi - e < MAX_RUN {
        hi += 1;
    }
    (lo, hi)
}

/// Decodes a run. `None` when it does not decode or decodes to too little to hold a secret.
pub(crate) fn decode(run: &[u8], enc: Encoding) -> Option<Vec<u8>> {
    let out = match enc {
        Encoding::Base64 => {
            let clean: Vec<u8> = run
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let clean = {
                let end = clean.len() - clean.iter().rev().take_while(|&&b| b == b'=').count();
                &clean[..end]
            };
            let engine = base64_engine(clean.iter().any(|&b| b == b'-' || b == b'_'));
            // A run cut by the size bound can end mid-quantum: decode the whole quanta.
            let usable = if clean.len() % 4 == 1 {
                clean.len() - 1
            } else {
                clean.len()
            };
            engine.decode(&clean[..usable]).ok()?
        }
        Encoding::Hex => {
            let run = &run[..run.len() & !1];
            run.chunks_exact(2)
                .map(|p| {
                    let h = (p[0] as char).to_digit(16)?;
                    let l = (p[1] as char).to_digit(16)?;
                    Some((h * 16 + l) as u8)
                })
                .collect::<Option<Vec<u8>>>()?
        }
        Encoding::Percent => {
            let mut out = Vec::with_capacity(run.len());
            let mut i = 0;
            let mut changed = false;
            while i < run.len() {
                match run[i] {
                    b'%' if i + 2 < run.len() + 1
                        && run.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                        && run.get(i + 2).is_some_and(u8::is_ascii_hexdigit) =>
                    {
                        let h = (run[i + 1] as char).to_digit(16).unwrap_or(0);
                        let l = (run[i + 2] as char).to_digit(16).unwrap_or(0);
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        changed = true;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            if !changed {
                return None;
            }
            out
        }
    };
    (out.len() >= 8).then_some(out)
}

/// The one base64 decoder: padding optional, trailing bits tolerated (values are cut from text, often
/// without their `=`), standard or URL-safe alphabet.
pub(crate) fn base64_engine(url_safe: bool) -> base64::engine::GeneralPurpose {
    base64::engine::GeneralPurpose::new(
        if url_safe {
            &base64::alphabet::URL_SAFE
        } else {
            &base64::alphabet::STANDARD
        },
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

/// A cheap look before decoding a base64 run: its first 64 characters decode (into a stack buffer, no
/// allocation) to text. Random keys and digests, most of what looks like base64, fail here.
pub(crate) fn base64_text_prefix(run: &[u8]) -> bool {
    let n = run.len().min(64) & !3;
    if n < 8 {
        return false;
    }
    let head = &run[..n];
    if !head.iter().all(|&b| is_b64(b) || b == b'=') {
        return false;
    }
    let engine = base64_engine(head.iter().any(|&b| b == b'-' || b == b'_'));
    let mut buf = [0u8; 48];
    engine
        .decode_slice(head, &mut buf)
        .is_ok_and(|len| mostly_text(&buf[..len]))
}

/// Whether decoded bytes are text (a secret, a config file, a PEM block) rather than binary (a hash, an
/// image, compressed data): no NUL and at least 90% printable ASCII or whitespace.
pub(crate) fn mostly_text(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return false;
    }
    let printable = bytes
        .iter()
        .filter(|&&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        .count();
    printable * 10 >= bytes.len() * 9
}

/// The encoded value of an assignment starting at `pos` (just after a keyword that passed the assignment
/// gate): skips the rest of the name, the operator and quotes, and returns the value's run and encoding
/// when it looks encoded. Plain random tokens are also valid base64; [`mostly_text`] on the decoded bytes
/// tells them apart later.
#[cfg(test)]
pub(crate) fn assignment_value(hay: &[u8], pos: usize) -> Option<(usize, usize, Encoding)> {
    ValueRuns::default().assignment_value(hay, pos)
}

/// The value runs measured in one buffer, so that the values of assignments that share one long run are
/// measured once: in a line of repeated `password=` every value runs to the end of the line (`=` is in
/// the alphabet), and measuring it from every keyword was quadratic. One run is remembered per slot; four
/// slots follow the prefilter's four interleaved walks.
#[derive(Debug, Default, Clone)]
pub(crate) struct ValueRuns {
    slots: [ValueRun; 4],
    next: usize,
}

/// A maximal stretch of value bytes from `start`, measured up to `end`.
#[derive(Debug, Default, Clone, Copy)]
struct ValueRun {
    start: usize,
    end: usize,
    /// `end` is where the run stops (a byte outside the alphabet or the end of the buffer), not where
    /// measuring stopped.
    closed: bool,
    /// The last byte that is not a hex digit, and the last `%`, in `start..end`.
    last_non_hex: Option<usize>,
    last_pct: Option<usize>,
}

impl ValueRun {
    /// Measures on from `end` up to `limit`.
    fn extend(&mut self, hay: &[u8], limit: usize) {
        let mut j = self.end;
        while j < limit && (is_b64(hay[j]) || hay[j] == b'%' || hay[j] == b'=') {
            if !hay[j].is_ascii_hexdigit() {
                self.last_non_hex = Some(j);
            }
            if hay[j] == b'%' {
                self.last_pct = Some(j);
            }
            j += 1;
        }
        self.end = j;
        self.closed = j < limit || j == hay.len();
    }
}

impl ValueRuns {
    /// Forgets the runs of the previous buffer.
    pub fn clear(&mut self) {
        *self = ValueRuns::default();
    }

    /// See [`assignment_value`].
    pub fn assignment_value(&mut self, hay: &[u8], pos: usize) -> Option<(usize, usize, Encoding)> {
        let end = hay.len().min(pos + 64);
        let mut i = pos;
        while i < end && (hay[i].is_ascii_alphanumeric() || matches!(hay[i], b'_' | b'.' | b'-')) {
            i += 1;
        }
        let mut ops = 0;
        while i < end
            && matches!(
                hay[i],
                b'"' | b'\'' | b'`' | b']' | b' ' | b'\t' | b'=' | b':' | b'>'
            )
        {
            ops += usize::from(matches!(hay[i], b'=' | b':' | b'>'));
            i += 1;
        }
        if ops == 0 || ops > 3 || i >= hay.len() {
            return None;
        }
        let start = i;
        let limit = hay.len().min(start + MAX_RUN);
        let run = self.run_from(hay, start, limit);
        let j = run.end;
        if j - start < MIN_VALUE {
            return None;
        }
        let hex = run.last_non_hex.is_none_or(|x| x < start);
        let pct = run.last_pct.is_some_and(|x| x >= start);
        let enc = if pct {
            Encoding::Percent
        } else if hex && (j - start).is_multiple_of(2) {
            Encoding::Hex
        } else {
            Encoding::Base64
        };
        Some((start, j, enc))
    }

    /// The run of value bytes from `start`, measured up to `limit`: a remembered run that holds `start`
    /// when there is one (its end is the same from any of its bytes), else a new one.
    fn run_from(&mut self, hay: &[u8], start: usize, limit: usize) -> ValueRun {
        for slot in &mut self.slots {
            // A run measured further than this query may look (a run over MAX_RUN) is measured anew.
            if slot.start <= start && start < slot.end && slot.end <= limit {
                if !slot.closed {
                    slot.extend(hay, limit);
                }
                return *slot;
            }
        }
        let mut run = ValueRun {
            start,
            end: start,
            closed: false,
            last_non_hex: None,
            last_pct: None,
        };
        run.extend(hay, limit);
        self.slots[self.next] = run;
        self.next = (self.next + 1) % self.slots.len();
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_forms_are_found_in_encoded_text() {
        let b64 = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "a", "ab"] {
            let text = format!("{prefix}-----BEGIN RSA PRIVATE KEY-----\nMIIE");
            let enc = b64.encode(text.as_bytes());
            let forms = base64_forms("-----BEGIN ");
            assert!(
                forms.iter().any(|f| enc.contains(f.as_str())),
                "{prefix:?}: {enc} / {forms:?}"
            );
        }
        assert_eq!(
            percent_form("postgres://").as_deref(),
            Some("postgres%3A%2F%2F")
        );
        assert_eq!(percent_form("glpat-"), None);
        // Fuzz regression (`decode` target, the 40 bytes it took as a keyword): a non-ASCII character
        // is kept, and the form decodes back to the keyword.
        let keyword = "VE9HRVRIRVJfhjM04\u{3ce}FWT10Z3Bf\x07envdjF:\n  -";
        let form = percent_form(keyword).unwrap();
        assert_eq!(
            form,
            "VE9HRVRIRVJfhjM04\u{3ce}FWT10Z3Bf\x07envdjF%3A\n%20%20-"
        );
        assert_eq!(
            decode(form.as_bytes(), Encoding::Percent).unwrap(),
            keyword.as_bytes()
        );
    }

    #[test]
    fn kubernetes_env_pairs() {
        let hay = b"env:\n  - name: OPENAI_API_KEY\n    value: \"sk-abc\"\n  - name: Checkout\n    uses: x\n";
        let pos = memchr::memmem::find(hay, b"- name:").unwrap() + 7;
        let (ns, ne, vs, ve) = name_value_pair(hay, pos).unwrap();
        assert_eq!(
            (&hay[ns..ne], &hay[vs..ve]),
            (&b"OPENAI_API_KEY"[..], &b"\"sk-abc\""[..])
        );
        let pos = memchr::memmem::find(hay, b"- name: C").unwrap() + 7;
        assert_eq!(name_value_pair(hay, pos), None);
    }

    #[test]
    fn document_values_of_a_secret_manifest() {
        let doc = b"kind: Secret\ndata:\n  url: cG9zdGdyZXM6Ly91OnBAaC9k\n  short: YWJj\n  \"k\": \"dG9rZW4tdmFsdWUtaGVyZQ==\",\nmetadata:\n  name: x\n";
        let got: Vec<&[u8]> = document_values(doc, 100)
            .into_iter()
            .map(|(s, e)| &doc[s..e])
            .collect();
        assert_eq!(
            got,
            [
                &b"cG9zdGdyZXM6Ly91OnBAaC9k"[..],
                b"dG9rZW4tdmFsdWUtaGVyZQ=="
            ]
        );
    }

    #[test]
    fn runs_and_decoding() {
        let hay =
            b"data:\n  tls.key: TFMwdExTMUNSVWRKVGlCU1UwRWdVRkpKVmtGVVJTQkxSVmt0TFMwdExRbz0=\n"; // leakhound:allow
        let s = memchr::memmem::find(hay, b"TFMw").unwrap();
        let (lo, hi) = enclosing_run(hay, s + 2, s + 6, Encoding::Base64);
        assert_eq!(&hay[lo..hi], &hay[s..hay.len() - 1]);
        let once = decode(&hay[lo..hi], Encoding::Base64).unwrap();
        let twice = decode(&once, Encoding::Base64).unwrap();
        assert!(twice.starts_with(b"-----BEGIN RSA PRIVATE KEY-----"));

        // Wrapped at 76 columns.
        let long = base64::engine::general_purpose::STANDARD.encode([b'k'; 120]);
        let wrapped = format!(
            "x: |\n  {}\n  {}\n  {}\nnext: 1\n",
            &long[..76],
            &long[76..152],
            &long[152..]
        );
        let w = wrapped.as_bytes();
        let (lo, hi) = enclosing_run(w, 9, 12, Encoding::Base64);
        assert_eq!(
            decode(&w[lo..hi], Encoding::Base64).unwrap(),
            vec![b'k'; 120]
        );

        assert_eq!(
            decode(b"ghp%5FabcDEF123456", Encoding::Percent).unwrap(),
            b"ghp_abcDEF123456"
        );
        assert_eq!(decode(b"no-escapes-here-at-all", Encoding::Percent), None);
        assert_eq!(
            decode(b"6768705f61626364", Encoding::Hex).unwrap(),
            b"ghp_abcd"
        );
        assert!(mostly_text(b"user:hunter2"));
        assert!(!mostly_text(&[0x89, b'P', b'N', b'G', 0, 0, 0, 13]));
    }

    #[test]
    fn assignment_values() {
        let hay = b"password: cGFzc3dvcmQxMjM0NTY3OA==\n"; // leakhound:allow (base64 of a test value)
        let (s, e, enc) = assignment_value(hay, 8).unwrap();
        assert_eq!(
            (&hay[s..e], enc),
            (&b"cGFzc3dvcmQxMjM0NTY3OA=="[..], Encoding::Base64)
        );
        let hay = b"token=ghp%5Fabc123def456ghi789&x=1";
        assert_eq!(assignment_value(hay, 5).unwrap().2, Encoding::Percent);
        let hay = b"api_key = \"6768705f616263646566\"";
        assert_eq!(assignment_value(hay, 7).unwrap().2, Encoding::Hex);
        assert_eq!(assignment_value(b"password: short", 8), None);
        assert_eq!(assignment_value(b"password_reset(user)", 8), None);
    }
}
