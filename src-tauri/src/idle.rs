//! Locks the vault after the configured minutes without user activity.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::events::VaultLocked;
use crate::state::{AppState, lock};

/// Starts the idle watcher.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(15)).await;
            if lock_if_idle(&app.state::<AppState>()) {
                let _ = VaultLocked {
                    reason: "idle".into(),
                }
                .emit(&app);
            }
        }
    });
}

/// Locks when the time since a person's last activity reached the setting.
pub(crate) fn lock_if_idle(state: &AppState) -> bool {
    let idle = lock(&state.last_activity).elapsed();
    state.lock_vault(|vault| is_due(vault.settings().idle_lock_minutes, idle))
}

/// Whether `idle` reached the setting (`0` turns the idle lock off).
pub(crate) fn is_due(minutes: u32, idle: Duration) -> bool {
    minutes > 0 && idle >= Duration::from_secs(u64::from(minutes) * 60)
}
