//! Timestamps for records: RFC 3339 in UTC with whole seconds (the form
//! upstream's logs use, which its evolve tooling matches on), and parsing
//! for `--since`.
//!
//! Builders take the time as an argument; the engine reads the clock once
//! per run, so builders stay pure and testable.
//!
//! Calendar work (formatting, reading dates and offsets, counting ages
//! back) is done by `jiff`, in UTC only: no time zone database is needed,
//! and an impossible date such as `2025-02-30` is an error, not a day in
//! March.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::civil::{Date, Time};
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};

/// A point in time, in nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Instant(pub i128);

impl Instant {
    /// The system clock, now (the epoch when the clock reads earlier).
    pub fn now() -> Instant {
        Instant::at(SystemTime::now()).max(Instant(0))
    }

    /// The instant a [`SystemTime`] stands for (negative before the epoch).
    pub fn at(time: SystemTime) -> Instant {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Instant(after.as_nanos() as i128),
            Err(before) => Instant(-(before.duration().as_nanos() as i128)),
        }
    }

    /// Whole seconds since the Unix epoch.
    pub fn from_secs(secs: i64) -> Instant {
        Instant(i128::from(secs) * 1_000_000_000)
    }

    /// Whole seconds since the Unix epoch, rounded down.
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000_000) as i64
    }

    /// Nanoseconds since the Unix epoch.
    pub fn nanos(self) -> i128 {
        self.0
    }

    /// The instant as a `jiff` timestamp, whole seconds, clamped to the
    /// range `jiff` represents (the years -9999 to 9999, less a day at
    /// either end).
    fn whole_second(self) -> Timestamp {
        Timestamp::from_second(self.secs()).unwrap_or(if self.0 < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn iso(self) -> String {
        format!("{:.0}", self.whole_second())
    }

    /// `YYYY-MM-DD`.
    pub fn day(self) -> String {
        self.whole_second()
            .to_zoned_datetime(TimeZone::UTC)
            .date()
            .to_string()
    }
}

impl From<SystemTime> for Instant {
    fn from(time: SystemTime) -> Instant {
        Instant::at(time)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for whole seconds since the Unix epoch: the one
/// timestamp formatter every record writer uses. Times past `jiff`'s
/// range (late on 9999-12-30) are written as its last second.
pub fn iso_from_secs(secs: u64) -> String {
    Instant::from_secs(i64::try_from(secs).unwrap_or(i64::MAX)).iso()
}

/// Why a time or an age could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    text: String,
    reason: String,
}

impl TimeError {
    fn new(text: &str, reason: impl Into<String>) -> TimeError {
        TimeError {
            text: text.trim().to_string(),
            reason: reason.into(),
        }
    }

    /// What was wrong with the text, without the text itself.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.text, self.reason)
    }
}

impl std::error::Error for TimeError {}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A plain-words reason when `text` starts with a `YYYY-MM-DD` date that
/// does not exist (`2025-02-30`, `2025-13-01`).
fn impossible_date(text: &str) -> Option<String> {
    let head = text.get(..10)?;
    let b = head.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r.clone()].iter().all(u8::is_ascii_digit);
    if b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return None;
    }
    let year: i16 = head[..4].parse().ok()?;
    let month: i8 = head[5..7].parse().ok()?;
    let day: i8 = head[8..10].parse().ok()?;
    if !(1..=12).contains(&month) {
        return Some(format!(
            "not a valid date: there is no month {month} (months run from 01 to 12)"
        ));
    }
    let days = Date::new(year, month, 1).ok()?.days_in_month();
    let name = MONTHS[usize::try_from(month - 1).ok()?];
    (day < 1 || day > days)
        .then(|| format!("not a valid date: {name} {year} has days 01 to {days}, not {day:02}"))
}

