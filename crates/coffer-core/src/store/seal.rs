//! Integrity tags of the rows whose clear columns decide what may happen:
//! secrets (name, organization, project, status, write-only, protection,
//! expiry, trash, current version, ...), jobs (kind, spec, schedule, enabled,
//! runner state and the secrets they bind), organizations and projects
//! (rows point at them by id, so their names count too), connections to key
//! vaults (their endpoint and credential secret decide where credentials go)
//! and deployments (their state, ownership and pushed versions decide what is
//! written where).
//!
//! The store knows the columns, so it builds each row's canonical bytes here;
//! the tag itself comes from a [`Sealer`] above the store, which holds the
//! key. Every write path of these tables re-tags the row in the same
//! transaction ([`StoreTx::reseal_secret`] and friends), so none can forget.

use rusqlite::{OptionalExtension, params};

use super::{Db, Reader, StoreTx, sql_error};
use crate::error::{Error, Result};

/// What a tag is for; each table has its own domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKind {
    /// A `secrets` row.
    Secret,
    /// A `jobs` row with its bindings.
    Job,
    /// An `organizations` row.
    Org,
    /// A `projects` row.
    Project,
    /// A `managers` row (a connection to a key vault).
    Manager,
    /// A `deployments` row with its pushed versions.
    Deployment,
    /// A `team_identities` row.
    TeamIdentity,
    /// A `team_replica` row.
    TeamReplica,
    /// A `team_replica_state` row.
    TeamReplicaState,
    /// A `team_queue` row.
    TeamQueue,
}

impl RowKind {
    /// The domain label mixed into the tag.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Secret => "coffer/row/secret/v1",
            Self::Job => "coffer/row/job/v1",
            Self::Org => "coffer/row/org/v1",
            Self::Project => "coffer/row/project/v1",
            Self::Manager => "coffer/row/manager/v1",
            Self::Deployment => "coffer/row/deployment/v1",
            Self::TeamIdentity => "coffer/row/team-identity/v1",
            Self::TeamReplica => "coffer/row/team-replica/v1",
            Self::TeamReplicaState => "coffer/row/team-replica-state/v1",
            Self::TeamQueue => "coffer/row/team-queue/v1",
        }
    }
}

/// Computes tags; implemented where the key lives.
pub(crate) trait Sealer {
    /// The tag of `message` in `domain`.
    fn tag(&self, domain: RowKind, message: &[u8]) -> Result<[u8; 32]>;
}

/// Length-prefixed fields, so that no two rows share an encoding.
#[derive(Default)]
pub(crate) struct Fields(Vec<u8>);

impl Fields {
    pub(crate) fn bytes(mut self, value: &[u8]) -> Self {
        self.0
            .extend_from_slice(&(value.len() as u64).to_be_bytes());
        self.0.extend_from_slice(value);
        self
    }

    pub(crate) fn text(self, value: &str) -> Self {
        self.bytes(value.as_bytes())
    }

    pub(crate) fn int(self, value: i64) -> Self {
        self.bytes(&value.to_be_bytes())
    }

    /// `None` and `Some` never encode alike.
    pub(crate) fn opt_int(self, value: Option<i64>) -> Self {
        match value {
            None => self.bytes(b"-"),
            Some(v) => self.bytes(b"+").int(v),
        }
    }

    pub(crate) fn opt_text(self, value: Option<&str>) -> Self {
        match value {
            None => self.bytes(b"-"),
            Some(v) => self.bytes(b"+").text(v),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// The columns of a secret that its tag covers.
#[derive(Debug)]
pub(crate) struct SecretSeal<'a> {
    pub uid: &'a [u8; 16],
    pub org_id: i64,
    pub project_id: Option<i64>,
    pub name: &'a str,
    pub kind: &'a str,
    pub lifecycle: &'a str,
    pub visibility: &'a str,
    pub owner: &'a str,
    pub write_only: bool,
    pub protection: &'a str,
    pub password_lock: Option<&'a str>,
    pub expires_at: Option<i64>,
    pub public_fields: &'a str,
    pub current_version: u32,
    pub deleted_at: Option<i64>,
}

impl SecretSeal<'_> {
    pub(crate) fn encode(&self) -> Vec<u8> {
        Fields::default()
            .bytes(self.uid)
            .int(self.org_id)
            .opt_int(self.project_id)
            .text(self.name)
            .text(self.kind)
            .text(self.lifecycle)
            .text(self.visibility)
            .text(self.owner)
            .int(i64::from(self.write_only))
            .text(self.protection)
            .opt_text(self.password_lock)
            .opt_int(self.expires_at)
            .text(self.public_fields)
            .int(i64::from(self.current_version))
            .opt_int(self.deleted_at)
            .finish()
    }
}

/// A job's binding as its tag covers it.
pub(crate) type BindingKey = (String, String, String, String);

/// The columns of a job that its tag covers, with its bindings in key order.
#[derive(Debug)]
pub(crate) struct JobSeal<'a> {
    pub uid: &'a [u8; 16],
    pub org_id: i64,
    pub project_id: Option<i64>,
    pub name: &'a str,
    pub kind: &'a str,
    pub spec: &'a str,
    pub schedule: Option<&'a str>,
    pub enabled: bool,
    pub state: &'a str,
    pub bindings: &'a [BindingKey],
}

