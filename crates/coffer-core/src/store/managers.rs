//! The `managers` table: connections to external key vaults.

use rusqlite::{OptionalExtension, Row, params};

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;

const MANAGER_COLUMNS: &str = "m.id, m.name, m.org_id, o.name, m.kind, m.settings, \
    m.credential_uid, m.cache_ttl_secs, m.stale_if_error_secs, m.writes_per_sec, m.created_at, \
    m.updated_at, m.mac, o.mac";

const MANAGER_FROM: &str = "managers m JOIN organizations o ON o.id = m.org_id";

/// A stored connection's columns.
#[derive(Debug, Clone)]
pub(crate) struct ManagerRow {
    pub rowid: i64,
    pub name: String,
    pub org_id: i64,
    pub org: String,
    pub kind: String,
    pub settings: String,
    pub credential_uid: Option<Vec<u8>>,
    pub cache_ttl_secs: u32,
    pub stale_if_error_secs: u32,
    pub writes_per_sec: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The row's integrity tag.
    pub mac: Option<Vec<u8>>,
    /// The organization row's tag.
    pub org_mac: Option<Vec<u8>>,
}

impl ManagerRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            rowid: row.get(0)?,
            name: row.get(1)?,
            org_id: row.get(2)?,
            org: row.get(3)?,
            kind: row.get(4)?,
            settings: row.get(5)?,
            credential_uid: row.get(6)?,
            cache_ttl_secs: row.get(7)?,
            stale_if_error_secs: row.get(8)?,
            writes_per_sec: row.get(9)?,
            created_at: Timestamp::from_unix(row.get(10)?),
            updated_at: Timestamp::from_unix(row.get(11)?),
            mac: row.get(12)?,
            org_mac: row.get(13)?,
        })
    }

    /// The columns its integrity tag covers.
    pub fn seal(&self) -> super::ManagerSeal<'_> {
        super::ManagerSeal {
            id: self.rowid,
            name: &self.name,
            org_id: self.org_id,
            kind: &self.kind,
            settings: &self.settings,
            credential_uid: self.credential_uid.as_deref(),
            cache_ttl_secs: self.cache_ttl_secs,
            stale_if_error_secs: self.stale_if_error_secs,
            writes_per_sec: self.writes_per_sec,
        }
    }
}

/// A connection to insert or the new columns of one.
#[derive(Debug)]
pub(crate) struct NewManagerRow<'a> {
    pub name: &'a str,
    pub org_id: i64,
    pub kind: &'a str,
    pub settings: &'a str,
    pub credential_uid: Option<&'a [u8; 16]>,
    pub cache_ttl_secs: u32,
    pub stale_if_error_secs: u32,
    pub writes_per_sec: u32,
    pub now: Timestamp,
}

/// A job that names a connection in a placeholder.
#[derive(Debug, Clone)]
pub(crate) struct ManagerUseRow {
    pub job_uid: Vec<u8>,
    pub job: String,
    pub org: String,
    pub remote_name: String,
}

impl Reader<'_> {
    fn managers_where(
        &self,
        condition: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<Vec<ManagerRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {MANAGER_COLUMNS} FROM {MANAGER_FROM} WHERE {condition}
                 ORDER BY m.name COLLATE NOCASE"
            ))
            .and_then(|mut s| s.query_map([value], ManagerRow::from_row)?.collect())
            .map_err(|e| sql_error("reading connections", e))
    }

    /// A connection by name (case-insensitive, as names are unique).
    pub fn manager_by_name(&self, name: &str) -> Result<Option<ManagerRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {MANAGER_COLUMNS} FROM {MANAGER_FROM} WHERE m.name = ?1"
            ))
            .and_then(|mut s| s.query_row([name], ManagerRow::from_row).optional())
            .map_err(|e| sql_error("looking up a connection", e))
    }

    /// A connection by row id.
    pub fn manager_by_rowid(&self, rowid: i64) -> Result<Option<ManagerRow>> {
        Ok(self.managers_where("m.id = ?1", &rowid)?.into_iter().next())
    }

    /// Every connection, by name.
    pub fn managers(&self) -> Result<Vec<ManagerRow>> {
        self.managers_where("?1 = 1", &1)
    }

    /// The connections whose credentials are the secret `uid`.
    pub fn managers_with_credential(&self, uid: &[u8; 16]) -> Result<Vec<ManagerRow>> {
        self.managers_where("m.credential_uid = ?1", &&uid[..])
    }

    /// How many connections take their credentials from the secret `uid`.
    pub fn credential_use_count(&self, uid: &[u8; 16]) -> Result<u32> {
        self.conn
            .prepare_cached("SELECT count(*) FROM managers WHERE credential_uid = ?1")
            .and_then(|mut s| s.query_row([&uid[..]], |r| r.get(0)))
            .map_err(|e| sql_error("counting the connections that use a secret", e))
    }

    /// Jobs whose placeholders name connection `name`, with the remote names.
    pub fn jobs_using_manager(&self, name: &str) -> Result<Vec<ManagerUseRow>> {
        self.conn
            .prepare_cached(
                "SELECT DISTINCT j.uid, j.name, o.name, b.secret_name
                 FROM job_secrets b JOIN jobs j ON j.id = b.job_id
                 JOIN organizations o ON o.id = j.org_id
                 WHERE b.manager = ?1 COLLATE NOCASE
                 ORDER BY j.name COLLATE NOCASE, o.name, b.secret_name",
            )
            .and_then(|mut s| {
                s.query_map([name], |r| {
                    Ok(ManagerUseRow {
                        job_uid: r.get(0)?,
                        job: r.get(1)?,
                        org: r.get(2)?,
                        remote_name: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("finding the jobs that use a connection", e))
    }
}

impl StoreTx<'_> {
    /// Inserts a connection; returns its row id.
    pub fn insert_manager(&self, row: &NewManagerRow<'_>) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO managers (name, org_id, kind, settings, credential_uid,
                    cache_ttl_secs, stale_if_error_secs, writes_per_sec, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.name,
                    row.org_id,
                    row.kind,
                    row.settings,
                    row.credential_uid.map(|u| &u[..]),
                    row.cache_ttl_secs,
                    row.stale_if_error_secs,
                    row.writes_per_sec,
                    row.now.unix(),
                ])
            })
            .map_err(|e| sql_error("storing a connection", e))?;
        let rowid = self.tx.last_insert_rowid();
        self.reseal_manager(rowid)?;
        Ok(rowid)
    }

    /// Replaces a connection's columns.
    pub fn update_manager(&self, rowid: i64, row: &NewManagerRow<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE managers SET name = ?2, org_id = ?3, kind = ?4, settings = ?5,
                    credential_uid = ?6, cache_ttl_secs = ?7, stale_if_error_secs = ?8,
                    writes_per_sec = ?9, updated_at = ?10
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rowid,
                    row.name,
                    row.org_id,
                    row.kind,
                    row.settings,
                    row.credential_uid.map(|u| &u[..]),
                    row.cache_ttl_secs,
                    row.stale_if_error_secs,
                    row.writes_per_sec,
                    row.now.unix(),
                ])
            })
            .map_err(|e| sql_error("updating a connection", e))?;
        self.reseal_manager(rowid)
    }

    /// Deletes a connection with its ended deployments.
    pub fn delete_manager(&self, rowid: i64) -> Result<()> {
        self.tx
            .execute("DELETE FROM managers WHERE id = ?1", [rowid])
            .map(drop)
            .map_err(|e| sql_error("deleting a connection", e))
    }
}
