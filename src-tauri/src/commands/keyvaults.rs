//! Key vaults: connections and the jobs that use them. A connection names
//! the Coffer secret holding its credentials; it never stores a value.

use std::collections::HashMap;
use std::sync::Mutex;

use coffer_core::Timestamp;
use coffer_core::remote::{Manager, ManagerSpec, ManagerUsage};
use coffer_remote::FailureClass;
use serde::Serialize;
use tauri::State;

use crate::error::IpcResult;
use crate::state::{AppState, lock, with_vault};

/// The result of a connection test.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ManagerTest {
    /// Whether the call succeeded.
    pub ok: bool,
    /// What was checked.
    pub checked: String,
    /// How long it took, in milliseconds.
    pub latency_ms: u32,
    /// The failure's class, if it failed remotely.
    pub class: Option<FailureClass>,
    /// What went wrong (never a value).
    pub message: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// When it was tested.
    pub tested_at: Timestamp,
}

/// Last test results by connection name, for the list's status: this
/// session's only (a restart says "not tested").
#[derive(Debug, Default)]
pub struct TestResults(pub Mutex<HashMap<String, ManagerTest>>);

/// A connection as the UI lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ManagerView {
    /// Its settings.
    pub spec: ManagerSpec,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
    /// Its last test in this session.
    pub last_test: Option<ManagerTest>,
}

fn view(manager: Manager, tests: &TestResults) -> ManagerView {
    let last_test = lock(&tests.0).get(&manager.spec.name).cloned();
    ManagerView {
        spec: manager.spec,
        created_at: manager.created_at,
        updated_at: manager.updated_at,
        last_test,
    }
}

/// Every connection with its last test.
#[tauri::command(async)]
#[specta::specta]
pub async fn list_managers(
    state: State<'_, AppState>,
    tests: State<'_, TestResults>,
) -> IpcResult<Vec<ManagerView>> {
    let managers = with_vault(&state, |v| v.managers()).await?;
    Ok(managers.into_iter().map(|m| view(m, &tests)).collect())
}

/// Adds a connection (it stores the credential secret's name, never a value).
#[tauri::command(async)]
#[specta::specta]
pub async fn add_manager(
    state: State<'_, AppState>,
    tests: State<'_, TestResults>,
    spec: ManagerSpec,
) -> IpcResult<ManagerView> {
    let manager = with_vault(&state, move |v| v.add_manager(spec)).await?;
    Ok(view(manager, &tests))
}

/// Deletes a connection (nothing remote is deleted); refused while
/// deployments live or jobs name it.
#[tauri::command(async)]
#[specta::specta]
pub async fn delete_manager(
    state: State<'_, AppState>,
    tests: State<'_, TestResults>,
    name: String,
) -> IpcResult<()> {
    let manager = with_vault(&state, move |v| {
        let manager = v.manager(&name)?;
        v.delete_manager(&name, false)?;
        Ok(manager)
    })
    .await?;
    lock(&tests.0).remove(&manager.spec.name);
    Ok(())
}

/// The jobs whose placeholders name a connection, with the remote names they read.
#[tauri::command(async)]
#[specta::specta]
pub async fn manager_usage(
    state: State<'_, AppState>,
    name: String,
) -> IpcResult<Vec<ManagerUsage>> {
    with_vault(&state, move |v| v.jobs_using_manager(&name)).await
}
