//! When a job runs by itself: a five-field cron expression or a fixed
//! interval. Pure arithmetic over [`Timestamp`]s, evaluated in UTC, so the
//! next run is testable with a fixed clock.

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::clock::Timestamp;
use crate::error::{Error, Result};

/// The shortest interval a job may run at.
pub const MIN_INTERVAL_SECONDS: u32 = 60;
/// The longest interval (a year).
pub const MAX_INTERVAL_SECONDS: u32 = 366 * 86_400;

/// A job's schedule.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Schedule {
    /// A cron expression (`minute hour day-of-month month day-of-week`, UTC).
    Cron {
        /// The expression as given (`*/15 * * * *`, `0 3 * * MON-FRI`, `@daily`).
        expression: String,
    },
    /// Every so many seconds after the previous run.
    Interval {
        /// Seconds between runs (60 to a year).
        seconds: u32,
    },
}

impl Schedule {
    /// A cron schedule, checked.
    pub fn cron(expression: &str) -> Result<Self> {
        CronExpr::parse(expression)?;
        Ok(Self::Cron {
            expression: expression.trim().to_owned(),
        })
    }

    /// An interval from text: `90s`, `15m`, `1h30m`, `2d`, or plain seconds.
    pub fn every(text: &str) -> Result<Self> {
        let seconds = parse_duration(text)?;
        let schedule = Self::Interval { seconds };
        schedule.check()?;
        Ok(schedule)
    }

    /// Checks the expression or the interval's bounds.
    pub fn check(&self) -> Result<()> {
        match self {
            Self::Cron { expression } => CronExpr::parse(expression).map(drop),
            Self::Interval { seconds } => {
                if (MIN_INTERVAL_SECONDS..=MAX_INTERVAL_SECONDS).contains(seconds) {
                    Ok(())
                } else {
                    Err(Error::invalid(
                        "every",
                        "the interval must be between 1 minute and 366 days",
                    ))
                }
            }
        }
    }

    /// The first run strictly after `after`. `None` only for a cron
    /// expression that never matches (such as `0 0 31 2 *`).
    pub fn next_after(&self, after: Timestamp) -> Result<Option<Timestamp>> {
        match self {
            Self::Cron { expression } => Ok(CronExpr::parse(expression)?.next_after(after)),
            Self::Interval { seconds } => Ok(Some(after.plus_seconds(i64::from(*seconds)))),
        }
    }

    /// In words: `cron */15 * * * * (UTC)`, `every 15m`.
    pub fn describe(&self) -> String {
        match self {
            Self::Cron { expression } => format!("cron {expression} (UTC)"),
            Self::Interval { seconds } => format!("every {}", format_duration(*seconds)),
        }
    }
}

/// Parses `90s`, `15m`, `1h30m`, `2d`, `1w`, or plain seconds.
pub fn parse_duration(text: &str) -> Result<u32> {
    let bad = || {
        Error::invalid(
            "every",
            format!("{text:?} is not a duration (like 30s, 15m, 1h30m, 2d)"),
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if let Ok(seconds) = text.parse::<u32>() {
        return Ok(seconds);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = total.saturating_add(n.saturating_mul(unit));
    }
    if !number.is_empty() {
        return Err(bad());
    }
    u32::try_from(total).map_err(|_| bad())
}

/// `1h30m`, `15m`, `2d`.
pub fn format_duration(seconds: u32) -> String {
    let mut left = seconds;
    let mut text = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if left >= size {
            text.push_str(&format!("{}{unit}", left / size));
            left %= size;
        }
    }
    if text.is_empty() {
        text.push_str("0s");
    }
    text
}

/// A parsed five-field cron expression: one bit per allowed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    /// Whether the day-of-month field was `*` (Vixie cron: when both day
    /// fields are restricted, a day matching either one runs).
    any_day_of_month: bool,
    any_day_of_week: bool,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// The value names count from (1 for months, 0 for weekdays).
    names_from: u32,
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
        names_from: 0,
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
        names_from: 0,
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
        names_from: 0,
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &MONTHS,
        names_from: 1,
    },
    // 7 is Sunday too; folded into 0 after parsing.
    Field {
        name: "day of week",
        min: 0,
        max: 7,
        names: &WEEKDAYS,
        names_from: 0,
    },
];

