//! Follows other processes on the same vault (the CLI beside the app): about
//! once a second while unlocked, one `PRAGMA data_version`; when another
//! process changed the vault the page refreshes what it shows, and after
//! another process rotated the master key the app locks and says why.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::events::{VaultChanged, VaultLocked};
use crate::state::{AppState, Followed};

/// How often the vault file is looked at.
const POLL: Duration = Duration::from_secs(1);

/// Starts the watcher for the life of the app.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(POLL).await;
            let handle = app.clone();
            let followed = tauri::async_runtime::spawn_blocking(move || {
                handle.state::<AppState>().follow_others()
            })
            .await
            .unwrap_or(Followed::Nothing);
            match followed {
                Followed::Nothing => {}
                Followed::Changed => {
                    let _ = VaultChanged {}.emit(&app);
                }
                Followed::KeyReplaced => {
                    let _ = VaultLocked {
                        reason: "key_replaced".into(),
                    }
                    .emit(&app);
                }
            }
        }
    });
}
