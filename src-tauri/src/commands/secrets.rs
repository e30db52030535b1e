//! Listing, reading, changing and removing secrets.

use std::collections::{BTreeMap, HashSet};

use coffer_core::secret::{
    SecretId, SecretMeta, SecretPage, SecretQuery, SecretRef, ValueChange, ValueOutcome,
    VersionInfo,
};
use coffer_core::{AuditEntry, LabelCount, OrgSummary, Renamed, Vault};
use tauri::{AppHandle, State};

use crate::clipboard;
use crate::dto::{
    self, BulkFailure, BulkResult, FieldInput, MetadataPatch, RevealedValue, SecretInput, Selection,
};
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, lock, with_vault, with_vault_changing};

/// Longest filter text accepted.
const MAX_FILTER_CHARS: usize = 256;

/// A page of secrets (or of the trash) with the total count.
#[tauri::command]
#[specta::specta]
pub async fn list_secrets(state: State<'_, AppState>, query: SecretQuery) -> IpcResult<SecretPage> {
    check_filter(&query)?;
    with_vault(&state, move |v| v.list(&query)).await
}

pub(crate) fn check_filter(query: &SecretQuery) -> IpcResult<()> {
    if query
        .text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_FILTER_CHARS)
    {
        return Err(IpcError::invalid("The filter is too long."));
    }
    Ok(())
}

/// One secret's metadata and public fields.
#[tauri::command]
#[specta::specta]
pub async fn get_secret(state: State<'_, AppState>, id: SecretId) -> IpcResult<SecretMeta> {
    with_vault(&state, move |v| v.get(&SecretRef::Id(id))).await
}

/// Kept versions, newest first.
#[tauri::command]
#[specta::specta]
pub async fn secret_versions(
    state: State<'_, AppState>,
    id: SecretId,
) -> IpcResult<Vec<VersionInfo>> {
    with_vault(&state, move |v| v.versions(&SecretRef::Id(id))).await
}

/// Audit entries about one secret, or all when `id` is null.
#[tauri::command]
#[specta::specta]
pub async fn audit_entries(
    state: State<'_, AppState>,
    id: Option<SecretId>,
    limit: u32,
) -> IpcResult<Vec<AuditEntry>> {
    with_vault(&state, move |v| {
        v.audit_entries(id.map(SecretRef::Id).as_ref(), limit.min(1000))
    })
    .await
}

/// Organizations with their projects.
#[tauri::command]
#[specta::specta]
pub async fn organizations(state: State<'_, AppState>) -> IpcResult<Vec<OrgSummary>> {
    with_vault(&state, |v| v.organizations()).await
}

/// Reveals one field (audited). Write-only secrets refuse.
#[tauri::command]
#[specta::specta]
pub async fn reveal_field(
    state: State<'_, AppState>,
    id: SecretId,
    field: String,
    store_password: Option<SecretInput>,
) -> IpcResult<RevealedValue> {
    with_vault(&state, move |v| {
        let fields = v.reveal(
            &SecretRef::Id(id),
            Some(&field),
            dto::secret(store_password.as_ref()).as_ref(),
        )?;
        fields
            .first()
            .map(RevealedValue::from_field)
            .ok_or_else(|| coffer_core::Error::NotFound {
                what: "field",
                name: field,
            })
    })
    .await
}

/// Copies one field to the clipboard without it passing through the page;
/// the clipboard is cleared after the configured time unless it changed.
/// Returns that time in seconds.
#[tauri::command]
#[specta::specta]
pub async fn copy_field(
    app: AppHandle,
    state: State<'_, AppState>,
    id: SecretId,
    field: String,
    store_password: Option<SecretInput>,
) -> IpcResult<u32> {
    let (value, seconds) = with_vault(&state, move |v| {
        let fields = v.reveal_for(
            &SecretRef::Id(id),
            Some(&field),
            dto::secret(store_password.as_ref()).as_ref(),
            coffer_core::Disclosure::Copied,
        )?;
        let value = fields
            .into_iter()
            .next()
            .ok_or(coffer_core::Error::NotFound {
                what: "field",
                name: field,
            })?;
        Ok((value, v.settings().clipboard_clear_seconds))
    })
    .await?;
    clipboard::copy_and_clear(&app, &value, seconds)?;
    Ok(seconds)
}