impl JobSeal<'_> {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut fields = Fields::default()
            .bytes(self.uid)
            .int(self.org_id)
            .opt_int(self.project_id)
            .text(self.name)
            .text(self.kind)
            .text(self.spec)
            .opt_text(self.schedule)
            .int(i64::from(self.enabled))
            .text(self.state)
            .int(self.bindings.len() as i64);
        for (role, manager, secret, field) in self.bindings {
            fields = fields.text(role).text(manager).text(secret).text(field);
        }
        fields.finish()
    }
}

/// The columns of a connection that its tag covers.
#[derive(Debug)]
pub(crate) struct ManagerSeal<'a> {
    pub id: i64,
    pub name: &'a str,
    pub org_id: i64,
    pub kind: &'a str,
    pub settings: &'a str,
    pub credential_uid: Option<&'a [u8]>,
    pub cache_ttl_secs: u32,
    pub stale_if_error_secs: u32,
    pub writes_per_sec: u32,
}

impl ManagerSeal<'_> {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let fields = Fields::default()
            .int(self.id)
            .text(self.name)
            .int(self.org_id)
            .text(self.kind)
            .text(self.settings);
        let fields = match self.credential_uid {
            None => fields.bytes(b"-"),
            Some(uid) => fields.bytes(b"+").bytes(uid),
        };
        fields
            .int(i64::from(self.cache_ttl_secs))
            .int(i64::from(self.stale_if_error_secs))
            .int(i64::from(self.writes_per_sec))
            .finish()
    }
}

/// The columns of a deployment that its tag covers, with its versions.
#[derive(Debug)]
pub(crate) struct DeploymentSeal<'a> {
    pub id: i64,
    pub secret_rowid: i64,
    pub manager_id: i64,
    pub remote_name: &'a str,
    pub remote_id: Option<&'a str>,
    pub state: &'a str,
    pub brownfield: bool,
    pub managed: bool,
    pub last_error: Option<&'a str>,
    pub attempts: u32,
    pub versions: &'a [super::deployments::VersionPushRow],
}

impl DeploymentSeal<'_> {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut fields = Fields::default()
            .int(self.id)
            .int(self.secret_rowid)
            .int(self.manager_id)
            .text(self.remote_name)
            .opt_text(self.remote_id)
            .text(self.state)
            .int(i64::from(self.brownfield))
            .int(i64::from(self.managed))
            .opt_text(self.last_error)
            .int(i64::from(self.attempts))
            .int(self.versions.len() as i64);
        for v in self.versions {
            fields = fields
                .int(i64::from(v.version))
                .text(&v.remote_version)
                .int(v.pushed_at.unix());
        }
        fields.finish()
    }
}

pub(crate) fn org_message(id: i64, name: &str) -> Vec<u8> {
    Fields::default().int(id).text(name).finish()
}

pub(crate) fn project_message(id: i64, org_id: i64, name: &str) -> Vec<u8> {
    Fields::default().int(id).int(org_id).text(name).finish()
}

/// A project row with its tag.
#[derive(Debug)]
pub(crate) struct ProjectRow {
    pub org_id: i64,
    pub name: String,
    pub mac: Option<Vec<u8>>,
}

/// The raw columns a job's tag covers.
struct JobColumns {
    uid: Vec<u8>,
    org_id: i64,
    project_id: Option<i64>,
    name: String,
    kind: String,
    spec: String,
    schedule: Option<String>,
    enabled: bool,
    state: String,
}

