//! Points in time, always handed in by the host: the engine has no clock.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant with the host's UTC offset (which decides what "today" is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Moment(#[serde(with = "time::serde::rfc3339")] pub OffsetDateTime);

impl Moment {
    /// Parses RFC 3339, e.g. "2026-03-02T09:00:00+08:00".
    pub fn parse(s: &str) -> Option<Moment> {
        OffsetDateTime::parse(s, &Rfc3339).ok().map(Moment)
    }

    /// From Unix seconds, at a UTC offset in seconds (China: 8 * 3600).
    pub fn from_unix(secs: i64, offset_secs: i32) -> Option<Moment> {
        let offset = time::UtcOffset::from_whole_seconds(offset_secs).ok()?;
        OffsetDateTime::from_unix_timestamp(secs).ok().map(|t| Moment(t.to_offset(offset)))
    }

    /// The calendar date at the moment's own offset, "YYYY-MM-DD".
    pub fn today(self) -> String {
        crate::fields::date::format(self.0.date())
    }

    /// This moment plus whole days.
    pub fn plus_days(self, days: u32) -> Moment {
        Moment(self.0 + time::Duration::days(days.into()))
    }

    /// The moment as people write it, at its own offset: 「2026年12月7日 09:00」,
    /// "7 December 2026, 09:00".
    pub fn describe(self) -> crate::text::Text {
        let (d, hm) = (self.0.date(), format!("{:02}:{:02}", self.0.hour(), self.0.minute()));
        crate::text::Text::new(
            format!("{}年{}月{}日 {hm}", d.year(), u8::from(d.month()), d.day()),
            format!("{} {} {}, {hm}", d.day(), d.month(), d.year()),
        )
    }

    /// This moment plus whole hours.
    pub fn plus_hours(self, hours: i64) -> Moment {
        Moment(self.0 + time::Duration::hours(hours))
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{:?}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Moment;
    use crate::instance::ActionError;

    #[test]
    fn a_moment_reads_as_people_write_it_in_messages() {
        let until = Moment::parse("2026-12-07T09:05:00+08:00").unwrap();
        let said = until.describe();
        assert_eq!((said.zh.as_str(), said.en.as_str()), ("2026年12月7日 09:05", "7 December 2026, 09:05"));
        let m = ActionError::TooEarly { until }.message();
        assert_eq!(m.zh, "时间未到，2026年12月7日 09:05 之后才可以。");
        assert_eq!(m.en, "Too early: possible from 7 December 2026, 09:05.");
    }
}
