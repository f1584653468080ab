//! Calendar dates as rules and forms write them: "YYYY-MM-DD".

pub use time::Date;
use time::{Duration, Month};

/// Parses "YYYY-MM-DD" (exactly that form; no time, no zone).
pub fn parse(s: &str) -> Option<Date> {
    let bytes = s.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = s[0..4].parse().ok()?;
    let month = Month::try_from(s[5..7].parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, s[8..10].parse().ok()?).ok()
}

/// Formats a date as "YYYY-MM-DD".
pub fn format(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Days from `a` to `b` (negative if `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    (b - a).whole_days()
}

/// Whole months from `a` to `b`: 2026-01-31 → 2026-02-28 is 0, → 2026-03-01 is 1.
pub fn months_between(a: Date, b: Date) -> i64 {
    let months = |d: Date| d.year() as i64 * 12 + d.month() as i64 - 1;
    let mut n = months(b) - months(a);
    if n > 0 && b.day() < a.day() {
        n -= 1;
    } else if n < 0 && b.day() > a.day() {
        n += 1;
    }
    n
}

/// `d` plus `n` days, if still a date.
pub fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Duration::days(n))
}

/// `d` plus `n` months; the day is clamped to the month's end (01-31 + 1 → 02-28).
pub fn add_months(d: Date, n: i64) -> Option<Date> {
    let total = d.year() as i64 * 12 + d.month() as i64 - 1 + n;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from(total.rem_euclid(12) as u8 + 1).ok()?;
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse(s).unwrap()
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(format(d("2026-02-28")), "2026-02-28");
        assert!(parse("2026-02-30").is_none());
        assert!(parse("2026-2-3").is_none());
        assert!(parse("2026-02-28T00:00").is_none());
    }

    #[test]
    fn date_arithmetic() {
        assert_eq!(days_between(d("2026-03-01"), d("2026-03-06")), 5);
        assert_eq!(days_between(d("2026-03-06"), d("2026-03-01")), -5);
        assert_eq!(months_between(d("2026-01-31"), d("2026-02-28")), 0);
        assert_eq!(months_between(d("2026-01-31"), d("2026-03-01")), 1);
        assert_eq!(months_between(d("2021-07-01"), d("2026-07-01")), 60);
        assert_eq!(months_between(d("2026-07-01"), d("2021-07-02")), -59);
        assert_eq!(format(add_months(d("2026-01-31"), 1).unwrap()), "2026-02-28");
        assert_eq!(format(add_months(d("2026-01-15"), -13).unwrap()), "2024-12-15");
        assert_eq!(format(add_days(d("2026-12-30"), 3).unwrap()), "2027-01-02");
    }
}
