//! Java and PKCS#12 keystores pasted as base64 (`keystore.p12: MIIK…`, `KEYSTORE_BASE64=/u3+7Q…`).
//! A keystore is a secret when it holds a private or secret key; a truststore (certificates only) is
//! not, and is dropped.
//!
//! - PKCS#12 (RFC 7292): `PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData }`.
//!   Keys sit in `keyBag`/`pkcs8ShroudedKeyBag` safe bags, whose bag-type OIDs are in the clear when
//!   the bag is in a `data` ContentInfo (what OpenSSL, keytool and Windows write); certificates sit in
//!   an `encryptedData` ContentInfo, where nothing can be told without the password, so a store with
//!   no key bag in the clear is taken for a truststore.
//! - JKS (magic `FEEDFEED`) and JCEKS (`CECECECE`): version, entry count, then entries tagged
//!   1 (private key), 2 (trusted certificate) or 3 (secret key, JCEKS).

use super::{Outcome, Verdict};
use base64::Engine as _;

/// `pkcs8ShroudedKeyBag` (1.2.840.113549.1.12.10.1.2) and `keyBag` (…1.1), DER-encoded with their tag.
const SHROUDED_KEY_BAG: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
];
const KEY_BAG: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01,
];
/// PKCS#7 `data` (1.2.840.113549.1.7.1) and `signedData` (…7.2) content types, without the last arc.
const PKCS7: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
/// PKCS#7 `encryptedData` (1.2.840.113549.1.7.6), where certificates sit.
#[cfg(test)]
const ENCRYPTED_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06,
];

/// Checks a base64 keystore as found in text (wrapped, `\n`-escaped, indented).
pub(super) fn check(secret: &[u8]) -> Outcome {
    let Some(der) = decode(secret) else {
        return Outcome::Invalid;
    };
    match der.get(..4) {
        Some([0xfe, 0xed, 0xfe, 0xed]) => java(&der, "jks"),
        Some([0xce, 0xce, 0xce, 0xce]) => java(&der, "jceks"),
        Some([0x30, ..]) => pkcs12(&der),
        _ => Outcome::Invalid,
    }
}

/// The base64 characters of `secret` decoded; escapes, quotes and line breaks between lines dropped.
fn decode(secret: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(secret)
        .replace("\\r", "")
        .replace("\\n", "")
        .replace("%3D", "")
        .replace("%3d", "");
    let b64: Vec<u8> = text
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
        .collect();
    // A run cut short decodes up to its last whole quantum.
    let whole = b64.len() / 4 * 4;
    crate::decode::base64_engine(false)
        .decode(&b64[..whole])
        .ok()
}

fn pkcs12(der: &[u8]) -> Outcome {
    // SEQUENCE (definite or BER indefinite length), INTEGER 3, then the authSafe ContentInfo whose
    // content type is PKCS#7 data or signedData.
    let after_len = match der.get(1) {
        Some(0x80) => 2,
        Some(&l) if (0x81..=0x84).contains(&l) => 2 + usize::from(l & 0x7f),
        _ => return Outcome::Invalid,
    };
    if der.get(after_len..after_len + 4) != Some(&[0x02, 0x01, 0x03, 0x30]) {
        return Outcome::Invalid;
    }
    let head = &der[after_len..der.len().min(after_len + 32)];
    if memchr::memmem::find(head, PKCS7).is_none() {
        return Outcome::Invalid;
    }
    let found = |oid: &[u8]| memchr::memmem::find(der, oid).is_some();
    if !(found(SHROUDED_KEY_BAG) || found(KEY_BAG)) {
        // No key bag in the clear: certificates only (a truststore), in the clear or in an
        // `encryptedData` (what OpenSSL and keytool write for certificates, with or without a key).
        // A store that also hides its key bags behind the password is not told apart: it is missed.
        return Outcome::Invalid;
    }
    let v = Verdict::ok("keystore-private-key");
    Outcome::Report(v.with("format", "pkcs12"))
}

/// JKS and JCEKS: walks the entries (bounded by the data) and counts the key entries.
fn java(d: &[u8], format: &'static str) -> Outcome {
    let mut r = Reader(d);
    let (Some(_magic), Some(version)) = (r.u32(), r.u32()) else {
        return Outcome::Invalid;
    };
    let Some(count) = r.u32().filter(|&n| n <= 100_000) else {
        return Outcome::Invalid;
    };
    if !(1..=2).contains(&version) || count == 0 {
        return Outcome::Invalid;
    }
    let mut keys = 0usize;
    for _ in 0..count {
        let Some(tag) = r.u32() else { break };
        // Alias and timestamp.
        if r.utf().is_none() || r.skip(8).is_none() {
            break;
        }
        match tag {
            1 => {
                keys += 1;
                let chain = r.bytes().and_then(|_| r.u32());
                let Some(chain) = chain.filter(|&n| n <= 64) else {
                    break;
                };
                if (0..chain).any(|_| r.cert(version).is_none()) {
                    break;
                }
            }
            2 => {
                if r.cert(version).is_none() {
                    break;
                }
            }
            // A JCEKS secret key: a serialized Java object whose length is not written ahead.
            3 => {
                keys += 1;
                break;
            }
            _ => return Outcome::Invalid,
        }
    }
    if keys == 0 {
        // Only trusted certificates (a truststore), or nothing readable.
        return Outcome::Invalid;
    }
    Outcome::Report(
        Verdict::ok("keystore-private-key")
            .with("format", format)
            .with("key_entries", keys.to_string()),
    )
}

