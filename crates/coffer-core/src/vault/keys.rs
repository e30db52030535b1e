//! Creating a vault, unlocking it (OS keyring or recovery passphrase),
//! rotating the master key and changing the passphrase.

use std::path::Path;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::integrity::{META_ROWS_SEALED, RowKeys, job_uid};
use super::{Keys, Vault};
use crate::audit::{self, AuditKeys, Record};
use crate::clock::Clock;
use crate::crypto::{
    self, KdfParams, MasterKey, PasswordLock, Purpose, associated_data, b64, check_value,
};
use crate::error::{Error, Result};
use crate::os_keyring::{self, KeyringState};
use crate::secret::DEFAULT_ORG;
use crate::store::{Db, Reader, Store, StoreTx};

pub(super) const META_VAULT_ID: &str = "vault_id";
pub(super) const META_KEYRING: &str = "keyring";
pub(super) const META_CREATED: &str = "created_at";
const META_RECOVERY: &str = "recovery";
pub(super) const META_KEY_CHECK: &str = "key_check";
const META_AUDIT_KEY: &str = "audit_key";
/// Earlier audit-key epochs and where the current one starts, sealed under
/// the master key (absent until the first rotation).
const META_AUDIT_EPOCHS: &str = "audit_epochs";

const RECOVERY_CHECK: &str = "coffer/recovery-check/v1";
const KEY_CHECK: &str = "coffer/key-check/v1";

/// Shortest recovery passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// How to create a vault.
#[derive(Debug)]
pub struct CreateOptions {
    /// The recovery passphrase (at least 8 characters).
    pub passphrase: SecretString,
    /// Keep the master key in the OS keyring too.
    pub use_keyring: bool,
    /// Argon2id cost for the passphrase.
    pub kdf: KdfParams,
}

impl CreateOptions {
    /// Defaults: keyring on, default Argon2id cost.
    pub fn new(passphrase: SecretString) -> Self {
        Self {
            passphrase,
            use_keyring: true,
            kdf: KdfParams::DEFAULT,
        }
    }
}

/// The result of trying the OS keyring.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "reason")]
pub enum KeyringUnlock {
    /// The vault is unlocked.
    Unlocked,
    /// The keyring could not unlock it; the reason says why, and the recovery
    /// passphrase is needed.
    NeedsPassphrase(String),
}

/// The result of a passphrase unlock.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassphraseUnlock {
    /// The master key was (re)saved to the OS keyring, which lacked it.
    pub keyring_restored: bool,
}

/// The master key wrapped by the recovery passphrase.
#[derive(Debug, Serialize, Deserialize)]
struct Recovery {
    lock: PasswordLock,
    #[serde(with = "b64")]
    nonce: Vec<u8>,
    #[serde(with = "b64")]
    wrapped_key: Vec<u8>,
}

/// Audit-key epochs as sealed in `meta`.
#[derive(Serialize, Deserialize)]
struct AuditEpochs {
    /// The first entry of the current key's epoch.
    current_from: i64,
    /// Earlier epochs: first entry and key.
    earlier: Vec<AuditEpoch>,
}

#[derive(Serialize, Deserialize)]
struct AuditEpoch {
    from: i64,
    #[serde(with = "b64")]
    key: Vec<u8>,
}

impl Drop for AuditEpochs {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.earlier.iter_mut().for_each(|e| e.key.zeroize());
    }
}

fn epochs_aad(vault_id: &[u8; 16]) -> Vec<u8> {
    associated_data(Purpose::AuditEpoch, vault_id, None, 0)
}

