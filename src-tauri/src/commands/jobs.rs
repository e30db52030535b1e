//! Jobs: defining, listing, running them and their history; where a secret
//! is used; the Test action; placeholders checked as they are typed.

use std::sync::Arc;

use coffer_core::job::{
    Job, JobChange, JobId, JobKind, JobRef, JobRun, JobSpec, JobUsage, NewJob, RoleBinding,
    RunTrigger, Schedule, SecretRole, SelectionUsage,
};
use coffer_core::secret::{SecretId, SecretQuery, SecretRef, SecretType};
use coffer_core::{Timestamp, Vault};
use coffer_jobs::check::{CheckOptions, TextCheck};
use coffer_jobs::probe::{TestOptions, TestReport};
use coffer_jobs::scheduler::{self, VaultAccess};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, lock, with_vault};

/// Longest text checked for placeholders (a template being typed).
const MAX_CHECK_BYTES: usize = 1024 * 1024;
/// Most runs returned at once.
const MAX_RUNS: u32 = 100;

/// A job as the wizard sends it, to create or to replace a job's settings.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct JobInput {
    /// Name, `[A-Za-z0-9._/-]{1,128}`, unique in the organization (ignored on update).
    pub name: String,
    /// Organization (`Default` when null; ignored on update).
    pub org: Option<String>,
    /// The project the job runs as.
    pub project: Option<String>,
    /// Free text.
    pub description: String,
    /// What it does; its kind follows.
    pub spec: JobSpec,
    /// When it runs by itself.
    pub schedule: Option<Schedule>,
    /// Whether the schedule is on.
    pub enabled: bool,
    /// Secrets bound by role.
    pub roles: Vec<RoleBinding>,
}

/// A role a kind of job can bind, and the secret types that fit it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RoleInfo {
    /// The role.
    pub role: SecretRole,
    /// Types that can play it.
    pub accepts: Vec<SecretType>,
}

/// A kind of job and the roles it binds.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct JobKindInfo {
    /// The kind.
    pub kind: JobKind,
    /// Its roles, in the order the wizard shows them.
    pub roles: Vec<RoleInfo>,
}

/// What the wizard may offer: each kind with its roles.
#[tauri::command]
#[specta::specta]
pub fn job_kinds() -> Vec<JobKindInfo> {
    JobKind::ALL
        .into_iter()
        .map(|kind| JobKindInfo {
            kind,
            roles: kind
                .roles()
                .iter()
                .map(|&role| RoleInfo {
                    role,
                    accepts: role.accepts().to_vec(),
                })
                .collect(),
        })
        .collect()
}

fn jobs_error(error: coffer_jobs::Error) -> IpcError {
    match error {
        coffer_jobs::Error::Core(e) => e.into(),
        other => {
            let mut e = IpcError::new(other.core_code(), other.to_string());
            e.detail = Some(other.code().to_owned());
            e
        }
    }
}

/// Runs `f` on the vault on a blocking thread, for `coffer-jobs` calls.
async fn with_vault_jobs<T, F>(state: &AppState, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Vault) -> coffer_jobs::Result<T> + Send + 'static,
{
    with_vault(state, move |v| Ok(f(v)))
        .await?
        .map_err(jobs_error)
}

/// Every job, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs(state: State<'_, AppState>) -> IpcResult<Vec<Job>> {
    with_vault(&state, |v| v.jobs(None)).await
}

/// One job with its bindings.
#[tauri::command]
#[specta::specta]
pub async fn get_job(state: State<'_, AppState>, id: JobId) -> IpcResult<Job> {
    with_vault(&state, move |v| v.job(&JobRef::Id(id))).await
}

/// Creates a job; the secrets its placeholders name become its bindings.
#[tauri::command]
#[specta::specta]
pub async fn create_job(state: State<'_, AppState>, input: JobInput) -> IpcResult<Job> {
    with_vault_jobs(&state, move |v| {
        let new = NewJob {
            name: input.name,
            org: input.org.filter(|o| !o.trim().is_empty()),
            project: input.project.filter(|p| !p.trim().is_empty()),
            description: input.description,
            spec: input.spec,
            schedule: input.schedule,
            enabled: input.enabled,
            roles: input.roles,
            references: Vec::new(),
        };
        coffer_jobs::define::create_job(v, new)
    })
    .await
}