/// Big-endian reads over a byte slice; `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    /// Java's `writeUTF`: a u16 length, then the bytes.
    fn utf(&mut self) -> Option<&'a [u8]> {
        let n = u16::from_be_bytes(self.take(2)?.try_into().ok()?);
        self.take(usize::from(n))
    }
    /// A u32 length, then the bytes.
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    /// A certificate: its type name (version 2 only), then its encoding.
    fn cert(&mut self, version: u32) -> Option<()> {
        if version == 2 {
            self.utf()?;
        }
        self.bytes().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(d: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(d)
    }

    fn jks(magic: [u8; 4], entries: &[u32]) -> Vec<u8> {
        let mut d = magic.to_vec();
        d.extend(2u32.to_be_bytes());
        d.extend((entries.len() as u32).to_be_bytes());
        for (i, &tag) in entries.iter().enumerate() {
            d.extend(tag.to_be_bytes());
            let alias = format!("alias{i}");
            d.extend((alias.len() as u16).to_be_bytes());
            d.extend(alias.as_bytes());
            d.extend(1_700_000_000_000u64.to_be_bytes());
            if tag == 1 {
                d.extend(40u32.to_be_bytes());
                d.extend([7u8; 40]);
                d.extend(1u32.to_be_bytes());
            }
            d.extend(5u16.to_be_bytes());
            d.extend(b"X.509");
            d.extend(30u32.to_be_bytes());
            d.extend([0x30u8; 30]);
        }
        d
    }

    #[test]
    fn jks_with_a_key_and_a_truststore() {
        let v = check(b64(&jks([0xfe, 0xed, 0xfe, 0xed], &[2, 1])).as_bytes());
        assert_eq!(v.label(), Some("keystore-private-key"));
        assert_eq!(v.detail("format"), Some("jks"));
        assert_eq!(v.detail("key_entries"), Some("1"));
        let t = check(b64(&jks([0xfe, 0xed, 0xfe, 0xed], &[2, 2])).as_bytes());
        assert_eq!(t, Outcome::Invalid);
        let j = check(b64(&jks([0xce, 0xce, 0xce, 0xce], &[1])).as_bytes());
        assert_eq!(j.detail("format"), Some("jceks"));
    }

    #[test]
    fn pkcs12_key_bag_encrypted_only_and_junk() {
        let mut pfx = vec![
            0x30, 0x82, 0x04, 0x00, 0x02, 0x01, 0x03, 0x30, 0x82, 0x03, 0x00,
        ];
        pfx.extend(PKCS7);
        pfx.push(0x01);
        let mut with_key = pfx.clone();
        with_key.extend([0u8; 40]);
        with_key.extend(SHROUDED_KEY_BAG);
        with_key.extend([0u8; 40]);
        let v = check(b64(&with_key).as_bytes());
        assert_eq!(v.label(), Some("keystore-private-key"));
        assert_eq!(v.detail("format"), Some("pkcs12"));
        // Certificates behind the password and no key bag: a truststore.
        let mut enc = pfx.clone();
        enc.extend(ENCRYPTED_DATA);
        enc.extend([0u8; 40]);
        assert_eq!(check(b64(&enc).as_bytes()), Outcome::Invalid);
        // A certificate (SEQUENCE, then SEQUENCE, not INTEGER 3) is not a keystore.
        let cert = [
            0x30, 0x82, 0x03, 0x00, 0x30, 0x82, 0x02, 0x00, 0xa0, 0x03, 0x02, 0x01, 0x02,
        ];
        assert_eq!(check(b64(&cert).as_bytes()), Outcome::Invalid);
        assert_eq!(check(b"not base64 at all!"), Outcome::Invalid);
    }

    #[test]
    fn wrapped_and_escaped_text_decodes() {
        let s = b64(&jks([0xfe, 0xed, 0xfe, 0xed], &[1]));
        let (a, b) = s.split_at(20);
        let wrapped = format!("{a}\\n{b}");
        assert_eq!(
            check(wrapped.as_bytes()).label(),
            Some("keystore-private-key")
        );
        let wrapped = format!("{a}\n    {b}");
        assert_eq!(
            check(wrapped.as_bytes()).label(),
            Some("keystore-private-key")
        );
    }
}
