//! Recognizing an input's format from its content and decoding everything it holds.

use crate::ber::{ber_to_der, is_indefinite};
use crate::budget::WorkBudget;
use crate::certificate::{ParsedCertificate, parse_certificate, parse_leading_certificate};
use crate::pem::{looks_like_pem, split_pem_blocks};
use crate::pkcs7::parse_pkcs7;
use crate::pkcs12::parse_pkcs12;
use crate::ppk::{looks_like_ppk, parse_ppk};
use crate::private_key::{
    ParsedPrivateKey, from_encrypted_pkcs8, from_pkcs1, from_pkcs8, from_sec1,
};
use crate::public_key::DSA;
use crate::ssh::{ParsedSshKey, parse_private, parse_public};
use crate::tlv::{
    BIT_STRING, INTEGER, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE, elements, read_tlv,
};
use crate::{CertError, InspectOptions, Warning, WarningCode};

/// Everything found in one input, in input order.
pub(crate) struct Contents {
    pub certificates: Vec<ParsedCertificate>,
    pub keys: Vec<ParsedPrivateKey>,
    pub ssh: Option<ParsedSshKey>,
    /// What the input held that was skipped (e.g. a broken PEM block next to certificates).
    pub warnings: Vec<Warning>,
}

impl Contents {
    fn new() -> Self {
        Self {
            certificates: Vec::new(),
            keys: Vec::new(),
            ssh: None,
            warnings: Vec::new(),
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
        self.warnings.extend(other.warnings);
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
    let contents = if looks_like_ppk(input) {
        let mut contents = Contents::new();
        let work = WorkBudget::new(options.limits);
        contents.ssh = Some(parse_ppk(input, password, &work)?);
        contents
    } else if looks_like_pem(input) {
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
    // Blocks that did not decode, and blocks that hold nothing to store: told about when
    // something else is kept, the reason for the refusal otherwise.
    let mut broken: Vec<(usize, String, CertError)> = Vec::new();
    let mut unstored: Vec<(usize, String, CertError)> = Vec::new();
    for (index, block) in split_pem_blocks(input)?.into_iter().enumerate() {
        let label = block.label;
        let result = block.contents.and_then(|der| {
            decode_pem_block(&label, &der, password, &work, &mut contents, options)
        });
        match result {
            Ok(()) => {}
            Err(e @ (CertError::NothingToStore { .. } | CertError::UnrecognizedFormat)) => {
                unstored.push((index + 1, label, e));
            }
            Err(
                e @ (CertError::MalformedPem { .. }
                | CertError::MalformedDer { .. }
                | CertError::Truncated { .. }),
            ) => broken.push((index + 1, label, e)),
            Err(other) => return Err(other),
        }
    }
    if contents.is_empty() {
        // A broken block explains the refusal better than the absence of content.
        let first = broken.into_iter().chain(unstored).next();
        return Err(first.map_or(CertError::UnrecognizedFormat, |(_, _, e)| e));
    }
    for (index, label, error) in broken.into_iter().chain(unstored) {
        // Parameters next to their key are part of it, not something skipped.
        if label == "EC PARAMETERS" {
            continue;
        }
        contents.warnings.push(Warning::new(
            WarningCode::IgnoredBlock,
            format!("PEM block {index} ({label}) was ignored: {error}"),
        ));
    }
    Ok(contents)
}

fn decode_pem_block(
    label: &str,
    der: &[u8],
    password: Option<&[u8]>,
    work: &WorkBudget,
    contents: &mut Contents,
    options: &InspectOptions,
) -> Result<(), CertError> {
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" => {
            contents.push_certificate(parse_certificate(der)?, options)?;
        }
        "TRUSTED CERTIFICATE" => {
            contents.push_certificate(parse_leading_certificate(der)?, options)?;
        }
        "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => {
            for cert in parse_pkcs7(der)? {
                contents.push_certificate(cert, options)?;
            }
        }
        "PRIVATE KEY" => contents.keys.push(from_pkcs8(der, false)?),
        "ENCRYPTED PRIVATE KEY" => {
            contents
                .keys
                .push(from_encrypted_pkcs8(der, password, work)?);
        }
        "RSA PRIVATE KEY" => contents.keys.push(from_pkcs1(der)?),
        "EC PRIVATE KEY" => contents.keys.push(from_sec1(der)?),
        "OPENSSH PRIVATE KEY" => {
            if contents.ssh.is_none() {
                contents.ssh = Some(parse_private(der, password, work)?);
            }
        }
        "DSA PRIVATE KEY" => return Err(CertError::unsupported_key(&DSA)),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => return Err(nothing(Kind::Csr)),
        "X509 CRL" => return Err(nothing(Kind::Crl)),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => return Err(nothing(Kind::PublicKey)),
        "DH PARAMETERS" | "X9.42 DH PARAMETERS" | "DSA PARAMETERS" | "EC PARAMETERS" => {
            return Err(nothing(Kind::Parameters));
        }
        _ => return Err(CertError::UnrecognizedFormat),
    }
    Ok(())
}

/// Inputs that are recognized but hold nothing the vault stores.
#[derive(Clone, Copy)]
enum Kind {
    Csr,
    Crl,
    PublicKey,
    Parameters,
}

