//! Deployments of local secrets into key vaults and links of imported ones:
//! the rows, their checked state machine ([`DeploymentState::on`]) and the
//! lifecycle rules. The network side (pushing, deleting) is `coffer-remote`'s
//! deploy engine, which reports each step here; every step persists the
//! state, the error and the attempts in one transaction with its audit entry.

use serde_json::json;

use super::{Vault, VaultCtx};
use crate::audit::Record;
use crate::error::{Error, Result};
use crate::remote::{
    Deployment, DeploymentEvent, DeploymentState, DeploymentTarget, DeploymentVersion,
};
use crate::secret::{Lifecycle, SecretRef};
use crate::store::{
    Db, DeploymentRow, DeploymentUpdate, NewDeploymentRow, Reader, StoreTx, VersionPushRow,
};

/// Longest remote name Coffer accepts (AWS allows 512; Azure 127).
pub const MAX_REMOTE_NAME_CHARS: usize = 512;
/// Longest error kept on a deployment.
const MAX_ERROR_CHARS: usize = 1000;

fn deployment_not_found(id: i64) -> Error {
    Error::NotFound {
        what: "deployment",
        name: id.to_string(),
    }
}

fn state_of(row: &DeploymentRow) -> Result<DeploymentState> {
    DeploymentState::parse(&row.state).ok_or_else(|| Error::Corrupt {
        reason: format!("deployment {} has state {:?}", row.rowid, row.state),
    })
}