fn load_epochs(read: Reader<'_>, vault_id: &[u8; 16], master: &MasterKey) -> Result<AuditEpochs> {
    let Some(sealed) = read.meta(META_AUDIT_EPOCHS)? else {
        return Ok(AuditEpochs {
            current_from: 1,
            earlier: Vec::new(),
        });
    };
    let what = "the audit-key epochs";
    if sealed.len() < crypto::NONCE_LEN {
        return Err(Error::Tampered { what: what.into() });
    }
    let (nonce, ciphertext) = sealed.split_at(crypto::NONCE_LEN);
    let plain = crypto::open(
        master.bytes(),
        &epochs_aad(vault_id),
        nonce,
        ciphertext,
        what,
    )?;
    serde_json::from_slice(&plain).map_err(|_| Error::Tampered { what: what.into() })
}

fn seal_epochs(vault_id: &[u8; 16], master: &MasterKey, epochs: &AuditEpochs) -> Result<Vec<u8>> {
    let plain = Zeroizing::new(
        serde_json::to_vec(epochs)
            .map_err(|e| Error::Internal(format!("encoding the audit-key epochs: {e}")))?,
    );
    let sealed = crypto::seal(master.bytes(), &epochs_aad(vault_id), &plain)?;
    let mut out = sealed.nonce.to_vec();
    out.extend_from_slice(&sealed.ciphertext);
    Ok(out)
}

pub(super) fn check_passphrase(passphrase: &SecretString) -> Result<()> {
    if passphrase.expose_secret().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!("must be at least {MIN_PASSPHRASE_CHARS} characters"),
        ));
    }
    Ok(())
}

fn wrap_master(
    vault_id: &[u8; 16],
    kek: &[u8; 32],
    master: &MasterKey,
    lock: PasswordLock,
) -> Result<Vec<u8>> {
    let aad = associated_data(Purpose::MasterKeyWrap, vault_id, None, 0);
    let sealed = crypto::seal(kek, &aad, master.bytes())?;
    serde_json::to_vec(&Recovery {
        lock,
        nonce: sealed.nonce.to_vec(),
        wrapped_key: sealed.ciphertext,
    })
    .map_err(|e| Error::Internal(format!("encoding the recovery record: {e}")))
}

fn seal_audit_key(
    vault_id: &[u8; 16],
    master: &MasterKey,
    audit_key: &[u8; 32],
) -> Result<Vec<u8>> {
    let aad = associated_data(Purpose::AuditKey, vault_id, None, 0);
    let sealed = crypto::seal(master.bytes(), &aad, audit_key)?;
    let mut out = sealed.nonce.to_vec();
    out.extend_from_slice(&sealed.ciphertext);
    Ok(out)
}

fn write_key_material(
    tx: &StoreTx<'_>,
    vault_id: &[u8; 16],
    master: &MasterKey,
    recovery: &[u8],
    audit_key: &[u8; 32],
) -> Result<()> {
    tx.set_meta(META_RECOVERY, recovery)?;
    tx.set_meta(
        META_KEY_CHECK,
        &check_value(master.bytes(), KEY_CHECK, &[vault_id])?,
    )?;
    tx.set_meta(
        META_AUDIT_KEY,
        &seal_audit_key(vault_id, master, audit_key)?,
    )
}

fn required(read: Reader<'_>, key: &str) -> Result<Vec<u8>> {
    read.meta(key)?.ok_or_else(|| Error::Corrupt {
        reason: format!("vault record {key:?} is missing"),
    })
}

pub(super) fn keyring_store(vault_id: &str, master: &MasterKey) -> KeyringState {
    match os_keyring::store(vault_id, master) {
        Ok(()) => KeyringState::Stored,
        Err(Error::KeyringUnavailable { reason }) => KeyringState::Unavailable(reason),
        Err(other) => KeyringState::Unavailable(other.to_string()),
    }
}

