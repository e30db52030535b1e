//! Private keys: PKCS#8 (plain and encrypted), PKCS#1 RSA and SEC1 EC, normalized to
//! unencrypted PKCS#8.

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::pem::LineEnding;
use der::{Decode, Encode, SecretDocument, Sequence};
use sec1::EcParameters;
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::budget::WorkBudget;
use crate::pbe::{self, Password};
use crate::public_key::{
    EC_PUBLIC_KEY, ED448, ED25519, P256, P384, P521, PublicKeyFacts, PublicKeyId, RSA_ENCRYPTION,
    RSA_PSS, bit_length, curve_parameters, ec_facts, edwards_facts, rsa_facts,
};
use crate::{CertError, PrivateKeySummary};

/// A decoded private key: its summary, its public half and its unencrypted PKCS#8 DER.
pub(crate) struct ParsedPrivateKey {
    pub summary: PrivateKeySummary,
    pub public: PublicKeyId,
    pub pkcs8: Zeroizing<Vec<u8>>,
}

impl ParsedPrivateKey {
    /// The key as an unencrypted `PRIVATE KEY` PEM block.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, CertError> {
        SecretDocument::try_from(self.pkcs8.as_slice())
            .and_then(|doc| doc.to_pem("PRIVATE KEY", LineEnding::LF))
            .map_err(|_| CertError::MalformedDer {
                what: "private key",
            })
    }
}

/// `EncryptedPrivateKeyInfo` with any algorithm, so that the PKCS#12 schemes decode too.
#[derive(Sequence)]
pub(crate) struct EncryptedPrivateKeyInfo<'a> {
    pub algorithm: AlgorithmIdentifierRef<'a>,
    pub data: &'a OctetStringRef,
}

/// Decodes an unencrypted PKCS#8 `PrivateKeyInfo`.
pub(crate) fn from_pkcs8(der: &[u8], encrypted: bool) -> Result<ParsedPrivateKey, CertError> {
    const WHAT: &str = "PKCS#8 private key";
    let info =
        pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| CertError::from_der(&e, WHAT))?;
    let oid = info.algorithm.oid;
    let inner = info.private_key.as_bytes();
    let mut pkcs8 = Zeroizing::new(der.to_vec());
    let facts = if oid == RSA_ENCRYPTION || oid == RSA_PSS {
        rsa_public(inner)?
    } else if oid == EC_PUBLIC_KEY {
        let outer = info
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or(CertError::unsupported("EC key without a named curve"))?;
        let (curve, facts) = ec_public(inner, Some(outer))?;
        if curve != outer {
            // Stored with the curve the key really is on, so that no reader is misled.
            pkcs8 = wrap_pkcs8(EC_PUBLIC_KEY, Some(&curve_parameters(&curve)?), inner)?;
        }
        facts
    } else if oid == ED25519 {
        let seed = <&OctetStringRef>::from_der(inner).map_err(|e| CertError::from_der(&e, WHAT))?;
        let seed: [u8; 32] = seed
            .as_bytes()
            .try_into()
            .map_err(|_| CertError::MalformedDer { what: WHAT })?;
        let seed = Zeroizing::new(seed);
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        edwards_facts(ED25519, public.as_bytes())?
    } else if oid == ED448 {
        return Err(CertError::unsupported(
            "Ed448 private key; Coffer keeps RSA, EC (P-256, P-384, P-521) and Ed25519 keys: \
             issue one of those instead",
        ));
    } else {
        return Err(CertError::unsupported_key(&oid));
    };
    Ok(ParsedPrivateKey {
        summary: summary(&facts, encrypted),
        public: facts.id,
        pkcs8,
    })
}

/// Decodes a PKCS#1 `RSAPrivateKey` and wraps it in PKCS#8.
pub(crate) fn from_pkcs1(der: &[u8]) -> Result<ParsedPrivateKey, CertError> {
    let facts = rsa_public(der)?;
    let pkcs8 = wrap_pkcs8(RSA_ENCRYPTION, Some(&[0x05, 0x00]), der)?;
    Ok(ParsedPrivateKey {
        summary: summary(&facts, false),
        public: facts.id,
        pkcs8,
    })
}

/// Decodes a SEC1 `ECPrivateKey` (which must name its curve) and wraps it in PKCS#8.
pub(crate) fn from_sec1(der: &[u8]) -> Result<ParsedPrivateKey, CertError> {
    let (curve, facts) = ec_public(der, None)?;
    let params = curve_parameters(&curve)?;
    let pkcs8 = wrap_pkcs8(EC_PUBLIC_KEY, Some(&params), der)?;
    Ok(ParsedPrivateKey {
        summary: summary(&facts, false),
        public: facts.id,
        pkcs8,
    })
}

/// Decrypts an `EncryptedPrivateKeyInfo` and decodes the key inside.
pub(crate) fn from_encrypted_pkcs8(
    der: &[u8],
    password: Option<&[u8]>,
    work: &WorkBudget,
) -> Result<ParsedPrivateKey, CertError> {
    const WHAT: &str = "encrypted PKCS#8 private key";
    let info = EncryptedPrivateKeyInfo::from_der(der).map_err(|e| CertError::from_der(&e, WHAT))?;
    let password = password.ok_or(CertError::PasswordRequired { what: WHAT })?;
    decrypt_key(&info, &Password::new(password), work, WHAT)
}