fn cron_error(expression: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid(
        "schedule",
        format!("{expression:?} is not a cron expression: {message}"),
    )
}

impl Field {
    fn value(&self, text: &str, expression: &str) -> Result<u32> {
        let upper = text.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(i as u32 + self.names_from);
        }
        let value: u32 = text.parse().map_err(|_| {
            cron_error(
                expression,
                format!("{text:?} is not a valid {} value", self.name),
            )
        })?;
        if !(self.min..=self.max).contains(&value) {
            return Err(cron_error(
                expression,
                format!(
                    "{} {value} is out of range {}-{}",
                    self.name, self.min, self.max
                ),
            ));
        }
        Ok(value)
    }

    /// The set of values as bits; `*` (with any step) is reported as "any"
    /// only when it has no step.
    fn parse(&self, text: &str, expression: &str) -> Result<(u64, bool)> {
        let mut bits = 0u64;
        let mut any = false;
        for part in text.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((range, step)) => {
                    let step: u32 = step.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        cron_error(expression, format!("{step:?} is not a step (1 or more)"))
                    })?;
                    (range, Some(step))
                }
                None => (part, None),
            };
            let (from, to) = if range == "*" {
                if step.is_none() {
                    any = true;
                }
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(a, expression)?, self.value(b, expression)?);
                if a > b {
                    return Err(cron_error(
                        expression,
                        format!("range {range:?} runs backwards"),
                    ));
                }
                (a, b)
            } else {
                let a = self.value(range, expression)?;
                // `5/15` means from 5 to the end in steps of 15.
                (a, if step.is_some() { self.max } else { a })
            };
            let step = step.unwrap_or(1);
            let mut v = from;
            while v <= to {
                bits |= 1 << v;
                v += step;
            }
        }
        if text.is_empty() {
            return Err(cron_error(
                expression,
                format!("the {} is empty", self.name),
            ));
        }
        Ok((bits, any))
    }
}

