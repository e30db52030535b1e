//! Key vaults: connections, their test, browsing remote names, import, and
//! the jobs that use a connection. A connection names the Coffer secret
//! holding its credentials; it never stores a value. Remote calls run on a
//! blocking thread that takes the vault only for short local turns (the
//! connection and its credentials before the call, the audit entry after
//! it), never while the key vault answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use coffer_core::remote::{AwsAuth, Manager, ManagerSettings, ManagerSpec, ManagerUsage};
use coffer_core::secret::{SecretId, SecretRef, SecretType};
use coffer_core::{ErrorCode, Timestamp, Vault};
use coffer_remote::{
    AnyVault, ConnectOptions, Credentials, FailureClass, ImportItem, KeyVault, Probe, RemoteSecret,
    VaultAccess, connect, connection_of, import_many_shared,
};
use secrecy::SecretString;
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::{IpcError, IpcResult};
use crate::events::ImportProgress;
use crate::state::{AppState, lock, with_vault};

/// The result of a connection test.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
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
pub struct TestResults {
    /// By connection name.
    by_name: Mutex<HashMap<String, ManagerTest>>,
    /// The wizard's last test of unsaved settings, with those settings.
    draft: Mutex<Option<(ManagerSpec, ManagerTest)>>,
}

impl TestResults {
    /// The wizard's last test of unsaved settings becomes the connection's
    /// status when exactly those settings are saved.
    fn adopt_draft(&self, saved: &ManagerSpec) {
        if let Some((spec, test)) = lock(&self.draft).take()
            && spec == *saved
        {
            lock(&self.by_name).insert(saved.name.clone(), test);
        }
    }
}

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
    let last_test = lock(&tests.by_name).get(&manager.spec.name).cloned();
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
    tests.adopt_draft(&manager.spec);
    Ok(view(manager, &tests))
}

/// Changes a connection's settings (validated like add). Its client and
/// cached values go (the next call builds a new client with the new
/// settings), and its status is forgotten: a passing Test becomes the
/// status again only when the wizard tested exactly the saved settings.
#[tauri::command(async)]
#[specta::specta]
pub async fn update_manager(
    state: State<'_, AppState>,
    tests: State<'_, TestResults>,
    name: String,
    spec: ManagerSpec,
) -> IpcResult<ManagerView> {
    let (old, manager) = with_vault(&state, move |v| {
        let old = v.manager(&name)?;
        let manager = v.update_manager(&name, spec)?;
        Ok((old, manager))
    })
    .await?;
    state.run_context.remotes.clear_manager(manager.id);
    lock(&tests.by_name).remove(&old.spec.name);
    tests.adopt_draft(&manager.spec);
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
    lock(&tests.by_name).remove(&manager.spec.name);
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

/// One page of remote names.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RemotePage {
    /// The remote secrets (names, never values).
    pub items: Vec<RemoteSecret>,
    /// The next page's token.
    pub next: Option<String>,
}

/// Remote names per page when browsing.
const PAGE_SIZE: u32 = 50;

/// How clients are built here: the vault's id (to tell what Coffer manages).
pub fn connect_options(vault: &Vault) -> ConnectOptions {
    ConnectOptions {
        vault_id: Some(vault.id()),
        ..ConnectOptions::default()
    }
}

/// A remote error for the UI: its code and message, the class's hint as detail.
pub fn remote_error(error: coffer_remote::Error) -> IpcError {
    match error {
        coffer_remote::Error::Core(e) => e.into(),
        other => {
            let mut ipc = IpcError::new(other.code(), other.to_string());
            ipc.detail = other.class().map(|c| c.hint().to_owned());
            ipc
        }
    }
}

