//! Pure parsing of certificates and keys for Coffer: bytes in, facts out.
//!
//! Accepts PEM (any number of certificate and key blocks, CRLF or LF, text around them),
//! DER certificates, PKCS#7 certificate bundles (`.p7b`), PKCS#12/PFX (AES/PBKDF2 and legacy
//! RC2/3DES), PKCS#8 keys (plain or encrypted with PBKDF2 or scrypt), PKCS#1 RSA and SEC1 EC
//! keys, OpenSSH private keys (plain or encrypted), PuTTY `.ppk` keys (v2 and v3) and
//! `authorized_keys` lines. The format is detected from the content, never from a file name.
//! Files that hold nothing storable (CSRs, CRLs, bare public keys, parameters, SSH
//! certificates, `known_hosts`) are refused with `nothing_to_store`, saying what they are.
//!
//! The crate does no I/O and never reads the clock: the current time comes in through
//! [`InspectOptions::now`]. Every entry point returns a result or a [`CertError`] with a
//! stable [`code`](CertError::code); no input makes it panic, and key-derivation work is
//! bounded by [`WorkLimits`].
//!
//! [`inspect`] returns an [`Inspection`]: an [`InspectionReport`] that serializes to the
//! JSON the CLI prints, and [`Material`] — the normalized chain, unencrypted PKCS#8 key and
//! OpenSSH key — for the vault to encrypt. `Material` is neither `Serialize` nor `Debug`
//! beyond `<redacted>`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ber;
mod budget;
mod certificate;
mod chain;
mod decode;
mod error;
mod inspect;
mod material;
mod name;
mod options;
mod pbe;
pub mod pem;
mod pkcs12;
mod pkcs12_kdf;
mod pkcs7;
mod ppk;
mod private_key;
mod public_key;
mod report;
pub mod rfc3339;
mod ssh;
mod ssh_generate;
mod tlv;
mod validity;
mod warnings;

pub use error::CertError;
pub use inspect::{Source, inspect, inspect_ca_bundle, inspect_parts, ssh_public_key};
pub use material::{Inspection, Material};
pub use options::{DEFAULT_MAX_INPUT_BYTES, InspectOptions, WorkLimits};
pub use report::{
    CertificateSummary, InspectionReport, KeyAlgorithm, PrivateKeySummary, SshAlgorithm,
    SshKeySummary, Warning, WarningCode,
};
pub use ssh_generate::{GeneratedSshKey, SshKeyType, generate_ssh_key};
