//! The `deployments` and `deployment_versions` tables.

use rusqlite::{Row, params};

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;

const DEPLOYMENT_COLUMNS: &str = "d.id, d.secret_id, s.uid, o.name, s.name, d.manager_id, m.name, \
    d.remote_name, d.remote_id, d.state, d.brownfield, d.managed, d.last_error, d.attempts, \
    d.created_at, d.updated_at, d.mac";

const DEPLOYMENT_FROM: &str = "deployments d JOIN secrets s ON s.id = d.secret_id \
    JOIN organizations o ON o.id = s.org_id JOIN managers m ON m.id = d.manager_id";

/// A stored deployment's columns.
#[derive(Debug, Clone)]
pub(crate) struct DeploymentRow {
    pub rowid: i64,
    pub secret_rowid: i64,
    pub secret_uid: Vec<u8>,
    pub org: String,
    pub secret: String,
    pub manager_id: i64,
    pub manager: String,
    pub remote_name: String,
    pub remote_id: Option<String>,
    pub state: String,
    pub brownfield: bool,
    pub managed: bool,
    pub last_error: Option<String>,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The row's integrity tag.
    pub mac: Option<Vec<u8>>,
}

impl DeploymentRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            rowid: row.get(0)?,
            secret_rowid: row.get(1)?,
            secret_uid: row.get(2)?,
            org: row.get(3)?,
            secret: row.get(4)?,
            manager_id: row.get(5)?,
            manager: row.get(6)?,
            remote_name: row.get(7)?,
            remote_id: row.get(8)?,
            state: row.get(9)?,
            brownfield: row.get(10)?,
            managed: row.get(11)?,
            last_error: row.get(12)?,
            attempts: row.get(13)?,
            created_at: Timestamp::from_unix(row.get(14)?),
            updated_at: Timestamp::from_unix(row.get(15)?),
            mac: row.get(16)?,
        })
    }

    /// The columns its integrity tag covers (with its versions).
    pub fn seal<'a>(&'a self, versions: &'a [VersionPushRow]) -> super::DeploymentSeal<'a> {
        super::DeploymentSeal {
            id: self.rowid,
            secret_rowid: self.secret_rowid,
            manager_id: self.manager_id,
            remote_name: &self.remote_name,
            remote_id: self.remote_id.as_deref(),
            state: &self.state,
            brownfield: self.brownfield,
            managed: self.managed,
            last_error: self.last_error.as_deref(),
            attempts: self.attempts,
            versions,
        }
    }
}

/// One pushed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionPushRow {
    pub version: u32,
    pub remote_version: String,
    pub pushed_at: Timestamp,
}

/// A deployment to insert.
#[derive(Debug)]
pub(crate) struct NewDeploymentRow<'a> {
    pub secret_rowid: i64,
    pub manager_id: i64,
    pub remote_name: &'a str,
    pub remote_id: Option<&'a str>,
    pub state: &'a str,
    pub brownfield: bool,
    pub managed: bool,
    pub now: Timestamp,
}

/// The columns a state change writes.
#[derive(Debug)]
pub(crate) struct DeploymentUpdate<'a> {
    pub state: &'a str,
    pub remote_id: Option<&'a str>,
    pub managed: bool,
    pub last_error: Option<&'a str>,
    pub attempts: u32,
    pub now: Timestamp,
}

