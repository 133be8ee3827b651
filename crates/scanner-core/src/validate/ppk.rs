//! PuTTY private key files (`.ppk`, formats 2 and 3; PuTTY manual, appendix C): a text header
//! (`PuTTY-User-Key-File-N: algorithm`, `Encryption: none|aes256-cbc`, `Comment:`), the public key
//! (`Public-Lines: n` and n lines of base64 of the SSH wire blob), KDF parameters (format 3,
//! encrypted), the private key (`Private-Lines: m`) and a `Private-MAC`.

use super::{clip, Outcome, Verdict};
use base64::Engine as _;

/// Checks a `.ppk` as found in text (plain, or `\n`-escaped inside a string).
pub(super) fn check(secret: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(secret)
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n")
        .replace('\r', "");
    match parse(&text) {
        Some(v) => Outcome::Report(v),
        None => Outcome::Report(Verdict::low("key-unparseable")),
    }
}

fn parse(text: &str) -> Option<Verdict> {
    // Lines may be string literals (a notebook's `"…\n",`, a concatenation's `"…" +`).
    let mut lines = text
        .lines()
        .map(|l| {
            l.trim()
                .trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | '+' | ' '))
        })
        .filter(|l| !l.is_empty())
        .skip_while(|l| !l.starts_with("PuTTY-User-Key-File-"));
    let (version, alg) = lines
        .next()?
        .strip_prefix("PuTTY-User-Key-File-")?
        .split_once(':')?;
    let alg = alg.trim();
    let encryption = lines.next()?.strip_prefix("Encryption:")?.trim().to_owned();
    lines.next()?.strip_prefix("Comment:")?;
    let public = block(&mut lines, "Public-Lines:")?;
    // Format 3's KDF fields sit between the public and the private blocks.
    let private = loop {
        let l = lines.next()?;
        if let Some(n) = l.strip_prefix("Private-Lines:") {
            break base64_lines(&mut lines, n)?;
        }
        if !l.contains(':') {
            return None;
        }
    };
    // The public blob starts with the algorithm name, as an SSH string.
    let name_len = u32::from_be_bytes(public.get(..4)?.try_into().ok()?) as usize;
    if public.get(4..4 + name_len)? != alg.as_bytes() || private.len() < 16 {
        return None;
    }
    let v = match encryption.as_str() {
        "none" => Verdict::ok("key-unencrypted"),
        // AES-256-CBC: the private blob is a whole number of 16-byte blocks.
        "aes256-cbc" if private.len() % 16 == 0 => {
            Verdict::ok("key-encrypted").with("format", "ppk-aes256-cbc")
        }
        _ => return None,
    };
    Some(
        v.with("key_type", clip(alg))
            .with("ppk_version", clip(version.trim())),
    )
}

/// `header: n` then n lines of base64, decoded.
fn block<'a>(lines: &mut impl Iterator<Item = &'a str>, header: &str) -> Option<Vec<u8>> {
    let n = lines.next()?.strip_prefix(header)?;
    base64_lines(lines, n)
}

fn base64_lines<'a>(lines: &mut impl Iterator<Item = &'a str>, count: &str) -> Option<Vec<u8>> {
    let n: usize = count
        .trim()
        .parse()
        .ok()
        .filter(|&n| (1..=1024).contains(&n))?;
    let mut b64 = String::new();
    for _ in 0..n {
        b64.push_str(lines.next()?);
    }
    crate::decode::base64_engine(false).decode(b64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ppk(encryption: &str, private_len: usize) -> String {
        let e = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let mut public = 11u32.to_be_bytes().to_vec();
        public.extend(b"ssh-ed25519");
        public.extend(32u32.to_be_bytes());
        public.extend([9u8; 32]);
        let private = vec![3u8; private_len];
        let kdf = if encryption == "none" {
            String::new()
        } else {
            "Key-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: 21\nArgon2-Parallelism: 1\nArgon2-Salt: 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n".to_owned()
        };
        format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: {encryption}\nComment: eddsa-key-20260302\nPublic-Lines: 2\n{}\n{}\n{kdf}Private-Lines: 1\n{}\nPrivate-MAC: {}\n",
            &e(&public)[..40],
            &e(&public)[40..],
            e(&private),
            "ab".repeat(32)
        )
    }

    #[test]
    fn unencrypted_encrypted_and_broken() {
        let v = check(ppk("none", 36).as_bytes());
        assert_eq!(v.label(), Some("key-unencrypted"));
        assert_eq!(v.detail("key_type"), Some("ssh-ed25519"));
        assert_eq!(v.detail("ppk_version"), Some("3"));
        let v = check(ppk("aes256-cbc", 48).as_bytes());
        assert_eq!(v.label(), Some("key-encrypted"));
        let escaped = ppk("none", 36).replace('\n', "\\r\\n");
        assert_eq!(check(escaped.as_bytes()).label(), Some("key-unencrypted"));
        // A ciphertext that is not whole blocks, or a public blob of another algorithm.
        assert_eq!(
            check(ppk("aes256-cbc", 40).as_bytes()).label(),
            Some("key-unparseable")
        );
        let other = ppk("none", 36).replace("File-3: ssh-ed25519", "File-3: ssh-rsa");
        assert_eq!(check(other.as_bytes()).label(), Some("key-unparseable"));
    }
}
