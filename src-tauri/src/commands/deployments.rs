//! Deployments of local secrets into key vaults and import links: record
//! one, list them, retry, adopt, decommission. The pushes run in the
//! background (`crate::deploy`), which these commands wake.

use coffer_core::remote::{Deployment, DeploymentState, DeploymentTarget, DeploymentVersion};
use coffer_core::secret::{SecretId, SecretRef};
use coffer_core::{Timestamp, Vault};
use serde::Serialize;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, with_vault};

/// A deployment as the UI shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DeploymentView {
    /// Its id.
    pub id: String,
    /// The local secret's id, while it exists.
    pub secret_id: Option<SecretId>,
    /// The local secret's organization.
    pub org: String,
    /// The local secret's name.
    pub secret: String,
    /// The connection.
    pub manager: String,
    /// The remote name.
    pub remote_name: String,
    /// The remote's own id, once known.
    pub remote_id: Option<String>,
    /// IMCO's state.
    pub state: DeploymentState,
    /// Imported rather than created by Coffer.
    pub brownfield: bool,
    /// Coffer may write to the remote.
    pub managed: bool,
    /// The last failure or why it is stalled (never a value).
    pub last_error: Option<String>,
    /// Attempts of the current step.
    pub attempts: u32,
    /// Versions pushed, oldest first.
    pub versions: Vec<DeploymentVersion>,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When its state last changed.
    pub updated_at: Timestamp,
}

pub fn view(vault: &Vault, d: Deployment) -> DeploymentView {
    let secret_id = vault
        .get(&SecretRef::in_org(&d.org, &d.secret))
        .ok()
        .map(|m| m.id);
    DeploymentView {
        id: d.id.to_string(),
        secret_id,
        org: d.org,
        secret: d.secret,
        manager: d.target.manager,
        remote_name: d.target.remote_name,
        remote_id: d.remote_id,
        state: d.state,
        brownfield: d.brownfield,
        managed: d.managed,
        last_error: d.last_error,
        attempts: d.attempts,
        versions: d.versions,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

fn views(vault: &Vault, list: Vec<Deployment>) -> Vec<DeploymentView> {
    list.into_iter().map(|d| view(vault, d)).collect()
}

/// A secret's deployments and import links.
#[tauri::command(async)]
#[specta::specta]
pub async fn secret_deployments(
    state: State<'_, AppState>,
    id: SecretId,
) -> IpcResult<Vec<DeploymentView>> {
    with_vault(&state, move |v| {
        let list = v.deployments_of_secret(&SecretRef::Id(id))?;
        Ok(views(v, list))
    })
    .await
}

/// A connection's deployments and import links.
#[tauri::command(async)]
#[specta::specta]
pub async fn manager_deployments(
    state: State<'_, AppState>,
    name: String,
) -> IpcResult<Vec<DeploymentView>> {
    with_vault(&state, move |v| {
        let list = v.deployments_of_manager(&name)?;
        Ok(views(v, list))
    })
    .await
}

fn deployment_id(id: &str) -> IpcResult<i64> {
    id.parse()
        .map_err(|_| IpcError::invalid(format!("{id:?} is not a deployment id")))
}

/// One user action on a deployment (by id): done, shown, and the background
/// pusher woken to act on its new state.
async fn act_on(
    state: &AppState,
    id: &str,
    act: impl FnOnce(&mut Vault, i64) -> coffer_core::Result<Deployment> + Send + 'static,
) -> IpcResult<DeploymentView> {
    let id = deployment_id(id)?;
    let d = with_vault(state, move |v| {
        let d = act(v, id)?;
        Ok(view(v, d))
    })
    .await?;
    crate::deploy::wake(state);
    Ok(d)
}

/// Records a deployment of a secret (state `start`); the background pusher
/// writes it to the key vault.
#[tauri::command(async)]
#[specta::specta]
pub async fn deploy_secret(
    state: State<'_, AppState>,
    id: SecretId,
    manager: String,
    remote_name: String,
) -> IpcResult<DeploymentView> {
    let target = DeploymentTarget {
        manager,
        remote_name,
    };
    let d = with_vault(&state, move |v| {
        let d = v.create_deployment(&SecretRef::Id(id), &target)?;
        Ok(view(v, d))
    })
    .await?;
    crate::deploy::wake(&state);
    Ok(d)
}

/// IMCO `retry`: a stalled or failed deployment is pushed again.
#[tauri::command(async)]
#[specta::specta]
pub async fn retry_deployment(state: State<'_, AppState>, id: String) -> IpcResult<DeploymentView> {
    act_on(&state, &id, |v, id| v.retry_deployment(id)).await
}

/// Lets Coffer overwrite a remote secret it did not create, then push.
#[tauri::command(async)]
#[specta::specta]
pub async fn adopt_deployment(state: State<'_, AppState>, id: String) -> IpcResult<DeploymentView> {
    act_on(&state, &id, |v, id| v.adopt_deployment(id)).await
}

/// Deletes the deployed secret remotely; `confirm` repeats it as `MANAGER:NAME`.
#[tauri::command(async)]
#[specta::specta]
pub async fn decommission_deployment(
    state: State<'_, AppState>,
    id: String,
    confirm: String,
) -> IpcResult<DeploymentView> {
    act_on(&state, &id, move |v, id| {
        v.decommission_deployment(id, &confirm)
    })
    .await
}
