//! Shared secrets (a team vault's organizations): the switcher's list, the
//! sync state, listing from the replica, reveal and copy through the server
//! (each recorded in the team vault's audit), and writes that pass the
//! revision they read (a `conflict` when another member wrote first).

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_core::secret::{Intake, SecretData, SecretMeta, SecretPage, SecretQuery};
use coffer_core::{ErrorCode, RevealedField, Timestamp};
use coffer_team::{MetadataChange, SharedSecret, TeamVault};
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::clipboard;
use crate::commands::secrets::check_filter;
use crate::commands::team::team_error;
use crate::dto::{self, FieldInput, RevealedValue};
use crate::error::{IpcError, IpcResult};
use crate::shared::{self, Shared, SharedOrg, SyncStatus};
use crate::state::{AppState, lock};

/// A shared secret with what a writer needs: the revision it read (passed
/// back with a change) and who wrote it when.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SharedSecretInfo {
    /// Its metadata, in the list's shape.
    pub meta: SecretMeta,
    /// The organization's id.
    pub org_id: String,
    /// The row's revision (optimistic concurrency).
    pub revision: i32,
    /// The value's version.
    pub version: i32,
    /// `active`, `deactivated` or `trashed`.
    pub status: String,
    /// Who wrote this revision (member id).
    pub author: String,
    /// Their display name, when the roster has one.
    pub author_name: String,
    /// When (the author's clock).
    pub updated_at: Timestamp,
    /// The team vault's server: its name in the app.
    pub team: String,
}

fn info(shared: &Shared, s: SharedSecret, now: Timestamp) -> IpcResult<SharedSecretInfo> {
    let author_name = shared.name_of(&s.author);
    let meta = shared::to_meta(&s, now, author_name.clone())
        .ok_or_else(|| IpcError::internal(format!("shared secret {} has no valid id", s.id)))?;
    Ok(SharedSecretInfo {
        meta,
        org_id: s.org_id,
        revision: s.revision,
        version: s.version,
        status: s.status,
        author: s.author,
        author_name,
        updated_at: s.updated_at,
        team: shared.status().server.unwrap_or_default(),
    })
}

/// Connects as this member (the vault held only for that) and runs `f`
/// with the vault's time; the background sync is asked to follow.
async fn connected<T, F>(state: &AppState, shared: &Arc<Shared>, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut TeamVault, Timestamp) -> coffer_team::Result<T> + Send + 'static,
{
    let vault = Arc::clone(&state.vault);
    let result = tauri::async_runtime::spawn_blocking(move || {
        let (prepared, now) = {
            let mut slot = lock(&vault);
            let vault = slot
                .as_mut()
                .ok_or_else(|| IpcError::new(ErrorCode::NoVault, "No vault is open yet."))?;
            let prepared = TeamVault::prepare(vault, None).map_err(team_error)?;
            (prepared, vault.now())
        };
        let mut tv = prepared.connect().map_err(team_error)?;
        f(&mut tv, now).map_err(team_error)
    })
    .await
    .map_err(|e| IpcError::internal(format!("a team-vault task failed: {e}")))?;
    shared.wake();
    result
}

/// The time, without waiting for the vault (the background sync may hold
/// it for a round trip): the app's vault runs on the system clock.
fn now() -> Timestamp {
    coffer_core::Clock::now(&coffer_core::SystemClock)
}

/// The sync state the sidebar shows.
#[tauri::command]
#[specta::specta]
pub fn shared_status(shared: State<'_, Arc<Shared>>) -> SyncStatus {
    shared.status()
}

/// Asks the background task to sync now (the sidebar's "Retry").
#[tauri::command]
#[specta::specta]
pub fn sync_shared_now(shared: State<'_, Arc<Shared>>) {
    shared.wake();
}

/// The team vault's organizations, for the switcher (no network).
#[tauri::command]
#[specta::specta]
pub fn shared_organizations(shared: State<'_, Arc<Shared>>) -> Vec<SharedOrg> {
    shared.orgs()
}

/// A page of shared secrets from the replica, filtered and sorted like
/// `list_secrets` (no network).
#[tauri::command]
#[specta::specta]
pub fn list_shared_secrets(
    shared: State<'_, Arc<Shared>>,
    query: SecretQuery,
) -> IpcResult<SecretPage> {
    check_filter(&query)?;
    let now = now();
    let secrets = shared.secrets();
    Ok(shared::page(&secrets, &query, now, |m| shared.name_of(m)))
}

/// One shared secret's metadata from the replica (no network, no audit).
#[tauri::command]
#[specta::specta]
pub fn get_shared_secret(
    shared: State<'_, Arc<Shared>>,
    id: String,
) -> IpcResult<SharedSecretInfo> {
    info(&shared, shared.secret(&id)?, now())
}

/// Reveals one field through the server: recorded in the team vault's audit.
#[tauri::command]
#[specta::specta]
pub async fn reveal_shared_field(
    state: State<'_, AppState>,
    shared: State<'_, Arc<Shared>>,
    id: String,
    field: String,
) -> IpcResult<RevealedValue> {
    let field = revealed(&state, &shared, &id, field).await?;
    Ok(RevealedValue::from_field(&field))
}

/// Copies one field (revealed through the server and audited there) to
/// the clipboard, cleared after the configured time; returns that time.
#[tauri::command]
#[specta::specta]
pub async fn copy_shared_field(
    app: AppHandle,
    state: State<'_, AppState>,
    shared: State<'_, Arc<Shared>>,
    id: String,
    field: String,
) -> IpcResult<u32> {
    let value = revealed(&state, &shared, &id, field).await?;
    let seconds = lock(&state.vault)
        .as_ref()
        .and_then(|v| {
            v.is_unlocked()
                .then(|| v.settings().clipboard_clear_seconds)
        })
        .ok_or_else(|| IpcError::new(ErrorCode::Locked, "The vault is locked."))?;
    clipboard::copy_and_clear(&app, &value, seconds)?;
    Ok(seconds)
}