impl Vault {
    /// Creates a vault at `path` and returns it unlocked, with what became of
    /// the OS keyring copy of its master key.
    pub fn create(
        path: &Path,
        options: CreateOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, KeyringState)> {
        check_passphrase(&options.passphrase)?;
        options.kdf.check()?;
        let vault_id: [u8; 16] = crypto::random_array()?;
        let master = MasterKey::generate()?;
        let audit_key = Zeroizing::new(crypto::random_array::<32>()?);
        let (lock, kek) = PasswordLock::create(
            options.passphrase.expose_secret().as_bytes(),
            options.kdf,
            RECOVERY_CHECK,
            &[&vault_id],
        )?;
        let recovery = wrap_master(&vault_id, &kek, &master, lock)?;
        let rows = RowKeys::derive(&master, &vault_id)?;
        let now = clock.now();
        let store = Store::create(path, &rows, |tx| {
            tx.set_meta(META_VAULT_ID, &vault_id)?;
            tx.set_meta(META_CREATED, &now.unix().to_be_bytes())?;
            let keyring: &[u8] = if options.use_keyring {
                b"enabled"
            } else {
                b"disabled"
            };
            tx.set_meta(META_KEYRING, keyring)?;
            write_key_material(tx, &vault_id, &master, &recovery, &audit_key)?;
            tx.ensure_org(DEFAULT_ORG, now.unix())?;
            tx.set_meta(META_ROWS_SEALED, &rows.sealed_record(&vault_id)?)?;
            let detail = serde_json::json!({
                "keyring": options.use_keyring,
                "kdf": options.kdf,
                "sealed_rows": true,
            });
            let record = Record {
                action: "vault.create",
                secret_id: None,
                target: "vault",
                detail,
            };
            audit::append(tx, &audit_key, now, &super::os_user(), record).map(drop)
        })?;
        let mut vault = Self::from_store(store, clock)?;
        let keyring = if options.use_keyring {
            keyring_store(&vault.id(), &master)
        } else {
            KeyringState::Disabled
        };
        vault.keys = Some(Keys {
            check: check_value(master.bytes(), KEY_CHECK, &[&vault.vault_id])?,
            master,
            audit: audit_key,
            rows,
        });
        Ok((vault, keyring))
    }

    /// Tries to unlock with the master key in the OS keyring.
    ///
    /// A key that is present but does not belong to this vault is
    /// [`Error::WrongKey`]; an unusable or empty keyring is
    /// [`KeyringUnlock::NeedsPassphrase`] with the reason.
    pub fn unlock_with_keyring(&mut self) -> Result<KeyringUnlock> {
        if self.is_unlocked() {
            return Ok(KeyringUnlock::Unlocked);
        }
        self.keys = None;
        if !self.keyring_enabled {
            return Ok(KeyringUnlock::NeedsPassphrase(
                "this vault does not keep its master key in the OS keyring".into(),
            ));
        }
        let master = match os_keyring::load(&self.id()) {
            Ok(Some(key)) => key,
            Ok(None) => {
                return Ok(KeyringUnlock::NeedsPassphrase(
                    "the OS keyring holds no key for this vault".into(),
                ));
            }
            Err(Error::KeyringUnavailable { reason }) => {
                return Ok(KeyringUnlock::NeedsPassphrase(reason));
            }
            Err(other) => return Err(other),
        };
        if !self.key_matches(&master)? {
            return Err(Error::WrongKey {
                source_name: "the OS keyring",
            });
        }
        self.finish_unlock(master, "keyring")?;
        Ok(KeyringUnlock::Unlocked)
    }

    /// Unlocks with the recovery passphrase. When the vault uses the OS
    /// keyring and the keyring lacks the key (lost, or a new machine), the key
    /// is saved there again.
    pub fn unlock_with_passphrase(
        &mut self,
        passphrase: &SecretString,
    ) -> Result<PassphraseUnlock> {
        let (master, _) = self.open_recovery(passphrase)?;
        let keyring_restored = self.keyring_enabled
            && match os_keyring::load(&self.id()) {
                Ok(Some(existing)) if existing.bytes() == master.bytes() => false,
                // Missing, another key, or not a key at all (wrong length): replace it.
                Ok(_) | Err(Error::WrongKey { .. }) => {
                    os_keyring::store(&self.id(), &master).is_ok()
                }
                Err(_) => false,
            };
        if !self.is_unlocked() {
            self.keys = None;
            self.finish_unlock(master, "passphrase")?;
        }
        Ok(PassphraseUnlock { keyring_restored })
    }