/// Changes metadata.
#[tauri::command]
#[specta::specta]
pub async fn update_metadata(
    state: State<'_, AppState>,
    id: SecretId,
    patch: MetadataPatch,
) -> IpcResult<SecretMeta> {
    with_vault_changing(&state, move |v| {
        v.update_metadata(&SecretRef::Id(id), patch.into_change())
    })
    .await
}

/// Changes the value; a new version when it differs.
#[tauri::command]
#[specta::specta]
pub async fn update_value(
    state: State<'_, AppState>,
    id: SecretId,
    set: Vec<FieldInput>,
    remove: Vec<String>,
    store_password: Option<SecretInput>,
    key_password: Option<SecretInput>,
) -> IpcResult<ValueOutcome> {
    let kind = with_vault(&state, move |v| Ok(v.get(&SecretRef::Id(id))?.kind)).await?;
    let set = {
        let files = lock(&state.files);
        dto::field_inputs(kind, &set, &files)?
    };
    with_vault_changing(&state, move |v| {
        let intake = coffer_core::secret::Intake {
            key_password: dto::secret(key_password.as_ref()),
            allow_key_mismatch: false,
            now: None,
        };
        let change = ValueChange {
            set,
            remove,
            intake,
        };
        v.update_value(
            &SecretRef::Id(id),
            change,
            dto::secret(store_password.as_ref()).as_ref(),
        )
    })
    .await
}

/// Makes an old version current again (as a new version).
#[tauri::command]
#[specta::specta]
pub async fn restore_version(
    state: State<'_, AppState>,
    id: SecretId,
    version: u32,
    store_password: Option<SecretInput>,
) -> IpcResult<u32> {
    with_vault_changing(&state, move |v| {
        v.restore_version(
            &SecretRef::Id(id),
            version,
            dto::secret(store_password.as_ref()).as_ref(),
        )
    })
    .await
}

/// The ids a selection names now.
pub(crate) fn selected_ids(v: &Vault, selection: Selection) -> coffer_core::Result<Vec<SecretId>> {
    match selection {
        Selection::Ids(ids) => Ok(ids),
        Selection::Matching { query, except } => {
            let except: HashSet<SecretId> = except.into_iter().collect();
            let mut ids = v.matching_ids(&query)?;
            ids.retain(|id| !except.contains(id));
            Ok(ids)
        }
    }
}

/// Applies `action` to each selected secret, collecting failures.
async fn bulk<F>(state: &AppState, selection: Selection, action: F) -> IpcResult<BulkResult>
where
    F: Fn(&mut Vault, &SecretRef) -> coffer_core::Result<()> + Send + 'static,
{
    if let Selection::Matching { query, .. } = &selection {
        check_filter(query)?;
    }
    with_vault(state, move |v| {
        let mut result = BulkResult::default();
        for id in selected_ids(v, selection)? {
            match action(v, &SecretRef::Id(id)) {
                Ok(()) => result.done += 1,
                Err(e) => result.failed.push(BulkFailure {
                    id,
                    error: e.into(),
                }),
            }
        }
        Ok(result)
    })
    .await
}

/// Like [`bulk`], for changes that may move an expiry.
async fn bulk_changing<F>(
    state: &AppState,
    selection: Selection,
    action: F,
) -> IpcResult<BulkResult>
where
    F: Fn(&mut Vault, &SecretRef) -> coffer_core::Result<()> + Send + 'static,
{
    let result = bulk(state, selection, action).await;
    state.expiry_changed();
    result
}

