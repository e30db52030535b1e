//! One X.509 certificate: decoding and its summary.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::certificate::{CertificateInner, Raw};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};

use crate::name::{common_name, format_name};
use crate::public_key::{PublicKeyId, analyze_spki};
use crate::tlv::whole_tlv;
use crate::validity::{Validity, read_validity};
use crate::{CertError, CertificateSummary};

type Certificate = CertificateInner<Raw>;

const WHAT: &str = "certificate";

/// A decoded certificate with what chain building and key matching need.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCertificate {
    pub der: Vec<u8>,
    pub summary: CertificateSummary,
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub public_key: PublicKeyId,
    pub sha1_signed: bool,
}

impl ParsedCertificate {
    /// Whether `issuer` plausibly issued `self`: names match and key identifiers, when both
    /// are present, agree.
    pub fn issued_by(&self, issuer: &ParsedCertificate) -> bool {
        if self.issuer_der != issuer.subject_der {
            return false;
        }
        match (&self.authority_key_id, &issuer.subject_key_id) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }
}

/// Decodes one DER certificate that must fill `der` exactly.
pub(crate) fn parse_certificate(der: &[u8]) -> Result<ParsedCertificate, CertError> {
    let validity = match read_validity(der) {
        Ok(v) => v,
        // x509-cert's reading of a broken certificate says whether it is cut short.
        Err(e) => {
            return Err(Certificate::from_der(der)
                .err()
                .map_or(e, |d| CertError::from_der(&d, WHAT)));
        }
    };
    let cert =
        Certificate::from_der(&validity.decodable).map_err(|e| CertError::from_der(&e, WHAT))?;
    summarize(&cert, der, &validity)
}

/// Decodes the certificate at the start of `der`, ignoring what follows (OpenSSL's
/// `TRUSTED CERTIFICATE` appends trust settings).
pub(crate) fn parse_leading_certificate(der: &[u8]) -> Result<ParsedCertificate, CertError> {
    parse_certificate(whole_tlv(der).ok_or(CertError::Truncated { what: WHAT })?)
}

fn summarize(
    cert: &Certificate,
    der: &[u8],
    validity: &Validity<'_>,
) -> Result<ParsedCertificate, CertError> {
    let tbs = cert.tbs_certificate();
    let spki_der = tbs
        .subject_public_key_info()
        .to_der()
        .map_err(|e| CertError::from_der(&e, WHAT))?;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(&spki_der)
        .map_err(|e| CertError::from_der(&e, WHAT))?;
    let key = analyze_spki(&spki)?;

    // Extensions are informative: one that does not decode is treated as absent.
    let basic = tbs
        .get_extension::<BasicConstraints>()
        .ok()
        .flatten()
        .map(|(_, b)| b);
    let ski = tbs
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, s)| s.0.as_bytes().to_vec());
    let aki = tbs
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, a)| a.key_identifier.map(|k| k.as_bytes().to_vec()));
    let san = tbs
        .get_extension::<SubjectAltName>()
        .ok()
        .flatten()
        .map(|(_, s)| s.0.iter().filter_map(format_general_name).collect())
        .unwrap_or_default();
    let key_usage = tbs
        .get_extension::<KeyUsage>()
        .ok()
        .flatten()
        .map(|(_, k)| key_usage_names(&k))
        .unwrap_or_default();
    let extended_key_usage = tbs
        .get_extension::<ExtendedKeyUsage>()
        .ok()
        .flatten()
        .map(|(_, e)| e.0.iter().map(eku_name).collect())
        .unwrap_or_default();

    let subject_der = tbs
        .subject()
        .to_der()
        .map_err(|e| CertError::from_der(&e, WHAT))?;
    let issuer_der = tbs
        .issuer()
        .to_der()
        .map_err(|e| CertError::from_der(&e, WHAT))?;
    let signature_oid = cert.signature_algorithm().oid;
    let self_signed = subject_der == issuer_der
        && match (&aki, &ski) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        };

    let summary = CertificateSummary {
        subject: format_name(tbs.subject()),
        subject_cn: common_name(tbs.subject()),
        issuer: format_name(tbs.issuer()),
        serial: serial_hex(tbs.serial_number().as_bytes()),
        san,
        not_before: validity.not_before,
        not_after: validity.not_after,
        sha256: hex::encode(Sha256::digest(der)),
        sha1: hex::encode(Sha1::digest(der)),
        key_algorithm: key.algorithm,
        key_bits: key.bits,
        ec_curve: key.curve,
        signature_algorithm: signature_name(&signature_oid),
        is_ca: basic.as_ref().is_some_and(|b| b.ca),
        path_len: basic.and_then(|b| b.path_len_constraint).map(u32::from),
        key_usage,
        extended_key_usage,
        self_signed,
        subject_key_id: ski.as_ref().map(hex::encode),
        authority_key_id: aki.as_ref().map(hex::encode),
    };
    Ok(ParsedCertificate {
        der: der.to_vec(),
        summary,
        subject_der,
        issuer_der,
        subject_key_id: ski,
        authority_key_id: aki,
        public_key: key.id,
        sha1_signed: SHA1_SIGNATURES
            .iter()
            .any(|s| signature_oid.to_string() == *s),
    })
}