/// Replaces a job's settings (its name and organization stay).
#[tauri::command]
#[specta::specta]
pub async fn update_job(state: State<'_, AppState>, id: JobId, input: JobInput) -> IpcResult<Job> {
    with_vault_jobs(&state, move |v| {
        let change = JobChange {
            description: Some(input.description),
            spec: Some(input.spec),
            schedule: Some(input.schedule),
            enabled: Some(input.enabled),
            project: Some(input.project.filter(|p| !p.trim().is_empty())),
            roles: Some(input.roles),
            references: None,
        };
        coffer_jobs::define::update_job(v, &JobRef::Id(id), change)
    })
    .await
}

/// Switches a job's schedule on or off.
#[tauri::command]
#[specta::specta]
pub async fn set_job_enabled(
    state: State<'_, AppState>,
    id: JobId,
    enabled: bool,
) -> IpcResult<Job> {
    with_vault(&state, move |v| {
        v.update_job(
            &JobRef::Id(id),
            JobChange {
                enabled: Some(enabled),
                ..JobChange::default()
            },
        )
    })
    .await
}

/// Deletes a job and its history.
#[tauri::command]
#[specta::specta]
pub async fn delete_job(state: State<'_, AppState>, id: JobId) -> IpcResult<()> {
    with_vault(&state, move |v| v.delete_job(&JobRef::Id(id))).await
}

/// The store-password secrets a run of the job uses, by name: what "Run
/// now" asks for first (from clear metadata; nothing is decrypted).
#[tauri::command]
#[specta::specta]
pub async fn job_store_passwords(state: State<'_, AppState>, id: JobId) -> IpcResult<Vec<String>> {
    with_vault_jobs(&state, move |v| {
        coffer_jobs::store_passwords_needed(v, &JobRef::Id(id))
    })
    .await
}

/// Runs a job now and returns the finished run. The vault is held only to
/// start and to record the run, so the app stays usable while it works.
/// `store_passwords` (by secret name) open its store-password secrets; they
/// are dropped, zeroized, once the secrets are open.
#[tauri::command]
#[specta::specta]
pub async fn run_job_now(
    state: State<'_, AppState>,
    id: JobId,
    store_passwords: Option<std::collections::BTreeMap<String, crate::dto::SecretInput>>,
) -> IpcResult<JobRun> {
    state.touch();
    let access: Arc<dyn VaultAccess> = Arc::new(SharedVault(Arc::clone(&state.vault)));
    let passwords: coffer_jobs::StorePasswords = store_passwords
        .unwrap_or_default()
        .iter()
        .map(|(name, input)| (name.clone(), input.to_secret()))
        .collect();
    scheduler::run_with_access(
        access,
        JobRef::Id(id),
        RunTrigger::Manual,
        state.run_context.clone(),
        passwords,
    )
    .await
    .map_err(jobs_error)
}

/// A job's runs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn job_runs(state: State<'_, AppState>, id: JobId, limit: u32) -> IpcResult<Vec<JobRun>> {
    with_vault(&state, move |v| {
        v.job_runs(&JobRef::Id(id), limit.clamp(1, MAX_RUNS))
    })
    .await
}

/// The jobs that use a secret, by role or placeholder.
#[tauri::command]
#[specta::specta]
pub async fn secret_usage(state: State<'_, AppState>, id: SecretId) -> IpcResult<Vec<JobUsage>> {
    with_vault(&state, move |v| v.secret_usage(&SecretRef::Id(id))).await
}

/// The jobs that use any secret a filter matches (its paging ignored) but
/// those in `except`: what a bulk change to "all N matching" affects,
/// loaded on screen or not.
#[tauri::command]
#[specta::specta]
pub async fn matching_usage(
    state: State<'_, AppState>,
    query: SecretQuery,
    except: Vec<SecretId>,
) -> IpcResult<Vec<SelectionUsage>> {
    super::secrets::check_filter(&query)?;
    with_vault(&state, move |v| v.usage_of_matching(&query, &except)).await
}

/// The Test action: one request to `url` with the secret (and optionally a
/// CA bundle secret as trust root); the status and TLS facts come back,
/// never the value. The vault is free while the server answers. A
/// store-password secret needs `store_password` (`password_required` otherwise).
#[tauri::command]
#[specta::specta]
pub async fn test_secret(
    state: State<'_, AppState>,
    id: SecretId,
    url: String,
    ca_bundle: Option<SecretId>,
    project: Option<String>,
    store_password: Option<crate::dto::SecretInput>,
) -> IpcResult<TestReport> {
    let url = url.trim().to_owned();
    let prepared = with_vault_jobs(&state, move |v| {
        let options = TestOptions {
            ca_bundle: ca_bundle.map(SecretRef::Id),
            project: project.filter(|p| !p.trim().is_empty()),
            store_password: crate::dto::secret(store_password.as_ref()),
        };
        coffer_jobs::probe::prepare_test(v, &SecretRef::Id(id), &url, &options)
    })
    .await?;
    tauri::async_runtime::spawn_blocking(move || prepared.run())
        .await
        .map_err(|e| IpcError::internal(format!("the test's thread failed: {e}")))?
        .map_err(jobs_error)
}

