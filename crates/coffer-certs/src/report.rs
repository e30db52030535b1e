//! The public, serializable facts about an input: what `coffer cert inspect --json` prints.

use serde::Serialize;
use time::OffsetDateTime;

/// Everything learned from an input, safe to show, store in clear and serialize.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionReport {
    /// Certificates, the chain leaf first, then unrelated certificates in input order.
    pub certificates: Vec<CertificateSummary>,
    /// The private key found, if any.
    pub private_key: Option<PrivateKeySummary>,
    /// Whether the private key belongs to the leaf; `null` without a key or a certificate.
    pub key_matches_leaf: Option<bool>,
    /// The SSH key found, if any.
    pub ssh: Option<SshKeySummary>,
    /// The earliest `not_after` of all certificates.
    #[serde(with = "crate::rfc3339::option")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub earliest_expiry: Option<OffsetDateTime>,
    /// Problems worth telling the administrator about.
    pub warnings: Vec<Warning>,
}

/// The facts about one certificate.
///
/// Beyond the fields the CLI documents, it carries `ec_curve`, `key_usage`,
/// `extended_key_usage`, `self_signed`, `subject_key_id` and `authority_key_id`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Subject distinguished name in RFC 4514 order (`CN=leaf,O=Org,C=FR`).
    pub subject: String,
    /// The subject's common name, if it has one.
    pub subject_cn: Option<String>,
    /// Issuer distinguished name in RFC 4514 order.
    pub issuer: String,
    /// Serial number, lowercase hex without leading zero bytes.
    pub serial: String,
    /// Subject alternative names as `DNS:name`, `IP:addr`, `email:addr`, `URI:uri`.
    pub san: Vec<String>,
    /// Start of validity.
    #[serde(with = "crate::rfc3339")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "crate::rfc3339")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER encoding, lowercase hex.
    pub sha256: String,
    /// SHA-1 of the DER encoding, lowercase hex.
    pub sha1: String,
    /// Public key algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// Public key size in bits (RSA modulus, curve size, 256 for Ed25519, 448 for Ed448,
    /// the prime for DSA and DH; 0 when the algorithm has no such size).
    pub key_bits: u32,
    /// Named curve of an EC key (`P-256`, `P-384`, `P-521`, or an OID).
    pub ec_curve: Option<String>,
    /// Signature algorithm, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA384`, `ed25519`.
    pub signature_algorithm: String,
    /// Basic constraints: is this a CA certificate.
    pub is_ca: bool,
    /// Basic constraints: maximum number of intermediate CAs below this one.
    pub path_len: Option<u32>,
    /// Key usage bits, e.g. `digital_signature`, `key_cert_sign`.
    pub key_usage: Vec<String>,
    /// Extended key usages, e.g. `server_auth`, `client_auth`, or a dotted OID.
    pub extended_key_usage: Vec<String>,
    /// Issuer and subject are the same name and, when both are present, AKI equals SKI.
    pub self_signed: bool,
    /// Subject key identifier, lowercase hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier, lowercase hex.
    pub authority_key_id: Option<String>,
}

/// A public key algorithm.
///
/// Only `rsa`, `ec`, `ed25519` and `ed448` keys can be used (mutual TLS, key storage); a
/// certificate with another key is stored and tracked with an `unusable_key` warning.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA.
    Rsa,
    /// ECDSA / EC on a named curve.
    Ec,
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// DSA (FIPS 186, withdrawn).
    Dsa,
    /// Diffie-Hellman key agreement (PKCS#3 or X9.42).
    Dh,
    /// GOST R 34.10 (2001 or 2012).
    Gost,
    /// X25519 key agreement.
    X25519,
    /// X448 key agreement.
    X448,
    /// ML-DSA (FIPS 204).
    MlDsa,
    /// ML-KEM (FIPS 203).
    MlKem,
    /// SLH-DSA (FIPS 205).
    SlhDsa,
    /// Any other algorithm.
    Unknown,
}