/// Decrypts `info` with `password` and decodes the PKCS#8 key inside.
pub(crate) fn decrypt_key(
    info: &EncryptedPrivateKeyInfo<'_>,
    password: &Password<'_>,
    work: &WorkBudget,
    what: &'static str,
) -> Result<ParsedPrivateKey, CertError> {
    let plain = pbe::decrypt(&info.algorithm, info.data.as_bytes(), password, work, what)?;
    // Garbage that happened to have valid padding is a wrong password, not a broken file.
    from_pkcs8(&plain, true).map_err(|e| match e {
        CertError::MalformedDer { .. } | CertError::Truncated { .. } => {
            CertError::WrongPassword { what }
        }
        other => other,
    })
}

fn rsa_public(pkcs1_der: &[u8]) -> Result<PublicKeyFacts, CertError> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der)
        .map_err(|e| CertError::from_der(&e, "RSA private key"))?;
    check_rsa(&key)?;
    Ok(rsa_facts(
        key.modulus.as_bytes(),
        key.public_exponent.as_bytes(),
    ))
}

/// RSA moduli beyond this size are refused before any arithmetic (OpenSSL's own limit).
const MAX_RSA_BITS: u64 = 16_384;

/// The cheap consistency checks of OpenSSL's `pkey -check`: n = p·q, e·dP ≡ 1 (mod p−1),
/// e·dQ ≡ 1 (mod q−1) and qInv·q ≡ 1 (mod p).
fn check_rsa(key: &pkcs1::RsaPrivateKeyRef<'_>) -> Result<(), CertError> {
    use num_bigint::BigUint;
    const WHAT: &str = "RSA private key";
    crate::budget::check(
        "RSA modulus size in bits",
        bit_length(key.modulus.as_bytes()).into(),
        MAX_RSA_BITS,
    )?;
    let int = |u: &pkcs1::UintRef<'_>| BigUint::from_bytes_be(u.as_bytes());
    let (n, e) = (int(&key.modulus), int(&key.public_exponent));
    let (p, q) = (int(&key.prime1), int(&key.prime2));
    let (dp, dq, qinv) = (
        int(&key.exponent1),
        int(&key.exponent2),
        int(&key.coefficient),
    );
    let one = BigUint::from(1u8);
    if p <= one || q <= one || &p * &q != n {
        return Err(CertError::InconsistentKey {
            what: WHAT,
            reason: "its modulus is not the product of its primes",
        });
    }
    let crt_ok = (&e * &dp) % (&p - &one) == one
        && (&e * &dq) % (&q - &one) == one
        && (&qinv * &q) % &p == one;
    if !crt_ok {
        return Err(CertError::InconsistentKey {
            what: WHAT,
            reason: "its CRT exponents or coefficient do not match its primes",
        });
    }
    Ok(())
}

/// Decodes a SEC1 key. As in OpenSSL, the curve named inside the key wins over `outer`
/// (the PKCS#8 wrapper's); a public point, when present, must belong to the private scalar.
fn ec_public(
    sec1_der: &[u8],
    outer: Option<ObjectIdentifier>,
) -> Result<(ObjectIdentifier, PublicKeyFacts), CertError> {
    const WHAT: &str = "EC private key";
    let key = sec1::EcPrivateKey::from_der(sec1_der).map_err(|e| CertError::from_der(&e, WHAT))?;
    let curve = match (key.parameters, outer) {
        (Some(EcParameters::NamedCurve(c)), _) | (None, Some(c)) => c,
        (None, None) => {
            return Err(CertError::MalformedDer {
                what: "EC private key without curve",
            });
        }
    };
    let inconsistent = |reason| CertError::InconsistentKey { what: WHAT, reason };
    let scalar = |_| inconsistent("its private scalar is not valid on its curve");
    macro_rules! derive_point {
        ($curve:ident) => {{
            let derived = $curve::SecretKey::from_slice(key.private_key)
                .map_err(scalar)?
                .public_key();
            if let Some(given) = key.public_key {
                let given = $curve::PublicKey::from_sec1_bytes(given)
                    .map_err(|_| inconsistent("its public point is not on its curve"))?;
                if given != derived {
                    return Err(inconsistent(
                        "its public point does not belong to its private scalar",
                    ));
                }
            }
            derived.to_sec1_bytes()
        }};
    }
    let point: Box<[u8]> = if curve == P256 {
        derive_point!(p256)
    } else if curve == P384 {
        derive_point!(p384)
    } else if curve == P521 {
        derive_point!(p521)
    } else {
        key.public_key
            .ok_or(CertError::unsupported("EC curve without public key"))?
            .into()
    };
    Ok((curve, ec_facts(curve, &point)?))
}

fn wrap_pkcs8(
    oid: ObjectIdentifier,
    parameters: Option<&[u8]>,
    key: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CertError> {
    let malformed = |_| CertError::MalformedDer {
        what: "private key",
    };
    let parameters = parameters
        .map(AnyRef::from_der)
        .transpose()
        .map_err(malformed)?;
    let info = pkcs8::PrivateKeyInfoRef::new(
        AlgorithmIdentifierRef { oid, parameters },
        OctetStringRef::new(key).map_err(malformed)?,
    );
    info.to_der().map(Zeroizing::new).map_err(malformed)
}

fn summary(facts: &PublicKeyFacts, encrypted: bool) -> PrivateKeySummary {
    PrivateKeySummary {
        algorithm: facts.algorithm,
        bits: facts.bits,
        encrypted,
    }
}
