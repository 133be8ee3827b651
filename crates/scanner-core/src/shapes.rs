//! Shapes of values and names around the generic tier's matches (`password = …`, `token: …`): what a
//! value looks like when it is a reference, an identifier, a phrase, a resource name or a typed-in
//! stand-in rather than a credential, and what a name says about its value. Each check is a bounded
//! pass over one value or name, never over the buffer.

/// Whether `name` (the text of a match before its value: identifier, quotes, operator) names a
/// credential rather than a reference to one: a password, secret, token or key name.
pub(crate) fn credential_name(name: &[u8]) -> bool {
    let low = lower(name);
    [
        "pass", "pwd", "pswd", "secret", "token", "key", "cred", "auth",
    ]
    .iter()
    .any(|w| contains(&low, w.as_bytes()))
}

/// Whether `name` names an identifier rather than a credential: `client_id`, `requestId`,
/// `ClientToken` (AWS's idempotency token), `tenant`, `correlation`, `trace`… A UUID under such a name
/// is an id; under `HEROKU_API_KEY` it is the key.
pub(crate) fn id_like_name(name: &[u8]) -> bool {
    let low = lower(name);
    if [
        "uuid",
        "guid",
        "idempot",
        "clienttoken",
        "client_token",
        "client-token",
        "request",
        "correlation",
        "trace",
        "tenant",
        "subscription",
        "account",
        "project",
        "installation",
        "session_id",
        "nonce",
        "locktoken",
        "lock_token",
        "lifecycle",
    ]
    .iter()
    .any(|w| contains(&low, w.as_bytes()))
    {
        return true;
    }
    // `_id`, `-id`, `.id`, `Id` as a word of the identifier: `client_id`, `tokenId`, `KEY_ID`.
    let ident_end = name
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        .unwrap_or(name.len());
    let ident = &name[..ident_end];
    ident.windows(3).enumerate().any(|(i, w)| {
        let word_end = ident
            .get(i + 3)
            .is_none_or(|b| !b.is_ascii_lowercase() && *b != b's');
        (matches!(w[0], b'_' | b'-' | b'.') && w[1..].eq_ignore_ascii_case(b"id") && word_end)
            || (w[0].is_ascii_lowercase() && w[1] == b'I' && w[2] == b'd' && word_end)
    })
}

/// Whether a name's credential word is one of the weak spellings (`pass`, `pw`) rather than a whole
/// one (`password`, `passwd`, `pwd`, `passphrase`): weak names need longer values.
pub(crate) fn strong_password_name(name: &[u8]) -> bool {
    let low = lower(name);
    // A positional argument of a call that takes a password (`login("u", "…")`,
    // `ConvertTo-SecureString "…"`) is named by its callee.
    [
        "passwor",
        "passwd",
        "passphrase",
        "pwd",
        "pswd",
        "login(",
        "connect(",
        "connection(",
        "credential(",
        "credentials(",
        "auth(",
        "authentication(",
        "basic(",
        "pdo(",
        "securestring",
    ]
    .iter()
    .any(|w| contains(&low, w.as_bytes()))
}

/// A reference to a value held elsewhere: `$VAR`, `${VAR}`, `$(cmd)`, `$env:VAR`, `%VAR%`, `#{expr}`,
/// `@@var`, `$config['x']`, `%(name)s`.
pub(crate) fn variable_reference(v: &[u8]) -> bool {
    match v {
        [b'$', rest @ ..] => {
            rest.first().is_some_and(|b| {
                matches!(b, b'{' | b'(' | b'$') || b.is_ascii_alphabetic() || *b == b'_'
            }) && (rest.iter().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-' | b'>')
            }) || matches!(rest.first(), Some(b'{' | b'(')))
        }
        [b'%', rest @ ..] => {
            rest.last() == Some(&b'%')
                && rest[..rest.len() - 1]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        [b'@', b'@', ..] => true,
        _ => contains(v, b"#{") || contains(v, b"$env:") || contains(v, b"$ENV{"),
    }
}

