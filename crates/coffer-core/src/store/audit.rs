//! The `audit_log` table. Rows are only ever inserted (triggers refuse
//! updates and deletes); the chain of MACs is computed above this layer.

use rusqlite::{OptionalExtension, params};

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;

/// A stored audit entry.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub secret_id: Option<Vec<u8>>,
    pub target: String,
    pub detail: String,
    pub mac: Vec<u8>,
}

/// An audit entry to append.
#[derive(Debug)]
pub(crate) struct NewAuditRow<'a> {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: &'a str,
    pub action: &'a str,
    pub secret_id: Option<&'a [u8]>,
    pub target: &'a str,
    pub detail: &'a str,
    pub mac: &'a [u8],
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, secret_id, target, detail, mac";

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: Timestamp::from_unix(r.get(1)?),
        actor: r.get(2)?,
        action: r.get(3)?,
        secret_id: r.get(4)?,
        target: r.get(5)?,
        detail: r.get(6)?,
        mac: r.get(7)?,
    })
}

impl Reader<'_> {
    /// The newest entry's sequence number and MAC.
    pub fn audit_head(&self) -> Result<Option<(i64, Vec<u8>)>> {
        self.conn
            .prepare_cached("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// Whether the log says that the vault's rows were sealed: its creation
    /// by a Coffer that seals rows, or an entry `action` (the first unlock
    /// after an upgrade).
    pub fn audit_says_rows_sealed(&self, action: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = ?1
                    OR (action = 'vault.create' AND json_extract(detail, '$.sealed_rows') = 1))",
                [action],
                |r| r.get(0),
            )
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// The MAC of entry `seq`, if it exists.
    pub fn audit_mac_at(&self, seq: i64) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached("SELECT mac FROM audit_log WHERE seq = ?1")
            .and_then(|mut s| s.query_row([seq], |r| r.get(0)).optional())
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// Visits every entry in order.
    pub fn audit_each(&self, mut visit: impl FnMut(AuditRow) -> Result<bool>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
            ))
            .map_err(|e| sql_error("reading the audit log", e))?;
        let mut rows = stmt
            .query([])
            .map_err(|e| sql_error("reading the audit log", e))?;
        while let Some(row) = rows
            .next()
            .map_err(|e| sql_error("reading the audit log", e))?
        {
            let entry = audit_row(row).map_err(|e| sql_error("reading the audit log", e))?;
            if !visit(entry)? {
                break;
            }
        }
        Ok(())
    }

    /// The newest entries, optionally only those about one secret.
    pub fn audit_recent(&self, secret_id: Option<&[u8]>, limit: u32) -> Result<Vec<AuditRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log
                 WHERE ?1 IS NULL OR secret_id = ?1 ORDER BY seq DESC LIMIT ?2"
            ))
            .map_err(|e| sql_error("reading the audit log", e))?;
        stmt.query_map(params![secret_id, limit], audit_row)
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("reading the audit log", e))
    }
}

impl StoreTx<'_> {
    /// Appends an entry.
    pub fn insert_audit(&self, row: &NewAuditRow<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log (seq, at, actor, action, secret_id, target, detail, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.seq,
                    row.at.unix(),
                    row.actor,
                    row.action,
                    row.secret_id,
                    row.target,
                    row.detail,
                    row.mac
                ])
            })
            .map(drop)
            .map_err(|e| sql_error("writing the audit log", e))
    }
}