/// The serial as `openssl x509 -serial` prints it, in lowercase: the magnitude in hex, with
/// a `-` for a negative number (DER INTEGERs are two's complement).
pub(crate) fn serial_hex(bytes: &[u8]) -> String {
    if bytes.first().is_some_and(|&b| b & 0x80 != 0) {
        // Negate: invert every byte and add one, from the least significant byte up.
        let mut magnitude: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for byte in magnitude.iter_mut().rev() {
            let (sum, carry) = byte.overflowing_add(1);
            *byte = sum;
            if !carry {
                break;
            }
        }
        return format!("-{}", unsigned_hex(&magnitude));
    }
    unsigned_hex(bytes)
}

fn unsigned_hex(bytes: &[u8]) -> String {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    hex::encode(&bytes[start..])
}

fn format_general_name(name: &GeneralName) -> Option<String> {
    match name {
        GeneralName::DnsName(s) => Some(format!("DNS:{}", s.as_str())),
        GeneralName::Rfc822Name(s) => Some(format!("email:{}", s.as_str())),
        GeneralName::UniformResourceIdentifier(s) => Some(format!("URI:{}", s.as_str())),
        GeneralName::IpAddress(ip) => {
            let bytes = ip.as_bytes();
            if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
                Some(format!("IP:{}", std::net::Ipv4Addr::from(v4)))
            } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
                Some(format!("IP:{}", std::net::Ipv6Addr::from(v6)))
            } else {
                Some(format!("IP:#{}", hex::encode(bytes)))
            }
        }
        GeneralName::DirectoryName(n) => Some(format!("DirName:{}", format_name(n))),
        GeneralName::RegisteredId(oid) => Some(format!("RID:{oid}")),
        GeneralName::OtherName(_) | GeneralName::EdiPartyName(_) => None,
    }
}

fn key_usage_names(usage: &KeyUsage) -> Vec<String> {
    const NAMES: &[(KeyUsages, &str)] = &[
        (KeyUsages::DigitalSignature, "digital_signature"),
        (KeyUsages::NonRepudiation, "non_repudiation"),
        (KeyUsages::KeyEncipherment, "key_encipherment"),
        (KeyUsages::DataEncipherment, "data_encipherment"),
        (KeyUsages::KeyAgreement, "key_agreement"),
        (KeyUsages::KeyCertSign, "key_cert_sign"),
        (KeyUsages::CRLSign, "crl_sign"),
        (KeyUsages::EncipherOnly, "encipher_only"),
        (KeyUsages::DecipherOnly, "decipher_only"),
    ];
    NAMES
        .iter()
        .filter(|(bit, _)| usage.0.contains(*bit))
        .map(|(_, n)| (*n).to_owned())
        .collect()
}

fn eku_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.6.1.5.5.7.3.1" => "server_auth".to_owned(),
        "1.3.6.1.5.5.7.3.2" => "client_auth".to_owned(),
        "1.3.6.1.5.5.7.3.3" => "code_signing".to_owned(),
        "1.3.6.1.5.5.7.3.4" => "email_protection".to_owned(),
        "1.3.6.1.5.5.7.3.8" => "time_stamping".to_owned(),
        "1.3.6.1.5.5.7.3.9" => "ocsp_signing".to_owned(),
        "2.5.29.37.0" => "any".to_owned(),
        other => other.to_owned(),
    }
}

const SHA1_SIGNATURES: &[&str] = &[
    "1.2.840.113549.1.1.5",
    "1.2.840.10045.4.1",
    "1.2.840.10040.4.3",
    "1.3.14.3.2.29",
];

/// OpenSSL's name for a signature algorithm (as `openssl x509 -text` prints it).
fn signature_name(oid: &ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa_with_SHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        other => return other.to_owned(),
    };
    name.to_owned()
}