pub(super) fn deployment_of(read: Reader<'_>, row: &DeploymentRow) -> Result<Deployment> {
    let pushed = read.deployment_versions(row.rowid)?;
    let state = state_of(row)?;
    let newest = pushed.iter().map(|v| v.version).max();
    Ok(Deployment {
        id: row.rowid,
        org: row.org.clone(),
        secret: row.secret.clone(),
        target: DeploymentTarget {
            manager: row.manager.clone(),
            remote_name: row.remote_name.clone(),
        },
        remote_id: row.remote_id.clone(),
        state,
        brownfield: row.brownfield,
        managed: row.managed,
        last_error: row.last_error.clone(),
        attempts: row.attempts,
        versions: pushed
            .iter()
            .map(|v| DeploymentVersion {
                version: v.version,
                remote_version: v.remote_version.clone(),
                pushed_at: v.pushed_at,
                last: state != DeploymentState::End && Some(v.version) == newest,
            })
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Checks a remote name before anything is stored: the services' own
/// rules (size, characters) are checked by the deploy engine before
/// sending, as a `stalled` reason.
fn check_remote_name(name: &str) -> Result<()> {
    let field = "remote_name";
    if name.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if name.chars().count() > MAX_REMOTE_NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!("must be at most {MAX_REMOTE_NAME_CHARS} characters"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || matches!(c, ':' | '#'))
    {
        return Err(Error::invalid(
            field,
            format!("{bad:?} is not allowed in a remote name"),
        ));
    }
    Ok(())
}

fn clip(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

fn audit_deployment(
    tx: &StoreTx<'_>,
    ctx: &VaultCtx<'_>,
    action: &str,
    row: &DeploymentRow,
    detail: serde_json::Value,
) -> Result<()> {
    let id = crate::secret::SecretId(row.secret_uid.as_slice().try_into().map_err(|_| {
        Error::Corrupt {
            reason: "a secret id is not 16 bytes".into(),
        }
    })?);
    let target = format!("{}:{}", row.manager, row.remote_name);
    ctx.audit(
        tx,
        Record {
            action,
            secret_id: Some(&id),
            target: &target,
            detail,
        },
    )
}

/// How a state change is written.
struct Step<'a> {
    event: DeploymentEvent,
    error: Option<&'a str>,
    attempts: Option<u32>,
    managed: Option<bool>,
    remote_id: Option<&'a str>,
    pushed: Option<VersionPushRow>,
}

impl Step<'_> {
    fn event(event: DeploymentEvent) -> Self {
        Self {
            event,
            error: None,
            attempts: None,
            managed: None,
            remote_id: None,
            pushed: None,
        }
    }
}

impl Vault {
    /// A deployment row by id, its integrity checked.
    pub(super) fn deployment_row(&self, id: i64) -> Result<DeploymentRow> {
        let row = self
            .store
            .read()
            .deployment_by_rowid(id)?
            .ok_or_else(|| deployment_not_found(id))?;
        self.check_deployment(&row)?;
        Ok(row)
    }

    /// Records a deployment of `secret` to a connection under a remote name,
    /// in state `start` (the engine then pushes it). Refused for a secret in
    /// the trash, deactivated or protected by a store password (the engine
    /// runs unattended), and when the remote name already has a live
    /// deployment in that connection. Write-only secrets may be deployed
    /// (deploying is a use, not a reveal); the remote is tagged write-only.
    pub fn create_deployment(
        &mut self,
        secret: &SecretRef,
        target: &DeploymentTarget,
    ) -> Result<Deployment> {
        check_remote_name(&target.remote_name)?;
        self.keys()?;
        let secret_row = self.find(secret)?;
        if secret_row.deleted_at.is_some() {
            return Err(Error::Refused {
                name: secret_row.name,
                status: "in the trash".into(),
            });
        }
        if secret_row.lifecycle == Lifecycle::Deactivated {
            return Err(Error::Refused {
                name: secret_row.name,
                status: "deactivated".into(),
            });
        }
        if secret_row.protection == crate::secret::Protection::Password {
            return Err(Error::Refused {
                name: secret_row.name,
                status: "protected by a store password (deployments run unattended)".into(),
            });
        }
        let manager = self.manager_row(&target.manager)?;
        if let Some(live) = self
            .store
            .read()
            .live_deployment(manager.rowid, &target.remote_name)?
        {
            return Err(Error::RemoteNameTaken {
                manager: manager.name,
                remote_name: target.remote_name.clone(),
                secret: format!("{}:{}", live.org, live.secret),
            });
        }
        let id = self.write(|tx, ctx| {
            let id = tx.insert_deployment(&NewDeploymentRow {
                secret_rowid: secret_row.rowid,
                manager_id: manager.rowid,
                remote_name: &target.remote_name,
                remote_id: None,
                state: DeploymentState::Start.as_str(),
                brownfield: false,
                // Not until Coffer has created the remote secret (or the
                // user adopted one of the same name).
                managed: false,
                now: ctx.now,
            })?;
            let row = tx
                .read()
                .deployment_by_rowid(id)?
                .ok_or_else(|| deployment_not_found(id))?;
            audit_deployment(
                tx,
                ctx,
                "deployment.create",
                &row,
                json!({ "secret": format!("{}:{}", secret_row.org, secret_row.name) }),
            )?;
            Ok(id)
        })?;
        self.deployment(id)
    }

    /// One deployment.
    pub fn deployment(&self, id: i64) -> Result<Deployment> {
        let row = self.deployment_row(id)?;
        deployment_of(self.store.read(), &row)
    }

    /// A secret's deployments and import links, oldest first.
    pub fn deployments_of_secret(&self, secret: &SecretRef) -> Result<Vec<Deployment>> {
        let secret = self.find(secret)?;
        let rows = self.store.read().deployments_of_secret(secret.rowid)?;
        self.deployments_of_rows(&rows)
    }

    /// A connection's deployments and import links, oldest first.
    pub fn deployments_of_manager(&self, manager: &str) -> Result<Vec<Deployment>> {
        let manager = self.manager_row(manager)?;
        let rows = self.store.read().deployments_of_manager(manager.rowid)?;
        self.deployments_of_rows(&rows)
    }

    fn deployments_of_rows(&self, rows: &[DeploymentRow]) -> Result<Vec<Deployment>> {
        rows.iter()
            .map(|row| {
                self.check_deployment(row)?;
                deployment_of(self.store.read(), row)
            })
            .collect()
    }

    /// Moves a deployment by `step`, checked by the state machine, with its
    /// audit entry, in one transaction.
    fn step_deployment(&mut self, id: i64, step: Step<'_>) -> Result<Deployment> {
        let row = self.deployment_row(id)?;
        let from = state_of(&row)?;
        let to = from.on(step.event).ok_or_else(|| Error::InvalidInput {
            field: "state".into(),
            message: format!(
                "the deployment of {}:{} to {}:{} is {}; {:?} does not apply",
                row.org,
                row.secret,
                row.manager,
                row.remote_name,
                from.as_str(),
                step.event
            ),
        })?;
        let error = step.error.map(clip);
        self.write(|tx, ctx| {
            if let Some(pushed) = &step.pushed {
                tx.record_deployment_version(row.rowid, pushed)?;
            }
            tx.update_deployment(
                row.rowid,
                &DeploymentUpdate {
                    state: to.as_str(),
                    remote_id: step.remote_id.or(row.remote_id.as_deref()),
                    managed: step.managed.unwrap_or(row.managed),
                    last_error: error.as_deref(),
                    attempts: step.attempts.unwrap_or(0),
                    now: ctx.now,
                },
            )?;
            let mut detail = json!({ "from": from.as_str(), "to": to.as_str() });
            if let Some(pushed) = &step.pushed {
                detail["version"] = json!(pushed.version);
                detail["remote_version"] = json!(pushed.remote_version);
            }
            if let Some(error) = &error {
                detail["error"] = json!(error);
            }
            audit_deployment(tx, ctx, "deployment.state", &row, detail)
        })?;
        self.deployment(id)
    }

    /// The engine starts a first push: `start → deploying`.
    pub fn begin_deployment(&mut self, id: i64) -> Result<Deployment> {
        self.step_deployment(id, Step::event(DeploymentEvent::Begin))
    }

    /// The engine starts pushing a newer local version:
    /// `available → updating_versions`.
    pub fn begin_update(&mut self, id: i64) -> Result<Deployment> {
        self.step_deployment(id, Step::event(DeploymentEvent::NewVersion))
    }

    /// A version was written: records its remote version (and the remote's
    /// id), `deploying | updating_versions → available`.
    pub fn record_pushed_version(
        &mut self,
        id: i64,
        version: u32,
        remote_version: &str,
        remote_id: &str,
    ) -> Result<Deployment> {
        let now = self.now();
        let mut step = Step::event(DeploymentEvent::Pushed);
        step.remote_id = Some(remote_id);
        step.managed = Some(true);
        step.pushed = Some(VersionPushRow {
            version,
            remote_version: remote_version.to_owned(),
            pushed_at: now,
        });
        self.step_deployment(id, step)
    }

    /// Records an attempt that failed and will be retried, without a state
    /// change (the error shows while the engine backs off).
    pub fn set_deployment_error(&mut self, id: i64, error: &str, attempts: u32) -> Result<()> {
        let row = self.deployment_row(id)?;
        let error = clip(error);
        self.write(|tx, ctx| {
            tx.update_deployment(
                row.rowid,
                &DeploymentUpdate {
                    state: &row.state,
                    remote_id: row.remote_id.as_deref(),
                    managed: row.managed,
                    last_error: Some(&error),
                    attempts,
                    now: ctx.now,
                },
            )
        })
    }

    /// A push whose retries are spent: `→ updating_error` with the error
    /// (a failed delete stays `decommissioning`).
    pub fn fail_deployment(&mut self, id: i64, error: &str, attempts: u32) -> Result<Deployment> {
        let mut step = Step::event(DeploymentEvent::Failed);
        step.error = Some(error);
        step.attempts = Some(attempts);
        self.step_deployment(id, step)
    }

    /// A push that needs the user: `→ stalled` with the reason.
    pub fn stall_deployment(&mut self, id: i64, reason: &str) -> Result<Deployment> {
        let mut step = Step::event(DeploymentEvent::Stall);
        step.error = Some(reason);
        self.step_deployment(id, step)
    }

    /// IMCO `retry`: a stalled or failed deployment is pushed again. A
    /// deployment the engine is working on (`start`, `deploying`,
    /// `updating_versions`, `decommissioning`: a push or delete interrupted
    /// by a crash, a killed process or a lost connection) is left as it is:
    /// running the engine again resumes it, with the same idempotency token.
    pub fn retry_deployment(&mut self, id: i64) -> Result<Deployment> {
        let row = self.deployment_row(id)?;
        if matches!(
            state_of(&row)?,
            DeploymentState::Start
                | DeploymentState::Deploying
                | DeploymentState::UpdatingVersions
                | DeploymentState::Decommissioning
        ) {
            return deployment_of(self.store.read(), &row);
        }
        let pushed_before = !self.store.read().deployment_versions(id)?.is_empty();
        self.step_deployment(id, Step::event(DeploymentEvent::Retry { pushed_before }))
    }

    /// Lets Coffer write over a remote secret it did not create: a stalled
    /// deployment (the name was taken) is pushed again, and an import link
    /// becomes a managed deployment that newer local versions are pushed to.
    pub fn adopt_deployment(&mut self, id: i64) -> Result<Deployment> {
        let mut step = Step::event(DeploymentEvent::Adopt);
        step.managed = Some(true);
        self.step_deployment(id, step)
    }

    /// Asks for the remote secret to be deleted. `confirm` must repeat the
    /// remote as `MANAGER:NAME`, so that no remote is deleted by a slip. An
    /// import link Coffer does not manage (not adopted) ends at once: the
    /// remote secret is not Coffer's to delete. (The deploy engine deletes
    /// only a remote secret that Coffer manages or that carries its tags.)
    pub fn decommission_deployment(&mut self, id: i64, confirm: &str) -> Result<Deployment> {
        let row = self.deployment_row(id)?;
        let expected = format!("{}:{}", row.manager, row.remote_name);
        if confirm != expected {
            return Err(Error::invalid(
                "confirm",
                format!("type {expected:?} to confirm deleting that remote secret"),
            ));
        }
        self.step_deployment(id, Step::event(DeploymentEvent::Decommission))?;
        if row.brownfield && !row.managed {
            self.record_removed(id)
        } else {
            self.deployment(id)
        }
    }

    /// The remote secret was deleted: `decommissioning → end`.
    pub fn record_removed(&mut self, id: i64) -> Result<Deployment> {
        self.step_deployment(id, Step::event(DeploymentEvent::Removed))
    }

    /// What the deploy engine should act on: first pushes, interrupted
    /// pushes and deletes, and available managed deployments whose secret
    /// has a newer current version. Deactivated secrets and secrets in the
    /// trash are not pushed (a decommission still goes on).
    pub fn pending_deployments(&self) -> Result<Vec<Deployment>> {
        let read = self.store.read();
        let mut out = Vec::new();
        for row in read.pending_deployments()? {
            self.check_deployment(&row)?;
            let state = state_of(&row)?;
            if state != DeploymentState::Decommissioning {
                let Some(secret) = read.secret_by_rowid(row.secret_rowid)? else {
                    continue;
                };
                if secret.deleted_at.is_some() || secret.lifecycle == Lifecycle::Deactivated {
                    continue;
                }
            }
            out.push(deployment_of(read, &row)?);
        }
        Ok(out)
    }
}