fn nothing(kind: Kind) -> CertError {
    let (what, advice) = match kind {
        Kind::Csr => (
            "a certificate signing request (CSR)",
            "a CSR holds no certificate: send it to your CA, then add the certificate it issues",
        ),
        Kind::Crl => (
            "a certificate revocation list (CRL)",
            "it lists revoked certificates and holds none: add the certificates themselves",
        ),
        Kind::PublicKey => (
            "a bare public key",
            "it holds no certificate and no private key: add the certificate or the private key",
        ),
        Kind::Parameters => (
            "a file of key parameters (DH, DSA or EC)",
            "parameters are settings, not a certificate or key: add the certificate or key",
        ),
    };
    CertError::NothingToStore { what, advice }
}

/// Decodes DER by the shape of its first two elements:
/// certificate `SEQ{SEQ, SEQ, …}` (CRLs and CSRs share it; see [`signed_kind`]), public key
/// `SEQ{SEQ, BITS}`, encrypted PKCS#8 `SEQ{SEQ, OCTETS}`, PFX `SEQ{INT 3, SEQ}`, PKCS#8
/// `SEQ{INT, SEQ, OCTETS}`, PKCS#1 `SEQ{INT, INT, …}`, SEC1 `SEQ{INT 1, OCTETS, …}`, PKCS#7
/// `SEQ{OID, [0]}`.
fn decode_der(
    der: &[u8],
    password: Option<&[u8]>,
    options: &InspectOptions,
) -> Result<Contents, CertError> {
    let malformed = CertError::MalformedDer { what: "DER input" };
    let work = WorkBudget::new(options.limits);
    if is_indefinite(der) {
        // BER's indefinite lengths come from PKCS#12 and PKCS#7 writers (Windows, Java);
        // anything else must be DER.
        let normalized = ber_to_der(der)?;
        let first = read_tlv(&normalized).and_then(|(_, body, _)| read_tlv(body));
        return match first {
            Some((INTEGER, [3], _)) => pkcs12_contents(der, password, options, &work),
            Some((OBJECT_IDENTIFIER, _, _)) => pkcs7_contents(&normalized, options),
            _ => Err(malformed),
        };
    }
    let Some((_, body, _)) = read_tlv(der) else {
        return Err(CertError::Truncated { what: "DER input" });
    };
    let (first_tag, first_value, rest) = read_tlv(body).ok_or(malformed.clone())?;
    let second_tag = read_tlv(rest).map(|(tag, _, _)| tag);
    let mut contents = Contents::new();
    match (first_tag, second_tag) {
        (OBJECT_IDENTIFIER, _) => return pkcs7_contents(der, options),
        (SEQUENCE, Some(SEQUENCE)) => match signed_kind(first_value) {
            Some(kind) => return Err(nothing(kind)),
            None => contents.push_certificate(parse_certificate(der)?, options)?,
        },
        (SEQUENCE, Some(BIT_STRING)) => return Err(nothing(Kind::PublicKey)),
        (SEQUENCE, Some(OCTET_STRING)) => {
            contents
                .keys
                .push(from_encrypted_pkcs8(der, password, &work)?);
        }
        (INTEGER, Some(SEQUENCE)) if first_value == [3] => {
            return pkcs12_contents(der, password, options, &work);
        }
        (INTEGER, Some(SEQUENCE)) => contents.keys.push(from_pkcs8(der, false)?),
        (INTEGER, Some(INTEGER)) => {
            let integers = elements(body)
                .filter(|e| e.iter().all(|(tag, _)| *tag == INTEGER))
                .map(|e| e.into_iter().map(|(_, v)| v).collect::<Vec<_>>());
            match integers.as_deref() {
                // RSAPublicKey {n, e}, or PKCS#3 DH parameters {p, g} with the usual g.
                Some([_, g]) if matches!(*g, [2] | [5]) => return Err(nothing(Kind::Parameters)),
                Some([_, _]) => return Err(nothing(Kind::PublicKey)),
                // DSA {p, q, g} or X9.42 DH {p, g, q} parameters.
                Some([_, _, _]) => return Err(nothing(Kind::Parameters)),
                // OpenSSL's traditional DSA key {0, p, q, g, y, x}.
                Some([[0], _, _, _, _, _]) => return Err(CertError::unsupported_key(&DSA)),
                _ => contents.keys.push(from_pkcs1(der)?),
            }
        }
        (INTEGER, Some(OCTET_STRING)) => contents.keys.push(from_sec1(der)?),
        _ => return Err(malformed),
    }
    Ok(contents)
}

/// Tells a CRL or a CSR from a certificate by the body they sign: a TBSCertList has a
/// time (thisUpdate) among its top-level fields, a CertificationRequestInfo is
/// `{INTEGER, Name, SubjectPublicKeyInfo, [0] attributes}`. `None` for a certificate.
fn signed_kind(tbs: &[u8]) -> Option<Kind> {
    const UTC_TIME: u8 = 0x17;
    const GENERALIZED_TIME: u8 = 0x18;
    let fields = elements(tbs)?;
    let tags: Vec<u8> = fields.iter().map(|(tag, _)| *tag).collect();
    if tags.first() == Some(&0xa0) {
        return None;
    }
    if tags.len() <= 7
        && tags
            .iter()
            .any(|t| matches!(*t, UTC_TIME | GENERALIZED_TIME))
    {
        return Some(Kind::Crl);
    }
    if tags == [INTEGER, SEQUENCE, SEQUENCE, 0xa0] {
        return Some(Kind::Csr);
    }
    None
}

fn pkcs7_contents(der: &[u8], options: &InspectOptions) -> Result<Contents, CertError> {
    let mut contents = Contents::new();
    for cert in parse_pkcs7(der)? {
        contents.push_certificate(cert, options)?;
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