/// Read a time: `YYYY-MM-DD` (midnight UTC), or RFC 3339
/// `YYYY-MM-DDTHH:MM[:SS[.frac]](Z|±HH:MM)`, where `t` or a space may
/// stand for the `T` and a time without an offset is read as UTC.
pub fn parse_time(text: &str) -> Result<Instant, TimeError> {
    let t = text.trim();
    let pieces = match Pieces::parse(t) {
        Ok(p) => p,
        Err(e) => {
            return Err(TimeError::new(
                t,
                impossible_date(t).unwrap_or_else(|| format!("not a valid time: {e}")),
            ))
        }
    };
    let offset = match pieces.to_numeric_offset() {
        Some(offset) => offset,
        None if pieces.time_zone_annotation().is_some() => {
            return Err(TimeError::new(
                t,
                "time zone names are not supported: give an offset such as Z or +02:00",
            ))
        }
        None => Offset::UTC,
    };
    let civil = pieces
        .date()
        .to_datetime(pieces.time().unwrap_or(Time::midnight()));
    let at = offset
        .to_timestamp(civil)
        .map_err(|e| TimeError::new(t, format!("out of range: {e}")))?;
    Ok(Instant(at.as_nanosecond()))
}

/// [`parse_time`], for callers that only need to know whether a time
/// could be read (a record's `ts`, say).
pub fn parse(text: &str) -> Option<Instant> {
    parse_time(text).ok()
}

/// Read a `--since` value: a time (see [`parse_time`]) or an age counted
/// back from `now`, such as `90s`, `15m`, `2h`, `7d`, `1w` or `1h30m`
/// (days are 24 hours; months and years count back on the calendar).
pub fn since(text: &str, now: Instant) -> Result<Instant, TimeError> {
    time_or_age(text, now, false)
}

/// Read an `--expires` value: a time (see [`parse_time`]) or an age
/// counted forward from `now`, in the forms [`since`] reads.
pub fn until(text: &str, now: Instant) -> Result<Instant, TimeError> {
    time_or_age(text, now, true)
}

fn time_or_age(text: &str, now: Instant, forward: bool) -> Result<Instant, TimeError> {
    let t = text.trim();
    // Starts like a date: say what is wrong with it as a date.
    let dated = t.len() >= 5 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if dated && t.as_bytes()[4] == b'-' {
        return parse_time(t);
    }
    if let Ok(at) = parse_time(t) {
        return Ok(at);
    }
    let expected = "expected RFC 3339, YYYY-MM-DD or an age like 30m, 2h, 7d";
    let age: Span = t.parse().map_err(|_| TimeError::new(t, expected))?;
    let (way, too_far) = if forward {
        ("forward", "too far ahead")
    } else {
        ("back", "too far back")
    };
    if age.is_negative() {
        return Err(TimeError::new(
            t,
            format!("an age counts {way} from now and cannot be negative"),
        ));
    }
    Timestamp::from_nanosecond(now.0)
        .and_then(|now| {
            let now = now.to_zoned_datetime(TimeZone::UTC);
            if forward {
                now.checked_add(age)
            } else {
                now.checked_sub(age)
            }
        })
        .map(|then| Instant(then.timestamp().as_nanosecond()))
        .map_err(|e| TimeError::new(t, format!("{too_far}: {e}")))
}

