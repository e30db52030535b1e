//! Start-up work that overlaps the WebView's own start.

use tauri::{AppHandle, Manager, Runtime};

use crate::state::{AppState, lock};

/// Opens the vault and tries the OS keyring on a thread while WebKit starts
/// its processes and loads the page (about 300 ms), instead of after the page
/// asks: by the time the UI asks for the app status, the vault is usually
/// unlocked and the first page of secrets can be read at once. Only at
/// start, as the UI's silent keyring unlock: after a lock the UI asks.
/// A failure changes nothing: the UI then unlocks as before and shows why.
pub fn unlock_early<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("coffer-unlock-early".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            state.try_open();
            // The idle lock counts from the unlock, as in the command.
            state.touch();
            let mut slot = lock(&state.vault);
            if let Some(vault) = slot.as_mut().filter(|v| !v.is_unlocked()) {
                let _ = vault.unlock_with_keyring();
            }
        });
    if let Err(e) = spawned {
        eprintln!("coffer-desktop: no early unlock: {e}");
    }
}