impl Reader<'_> {
    fn deployments_where(
        &self,
        condition: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<DeploymentRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {DEPLOYMENT_COLUMNS} FROM {DEPLOYMENT_FROM} WHERE {condition} ORDER BY d.id"
            ))
            .and_then(|mut s| s.query_map(values, DeploymentRow::from_row)?.collect())
            .map_err(|e| sql_error("reading deployments", e))
    }

    /// A deployment by row id.
    pub fn deployment_by_rowid(&self, rowid: i64) -> Result<Option<DeploymentRow>> {
        Ok(self
            .deployments_where("d.id = ?1", &[&rowid])?
            .into_iter()
            .next())
    }

    /// A secret's deployments and import links, oldest first.
    pub fn deployments_of_secret(&self, secret_rowid: i64) -> Result<Vec<DeploymentRow>> {
        self.deployments_where("d.secret_id = ?1", &[&secret_rowid])
    }

    /// A connection's deployments and import links, oldest first.
    pub fn deployments_of_manager(&self, manager_id: i64) -> Result<Vec<DeploymentRow>> {
        self.deployments_where("d.manager_id = ?1", &[&manager_id])
    }

    /// The live (not ended) deployment of a remote name in a connection.
    pub fn live_deployment(
        &self,
        manager_id: i64,
        remote_name: &str,
    ) -> Result<Option<DeploymentRow>> {
        Ok(self
            .deployments_where(
                "d.manager_id = ?1 AND d.remote_name = ?2 AND d.state <> 'end'",
                &[&manager_id, &remote_name],
            )?
            .into_iter()
            .next())
    }

    /// Deployments in a state the engine acts on by itself, and available
    /// ones whose secret has a version newer than the last pushed.
    pub fn pending_deployments(&self) -> Result<Vec<DeploymentRow>> {
        self.deployments_where(
            "d.state IN ('start', 'deploying', 'updating_versions', 'decommissioning')
             OR (d.state = 'available' AND d.managed = 1 AND s.current_version >
                 coalesce((SELECT max(v.version) FROM deployment_versions v
                           WHERE v.deployment_id = d.id), 0))",
            &[],
        )
    }

    /// A deployment's pushed versions, oldest first.
    pub fn deployment_versions(&self, rowid: i64) -> Result<Vec<VersionPushRow>> {
        self.conn
            .prepare_cached(
                "SELECT version, remote_version, pushed_at FROM deployment_versions
                 WHERE deployment_id = ?1 ORDER BY version",
            )
            .and_then(|mut s| {
                s.query_map([rowid], |r| {
                    Ok(VersionPushRow {
                        version: r.get(0)?,
                        remote_version: r.get(1)?,
                        pushed_at: Timestamp::from_unix(r.get(2)?),
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("reading a deployment's versions", e))
    }

    /// Row ids of every deployment.
    pub fn deployment_ids(&self) -> Result<Vec<i64>> {
        self.conn
            .prepare("SELECT id FROM deployments ORDER BY id")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| sql_error("reading deployments", e))
    }
}

impl StoreTx<'_> {
    /// Inserts a deployment; returns its row id.
    pub fn insert_deployment(&self, row: &NewDeploymentRow<'_>) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO deployments (secret_id, manager_id, remote_name, remote_id, state,
                    brownfield, managed, last_error, attempts, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, 0, ?8, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.secret_rowid,
                    row.manager_id,
                    row.remote_name,
                    row.remote_id,
                    row.state,
                    row.brownfield,
                    row.managed,
                    row.now.unix(),
                ])
            })
            .map_err(|e| sql_error("storing a deployment", e))?;
        let rowid = self.tx.last_insert_rowid();
        self.reseal_deployment(rowid)?;
        Ok(rowid)
    }

    /// Writes a deployment's state, error and attempts.
    pub fn update_deployment(&self, rowid: i64, update: &DeploymentUpdate<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE deployments SET state = ?2, remote_id = ?3, managed = ?4, last_error = ?5,
                    attempts = ?6, updated_at = ?7
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rowid,
                    update.state,
                    update.remote_id,
                    update.managed,
                    update.last_error,
                    update.attempts,
                    update.now.unix(),
                ])
            })
            .map_err(|e| sql_error("updating a deployment", e))?;
        self.reseal_deployment(rowid)
    }

    /// Records a version as pushed (again: the newer remote version wins).
    pub fn record_deployment_version(&self, rowid: i64, push: &VersionPushRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO deployment_versions (deployment_id, version, remote_version, pushed_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (deployment_id, version) DO UPDATE
                    SET remote_version = excluded.remote_version, pushed_at = excluded.pushed_at",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rowid,
                    push.version,
                    push.remote_version,
                    push.pushed_at.unix()
                ])
            })
            .map_err(|e| sql_error("recording a pushed version", e))?;
        self.reseal_deployment(rowid)
    }
}
