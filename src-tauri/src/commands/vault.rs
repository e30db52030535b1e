//! Creating, unlocking and locking the vault; rotation, passphrase, backup.

use std::sync::Arc;

use coffer_core::{
    AuditVerification, CreateOptions, ErrorCode, KeyringState, KeyringUnlock, PassphraseUnlock,
    PinUnlock, SystemClock, Vault, VaultStatus,
};
use tauri::{AppHandle, State};

use crate::dto::{AppStatus, SecretInput};
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, lock, with_vault};

/// Where the vault is and whether it exists, opened and unlocked.
#[tauri::command]
#[specta::specta]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    state.try_open();
    let (unlocked, quick_unlock, uses_keyring) = lock(&state.vault)
        .as_ref()
        .map_or((false, false, false), |v| {
            (v.is_unlocked(), v.has_quick_unlock(), v.uses_keyring())
        });
    AppStatus {
        vault_path: state.vault_path.display().to_string(),
        exists: state.vault_path.exists(),
        open_error: lock(&state.open_error).clone(),
        unlocked,
        keyring_allowed: state.keyring_allowed(),
        quick_unlock,
        uses_keyring,
    }
}

/// Creates the vault (first run); returns what became of the keyring copy.
#[tauri::command]
#[specta::specta]
pub async fn create_vault(
    state: State<'_, AppState>,
    passphrase: SecretInput,
    use_keyring: bool,
) -> IpcResult<KeyringState> {
    let path = state.vault_path.clone();
    let slot = Arc::clone(&state.vault);
    let result = tauri::async_runtime::spawn_blocking(move || {
        let mut options = CreateOptions::new(passphrase.to_secret());
        options.use_keyring = use_keyring;
        let (vault, keyring) = Vault::create(&path, options, Arc::new(SystemClock))?;
        *lock(&slot) = Some(vault);
        Ok(keyring)
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    state.touch();
    state.expiry_changed();
    result
}

/// Unlocks with the OS keyring, or says why the passphrase is needed.
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_keyring(state: State<'_, AppState>) -> IpcResult<KeyringUnlock> {
    if !state.keyring_allowed() {
        return Err(IpcError::new(
            ErrorCode::Locked,
            "After a lock, Coffer unlocks with your quick-unlock PIN or the recovery passphrase, \
             not the OS keyring.",
        ));
    }
    // The idle lock counts from the unlock, not from input before a lock.
    state.touch();
    with_vault(&state, Vault::unlock_with_keyring).await
}

/// Unlocks with the recovery passphrase.
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_passphrase(
    state: State<'_, AppState>,
    passphrase: SecretInput,
) -> IpcResult<PassphraseUnlock> {
    state.touch();
    with_vault(&state, move |v| {
        v.unlock_with_passphrase(&passphrase.to_secret())
    })
    .await
}

/// Unlocks with the quick-unlock PIN (after a lock). Three wrong PINs turn
/// quick unlock off; the recovery passphrase is then needed.
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_pin(state: State<'_, AppState>, pin: SecretInput) -> IpcResult<PinUnlock> {
    state.touch();
    with_vault(&state, move |v| v.unlock_with_pin(&pin.to_secret())).await
}

/// Sets the quick-unlock PIN for this session: a lock keeps the master key
/// in memory, sealed under a key derived from it. Nothing is written to disk.
#[tauri::command]
#[specta::specta]
pub async fn set_quick_unlock(state: State<'_, AppState>, pin: SecretInput) -> IpcResult<()> {
    with_vault(&state, move |v| v.set_quick_unlock(&pin.to_secret())).await
}

/// Turns quick unlock off (the sealed key is dropped).
#[tauri::command]
#[specta::specta]
pub async fn clear_quick_unlock(state: State<'_, AppState>) -> IpcResult<()> {
    with_vault(&state, |v| {
        v.clear_quick_unlock();
        Ok(())
    })
    .await
}

/// Locks now (and forgets cached OAuth tokens).
#[tauri::command]
#[specta::specta]
pub async fn lock_vault(state: State<'_, AppState>) -> IpcResult<()> {
    state.lock_now();
    Ok(())
}

/// Path, keyring state, counts and settings.
#[tauri::command]
#[specta::specta]
pub async fn vault_status(state: State<'_, AppState>) -> IpcResult<VaultStatus> {
    with_vault(&state, |v| v.status()).await
}

/// Replaces the master key (needs the recovery passphrase).
#[tauri::command]
#[specta::specta]
pub async fn rotate_master_key(
    state: State<'_, AppState>,
    passphrase: SecretInput,
) -> IpcResult<KeyringState> {
    with_vault(&state, move |v| {
        v.rotate_master_key(&passphrase.to_secret())
    })
    .await
}

/// Changes the recovery passphrase.
#[tauri::command]
#[specta::specta]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    old_passphrase: SecretInput,
    new_passphrase: SecretInput,
) -> IpcResult<()> {
    with_vault(&state, move |v| {
        v.change_passphrase(&old_passphrase.to_secret(), &new_passphrase.to_secret())
    })
    .await
}

/// Keeps (or stops keeping) the master key in the OS keyring.
#[tauri::command]
#[specta::specta]
pub async fn set_keyring(state: State<'_, AppState>, enabled: bool) -> IpcResult<KeyringState> {
    with_vault(&state, move |v| v.set_keyring(enabled)).await
}

/// A backup's default file name, dated: `coffer-backup-2026-12-07.db`. The
/// date is the person's own (`local_date`, `YYYY-MM-DD` from the page, which
/// knows the time zone), else the UTC date.
pub(crate) fn backup_file_name(now: coffer_core::Timestamp, local_date: Option<&str>) -> String {
    let is_date = |d: &&str| {
        d.len() == 10
            && d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    };
    if let Some(date) = local_date.filter(is_date) {
        return format!("coffer-backup-{date}.db");
    }
    let date = now.to_datetime().date();
    format!(
        "coffer-backup-{:04}-{:02}-{:02}.db",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Asks where to save a backup, then writes it; `None` when cancelled.
/// `local_date` (`YYYY-MM-DD`, the person's day) dates the suggested name.
#[tauri::command]
#[specta::specta]
pub async fn backup_vault(
    app: AppHandle,
    state: State<'_, AppState>,
    local_date: Option<String>,
) -> IpcResult<Option<String>> {
    let name = backup_file_name(coffer_core::Clock::now(&SystemClock), local_date.as_deref());
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::file_dialog(&app)
            .set_title("Back up the vault")
            .set_file_name(name)
            .add_filter("Coffer vault", &["db"])
            .blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    with_vault(&state, move |v| v.backup_to(&path)).await?;
    Ok(Some(shown))
}

/// Checks the audit log's chain.
#[tauri::command]
#[specta::specta]
pub async fn verify_audit(state: State<'_, AppState>) -> IpcResult<AuditVerification> {
    with_vault(&state, |v| v.verify_audit()).await
}

/// Records that a person used the window (key, pointer, wheel): the idle
/// lock counts from the last time. The UI sends it, throttled; nothing else
/// it does counts.
#[tauri::command]
#[specta::specta]
pub fn touch(state: State<'_, AppState>) {
    state.touch();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn a_backup_is_named_after_its_day() {
        let at = coffer_core::Timestamp::parse("t", "2026-12-07T23:59:59Z").unwrap();
        assert_eq!(
            super::backup_file_name(at, None),
            "coffer-backup-2026-12-07.db"
        );
        let at = coffer_core::Timestamp::parse("t", "2027-01-02T00:00:00Z").unwrap();
        assert_eq!(
            super::backup_file_name(at, None),
            "coffer-backup-2027-01-02.db"
        );
        // The person's own day wins (east of UTC it is already tomorrow).
        assert_eq!(
            super::backup_file_name(at, Some("2027-01-02")),
            "coffer-backup-2027-01-02.db"
        );
        let evening = coffer_core::Timestamp::parse("t", "2026-12-07T23:30:00Z").unwrap();
        assert_eq!(
            super::backup_file_name(evening, Some("2026-12-08")),
            "coffer-backup-2026-12-08.db"
        );
        // Anything else is not a date, and is not let into a file name.
        for bad in ["../../etc/x", "2026-12-7", "2026/12/07", "20261207xx", ""] {
            assert_eq!(
                super::backup_file_name(evening, Some(bad)),
                "coffer-backup-2026-12-07.db"
            );
        }
    }
}
