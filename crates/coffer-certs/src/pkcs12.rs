//! PKCS#12 / PFX: MAC check, decryption of the safes, extraction of keys and certificates.

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Sequence, Tag, Tagged};
use hmac::{KeyInit, Mac};
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::CertError;
use crate::ber::{ber_to_der, concat_octet_strings};
use crate::budget::WorkBudget;
use crate::certificate::{ParsedCertificate, parse_certificate};
use crate::pbe::{self, Password};
use crate::pkcs12_kdf::{self, Purpose};
use crate::private_key::{EncryptedPrivateKeyInfo, ParsedPrivateKey, decrypt_key, from_pkcs8};

const WHAT: &str = "PKCS#12 file";
const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Nesting of `safeContentsBag` accepted before the file is called malformed.
const MAX_BAG_DEPTH: u8 = 4;

#[derive(Sequence)]
struct Pfx<'a> {
    version: u8,
    auth_safe: ContentInfo<'a>,
    mac_data: Option<MacData<'a>>,
}

#[derive(Sequence)]
struct ContentInfo<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    content: Option<AnyRef<'a>>,
}

#[derive(Sequence)]
struct MacData<'a> {
    mac: DigestInfo<'a>,
    salt: &'a OctetStringRef,
    #[asn1(default = "one")]
    iterations: u32,
}

fn one() -> u32 {
    1
}

#[derive(Sequence)]
struct DigestInfo<'a> {
    algorithm: AlgorithmIdentifierRef<'a>,
    digest: &'a OctetStringRef,
}

#[derive(Sequence)]
struct EncryptedData<'a> {
    version: u8,
    content: EncryptedContentInfo<'a>,
}

#[derive(Sequence)]
struct EncryptedContentInfo<'a> {
    content_type: ObjectIdentifier,
    algorithm: AlgorithmIdentifierRef<'a>,
    /// `[0] IMPLICIT OCTET STRING`, primitive in DER, constructed (chunked) in BER.
    encrypted: Option<AnyRef<'a>>,
}

#[derive(Sequence)]
struct SafeBag<'a> {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    value: AnyRef<'a>,
    attributes: Option<AnyRef<'a>>,
}

#[derive(Sequence)]
struct CertBag<'a> {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    value: &'a OctetStringRef,
}

/// What a PKCS#12 file holds.
pub(crate) struct Pkcs12Contents {
    pub certificates: Vec<ParsedCertificate>,
    pub keys: Vec<ParsedPrivateKey>,
}

/// Opens a PFX: checks its MAC with `password` (an absent password tries the empty one, as
/// OpenSSL writes it), then decrypts every safe.
pub(crate) fn parse_pkcs12(
    der: &[u8],
    password: Option<&[u8]>,
    work: &WorkBudget,
) -> Result<Pkcs12Contents, CertError> {
    let der = ber_to_der(der)?;
    let pfx = Pfx::from_der(&der).map_err(|e| CertError::from_der(&e, WHAT))?;
    if pfx.version != 3 {
        return Err(CertError::MalformedDer { what: WHAT });
    }
    let auth_safe = data_content(&pfx.auth_safe)?;
    let password = match &pfx.mac_data {
        Some(mac) => verify_mac(mac, auth_safe, password, work)?,
        None => Password::new(password.unwrap_or_default()),
    };
    // The MAC covers the bytes as written; only then is the content normalized.
    let auth_safe = ber_to_der(auth_safe)?;
    let infos: Vec<ContentInfo<'_>> =
        Vec::from_der(&auth_safe).map_err(|e| CertError::from_der(&e, WHAT))?;
    let mut contents = Pkcs12Contents {
        certificates: Vec::new(),
        keys: Vec::new(),
    };
    let no_password = password.raw.is_empty();
    for info in &infos {
        if info.content_type == DATA {
            read_safe_contents(data_content(info)?, &password, work, &mut contents, 0)?;
        } else if info.content_type == ENCRYPTED_DATA {
            let plain = decrypt_safe(info, &password, work).map_err(|e| {
                // Without a MAC, a failing decryption is how a missing password shows.
                match e {
                    CertError::WrongPassword { what } if no_password && pfx.mac_data.is_none() => {
                        CertError::PasswordRequired { what }
                    }
                    other => other,
                }
            })?;
            // Without a MAC, garbage that decrypted with valid padding means a wrong password.
            read_safe_contents(&plain, &password, work, &mut contents, 0).map_err(|e| match e {
                CertError::MalformedDer { what } | CertError::Truncated { what }
                    if pfx.mac_data.is_none() =>
                {
                    CertError::WrongPassword { what }
                }
                other => other,
            })?;
        } else {
            return Err(CertError::unsupported_oid(&info.content_type));
        }
    }
    Ok(contents)
}

/// The bytes of a `data` ContentInfo's OCTET STRING.
fn data_content<'a>(info: &ContentInfo<'a>) -> Result<&'a [u8], CertError> {
    if info.content_type != DATA {
        return Err(CertError::unsupported_oid(&info.content_type));
    }
    let any = info.content.ok_or(CertError::MalformedDer { what: WHAT })?;
    let octets: &OctetStringRef = any.decode_as().map_err(|e| CertError::from_der(&e, WHAT))?;
    Ok(octets.as_bytes())
}