/// How a text being typed will be used, for [`check_placeholders`].
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct CheckInput {
    /// The text.
    pub text: String,
    /// The job's organization (`Default` when null).
    pub org: Option<String>,
    /// The project the job runs as.
    pub project: Option<String>,
    /// Whether the rendered text is written to disk.
    pub to_disk: bool,
    /// Whether the job lets write-only values reach disk.
    pub allow_write_only_to_disk: bool,
}

fn check_options(
    org: Option<String>,
    project: Option<String>,
    to_disk: bool,
    allow_write_only_to_disk: bool,
) -> CheckOptions {
    CheckOptions {
        org: org.unwrap_or_default(),
        project: project.filter(|p| !p.trim().is_empty()),
        to_disk,
        allow_write_only_to_disk,
    }
}

/// Checks the placeholders of a text as it is typed: syntax, unknown
/// secrets and fields, secrets the job may not use. Nothing is decrypted.
#[tauri::command]
#[specta::specta]
pub async fn check_placeholders(
    state: State<'_, AppState>,
    input: CheckInput,
) -> IpcResult<TextCheck> {
    if input.text.len() > MAX_CHECK_BYTES {
        return Err(IpcError::invalid(
            "The text is too long to check (1 MiB at most).",
        ));
    }
    with_vault(&state, move |v| {
        let options = check_options(
            input.org,
            input.project,
            input.to_disk,
            input.allow_write_only_to_disk,
        );
        Ok(coffer_jobs::check::check_text(v, &input.text, &options))
    })
    .await
}

/// A template file to check, for [`check_template_file`].
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct TemplateCheckInput {
    /// The template's path (absolute).
    pub path: String,
    /// The job's organization (`Default` when null).
    pub org: Option<String>,
    /// The project the job runs as.
    pub project: Option<String>,
    /// Whether the job lets write-only values reach disk.
    pub allow_write_only_to_disk: bool,
}

/// Reads a template file (as a run would) and checks its placeholders;
/// nothing is decrypted and nothing is written.
#[tauri::command]
#[specta::specta]
pub async fn check_template_file(
    state: State<'_, AppState>,
    input: TemplateCheckInput,
) -> IpcResult<TextCheck> {
    let path = std::path::PathBuf::from(input.path.trim());
    if !path.is_absolute() {
        return Err(IpcError::invalid("The template must be an absolute path."));
    }
    with_vault_jobs(&state, move |v| {
        let text = coffer_jobs::runner::read_template(&path)?;
        let options = check_options(
            input.org,
            input.project,
            true,
            input.allow_write_only_to_disk,
        );
        Ok(coffer_jobs::check::check_text(v, &text, &options))
    })
    .await
}

/// A schedule checked, in words, with its next runs.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SchedulePreview {
    /// `cron 0 3 * * * (UTC)`, `every 15m`.
    pub description: String,
    /// The next three runs from now.
    pub next_runs: Vec<Timestamp>,
}

/// Checks a schedule and shows when it would run.
#[tauri::command]
#[specta::specta]
pub async fn preview_schedule(
    state: State<'_, AppState>,
    schedule: Schedule,
) -> IpcResult<SchedulePreview> {
    with_vault(&state, move |v| {
        schedule.check()?;
        let mut next_runs = Vec::new();
        let mut after = v.now();
        while next_runs.len() < 3 {
            match schedule.next_after(after)? {
                Some(at) => {
                    next_runs.push(at);
                    after = at;
                }
                None => break,
            }
        }
        Ok(SchedulePreview {
            description: schedule.describe(),
            next_runs,
        })
    })
    .await
}

/// The app's vault, as the scheduler reaches it.
pub struct SharedVault(pub Arc<std::sync::Mutex<Option<Vault>>>);

impl VaultAccess for SharedVault {
    fn with_vault(&self, f: &mut dyn FnMut(&mut Vault)) -> bool {
        match lock(&self.0).as_mut() {
            Some(vault) => {
                f(vault);
                true
            }
            None => false,
        }
    }
}
