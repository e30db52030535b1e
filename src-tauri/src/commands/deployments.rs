//! Deployments of local secrets into key vaults and import links, as the
//! secret's page and the connection's Deployments tab show them.

use coffer_core::remote::{Deployment, DeploymentState, DeploymentVersion};
use coffer_core::secret::{SecretId, SecretRef};
use coffer_core::{Timestamp, Vault};
use serde::Serialize;
use tauri::State;

use crate::error::IpcResult;
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

fn view(vault: &Vault, d: Deployment) -> DeploymentView {
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