async fn revealed(
    state: &AppState,
    shared: &Arc<Shared>,
    id: &str,
    field: String,
) -> IpcResult<RevealedField> {
    let s = shared.secret(id)?;
    let data = connected(state, shared, move |tv, now| {
        tv.reveal_shared_secret(&s.org_id, &s.name, now)
            .map(|(_, data)| data)
    })
    .await?;
    let found = data.field(&field).ok_or_else(|| {
        IpcError::new(
            ErrorCode::NotFound,
            format!("This secret has no {field} field."),
        )
    })?;
    Ok(RevealedField {
        name: found.name.into_owned(),
        secret: found.secret,
        value: found.value.to_vec().into(),
    })
}

/// A new value for a shared secret: every field of its type, as the
/// register wizard takes them; refused with `conflict` when its revision is
/// no longer `expected_revision`.
#[tauri::command]
#[specta::specta]
pub async fn update_shared_value(
    state: State<'_, AppState>,
    shared: State<'_, Arc<Shared>>,
    id: String,
    expected_revision: i32,
    set: Vec<FieldInput>,
    key_password: Option<dto::SecretInput>,
) -> IpcResult<SharedSecretInfo> {
    let s = shared.secret(&id)?;
    let kind = coffer_core::secret::SecretType::parse(&s.kind)?;
    let fields = dto::field_inputs(kind, &set, &lock(&state.files))?;
    let intake = Intake {
        key_password: dto::secret(key_password.as_ref()),
        ..Intake::default()
    };
    let data = SecretData::from_fields(kind, fields, &intake)?;
    write(&state, &shared, s, move |tv, org, name, now| {
        tv.update_shared_value(org, name, expected_revision, data, now)
    })
    .await
}

/// New description, labels (the whole set) or expiry (`clear_expiry`
/// removes it), if the revision is still `expected_revision`.
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub async fn update_shared_metadata(
    state: State<'_, AppState>,
    shared: State<'_, Arc<Shared>>,
    id: String,
    expected_revision: i32,
    description: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    expires_at: Option<Timestamp>,
    clear_expiry: bool,
) -> IpcResult<SharedSecretInfo> {
    let s = shared.secret(&id)?;
    let change = MetadataChange {
        description,
        labels,
        expires_at: if clear_expiry {
            Some(None)
        } else {
            expires_at.map(Some)
        },
    };
    write(&state, &shared, s, move |tv, org, name, now| {
        tv.update_shared_metadata(org, name, expected_revision, change, now)
    })
    .await
}

/// Deactivates (`deactivated`), reactivates (`active`) or trashes
/// (`trashed`) a shared secret, if the revision is still `expected_revision`.
#[tauri::command]
#[specta::specta]
pub async fn set_shared_status(
    state: State<'_, AppState>,
    shared: State<'_, Arc<Shared>>,
    id: String,
    expected_revision: i32,
    status: String,
) -> IpcResult<SharedSecretInfo> {
    let s = shared.secret(&id)?;
    write(&state, &shared, s, move |tv, org, name, now| {
        tv.set_shared_status(org, name, expected_revision, &status, now)
    })
    .await
}

/// Creates a shared secret (the register wizard, when its organization is
/// a shared one).
pub async fn create_shared(
    state: &AppState,
    shared: &Arc<Shared>,
    org: SharedOrg,
    new: coffer_core::secret::NewSecret,
) -> IpcResult<SecretMeta> {
    let written = connected(state, shared, move |tv, now| {
        tv.create_shared_secret(&org.id, new, now)
    })
    .await?;
    Ok(written_info(state, shared, written)?.meta)
}

/// What a change of an existing shared secret came to.
enum Written {
    Done(SharedSecret),
    /// Another member wrote first: the error and the secret as it is now.
    Conflict(coffer_team::Error, Option<SharedSecret>),
}

/// Runs a change of `s` (by organization id and name). A `conflict`
/// carries the secret as it is now in its `detail` (JSON, the shape of
/// [`SharedSecretInfo`]) so the page can show what changed, and the list
/// takes that record at once.
async fn write<F>(
    state: &AppState,
    shared: &Arc<Shared>,
    s: SharedSecret,
    change: F,
) -> IpcResult<SharedSecretInfo>
where
    F: FnOnce(&mut TeamVault, &str, &str, Timestamp) -> coffer_team::Result<SharedSecret>
        + Send
        + 'static,
{
    let (org, name) = (s.org_id, s.name);
    let outcome = connected(state, shared, move |tv, now| {
        Ok(match change(tv, &org, &name, now) {
            Ok(done) => Written::Done(done),
            Err(e @ coffer_team::Error::Conflict { .. }) => {
                Written::Conflict(e, tv.shared_secret(&org, &name).ok())
            }
            Err(e) => return Err(e),
        })
    })
    .await?;
    match outcome {
        Written::Done(done) => written_info(state, shared, done),
        Written::Conflict(e, current) => {
            let mut error = team_error(e);
            if let Some(current) = current {
                let now = now();
                shared.put(current.clone());
                error.detail = info(shared, current, now)
                    .ok()
                    .and_then(|i| serde_json::to_string(&i).ok());
            }
            Err(error)
        }
    }
}

/// What a write returned, put in the list at once.
fn written_info(
    state: &AppState,
    shared: &Arc<Shared>,
    written: SharedSecret,
) -> IpcResult<SharedSecretInfo> {
    shared.put(written.clone());
    state.expiry_changed();
    info(shared, written, now())
}
