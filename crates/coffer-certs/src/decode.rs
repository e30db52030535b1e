//! Recognizing an input's format from its content and decoding everything it holds.

use crate::ber::{ber_to_der, is_indefinite};
use crate::budget::WorkBudget;
use crate::certificate::{ParsedCertificate, parse_certificate, parse_leading_certificate};
use crate::pem::{looks_like_pem, parse_pem_blocks};
use crate::pkcs12::parse_pkcs12;
use crate::private_key::{
    ParsedPrivateKey, from_encrypted_pkcs8, from_pkcs1, from_pkcs8, from_sec1,
};
use crate::ssh::{ParsedSshKey, parse_private, parse_public};
use crate::{CertError, InspectOptions};

/// Everything found in one input, in input order.
pub(crate) struct Contents {
    pub certificates: Vec<ParsedCertificate>,
    pub keys: Vec<ParsedPrivateKey>,
    pub ssh: Option<ParsedSshKey>,
}

impl Contents {
    fn new() -> Self {
        Self {
            certificates: Vec::new(),
            keys: Vec::new(),
            ssh: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.keys.is_empty() && self.ssh.is_none()
    }

    fn push_certificate(
        &mut self,
        cert: ParsedCertificate,
        options: &InspectOptions,
    ) -> Result<(), CertError> {
        let limit = options.limits.max_certificates;
        if self.certificates.len() >= limit {
            return Err(CertError::TooCostly {
                parameter: "number of certificates",
                value: u64::try_from(self.certificates.len() + 1).unwrap_or(u64::MAX),
                limit: u64::try_from(limit).unwrap_or(u64::MAX),
            });
        }
        self.certificates.push(cert);
        Ok(())
    }

    /// Adds what `other` holds after what this holds; the first SSH key wins.
    pub fn merge(&mut self, other: Contents) {
        self.certificates.extend(other.certificates);
        self.keys.extend(other.keys);
        if self.ssh.is_none() {
            self.ssh = other.ssh;
        }
    }
}

/// Detects the format of `input` and decodes it.
pub(crate) fn decode_input(
    input: &[u8],
    password: Option<&[u8]>,
    options: &InspectOptions,
) -> Result<Contents, CertError> {
    if input.len() > options.max_input_bytes {
        return Err(CertError::TooLarge {
            size: input.len(),
            limit: options.max_input_bytes,
        });
    }
    if input.trim_ascii().is_empty() {
        return Err(CertError::Empty);
    }
    let contents = if looks_like_pem(input) {
        decode_pem(input, password, options)?
    } else if let Some(text) = ssh_public_text(input) {
        let mut contents = Contents::new();
        contents.ssh = Some(parse_public(text)?);
        contents
    } else if input.first() == Some(&0x30) {
        decode_der(input, password, options)?
    } else {
        return Err(CertError::UnrecognizedFormat);
    };
    if contents.is_empty() {
        return Err(CertError::UnrecognizedFormat);
    }
    Ok(contents)
}

/// The input as text if it looks like an `authorized_keys` line.
fn ssh_public_text(input: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(input).ok()?;
    const PREFIXES: &[&str] = &["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"];
    text.split_whitespace()
        .any(|word| PREFIXES.iter().any(|p| word.starts_with(p)))
        .then_some(text)
}

fn decode_pem(
    input: &[u8],
    password: Option<&[u8]>,
    options: &InspectOptions,
) -> Result<Contents, CertError> {
    let work = WorkBudget::new(options.limits);
    let mut contents = Contents::new();
    for block in parse_pem_blocks(input)? {
        let der = block.der.as_slice();
        match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" => {
                contents.push_certificate(parse_certificate(der)?, options)?;
            }
            "TRUSTED CERTIFICATE" => {
                contents.push_certificate(parse_leading_certificate(der)?, options)?;
            }
            "PRIVATE KEY" => contents.keys.push(from_pkcs8(der, false)?),
            "ENCRYPTED PRIVATE KEY" => {
                contents
                    .keys
                    .push(from_encrypted_pkcs8(der, password, &work)?);
            }
            "RSA PRIVATE KEY" => contents.keys.push(from_pkcs1(der)?),
            "EC PRIVATE KEY" => contents.keys.push(from_sec1(der)?),
            "OPENSSH PRIVATE KEY" if contents.ssh.is_none() => {
                contents.ssh = Some(parse_private(der, password, &work)?);
            }
            "DSA PRIVATE KEY" => return Err(CertError::unsupported("DSA private key")),
            // Parameters, public keys, requests and CRLs carry nothing the vault stores.
            _ => {}
        }
    }
    Ok(contents)
}

/// The tag of an element and where the next one starts, from a minimal TLV reader.
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
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

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;

/// Decodes DER by the shape of its first two elements:
/// certificate `SEQ{SEQ, SEQ, …}`, encrypted PKCS#8 `SEQ{SEQ, OCTETS}`, PFX `SEQ{INT 3, SEQ}`,
/// PKCS#8 `SEQ{INT, SEQ, OCTETS}`, PKCS#1 `SEQ{INT, INT, …}`, SEC1 `SEQ{INT 1, OCTETS, …}`.
fn decode_der(
    der: &[u8],
    password: Option<&[u8]>,
    options: &InspectOptions,
) -> Result<Contents, CertError> {
    let malformed = CertError::MalformedDer { what: "DER input" };
    if is_indefinite(der) {
        // Only PKCS#12 writers use BER's indefinite lengths; anything else must be DER.
        let normalized = ber_to_der(der)?;
        let version = read_tlv(&normalized).and_then(|(_, body, _)| read_tlv(body));
        if !matches!(version, Some((INTEGER, [3], _))) {
            return Err(malformed);
        }
        let work = WorkBudget::new(options.limits);
        return pkcs12_contents(der, password, options, &work);
    }
    let Some((_, body, _)) = read_tlv(der) else {
        return Err(CertError::Truncated { what: "DER input" });
    };
    let (first_tag, first_value, rest) = read_tlv(body).ok_or(malformed.clone())?;
    let (second_tag, _, _) = read_tlv(rest).ok_or(malformed.clone())?;
    let work = WorkBudget::new(options.limits);
    let mut contents = Contents::new();
    match (first_tag, second_tag) {
        (SEQUENCE, SEQUENCE) => contents.push_certificate(parse_certificate(der)?, options)?,
        (SEQUENCE, OCTET_STRING) => {
            contents
                .keys
                .push(from_encrypted_pkcs8(der, password, &work)?);
        }
        (INTEGER, SEQUENCE) if first_value == [3] => {
            return pkcs12_contents(der, password, options, &work);
        }
        (INTEGER, SEQUENCE) => contents.keys.push(from_pkcs8(der, false)?),
        (INTEGER, INTEGER) => contents.keys.push(from_pkcs1(der)?),
        (INTEGER, OCTET_STRING) => contents.keys.push(from_sec1(der)?),
        _ => return Err(malformed),
    }
    Ok(contents)
}

fn pkcs12_contents(
    der: &[u8],
    password: Option<&[u8]>,
    options: &InspectOptions,
    work: &WorkBudget,
) -> Result<Contents, CertError> {
    let p12 = parse_pkcs12(der, password, work)?;
    let mut contents = Contents::new();
    for cert in p12.certificates {
        contents.push_certificate(cert, options)?;
    }
    contents.keys = p12.keys;
    Ok(contents)
}
