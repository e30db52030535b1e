//! Sealing a secret version (fresh data key, payload under it, data key under
//! the wrapping key) and opening it again.

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::Vault;
use crate::crypto::{self, DataKey, KdfParams, Key32, PasswordLock, Purpose, associated_data};
use crate::error::{Error, Result};
use crate::secret::payload;
use crate::secret::{Protection, SecretData, SecretId};
use crate::store::{NewVersionRow, SecretRow, VersionRow};

const STORE_PASSWORD_CHECK: &str = "coffer/store-password-check/v1";

/// A sealed version, ready to store.
pub(super) struct SealedVersion {
    pub dek_nonce: [u8; 12],
    pub wrapped_dek: Vec<u8>,
    pub payload_nonce: [u8; 12],
    pub payload: Vec<u8>,
    pub public_fields: String,
}

impl SealedVersion {
    pub fn row<'a>(
        &'a self,
        version: u32,
        now: crate::clock::Timestamp,
        expires_at: Option<crate::clock::Timestamp>,
        note: &'a str,
    ) -> NewVersionRow<'a> {
        NewVersionRow {
            version,
            created_at: now,
            public_fields: &self.public_fields,
            expires_at,
            note,
            dek_nonce: &self.dek_nonce,
            wrapped_dek: &self.wrapped_dek,
            payload_nonce: &self.payload_nonce,
            payload: &self.payload,
        }
    }
}

/// The payload's associated data also binds the version's public fields
/// (username, header name, token URL, ...), so that an edit to them in the
/// file, such as pointing a token URL elsewhere, fails to open as tampering.
fn payload_aad(vault_id: &[u8; 16], id: &SecretId, version: u32, public_fields: &str) -> Vec<u8> {
    use sha2::Digest;
    let mut aad = associated_data(Purpose::Payload, vault_id, Some(id.as_bytes()), version);
    aad.extend_from_slice(&sha2::Sha256::digest(public_fields.as_bytes()));
    aad
}

/// Encrypts `data` as `version` of secret `id`.
pub(super) fn seal(
    vault_id: &[u8; 16],
    id: &SecretId,
    version: u32,
    wrapping_key: &[u8; 32],
    data: &SecretData,
) -> Result<SealedVersion> {
    let entries = data.payload_entries();
    let view: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    let plaintext = payload::encode(&view);
    drop(view);
    for (_, mut value) in entries {
        zeroize::Zeroize::zeroize(&mut value);
    }
    let public_fields = serde_json::to_string(&data.public_fields())
        .map_err(|e| Error::Internal(format!("encoding public fields: {e}")))?;
    let dek = DataKey::generate()?;
    let aad = payload_aad(vault_id, id, version, &public_fields);
    let sealed_payload = crypto::seal(dek.bytes(), &aad, &plaintext)?;
    let key_aad = associated_data(Purpose::DataKey, vault_id, Some(id.as_bytes()), version);
    let sealed_key = crypto::seal(wrapping_key, &key_aad, dek.bytes())?;
    Ok(SealedVersion {
        dek_nonce: sealed_key.nonce,
        wrapped_dek: sealed_key.ciphertext,
        payload_nonce: sealed_payload.nonce,
        payload: sealed_payload.ciphertext,
        public_fields,
    })
}

/// Decrypts a stored version of `row`. Any change to the stored bytes, or a
/// ciphertext moved from another row or version, fails as tampering.
pub(super) fn open(
    vault_id: &[u8; 16],
    row: &SecretRow,
    version: &VersionRow,
    wrapping_key: &[u8; 32],
) -> Result<SecretData> {
    let what = |part: &str| {
        format!(
            "{part} of secret {:?} version {}",
            row.name, version.version
        )
    };
    let key_aad = associated_data(
        Purpose::DataKey,
        vault_id,
        Some(row.id.as_bytes()),
        version.version,
    );
    let dek_bytes = crypto::open(
        wrapping_key,
        &key_aad,
        &version.dek_nonce,
        &version.wrapped_dek,
        &what("the data key"),
    )?;
    let dek = DataKey::from_bytes(&dek_bytes, &what("the data key"))?;
    let aad = payload_aad(vault_id, &row.id, version.version, &version.public_fields);
    let plaintext = crypto::open(
        dek.bytes(),
        &aad,
        &version.payload_nonce,
        &version.payload,
        &what("the payload"),
    )?;
    let entries = payload::decode(&plaintext)?;
    let public: serde_json::Value =
        serde_json::from_str(&version.public_fields).map_err(|e| Error::Corrupt {
            reason: format!("public fields of {:?}: {e}", row.name),
        })?;
    SecretData::from_stored(row.kind, &public, entries)
}

/// A new store-password lock for a secret and the key it yields.
pub(super) fn password_lock(
    vault_id: &[u8; 16],
    id: &SecretId,
    password: &SecretString,
) -> Result<(String, Key32)> {
    if password.expose_secret().is_empty() {
        return Err(Error::invalid("store_password", "must not be empty"));
    }
    let (lock, key) = PasswordLock::create(
        password.expose_secret().as_bytes(),
        KdfParams::DEFAULT,
        STORE_PASSWORD_CHECK,
        &[vault_id, id.as_bytes()],
    )?;
    let json = serde_json::to_string(&lock)
        .map_err(|e| Error::Internal(format!("encoding a password lock: {e}")))?;
    Ok((json, key))
}

impl Vault {
    /// The key that wraps `row`'s data keys: the master key, or the key
    /// derived from its store password.
    pub(super) fn wrapping_key(
        &self,
        row: &SecretRow,
        password: Option<&SecretString>,
    ) -> Result<Key32> {
        let keys = self.keys()?;
        match row.protection {
            Protection::Vault => Ok(Zeroizing::new(*keys.master.bytes())),
            Protection::Password => {
                let password = password.ok_or_else(|| Error::PasswordRequired {
                    name: row.name.clone(),
                })?;
                let lock: PasswordLock = row
                    .password_lock
                    .as_deref()
                    .ok_or_else(|| Error::Corrupt {
                        reason: format!("{:?} has no password lock", row.name),
                    })
                    .and_then(|text| {
                        serde_json::from_str(text).map_err(|e| Error::Corrupt {
                            reason: format!("password lock of {:?}: {e}", row.name),
                        })
                    })?;
                lock.open(
                    password.expose_secret().as_bytes(),
                    STORE_PASSWORD_CHECK,
                    &[&self.vault_id, row.id.as_bytes()],
                )?
                .ok_or_else(|| Error::WrongPassword {
                    name: row.name.clone(),
                })
            }
        }
    }

    /// Decrypts version `version` of `row`.
    pub(super) fn open_version(
        &self,
        row: &SecretRow,
        version: u32,
        wrapping_key: &[u8; 32],
    ) -> Result<SecretData> {
        let stored = self.store_version(row, version)?;
        open(&self.vault_id, row, &stored, wrapping_key)
    }

    pub(super) fn store_version(&self, row: &SecretRow, version: u32) -> Result<VersionRow> {
        use crate::store::Db;
        self.store
            .read()
            .version(row.rowid, version)?
            .ok_or_else(|| Error::NotFound {
                what: "version",
                name: format!("{} of {}", version, row.name),
            })
    }
}
