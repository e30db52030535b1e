//! Copying a value to the clipboard and clearing it afterwards, unless the
//! user copied something else meanwhile.

use std::time::Duration;

use coffer_core::{ExposeSecret, RevealedField};
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};

/// Copies `field`, hinting clipboard managers not to keep it, and clears it
/// after `seconds`.
pub fn copy_and_clear<R: Runtime>(
    app: &AppHandle<R>,
    field: &RevealedField,
    seconds: u32,
) -> IpcResult<()> {
    let text = std::str::from_utf8(field.value.expose_secret())
        .map_err(|_| IpcError::invalid("This value is binary and cannot be copied as text."))?;
    let text = Zeroizing::new(text.to_owned());
    app.clipboard()
        .write_secret(text.as_str())
        .map_err(|e| IpcError::internal(format!("writing the clipboard: {e}")))?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(seconds.into())).await;
        let current = Zeroizing::new(app.clipboard().read_text().unwrap_or_default());
        if *current == *text {
            let _ = app.clipboard().clear();
        }
    });
    Ok(())
}