/// Activates or deactivates secrets.
#[tauri::command]
#[specta::specta]
pub async fn set_active(
    state: State<'_, AppState>,
    selection: Selection,
    active: bool,
) -> IpcResult<BulkResult> {
    bulk_changing(&state, selection, move |v, s| {
        if active {
            v.activate(s)
        } else {
            v.deactivate(s)
        }
        .map(drop)
    })
    .await
}

/// Moves secrets to the trash.
#[tauri::command]
#[specta::specta]
pub async fn trash_secrets(
    state: State<'_, AppState>,
    selection: Selection,
) -> IpcResult<BulkResult> {
    bulk(&state, selection, |v, s| v.delete(s).map(drop)).await
}

/// Adds labels to (and removes labels from) secrets.
#[tauri::command]
#[specta::specta]
pub async fn label_secrets(
    state: State<'_, AppState>,
    selection: Selection,
    set: BTreeMap<String, String>,
    remove: Vec<String>,
) -> IpcResult<BulkResult> {
    bulk(&state, selection, move |v, s| {
        let change = coffer_core::secret::MetadataChange {
            set_labels: set.clone(),
            remove_labels: remove.clone(),
            ..Default::default()
        };
        v.update_metadata(s, change).map(drop)
    })
    .await
}

/// Every label key and value in use on live secrets, with how many carry
/// each, for autocompletion and the label filter.
#[tauri::command]
#[specta::specta]
pub async fn label_values(state: State<'_, AppState>) -> IpcResult<Vec<LabelCount>> {
    with_vault(&state, |v| v.label_counts()).await
}

/// Renames a secret; the jobs that name it follow in the same transaction.
#[tauri::command]
#[specta::specta]
pub async fn rename_secret(
    state: State<'_, AppState>,
    id: SecretId,
    name: String,
) -> IpcResult<Renamed> {
    with_vault(&state, move |v| v.rename(&SecretRef::Id(id), &name)).await
}

/// Copies a secret's current value into a new secret.
#[tauri::command]
#[specta::specta]
pub async fn clone_secret(
    state: State<'_, AppState>,
    id: SecretId,
    name: String,
    store_password: Option<SecretInput>,
) -> IpcResult<SecretMeta> {
    with_vault_changing(&state, move |v| {
        v.clone_secret(
            &SecretRef::Id(id),
            &name,
            dto::secret(store_password.as_ref()).as_ref(),
        )
    })
    .await
}

/// Takes a secret out of the trash.
#[tauri::command]
#[specta::specta]
pub async fn restore_from_trash(state: State<'_, AppState>, id: SecretId) -> IpcResult<SecretMeta> {
    with_vault_changing(&state, move |v| v.undelete(&SecretRef::Id(id))).await
}

/// Destroys a secret now.
#[tauri::command]
#[specta::specta]
pub async fn purge_secret(state: State<'_, AppState>, id: SecretId) -> IpcResult<()> {
    with_vault(&state, move |v| v.purge(&SecretRef::Id(id))).await
}

/// Empties the trash; returns how many were destroyed.
#[tauri::command]
#[specta::specta]
pub async fn empty_trash(state: State<'_, AppState>) -> IpcResult<u32> {
    with_vault(&state, |v| v.empty_trash()).await
}

/// Moves a secret to another organization.
#[tauri::command]
#[specta::specta]
pub async fn move_secret(
    state: State<'_, AppState>,
    id: SecretId,
    org: String,
) -> IpcResult<SecretMeta> {
    with_vault(&state, move |v| v.move_to_org(&SecretRef::Id(id), &org)).await
}

/// Changes a store-password secret's password (the old one is needed).
#[tauri::command]
#[specta::specta]
pub async fn change_store_password(
    state: State<'_, AppState>,
    id: SecretId,
    old_password: SecretInput,
    new_password: SecretInput,
) -> IpcResult<()> {
    with_vault(&state, move |v| {
        v.change_store_password(
            &SecretRef::Id(id),
            &old_password.to_secret(),
            &new_password.to_secret(),
        )
    })
    .await
}
