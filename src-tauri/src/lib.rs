//! Coffer's desktop shell: thin Tauri commands over `coffer-core`'s `Vault`,
//! typed bindings, file intake by drop and dialog, the tray, expiry
//! notifications and the idle lock.
#![forbid(unsafe_code)]

pub mod bindings;
mod clipboard;
mod commands;
mod deploy;
mod dialogs;
mod dto;
mod error;
mod events;
mod files;
mod idle;
mod import_dto;
mod ipc_limit;
mod notify;
mod schedule;
mod shared;
mod signals;
mod state;
mod tray;
mod watch;
mod window;

use tauri::Manager;

/// Runs the app.
pub fn run() {
    let commands = bindings::builder();
    let state = state::AppState::from_env();
    let wake = std::sync::Arc::clone(&state.expiry_wake);
    let result = tauri::Builder::default()
        // First, so a second launch only focuses the running one.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show_main(app)
        }))
        .plugin(
            // Visibility is the page's to decide (see window::apply_theme).
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state)
        .manage(commands::keyvaults::TestResults::default())
        .manage(import_dto::ImportSession::default())
        .manage(std::sync::Arc::new(shared::Shared::default()))
        .invoke_handler(ipc_limit::limited(commands.invoke_handler()))
        .on_window_event(files::on_window_event)
        .setup(move |app| {
            // The keyring unlock overlaps the WebView's start-up.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                handle
                    .state::<state::AppState>()
                    .unlock_from_keyring_at_start();
            });
            commands.mount_events(app);
            // Key files that runs of a killed Coffer left behind (only those
            // whose process is gone: the CLI may be running a job now).
            coffer_jobs::scratch::remove_stale_scratch();
            if let Err(e) = tray::create(app) {
                eprintln!("coffer-desktop: no tray icon: {e}");
            }
            notify::spawn(app.handle(), wake);
            idle::spawn(app.handle());
            schedule::spawn(app.handle());
            deploy::spawn(app.handle());
            watch::spawn(app.handle());
            shared::spawn(app.handle());
            signals::spawn(app.handle());
            if let Some(window) = app.get_webview_window("main") {
                window::tune_webview(&window);
                window::trim_webview_caches(&window);
                let _ = window.set_title("Coffer");
            }
            window::show_if_page_is_silent(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("coffer-desktop: {e}");
        std::process::exit(1);
    }
}
