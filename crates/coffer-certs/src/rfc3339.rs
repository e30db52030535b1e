//! Serde adapters printing times as RFC 3339 UTC with whole seconds and `Z`.

use serde::Serializer;
use time::{
    OffsetDateTime, UtcOffset, format_description::BorrowedFormatItem, macros::format_description,
};

const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Formats `time` as `2026-01-01T00:00:00Z`.
pub fn format(time: OffsetDateTime) -> String {
    // Certificate times carry no sub-second part; the format drops it anyway.
    time.to_offset(UtcOffset::UTC)
        .format(FORMAT)
        .unwrap_or_default()
}

pub(crate) fn serialize<S: Serializer>(time: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*time))
}

pub(crate) mod option {
    use serde::Serializer;
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(
        time: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(t) => s.serialize_str(&super::format(*t)),
            None => s.serialize_none(),
        }
    }
}
