//! Timestamps for records: RFC 3339 in UTC with whole seconds (the form
//! upstream's logs use, which its evolve tooling matches on), and parsing
//! for `--since`.
//!
//! Builders take the time as an argument; the engine reads the clock once
//! per run, so builders stay pure and testable.

/// A point in time, in nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Instant(pub i128);

impl Instant {
    pub fn now() -> Instant {
        Instant::at(std::time::SystemTime::now())
    }

    /// The instant a [`SystemTime`] names, e.g. a policy's
    /// `ctx.world.now()`, so record builders can take the time from the
    /// world's clock. Times before the epoch count back from it.
    pub fn at(time: std::time::SystemTime) -> Instant {
        let nanos = match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => after.as_nanos() as i128,
            Err(before) => -(before.duration().as_nanos() as i128),
        };
        Instant(nanos)
    }

    pub fn from_secs(secs: i64) -> Instant {
        Instant(i128::from(secs) * 1_000_000_000)
    }

    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000_000) as i64
    }

    pub fn nanos(self) -> i128 {
        self.0
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn iso(self) -> String {
        let secs = self.secs();
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }

    /// `YYYY-MM-DD`.
    pub fn day(self) -> String {
        self.iso()[..10].to_string()
    }
}

impl From<std::time::SystemTime> for Instant {
    fn from(time: std::time::SystemTime) -> Instant {
        Instant::at(time)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for whole seconds since the Unix epoch: the one
/// timestamp formatter every record writer uses.
pub fn iso_from_secs(secs: u64) -> String {
    Instant::from_secs(i64::try_from(secs).unwrap_or(i64::MAX / 1_000_000_000)).iso()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse `YYYY-MM-DD`, or RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn parse(text: &str) -> Option<Instant> {
    let t = text.trim();
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    if b.len() == 10 {
        return Some(Instant::from_secs(days * 86_400));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut nanos: i128 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &frac[..digits.min(9)];
        nanos = kept.parse::<i128>().ok()? * 10i128.pow(9 - kept.len() as u32);
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest.get(1..)?.split_once(':')?;
            let oh: i64 = oh.parse().ok()?;
            let om: i64 = om.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some(Instant(i128::from(secs) * 1_000_000_000 + nanos))
}

/// Parse a `--since` value: a time (see [`parse`]) or an age such as
/// `90s`, `15m`, `2h`, `7d` counted back from `now`.
pub fn parse_since(text: &str, now: Instant) -> Option<Instant> {
    if let Some(t) = parse(text) {
        return Some(t);
    }
    let t = text.trim();
    let unit = t.chars().last()?;
    let n: i64 = t[..t.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        's' => n,
        'm' => n.checked_mul(60)?,
        'h' => n.checked_mul(3600)?,
        'd' => n.checked_mul(86_400)?,
        'w' => n.checked_mul(7 * 86_400)?,
        _ => return None,
    };
    (n >= 0).then(|| Instant(now.0 - i128::from(secs) * 1_000_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        for secs in [0, 951_782_400, 1_700_000_000, 4_102_444_799] {
            let t = Instant::from_secs(secs);
            assert_eq!(parse(&t.iso()), Some(t), "{}", t.iso());
        }
        assert_eq!(
            Instant::from_secs(951_782_400).iso(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn parses_the_forms_logs_and_users_write() {
        let base = parse("2025-06-01T10:00:00Z").expect("base");
        let cases = [
            ("2025-06-01", Some(base.0 - 36_000 * 1_000_000_000)),
            ("2025-06-01T10:00:00.5Z", Some(base.0 + 500_000_000)),
            ("2025-06-01T12:00:00+02:00", Some(base.0)),
            ("2025-06-01 10:00:00", Some(base.0)),
            ("2025-13-01", None),
            ("yesterday", None),
            ("2025-06-01T10:00", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).map(|i| i.0), want, "{text}");
        }
    }

    #[test]
    fn instants_from_system_times() {
        use std::time::{Duration, UNIX_EPOCH};
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        assert_eq!(Instant::at(t).iso(), "2023-11-14T22:13:20Z");
        assert_eq!(Instant::from(t).nanos(), 1_700_000_000_250_000_000);
        assert_eq!(Instant::at(UNIX_EPOCH - Duration::from_secs(1)).secs(), -1);
    }

    #[test]
    fn since_accepts_ages() {
        let now = Instant::from_secs(1_000_000);
        assert_eq!(
            parse_since("2h", now),
            Some(Instant::from_secs(1_000_000 - 7200))
        );
        assert_eq!(
            parse_since("1d", now),
            Some(Instant::from_secs(1_000_000 - 86_400))
        );
        assert_eq!(parse_since("5x", now), None);
        assert_eq!(parse_since("-3h", now), None);
    }
}
