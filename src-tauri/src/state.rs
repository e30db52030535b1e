//! State managed once by Tauri: the vault (opened at start when it exists),
//! files the user handed over by dropping or picking them, activity for the
//! idle lock, and the one way the app locks.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use coffer_core::{ErrorCode, SystemClock, Vault};

use crate::error::{IpcError, IpcResult};
use crate::files::FileTokens;

/// Shared application state.
pub struct AppState {
    /// Where the vault lives (`COFFER_VAULT`, or the platform data directory).
    pub vault_path: PathBuf,
    /// The open vault, if any.
    pub vault: Arc<Mutex<Option<Vault>>>,
    /// Why the vault could not be opened, if it exists but failed to open.
    pub open_error: Mutex<Option<IpcError>>,
    /// Files dropped on the window or chosen in a native dialog.
    pub files: Mutex<FileTokens>,
    /// The last time a person did something: input the UI reports (`touch`),
    /// an unlock, "Run now". Commands in general do not count: the UI
    /// refetches and background checks would keep the vault open forever.
    pub last_activity: Mutex<Instant>,
    /// Wakes the expiry checker after a change that may move an expiry.
    pub expiry_wake: Arc<tokio::sync::Notify>,
    /// What job runs share (the OAuth 2.0 token cache, temporary files).
    pub run_context: coffer_jobs::RunContext,
    /// Whether the OS keyring may unlock the vault: at start only. After a
    /// lock, unlocking needs the quick-unlock PIN or the recovery passphrase.
    keyring_allowed: AtomicBool,
}

impl AppState {
    /// Resolves the vault path and opens the vault when it exists.
    pub fn from_env() -> Self {
        let vault_path = std::env::var_os("COFFER_VAULT")
            .map(PathBuf::from)
            .or_else(|| coffer_core::default_vault_path().ok())
            .unwrap_or_else(|| PathBuf::from("coffer-vault.db"));
        Self::new(vault_path)
    }

    /// State for the vault at `vault_path`, opened when it exists.
    pub fn new(vault_path: PathBuf) -> Self {
        let state = Self {
            vault_path,
            vault: Arc::new(Mutex::new(None)),
            open_error: Mutex::new(None),
            files: Mutex::new(FileTokens::default()),
            last_activity: Mutex::new(Instant::now()),
            expiry_wake: Arc::new(tokio::sync::Notify::new()),
            run_context: coffer_jobs::RunContext::default(),
            keyring_allowed: AtomicBool::new(true),
        };
        state.try_open();
        state
    }

    /// Opens the vault file if it exists and is not open yet.
    pub fn try_open(&self) {
        let Ok(mut slot) = self.vault.lock() else {
            return;
        };
        if slot.is_some() || !self.vault_path.exists() {
            return;
        }
        let result = Vault::open(&self.vault_path, Arc::new(SystemClock));
        let mut error = lock(&self.open_error);
        match result {
            Ok(vault) => {
                *slot = Some(vault);
                *error = None;
            }
            Err(e) => *error = Some(e.into()),
        }
    }

    /// At start, unlocks from the OS keyring at once, without waiting for the
    /// page to ask: called on a thread while the WebView starts, so the
    /// page's first question finds the vault unlocked (docs/benchmarks.md).
    /// Does nothing unless the keyring may unlock now (never after a lock)
    /// and the vault keeps its key there; any failure is left for the unlock
    /// screen, which asks the keyring again and shows why. Returns whether
    /// it unlocked.
    pub fn unlock_from_keyring_at_start(&self) -> bool {
        let mut slot = lock(&self.vault);
        let Some(vault) = slot.as_mut() else {
            return false;
        };
        if !self.keyring_allowed() || !vault.uses_keyring() || vault.is_unlocked() {
            return false;
        }
        let unlocked = matches!(
            vault.unlock_with_keyring(),
            Ok(coffer_core::KeyringUnlock::Unlocked)
        );
        if unlocked {
            // The idle lock counts from the unlock.
            self.touch();
        }
        unlocked
    }

    /// Asks the expiry checker to look again.
    pub fn expiry_changed(&self) {
        self.expiry_wake.notify_one();
    }

