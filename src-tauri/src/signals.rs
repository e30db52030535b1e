//! SIGTERM and SIGINT end the app cleanly: the vault is closed (keys
//! dropped, connection and lock released) and the app exits through its
//! handle, so the event loop ends, the WebView is destroyed and WebKit's
//! child processes (web, network) go with it instead of outliving the app.
//! A second signal while that is under way exits at once.

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// Handles SIGTERM and SIGINT from now on; a failure to install the handlers
/// only leaves the default action.
#[cfg(unix)]
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("coffer-desktop: no SIGTERM/SIGINT handler: {e}");
            return;
        }
    };
    let app = app.clone();
    std::thread::spawn(move || {
        let mut forever = signals.forever();
        if forever.next().is_none() {
            return;
        }
        app.state::<AppState>().close();
        app.exit(0);
        if let Some(signal) = forever.next() {
            std::process::exit(128 + signal);
        }
    });
}

/// Elsewhere the default actions stay.
#[cfg(not(unix))]
pub fn spawn<R: Runtime>(_app: &AppHandle<R>) {}
