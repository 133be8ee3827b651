//! Discord bot tokens: `base64url(user id) . base64url(timestamp) . HMAC`. The first part must decode to
//! a Discord snowflake (a decimal id whose top 42 bits are milliseconds since 2015-01-01) created between
//! Discord's epoch and a year from now. That is what a random base64 triple of the same shape almost
//! never is, so the rule can do without a `discord` name nearby.

use base64::Engine as _;

use super::{Outcome, Verdict};
use crate::date::Date;

/// 2015-01-01T00:00:00Z in milliseconds since the Unix epoch: Discord's snowflake epoch.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// Ids are checked against `now` plus this margin (clock skew, a machine with a wrong clock).
const FUTURE_MARGIN_MS: u64 = 366 * 86_400_000;
/// 2025-01-01T00:00:00Z in seconds: the upper bound never falls below it, so a caller passing `now = 0`
/// (no clock) still accepts every id issued so far.
const MIN_NOW_SECS: u64 = 1_735_689_600;

/// Checks a `id.timestamp.hmac` token. Not a snowflake in the first part: `Invalid`.
pub(super) fn discord_bot_token(secret: &[u8], now: u64) -> Outcome {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(id_part), Some(ts), Some(hmac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Outcome::Invalid;
    };
    if ts.len() < 6 || hmac.len() < 27 {
        return Outcome::Invalid;
    }
    let id_part = id_part.strip_suffix(b"=").unwrap_or(id_part);
    let Ok(raw) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id_part) else {
        return Outcome::Invalid;
    };
    let Some(created_ms) = snowflake_ms(&raw) else {
        return Outcome::Invalid;
    };
    let upper = now.max(MIN_NOW_SECS).saturating_mul(1000) + FUTURE_MARGIN_MS;
    if created_ms > upper {
        return Outcome::Invalid;
    }
    let created = Date::from_days((created_ms / 86_400_000) as i64);
    Outcome::Report(
        Verdict::ok("snowflake-ok")
            .with("user_id", String::from_utf8_lossy(&raw).into_owned())
            .with("created", created.to_string()),
    )
}

/// The creation time (ms since the Unix epoch) of a decimal snowflake: 17 to 20 digits, no leading zero,
/// a timestamp after Discord's epoch.
fn snowflake_ms(digits: &[u8]) -> Option<u64> {
    if !(17..=20).contains(&digits.len())
        || digits[0] == b'0'
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let id: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    let since_epoch = id >> 22;
    (since_epoch > 0).then_some(since_epoch + DISCORD_EPOCH_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    /// A token for a snowflake created `ms` after Discord's epoch.
    fn token(id: u64) -> String {
        format!(
            "{}.{}.{}",
            b64(id.to_string().as_bytes()),
            b64(&[0x66, 0x1b, 0x2c, 0x3d]),
            "q8ZtR2vNx7LmWpK4sYb1Hc6Jf3Dg9Ae" // leakhound:allow (test HMAC part)
        )
    }

    const NOW: u64 = 1_760_000_000; // 2025-10-09

    #[test]
    fn snowflake_ids_are_decoded() {
        // 2023-03-01 and 2017-06-15, shifted into place with a worker/sequence part.
        let recent = ((1_677_628_800_000 - DISCORD_EPOCH_MS) << 22) | 0x2a_0017;
        let old = ((1_497_484_800_000 - DISCORD_EPOCH_MS) << 22) | 0x01_0001;
        let v = discord_bot_token(token(recent).as_bytes(), NOW);
        assert_eq!(v.label(), Some("snowflake-ok"));
        assert_eq!(v.detail("created"), Some("2023-03-01"));
        assert_eq!(v.detail("user_id"), Some(recent.to_string().as_str()));
        let v = discord_bot_token(token(old).as_bytes(), NOW);
        assert_eq!(v.detail("created"), Some("2017-06-15"));
        // Without a clock the bound is 2025 plus a year.
        assert_eq!(
            discord_bot_token(token(recent).as_bytes(), 0).label(),
            Some("snowflake-ok")
        );
    }

    #[test]
    fn look_alikes_are_rejected() {
        // An id decades in the future, too short, or not digits at all.
        let future = (((NOW + 20 * 31_536_000) * 1000 - DISCORD_EPOCH_MS) << 22) | 1;
        assert_eq!(
            discord_bot_token(token(future).as_bytes(), NOW),
            Outcome::Invalid
        );
        assert_eq!(
            discord_bot_token(token(1_234_567_890).as_bytes(), NOW),
            Outcome::Invalid
        );
        let letters = format!("{}.X-hvzA.{}", b64(b"abcdefghijklmnopqr"), "a".repeat(27));
        assert_eq!(discord_bot_token(letters.as_bytes(), NOW), Outcome::Invalid);
        // Random base64 of the same shape, and a wrong number of parts.
        let short = b"MzQ5Njk4NzE0MzcwNjg0OTMw.GQ2v.short"; // leakhound:allow (look-alike)
        let two_parts = b"Nzk0NjE1NTUwNzQ2MjQ3MzE4.X-hvzA"; // leakhound:allow (look-alike)
        let random = b"McCRbnvT4K9wzMRy2sXjhaQ7.Fz9Lw2.Kq8ZtR2vNx7LmWpK4sYb1Hc6Jf3"; // leakhound:allow (look-alike)
        for bytes in [&short[..], &two_parts[..], &random[..]] {
            assert_eq!(discord_bot_token(bytes, NOW), Outcome::Invalid);
        }
    }
}
