//! Events the shell sends to the page.

use serde::Serialize;
use tauri_specta::Event;

/// The vault was locked by the shell (idle timeout, tray, or another
/// process replaced the master key).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct VaultLocked {
    /// Why: `idle`, `tray` or `key_replaced`.
    pub reason: String,
}

/// Another process (the CLI) changed the vault: what the page shows may be stale.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct VaultChanged {}

/// Open a secret's detail (a notification was clicked).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct OpenSecret {
    /// The secret.
    pub id: coffer_core::secret::SecretId,
}

/// Open a view (a grouped notification was clicked).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct OpenView {
    /// `expiry`, `secrets`, ...
    pub view: String,
}

/// A job's run finished (scheduled or started elsewhere): screens refresh.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct JobRunFinished {
    /// The job.
    pub job_id: coffer_core::job::JobId,
    /// The run's number.
    pub run: u32,
    /// How it ended.
    pub status: coffer_core::job::RunStatus,
}

/// Open a job's detail (a notification about a run was clicked).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct OpenJob {
    /// The job.
    pub id: coffer_core::job::JobId,
}

/// How far an import of remote secrets is.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ImportProgress {
    /// The connection.
    pub manager: String,
    /// Remote secrets imported or failed so far.
    pub done: u32,
    /// How many were asked for.
    pub total: u32,
}

/// A deployment moved (the background pusher): screens refresh.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct DeploymentChanged {
    /// The connection.
    pub manager: String,
    /// The local secret, if it is still there.
    pub secret_id: Option<coffer_core::secret::SecretId>,
}
