//! The `secret_versions` table: one immutable encrypted value per version.

use rusqlite::{OptionalExtension, params};

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;

/// A stored version, ciphertexts included.
#[derive(Debug, Clone)]
pub(crate) struct VersionRow {
    pub version: u32,
    pub created_at: Timestamp,
    pub public_fields: String,
    pub expires_at: Option<Timestamp>,
    pub note: String,
    pub dek_nonce: Vec<u8>,
    pub wrapped_dek: Vec<u8>,
    pub payload_nonce: Vec<u8>,
    pub payload: Vec<u8>,
}

/// A version to insert.
#[derive(Debug)]
pub(crate) struct NewVersionRow<'a> {
    pub version: u32,
    pub created_at: Timestamp,
    pub public_fields: &'a str,
    pub expires_at: Option<Timestamp>,
    pub note: &'a str,
    pub dek_nonce: &'a [u8],
    pub wrapped_dek: &'a [u8],
    pub payload_nonce: &'a [u8],
    pub payload: &'a [u8],
}

/// A wrapped data key, for re-wrapping.
#[derive(Debug)]
pub(crate) struct WrappedKeyRow {
    pub rowid: i64,
    pub uid: Vec<u8>,
    pub version: u32,
    pub dek_nonce: Vec<u8>,
    pub wrapped_dek: Vec<u8>,
}

const VERSION_COLUMNS: &str = "version, created_at, public_fields, expires_at, note, dek_nonce, \
    wrapped_dek, payload_nonce, payload";

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VersionRow> {
    Ok(VersionRow {
        version: r.get(0)?,
        created_at: Timestamp::from_unix(r.get(1)?),
        public_fields: r.get(2)?,
        expires_at: r.get::<_, Option<i64>>(3)?.map(Timestamp::from_unix),
        note: r.get(4)?,
        dek_nonce: r.get(5)?,
        wrapped_dek: r.get(6)?,
        payload_nonce: r.get(7)?,
        payload: r.get(8)?,
    })
}

impl Reader<'_> {
    /// One version of a secret.
    pub fn version(&self, rowid: i64, version: u32) -> Result<Option<VersionRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM secret_versions WHERE secret_id = ?1 AND version = ?2"
            ))
            .and_then(|mut s| s.query_row((rowid, version), version_row).optional())
            .map_err(|e| sql_error("reading a version", e))
    }

    /// Every kept version of a secret, newest first.
    pub fn versions(&self, rowid: i64) -> Result<Vec<VersionRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {VERSION_COLUMNS} FROM secret_versions WHERE secret_id = ?1
                 ORDER BY version DESC"
            ))
            .map_err(|e| sql_error("listing versions", e))?;
        stmt.query_map([rowid], version_row)
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("listing versions", e))
    }

    /// Every data key wrapped by the vault master key.
    pub fn vault_wrapped_keys(&self) -> Result<Vec<WrappedKeyRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.uid, v.version, v.dek_nonce, v.wrapped_dek
                 FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
                 WHERE s.protection = 'vault'",
            )
            .map_err(|e| sql_error("reading data keys", e))?;
        stmt.query_map([], |r| {
            Ok(WrappedKeyRow {
                rowid: r.get(0)?,
                uid: r.get(1)?,
                version: r.get(2)?,
                dek_nonce: r.get(3)?,
                wrapped_dek: r.get(4)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| sql_error("reading data keys", e))
    }
}

impl StoreTx<'_> {
    /// Inserts a version.
    pub fn insert_version(&self, rowid: i64, row: &NewVersionRow<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO secret_versions (secret_id, version, created_at, public_fields,
                    expires_at, note, dek_nonce, wrapped_dek, payload_nonce, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rowid,
                    row.version,
                    row.created_at.unix(),
                    row.public_fields,
                    row.expires_at.map(Timestamp::unix),
                    row.note,
                    row.dek_nonce,
                    row.wrapped_dek,
                    row.payload_nonce,
                    row.payload
                ])
            })
            .map(drop)
            .map_err(|e| sql_error("storing a version", e))
    }

    /// Deletes versions older than `keep_from`: their data keys are destroyed.
    pub fn delete_versions_before(&self, rowid: i64, keep_from: u32) -> Result<Vec<u32>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "DELETE FROM secret_versions WHERE secret_id = ?1 AND version < ?2 RETURNING version",
            )
            .map_err(|e| sql_error("pruning versions", e))?;
        let mut pruned: Vec<u32> = stmt
            .query_map((rowid, keep_from), |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("pruning versions", e))?;
        pruned.sort_unstable();
        Ok(pruned)
    }

    /// Replaces a wrapped data key (rotation, store-password change).
    pub fn set_wrapped_key(
        &self,
        rowid: i64,
        version: u32,
        nonce: &[u8],
        wrapped: &[u8],
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE secret_versions SET dek_nonce = ?3, wrapped_dek = ?4
                 WHERE secret_id = ?1 AND version = ?2",
            )
            .and_then(|mut s| s.execute(params![rowid, version, nonce, wrapped]))
            .map(drop)
            .map_err(|e| sql_error("re-wrapping a data key", e))
    }
}
