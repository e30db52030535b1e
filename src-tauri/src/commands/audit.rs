//! The vault-wide audit log page: filtered pages, facets, export.

use coffer_core::{AuditExportFormat, AuditFacets, AuditFilter, AuditPage, Error};
use tauri::{AppHandle, State};

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, with_vault};

/// One page of entries matching `filter`, newest first, older than `before`
/// (the previous page's `next_before`); the first page also counts matches.
#[tauri::command]
#[specta::specta]
pub async fn audit_page(
    state: State<'_, AppState>,
    filter: AuditFilter,
    before: Option<u32>,
    limit: u32,
) -> IpcResult<AuditPage> {
    with_vault(&state, move |v| v.audit_page(&filter, before, limit)).await
}

/// The actors and actions to filter by.
#[tauri::command]
#[specta::specta]
pub async fn audit_facets(state: State<'_, AppState>) -> IpcResult<AuditFacets> {
    with_vault(&state, |v| v.audit_facets()).await
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct AuditExported {
    /// The file.
    pub path: String,
    /// How many entries.
    pub entries: u32,
}

/// Asks where to save, then writes every entry matching `filter` there as
/// CSV or JSON. `null` when the person cancels the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_audit(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: AuditFilter,
    format: AuditExportFormat,
) -> IpcResult<Option<AuditExported>> {
    let extension = format.extension();
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::file_dialog(&app)
            .set_title("Export the audit log")
            .set_file_name(format!("coffer-audit.{extension}"))
            .add_filter(extension.to_uppercase(), &[extension])
            .blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let entries = with_vault(&state, move |v| {
        let file = std::fs::File::create(&path).map_err(|source| Error::Io {
            context: format!("creating {}", path.display()),
            source,
        })?;
        let written = v.audit_export(&filter, format, std::io::BufWriter::new(file));
        if written.is_err() {
            // Leave no half-written export behind.
            let _ = std::fs::remove_file(&path);
        }
        written
    })
    .await?;
    Ok(Some(AuditExported {
        path: shown,
        entries,
    }))
}
