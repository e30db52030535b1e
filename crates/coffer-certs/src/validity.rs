//! A certificate's validity dates, read from the DER directly.
//!
//! `der`'s `DateTime` starts at 1970, so x509-cert refuses a whole certificate whose
//! notBefore is, say, 1950 (UTCTime covers 1950–2049; PKITS has such certificates). The dates
//! are read here instead, and x509-cert decodes a copy whose pre-1970 years are replaced by
//! 1970 (same length, so every other offset stays put); the fingerprints use the original.

use std::borrow::Cow;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::CertError;
use crate::tlv::read_tlv;

const WHAT: &str = "certificate validity";
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// notBefore and notAfter, and the DER that x509-cert can decode.
pub(crate) struct Validity<'a> {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub decodable: Cow<'a, [u8]>,
}

/// Finds the validity of the certificate `der` (which x509-cert then checks in full).
pub(crate) fn read_validity(der: &[u8]) -> Result<Validity<'_>, CertError> {
    let malformed = CertError::MalformedDer {
        what: "certificate",
    };
    let (_, cert, _) = read_tlv(der).ok_or(CertError::Truncated {
        what: "certificate",
    })?;
    let (_, tbs, _) = read_tlv(cert).ok_or(malformed.clone())?;
    let mut rest = tbs;
    // [0] version (optional), serial, signature algorithm, issuer, then validity.
    if rest.first() == Some(&0xa0) {
        rest = read_tlv(rest).ok_or(malformed.clone())?.2;
    }
    for _ in 0..3 {
        rest = read_tlv(rest).ok_or(malformed.clone())?.2;
    }
    let (tag, validity, _) = read_tlv(rest).ok_or(malformed.clone())?;
    if tag != 0x30 {
        return Err(malformed);
    }
    let (t1, v1, after) = read_tlv(validity).ok_or(malformed.clone())?;
    let (t2, v2, _) = read_tlv(after).ok_or(malformed)?;
    let not_before = parse_time(t1, v1)?;
    let not_after = parse_time(t2, v2)?;
    let mut decodable = Cow::Borrowed(der);
    for (tag, value, date) in [(t1, v1, not_before), (t2, v2, not_after)] {
        if date.year() < 1970 {
            // `value` is a subslice of `der`: its offset is the distance between their starts.
            let start = (value.as_ptr() as usize).saturating_sub(der.as_ptr() as usize);
            let placeholder: &[u8] = if tag == UTC_TIME {
                b"700101000000Z"
            } else {
                b"19700101000000Z"
            };
            if let Some(target) = decodable.to_mut().get_mut(start..start + value.len()) {
                target.copy_from_slice(placeholder);
            }
        }
    }
    Ok(Validity {
        not_before,
        not_after,
        decodable,
    })
}

/// `YYMMDDHHMMSSZ` (UTCTime, 1950–2049) or `YYYYMMDDHHMMSSZ` (GeneralizedTime), as RFC 5280
/// requires them (seconds present, no fraction, UTC).
fn parse_time(tag: u8, value: &[u8]) -> Result<OffsetDateTime, CertError> {
    let malformed = CertError::MalformedDer { what: WHAT };
    let (year, rest) = match (tag, value.len()) {
        (UTC_TIME, 13) => {
            let yy = i32::from(two_digits(value, 0).ok_or(malformed.clone())?);
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &value[2..])
        }
        (GENERALIZED_TIME, 15) => {
            let hi = i32::from(two_digits(value, 0).ok_or(malformed.clone())?);
            let lo = i32::from(two_digits(value, 2).ok_or(malformed.clone())?);
            (hi * 100 + lo, &value[4..])
        }
        _ => return Err(malformed),
    };
    if rest.last() != Some(&b'Z') {
        return Err(malformed);
    }
    let field = |i| two_digits(rest, i).ok_or(malformed.clone());
    let month = Month::try_from(field(0)?).map_err(|_| malformed.clone())?;
    let date = Date::from_calendar_date(year, month, field(2)?).map_err(|_| malformed.clone())?;
    let time = Time::from_hms(field(4)?, field(6)?, field(8)?).map_err(|_| malformed)?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

fn two_digits(bytes: &[u8], at: usize) -> Option<u8> {
    let pair = bytes.get(at..at + 2)?;
    pair.iter().try_fold(0u8, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + (b - b'0'))
    })
}
