//! Calendar dates (UTC) for expiry checks and exposure ages, over `jiff`'s civil dates.

use std::fmt;

use jiff::civil;
use jiff::tz::TimeZone;
use jiff::Span;

/// A calendar date, years -9999 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(civil::Date);

/// Day 0 of [`Date::days`].
const EPOCH: civil::Date = civil::date(1970, 1, 1);

impl Date {
    /// Today, UTC: the same date for everyone scanning at the same instant, whatever their time zone.
    pub fn today() -> Date {
        Date(TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date())
    }

    /// Parses `YYYY-MM-DD`, a real date (a longer RFC 3339 date-time is cut to its date).
    ///
    /// ```
    /// use leakhound_core::Date;
    /// assert_eq!(Date::parse("2027-01-31T10:00:00Z").unwrap().to_string(), "2027-01-31");
    /// assert!(Date::parse("2026-02-30").is_none());
    /// assert!(Date::parse("20260131").is_none());
    /// ```
    pub fn parse(s: &str) -> Option<Date> {
        // jiff also reads other ISO 8601 forms (basic `20260131`, six-digit years); only the 10-byte
        // extended form is a date here.
        let s = s.get(..10).filter(|s| s.as_bytes()[4] == b'-')?;
        s.parse().ok().map(Date)
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        // Any two dates in range are less than 7.4 million days apart: the span is whole days.
        i64::from((self.0 - EPOCH).get_days())
    }

    /// The date `days` days after 1970-01-01, clamped to the years -9999 to 9999.
    pub fn from_days(days: i64) -> Date {
        let date = Span::new()
            .try_days(days)
            .and_then(|span| EPOCH.checked_add(span));
        Date(date.unwrap_or(if days < 0 {
            civil::Date::MIN
        } else {
            civil::Date::MAX
        }))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year().into()
    }

    /// The month, 1-12.
    pub fn month(self) -> u32 {
        self.0.month().unsigned_abs().into()
    }

    /// The day of the month, 1-31.
    pub fn day(self) -> u32 {
        self.0.day().unsigned_abs().into()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-23", "1999-12-31"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(Date::from_days(d.days()), d);
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(
            Date::parse("2026-01-10").unwrap().days() - Date::parse("2025-12-31").unwrap().days(),
            10
        );
        assert!(Date::parse("2026-13-01").is_none());
    }

    /// The values the hand-written days-from-civil gave, and its inverse.
    #[test]
    fn days_since_the_epoch() {
        for (s, days) in [
            ("1970-01-01", 0),
            ("1969-12-31", -1),
            ("2000-03-01", 11_017),
            ("2026-12-06", 20_793),
            ("1900-01-01", -25_567),
        ] {
            let d = Date::parse(s).unwrap();
            assert_eq!(d.days(), days, "{s}");
            assert_eq!(Date::from_days(days), d, "{s}");
        }
        let d = Date::parse("2026-12-06").unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2026, 12, 6));
    }

    #[test]
    fn parse_takes_only_real_extended_dates() {
        for bad in [
            "",
            "2026-01",
            "2026-1-011",
            "2026-02-29",
            "20260131xx",
            "+02026-01-3",
            "2026-01-3x",
            "2026-0131xx",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(Date::parse("2024-02-29").is_some());
    }

    /// Out-of-range day counts (a forged commit time, a JWT `exp` far ahead) clamp, never panic.
    #[test]
    fn from_days_clamps() {
        assert_eq!(Date::from_days(i64::MAX).to_string(), "9999-12-31");
        assert_eq!(Date::from_days(i64::MIN), Date(civil::Date::MIN));
        assert!(Date::from_days(i64::MIN).days() < 0);
    }
}
