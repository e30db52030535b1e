//! The deploy engine: drives a deployment through IMCO's states against any
//! [`KeyVault`], reporting each step to the core (which checks it against
//! the state machine and persists it with its audit entry).
//!
//! - A push maps the local secret's current version to a remote value
//!   ([`crate::mapping`]), checks the service's limits and name rules
//!   (a violation is a `stalled` reason), checks ownership (a remote secret
//!   of the same name without Coffer's tags stalls until the user adopts
//!   it) and writes the version with Coffer's tags and an idempotency token
//!   derived from the local version, so that a retry after a crash or a cut
//!   connection never makes a second remote version of the same local one.
//! - Throttling, timeouts and unreachable services are retried with
//!   backoff honouring the server's `Retry-After`, under the connection's
//!   write rate; only after the retries are spent does a push end in
//!   `updating_error` (Retry pushes again).
//! - Decommissioning deletes the remote secret (soft delete where the
//!   service has it) only when Coffer manages it or it carries this vault's
//!   tags; then `end`.
//! - Every remote call is audited locally through `Vault::audit_remote`.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Duration;

use coffer_core::remote::{Deployment, DeploymentState, ManagerKind};
use coffer_core::secret::SecretRef;
use coffer_core::{ErrorCode, Vault};

use futures::stream::{self, StreamExt};

use crate::access::VaultAccess;
use crate::error::{Error, FailureClass, Result};
use crate::keyvault::{KeyVault, RemoteSecret, Tags, WriteRequest};
use crate::mapping;
use crate::rate::RateLimiter;
use crate::tags;

/// How hard the engine tries before a push ends in `updating_error`.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Attempts of one write or delete (the first and the retries).
    pub max_attempts: u32,
    /// The first backoff; doubled after each failure.
    pub base_backoff: Duration,
    /// The longest wait between attempts (a longer `Retry-After` is cut).
    pub max_backoff: Duration,
}

impl Default for DeployOptions {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// The idempotency token of a local version: AWS `ClientRequestToken`
/// (32–64 characters) and Azure's version tag. The same secret and version
/// always give the same token.
pub fn idempotency_token(secret_id: &str, version: u32) -> String {
    format!("{}-v{version:010}", secret_id.replace('-', ""))
}

/// Why a service would refuse a name or value, checked before sending
/// (binary values travel to Azure as base64 text, so that size counts).
pub fn limit_violation(
    kind: ManagerKind,
    name: &str,
    value: &[u8],
    binary: bool,
) -> Option<String> {
    // Binary values travel to Azure as base64 text.
    let size = if binary && kind == ManagerKind::Azure {
        value.len().div_ceil(3) * 4
    } else {
        value.len()
    };
    crate::limits::check(kind, name, size)
        .err()
        .map(|violation| violation.to_string())
}

/// How many write requests a put makes, for the connection's write rate:
/// AWS creates a new secret in one (`CreateSecret` with its tags) but
/// updates one in two (`PutSecretValue`, then `TagResource` for the new
/// version tag); Azure's `set` carries its tags.
pub fn write_requests(kind: ManagerKind, exists: bool) -> u32 {
    match kind {
        ManagerKind::Aws if exists => 2,
        _ => 1,
    }
}

/// The text an audit entry records for a call's outcome (never a value).
fn outcome<T>(result: &Result<T>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(Error::Remote { class, .. }) => class_name(*class),
        Err(Error::Core(e)) => e.code().as_str().to_owned(),
    }
}

fn class_name(class: FailureClass) -> String {
    serde_json::to_value(class)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "failed".to_owned())
}

/// A step the state machine refused because the deployment's state changed
/// under the engine.
fn moved_on(error: &Error) -> bool {
    matches!(
        error,
        Error::Core(coffer_core::Error::InvalidInput { field, .. }) if field == "state"
    )
}

/// Failures worth another attempt.
fn transient(error: &Error) -> bool {
    matches!(
        error.class(),
        Some(FailureClass::Throttled | FailureClass::Unreachable | FailureClass::Timeout)
    )
}

/// The wait before attempt `attempt + 1`: exponential, at least the server's
/// `Retry-After`, at most `max_backoff`.
fn backoff(options: &DeployOptions, attempt: u32, error: &Error) -> Duration {
    let exponential = options
        .base_backoff
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let server = match error {
        Error::Remote {
            retry_after_ms: Some(ms),
            ..
        } => Duration::from_millis(*ms),
        _ => Duration::ZERO,
    };
    exponential.max(server).min(options.max_backoff)
}

/// What the engine needs besides the vault: the connection's client, its
/// kind and write rate, and how hard to try.
pub struct Engine<'a, K: KeyVault> {
    /// The connection's name.
    pub manager: &'a str,
    /// Its service.
    pub kind: ManagerKind,
    /// Its client.
    pub client: &'a K,
    /// Its write rate, shared by every deployment of the connection.
    pub limiter: &'a RateLimiter,
    /// Attempts and backoff.
    pub options: &'a DeployOptions,
}