/// Runs `f` on a blocking thread with the shared vault, which `f` takes
/// only for its local turns ([`VaultAccess::with`]) and never while it
/// drives a remote call (with [`tauri::async_runtime::block_on`]): other
/// commands are not kept waiting while a key vault answers.
pub async fn with_vault_remote<T, F>(state: &AppState, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Mutex<Option<Vault>>) -> coffer_remote::Result<T> + Send + 'static,
{
    let vault = Arc::clone(&state.vault);
    tauri::async_runtime::spawn_blocking(move || {
        if lock(&vault).is_none() {
            return Err(IpcError::new(ErrorCode::NoVault, "No vault is open yet."));
        }
        f(&vault).map_err(remote_error)
    })
    .await
    .map_err(|e| IpcError::internal(format!("a key-vault task failed: {e}")))?
}

/// The client of saved connection `name`: the connection and its
/// credentials (used for `purpose`) in one turn at the vault, then the
/// client built without it.
pub fn client_in(
    vault: &Mutex<Option<Vault>>,
    name: &str,
    purpose: &str,
) -> coffer_remote::Result<(Manager, AnyVault)> {
    let (manager, credentials, options) = vault.with(|v| connection_of(v, name, purpose))?;
    let client =
        tauri::async_runtime::block_on(async { connect(&manager, credentials, &options).await })?;
    Ok((manager, client))
}

/// The credentials an unsaved connection would use: its secret, used (and
/// audited) like any use, or the platform's.
fn draft_credentials(vault: &mut Vault, spec: &ManagerSpec) -> coffer_remote::Result<Credentials> {
    let Some(secret) = spec.settings.credential_secret() else {
        let profile = match &spec.settings {
            ManagerSettings::Aws(aws) => match &aws.auth {
                AwsAuth::Implicit { profile } => profile.clone(),
                AwsAuth::AccessKey { .. } => None,
            },
            ManagerSettings::Azure(_) => None,
        };
        return Ok(Credentials::Implicit { profile });
    };
    let purpose = format!("testing connection {}", spec.name);
    let used = vault.use_secret(&SecretRef::in_org(&spec.org, secret), None, &purpose, None)?;
    let field = |name: &str| {
        used.data
            .fields()
            .into_iter()
            .find(|f| f.name == name)
            .and_then(|f| String::from_utf8(f.value.into_owned()).ok())
            .ok_or_else(|| {
                coffer_core::Error::invalid(
                    "credential_secret",
                    format!("secret {secret:?} has no {name}"),
                )
            })
    };
    Ok(match &spec.settings {
        ManagerSettings::Aws(_) => Credentials::AwsAccessKey {
            access_key_id: field("aws_access_key_id")?,
            secret_access_key: SecretString::from(field("aws_secret_access_key")?),
            session_token: field("aws_session_token").ok().map(SecretString::from),
        },
        ManagerSettings::Azure(_) => Credentials::AzureClientSecret {
            client_id: field("client_id")?,
            client_secret: SecretString::from(field("client_secret")?),
        },
    })
}

fn tested(
    result: coffer_remote::Result<Probe>,
    started: Instant,
    tested_at: Timestamp,
) -> coffer_remote::Result<ManagerTest> {
    match result {
        Ok(probe) => Ok(ManagerTest {
            ok: true,
            checked: probe.checked,
            latency_ms: u32::try_from(probe.latency_ms).unwrap_or(u32::MAX),
            class: None,
            message: None,
            hint: None,
            tested_at,
        }),
        // A local refusal (unknown or deactivated credential secret) is an error, not a test result.
        Err(coffer_remote::Error::Core(e)) => Err(e.into()),
        Err(e) => Ok(ManagerTest {
            ok: false,
            checked: "one authenticated call".into(),
            latency_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
            class: e.class(),
            message: Some(e.to_string()),
            hint: e.class().map(|c| c.hint().to_owned()),
            tested_at,
        }),
    }
}

