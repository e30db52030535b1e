//! Connections to external key vaults ("secret managers"): adding, editing,
//! deleting and listing them, the jobs and secrets tied to them, their
//! credentials (used like any secret: status, expiry policy, audit), and the
//! local audit of every remote call.

use serde_json::json;

use super::{SecretUse, Vault, VaultCtx, find_in};
use crate::audit::Record;
use crate::error::{Error, Result};
use crate::job::JobId;
use crate::remote::{Manager, ManagerKind, ManagerSettings, ManagerSpec, ManagerUsage, validate};
use crate::secret::{Protection, SecretId, SecretRef, SecretType};
use crate::store::{Db, ManagerRow, NewManagerRow, Reader, StoreTx};

/// Keys an AWS access-key secret must have.
const AWS_KEYS: [&str; 2] = ["aws_access_key_id", "aws_secret_access_key"];

fn not_found(name: &str) -> Error {
    Error::NotFound {
        what: "connection",
        name: name.to_owned(),
    }
}

/// The connection as shown: its settings name the credential secret as it
/// is called now (the row keeps its id, so a rename is followed).
fn manager_of(read: Reader<'_>, row: &ManagerRow) -> Result<Manager> {
    let corrupt = |e: serde_json::Error| Error::Corrupt {
        reason: format!("settings of connection {}: {e}", row.name),
    };
    let mut settings: ManagerSettings = serde_json::from_str(&row.settings).map_err(corrupt)?;
    if let Some(uid) = row.credential_uid.as_deref() {
        let id = SecretId(uid.try_into().map_err(|_| Error::Corrupt {
            reason: format!("credential id of connection {}", row.name),
        })?);
        if let Some(secret) = read.secret_by_id(&id)? {
            set_credential_name(&mut settings, secret.name);
        }
    }
    Ok(Manager {
        id: row.rowid,
        spec: ManagerSpec {
            name: row.name.clone(),
            org: row.org.clone(),
            settings,
            cache_ttl_secs: row.cache_ttl_secs,
            stale_if_error_secs: row.stale_if_error_secs,
            writes_per_sec: row.writes_per_sec,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn set_credential_name(settings: &mut ManagerSettings, name: String) {
    use crate::remote::{AwsAuth, AzureAuth};
    match settings {
        ManagerSettings::Aws(aws) => {
            if let AwsAuth::AccessKey { secret } = &mut aws.auth {
                *secret = name;
            }
        }
        ManagerSettings::Azure(azure) => {
            if let AzureAuth::ClientSecret { secret } = &mut azure.auth {
                *secret = name;
            }
        }
    }
}

/// Finds and checks the credential secret a spec names: in the connection's
/// organization, not in the trash, of the right type, usable without a
/// person (no store password, no project).
fn credential_of(read: Reader<'_>, spec: &ManagerSpec) -> Result<Option<SecretId>> {
    let Some(name) = spec.settings.credential_secret() else {
        return Ok(None);
    };
    let field = "credential_secret";
    let row = read
        .secret_by_name(&spec.org, name)?
        .ok_or_else(|| Error::NotFound {
            what: "credential secret",
            name: format!("{}:{name}", spec.org),
        })?;
    if row.deleted_at.is_some() {
        return Err(Error::invalid(
            field,
            format!("secret {name:?} is in the trash"),
        ));
    }
    if row.protection == Protection::Password {
        return Err(Error::invalid(
            field,
            format!(
                "secret {name:?} is protected by a store password; a connection uses its \
                 credentials unattended"
            ),
        ));
    }
    if let Some(project) = &row.project {
        return Err(Error::invalid(
            field,
            format!("secret {name:?} is restricted to project {project:?}"),
        ));
    }
    match spec.settings.kind() {
        ManagerKind::Aws => {
            let keys: Vec<String> = row
                .public_fields()?
                .get("keys")
                .and_then(|k| serde_json::from_value(k.clone()).ok())
                .unwrap_or_default();
            if row.kind != SecretType::KeyValue
                || !AWS_KEYS.iter().all(|k| keys.iter().any(|have| have == k))
            {
                return Err(Error::invalid(
                    field,
                    format!(
                        "secret {name:?} must be a key_value secret with keys aws_access_key_id \
                         and aws_secret_access_key (and optionally aws_session_token)"
                    ),
                ));
            }
        }
        ManagerKind::Azure => {
            if row.kind != SecretType::ClientCredentials {
                return Err(Error::invalid(
                    field,
                    format!(
                        "secret {name:?} must be a client_credentials secret (client id and \
                         client secret of a service principal)"
                    ),
                ));
            }
        }
    }
    Ok(Some(row.id))
}

fn settings_json(spec: &ManagerSpec) -> Result<String> {
    serde_json::to_string(&spec.settings)
        .map_err(|e| Error::Internal(format!("encoding connection settings: {e}")))
}

fn audit_manager(
    tx: &StoreTx<'_>,
    ctx: &VaultCtx<'_>,
    action: &str,
    name: &str,
    detail: serde_json::Value,
) -> Result<()> {
    ctx.audit(
        tx,
        Record {
            action,
            secret_id: None,
            target: name,
            detail,
        },
    )
}

fn usage_of(rows: Vec<crate::store::ManagerUseRow>) -> Result<Vec<ManagerUsage>> {
    let mut out: Vec<ManagerUsage> = Vec::new();
    for row in rows {
        let id = JobId(
            row.job_uid
                .as_slice()
                .try_into()
                .map_err(|_| Error::Corrupt {
                    reason: "a job id is not 16 bytes".into(),
                })?,
        );
        match out.iter_mut().find(|u| u.job_id == id) {
            Some(usage) => usage.remote_names.push(row.remote_name),
            None => out.push(ManagerUsage {
                job_id: id,
                job: row.job,
                org: row.org,
                remote_names: vec![row.remote_name],
            }),
        }
    }
    Ok(out)
}

impl Vault {
    /// The connection named `name` (any case), its integrity checked.
    pub(super) fn manager_row(&self, name: &str) -> Result<ManagerRow> {
        let row = self
            .store
            .read()
            .manager_by_name(name)?
            .ok_or_else(|| not_found(name))?;
        self.check_manager(&row)?;
        Ok(row)
    }

    /// Adds a connection. Its name is unique (ignoring case) and is what
    /// placeholders use; its credentials, if any, are a Coffer secret of the
    /// connection's organization.
    pub fn add_manager(&mut self, spec: ManagerSpec) -> Result<Manager> {
        validate::spec(&spec)?;
        self.keys()?;
        let read = self.store.read();
        if let Some(existing) = read.manager_by_name(&spec.name)? {
            return Err(Error::ManagerExists {
                name: existing.name,
            });
        }
        let credential = credential_of(read, &spec)?;
        let settings = settings_json(&spec)?;
        let rowid = self.write(|tx, ctx| {
            let (org_id, _) = tx.ensure_org(&spec.org, ctx.now.unix())?;
            let rowid = tx.insert_manager(&NewManagerRow {
                name: &spec.name,
                org_id,
                kind: spec.settings.kind().as_str(),
                settings: &settings,
                credential_uid: credential.as_ref().map(|id| &id.0),
                cache_ttl_secs: spec.cache_ttl_secs,
                stale_if_error_secs: spec.stale_if_error_secs,
                writes_per_sec: spec.writes_per_sec,
                now: ctx.now,
            })?;
            audit_manager(
                tx,
                ctx,
                "manager.add",
                &spec.name,
                json!({
                    "kind": spec.settings.kind().as_str(),
                    "org": spec.org,
                    "credential_secret": spec.settings.credential_secret(),
                }),
            )?;
            Ok(rowid)
        })?;
        self.manager_by_rowid(rowid)
    }

    fn manager_by_rowid(&self, rowid: i64) -> Result<Manager> {
        let read = self.store.read();
        let row = read
            .manager_by_rowid(rowid)?
            .ok_or_else(|| Error::Internal(format!("connection {rowid} vanished")))?;
        manager_of(read, &row)
    }

    /// Replaces a connection's settings (and name). Renaming is refused
    /// while jobs name it in placeholders, and changing the service while
    /// it holds deployments.
    pub fn update_manager(&mut self, name: &str, spec: ManagerSpec) -> Result<Manager> {
        validate::spec(&spec)?;
        let row = self.manager_row(name)?;
        let read = self.store.read();
        if !spec.name.eq_ignore_ascii_case(&row.name) {
            if let Some(existing) = read.manager_by_name(&spec.name)? {
                return Err(Error::ManagerExists {
                    name: existing.name,
                });
            }
            let jobs = usage_of(read.jobs_using_manager(&row.name)?)?;
            if !jobs.is_empty() {
                return Err(Error::StillUsed {
                    what: format!("connection {}", row.name),
                    users: jobs
                        .iter()
                        .map(|u| format!("job {}:{}", u.org, u.job))
                        .collect(),
                    hint: "their placeholders name it; change them before renaming it".into(),
                });
            }
        }
        if spec.settings.kind().as_str() != row.kind {
            let live = self.live_deployment_names(row.rowid)?;
            if !live.is_empty() {
                return Err(Error::StillUsed {
                    what: format!("connection {}", row.name),
                    users: live,
                    hint: "decommission them before changing the service".into(),
                });
            }
        }
        let credential = credential_of(read, &spec)?;
        let settings = settings_json(&spec)?;
        let old_name = row.name.clone();
        self.write(|tx, ctx| {
            let (org_id, _) = tx.ensure_org(&spec.org, ctx.now.unix())?;
            tx.update_manager(
                row.rowid,
                &NewManagerRow {
                    name: &spec.name,
                    org_id,
                    kind: spec.settings.kind().as_str(),
                    settings: &settings,
                    credential_uid: credential.as_ref().map(|id| &id.0),
                    cache_ttl_secs: spec.cache_ttl_secs,
                    stale_if_error_secs: spec.stale_if_error_secs,
                    writes_per_sec: spec.writes_per_sec,
                    now: ctx.now,
                },
            )?;
            audit_manager(
                tx,
                ctx,
                "manager.update",
                &spec.name,
                json!({
                    "previous_name": old_name,
                    "kind": spec.settings.kind().as_str(),
                    "org": spec.org,
                    "credential_secret": spec.settings.credential_secret(),
                }),
            )
        })?;
        self.manager_by_rowid(row.rowid)
    }

    /// Deployments of a connection that have not ended (import links that
    /// Coffer does not manage aside), named for a message.
    fn live_deployment_names(&self, manager_id: i64) -> Result<Vec<String>> {
        Ok(self
            .store
            .read()
            .deployments_of_manager(manager_id)?
            .into_iter()
            .filter(|d| d.state != "end" && (d.managed || !d.brownfield))
            .map(|d| {
                format!(
                    "the deployment of {}:{} to {}:{} ({})",
                    d.org, d.secret, d.manager, d.remote_name, d.state
                )
            })
            .collect())
    }

    /// Deletes a connection. Refused while deployments that Coffer manages
    /// have not reached `end` (naming them), and while jobs name it in
    /// placeholders unless `force` (those jobs then fail, naming it). Import
    /// links and ended deployments go with it; local secrets stay.
    pub fn delete_manager(&mut self, name: &str, force: bool) -> Result<()> {
        let row = self.manager_row(name)?;
        let live = self.live_deployment_names(row.rowid)?;
        if !live.is_empty() {
            return Err(Error::StillUsed {
                what: format!("connection {}", row.name),
                users: live,
                hint: "decommission them first".into(),
            });
        }
        let jobs = usage_of(self.store.read().jobs_using_manager(&row.name)?)?;
        if !jobs.is_empty() && !force {
            return Err(Error::StillUsed {
                what: format!("connection {}", row.name),
                users: jobs
                    .iter()
                    .map(|u| format!("job {}:{}", u.org, u.job))
                    .collect(),
                hint: "their placeholders would fail; change them first, or delete with force"
                    .into(),
            });
        }
        let job_names: Vec<String> = jobs
            .iter()
            .map(|u| format!("{}:{}", u.org, u.job))
            .collect();
        self.write(|tx, ctx| {
            tx.delete_manager(row.rowid)?;
            audit_manager(
                tx,
                ctx,
                "manager.delete",
                &row.name,
                json!({ "kind": row.kind, "forced_over_jobs": job_names }),
            )
        })
    }

    /// Every connection, by name.
    pub fn managers(&self) -> Result<Vec<Manager>> {
        let read = self.store.read();
        read.managers()?
            .iter()
            .map(|row| {
                self.check_manager(row)?;
                manager_of(read, row)
            })
            .collect()
    }

    /// One connection by name (any case).
    pub fn manager(&self, name: &str) -> Result<Manager> {
        let row = self.manager_row(name)?;
        manager_of(self.store.read(), &row)
    }

    /// The jobs whose placeholders name a connection, with the remote names
    /// they use (a connection's "used by").
    pub fn jobs_using_manager(&self, name: &str) -> Result<Vec<ManagerUsage>> {
        let row = self.manager_row(name)?;
        usage_of(self.store.read().jobs_using_manager(&row.name)?)
    }

    /// The connections whose credentials a secret holds (part of the
    /// secret's "used by").
    pub fn secret_connections(&self, secret: &SecretRef) -> Result<Vec<String>> {
        let row = self.find(secret)?;
        Ok(self
            .store
            .read()
            .managers_with_credential(&row.id.0)?
            .into_iter()
            .map(|m| m.name)
            .collect())
    }

    /// Uses a connection's credential secret (like a job uses a secret:
    /// refused when deactivated, in the trash or expired under the "block"
    /// policy, naming it; audited as `secret.use` with `purpose`). `None` for
    /// a connection on the platform's implicit credentials.
    pub fn manager_credentials(&mut self, name: &str, purpose: &str) -> Result<Option<SecretUse>> {
        let row = self.manager_row(name)?;
        let Some(uid) = row.credential_uid.as_deref() else {
            return Ok(None);
        };
        let id = SecretId(uid.try_into().map_err(|_| Error::Corrupt {
            reason: format!("credential id of connection {}", row.name),
        })?);
        let secret = SecretRef::Id(id);
        if find_in(self.store.read(), &secret).is_err() {
            let named = manager_of(self.store.read(), &row)?
                .spec
                .settings
                .credential_secret()
                .map(str::to_owned)
                .unwrap_or_default();
            return Err(Error::NotFound {
                what: "credential secret",
                name: format!("{named} of connection {} (it was purged)", row.name),
            });
        }
        let purpose = format!("connection {}: {purpose}", row.name);
        self.use_secret(&secret, None, &purpose, None).map(Some)
    }

    /// The state of a connection's credential secret that a client built
    /// with it depends on: which secret, its current version, its status,
    /// whether it is in the trash and whether it has expired. A client
    /// cache compares it before reusing a client, so that a new version
    /// (a rotated key), a deactivation or an expiry takes effect on the next
    /// call. Read only: not a use and not audited. `None` for a connection
    /// on the platform's implicit credentials.
    pub fn manager_credential_stamp(&self, name: &str) -> Result<Option<String>> {
        let row = self.manager_row(name)?;
        let Some(uid) = row.credential_uid.as_deref() else {
            return Ok(None);
        };
        let id = SecretId(uid.try_into().map_err(|_| Error::Corrupt {
            reason: format!("credential id of connection {}", row.name),
        })?);
        let Ok(secret) = find_in(self.store.read(), &SecretRef::Id(id)) else {
            return Ok(Some(format!("{id}:gone")));
        };
        let expired = secret.expires_at.is_some_and(|at| at <= self.now());
        Ok(Some(format!(
            "{id}:v{}:{:?}:trash={}:expired={expired}",
            secret.current_version,
            secret.lifecycle,
            secret.deleted_at.is_some(),
        )))
    }

    /// Records a remote call in the local audit log: the connection, the
    /// remote name, the action (`remote.<op>`) and its outcome, never a
    /// value.
    pub fn audit_remote(
        &mut self,
        action: &str,
        manager: &str,
        remote_name: &str,
        outcome: &str,
    ) -> Result<()> {
        let Some(op) = action
            .strip_prefix("remote.")
            .filter(|op| !op.is_empty() && op.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        else {
            return Err(Error::invalid(
                "action",
                format!("{action:?} is not a remote action (remote.<op>)"),
            ));
        };
        let target = if remote_name.is_empty() {
            manager.to_owned()
        } else {
            format!("{manager}:{remote_name}")
        };
        let detail = json!({
            "manager": manager,
            "remote_name": remote_name,
            "op": op,
            "outcome": outcome,
        });
        self.write(|tx, ctx| {
            ctx.audit(
                tx,
                Record {
                    action,
                    secret_id: None,
                    target: &target,
                    detail,
                },
            )
        })
    }
}
