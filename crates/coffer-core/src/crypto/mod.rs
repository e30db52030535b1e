//! Encryption: AES-256-GCM envelopes, Argon2id key derivation, key checks.
//!
//! A random vault master key (VMK) wraps one random data key per secret
//! version; each data key encrypts that version's payload. Associated data
//! binds every ciphertext to the vault, the secret, the version and the format,
//! so a ciphertext moved to another row fails to open.

mod aead;
mod age_file;
mod kdf;
mod keys;

pub(crate) use aead::{NONCE_LEN, Sealed, open, seal};
pub(crate) use age_file::{open_with_passphrase, seal_with_passphrase};
pub use kdf::KdfParams;
pub(crate) use kdf::{PasswordLock, b64, derive};
pub(crate) use keys::{DataKey, Key32, MasterKey, check_value};

use crate::error::{Error, Result};

/// Version of the ciphertext format, bound into every associated data.
pub const FORMAT_VERSION: u8 = 1;

/// Fills an array from the operating system's random number generator.
pub(crate) fn random_array<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| Error::Internal(format!("the OS random number generator failed: {e}")))?;
    Ok(out)
}

/// What a ciphertext is for; each purpose has its own associated data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// A version's payload, under its data key.
    Payload,
    /// A version's data key, under the VMK or a store-password key.
    DataKey,
    /// The VMK, under the recovery-passphrase key.
    MasterKeyWrap,
    /// The audit MAC key, under the VMK.
    AuditKey,
    /// A run's log and error, under the run-log key.
    RunLog,
    /// An earlier audit-key epoch's key, under the VMK.
    AuditEpoch,
    /// The VMK in memory while locked, under a quick-unlock PIN's key.
    QuickUnlock,
    /// A team-vault identity (private keys), under the VMK.
    TeamIdentity,
    /// A shared secret's metadata in the local replica, under the VMK.
    TeamReplica,
    /// A team-vault audit entry queued while offline, under the VMK.
    TeamQueue,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Payload => b"payload",
            Self::DataKey => b"data-key",
            Self::MasterKeyWrap => b"master-key",
            Self::AuditKey => b"audit-key",
            Self::RunLog => b"run-log",
            Self::AuditEpoch => b"audit-epoch",
            Self::QuickUnlock => b"quick-unlock",
            Self::TeamIdentity => b"team-identity",
            Self::TeamReplica => b"team-replica",
            Self::TeamQueue => b"team-queue",
        }
    }
}

/// Associated data: `"coffer" ‖ format ‖ purpose ‖ vault id ‖ secret id ‖ version`.
pub(crate) fn associated_data(
    purpose: Purpose,
    vault_id: &[u8; 16],
    secret_id: Option<&[u8; 16]>,
    version: u32,
) -> Vec<u8> {
    let label = purpose.label();
    let mut aad = Vec::with_capacity(6 + 1 + 1 + label.len() + 16 + 16 + 4);
    aad.extend_from_slice(b"coffer");
    aad.push(FORMAT_VERSION);
    aad.push(label.len() as u8);
    aad.extend_from_slice(label);
    aad.extend_from_slice(vault_id);
    aad.extend_from_slice(secret_id.unwrap_or(&[0; 16]));
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

/// Generates a store password: 24 characters from an unambiguous alphabet (~137 bits).
pub(crate) fn generate_password() -> Result<secrecy::SecretString> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(24);
    while out.len() < 24 {
        let bytes: [u8; 32] = random_array()?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % ALPHABET.len());
        for b in bytes {
            if (b as usize) < limit && out.len() < 24 {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(secrecy::SecretString::from(out))
}
