//! Deployments in the background, like the scheduler: while the vault is
//! unlocked, pending deployments (new, retried, adopted, a newer local
//! version, a decommission) are pushed by the deploy engine. Every state it
//! passes through refreshes the screens; a push that ends `stalled` or
//! `updating_error` raises a notification that opens the secret.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use coffer_core::Vault;
use coffer_core::remote::{Deployment, DeploymentState};
use coffer_core::secret::SecretRef;
use coffer_remote::{DeployOptions, Engine, RateLimiter, VaultAccess, connect, connection_of};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

use crate::events::DeploymentChanged;
use crate::state::AppState;

/// How often pending deployments are looked for without a wake-up (a new
/// local version made in the CLI, a retry after a cut).
const POLL: Duration = Duration::from_secs(10);

fn waker() -> &'static Arc<tokio::sync::Notify> {
    static WAKE: OnceLock<Arc<tokio::sync::Notify>> = OnceLock::new();
    WAKE.get_or_init(|| Arc::new(tokio::sync::Notify::new()))
}

/// Asks the pusher to look now (a deployment was recorded or retried, a value changed).
pub fn wake(_state: &AppState) {
    waker().notify_one();
}

/// Starts the pusher for the life of the app.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    std::thread::Builder::new()
        .name("coffer-deploy".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("coffer-desktop: no deployment pusher: {e}");
                    return;
                }
            };
            loop {
                push_pending(&handle, &runtime);
                runtime.block_on(async {
                    let _ = tokio::time::timeout(POLL, waker().notified()).await;
                });
            }
        })
        .map(drop)
        .unwrap_or_else(|e| eprintln!("coffer-desktop: no deployment pusher: {e}"));
}

/// Pushes what is pending, connection by connection; a plain thread, not
/// a task. The vault is taken only for the engine's local turns (read a
/// secret, record a state, audit a call), never while a key vault answers,
/// so the app's commands go on meanwhile.
fn push_pending<R: Runtime>(app: &AppHandle<R>, runtime: &tokio::runtime::Runtime) {
    let state = app.state::<AppState>();
    let vault = Arc::clone(&state.vault);
    let pending = vault.with(|v| {
        if !v.is_unlocked() {
            return Ok(Vec::new());
        }
        v.pending_deployments()
    });
    let Ok(pending) = pending else {
        return;
    };
    let mut managers: Vec<String> = pending.iter().map(|d| d.target.manager.clone()).collect();
    managers.sort();
    managers.dedup();
    let options = DeployOptions::default();
    for name in managers {
        let result = runtime.block_on(push_manager(app, &vault, &name, &options));
        if let Err(e) = result {
            // The deployments keep their state; the next look tries again.
            eprintln!("coffer-desktop: deployments to {name}: {e}");
        }
    }
}

async fn push_manager<R: Runtime>(
    app: &AppHandle<R>,
    vault: &Mutex<Option<Vault>>,
    name: &str,
    options: &DeployOptions,
) -> coffer_remote::Result<()> {
    let (manager, credentials, connect_options) =
        vault.with(|v| connection_of(v, name, "deploy"))?;
    let client = connect(&manager, credentials, &connect_options).await?;
    let limiter = RateLimiter::new(manager.spec.writes_per_sec);
    let engine = Engine {
        manager: &manager.spec.name,
        kind: manager.spec.settings.kind(),
        client: &client,
        limiter: &limiter,
        options,
    };
    let mut progress = |d: &Deployment| {
        let _ = DeploymentChanged {
            manager: d.target.manager.clone(),
            secret_id: None,
        }
        .emit(app);
    };
    let done = engine.run_pending_shared(vault, &mut progress).await?;
    for d in done {
        let secret_id = vault
            .with(|v| v.get(&SecretRef::in_org(&d.org, &d.secret)))
            .ok()
            .map(|m| m.id);
        let _ = DeploymentChanged {
            manager: d.target.manager.clone(),
            secret_id,
        }
        .emit(app);
        if matches!(
            d.state,
            DeploymentState::Stalled | DeploymentState::UpdatingError
        ) {
            let mut note = app
                .notification()
                .builder()
                .title(format!(
                    "Deployment of {} {}",
                    d.secret,
                    d.state.as_str().replace('_', " ")
                ))
                .body(format!(
                    "{}:{}: {}",
                    d.target.manager,
                    d.target.remote_name,
                    d.last_error.clone().unwrap_or_default()
                ));
            if let Some(id) = secret_id {
                note = note.extra("secret_id", id.to_string());
            }
            let _ = note
                .show()
                .map_err(|e| eprintln!("coffer-desktop: notification failed: {e}"));
        }
    }
    Ok(())
}