    /// Verifies the passphrase and returns the master key and the passphrase key.
    pub(super) fn open_recovery(
        &self,
        passphrase: &SecretString,
    ) -> Result<(MasterKey, crypto::Key32)> {
        let read = self.store.read();
        let recovery: Recovery =
            serde_json::from_slice(&required(read, META_RECOVERY)?).map_err(|e| {
                Error::Corrupt {
                    reason: format!("recovery record: {e}"),
                }
            })?;
        let kek = recovery
            .lock
            .open(
                passphrase.expose_secret().as_bytes(),
                RECOVERY_CHECK,
                &[&self.vault_id],
            )?
            .ok_or(Error::WrongPassphrase)?;
        let aad = associated_data(Purpose::MasterKeyWrap, &self.vault_id, None, 0);
        let bytes = crypto::open(
            &kek,
            &aad,
            &recovery.nonce,
            &recovery.wrapped_key,
            "the master key wrapped by the recovery passphrase",
        )?;
        let master = MasterKey::from_bytes(&bytes).map_err(|_| Error::Tampered {
            what: "the wrapped master key".into(),
        })?;
        if !self.key_matches(&master)? {
            return Err(Error::Tampered {
                what: "the master key check value".into(),
            });
        }
        Ok((master, kek))
    }

    pub(super) fn key_matches(&self, master: &MasterKey) -> Result<bool> {
        let stored = required(self.store.read(), META_KEY_CHECK)?;
        let expected = check_value(master.bytes(), KEY_CHECK, &[&self.vault_id])?;
        Ok(bool::from(expected.ct_eq(&stored[..])))
    }

    pub(super) fn finish_unlock(&mut self, master: MasterKey, method: &str) -> Result<()> {
        self.finish_unlock_with(master, method, true)
    }

    /// Unlocks with `master`: the rollback check (unless a restore is being
    /// accepted), the keys, the audit entry, the row-integrity record.
    pub(super) fn finish_unlock_with(
        &mut self,
        master: MasterKey,
        method: &str,
        check_rollback: bool,
    ) -> Result<()> {
        if check_rollback {
            self.check_rollback()?;
        }
        self.install_keys(master)?;
        let target = self.path().display().to_string();
        let detail = serde_json::json!({ "method": method });
        let result = self
            .write(|tx, ctx| {
                ctx.audit(
                    tx,
                    Record {
                        action: "vault.unlock",
                        secret_id: None,
                        target: &target,
                        detail,
                    },
                )
            })
            .and_then(|()| self.ensure_rows_sealed());
        if let Err(e) = result {
            self.keys = None;
            return Err(e);
        }
        self.purge_expired_trash()?;
        self.interrupt_stale_runs()?;
        Ok(())
    }

    /// Opens the audit key with `master` and holds the keys.
    pub(super) fn install_keys(&mut self, master: MasterKey) -> Result<()> {
        let sealed = required(self.store.read(), META_AUDIT_KEY)?;
        if sealed.len() < 12 {
            return Err(Error::Tampered {
                what: "the audit key".into(),
            });
        }
        let aad = associated_data(Purpose::AuditKey, &self.vault_id, None, 0);
        let bytes = crypto::open(
            master.bytes(),
            &aad,
            &sealed[..12],
            &sealed[12..],
            "the audit key",
        )?;
        let audit: [u8; 32] = bytes[..].try_into().map_err(|_| Error::Tampered {
            what: "the audit key".into(),
        })?;
        let rows = RowKeys::derive(&master, &self.vault_id)?;
        self.seen_version.set(self.store.data_version()?);
        self.keys = Some(Keys {
            check: check_value(master.bytes(), KEY_CHECK, &[&self.vault_id])?,
            master,
            audit: Zeroizing::new(audit),
            rows,
        });
        Ok(())
    }

