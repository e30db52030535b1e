//! The `Vault` facade: the one API that the desktop shell, the CLI and the
//! tests use. Nothing outside the core touches SQL or keys.

mod audit_page;
mod deployments;
mod export;
mod import_batch;
mod imports;
mod integrity;
mod jobs;
mod keys;
mod lifecycle;
mod managers;
mod notices;
mod quick;
mod read;
mod register;
mod rename;
mod restore;
mod rollback;
mod save;
mod seal;
mod settings;
mod shared;
mod team_identity;
mod team_queue;
mod team_replica;
pub(crate) mod update;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

pub use export::{
    ExportEncryption, ExportOptions, ExportPreview, ExportScope, ExportSummary, Exported,
};
pub(crate) use jobs::check_new_job;
pub use keys::{CreateOptions, KeyringUnlock, PassphraseUnlock};
pub use lifecycle::PurgeReason;
pub use notices::ExpiryNotice;
pub use quick::{PIN_MIN_CHARS, PIN_TRIES, PinUnlock};
pub use read::{Disclosure, RevealedField, SecretUse, UsePolicyNote};
pub use register::Registered;
pub use rename::Renamed;
pub(crate) use rename::rename_placeholders_by;
pub use restore::{RestorePreview, RestoreReport, VaultSummary};
pub use save::FileForm;
pub use settings::{ExpiredPolicy, Settings};
pub use team_identity::TeamIdentityInfo;
pub use team_queue::QueuedEntry;
pub use team_replica::ReplicaState;

use crate::audit::{self, Record};
use crate::clock::{Clock, Timestamp};
use crate::crypto::Key32;
use crate::error::{Error, Result};
use crate::os_keyring::KeyringState;
use crate::secret::{SecretId, SecretRef};
use crate::store::{Db, Sealer, SecretCounts, SecretRow, Store, StoreTx};

/// Keys held while the vault is unlocked; dropped (and zeroized) on lock.
struct Keys {
    master: crate::crypto::MasterKey,
    audit: Key32,
    rows: integrity::RowKeys,
    /// The key-check value these keys match; another process's rotation
    /// changes the stored one.
    check: [u8; 32],
}

/// An open vault: a file held by this process, locked or unlocked.
pub struct Vault {
    store: Store,
    keys: Option<Keys>,
    clock: Arc<dyn Clock>,
    actor: String,
    vault_id: [u8; 16],
    keyring_enabled: bool,
    settings: Settings,
    /// Runs this vault started and has not finished: run id → job row id.
    active_runs: std::collections::HashMap<i64, i64>,
    /// When each of those runs started (their durations are measured here:
    /// the clock's timestamps are whole seconds).
    run_clocks: std::collections::HashMap<i64, std::time::Instant>,
    /// The master key wrapped by a quick-unlock PIN (memory only).
    quick: Option<quick::QuickUnlock>,
    /// While runs are under way, the keys they need to record their end even
    /// after the vault was locked (row tags and run logs; no value keys).
    run_keys: Option<integrity::RowKeys>,
    /// The audit entry last saved to the OS keyring for rollback detection.
    saved_head: Option<i64>,
    /// `PRAGMA data_version` when the keys were last found current.
    seen_version: std::cell::Cell<i64>,
    /// `PRAGMA data_version` at the last [`Vault::refresh`].
    polled_version: i64,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.store.path())
            .field("unlocked", &self.keys.is_some())
            .finish_non_exhaustive()
    }
}

/// A vault's state, readable while locked.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct VaultStatus {
    /// The file.
    pub path: PathBuf,
    /// The vault's id.
    pub vault_id: String,
    /// Whether keys are held.
    pub unlocked: bool,
    /// The OS keyring's copy of the master key.
    pub keyring: KeyringState,
    /// Secret counts.
    pub counts: SecretCounts,
    /// Schema version of the file.
    pub schema_version: u32,
    /// Settings.
    pub settings: Settings,
}

/// The default vault path: `coffer/vault.db` in the platform data directory
/// (`$XDG_DATA_HOME` or `~/.local/share` on Linux).
pub fn default_vault_path() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("coffer").join("vault.db"))
        .ok_or_else(|| Error::invalid("vault", "no data directory is known; pass --vault PATH"))
}

