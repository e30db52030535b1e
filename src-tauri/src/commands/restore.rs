//! Restoring a backup from Settings: pick the file (native dialog), see both
//! vaults side by side once the backup verified, then restore it into a new
//! file or in place of this vault.

use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::{RestorePreview, RestoreReport, SystemClock, Vault};
use tauri::{AppHandle, State};

use crate::dto::SecretInput;
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, with_vault, with_vault_changing};

/// Asks for a backup file, then verifies it whole (integrity, key check
/// with this vault's key or `recovery`, row tags, audit chain) and returns
/// both vaults' counts and dates; `None` when cancelled. Nothing changes.
#[tauri::command]
#[specta::specta]
pub async fn pick_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    recovery: Option<SecretInput>,
) -> IpcResult<Option<RestorePreview>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::file_dialog(&app)
            .set_title("Restore from a backup")
            .add_filter("Coffer vault", &["db"])
            .blocking_pick_file()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let recovery = recovery.map(|r| r.to_secret());
    with_vault(&state, move |v| v.restore_preview(&path, recovery.as_ref()))
        .await
        .map(Some)
}

/// Asks where the new vault file goes, then restores `backup` there (with
/// the backup's recovery passphrase); this vault is not touched. `None`
/// when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn restore_into_new_file(
    app: AppHandle,
    backup: String,
    recovery: SecretInput,
) -> IpcResult<Option<RestoreReport>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::file_dialog(&app)
            .set_title("Restore into a new vault file")
            .set_file_name("coffer-restored.db")
            .add_filter("Coffer vault", &["db"])
            .blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let Some(dest) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let recovery = recovery.to_secret();
    tauri::async_runtime::spawn_blocking(move || {
        Vault::restore_into(
            &PathBuf::from(backup),
            &dest,
            &recovery,
            Arc::new(SystemClock),
        )
        .map_err(IpcError::from)
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?
    .map(Some)
}

/// Replaces this vault by `backup` (a backup of it), after the same checks;
/// the vault stays unlocked on the restored file.
#[tauri::command]
#[specta::specta]
pub async fn restore_replace_vault(
    state: State<'_, AppState>,
    backup: String,
    recovery: Option<SecretInput>,
) -> IpcResult<RestoreReport> {
    let recovery = recovery.map(|r| r.to_secret());
    state.touch();
    with_vault_changing(&state, move |v| {
        v.restore_replace(&PathBuf::from(backup), recovery.as_ref())
    })
    .await
}