/// Checks the MAC and returns the password that matched.
fn verify_mac<'p>(
    mac: &MacData<'_>,
    content: &[u8],
    password: Option<&'p [u8]>,
    work: &WorkBudget,
) -> Result<Password<'p>, CertError> {
    let raw = password.unwrap_or_default();
    let mut candidates = vec![Password::new(raw)];
    if raw.is_empty() {
        // Some writers encode the empty password as no bytes at all, not a lone terminator.
        candidates.push(Password {
            raw,
            bmp: Zeroizing::new(Vec::new()),
        });
    }
    for candidate in candidates {
        work.charge(
            "PKCS#12 MAC iteration count",
            mac.iterations.into(),
            work.limits.max_pkcs12_iterations.into(),
        )?;
        if mac_matches(mac, content, &candidate.bmp)? {
            return Ok(candidate);
        }
    }
    Err(match password {
        None => CertError::PasswordRequired { what: WHAT },
        Some(_) => CertError::WrongPassword { what: WHAT },
    })
}

fn mac_matches(mac: &MacData<'_>, content: &[u8], bmp: &[u8]) -> Result<bool, CertError> {
    let salt = mac.salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    let oid = mac.mac.algorithm.oid;
    macro_rules! hmac_with {
        ($hash:ty, $block:expr) => {{
            let len = <$hash as sha2::Digest>::output_size();
            let key =
                pkcs12_kdf::derive::<$hash>($block, bmp, salt, Purpose::Mac, mac.iterations, len);
            let mut hmac = <hmac::Hmac<$hash> as KeyInit>::new_from_slice(&key)
                .map_err(|_| CertError::MalformedDer { what: WHAT })?;
            hmac.update(content);
            Ok(hmac.verify_slice(expected).is_ok())
        }};
    }
    if oid == SHA1 {
        hmac_with!(sha1::Sha1, 64)
    } else if oid == SHA256 {
        hmac_with!(sha2::Sha256, 64)
    } else if oid == SHA384 {
        hmac_with!(sha2::Sha384, 128)
    } else if oid == SHA512 {
        hmac_with!(sha2::Sha512, 128)
    } else {
        Err(CertError::unsupported_oid(&oid))
    }
}

fn decrypt_safe(
    info: &ContentInfo<'_>,
    password: &Password<'_>,
    work: &WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, CertError> {
    let any = info.content.ok_or(CertError::MalformedDer { what: WHAT })?;
    let data: EncryptedData<'_> = any.decode_as().map_err(|e| CertError::from_der(&e, WHAT))?;
    let encrypted = data
        .content
        .encrypted
        .ok_or(CertError::MalformedDer { what: WHAT })?;
    let ciphertext = match encrypted.tag() {
        Tag::ContextSpecific {
            constructed: false,
            number,
        } if number.value() == 0 => encrypted.value().to_vec(),
        Tag::ContextSpecific {
            constructed: true,
            number,
        } if number.value() == 0 => concat_octet_strings(encrypted.value())?,
        _ => return Err(CertError::MalformedDer { what: WHAT }),
    };
    pbe::decrypt(&data.content.algorithm, &ciphertext, password, work, WHAT)
}

fn read_safe_contents(
    der: &[u8],
    password: &Password<'_>,
    work: &WorkBudget,
    contents: &mut Pkcs12Contents,
    depth: u8,
) -> Result<(), CertError> {
    if depth > MAX_BAG_DEPTH {
        return Err(CertError::MalformedDer {
            what: "PKCS#12 bags (nested too deeply)",
        });
    }
    let der = ber_to_der(der)?;
    let bags: Vec<SafeBag<'_>> = Vec::from_der(&der).map_err(|e| CertError::from_der(&e, WHAT))?;
    for bag in &bags {
        let value = any_der(&bag.value)?;
        if bag.bag_id == CERT_BAG {
            let cert = CertBag::from_der(&value).map_err(|e| CertError::from_der(&e, WHAT))?;
            if cert.cert_id == X509_CERTIFICATE {
                if contents.certificates.len() >= work.limits.max_certificates {
                    return Err(CertError::TooCostly {
                        parameter: "number of certificates",
                        value: u64::try_from(contents.certificates.len() + 1).unwrap_or(u64::MAX),
                        limit: u64::try_from(work.limits.max_certificates).unwrap_or(u64::MAX),
                    });
                }
                contents
                    .certificates
                    .push(parse_certificate(cert.value.as_bytes())?);
            }
        } else if bag.bag_id == KEY_BAG {
            contents.keys.push(from_pkcs8(&value, false)?);
        } else if bag.bag_id == SHROUDED_KEY_BAG {
            const KEY: &str = "PKCS#12 private key";
            let info = EncryptedPrivateKeyInfo::from_der(&value)
                .map_err(|e| CertError::from_der(&e, KEY))?;
            contents.keys.push(decrypt_key(&info, password, work, KEY)?);
        } else if bag.bag_id == SAFE_CONTENTS_BAG {
            read_safe_contents(&value, password, work, contents, depth + 1)?;
        }
        // CRL and secret bags carry nothing the vault stores.
    }
    Ok(())
}

/// The DER of a bag value, zeroized on drop since it may hold a key.
fn any_der(any: &AnyRef<'_>) -> Result<Zeroizing<Vec<u8>>, CertError> {
    der::Encode::to_der(any)
        .map(Zeroizing::new)
        .map_err(|e| CertError::from_der(&e, WHAT))
}