/// How a step ended.
enum Step {
    /// Go on with the deployment's new state.
    Next,
    /// It rests (available, stalled, failed, ended).
    Rest,
}

/// Pushes in flight at once in [`Engine::run_pending`]: enough to hide the
/// round trips of a distant region, few enough that the connection's rate
/// limiter (which every push shares) still decides the pace.
pub const CONCURRENT_PUSHES: usize = 4;

/// What one pass of the engine learned about remote names: those it wrote
/// itself (they exist and carry this vault's tags), so a later push of the
/// same name in the pass needs no describe first.
#[derive(Default)]
struct Known {
    ours: RefCell<HashSet<String>>,
}

impl Known {
    fn is_ours(&self, name: &str) -> bool {
        self.ours.borrow().contains(name)
    }

    fn wrote(&self, name: &str) {
        self.ours.borrow_mut().insert(name.to_owned());
    }

    fn forget(&self, name: &str) {
        self.ours.borrow_mut().remove(name);
    }
}

impl<K: KeyVault> Engine<'_, K> {
    /// Makes `call` (no vault held), then records it in the audit log.
    async fn audited<T, A: VaultAccess>(
        &self,
        vault: &A,
        action: &str,
        remote_name: &str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let result = call.await;
        let outcome = outcome(&result);
        vault.with(|v| v.audit_remote(action, self.manager, remote_name, &outcome))?;
        result
    }

    /// Drives deployment `id` until it rests: `available` with the secret's
    /// current version, `stalled`, `updating_error` or `end`. `progress`
    /// sees each state it passes through.
    pub async fn run(
        &self,
        vault: &mut Vault,
        id: i64,
        progress: &mut dyn FnMut(&Deployment),
    ) -> Result<Deployment> {
        self.run_shared(&RefCell::new(vault), id, progress).await
    }

    /// [`Engine::run`] on a vault that others share: it is taken only for
    /// the local steps, never across a network call.
    pub async fn run_shared<A: VaultAccess>(
        &self,
        vault: &A,
        id: i64,
        progress: &mut dyn FnMut(&Deployment),
    ) -> Result<Deployment> {
        self.drive(vault, id, progress, &Known::default()).await
    }

    async fn drive<A: VaultAccess>(
        &self,
        vault: &A,
        id: i64,
        progress: &mut dyn FnMut(&Deployment),
        known: &Known,
    ) -> Result<Deployment> {
        // Each step moves the state machine forward or rests; the bound only
        // guards against a secret that keeps getting new versions.
        for _ in 0..64 {
            let d = vault.with(|v| v.deployment(id))?;
            if !d.target.manager.eq_ignore_ascii_case(self.manager) {
                return Err(coffer_core::Error::invalid(
                    "manager",
                    format!("deployment {id} belongs to connection {}", d.target.manager),
                )
                .into());
            }
            progress(&d);
            let step = match d.state {
                DeploymentState::Start => vault
                    .with(|v| v.begin_deployment(id))
                    .map(|_| Step::Next)
                    .map_err(Error::from),
                DeploymentState::Deploying | DeploymentState::UpdatingVersions => {
                    self.push(vault, &d, known).await
                }
                DeploymentState::Available => {
                    if d.managed && vault.with(|v| has_newer_version(v, &d))? {
                        vault
                            .with(|v| v.begin_update(id))
                            .map(|_| Step::Next)
                            .map_err(Error::from)
                    } else {
                        Ok(Step::Rest)
                    }
                }
                DeploymentState::Decommissioning => self.remove(vault, &d, known).await,
                DeploymentState::Stalled
                | DeploymentState::UpdatingError
                | DeploymentState::End => Ok(Step::Rest),
            };
            // Another process (the app beside the CLI) moved the deployment
            // meanwhile: read its state again and go on from there.
            let step = match step {
                Err(e) if moved_on(&e) => Step::Next,
                other => other?,
            };
            if let Step::Rest = step {
                let d = vault.with(|v| v.deployment(id))?;
                progress(&d);
                return Ok(d);
            }
        }
        Ok(vault.with(|v| v.deployment(id))?)
    }

    /// Runs every deployment of this connection that has work to do.
    pub async fn run_pending(
        &self,
        vault: &mut Vault,
        progress: &mut dyn FnMut(&Deployment),
    ) -> Result<Vec<Deployment>> {
        self.run_pending_shared(&RefCell::new(vault), progress)
            .await
    }

    /// [`Engine::run_pending`] on a vault that others share. Up to
    /// [`CONCURRENT_PUSHES`] deployments are pushed at once, all under the
    /// connection's one rate limiter; each remote name is described at most
    /// once in the pass unless the engine itself has not written it. The
    /// results come in the order of the pending list.
    pub async fn run_pending_shared<A: VaultAccess>(
        &self,
        vault: &A,
        progress: &mut dyn FnMut(&Deployment),
    ) -> Result<Vec<Deployment>> {
        let ids: Vec<i64> = vault
            .with(|v| v.pending_deployments())?
            .into_iter()
            .filter(|d| d.target.manager.eq_ignore_ascii_case(self.manager))
            .map(|d| d.id)
            .collect();
        let known = Known::default();
        let progress = RefCell::new(progress);
        let known = &known;
        let progress = &progress;
        let mut results: Vec<(usize, Result<Deployment>)> =
            stream::iter(ids.into_iter().enumerate())
                .map(|(at, id)| async move {
                    let mut each = |d: &Deployment| (progress.borrow_mut())(d);
                    (at, self.drive(vault, id, &mut each, known).await)
                })
                .buffer_unordered(CONCURRENT_PUSHES)
                .collect()
                .await;
        results.sort_by_key(|(at, _)| *at);
        results.into_iter().map(|(_, r)| r).collect()
    }

    /// Describes the remote name, retrying transient failures; a failure
    /// comes with the attempts it took.
    async fn describe<A: VaultAccess>(
        &self,
        vault: &A,
        id: i64,
        name: &str,
    ) -> Result<std::result::Result<Option<RemoteSecret>, (Error, u32)>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .audited(vault, "remote.describe", name, self.client.describe(name))
                .await;
            match result {
                Ok(remote) => return Ok(Ok(remote)),
                Err(Error::Core(e)) => return Err(e.into()),
                Err(e) if transient(&e) && attempt < self.options.max_attempts => {
                    let message = e.to_string();
                    vault.with(|v| v.set_deployment_error(id, &message, attempt))?;
                    tokio::time::sleep(backoff(self.options, attempt, &e)).await;
                }
                Err(e) => return Ok(Err((e, attempt))),
            }
        }
    }

    /// Pushes the secret's current version.
    async fn push<A: VaultAccess>(&self, vault: &A, d: &Deployment, known: &Known) -> Result<Step> {
        let secret = secret_ref(d);
        let purpose = format!("deploy to {}:{}", d.target.manager, d.target.remote_name);
        // The local steps in one turn: the secret, its value mapped, the
        // vault's id; the value never leaves this turn unmapped.
        let prepared = vault.with(|v| {
            let meta = v.get(&secret)?;
            let used = match v.use_secret(&secret, meta.project.as_deref(), &purpose, None) {
                Ok(used) => used,
                Err(e)
                    if matches!(
                        e.code(),
                        ErrorCode::Refused | ErrorCode::PasswordRequired | ErrorCode::WriteOnly
                    ) =>
                {
                    v.stall_deployment(d.id, &e.to_string())?;
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            let version = used.meta.current_version;
            let payload = match mapping::to_remote(&used.data) {
                Ok(payload) => payload,
                Err(reason) => {
                    v.stall_deployment(
                        d.id,
                        &format!("cannot be mapped to a remote value: {reason}"),
                    )?;
                    return Ok(None);
                }
            };
            Ok(Some((meta, version, payload, v.id())))
        })?;
        let Some((meta, version, payload, vault_id)) = prepared else {
            return Ok(Step::Rest);
        };
        let name = d.target.remote_name.as_str();
        if let Some(reason) = limit_violation(self.kind, name, &payload.value, payload.binary) {
            vault.with(|v| v.stall_deployment(d.id, &reason))?;
            return Ok(Step::Rest);
        }
        let secret_id = meta.id.to_string();
        let exists = if known.is_ours(name) {
            // Written by this pass: it exists and carries our tags.
            true
        } else {
            match self.describe(vault, d.id, name).await? {
                Ok(Some(remote)) => {
                    let ours = tags::is_managed(&remote.tags)
                        && remote.tags.get(tags::TAG_VAULT_ID) == Some(&vault_id)
                        && remote.tags.get(tags::TAG_SECRET_ID) == Some(&secret_id);
                    if remote.deleted {
                        vault.with(|v| {
                            v.stall_deployment(
                                d.id,
                                &format!(
                                    "{name} is deleted in the key vault (recoverable): restore or \
                                     purge it there first"
                                ),
                            )
                        })?;
                        return Ok(Step::Rest);
                    }
                    if !ours && !d.managed {
                        vault.with(|v| {
                            v.stall_deployment(
                                d.id,
                                &format!(
                                    "{name} exists and is not managed by Coffer: adopt it to \
                                     overwrite it"
                                ),
                            )
                        })?;
                        return Ok(Step::Rest);
                    }
                    true
                }
                Ok(None) => false,
                Err((e, attempts)) => return self.failed(vault, d, e, attempts).await,
            }
        };
        let writes = write_requests(self.kind, exists);
        let token = idempotency_token(&secret_id, version);
        let mut remote_tags = Tags::new();
        remote_tags.insert(tags::TAG_MANAGED_BY.into(), tags::MANAGED_BY_COFFER.into());
        remote_tags.insert(tags::TAG_VAULT_ID.into(), vault_id);
        remote_tags.insert(tags::TAG_SECRET_ID.into(), secret_id);
        remote_tags.insert(tags::TAG_VERSION.into(), token.clone());
        remote_tags.insert(
            tags::TAG_WRITE_ONLY.into(),
            if meta.write_only { "true" } else { "false" }.into(),
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.limiter.acquire_many(writes).await;
            let request = WriteRequest {
                name,
                value: &payload.value,
                binary: payload.binary,
                tags: &remote_tags,
                idempotency_token: &token,
            };
            let result = self
                .audited(vault, "remote.put", name, self.client.put(request))
                .await;
            match result {
                Ok(written) => {
                    known.wrote(name);
                    vault.with(|v| {
                        v.record_pushed_version(d.id, version, &written.version, &written.remote_id)
                    })?;
                    return Ok(Step::Next);
                }
                Err(e) if transient(&e) && attempt < self.options.max_attempts => {
                    let message = e.to_string();
                    vault.with(|v| v.set_deployment_error(d.id, &message, attempt))?;
                    tokio::time::sleep(backoff(self.options, attempt, &e)).await;
                }
                Err(e) => {
                    known.forget(name);
                    return self.failed(vault, d, e, attempt).await;
                }
            }
        }
    }

    /// Records a failure: a refused name or value, or a conflict, stalls;
    /// anything else ends the push in `updating_error` (a failed delete
    /// stays `decommissioning`). Local failures (a locked or tampered
    /// vault) are returned as they are.
    async fn failed<A: VaultAccess>(
        &self,
        vault: &A,
        d: &Deployment,
        e: Error,
        attempts: u32,
    ) -> Result<Step> {
        let Error::Remote { class, .. } = &e else {
            return Err(e);
        };
        let message = format!("{e} ({})", class.hint());
        match class {
            FailureClass::Rejected | FailureClass::Conflict
                if d.state != DeploymentState::Decommissioning =>
            {
                vault.with(|v| v.stall_deployment(d.id, &message))?;
            }
            _ => {
                vault.with(|v| v.fail_deployment(d.id, &message, attempts))?;
            }
        }
        Ok(Step::Rest)
    }

    /// Deletes the remote secret when it is Coffer's, then `end`.
    async fn remove<A: VaultAccess>(
        &self,
        vault: &A,
        d: &Deployment,
        known: &Known,
    ) -> Result<Step> {
        let name = d.target.remote_name.as_str();
        known.forget(name);
        let remote = match self.describe(vault, d.id, name).await? {
            Ok(remote) => remote,
            Err((e, attempts)) => return self.failed(vault, d, e, attempts).await,
        };
        let vault_id = vault.with(|v| Ok::<_, coffer_core::Error>(v.id()))?;
        let deletable = remote.as_ref().is_some_and(|r| {
            !r.deleted
                && (d.managed
                    || (tags::is_managed(&r.tags)
                        && r.tags.get(tags::TAG_VAULT_ID) == Some(&vault_id)))
        });
        if deletable {
            let mut attempt = 0;
            loop {
                attempt += 1;
                self.limiter.acquire().await;
                let result = self
                    .audited(vault, "remote.delete", name, self.client.delete(name))
                    .await;
                match result {
                    Ok(()) => break,
                    Err(e) if e.class() == Some(FailureClass::NotFound) => break,
                    Err(e) if transient(&e) && attempt < self.options.max_attempts => {
                        let message = e.to_string();
                        vault.with(|v| v.set_deployment_error(d.id, &message, attempt))?;
                        tokio::time::sleep(backoff(self.options, attempt, &e)).await;
                    }
                    Err(e) => return self.failed(vault, d, e, attempt).await,
                }
            }
        }
        vault.with(|v| v.record_removed(d.id))?;
        Ok(Step::Rest)
    }
}

/// Whether the secret has a version newer than the last one pushed (and
/// may still be pushed: not trashed, not deactivated).
fn has_newer_version(vault: &Vault, d: &Deployment) -> coffer_core::Result<bool> {
    let meta = vault.get(&secret_ref(d))?;
    let pushed = d.versions.iter().map(|v| v.version).max().unwrap_or(0);
    Ok(meta.current_version > pushed
        && meta.deleted_at.is_none()
        && meta.status != coffer_core::secret::SecretStatus::Deactivated)
}

fn secret_ref(d: &Deployment) -> SecretRef {
    SecretRef::Name {
        org: d.org.clone(),
        name: d.secret.clone(),
    }
}
