//! Files enter the app only by a user's act: dropped on the window or chosen
//! in a native dialog. Rust records their paths and hands the UI opaque
//! tokens; the UI can never make the shell read a path of its choosing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};
use tauri_specta::Event;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, lock};

/// How long a token stays valid.
const TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Largest file accepted (a secret is at most 4 MiB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A file the user handed over.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HandedFile {
    /// Opaque token to pass back to commands.
    pub token: String,
    /// The file's name (no directories).
    pub name: String,
    /// Its size in bytes.
    pub size: u32,
}

/// Files were dropped on the window.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct FilesDropped {
    /// The files, in drop order.
    pub files: Vec<HandedFile>,
}

/// Files are being dragged over the window (`true`) or left it (`false`).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct DragHover {
    /// Whether files hover over the window.
    pub active: bool,
}

/// Paths by token.
#[derive(Debug, Default)]
pub struct FileTokens {
    entries: HashMap<String, (PathBuf, Instant)>,
}

impl FileTokens {
    /// Registers a path and describes it.
    pub fn add(&mut self, path: &Path) -> Option<HandedFile> {
        let metadata = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        self.entries
            .retain(|_, (_, at)| at.elapsed() < TOKEN_LIFETIME);
        let token = random_token();
        self.entries
            .insert(token.clone(), (path.to_owned(), Instant::now()));
        Some(HandedFile {
            token,
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: u32::try_from(metadata.len()).unwrap_or(u32::MAX),
        })
    }

    /// Reads the file behind a token (at most 4 MiB).
    pub fn read(&self, token: &str) -> IpcResult<(String, zeroize::Zeroizing<Vec<u8>>)> {
        self.read_up_to(token, MAX_FILE_BYTES)
    }

    /// The path behind a token, while the token is valid.
    pub fn path(&self, token: &str) -> IpcResult<PathBuf> {
        match self.entries.get(token) {
            Some((path, at)) if at.elapsed() < TOKEN_LIFETIME => Ok(path.clone()),
            _ => Err(IpcError::invalid(
                "That file is no longer available; drop or choose it again.",
            )),
        }
    }

    /// Reads the file behind a token, refusing one larger than `max` bytes
    /// before reading it.
    pub fn read_up_to(
        &self,
        token: &str,
        max: u64,
    ) -> IpcResult<(String, zeroize::Zeroizing<Vec<u8>>)> {
        read_path(&self.path(token)?, max)
    }
}

/// Reads a handed-over file, refusing one larger than `max` bytes before
/// reading it (`too_large` in the error's detail).
pub fn read_path(path: &Path, max: u64) -> IpcResult<(String, zeroize::Zeroizing<Vec<u8>>)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(IpcError {
            detail: Some("too_large".into()),
            ..IpcError::invalid(format!(
                "{name} is larger than {} MiB.",
                max / (1024 * 1024)
            ))
        });
    }
    let bytes = std::fs::read(path)
        .map_err(|e| IpcError::invalid(format!("Reading {name} failed: {e}")))?;
    Ok((name, zeroize::Zeroizing::new(bytes)))
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    // If the OS generator fails, the token is still unique (a counter), only guessable.
    if getrandom::fill(&mut bytes).is_err() {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        bytes[..8].copy_from_slice(
            &COUNTER
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                .to_le_bytes(),
        );
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Turns OS drops into tokens and tells the UI.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::DragDrop(drag) = event else {
        return;
    };
    let app = window.app_handle();
    match drag {
        tauri::DragDropEvent::Enter { .. } | tauri::DragDropEvent::Over { .. } => {
            let _ = DragHover { active: true }.emit(app);
        }
        tauri::DragDropEvent::Leave => {
            let _ = DragHover { active: false }.emit(app);
        }
        tauri::DragDropEvent::Drop { paths, .. } => {
            let _ = DragHover { active: false }.emit(app);
            let files = register(app, paths);
            if !files.is_empty() {
                let _ = FilesDropped { files }.emit(app);
            }
        }
        _ => {}
    }
}

/// Registers paths the user handed over.
pub fn register<R: Runtime>(app: &AppHandle<R>, paths: &[PathBuf]) -> Vec<HandedFile> {
    let state = app.state::<AppState>();
    let mut tokens = lock(&state.files);
    paths.iter().filter_map(|p| tokens.add(p)).collect()
}