    /// Every audit key of the log, oldest epoch first.
    pub(super) fn audit_keys(&self) -> Result<AuditKeys> {
        let keys = self.keys()?;
        let epochs = load_epochs(self.store.read(), &self.vault_id, &keys.master)?;
        let mut out = Vec::with_capacity(epochs.earlier.len() + 1);
        for epoch in &epochs.earlier {
            let key: [u8; 32] = epoch.key[..].try_into().map_err(|_| Error::Tampered {
                what: "the audit-key epochs".into(),
            })?;
            out.push((epoch.from, Zeroizing::new(key)));
        }
        out.push((epochs.current_from, Zeroizing::new(*keys.audit)));
        Ok(AuditKeys { epochs: out })
    }

    /// Replaces the master key: every data key is re-wrapped, every sealed
    /// row re-tagged and every run log re-sealed in one transaction, and a new
    /// audit-key epoch starts (its first entry chained from the last entry of
    /// the old one), so a holder of the old master key can forge nothing
    /// afterwards. The recovery record and the keyring copy follow. Needs the
    /// recovery passphrase; refused when any row fails its check.
    pub fn rotate_master_key(&mut self, passphrase: &SecretString) -> Result<KeyringState> {
        let old = &self.keys()?.master;
        let (_, kek) = self.open_recovery(passphrase)?;
        let recovery: Recovery =
            serde_json::from_slice(&required(self.store.read(), META_RECOVERY)?).map_err(|e| {
                Error::Corrupt {
                    reason: format!("recovery record: {e}"),
                }
            })?;
        // Re-tagging rows that were changed outside Coffer would launder them.
        self.verify_all_rows()?;
        let new = MasterKey::generate()?;
        let vault_id = self.vault_id;
        let wrapped = self.store.read().vault_wrapped_keys()?;
        // Re-wrap outside the transaction so a tamper error aborts before any write.
        let mut rewrapped = Vec::with_capacity(wrapped.len());
        for key in &wrapped {
            let sid: [u8; 16] = key.uid.clone().try_into().map_err(|_| Error::Corrupt {
                reason: "secret id length".into(),
            })?;
            let aad = associated_data(Purpose::DataKey, &vault_id, Some(&sid), key.version);
            let dek = crypto::open(
                old.bytes(),
                &aad,
                &key.dek_nonce,
                &key.wrapped_dek,
                "a data key",
            )?;
            let sealed = crypto::seal(new.bytes(), &aad, &dek)?;
            rewrapped.push((key.rowid, key.version, sealed));
        }
        let recovery_bytes = wrap_master(&vault_id, &kek, &new, recovery.lock)?;
        let old_audit = Zeroizing::new(*self.keys()?.audit);
        let old_rows = self.keys()?.rows.clone();
        let new_audit = Zeroizing::new(crypto::random_array::<32>()?);
        let new_rows = RowKeys::derive(&new, &vault_id)?;
        let mut epochs = load_epochs(self.store.read(), &vault_id, old)?;
        epochs.earlier.push(AuditEpoch {
            from: epochs.current_from,
            key: old_audit.to_vec(),
        });
        let identities = self.resealed_identities(&new, &new_rows)?;
        let queued = self.resealed_queue(&new, &new_rows)?;
        let count = rewrapped.len();
        self.write(|tx, ctx| {
            for (rowid, version, sealed) in &rewrapped {
                tx.set_wrapped_key(*rowid, *version, &sealed.nonce, &sealed.ciphertext)?;
            }
            for identity in &identities {
                tx.put_team_identity(identity)?;
            }
            // Entries not uploaded yet stay, in order, under the new keys.
            for row in &queued {
                tx.put_queue_row(row)?;
            }
            // The team-vault replica is a cache: dropped, refilled by the next sync.
            tx.clear_team_replicas()?;
            write_key_material(tx, &vault_id, &new, &recovery_bytes, &new_audit)?;
            let rows = tx.reseal_all_with(&new_rows)?;
            tx.set_meta(META_ROWS_SEALED, &new_rows.sealed_record(&vault_id)?)?;
            let logs = tx.sealed_run_logs()?;
            for row in &logs {
                let uid = job_uid(&row.job_uid)?;
                let sealed = row.sealed.as_deref().unwrap_or_default();
                let (log, error) = old_rows.open_log(&vault_id, &uid, row.run, sealed)?;
                let resealed =
                    new_rows.seal_log(&vault_id, &uid, row.run, &log, error.as_deref())?;
                tx.seal_run_log(row.run, &resealed)?;
            }
            let detail = serde_json::json!({
                "data_keys": count,
                "rows": rows,
                "run_logs": logs.len(),
                "team_identities": identities.len(),
                "audit_epoch": epochs.earlier.len() + 1,
            });
            let record = Record {
                action: "vault.rotate_key",
                secret_id: None,
                target: "vault",
                detail,
            };
            epochs.current_from =
                audit::append_linked(tx, &old_audit, &new_audit, ctx.now, ctx.actor, record)?;
            tx.set_meta(META_AUDIT_EPOCHS, &seal_epochs(&vault_id, &new, &epochs)?)
        })?;
        let keyring = if self.keyring_enabled {
            keyring_store(&self.id(), &new)
        } else {
            KeyringState::Disabled
        };
        if self.run_keys.is_some() {
            self.run_keys = Some(new_rows.clone());
        }
        self.seen_version.set(self.store.data_version()?);
        self.keys = Some(Keys {
            check: check_value(new.bytes(), KEY_CHECK, &[&vault_id])?,
            master: new,
            audit: new_audit,
            rows: new_rows,
        });
        Ok(keyring)
    }

