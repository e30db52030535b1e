//! Exporting secrets from the app (the list's selection, an organization or
//! the whole vault) to an encrypted `coffer-export` file: the recovery
//! passphrase is checked first, then the native save dialog asks where.

use coffer_core::secret::SecretRef;
use coffer_core::{
    ExportEncryption, ExportOptions, ExportPreview, ExportScope, ExportSummary, Vault,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use super::secrets::{check_filter, selected_ids};
use crate::dto::{SecretInput, Selection};
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, with_vault};

/// Which secrets an export covers.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportTarget {
    /// The list's selection ("all matching" included).
    Selection(Selection),
    /// One organization's live secrets.
    Organization(String),
    /// Every live secret.
    All,
}

fn scope_of(v: &Vault, target: ExportTarget) -> coffer_core::Result<ExportScope> {
    Ok(match target {
        ExportTarget::Selection(selection) => ExportScope::Secrets(
            selected_ids(v, selection)?
                .into_iter()
                .map(SecretRef::Id)
                .collect(),
        ),
        ExportTarget::Organization(org) => ExportScope::Organization(org),
        ExportTarget::All => ExportScope::All,
    })
}

fn check_target(target: &ExportTarget) -> IpcResult<()> {
    match target {
        ExportTarget::Selection(Selection::Matching { query, .. }) => check_filter(query),
        _ => Ok(()),
    }
}

/// What an export would hold: counts, and the secrets exported as metadata
/// only (write-only, store-password).
#[tauri::command]
#[specta::specta]
pub async fn export_preview(
    state: State<'_, AppState>,
    target: ExportTarget,
    all_versions: bool,
) -> IpcResult<ExportPreview> {
    check_target(&target)?;
    with_vault(&state, move |v| {
        let scope = scope_of(v, target)?;
        v.export_preview(&scope, all_versions)
    })
    .await
}

/// An export to make.
#[derive(Debug, Deserialize, specta::Type)]
pub struct ExportRequest {
    /// Which secrets.
    pub target: ExportTarget,
    /// Every kept version, or the current one only.
    pub all_versions: bool,
    /// The vault's recovery passphrase, checked before any dialog.
    pub recovery: SecretInput,
    /// The export file's passphrase; `None` only for a plaintext export.
    pub passphrase: Option<SecretInput>,
    /// The second confirmation a plaintext export needs.
    pub plaintext_confirmed: bool,
    /// The person's day (`YYYY-MM-DD`), for the offered file name.
    pub local_date: Option<String>,
    /// Also the jobs of the organizations exported.
    #[serde(default)]
    pub jobs: bool,
}

/// What an export wrote, and where.
#[derive(Debug, Serialize, specta::Type)]
pub struct ExportDone {
    /// The file.
    pub path: String,
    /// What it holds.
    pub summary: ExportSummary,
}

/// Checks the recovery passphrase, asks where to save (native dialog, away
/// from the vault's directory), then writes the export (audited); `None`
/// when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_secrets(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<Option<ExportDone>> {
    check_target(&request.target)?;
    let encrypted = request.passphrase.is_some();
    if !encrypted && !request.plaintext_confirmed {
        return Err(IpcError::invalid(
            "A plaintext export needs its own confirmation.",
        ));
    }
    let recovery = request.recovery.to_secret();
    let check = recovery.clone();
    with_vault(&state, move |v| v.check_recovery(&check)).await?;
    let name = export_file_name(request.local_date.as_deref(), encrypted);
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::file_dialog(&app)
            .set_title("Export secrets")
            .set_file_name(name)
            .blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let summary = with_vault(&state, move |v| {
        let options = ExportOptions {
            scope: scope_of(v, request.target)?,
            all_versions: request.all_versions,
            encryption: match &request.passphrase {
                Some(p) => ExportEncryption::Passphrase(p.to_secret()),
                None => ExportEncryption::Plaintext,
            },
            jobs: request.jobs,
        };
        // The dialog already asked before replacing an existing file.
        v.export_to_file(&recovery, &options, &path, true)
    })
    .await?;
    Ok(Some(ExportDone {
        path: shown,
        summary,
    }))
}

/// `coffer-export-2026-12-07.coffer` (`.json` for a plaintext export); the
/// date is the person's when it is one, else left out.
fn export_file_name(local_date: Option<&str>, encrypted: bool) -> String {
    let ext = if encrypted { "coffer" } else { "json" };
    match local_date.filter(|d| d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
    {
        Some(date) => format!("coffer-export-{date}.{ext}"),
        None => format!("coffer-export.{ext}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_export_is_named_after_its_day_and_only_a_date_gets_in() {
        assert_eq!(
            super::export_file_name(Some("2026-12-07"), true),
            "coffer-export-2026-12-07.coffer"
        );
        assert_eq!(
            super::export_file_name(Some("2026-12-07"), false),
            "coffer-export-2026-12-07.json"
        );
        for bad in ["../../etc/pass", "2026/12/07", "", "20261207999"] {
            assert_eq!(
                super::export_file_name(Some(bad), true),
                "coffer-export.coffer"
            );
        }
    }
}
