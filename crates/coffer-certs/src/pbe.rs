//! Password-based decryption: PBES2 (PBKDF2 or scrypt; AES or 3DES) and the legacy PKCS#12
//! schemes (SHA-1 with 3DES or RC2), each bounded by [`WorkLimits`] before any work.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, InnerIvInit};
use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, Sequence};
use pkcs5::pbes2::Kdf;
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::CertError;
use crate::budget::{WorkBudget, check};
use crate::pkcs12_kdf::{self, Purpose, bmp_password};

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PKCS12_PBE_ARC: &str = "1.2.840.113549.1.12.1";

/// A password in the two encodings the schemes use.
pub(crate) struct Password<'a> {
    /// As given (UTF-8): PBES2 and OpenSSH use these bytes.
    pub raw: &'a [u8],
    /// BMPString with trailing zero: the PKCS#12 key-derivation function uses these bytes.
    pub bmp: Zeroizing<Vec<u8>>,
}

impl<'a> Password<'a> {
    pub fn new(raw: &'a [u8]) -> Self {
        Self {
            raw,
            bmp: bmp_password(raw),
        }
    }
}

/// `PBEParameter` of the PKCS#12 schemes.
#[derive(Sequence)]
struct Pkcs12PbeParams<'a> {
    salt: &'a OctetStringRef,
    iterations: u32,
}

/// Decrypts `ciphertext` encrypted under `algorithm` with `password`.
///
/// A padding failure is reported as `wrong_password`; the caller also maps a plaintext
/// that does not decode to `wrong_password`, since CBC padding matches by chance 1 in 256.
pub(crate) fn decrypt(
    algorithm: &AlgorithmIdentifierRef<'_>,
    ciphertext: &[u8],
    password: &Password<'_>,
    work: &WorkBudget,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>, CertError> {
    if algorithm.oid == PBES2 {
        return decrypt_pbes2(algorithm, ciphertext, password.raw, work, what);
    }
    let dotted = algorithm.oid.to_string();
    match dotted.strip_prefix(PKCS12_PBE_ARC) {
        Some(".3") => decrypt_pkcs12(
            algorithm,
            ciphertext,
            password,
            work,
            what,
            Pkcs12Cipher::Tdes3,
        ),
        Some(".4") => decrypt_pkcs12(
            algorithm,
            ciphertext,
            password,
            work,
            what,
            Pkcs12Cipher::Tdes2,
        ),
        Some(".5") => decrypt_pkcs12(
            algorithm,
            ciphertext,
            password,
            work,
            what,
            Pkcs12Cipher::Rc2(16),
        ),
        Some(".6") => decrypt_pkcs12(
            algorithm,
            ciphertext,
            password,
            work,
            what,
            Pkcs12Cipher::Rc2(5),
        ),
        _ => Err(legacy_scheme(&dotted).map_or_else(
            || CertError::unsupported_oid(&algorithm.oid),
            |name| CertError::legacy_encryption(name, what),
        )),
    }
}

/// Password-based schemes that Coffer refuses to open, by name.
fn legacy_scheme(dotted: &str) -> Option<&'static str> {
    Some(match dotted {
        "1.2.840.113549.1.5.1" => "PBES1 with MD2 and DES",
        "1.2.840.113549.1.5.3" => "PBES1 with MD5 and DES",
        "1.2.840.113549.1.5.4" => "PBES1 with MD2 and RC2",
        "1.2.840.113549.1.5.6" => "PBES1 with MD5 and RC2",
        "1.2.840.113549.1.5.10" => "PBES1 with SHA-1 and DES",
        "1.2.840.113549.1.5.11" => "PBES1 with SHA-1 and RC2",
        "1.2.840.113549.1.12.1.1" => "PKCS#12 PBE with SHA-1 and 128-bit RC4",
        "1.2.840.113549.1.12.1.2" => "PKCS#12 PBE with SHA-1 and 40-bit RC4",
        _ => return None,
    })
}

/// Ciphers inside PBES2 that Coffer refuses, by name.
fn legacy_pbes2_cipher(dotted: &str) -> Option<&'static str> {
    Some(match dotted {
        "1.2.840.113549.3.2" => "RC2-CBC in PBES2",
        "1.3.14.3.2.7" => "single DES-CBC in PBES2",
        "1.2.840.113549.3.4" => "RC4 in PBES2",
        _ => return None,
    })
}

/// The OID of the encryption scheme inside PBES2 parameters, read before a full decode so
/// that an unsupported cipher is named rather than called malformed.
fn pbes2_cipher_oid(algorithm: &AlgorithmIdentifierRef<'_>) -> Option<String> {
    use crate::tlv::{OBJECT_IDENTIFIER, elements, read_tlv};
    let params = elements(algorithm.parameters?.value())?;
    let (_, scheme) = params.get(1)?;
    let (tag, oid, _) = read_tlv(scheme)?;
    if tag != OBJECT_IDENTIFIER {
        return None;
    }
    ObjectIdentifier::from_bytes(oid)
        .ok()
        .map(|o| o.to_string())
}