/// Sequential or repeated filler: `abcdef…`, `0123456789abcdef`, `abcd1234abcd1234`,
/// `1234-1234-1234-1234`, `qwertyuiop`.
pub(crate) fn sequential_or_repeated(v: &[u8]) -> bool {
    let core: Vec<u8> = v
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
        .collect();
    if core.len() < 6 {
        return false;
    }
    // A run of consecutive characters (`abcdef`, `456789`, `fedcba`) of six or more.
    let (mut up, mut down, mut best) = (1usize, 1usize, 1usize);
    for w in core.windows(2) {
        up = if w[1] == w[0].wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if w[1].wrapping_add(1) == w[0] {
            down + 1
        } else {
            1
        };
        best = best.max(up).max(down);
    }
    if best >= 6 {
        return true;
    }
    // Keyboard rows typed in order.
    if ["qwertyu", "asdfghj", "zxcvbnm", "1qaz2wsx"]
        .iter()
        .any(|r| contains(&core, r.as_bytes()))
    {
        return true;
    }
    // The same unit repeated: `abcd1234abcd1234`, `1234-1234-1234`.
    let n = core.len();
    (1..=n / 2).any(|u| n.is_multiple_of(u) && core.chunks(u).all(|c| c == &core[..u]))
}

/// Where a value read across a query string ends: before the first `&name=` (`s3cret&db=app`), else
/// its length. Passwords hold `&`; parameters after one are not part of them.
pub(crate) fn query_cut(v: &[u8]) -> usize {
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'&', &v[i..]) {
        let at = i + k;
        let name = v[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            .count();
        if name > 0 && v.get(at + 1 + name) == Some(&b'=') && v[at + 1].is_ascii_alphabetic() {
            return at;
        }
        i = at + 1;
    }
    v.len()
}

/// A hex literal: `0x1F2E…`. 32 bytes of hex under a private-key name (`PRIVATE_KEY=0x…`, an
/// Ethereum account key) are the key, not a literal.
pub(crate) fn hex_literal(v: &[u8], name: &[u8]) -> bool {
    if v.len() == 66 && contains(&lower(name), b"priv") {
        return false;
    }
    v.len() > 2
        && (v.starts_with(b"0x") || v.starts_with(b"0X"))
        && v[2..].iter().all(|b| b.is_ascii_hexdigit() || *b == b'_')
}

/// Dotted access or a dotted identifier (`self.password`, `settings.DB2_PASSWORD`,
/// `cfg.oauth2Creds.pw`): every segment an identifier. A dotted token (`hvs.CAESI…`, `sl.B…`,
/// `dt0c01.…`) has a random segment and is kept.
pub(crate) fn dotted_identifier(v: &[u8]) -> bool {
    if !v.contains(&b'.') {
        return false;
    }
    v.split(|b| *b == b'.').all(|seg| {
        seg.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$'))
            && seg
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$'))
            && !random_segment(seg)
    })
}

/// Whether an identifier-shaped segment is random: its letters and digits alternate more than words
/// and numbers do (`oauth2Creds` changes class twice, 20 random base62 characters five times on
/// average), or it is long and mixes lower case, upper case and digits.
fn random_segment(seg: &[u8]) -> bool {
    let mut transitions = 0;
    for w in seg.windows(2) {
        if w[0].is_ascii_digit() != w[1].is_ascii_digit()
            && w[0].is_ascii_alphanumeric()
            && w[1].is_ascii_alphanumeric()
        {
            transitions += 1;
        }
    }
    let (lo, up, dig) = classes(seg);
    // In a mixed-case identifier a digit run ends a word or starts a new one (`oauth2Creds`,
    // `S3_Key`); a lower-case letter right after digits (`voAM9nwF`) is random text.
    let digit_then_lower = seg
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && w[1].is_ascii_lowercase());
    transitions >= 3 || (seg.len() >= 16 && lo && up && dig) || (lo && up && digit_then_lower)
}

