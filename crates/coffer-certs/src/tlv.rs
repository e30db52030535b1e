//! A minimal DER reader: tag, value and what follows, for recognizing shapes before a
//! full decode.

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OBJECT_IDENTIFIER: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;

/// The tag of an element, its value and where the next one starts; `None` when the input is
/// too short or uses a length form DER forbids.
pub(crate) fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        (
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (value, after) = rest.split_at(len);
    Some((tag, value, after))
}

/// The elements of a constructed value, in order; `None` if one does not parse.
pub(crate) fn elements(mut value: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let (tag, v, rest) = read_tlv(value)?;
        out.push((tag, v));
        value = rest;
    }
    Some(out)
}

/// The whole element (tag, length and value) at the start of `input`.
pub(crate) fn whole_tlv(input: &[u8]) -> Option<&[u8]> {
    let (_, _, rest) = read_tlv(input)?;
    input.get(..input.len() - rest.len())
}
