//! Restoring a backup (`coffer vault backup`, the Settings card): into a new
//! vault file, or in place of the current one. The backup is first copied
//! beside the target and checked there (it opens with the current master key
//! or its recovery passphrase, every row's integrity tag and the whole audit
//! chain verify); only then does anything move. Replacing holds the vault
//! exclusively (DESIGN §5), keeps the old file as `.before-restore` until the
//! new one is open, resets the rollback check and is audited.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::SecretString;
use serde::Serialize;

use super::Vault;
use crate::audit::Record;
use crate::clock::{Clock, Timestamp};
use crate::crypto::MasterKey;
use crate::error::{Error, Result};
use crate::store::{self, Db, SecretCounts};

/// A vault file's counts and dates, shown before a restore is confirmed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct VaultSummary {
    /// The file.
    pub path: PathBuf,
    /// The vault's id.
    pub vault_id: String,
    /// Secret counts.
    pub counts: SecretCounts,
    /// Kept versions of the live secrets.
    pub versions: u32,
    /// Jobs.
    pub jobs: u32,
    /// When the vault was created.
    pub created_at: Option<Timestamp>,
    /// The newest audit entry's time: the last thing done in it.
    pub last_activity: Option<Timestamp>,
    /// Audit entries.
    pub audit_entries: u32,
}

/// Both sides of a restore in place, for the confirmation.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct RestorePreview {
    /// The vault that would be replaced.
    pub current: VaultSummary,
    /// The backup.
    pub backup: VaultSummary,
    /// Whether the backup is a copy of this vault (same id); a restore in
    /// place refuses another vault's backup.
    pub same_vault: bool,
    /// Audit entries of the backup that verified (its integrity check, key
    /// check, every row's tag and the whole chain passed).
    pub audit_entries_verified: u32,
}

/// What a restore did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// The restored vault, as it is now.
    pub restored: VaultSummary,
    /// The vault it replaced (restore in place).
    pub replaced: Option<VaultSummary>,
    /// Audit entries of the backup that verified.
    pub audit_entries_verified: u32,
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A backup copied beside its target; removed on drop unless published.
struct Staged {
    path: PathBuf,
}

impl Drop for Staged {
    fn drop(&mut self) {
        store::remove_staged(&self.path);
    }
}

impl Vault {
    /// This vault's counts and dates (readable while locked).
    pub fn summary(&self) -> Result<VaultSummary> {
        let read = self.store.read();
        let created_at = read
            .meta(super::keys::META_CREATED)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map(|b| Timestamp::from_unix(i64::from_be_bytes(b)));
        let newest = read.audit_recent(None, 1)?;
        let (versions, jobs) = read.version_and_job_counts()?;
        Ok(VaultSummary {
            path: self.path().to_owned(),
            vault_id: self.id(),
            counts: read.secret_counts(self.now())?,
            versions,
            jobs,
            created_at,
            last_activity: newest.first().map(|row| row.at),
            audit_entries: newest
                .first()
                .map_or(0, |row| u32::try_from(row.seq).unwrap_or(u32::MAX)),
        })
    }

    /// The current vault and a backup side by side, for the confirmation of
    /// a restore, after the backup was verified whole as a restore would
    /// verify it (SQLite's integrity check, the key check with the current
    /// master key or `recovery`, every row's tag, the audit chain). The
    /// backup is read from a copy; it is not changed, nor is this vault.
    pub fn restore_preview(
        &self,
        backup: &Path,
        recovery: Option<&SecretString>,
    ) -> Result<RestorePreview> {
        let staged = Staged {
            path: sibling(self.path(), ".restore-preview"),
        };
        store::stage_copy(backup, &staged.path)?;
        let (mut summary, verified) = {
            let mut other = Vault::open(&staged.path, Arc::clone(&self.clock))?;
            // A copy must never vouch for itself in the keyring (its older
            // audit head would trip the real vault's rollback check).
            other.keyring_enabled = false;
            if recovery.is_none() && other.vault_id != self.vault_id {
                return Err(Error::OtherVault {
                    reason: format!(
                        "{} is a backup of another vault ({}), not of this one ({}); give its \
                         recovery passphrase to check it and restore it into a new file",
                        backup.display(),
                        other.id(),
                        self.id()
                    ),
                });
            }
            let current = self.keys().ok().map(|k| &k.master);
            let (_, verified) = other.verify_staged(current, recovery)?;
            (other.summary()?, verified)
        };
        summary.path = backup.to_owned();
        Ok(RestorePreview {
            current: self.summary()?,
            same_vault: summary.vault_id == self.id(),
            backup: summary,
            audit_entries_verified: verified,
        })
    }