/// A phrase or resource name in kebab, snake or dotted case: every segment a lower-case word or a
/// short number (`billing-api-v2-prod`, `db_password_2`, `my-secret-token-name`).
pub(crate) fn phrase(v: &[u8]) -> bool {
    let segs: Vec<&[u8]> = v
        .split(|b| matches!(b, b'-' | b'_' | b'.'))
        .filter(|s| !s.is_empty())
        .collect();
    // A generated suffix (`…-7d9f8b6c5d`, as Kubernetes names its replica sets) after two words.
    let words = |segs: &[&[u8]]| {
        segs.len() >= 2
            && segs.iter().all(|s| {
                s.len() >= 2 && s.iter().all(u8::is_ascii_lowercase) && has_vowel(s)
                    || s.len() <= 3 && s.iter().all(u8::is_ascii_lowercase)
            })
    };
    if segs.len() >= 3
        && segs.last().is_some_and(|l| {
            (5..=10).contains(&l.len())
                && l.iter().all(|b| {
                    b.is_ascii_digit() || (b'a'..=b'f').contains(b) || b.is_ascii_lowercase()
                })
        })
        && words(&segs[..segs.len() - 1])
    {
        return true;
    }
    segs.len() >= 3
        && segs.iter().all(|s| {
            let letters = s.iter().take_while(|b| b.is_ascii_lowercase()).count();
            let digits = &s[letters..];
            (letters >= 2 || (letters == 0 || letters == 1) && !digits.is_empty())
                && digits.len() <= 4
                && digits.iter().all(u8::is_ascii_digit)
                && (letters < 4 || has_vowel(&s[..letters]))
        })
}

/// A resource name or path rather than a secret: `projects/p/secrets/s/versions/3`, an ARN, a Go
/// module path (`github.com/acme/tool`), a host with a path.
pub(crate) fn resource_name(v: &[u8]) -> bool {
    if v.starts_with(b"arn:") || v.starts_with(b"projects/") || v.starts_with(b"secrets/") {
        return true;
    }
    // An absolute path (`/etc/gcp/sa-key.json`): identifier segments, not base64 that starts with `/`.
    if v.first() == Some(&b'/') && v.len() > 1 {
        let segs: Vec<&[u8]> = v[1..].split(|b| *b == b'/').collect();
        return segs.len() >= 2
            && segs[0].len() >= 2
            && segs[0]
                .iter()
                .all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-' | b'.'))
            && segs.iter().all(|s| {
                s.iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            });
    }
    // `host.tld/path`: a dotted host whose last label is letters, then `/`.
    if let Some(slash) = v.iter().position(|b| *b == b'/') {
        let host = &v[..slash];
        let labels: Vec<&[u8]> = host.split(|b| *b == b'.').collect();
        if labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && l.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-'))
            && labels
                .last()
                .is_some_and(|l| l.len() >= 2 && l.iter().all(u8::is_ascii_lowercase))
        {
            return true;
        }
        // `a/b/c` made of identifiers: a path without its leading slash.
        let segs: Vec<&[u8]> = v.split(|b| *b == b'/').collect();
        if segs.len() >= 3
            && segs.iter().all(|s| {
                !s.is_empty()
                    && !random_segment(s)
                    && s.iter()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            })
        {
            return true;
        }
    }
    false
}

/// A list of field names, as in `/etc/passwd`'s `name:password:UID:GID:GECOS:directory:shell` or a
/// format string: three or more `:`-separated words.
pub(crate) fn field_list(v: &[u8]) -> bool {
    let segs: Vec<&[u8]> = v.split(|b| *b == b':').collect();
    segs.len() >= 3
        && segs.iter().filter(|s| !s.is_empty()).all(|s| {
            s.iter()
                .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'/' | b'.'))
                || s.iter().all(u8::is_ascii_digit)
        })
}