    /// Changes the recovery passphrase (the old one is needed).
    pub fn change_passphrase(&mut self, old: &SecretString, new: &SecretString) -> Result<()> {
        self.keys()?;
        check_passphrase(new)?;
        let (master, _) = self.open_recovery(old)?;
        let (lock, kek) = PasswordLock::create(
            new.expose_secret().as_bytes(),
            KdfParams::DEFAULT,
            RECOVERY_CHECK,
            &[&self.vault_id],
        )?;
        let recovery = wrap_master(&self.vault_id, &kek, &master, lock)?;
        self.write(|tx, ctx| {
            tx.set_meta(META_RECOVERY, &recovery)?;
            ctx.audit(
                tx,
                Record {
                    action: "vault.change_passphrase",
                    secret_id: None,
                    target: "vault",
                    detail: serde_json::json!({}),
                },
            )
        })
    }

    /// Turns the OS keyring copy of the master key on or off.
    pub fn set_keyring(&mut self, enabled: bool) -> Result<KeyringState> {
        let state = if enabled {
            keyring_store(&self.id(), &self.keys()?.master)
        } else {
            self.keys()?;
            os_keyring::delete(&self.id())?;
            KeyringState::Disabled
        };
        if let (true, KeyringState::Unavailable(reason)) = (enabled, &state) {
            return Err(Error::KeyringUnavailable {
                reason: reason.clone(),
            });
        }
        let value: &[u8] = if enabled { b"enabled" } else { b"disabled" };
        self.write(|tx, ctx| {
            tx.set_meta(META_KEYRING, value)?;
            ctx.audit(
                tx,
                Record {
                    action: "vault.keyring",
                    secret_id: None,
                    target: "vault",
                    detail: serde_json::json!({ "enabled": enabled }),
                },
            )
        })?;
        self.keyring_enabled = enabled;
        Ok(state)
    }
}