impl CronExpr {
    /// Parses five fields (names allowed for months and weekdays, 0 or 7 for
    /// Sunday) or one of `@yearly`, `@annually`, `@monthly`, `@weekly`,
    /// `@daily`, `@midnight`, `@hourly`.
    pub fn parse(expression: &str) -> Result<Self> {
        let text = expression.trim();
        let expanded = match text.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other if other.starts_with('@') => {
                return Err(cron_error(expression, "unknown @ shortcut"));
            }
            _ => text,
        };
        let parts: Vec<&str> = expanded.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(cron_error(
                expression,
                format!(
                    "it has {} fields; five are needed (minute hour day-of-month month day-of-week)",
                    parts.len()
                ),
            ));
        }
        let mut parsed = [(0u64, false); 5];
        for (i, (field, part)) in FIELDS.iter().zip(parts).enumerate() {
            parsed[i] = field.parse(part, expression)?;
        }
        let (dow_bits, any_dow) = parsed[4];
        // Sunday is 0 or 7.
        let dow = (dow_bits | (dow_bits >> 7)) & 0x7f;
        Ok(Self {
            minutes: parsed[0].0,
            hours: parsed[1].0 as u32,
            days_of_month: parsed[2].0 as u32,
            months: parsed[3].0 as u16,
            days_of_week: dow as u8,
            any_day_of_month: parsed[2].1,
            any_day_of_week: any_dow,
        })
    }

    fn day_matches(&self, date: Date) -> bool {
        let dom = self.days_of_month & (1 << date.day()) != 0;
        let dow = self.days_of_week & (1 << date.weekday().number_days_from_sunday()) != 0;
        match (self.any_day_of_month, self.any_day_of_week) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// The first minute strictly after `after` that matches.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let start = after.to_datetime();
        // The next whole minute after `after`.
        let first = OffsetDateTime::from_unix_timestamp(
            start.unix_timestamp() - i64::from(start.second()) + 60,
        )
        .ok()?;
        let mut date = first.date();
        let mut from = Some((first.hour(), first.minute()));
        // Leap days under a restricted weekday can be 28 years apart; search that far.
        for _ in 0..(366 * 29) {
            if self.months & (1 << u8::from(date.month())) != 0 && self.day_matches(date) {
                let (h0, m0) = from.unwrap_or((0, 0));
                for hour in h0..24 {
                    if self.hours & (1 << hour) == 0 {
                        continue;
                    }
                    let m_start = if hour == h0 { m0 } else { 0 };
                    for minute in m_start..60 {
                        if self.minutes & (1 << minute) != 0 {
                            let time = Time::from_hms(hour, minute, 0).ok()?;
                            let at = PrimitiveDateTime::new(date, time).assume_utc();
                            return Some(Timestamp::from_datetime(at));
                        }
                    }
                }
            }
            from = None;
            date = date.next_day()?;
            // Skip whole months that cannot match.
            while self.months & (1 << u8::from(date.month())) == 0 {
                let next_month = date.month().next();
                let year = if next_month == Month::January {
                    date.year() + 1
                } else {
                    date.year()
                };
                date = Date::from_calendar_date(year, next_month, 1).ok()?;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse("t", text).unwrap()
    }

    fn next(expr: &str, after: &str) -> String {
        CronExpr::parse(expr)
            .unwrap()
            .next_after(at(after))
            .unwrap()
            .to_rfc3339()
    }

    #[test]
    fn steps_ranges_lists_and_names() {
        assert_eq!(
            next("*/15 * * * *", "2026-01-01T10:07:30Z"),
            "2026-01-01T10:15:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-01-01T10:45:00Z"),
            "2026-01-01T11:00:00Z"
        );
        assert_eq!(
            next("0 9-17/4 * * *", "2026-01-01T10:00:00Z"),
            "2026-01-01T13:00:00Z"
        );
        assert_eq!(
            next("5,35 * * * *", "2026-01-01T10:06:00Z"),
            "2026-01-01T10:35:00Z"
        );
        // 2026-01-01 is a Thursday.
        assert_eq!(
            next("0 3 * * MON-FRI", "2026-01-02T04:00:00Z"),
            "2026-01-05T03:00:00Z"
        );
        assert_eq!(
            next("0 0 * * sun", "2026-01-01T00:00:00Z"),
            "2026-01-04T00:00:00Z"
        );
        assert_eq!(
            next("0 0 * * 7", "2026-01-01T00:00:00Z"),
            "2026-01-04T00:00:00Z"
        );
        assert_eq!(
            next("0 0 1 jan,jul *", "2026-02-01T00:00:00Z"),
            "2026-07-01T00:00:00Z"
        );
        assert_eq!(
            next("@daily", "2026-12-31T23:59:00Z"),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            next("0 0 29 2 *", "2026-01-01T00:00:00Z"),
            "2028-02-29T00:00:00Z"
        );
    }

    #[test]
    fn both_day_fields_restricted_means_either() {
        // The 15th, or any Monday: 2026-01-05 is a Monday.
        assert_eq!(
            next("0 0 15 * MON", "2026-01-01T00:00:00Z"),
            "2026-01-05T00:00:00Z"
        );
        assert_eq!(
            next("0 0 15 * MON", "2026-01-13T00:00:00Z"),
            "2026-01-15T00:00:00Z"
        );
        // A stepped `*` restricts the field.
        assert_eq!(
            next("0 0 */10 * MON", "2026-01-01T00:00:00Z"),
            "2026-01-05T00:00:00Z"
        );
    }

    #[test]
    fn never_matching_is_none_and_bad_input_names_the_problem() {
        assert_eq!(
            CronExpr::parse("0 0 31 2 *")
                .unwrap()
                .next_after(at("2026-01-01")),
            None
        );
        for (bad, says) in [
            ("* * * *", "five are needed"),
            ("60 * * * *", "out of range"),
            ("* * * * 8", "out of range"),
            ("*/0 * * * *", "not a step"),
            ("5-1 * * * *", "backwards"),
            ("* * * FOO *", "not a valid month"),
            ("@sometimes", "unknown @"),
        ] {
            let err = CronExpr::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400);
        assert_eq!(parse_duration("2d").unwrap(), 172_800);
        assert_eq!(parse_duration("600").unwrap(), 600);
        assert!(parse_duration("1x").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5").is_ok());
        assert!(Schedule::every("5s").is_err());
        assert_eq!(format_duration(5400), "1h30m");
        assert_eq!(
            Schedule::every("15m")
                .unwrap()
                .next_after(at("2026-01-01T00:00:00Z"))
                .unwrap()
                .unwrap()
                .to_rfc3339(),
            "2026-01-01T00:15:00Z"
        );
    }
}