fn uid16(uid: &[u8]) -> Result<&[u8; 16]> {
    uid.try_into().map_err(|_| Error::Corrupt {
        reason: "a row id is not 16 bytes".into(),
    })
}

impl Reader<'_> {
    /// A job's bindings in key order, as its tag covers them.
    pub fn job_binding_keys(&self, job_rowid: i64) -> Result<Vec<BindingKey>> {
        self.conn
            .prepare_cached(
                "SELECT role, manager, secret_name, field FROM job_secrets WHERE job_id = ?1
                 ORDER BY role, manager, secret_name, field",
            )
            .and_then(|mut s| {
                s.query_map([job_rowid], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect()
            })
            .map_err(|e| sql_error("reading a job's secrets", e))
    }

    /// Row ids of every sealed row: secrets, jobs, organizations, projects,
    /// connections, deployments.
    pub fn sealed_row_ids(&self) -> Result<[Vec<i64>; 6]> {
        let ids = |table: &str| -> Result<Vec<i64>> {
            self.conn
                .prepare(&format!("SELECT id FROM {table} ORDER BY id"))
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(|e| sql_error(format!("reading {table}"), e))
        };
        Ok([
            ids("secrets")?,
            ids("jobs")?,
            ids("organizations")?,
            ids("projects")?,
            ids("managers")?,
            ids("deployments")?,
        ])
    }

    /// An organization's name and tag.
    pub fn org_sealed(&self, id: i64) -> Result<Option<(String, Option<Vec<u8>>)>> {
        self.conn
            .prepare_cached("SELECT name, mac FROM organizations WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| sql_error("reading an organization", e))
    }

    /// A project's organization, name and tag.
    pub fn project_sealed(&self, id: i64) -> Result<Option<ProjectRow>> {
        self.conn
            .prepare_cached("SELECT org_id, name, mac FROM projects WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok(ProjectRow {
                        org_id: r.get(0)?,
                        name: r.get(1)?,
                        mac: r.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| sql_error("reading a project", e))
    }
}

impl StoreTx<'_> {
    fn sealer(&self) -> Result<&dyn Sealer> {
        self.sealer.ok_or(Error::Locked)
    }

    /// Tags every sealed row with `sealer` (the first unlock after an
    /// upgrade; key rotation, after every row was checked under the old key).
    pub fn reseal_all_with(&self, sealer: &dyn Sealer) -> Result<u32> {
        let [secrets, jobs, orgs, projects, managers, deployments] =
            self.read().sealed_row_ids()?;
        let count = secrets.len()
            + jobs.len()
            + orgs.len()
            + projects.len()
            + managers.len()
            + deployments.len();
        for id in secrets {
            let row = self.read().secret_by_rowid(id)?.ok_or_else(|| {
                Error::Internal(format!("sealing secret row {id}: it does not exist"))
            })?;
            let mac = sealer.tag(RowKind::Secret, &row.seal().encode())?;
            self.set_mac("secrets", id, &mac)?;
        }
        for id in jobs {
            let mac = sealer.tag(RowKind::Job, &self.job_message(id)?)?;
            self.set_mac("jobs", id, &mac)?;
        }
        for id in orgs {
            let mac = sealer.tag(RowKind::Org, &self.org_row_message(id)?)?;
            self.set_mac("organizations", id, &mac)?;
        }
        for id in projects {
            let mac = sealer.tag(RowKind::Project, &self.project_row_message(id)?)?;
            self.set_mac("projects", id, &mac)?;
        }
        for id in managers {
            let mac = sealer.tag(RowKind::Manager, &self.manager_row_message(id)?)?;
            self.set_mac("managers", id, &mac)?;
        }
        for id in deployments {
            let mac = sealer.tag(RowKind::Deployment, &self.deployment_row_message(id)?)?;
            self.set_mac("deployments", id, &mac)?;
        }
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    fn set_mac(&self, table: &str, rowid: i64, mac: &[u8; 32]) -> Result<()> {
        self.tx
            .prepare_cached(&format!("UPDATE {table} SET mac = ?2 WHERE id = ?1"))
            .and_then(|mut s| s.execute(params![rowid, &mac[..]]))
            .map(drop)
            .map_err(|e| sql_error(format!("sealing a row of {table}"), e))
    }

    /// Tags a secret as it now stands.
    pub fn reseal_secret(&self, rowid: i64) -> Result<()> {
        let row = self.read().secret_by_rowid(rowid)?.ok_or_else(|| {
            Error::Internal(format!("sealing secret row {rowid}: it does not exist"))
        })?;
        let mac = self.sealer()?.tag(RowKind::Secret, &row.seal().encode())?;
        self.set_mac("secrets", rowid, &mac)
    }

    /// Tags a new secret from the values just inserted.
    pub(super) fn seal_new_secret(&self, rowid: i64, seal: &SecretSeal<'_>) -> Result<()> {
        let mac = self.sealer()?.tag(RowKind::Secret, &seal.encode())?;
        self.set_mac("secrets", rowid, &mac)
    }

    /// Tags a job (with its bindings) as it now stands.
    pub fn reseal_job(&self, rowid: i64) -> Result<()> {
        let mac = self
            .sealer()?
            .tag(RowKind::Job, &self.job_message(rowid)?)?;
        self.set_mac("jobs", rowid, &mac)
    }

    fn job_message(&self, rowid: i64) -> Result<Vec<u8>> {
        let columns = self
            .tx
            .prepare_cached(
                "SELECT uid, org_id, project_id, name, kind, spec, schedule, enabled, state
                 FROM jobs WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([rowid], |r| {
                    Ok(JobColumns {
                        uid: r.get(0)?,
                        org_id: r.get(1)?,
                        project_id: r.get(2)?,
                        name: r.get(3)?,
                        kind: r.get(4)?,
                        spec: r.get(5)?,
                        schedule: r.get(6)?,
                        enabled: r.get(7)?,
                        state: r.get(8)?,
                    })
                })
            })
            .map_err(|e| sql_error("reading a job to seal it", e))?;
        let bindings = self.read().job_binding_keys(rowid)?;
        let seal = JobSeal {
            uid: uid16(&columns.uid)?,
            org_id: columns.org_id,
            project_id: columns.project_id,
            name: &columns.name,
            kind: &columns.kind,
            spec: &columns.spec,
            schedule: columns.schedule.as_deref(),
            enabled: columns.enabled,
            state: &columns.state,
            bindings: &bindings,
        };
        Ok(seal.encode())
    }

    fn org_row_message(&self, id: i64) -> Result<Vec<u8>> {
        let (name, _) = self
            .read()
            .org_sealed(id)?
            .ok_or_else(|| Error::Internal(format!("sealing organization {id}: missing")))?;
        Ok(org_message(id, &name))
    }

    fn project_row_message(&self, id: i64) -> Result<Vec<u8>> {
        let project = self
            .read()
            .project_sealed(id)?
            .ok_or_else(|| Error::Internal(format!("sealing project {id}: missing")))?;
        Ok(project_message(id, project.org_id, &project.name))
    }

    /// Tags an organization.
    pub fn reseal_org(&self, id: i64) -> Result<()> {
        let mac = self
            .sealer()?
            .tag(RowKind::Org, &self.org_row_message(id)?)?;
        self.set_mac("organizations", id, &mac)
    }

    /// Tags a project.
    pub fn reseal_project(&self, id: i64) -> Result<()> {
        let mac = self
            .sealer()?
            .tag(RowKind::Project, &self.project_row_message(id)?)?;
        self.set_mac("projects", id, &mac)
    }

    fn manager_row_message(&self, id: i64) -> Result<Vec<u8>> {
        let row = self
            .read()
            .manager_by_rowid(id)?
            .ok_or_else(|| Error::Internal(format!("sealing connection {id}: missing")))?;
        Ok(row.seal().encode())
    }

    fn deployment_row_message(&self, id: i64) -> Result<Vec<u8>> {
        let row = self
            .read()
            .deployment_by_rowid(id)?
            .ok_or_else(|| Error::Internal(format!("sealing deployment {id}: missing")))?;
        let versions = self.read().deployment_versions(id)?;
        Ok(row.seal(&versions).encode())
    }

    /// Tags a connection as it now stands.
    pub fn reseal_manager(&self, id: i64) -> Result<()> {
        let mac = self
            .sealer()?
            .tag(RowKind::Manager, &self.manager_row_message(id)?)?;
        self.set_mac("managers", id, &mac)
    }

    /// Tags a deployment (with its versions) as it now stands.
    pub fn reseal_deployment(&self, id: i64) -> Result<()> {
        let mac = self
            .sealer()?
            .tag(RowKind::Deployment, &self.deployment_row_message(id)?)?;
        self.set_mac("deployments", id, &mac)
    }
}
