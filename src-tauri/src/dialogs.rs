//! Native file dialogs: every one opens away from the vault's directory.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};

use crate::state::AppState;

/// A file dialog that starts in the person's Documents (else home, else the
/// temporary directory), never in the vault's own directory: GTK's chooser
/// opens and closes the files it lists to guess their types, and on Linux
/// that drops this process's POSIX locks on them, SQLite's included (see
/// docs/design.md, Storage; the core no longer loses commits when it happens).
pub fn file_dialog(app: &AppHandle) -> FileDialogBuilder<Wry> {
    let builder = app.dialog().file();
    match start_dir(app) {
        Some(dir) => builder.set_directory(dir),
        None => builder,
    }
}

fn start_dir(app: &AppHandle) -> Option<PathBuf> {
    let vault_dir = app
        .state::<AppState>()
        .vault_path
        .parent()
        .map(|p| p.to_path_buf());
    let paths = app.path();
    [
        paths.document_dir().ok(),
        paths.home_dir().ok(),
        Some(std::env::temp_dir()),
    ]
    .into_iter()
    .flatten()
    .find(|dir| dir.is_dir() && Some(dir) != vault_dir.as_ref())
}