/// Tests settings before they are saved (the wizard's Test): one cheap call.
#[tauri::command(async)]
#[specta::specta]
pub async fn test_manager_spec(
    state: State<'_, AppState>,
    tests: State<'_, TestResults>,
    spec: ManagerSpec,
) -> IpcResult<ManagerTest> {
    let tested_spec = spec.clone();
    let result = with_vault_remote(&state, move |vault| {
        let started = Instant::now();
        let (draft, credentials, options) = vault.with(|v| {
            let draft = Manager {
                id: 0,
                spec,
                created_at: v.now(),
                updated_at: v.now(),
            };
            let credentials = draft_credentials(v, &draft.spec)?;
            Ok::<_, coffer_remote::Error>((draft, credentials, connect_options(v)))
        })?;
        let result = tauri::async_runtime::block_on(async {
            let client = connect(&draft, credentials, &options).await?;
            client.probe().await
        });
        let now = vault.with(|v| Ok::<_, coffer_core::Error>(v.now()))?;
        tested(result, started, now)
    })
    .await?;
    *lock(&tests.draft) = Some((tested_spec, result.clone()));
    Ok(result)
}

/// Tests a saved connection; the result becomes its status in the list.
#[tauri::command(async)]
#[specta::specta]
pub async fn test_manager(
    state: State<'_, AppState>,
    tests: State<'_, TestResults>,
    name: String,
) -> IpcResult<ManagerTest> {
    let key = name.clone();
    let result = with_vault_remote(&state, move |vault| {
        let started = Instant::now();
        let result = client_in(vault, &name, "test")
            .and_then(|(_, client)| tauri::async_runtime::block_on(async { client.probe().await }));
        let now = vault.with(|v| Ok::<_, coffer_core::Error>(v.now()))?;
        tested(result, started, now)
    })
    .await?;
    let canonical = with_vault(&state, move |v| v.manager(&key).map(|m| m.spec.name)).await?;
    lock(&tests.by_name).insert(canonical, result.clone());
    Ok(result)
}

/// One page of a connection's remote secrets whose names start with `prefix` (never values).
#[tauri::command(async)]
#[specta::specta]
pub async fn browse_manager(
    state: State<'_, AppState>,
    name: String,
    prefix: String,
    page: Option<String>,
) -> IpcResult<RemotePage> {
    with_vault_remote(&state, move |vault| {
        let (_, client) = client_in(vault, &name, "browse")?;
        let found = tauri::async_runtime::block_on({
            let prefix = prefix.clone();
            async move { client.list(&prefix, page, PAGE_SIZE).await }
        });
        vault.with(|v| {
            v.audit_remote(
                "remote.list",
                &name,
                &prefix,
                if found.is_ok() { "ok" } else { "failed" },
            )
        })?;
        let found = found?;
        Ok(RemotePage {
            items: found.items,
            next: found.next,
        })
    })
    .await
}

/// One imported remote secret.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportedSecret {
    /// Its remote name.
    pub remote_name: String,
    /// The local secret's id.
    pub id: SecretId,
    /// The local secret's name.
    pub name: String,
}

/// One remote secret that was not imported.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportFailure {
    /// Its remote name.
    pub remote_name: String,
    /// Why (never a value).
    pub error: IpcError,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportResult {
    /// Imported, in order.
    pub imported: Vec<ImportedSecret>,
    /// Not imported, in order.
    pub failed: Vec<ImportFailure>,
}

