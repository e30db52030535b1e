//! Facts about a subject public key, and a normalized form to compare keys by.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoRef;

use crate::tlv::{INTEGER, read_tlv};
use crate::{CertError, KeyAlgorithm};

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
pub(crate) const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
pub(crate) const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
pub(crate) const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
pub(crate) const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
const DH_PKCS3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.3.1");
const DH_X942: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10046.2.1");
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");

/// An algorithm Coffer recognizes but cannot use: its kind and how to name it to a person.
pub(crate) struct Unusable {
    pub algorithm: KeyAlgorithm,
    pub name: &'static str,
}

/// What the key algorithm `oid` is, when Coffer knows it but does not use it.
pub(crate) fn unusable_algorithm(oid: &ObjectIdentifier) -> Option<Unusable> {
    let dotted = oid.to_string();
    let (algorithm, name) = match dotted.as_str() {
        _ if *oid == DSA => (KeyAlgorithm::Dsa, "DSA"),
        _ if *oid == DH_PKCS3 || *oid == DH_X942 => (KeyAlgorithm::Dh, "Diffie-Hellman (DH)"),
        _ if *oid == X25519 => (KeyAlgorithm::X25519, "X25519 (key agreement only)"),
        _ if *oid == X448 => (KeyAlgorithm::X448, "X448 (key agreement only)"),
        // GOST R 34.10-2001 and -2012 (256 and 512 bits).
        "1.2.643.2.2.19" | "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => {
            (KeyAlgorithm::Gost, "GOST R 34.10")
        }
        "2.16.840.1.101.3.4.3.17" | "2.16.840.1.101.3.4.3.18" | "2.16.840.1.101.3.4.3.19" => {
            (KeyAlgorithm::MlDsa, "ML-DSA (post-quantum signature)")
        }
        "2.16.840.1.101.3.4.4.1" | "2.16.840.1.101.3.4.4.2" | "2.16.840.1.101.3.4.4.3" => (
            KeyAlgorithm::MlKem,
            "ML-KEM (post-quantum key encapsulation)",
        ),
        d if d.starts_with("2.16.840.1.101.3.4.3.")
            && d.rsplit('.')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| (20..=31).contains(&n)) =>
        {
            (KeyAlgorithm::SlhDsa, "SLH-DSA (post-quantum signature)")
        }
        _ => return None,
    };
    Some(Unusable { algorithm, name })
}

/// A public key reduced to what identifies it, so that a certificate's key and the public
/// half of a private key compare equal whatever their encodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PublicKeyId {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa { modulus: Vec<u8>, exponent: Vec<u8> },
    /// Curve and uncompressed SEC1 point (compressed when the curve is not supported).
    Ec {
        curve: ObjectIdentifier,
        point: Vec<u8>,
    },
    /// Raw Ed25519 or Ed448 key.
    Edwards {
        algorithm: ObjectIdentifier,
        key: Vec<u8>,
    },
    /// A key Coffer does not use, compared as written.
    Other {
        algorithm: ObjectIdentifier,
        key: Vec<u8>,
    },
}

/// What a certificate says about its key.
#[derive(Debug, Clone)]
pub(crate) struct PublicKeyFacts {
    pub algorithm: KeyAlgorithm,
    pub bits: u32,
    pub curve: Option<String>,
    pub id: PublicKeyId,
}

/// Analyses a `SubjectPublicKeyInfo`.
pub(crate) fn analyze_spki(
    spki: &SubjectPublicKeyInfoRef<'_>,
) -> Result<PublicKeyFacts, CertError> {
    const WHAT: &str = "subject public key";
    let oid = spki.algorithm.oid;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or(CertError::MalformedDer { what: WHAT })?;
    if oid == RSA_ENCRYPTION || oid == RSA_PSS {
        let rsa =
            pkcs1::RsaPublicKeyRef::from_der(key).map_err(|e| CertError::from_der(&e, WHAT))?;
        return Ok(rsa_facts(
            rsa.modulus.as_bytes(),
            rsa.public_exponent.as_bytes(),
        ));
    }
    if oid == EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return match curve {
            Some(curve) => ec_facts(curve, key),
            // Explicit curve parameters: no TLS stack accepts them, but the certificate
            // is still worth tracking.
            None => Ok(PublicKeyFacts {
                algorithm: KeyAlgorithm::Unknown,
                bits: 0,
                curve: Some("explicit parameters".to_owned()),
                id: PublicKeyId::Other {
                    algorithm: oid,
                    key: key.to_vec(),
                },
            }),
        };
    }
    if oid == ED25519 || oid == ED448 {
        return edwards_facts(oid, key);
    }
    let algorithm = unusable_algorithm(&oid).map_or(KeyAlgorithm::Unknown, |u| u.algorithm);
    let bits = match algorithm {
        // The size of the prime p, the first INTEGER of the domain parameters.
        KeyAlgorithm::Dsa | KeyAlgorithm::Dh => spki
            .algorithm
            .parameters
            .and_then(|p| read_tlv(p.value()))
            .filter(|(tag, _, _)| *tag == INTEGER)
            .map_or(0, |(_, p, _)| bit_length(p)),
        KeyAlgorithm::X25519 => 256,
        KeyAlgorithm::X448 => 448,
        // The public key is an OCTET STRING of two coordinates.
        KeyAlgorithm::Gost => {
            read_tlv(key).map_or(0, |(_, k, _)| u32::try_from(k.len() * 4).unwrap_or(0))
        }
        _ => 0,
    };
    Ok(PublicKeyFacts {
        algorithm,
        bits,
        curve: None,
        id: PublicKeyId::Other {
            algorithm: oid,
            key: key.to_vec(),
        },
    })
}