/// A call on something other than the credential: `password.encode("latin1")`,
/// `token.replace("x", "y")`. The last segment of the dotted callee must name the credential
/// (`ds.setPassword("…")`, `withToken("…")`) for its argument to be one.
pub(crate) fn call_on_other_name(name: &[u8]) -> bool {
    let end = name
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`'))
        .map_or(0, |i| i + 1);
    let name = &name[..end];
    if name.last() != Some(&b'(') {
        return false;
    }
    let callee = &name[..name.len() - 1];
    let last = callee.rsplit(|b| *b == b'.').next().unwrap_or(callee);
    // A method called `pass` or `pw` (`base.pass("…")`) is a verb, not a setter.
    !credential_name(last) || last.eq_ignore_ascii_case(b"pass") || last.eq_ignore_ascii_case(b"pw")
}

/// `"NAME", "value"` is a call's name and value pair (`define('DB_PASSWORD', '…')`,
/// `setenv("TOKEN", "…")`) only when the name is the call's first argument; in a list
/// (`["RC4_KEY", "__darwin_t"]`, `MovedAttribute("HTTPPasswordMgr", "urllib2")`) it is not.
/// `before` is the text just before the match (the name's opening quote and what precedes it).
pub(crate) fn comma_pair_outside_call(before: &[u8], name: &[u8]) -> bool {
    let ident = name
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    if !name[ident..].contains(&b',') {
        return false;
    }
    let b = before.trim_ascii_end();
    let b = b
        .strip_suffix(b"\"")
        .or_else(|| b.strip_suffix(b"'"))
        .unwrap_or(b);
    !b.trim_ascii_end().ends_with(b"(")
}

/// A function call or constructor written as a value: `getpass.getpass(`, `new_password()`.
pub(crate) fn function_call(v: &[u8]) -> bool {
    let ident = v
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'$'))
        .count();
    ident > 0 && v.get(ident) == Some(&b'(')
}

/// Passwords that documentation, tutorials and test suites use as the example of a password: a value
/// that is one of them (any case, with or without trailing digits and `!`) is not a leaked credential.
pub(crate) fn famous_password(v: &[u8]) -> bool {
    let low = lower(v);
    let stem_len = low
        .iter()
        .rposition(|b| !(b.is_ascii_digit() || *b == b'!'))
        .map_or(0, |i| i + 1);
    let stem = &low[..stem_len];
    [
        &b"hunter"[..],
        b"letmein",
        b"changeit",
        b"passw0rd",
        b"p@ssw0rd",
        b"p@ssword",
        b"p4ssw0rd",
        b"pa55word",
        b"pa55w0rd",
        b"password",
        b"admin",
        b"root",
        b"toor",
        b"test",
        b"secret",
        b"welcome",
        b"iloveyou",
        b"trustno",
        b"abc",
        b"monkey",
        b"dragon",
        b"s3cr3t",
        b"t0ps3cr3t",
        b"topsecret",
        b"supersecret",
        b"foobar",
        b"pass",
        b"mypassword",
        b"mysecret",
        b"",
    ]
    .contains(&stem)
        && stem.len() + 4 >= low.len()
}

fn classes(s: &[u8]) -> (bool, bool, bool) {
    (
        s.iter().any(u8::is_ascii_lowercase),
        s.iter().any(u8::is_ascii_uppercase),
        s.iter().any(u8::is_ascii_digit),
    )
}

fn has_vowel(s: &[u8]) -> bool {
    s.iter().any(|b| b"aeiouy".contains(b))
}

fn lower(s: &[u8]) -> Vec<u8> {
    s.iter().map(u8::to_ascii_lowercase).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(id_like_name(b"client_id = "));
        assert!(id_like_name(b"\"requestId\": "));
        assert!(id_like_name(b"MODAL_TOKEN_ID="));
        assert!(id_like_name(b"\"ClientToken\": "));
        assert!(!id_like_name(b"HEROKU_API_KEY="));
        assert!(!id_like_name(b"\"idleTimeoutToken\": "));
        assert!(!id_like_name(b"POSTMARK_SERVER_TOKEN="));
        assert!(credential_name(b"HEROKU_API_KEY="));
        assert!(!credential_name(b"tenantId: "));
        assert!(strong_password_name(b"DB_PASSWORD="));
        assert!(call_on_other_name(b"password.encode(\""));
        assert!(!call_on_other_name(b"ds.setPassword(\""));
        assert!(call_on_other_name(b"base.pass(\""));
        assert!(!comma_pair_outside_call(b"define( '", b"DB_PASSWORD', '"));
        assert!(comma_pair_outside_call(
            b"Attribute(\"HTTP",
            b"PasswordMgr\", \""
        ));
        assert!(comma_pair_outside_call(b"', '", b"RC4_KEY', '"));
        assert!(!strong_password_name(b"smtp-pass: "));
    }

    #[test]
    fn references() {
        for r in [
            "$DB_PASSWORD",
            "${DB_PASSWORD}",
            "$(cat /run/pw)",
            "%DB_PASSWORD%",
            "#{ENV['PW']}",
            "$env:DB_PASSWORD",
            "@@password",
            "$config->password",
        ] {
            assert!(variable_reference(r.as_bytes()), "{r}");
        }
        for p in ["P@ss#w0rd$2024!", "x$9kLq2!vB", "s3cret"] {
            assert!(!variable_reference(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn filler() {
        for f in [
            "abcdef123",
            "0123456789abcdef",
            "abcd1234abcd1234",
            "1234-1234-1234-1234",
            "qwertyuiop",
            "zyxwvu99",
        ] {
            assert!(sequential_or_repeated(f.as_bytes()), "{f}");
        }
        for t in [
            "qwerty77",
            "winter2024",
            "q8ZtR2vNx7LmWp3KcY9bDs4F",
            "9da30575a3e4a679a9e344e4351b9d0a",
        ] {
            // leakhound:allow
            assert!(!sequential_or_repeated(t.as_bytes()), "{t}");
        }
        assert!(hex_literal(b"0x1f2e3d4c5b6a7988", b"api_key = "));
        assert!(!hex_literal(b"0xdeadbeefq", b"api_key = "));
    }

    #[test]
    fn dotted() {
        for d in [
            "self.password",
            "settings.DB2_PASSWORD",
            "cfg.oauth2Creds.pw",
            "os.environ",
        ] {
            assert!(dotted_identifier(d.as_bytes()), "{d}");
        }
        for t in [
            "hvs.CAESIJ7mB2xQk9VtR4LpZ8nW3yHfGd6sKcUeA1oPjT5rXvY0GiQKHGh2cy5VcTdtTjJ4NWtwU3RhZ0d6RmRQcEo", // leakhound:allow
            "sl.BqX7kP2mN9vR4tY8wZ3cL6hJ1fD5sA0eG", // leakhound:allow
            "dt0c01.ST2EY72KQINMH574WMNVI7YN.G3DFPBEJYMODIDAEX454M7YWBUVEFOWKPRVMWFASS64NFH52PX6BNDVFFM572RZM", // leakhound:allow
            "voAM9nwFaLrq.I",
        ] {
            assert!(!dotted_identifier(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn phrases_and_resources() {
        assert!(phrase(b"my-secret-token-name"));
        assert!(phrase(b"billing-api-v2-prod"));
        assert!(!phrase(b"ak-z7mQ2xkL9pR4vT8n"));
        assert!(!phrase(b"k3x9-v2mq-8zt1"));
        assert!(resource_name(
            b"projects/acme/secrets/db-password/versions/3"
        ));
        assert!(resource_name(b"github.com/acme/billing-api"));
        assert!(resource_name(b"/etc/gcp/sa-key-3d34q1.json"));
        assert!(!resource_name(b"/I5cfNq2x/Lm9vRt4+Kw8z"));
        assert!(phrase(b"orders-api-key-7d9f8b6c5d"));
        assert!(resource_name(
            b"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
        ));
        assert!(!resource_name(
            b"aU0VeWFHGLZxFAJ4/TuiEYO7HYA0xWhpw8x9DNOEKGlQ/J80ir"
        ));
        assert!(field_list(b"UID:GID:GECOS:directory:shell"));
        assert!(!field_list(b"P@ss:w0rd"));
        assert!(function_call(b"getpass.getpass("));
        assert_eq!(query_cut(b"s3cr&et&db=app"), 7);
        assert_eq!(query_cut(b"A$uys&Z5eJ$0752!"), 16);
        assert!(!function_call(b"P@ss(w0rd"));
    }

    #[test]
    fn famous() {
        for f in [
            "hunter2",
            "letmein",
            "P@ssw0rd",
            "Passw0rd!",
            "changeit",
            "admin123",
            "test1234",
            "secret123",
        ] {
            assert!(famous_password(f.as_bytes()), "{f}");
        }
        for p in ["qwerty77", "winter2024", "s3cret", "P@ss#w0rd$2024!"] {
            assert!(!famous_password(p.as_bytes()), "{p}");
        }
    }
}
