//! Events the shell sends to the page.

use serde::Serialize;
use tauri_specta::Event;

/// The vault was locked by the shell (idle timeout, tray).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct VaultLocked {
    /// Why: `idle` or `tray`.
    pub reason: String,
}

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
