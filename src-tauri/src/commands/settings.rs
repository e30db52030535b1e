//! Settings.

use coffer_core::Settings;
use tauri::State;

use crate::error::IpcResult;
use crate::state::{AppState, with_vault, with_vault_changing};

/// The vault's settings.
#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    with_vault(&state, |v| Ok(v.settings().clone())).await
}

/// Replaces the settings.
#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> IpcResult<Settings> {
    with_vault_changing(&state, move |v| {
        v.update_settings(settings)?;
        Ok(v.settings().clone())
    })
    .await
}

/// Matches the native window (title bar, background) to the page's light or
/// dark palette, and shows the window on the page's first paint.
#[tauri::command]
#[specta::specta]
pub fn window_theme(window: tauri::WebviewWindow, dark: bool) {
    crate::window::apply_theme(&window, dark);
}
