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

use std::time::Duration;

use coffer_core::remote::{Deployment, DeploymentState, ManagerKind};
use coffer_core::secret::SecretRef;
use coffer_core::{ErrorCode, Vault};

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

impl<K: KeyVault> Engine<'_, K> {
    async fn audited<T>(
        &self,
        vault: &mut Vault,
        action: &str,
        remote_name: &str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let result = call.await;
        vault.audit_remote(action, self.manager, remote_name, &outcome(&result))?;
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
        // Each step moves the state machine forward or rests; the bound only
        // guards against a secret that keeps getting new versions.
        for _ in 0..64 {
            let d = vault.deployment(id)?;
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
                    .begin_deployment(id)
                    .map(|_| Step::Next)
                    .map_err(Error::from),
                DeploymentState::Deploying | DeploymentState::UpdatingVersions => {
                    self.push(vault, &d).await
                }
                DeploymentState::Available => {
                    if d.managed && self.has_newer_version(vault, &d)? {
                        vault
                            .begin_update(id)
                            .map(|_| Step::Next)
                            .map_err(Error::from)
                    } else {
                        Ok(Step::Rest)
                    }
                }
                DeploymentState::Decommissioning => self.remove(vault, &d).await,
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
                let d = vault.deployment(id)?;
                progress(&d);
                return Ok(d);
            }
        }
        Ok(vault.deployment(id)?)
    }

    /// Runs every deployment of this connection that has work to do.
    pub async fn run_pending(
        &self,
        vault: &mut Vault,
        progress: &mut dyn FnMut(&Deployment),
    ) -> Result<Vec<Deployment>> {
        let ids: Vec<i64> = vault
            .pending_deployments()?
            .into_iter()
            .filter(|d| d.target.manager.eq_ignore_ascii_case(self.manager))
            .map(|d| d.id)
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.run(vault, id, progress).await?);
        }
        Ok(out)
    }

    fn has_newer_version(&self, vault: &Vault, d: &Deployment) -> Result<bool> {
        let meta = vault.get(&secret_ref(d))?;
        let pushed = d.versions.iter().map(|v| v.version).max().unwrap_or(0);
        Ok(meta.current_version > pushed
            && meta.deleted_at.is_none()
            && meta.status != coffer_core::secret::SecretStatus::Deactivated)
    }

    /// Describes the remote name, retrying transient failures; a failure
    /// comes with the attempts it took.
    async fn describe(
        &self,
        vault: &mut Vault,
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
                    vault.set_deployment_error(id, &e.to_string(), attempt)?;
                    tokio::time::sleep(backoff(self.options, attempt, &e)).await;
                }
                Err(e) => return Ok(Err((e, attempt))),
            }
        }
    }

    /// Pushes the secret's current version.
    async fn push(&self, vault: &mut Vault, d: &Deployment) -> Result<Step> {
        let secret = secret_ref(d);
        let meta = vault.get(&secret)?;
        let purpose = format!("deploy to {}:{}", d.target.manager, d.target.remote_name);
        let used = match vault.use_secret(&secret, meta.project.as_deref(), &purpose, None) {
            Ok(used) => used,
            Err(e)
                if matches!(
                    e.code(),
                    ErrorCode::Refused | ErrorCode::PasswordRequired | ErrorCode::WriteOnly
                ) =>
            {
                vault.stall_deployment(d.id, &e.to_string())?;
                return Ok(Step::Rest);
            }
            Err(e) => return Err(e.into()),
        };
        let version = used.meta.current_version;
        let payload = match mapping::to_remote(&used.data) {
            Ok(payload) => payload,
            Err(reason) => {
                vault.stall_deployment(
                    d.id,
                    &format!("cannot be mapped to a remote value: {reason}"),
                )?;
                return Ok(Step::Rest);
            }
        };
        drop(used);
        let name = d.target.remote_name.as_str();
        if let Some(reason) = limit_violation(self.kind, name, &payload.value, payload.binary) {
            vault.stall_deployment(d.id, &reason)?;
            return Ok(Step::Rest);
        }
        let vault_id = vault.id();
        let secret_id = meta.id.to_string();
        let exists = match self.describe(vault, d.id, name).await? {
            Ok(Some(remote)) => {
                let ours = tags::is_managed(&remote.tags)
                    && remote.tags.get(tags::TAG_VAULT_ID) == Some(&vault_id)
                    && remote.tags.get(tags::TAG_SECRET_ID) == Some(&secret_id);
                if remote.deleted {
                    vault.stall_deployment(
                        d.id,
                        &format!(
                            "{name} is deleted in the key vault (recoverable): restore or purge it \
                             there first"
                        ),
                    )?;
                    return Ok(Step::Rest);
                }
                if !ours && !d.managed {
                    vault.stall_deployment(
                        d.id,
                        &format!(
                            "{name} exists and is not managed by Coffer: adopt it to overwrite it"
                        ),
                    )?;
                    return Ok(Step::Rest);
                }
                true
            }
            Ok(None) => false,
            Err((e, attempts)) => return self.failed(vault, d, e, attempts).await,
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
                    vault.record_pushed_version(
                        d.id,
                        version,
                        &written.version,
                        &written.remote_id,
                    )?;
                    return Ok(Step::Next);
                }
                Err(e) if transient(&e) && attempt < self.options.max_attempts => {
                    vault.set_deployment_error(d.id, &e.to_string(), attempt)?;
                    tokio::time::sleep(backoff(self.options, attempt, &e)).await;
                }
                Err(e) => return self.failed(vault, d, e, attempt).await,
            }
        }
    }

    /// Records a failure: a refused name or value, or a conflict, stalls;
    /// anything else ends the push in `updating_error` (a failed delete
    /// stays `decommissioning`). Local failures (a locked or tampered
    /// vault) are returned as they are.
    async fn failed(
        &self,
        vault: &mut Vault,
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
                vault.stall_deployment(d.id, &message)?;
            }
            _ => {
                vault.fail_deployment(d.id, &message, attempts)?;
            }
        }
        Ok(Step::Rest)
    }

    /// Deletes the remote secret when it is Coffer's, then `end`.
    async fn remove(&self, vault: &mut Vault, d: &Deployment) -> Result<Step> {
        let name = d.target.remote_name.as_str();
        let remote = match self.describe(vault, d.id, name).await? {
            Ok(remote) => remote,
            Err((e, attempts)) => return self.failed(vault, d, e, attempts).await,
        };
        let vault_id = vault.id();
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
                        vault.set_deployment_error(d.id, &e.to_string(), attempt)?;
                        tokio::time::sleep(backoff(self.options, attempt, &e)).await;
                    }
                    Err(e) => return self.failed(vault, d, e, attempt).await,
                }
            }
        }
        vault.record_removed(d.id)?;
        Ok(Step::Rest)
    }
}

fn secret_ref(d: &Deployment) -> SecretRef {
    SecretRef::Name {
        org: d.org.clone(),
        name: d.secret.clone(),
    }
}