/// Imports remote secrets as local ones under the same names: one action,
/// with an `ImportProgress` event per secret read, all or none (one
/// transaction; a refused item refuses the import and changes nothing).
#[tauri::command(async)]
#[specta::specta]
pub async fn import_remote(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    remote_names: Vec<String>,
    secret_type: Option<SecretType>,
) -> IpcResult<ImportResult> {
    let items: Vec<ImportItem> = remote_names
        .iter()
        .map(|remote| ImportItem {
            remote_name: remote.clone(),
            remote_id: None,
            local_name: remote.clone(),
            kind: secret_type,
            description: format!("Imported from {name}"),
        })
        .collect();
    let outcomes = with_vault_remote(&state, move |vault| {
        let (manager, client) = client_in(vault, &name, "import")?;
        let mut progress = |p: &coffer_remote::ImportProgress| {
            let _ = ImportProgress {
                manager: manager.spec.name.clone(),
                done: p.done,
                total: p.total,
            }
            .emit(&app);
        };
        tauri::async_runtime::block_on(import_many_shared(
            vault,
            &manager.spec.name,
            &client,
            &items,
            &mut progress,
        ))
    })
    .await?;
    state.expiry_changed();
    let mut result = ImportResult {
        imported: Vec::new(),
        failed: Vec::new(),
    };
    for outcome in outcomes {
        match (outcome.secret, outcome.error) {
            (Some(meta), _) => result.imported.push(ImportedSecret {
                remote_name: outcome.remote_name,
                id: meta.id,
                name: meta.name,
            }),
            (None, error) => result.failed.push(ImportFailure {
                remote_name: outcome.remote_name,
                error: IpcError::new(
                    ErrorCode::Remote,
                    error.unwrap_or_else(|| "not imported".into()),
                ),
            }),
        }
    }
    Ok(result)
}

/// What the app's cache holds (one connection, or all): names, versions and
/// times, never values.
#[tauri::command(async)]
#[specta::specta]
pub async fn cached_secrets(
    state: State<'_, AppState>,
    name: Option<String>,
) -> IpcResult<Vec<coffer_remote::CachedSecret>> {
    let managers = with_vault(&state, |v| v.managers()).await?;
    let remotes = &state.run_context.remotes;
    Ok(managers
        .iter()
        .filter(|m| {
            name.as_deref()
                .is_none_or(|n| m.spec.name.eq_ignore_ascii_case(n))
        })
        .flat_map(|m| remotes.cached(m))
        .collect())
}

/// Clears cached values (one connection, or all); returns how many went.
#[tauri::command(async)]
#[specta::specta]
pub async fn clear_cache(state: State<'_, AppState>, name: Option<String>) -> IpcResult<u32> {
    let managers = with_vault(&state, |v| v.managers()).await?;
    let remotes = &state.run_context.remotes;
    let mut cleared = 0usize;
    for manager in managers.iter().filter(|m| {
        name.as_deref()
            .is_none_or(|n| m.spec.name.eq_ignore_ascii_case(n))
    }) {
        cleared += remotes.cached(manager).len();
        remotes.clear_manager(manager.id);
    }
    Ok(u32::try_from(cleared).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use coffer_core::remote::{AwsSettings, ManagerSettings, ManagerSpec};
    use coffer_core::remote::{DEFAULT_CACHE_TTL_SECS, DEFAULT_STALE_IF_ERROR_SECS};

    use super::{ManagerTest, TestResults, lock};

    fn spec(region: &str) -> ManagerSpec {
        ManagerSpec {
            name: "prod".into(),
            org: "Default".into(),
            settings: ManagerSettings::Aws(AwsSettings {
                region: region.into(),
                endpoint: None,
                auth: super::AwsAuth::Implicit { profile: None },
            }),
            cache_ttl_secs: DEFAULT_CACHE_TTL_SECS,
            stale_if_error_secs: DEFAULT_STALE_IF_ERROR_SECS,
            writes_per_sec: 20,
        }
    }

    fn passed() -> ManagerTest {
        ManagerTest {
            ok: true,
            checked: "ListSecrets".into(),
            latency_ms: 12,
            class: None,
            message: None,
            hint: None,
            tested_at: coffer_core::Timestamp::from_unix(0),
        }
    }

    #[test]
    fn the_wizards_test_is_the_status_only_of_the_settings_it_tested() {
        let tests = TestResults::default();
        *lock(&tests.draft) = Some((spec("eu-west-1"), passed()));
        tests.adopt_draft(&spec("us-east-1"));
        assert!(lock(&tests.by_name).is_empty(), "other settings were saved");
        *lock(&tests.draft) = Some((spec("eu-west-1"), passed()));
        tests.adopt_draft(&spec("eu-west-1"));
        assert_eq!(lock(&tests.by_name).get("prod"), Some(&passed()));
    }
}