/// [`since`], without the reason.
pub fn parse_since(text: &str, now: Instant) -> Option<Instant> {
    since(text, now).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn until_counts_ages_forward_and_reads_dates() {
        let now = Instant::from_secs(1_000);
        assert_eq!(until("30m", now).map(Instant::secs), Ok(2_800));
        assert_eq!(until("2w", now).map(Instant::secs), Ok(1_000 + 14 * 86_400));
        assert_eq!(
            until("2026-12-31", now).map(Instant::secs),
            Ok(1_798_675_200)
        );
        assert!(until("-1h", now).is_err_and(|e| e.reason().contains("forward")));
        assert!(until("soon", now).is_err());
        assert_eq!(since("30m", now).map(Instant::secs), Ok(-800));
    }

    #[test]
    fn formats_and_parses_round_trip() {
        for secs in [0, 951_782_400, 1_700_000_000, 4_102_444_799, -86_400] {
            let t = Instant::from_secs(secs);
            assert_eq!(parse(&t.iso()), Some(t), "{}", t.iso());
        }
        assert_eq!(
            Instant::from_secs(951_782_400).iso(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(Instant::from_secs(-1).iso(), "1969-12-31T23:59:59Z");
        assert_eq!(
            Instant(1_700_000_000_999_999_999).iso(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(Instant::from_secs(1_700_000_000).day(), "2023-11-14");
    }

    #[test]
    fn iso_from_secs_keeps_its_form_and_saturates() {
        assert_eq!(iso_from_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_from_secs(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_from_secs(u64::MAX), "9999-12-30T22:00:00Z");
        assert_eq!(Instant(i128::MIN).iso(), "-009999-01-02T01:59:59Z");
    }

    #[test]
    fn at_reads_system_times_on_both_sides_of_the_epoch() {
        let after = UNIX_EPOCH + Duration::new(1_700_000_000, 5);
        assert_eq!(Instant::at(after), Instant(1_700_000_000_000_000_005));
        let before = UNIX_EPOCH - Duration::from_secs(2);
        assert_eq!(Instant::at(before), Instant::from_secs(-2));
        assert!(Instant::now() > Instant::from_secs(1_700_000_000));
    }

    #[test]
    fn parses_the_forms_logs_and_users_write() {
        let base = parse("2025-06-01T10:00:00Z").expect("base");
        let cases = [
            ("2025-06-01", Some(base.0 - 36_000 * 1_000_000_000)),
            ("2025-06-01T10:00:00.5Z", Some(base.0 + 500_000_000)),
            ("2025-06-01T12:00:00+02:00", Some(base.0)),
            ("2025-06-01T08:30:00-01:30", Some(base.0)),
            ("2025-06-01 10:00:00", Some(base.0)),
            ("2025-06-01t10:00:00z", Some(base.0)),
            ("2025-06-01T10:00Z", Some(base.0)),
            (" 2025-06-01T10:00:00Z\n", Some(base.0)),
            ("2025-13-01", None),
            ("2025-02-30", None),
            ("2025-02-29", None),
            ("2025-06-01T24:00:00Z", None),
            ("2025-06-01T10:00:00[Europe/Paris]", None),
            ("yesterday", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).map(|i| i.0), want, "{text}");
        }
        assert!(parse("2024-02-29").is_some(), "a leap day");
    }

    #[test]
    fn impossible_dates_say_why() {
        let reason = |t: &str| parse_time(t).expect_err(t).reason().to_string();
        assert_eq!(
            reason("2025-02-30"),
            "not a valid date: February 2025 has days 01 to 28, not 30"
        );
        assert_eq!(
            reason("2025-04-31T10:00:00Z"),
            "not a valid date: April 2025 has days 01 to 30, not 31"
        );
        assert_eq!(
            reason("2025-13-01"),
            "not a valid date: there is no month 13 (months run from 01 to 12)"
        );
        assert_eq!(
            reason("2025-06-00"),
            "not a valid date: June 2025 has days 01 to 30, not 00"
        );
        let e = parse_time("2025-02-30").expect_err("impossible");
        assert!(e.to_string().starts_with("`2025-02-30`: "), "{e}");
        assert!(reason("2025-06-01T25:00:00Z").contains("hour"));
    }

    #[test]
    fn since_accepts_times_and_ages() {
        let now = Instant::from_secs(1_000_000);
        let ago = |secs: i64| Ok(Instant::from_secs(1_000_000 - secs));
        assert_eq!(since("2h", now), ago(7200));
        assert_eq!(since("90s", now), ago(90));
        assert_eq!(since("15m", now), ago(900));
        assert_eq!(since("1d", now), ago(86_400));
        assert_eq!(since("7d", now), ago(7 * 86_400));
        assert_eq!(since("1w", now), ago(7 * 86_400));
        assert_eq!(since("1h30m", now), ago(5400));
        assert_eq!(since(" 0s ", now), ago(0));
        assert_eq!(since("1970-01-02", now), Ok(Instant::from_secs(86_400)));
        assert_eq!(parse_since("2h", now), ago(7200).ok());
    }

    #[test]
    fn since_refuses_what_it_cannot_place() {
        let now = Instant::from_secs(1_000_000);
        let reason = |t: &str| since(t, now).expect_err(t).reason().to_string();
        assert!(reason("5x").starts_with("expected RFC 3339"));
        assert!(reason("last tuesday").starts_with("expected RFC 3339"));
        assert!(reason("3").starts_with("expected RFC 3339"));
        assert!(reason("").starts_with("expected RFC 3339"));
        assert!(reason("-3h").contains("negative"));
        assert!(reason("3h ago").contains("negative"));
        assert!(reason("2025-02-30").contains("February 2025 has days 01 to 28"));
        assert!(reason("2025-02-30T10:00:00Z").contains("February 2025"));
        assert!(reason("15000y").contains("too far back"));
        assert_eq!(parse_since("-3h", now), None);
    }
}
