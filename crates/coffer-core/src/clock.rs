//! Time, passed in: expiry, trash retention and schedules are testable without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A point in time, in whole seconds since the Unix epoch (UTC).
///
/// Serialized as RFC 3339 (`2026-01-31T00:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From seconds since the epoch.
    pub const fn from_unix(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since the epoch.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// This time plus `seconds` (saturating).
    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// This time plus `days` whole days (saturating).
    pub const fn plus_days(self, days: i64) -> Self {
        self.plus_seconds(days.saturating_mul(DAY))
    }

    /// Whole days from `self` until `later` (negative when `later` is earlier), rounded down.
    pub fn days_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(DAY)
    }

    /// As a `time` date-time in UTC.
    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// From a `time` date-time (sub-second precision is dropped).
    pub fn from_datetime(value: OffsetDateTime) -> Self {
        Self(value.unix_timestamp())
    }

    /// RFC 3339 in UTC with seconds and `Z`.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.0.to_string())
    }

    /// Parses RFC 3339 (`2027-01-31T12:00:00Z`, any offset) or a bare date
    /// (`2027-01-31`, meaning 00:00:00 UTC of that day).
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let text = text.trim();
        if let Ok(value) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(Self::from_datetime(value));
        }
        let date_format = time::macros::format_description!("[year]-[month]-[day]");
        match time::Date::parse(text, &date_format) {
            Ok(date) => Ok(Self::from_datetime(date.midnight().assume_utc())),
            Err(_) => Err(Error::invalid(
                field,
                format!("{text:?} is not a date (use 2027-01-31 or 2027-01-31T12:00:00Z)"),
            )),
        }
    }
}

#[cfg(feature = "specta")]
impl specta::Type for Timestamp {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse("timestamp", &text).map_err(serde::de::Error::custom)
    }
}

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(OffsetDateTime::now_utc())
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Self {
        Self(AtomicI64::new(at.unix()))
    }

    /// Sets the time.
    pub fn set(&self, at: Timestamp) {
        self.0.store(at.unix(), Ordering::SeqCst);
    }

    /// Moves the time forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix(self.0.load(Ordering::SeqCst))
    }
}