/// Who acts, for audit entries: the login name, else the home directory's name.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            dirs::home_dir()
                .and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()))
                .filter(|n| !n.is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

impl Vault {
    /// Opens an existing vault, locked.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let store = Store::open(path)?;
        Self::from_store(store, clock)
    }

    fn from_store(store: Store, clock: Arc<dyn Clock>) -> Result<Self> {
        let read = store.read();
        let vault_id: [u8; 16] = read
            .meta(keys::META_VAULT_ID)?
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| Error::Corrupt {
                reason: "the vault id is missing".into(),
            })?;
        let keyring_enabled = read.meta(keys::META_KEYRING)?.as_deref() == Some(b"enabled");
        let settings = settings::load(read)?;
        let version = store.data_version()?;
        Ok(Self {
            store,
            keys: None,
            clock,
            actor: os_user(),
            vault_id,
            keyring_enabled,
            settings,
            active_runs: std::collections::HashMap::new(),
            run_clocks: std::collections::HashMap::new(),
            quick: None,
            run_keys: None,
            saved_head: None,
            seen_version: std::cell::Cell::new(version),
            polled_version: version,
        })
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// The vault's id (a UUID).
    pub fn id(&self) -> String {
        uuid::Uuid::from_bytes(self.vault_id).to_string()
    }

    /// Whether keys are held (and still open the vault).
    pub fn is_unlocked(&self) -> bool {
        self.keys().is_ok()
    }

    /// Whether this vault keeps its master key in the OS keyring.
    pub fn uses_keyring(&self) -> bool {
        self.keyring_enabled
    }

    /// Whether keys are held, current or not: a holder whose keys another
    /// process's rotation made stale is not [`Vault::is_unlocked`] but still
    /// holds them until [`Vault::refresh`] or [`Vault::lock`] drops them.
    pub fn holds_keys(&self) -> bool {
        self.keys.is_some()
    }

    /// Drops the keys. Listing still works; values need an unlock. Runs
    /// under way keep what they need to record their end.
    pub fn lock(&mut self) {
        self.save_head();
        self.keys = None;
    }

    /// Names who acts in audit entries (default: the OS user).
    pub fn set_actor(&mut self, actor: impl Into<String>) {
        self.actor = actor.into();
    }

    /// Now, by the vault's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The vault's state.
    pub fn status(&self) -> Result<VaultStatus> {
        let keyring = if self.keyring_enabled {
            crate::os_keyring::state(&self.id())
        } else {
            KeyringState::Disabled
        };
        Ok(VaultStatus {
            path: self.path().to_owned(),
            vault_id: self.id(),
            unlocked: self.is_unlocked(),
            keyring,
            counts: self.store.read().secret_counts(self.now())?,
            schema_version: crate::store::schema_version(&self.store)?,
            settings: self.settings.clone(),
        })
    }

    /// `PRAGMA integrity_check`: the problems found (empty when healthy).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.store.integrity_check()
    }

    /// Copies the vault to a new file with SQLite's backup API.
    pub fn backup_to(&mut self, dest: &Path) -> Result<()> {
        self.keys()?;
        self.store.backup_to(dest)?;
        let target = dest.display().to_string();
        self.write(|tx, v| {
            v.audit(
                tx,
                Record {
                    action: "vault.backup",
                    secret_id: None,
                    target: &target,
                    detail: serde_json::json!({}),
                },
            )
        })
    }

    fn keys(&self) -> Result<&Keys> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        self.keys_current(self.store.read(), &keys.check)?;
        Ok(keys)
    }

    /// Runs `f` in one write transaction, committed only if it succeeds.
    fn write<T>(&mut self, f: impl FnOnce(&StoreTx<'_>, &VaultCtx<'_>) -> Result<T>) -> Result<T> {
        let ctx = VaultCtx {
            keys: self.keys.as_ref(),
            now: self.clock.now(),
            actor: &self.actor,
            settings: &self.settings,
        };
        let sealer = self
            .keys
            .as_ref()
            .map(|k| &k.rows)
            .or(self.run_keys.as_ref())
            .map(|k| k as &dyn Sealer);
        let tx = self.store.write(sealer)?;
        // Inside the write lock: no rotation can slip in between this check
        // and the write.
        if let Some(keys) = ctx.keys {
            let stored = tx.read().meta(keys::META_KEY_CHECK)?.unwrap_or_default();
            if !bool::from(subtle::ConstantTimeEq::ct_eq(&keys.check[..], &stored[..])) {
                return Err(Error::KeyReplaced);
            }
        }
        let value = f(&tx, &ctx)?;
        tx.commit()?;
        Ok(value)
    }

    /// A secret's row (live or trashed), its integrity checked when unlocked.
    fn find(&self, secret: &SecretRef) -> Result<SecretRow> {
        let row = find_in(self.store.read(), secret)?;
        self.check_secret(&row)?;
        Ok(row)
    }
}

fn find_in(read: crate::store::Reader<'_>, secret: &SecretRef) -> Result<SecretRow> {
    let row = match secret {
        SecretRef::Id(id) => read.secret_by_id(id)?,
        SecretRef::Name { org, name } => read.secret_by_name(org, name)?,
    };
    row.ok_or_else(|| Error::secret_not_found(secret.describe()))
}

/// What a write needs besides the transaction.
struct VaultCtx<'a> {
    keys: Option<&'a Keys>,
    now: Timestamp,
    actor: &'a str,
    settings: &'a Settings,
}

impl VaultCtx<'_> {
    fn keys(&self) -> Result<&Keys> {
        self.keys.ok_or(Error::Locked)
    }

    fn audit(&self, tx: &StoreTx<'_>, record: Record<'_>) -> Result<()> {
        audit::append(tx, &self.keys()?.audit, self.now, self.actor, record).map(drop)
    }

    fn audit_secret(
        &self,
        tx: &StoreTx<'_>,
        action: &str,
        id: &SecretId,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        self.audit(
            tx,
            Record {
                action,
                secret_id: Some(id),
                target,
                detail,
            },
        )
    }
}

/// How a secret is named in audit entries and messages: `org:name`.
fn target_of(row: &SecretRow) -> String {
    format!("{}:{}", row.org, row.name)
}
