//! Tolerant splitting of PEM text into labelled DER blocks.
//!
//! Accepts any number of blocks, CRLF or LF line endings, indentation, and arbitrary text
//! before, between and after blocks (as `openssl x509 -text` prints). Inside a block only
//! base64 and RFC 1421 headers are allowed.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::CertError;

const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block, base64-decoded.
pub struct PemBlock {
    /// The label, e.g. `CERTIFICATE` or `PRIVATE KEY`.
    pub label: String,
    /// The decoded bytes; zeroized on drop because a block may hold a private key.
    pub der: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PemBlock")
            .field("label", &self.label)
            .field("der", &format_args!("<{} bytes>", self.der.len()))
            .finish()
    }
}

/// Whether `input` contains PEM armour at all.
pub(crate) fn looks_like_pem(input: &[u8]) -> bool {
    input.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Splits `input` into its PEM blocks, in input order. Text outside blocks is ignored.
///
/// # Errors
/// `truncated` when a block has no END line, `malformed_pem` for mismatched labels or bad
/// base64, `unsupported_algorithm` for OpenSSL's legacy `Proc-Type: 4,ENCRYPTED` blocks.
pub fn parse_pem_blocks(input: &[u8]) -> Result<Vec<PemBlock>, CertError> {
    split_pem_blocks(input)?
        .into_iter()
        .map(|b| {
            b.contents.map(|der| PemBlock {
                label: b.label,
                der,
            })
        })
        .collect()
}

/// One armoured block whose contents may have failed to decode.
pub(crate) struct RawBlock {
    pub label: String,
    pub contents: Result<Zeroizing<Vec<u8>>, CertError>,
}

/// Splits `input` into its blocks, keeping a block's own error (bad base64, unexpected text)
/// with it so that the caller may skip that block; broken armour fails the whole input.
pub(crate) fn split_pem_blocks(input: &[u8]) -> Result<Vec<RawBlock>, CertError> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Zeroizing<Vec<u8>>, Option<CertError>)> = None;
    for raw_line in input.split(|&b| b == b'\n') {
        let line = raw_line.trim_ascii();
        match open.as_mut() {
            None => {
                if let Some(label) = armour_label(line, b"-----BEGIN ") {
                    open = Some((label, Zeroizing::new(Vec::new()), None));
                }
            }
            Some((label, base64, error)) => {
                if let Some(end) = armour_label(line, b"-----END ") {
                    if end != *label {
                        return Err(CertError::MalformedPem {
                            reason: "END label does not match BEGIN label",
                        });
                    }
                    let contents = match error.take() {
                        Some(e) => Err(e),
                        None => decode_base64(base64),
                    };
                    blocks.push(RawBlock {
                        label: std::mem::take(label),
                        contents,
                    });
                    open = None;
                } else if line.starts_with(b"-----BEGIN ") {
                    return Err(CertError::Truncated {
                        what: "PEM block (no END line)",
                    });
                } else if line.contains(&b':') {
                    if let Err(e) = check_header(line) {
                        if matches!(e, CertError::UnsupportedAlgorithm { .. }) {
                            return Err(e);
                        }
                        error.get_or_insert(e);
                    }
                } else {
                    base64.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
                }
            }
        }
    }
    if open.is_some() {
        return Err(CertError::Truncated {
            what: "PEM block (no END line)",
        });
    }
    Ok(blocks)
}

/// The label of an armour line `prefix LABEL-----`, if `line` is one.
fn armour_label(line: &[u8], prefix: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(prefix)?.strip_suffix(b"-----")?;
    let label = std::str::from_utf8(rest).ok()?;
    if label.len() > 64 || !label.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return None;
    }
    Some(label.to_owned())
}

/// Rejects encrypted RFC 1421 headers; other headers are ignored.
fn check_header(line: &[u8]) -> Result<(), CertError> {
    let header = String::from_utf8_lossy(line).to_ascii_lowercase();
    if header.starts_with("proc-type:") && header.contains("encrypted") {
        return Err(CertError::unsupported(
            "legacy OpenSSL PEM encryption (Proc-Type); convert the key to encrypted PKCS#8",
        ));
    }
    if header.starts_with("proc-type:") || header.starts_with("dek-info:") {
        return Ok(());
    }
    Err(CertError::MalformedPem {
        reason: "unexpected text inside a PEM block",
    })
}

fn decode_base64(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, CertError> {
    BASE64
        .decode(text)
        .map(Zeroizing::new)
        .map_err(|_| CertError::MalformedPem {
            reason: "invalid base64 inside a PEM block",
        })
}