    /// Replaces this vault by a backup of it. The backup must be a copy of
    /// this vault (same id) and open with the current master key or, when it
    /// predates a key rotation, with its recovery passphrase. Refused with
    /// [`Error::InUse`] while another process has the vault open. Afterwards
    /// the vault is unlocked, the restore is audited, and the rollback check
    /// starts from the restored file.
    pub fn restore_replace(
        &mut self,
        backup: &Path,
        recovery: Option<&SecretString>,
    ) -> Result<RestoreReport> {
        let current = self.keys().ok().map(|k| &k.master);
        if current.is_none() && recovery.is_none() {
            return Err(Error::Locked);
        }
        if !self.active_runs.is_empty() {
            return Err(Error::Refused {
                name: "vault".into(),
                status: "running jobs; wait for them to finish before restoring".into(),
            });
        }
        let replaced = self.summary()?;
        let previous_end = self.store.read().audit_head()?.map(|(seq, _)| seq);
        let staged = Staged {
            path: sibling(self.path(), ".restoring"),
        };
        store::stage_copy(backup, &staged.path)?;
        let (master, verified) = {
            let mut other = Vault::open(&staged.path, Arc::clone(&self.clock))?;
            other.set_actor(self.actor.clone());
            if other.vault_id != self.vault_id {
                return Err(Error::OtherVault {
                    reason: format!(
                        "{} is a backup of another vault ({}), not of this one ({}); restore it \
                         into a new file instead",
                        backup.display(),
                        other.id(),
                        self.id()
                    ),
                });
            }
            let (master, verified) = other.verify_staged(current, recovery)?;
            let detail = serde_json::json!({
                "backup": backup.display().to_string(),
                "mode": "replace",
                "previous_end": previous_end,
                "verified_entries": verified,
            });
            other.write(|tx, ctx| {
                ctx.audit(
                    tx,
                    Record {
                        action: "vault.restore",
                        secret_id: None,
                        target: "vault",
                        detail,
                    },
                )
            })?;
            // The staged copy must not vouch for itself in the keyring: the
            // rollback check moves only once the swap succeeded.
            other.keyring_enabled = false;
            (master, verified)
        };
        self.store.replace_with(&staged.path)?;
        drop(staged);
        // The vault is now the restored file: reload what was read from the old one.
        self.keys = None;
        self.quick = None;
        self.run_keys = None;
        let read = self.store.read();
        self.keyring_enabled = read.meta(super::keys::META_KEYRING)?.as_deref() == Some(b"enabled");
        self.settings = super::settings::load(read)?;
        self.finish_unlock_with(MasterKey::from_bytes(master.bytes())?, "restore", false)?;
        if self.keyring_enabled {
            // A backup from before a key rotation has the older key.
            let _ = super::keys::keyring_store(&self.id(), &master);
        }
        self.saved_head = None;
        self.save_head();
        Ok(RestoreReport {
            restored: self.summary()?,
            replaced: Some(replaced),
            audit_entries_verified: verified,
        })
    }

    /// Restores a backup into a new vault file at `dest` (which must not
    /// exist), after the same checks as a restore in place, with the
    /// backup's recovery passphrase. The new file keeps the vault's id; it
    /// does not use the OS keyring (the original vault's entry stays the
    /// original's): it opens with the recovery passphrase, and the keyring
    /// can be turned on for it in Settings.
    pub fn restore_into(
        backup: &Path,
        dest: &Path,
        recovery: &SecretString,
        clock: Arc<dyn Clock>,
    ) -> Result<RestoreReport> {
        if std::fs::symlink_metadata(dest).is_ok() {
            return Err(Error::VaultExists {
                path: dest.to_owned(),
            });
        }
        store::ensure_parent(dest)?;
        let staged = Staged {
            path: sibling(dest, ".restoring"),
        };
        store::stage_copy(backup, &staged.path)?;
        let verified = {
            let mut other = Vault::open(&staged.path, clock.clone())?;
            let (_, verified) = other.verify_staged(None, Some(recovery))?;
            let detail = serde_json::json!({
                "backup": backup.display().to_string(),
                "mode": "new_file",
                "path": dest.display().to_string(),
                "verified_entries": verified,
            });
            other.write(|tx, ctx| {
                tx.set_meta(super::keys::META_KEYRING, b"disabled")?;
                ctx.audit(
                    tx,
                    Record {
                        action: "vault.restore",
                        secret_id: None,
                        target: "vault",
                        detail,
                    },
                )
            })?;
            other.keyring_enabled = false;
            verified
        };
        store::publish(&staged.path, dest)?;
        drop(staged);
        let restored = Vault::open(dest, clock)?.summary()?;
        Ok(RestoreReport {
            restored,
            replaced: None,
            audit_entries_verified: verified,
        })
    }

    /// Opens a staged backup with `current` (when it matches) or the
    /// recovery passphrase, and verifies it whole: SQLite's integrity check,
    /// every row's tag, the audit chain. Returns its master key and how many
    /// audit entries verified.
    fn verify_staged(
        &mut self,
        current: Option<&MasterKey>,
        recovery: Option<&SecretString>,
    ) -> Result<(MasterKey, u32)> {
        let problems = self.integrity_check()?;
        if !problems.is_empty() {
            return Err(Error::Unreadable {
                what: "the backup".into(),
                reason: format!("SQLite's integrity check failed: {}", problems.join("; ")),
            });
        }
        let master = match (current, recovery) {
            (Some(key), _) if self.key_matches(key)? => MasterKey::from_bytes(key.bytes())?,
            (_, Some(passphrase)) => self.open_recovery(passphrase)?.0,
            _ => {
                return Err(Error::invalid(
                    "passphrase",
                    "the backup does not open with the current master key (it predates a key \
                     rotation); give its recovery passphrase",
                ));
            }
        };
        self.install_keys(MasterKey::from_bytes(master.bytes())?)?;
        self.verify_all_rows()?;
        let audit = self.verify_audit()?;
        if !audit.ok {
            return Err(Error::Tampered {
                what: format!(
                    "the backup's audit log (entry {}: {})",
                    audit.first_broken.unwrap_or(0),
                    audit.reason.unwrap_or_default()
                ),
            });
        }
        Ok((master, audit.entries))
    }
}