impl KeyAlgorithm {
    /// The name as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "rsa",
            Self::Ec => "ec",
            Self::Ed25519 => "ed25519",
            Self::Ed448 => "ed448",
            Self::Dsa => "dsa",
            Self::Dh => "dh",
            Self::Gost => "gost",
            Self::X25519 => "x25519",
            Self::X448 => "x448",
            Self::MlDsa => "ml_dsa",
            Self::MlKem => "ml_kem",
            Self::SlhDsa => "slh_dsa",
            Self::Unknown => "unknown",
        }
    }

    /// Whether Coffer can use such a key (TLS client authentication, stored private keys).
    pub fn is_usable(self) -> bool {
        matches!(self, Self::Rsa | Self::Ec | Self::Ed25519 | Self::Ed448)
    }
}

/// The facts about a private key. Never contains key material.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivateKeySummary {
    /// Key algorithm.
    pub algorithm: KeyAlgorithm,
    /// Key size in bits.
    pub bits: u32,
    /// Whether the key was encrypted in the input.
    pub encrypted: bool,
}

/// The facts about an SSH key, private or public.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SshKeySummary {
    /// Key algorithm.
    pub algorithm: SshAlgorithm,
    /// Key size in bits.
    pub bits: u32,
    /// The `authorized_keys` line: `ssh-ed25519 AAAA... comment`.
    pub public_key: String,
    /// `SHA256:` followed by unpadded base64, as `ssh-keygen -l` prints it.
    pub fingerprint_sha256: String,
    /// Whether the input held the private key.
    pub private: bool,
    /// Whether the private key was passphrase-encrypted in the input.
    pub encrypted: bool,
}

/// An SSH key algorithm.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SshAlgorithm {
    /// `ssh-ed25519`.
    Ed25519,
    /// `ssh-rsa` (any of its signature hashes).
    Rsa,
    /// `ecdsa-sha2-nistp256/384/521`.
    Ecdsa,
    /// `sk-ssh-ed25519@openssh.com` (FIDO security key).
    SkEd25519,
    /// `sk-ecdsa-sha2-nistp256@openssh.com` (FIDO security key).
    SkEcdsa,
}

/// Something the administrator should know; not an error.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code to branch on.
    pub code: WarningCode,
    /// Human-readable explanation naming the certificate concerned.
    pub message: String,
}

/// Stable warning codes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningCode {
    /// A certificate's `not_after` is in the past.
    Expired,
    /// A certificate's `not_before` is in the future.
    NotYetValid,
    /// A certificate expires within the configured span.
    ExpiresSoon,
    /// An RSA key (certificate, private or SSH) is shorter than 2048 bits.
    WeakKey,
    /// A certificate is signed with SHA-1 (self-signed roots excepted).
    Sha1Signature,
    /// The chain does not reach a self-signed root: an issuer is missing.
    IncompleteChain,
    /// The private key does not belong to the leaf certificate.
    KeyMismatch,
    /// The leaf is self-signed and not a CA.
    SelfSignedLeaf,
    /// A CA certificate of the chain expires before the leaf.
    ChainExpiresBeforeLeaf,
    /// The input holds more than one private key; the first (or the leaf's) is used.
    ExtraPrivateKey,
    /// A CA bundle holds a certificate that is not a CA.
    NotACa,
    /// A certificate's key algorithm cannot be used for mutual TLS; it is stored and tracked.
    UnusableKey,
    /// A PEM block was ignored (broken, or holding nothing Coffer stores).
    IgnoredBlock,
}

impl WarningCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::ExpiresSoon => "expires_soon",
            Self::WeakKey => "weak_key",
            Self::Sha1Signature => "sha1_signature",
            Self::IncompleteChain => "incomplete_chain",
            Self::KeyMismatch => "key_mismatch",
            Self::SelfSignedLeaf => "self_signed_leaf",
            Self::ChainExpiresBeforeLeaf => "chain_expires_before_leaf",
            Self::ExtraPrivateKey => "extra_private_key",
            Self::NotACa => "not_a_ca",
            Self::UnusableKey => "unusable_key",
            Self::IgnoredBlock => "ignored_block",
        }
    }
}

impl Warning {
    pub(crate) fn new(code: WarningCode, message: String) -> Self {
        Self { code, message }
    }
}
