//! Re-encoding of the BER that PKCS#12 writers use (Windows, Java, macOS, older OpenSSL) as
//! DER: indefinite lengths become definite and constructed OCTET STRINGs become primitive.
//! The contents of OCTET STRINGs are never touched, so a MAC over them stays valid.

use crate::CertError;

/// Nesting accepted before the input is called malformed.
const MAX_DEPTH: u8 = 32;

const WHAT: &str = "BER structure";

/// Re-encodes the one element that `input` holds (trailing bytes are an error).
pub(crate) fn ber_to_der(input: &[u8]) -> Result<Vec<u8>, CertError> {
    let mut out = Vec::with_capacity(input.len());
    let used = convert(input, &mut out, 0)?;
    if used != input.len() {
        return Err(CertError::MalformedDer { what: WHAT });
    }
    Ok(out)
}

/// Whether `input` starts with an indefinite-length element (`tag 0x80`).
pub(crate) fn is_indefinite(input: &[u8]) -> bool {
    input.get(1) == Some(&0x80)
}

/// Converts the element at the start of `input` into `out`; returns the bytes consumed.
fn convert(input: &[u8], out: &mut Vec<u8>, depth: u8) -> Result<usize, CertError> {
    if depth > MAX_DEPTH {
        return Err(CertError::MalformedDer {
            what: "BER structure (nested too deeply)",
        });
    }
    let truncated = CertError::Truncated { what: WHAT };
    let malformed = CertError::MalformedDer { what: WHAT };
    let &tag = input.first().ok_or(truncated.clone())?;
    if tag & 0x1f == 0x1f {
        return Err(malformed); // High tag numbers never occur in PKCS#12.
    }
    let (length, header) = read_length(input.get(1..).ok_or(truncated.clone())?)?;
    let start = 1 + header;
    let constructed = tag & 0x20 != 0;
    if !constructed {
        let len = length.ok_or(malformed)?;
        let end = start.checked_add(len).ok_or(truncated.clone())?;
        let content = input.get(start..end).ok_or(truncated)?;
        write_element(out, tag, content);
        return Ok(end);
    }
    let mut children = Vec::new();
    let end = match length {
        Some(len) => {
            let end = start.checked_add(len).ok_or(truncated.clone())?;
            let body = input.get(start..end).ok_or(truncated)?;
            let mut pos = 0;
            while pos < body.len() {
                pos += convert(&body[pos..], &mut children, depth + 1)?;
            }
            end
        }
        None => {
            let mut pos = start;
            loop {
                let rest = input.get(pos..).ok_or(truncated.clone())?;
                if rest.starts_with(&[0, 0]) {
                    break pos + 2;
                }
                if rest.is_empty() {
                    return Err(truncated);
                }
                pos += convert(rest, &mut children, depth + 1)?;
            }
        }
    };
    if tag == 0x24 {
        // A constructed OCTET STRING: its (already merged) primitive chunks, concatenated.
        let content = concat_octet_strings(&children)?;
        write_element(out, 0x04, &content);
    } else {
        write_element(out, tag, &children);
    }
    Ok(end)
}

/// The contents of a run of DER primitive OCTET STRINGs, concatenated.
pub(crate) fn concat_octet_strings(mut der: &[u8]) -> Result<Vec<u8>, CertError> {
    let mut content = Vec::with_capacity(der.len());
    while !der.is_empty() {
        let malformed = CertError::MalformedDer {
            what: "constructed OCTET STRING",
        };
        if der[0] != 0x04 {
            return Err(malformed);
        }
        let (len, header) = read_length(&der[1..])?;
        let start = 1 + header;
        let end = start
            .checked_add(len.ok_or(malformed.clone())?)
            .ok_or(malformed.clone())?;
        content.extend_from_slice(der.get(start..end).ok_or(malformed)?);
        der = &der[end..];
    }
    Ok(content)
}

/// A length (`None` for indefinite) and the number of bytes it took.
fn read_length(input: &[u8]) -> Result<(Option<usize>, usize), CertError> {
    let truncated = CertError::Truncated { what: WHAT };
    let &first = input.first().ok_or(truncated.clone())?;
    match first {
        0x00..=0x7f => Ok((Some(usize::from(first)), 1)),
        0x80 => Ok((None, 1)),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let bytes = input.get(1..=count).ok_or(truncated)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            Ok((Some(len), 1 + count))
        }
        _ => Err(CertError::MalformedDer { what: WHAT }),
    }
}

fn write_element(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
}