fn decrypt_pbes2(
    algorithm: &AlgorithmIdentifierRef<'_>,
    ciphertext: &[u8],
    password: &[u8],
    work: &WorkBudget,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>, CertError> {
    if let Some(name) = pbes2_cipher_oid(algorithm)
        .as_deref()
        .and_then(legacy_pbes2_cipher)
    {
        return Err(CertError::legacy_encryption(name, what));
    }
    let der = algorithm
        .to_der()
        .map_err(|e| CertError::from_der(&e, what))?;
    let scheme = pkcs5::EncryptionScheme::from_der(&der).map_err(|e| match e.kind() {
        der::ErrorKind::OidUnknown { oid } => CertError::unsupported_oid(&oid),
        _ => CertError::MalformedDer {
            what: "PBES2 parameters",
        },
    })?;
    let params = scheme.pbes2().ok_or(CertError::unsupported("PBES1"))?;
    check_kdf(&params.kdf, work)?;
    params
        .decrypt(password, ciphertext)
        .map(Zeroizing::new)
        .map_err(|e| match e {
            pkcs5::Error::DecryptFailed => CertError::WrongPassword { what },
            pkcs5::Error::UnsupportedAlgorithm { oid } => CertError::unsupported_oid(&oid),
            _ => CertError::MalformedDer {
                what: "PBES2 parameters",
            },
        })
}

fn check_kdf(kdf: &Kdf, work: &WorkBudget) -> Result<(), CertError> {
    match kdf {
        Kdf::Pbkdf2(p) if p.iteration_count == 0 => Err(CertError::MalformedDer {
            what: "PBKDF2 parameters (an iteration count of 0)",
        }),
        Kdf::Pbkdf2(p) => work.charge(
            "PBKDF2 iteration count",
            p.iteration_count.into(),
            work.limits.max_pbkdf2_iterations.into(),
        ),
        Kdf::Scrypt(s) => {
            let n = s.cost_parameter;
            if n < 2 || !n.is_power_of_two() || s.block_size == 0 || s.parallelization == 0 {
                return Err(CertError::MalformedDer {
                    what: "scrypt parameters",
                });
            }
            let r = u64::from(s.block_size);
            let p = u64::from(s.parallelization);
            check("scrypt N", n, work.limits.max_scrypt_n)?;
            check("scrypt r", r, work.limits.max_scrypt_r.into())?;
            check("scrypt p", p, work.limits.max_scrypt_p.into())?;
            let memory = n.saturating_mul(r).saturating_mul(128);
            check(
                "scrypt memory (128·N·r bytes)",
                memory,
                work.limits.max_scrypt_memory_bytes,
            )?;
            work.charge(
                "scrypt work (N·r·p)",
                n.saturating_mul(r).saturating_mul(p),
                work.limits.max_scrypt_work,
            )
        }
        _ => Err(CertError::unsupported("PBES2 key-derivation function")),
    }
}

#[derive(Clone, Copy)]
enum Pkcs12Cipher {
    Tdes3,
    Tdes2,
    /// RC2 with this many key bytes (effective key bits = 8 × bytes).
    Rc2(usize),
}

fn decrypt_pkcs12(
    algorithm: &AlgorithmIdentifierRef<'_>,
    ciphertext: &[u8],
    password: &Password<'_>,
    work: &WorkBudget,
    what: &'static str,
    cipher: Pkcs12Cipher,
) -> Result<Zeroizing<Vec<u8>>, CertError> {
    let params = algorithm
        .parameters
        .ok_or(CertError::MalformedDer {
            what: "PKCS#12 PBE parameters",
        })?
        .decode_as::<Pkcs12PbeParams<'_>>()
        .map_err(|e| CertError::from_der(&e, "PKCS#12 PBE parameters"))?;
    if params.iterations == 0 {
        return Err(CertError::MalformedDer {
            what: "PKCS#12 PBE parameters (an iteration count of 0)",
        });
    }
    work.charge(
        "PKCS#12 PBE iteration count",
        params.iterations.into(),
        work.limits.max_pkcs12_iterations.into(),
    )?;
    let salt = params.salt.as_bytes();
    let key_len = match cipher {
        Pkcs12Cipher::Tdes3 => 24,
        Pkcs12Cipher::Tdes2 => 16,
        Pkcs12Cipher::Rc2(bytes) => bytes,
    };
    let derive = |purpose, len| {
        pkcs12_kdf::derive::<sha1::Sha1>(64, &password.bmp, salt, purpose, params.iterations, len)
    };
    let key = derive(Purpose::Key, key_len);
    let iv = derive(Purpose::Iv, 8);
    let plain = match cipher {
        Pkcs12Cipher::Tdes3 => {
            let c: des::TdesEde3 = cbc::cipher::KeyInit::new_from_slice(&key)
                .map_err(|_| CertError::MalformedDer { what })?;
            cbc_decrypt(c, &iv, ciphertext)
        }
        Pkcs12Cipher::Tdes2 => {
            let c: des::TdesEde2 = cbc::cipher::KeyInit::new_from_slice(&key)
                .map_err(|_| CertError::MalformedDer { what })?;
            cbc_decrypt(c, &iv, ciphertext)
        }
        Pkcs12Cipher::Rc2(bytes) => cbc_decrypt(
            rc2::Rc2::new_with_eff_key_len(&key, bytes * 8),
            &iv,
            ciphertext,
        ),
    };
    plain.ok_or(CertError::WrongPassword { what })
}

fn cbc_decrypt<C: BlockCipherDecrypt>(
    cipher: C,
    iv: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let mode = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv).ok()?;
    mode.decrypt_padded_vec::<Pkcs7>(data)
        .ok()
        .map(Zeroizing::new)
}
