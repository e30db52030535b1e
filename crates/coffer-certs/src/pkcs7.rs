//! PKCS#7 / CMS certificate bundles (`.p7b`, `.p7c`): the certificates of a `SignedData`,
//! how Windows and many CAs hand out chains. Signatures and CRLs in it are not read.

use crate::CertError;
use crate::certificate::{ParsedCertificate, parse_certificate};
use crate::tlv::{OBJECT_IDENTIFIER, SEQUENCE, elements, read_tlv};

const WHAT: &str = "PKCS#7 file";
/// DER of the `signedData` content type, 1.2.840.113549.1.7.2.
const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// `[0]` constructed: the explicit content of a ContentInfo, and SignedData's certificates.
const CONTEXT_0: u8 = 0xa0;

/// The certificates of a PKCS#7 `ContentInfo` (DER), in file order.
///
/// # Errors
/// `nothing_to_store` for a PKCS#7 message that is not a certificate bundle or holds no
/// certificate; `malformed_der`/`truncated` for a broken structure.
pub(crate) fn parse_pkcs7(der: &[u8]) -> Result<Vec<ParsedCertificate>, CertError> {
    let malformed = CertError::MalformedDer { what: WHAT };
    let (_, info, _) = read_tlv(der).ok_or(CertError::Truncated { what: WHAT })?;
    let (tag, content_type, rest) = read_tlv(info).ok_or(malformed.clone())?;
    if tag != OBJECT_IDENTIFIER {
        return Err(malformed);
    }
    if content_type != SIGNED_DATA {
        return Err(CertError::NothingToStore {
            what: "a PKCS#7/CMS message that is not a certificate bundle",
            advice: "it holds encrypted or signed data, not certificates to store; export the \
                     certificates as PEM, DER or a .p7b bundle",
        });
    }
    let (tag, explicit, _) = read_tlv(rest).ok_or(malformed.clone())?;
    let (inner_tag, signed_data, _) = read_tlv(explicit).ok_or(malformed.clone())?;
    if tag != CONTEXT_0 || inner_tag != SEQUENCE {
        return Err(malformed);
    }
    let fields = elements(signed_data).ok_or(malformed.clone())?;
    // version, digestAlgorithms, encapContentInfo, then [0] certificates if present.
    let Some(&(CONTEXT_0, certificates)) = fields.get(3) else {
        return Err(empty());
    };
    let mut out = Vec::new();
    let mut rest = certificates;
    while !rest.is_empty() {
        let (tag, _, after) = read_tlv(rest).ok_or(malformed.clone())?;
        let whole = rest
            .get(..rest.len() - after.len())
            .ok_or(malformed.clone())?;
        // Attribute and "other" certificates ([1], [2], [3]) carry nothing to store.
        if tag == SEQUENCE {
            out.push(parse_certificate(whole)?);
        }
        rest = after;
    }
    if out.is_empty() {
        return Err(empty());
    }
    Ok(out)
}

fn empty() -> CertError {
    CertError::NothingToStore {
        what: "a PKCS#7 file without certificates",
        advice: "it holds no certificate to store; export the chain again with its \
                 certificates included",
    }
}
