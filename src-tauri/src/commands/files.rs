//! Files: the native picker, and reading key/value files.

use coffer_core::ExposeSecret;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::dto::FieldValue;
use crate::error::{IpcError, IpcResult};
use crate::files::{self, HandedFile};
use crate::state::{AppState, lock};

/// Shows the native file dialog; the chosen files become tokens.
#[tauri::command]
#[specta::specta]
pub async fn pick_files(
    app: AppHandle,
    title: String,
    multiple: bool,
) -> IpcResult<Vec<HandedFile>> {
    let handle = app.clone();
    let picked = tauri::async_runtime::spawn_blocking(move || {
        let dialog = crate::dialogs::file_dialog(&handle).set_title(title);
        if multiple {
            dialog.blocking_pick_files()
        } else {
            dialog.blocking_pick_file().map(|f| vec![f])
        }
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let paths: Vec<std::path::PathBuf> = picked
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect();
    Ok(files::register(&app, &paths))
}

/// One row of a key/value file.
#[derive(Debug, Serialize, specta::Type)]
pub struct KeyValueRow {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Reads a `.env` or JSON file into rows for the key/value form.
#[tauri::command]
#[specta::specta]
pub fn read_key_value_file(
    state: State<'_, AppState>,
    source: FieldValue,
) -> IpcResult<Vec<KeyValueRow>> {
    let (bytes, _) = source.bytes(&lock(&state.files))?;
    let entries = coffer_core::secret::parse_key_values(&bytes)?;
    Ok(entries
        .into_iter()
        .map(|(key, value)| KeyValueRow {
            key,
            value: value.expose_secret().to_owned(),
        })
        .collect())
}