    /// Records that a person did something (the idle lock counts from it).
    pub fn touch(&self) {
        *lock(&self.last_activity) = Instant::now();
    }

    /// The one way the app locks (the Lock button, the tray, the idle lock):
    /// if `due` says so for the unlocked vault, drops its keys and forgets
    /// the OAuth tokens jobs fetched with them and the remote values cached
    /// for runs (and their key-vault clients). Returns whether it locked.
    pub fn lock_vault(&self, due: impl FnOnce(&Vault) -> bool) -> bool {
        let locked = {
            let mut slot = lock(&self.vault);
            match slot.as_mut() {
                Some(vault) if vault.is_unlocked() && due(vault) => {
                    vault.lock();
                    true
                }
                _ => false,
            }
        };
        if locked {
            self.keyring_allowed.store(false, Ordering::SeqCst);
            self.run_context.tokens.clear();
            // Remote values cached for runs go with the keys.
            self.run_context.remotes.clear();
        }
        locked
    }

    /// Whether the OS keyring may unlock the vault now (at start, never
    /// after a lock).
    pub fn keyring_allowed(&self) -> bool {
        self.keyring_allowed.load(Ordering::SeqCst)
    }

    /// Follows what other processes (the CLI) did to the vault while it is
    /// unlocked: one `PRAGMA data_version` when nothing changed. After
    /// another process rotated the master key, the keys held here are
    /// dropped (like a lock) so nothing is written with a dead key.
    pub fn follow_others(&self) -> Followed {
        let followed = {
            let mut slot = lock(&self.vault);
            let Some(vault) = slot.as_mut().filter(|v| v.holds_keys()) else {
                return Followed::Nothing;
            };
            match vault.refresh() {
                Ok(false) | Err(_) => Followed::Nothing,
                Ok(true) if vault.is_unlocked() => Followed::Changed,
                Ok(true) => {
                    vault.lock();
                    Followed::KeyReplaced
                }
            }
        };
        if followed == Followed::KeyReplaced {
            self.keyring_allowed.store(false, Ordering::SeqCst);
            self.run_context.tokens.clear();
            self.run_context.remotes.clear();
        }
        followed
    }

    /// Closes the vault for good (the app is exiting): drops its keys and
    /// the OAuth tokens, then the vault itself (its connection and lock).
    pub fn close(&self) {
        self.lock_now();
        drop(lock(&self.vault).take());
    }

    /// Locks now (the Lock button, the tray).
    pub fn lock_now(&self) {
        // Even over a locked vault: "Lock" always ends keyring unlocks.
        self.keyring_allowed.store(false, Ordering::SeqCst);
        if !self.lock_vault(|_| true) {
            // Already locked: a run that straddled that lock may have cached a token since.
            self.run_context.tokens.clear();
            self.run_context.remotes.clear();
        }
    }
}

/// What [`AppState::follow_others`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// Nothing changed (or the vault is locked).
    Nothing,
    /// Another process changed the vault: what the window shows is stale.
    Changed,
    /// Another process replaced the master key: the vault is locked now.
    KeyReplaced,
}

/// Locks a mutex, recovering from a panic in another holder.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `f` on the vault on a blocking thread, so the UI never waits on
/// SQLite or Argon2 inside the async runtime. Not user activity (see
/// [`AppState::last_activity`]).
pub async fn with_vault<T, F>(state: &AppState, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Vault) -> coffer_core::Result<T> + Send + 'static,
{
    let vault = Arc::clone(&state.vault);
    tauri::async_runtime::spawn_blocking(move || {
        let mut slot = lock(&vault);
        let vault = slot
            .as_mut()
            .ok_or_else(|| IpcError::new(ErrorCode::NoVault, "No vault is open yet."))?;
        f(vault).map_err(IpcError::from)
    })
    .await
    .map_err(|e| IpcError::internal(format!("a vault task failed: {e}")))?
}

/// Like [`with_vault`], for changes that may move an expiry: the expiry
/// checker looks again afterwards.
pub async fn with_vault_changing<T, F>(state: &AppState, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Vault) -> coffer_core::Result<T> + Send + 'static,
{
    let result = with_vault(state, f).await;
    state.expiry_changed();
    result
}

#[cfg(test)]
mod tests;
