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
            let state = app.state::<AppState>();
            let idle = lock(&state.last_activity).elapsed();
            let locked_now = {
                let mut slot = lock(&state.vault);
                match slot.as_mut() {
                    Some(vault) if vault.is_unlocked() => {
                        let minutes = vault.settings().idle_lock_minutes;
                        let due =
                            minutes > 0 && idle >= Duration::from_secs(u64::from(minutes) * 60);
                        if due {
                            vault.lock();
                        }
                        due
                    }
                    _ => false,
                }
            };
            if locked_now {
                let _ = VaultLocked {
                    reason: "idle".into(),
                }
                .emit(&app);
            }
        }
    });
}