/// Facts about an RSA key from its modulus and exponent.
pub(crate) fn rsa_facts(modulus: &[u8], exponent: &[u8]) -> PublicKeyFacts {
    let modulus = strip_leading_zeros(modulus);
    let exponent = strip_leading_zeros(exponent);
    PublicKeyFacts {
        algorithm: KeyAlgorithm::Rsa,
        bits: bit_length(modulus),
        curve: None,
        id: PublicKeyId::Rsa {
            modulus: modulus.to_vec(),
            exponent: exponent.to_vec(),
        },
    }
}

/// Facts about an EC key from its curve and SEC1 point.
pub(crate) fn ec_facts(curve: ObjectIdentifier, point: &[u8]) -> Result<PublicKeyFacts, CertError> {
    let malformed = CertError::MalformedDer {
        what: "EC public key",
    };
    let (bits, point) = if curve == P256 {
        (
            256,
            p256::PublicKey::from_sec1_bytes(point)
                .map_err(|_| malformed)?
                .to_sec1_bytes(),
        )
    } else if curve == P384 {
        (
            384,
            p384::PublicKey::from_sec1_bytes(point)
                .map_err(|_| malformed)?
                .to_sec1_bytes(),
        )
    } else if curve == P521 {
        (
            521,
            p521::PublicKey::from_sec1_bytes(point)
                .map_err(|_| malformed)?
                .to_sec1_bytes(),
        )
    } else {
        // Other curves are reported but not validated: size from the point encoding.
        let field_bytes = match point.first() {
            Some(4) => point.len().saturating_sub(1) / 2,
            Some(2 | 3) => point.len().saturating_sub(1),
            _ => return Err(malformed),
        };
        (
            u32::try_from(field_bytes * 8).unwrap_or(u32::MAX),
            point.into(),
        )
    };
    Ok(PublicKeyFacts {
        algorithm: KeyAlgorithm::Ec,
        bits,
        curve: Some(curve_name(&curve)),
        id: PublicKeyId::Ec {
            curve,
            point: point.into_vec(),
        },
    })
}

/// Facts about an Ed25519 or Ed448 key.
pub(crate) fn edwards_facts(
    algorithm: ObjectIdentifier,
    key: &[u8],
) -> Result<PublicKeyFacts, CertError> {
    let (kind, bits, len) = if algorithm == ED25519 {
        (KeyAlgorithm::Ed25519, 256, 32)
    } else {
        (KeyAlgorithm::Ed448, 448, 57)
    };
    if key.len() != len {
        return Err(CertError::MalformedDer {
            what: "Edwards public key",
        });
    }
    Ok(PublicKeyFacts {
        algorithm: kind,
        bits,
        curve: None,
        id: PublicKeyId::Edwards {
            algorithm,
            key: key.to_vec(),
        },
    })
}

/// `P-256`, `P-384`, `P-521`, `secp256k1`, or the dotted OID.
pub(crate) fn curve_name(curve: &ObjectIdentifier) -> String {
    match *curve {
        c if c == P256 => "P-256".to_owned(),
        c if c == P384 => "P-384".to_owned(),
        c if c == P521 => "P-521".to_owned(),
        c if c == SECP256K1 => "secp256k1".to_owned(),
        c => c.to_string(),
    }
}

/// DER of a named-curve OID, for algorithm parameters.
pub(crate) fn curve_parameters(curve: &ObjectIdentifier) -> Result<Vec<u8>, CertError> {
    curve
        .to_der()
        .map_err(|_| CertError::MalformedDer { what: "EC curve" })
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Number of significant bits of a big-endian unsigned integer.
pub(crate) fn bit_length(bytes: &[u8]) -> u32 {
    let bytes = strip_leading_zeros(bytes);
    match bytes.first() {
        None => 0,
        Some(&first) => {
            let whole = u32::try_from(bytes.len() - 1).unwrap_or(u32::MAX / 8);
            whole
                .saturating_mul(8)
                .saturating_add(8 - first.leading_zeros())
        }
    }
}
