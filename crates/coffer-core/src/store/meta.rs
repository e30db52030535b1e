//! The `meta` table: vault identity, key material wrappers, settings.

use rusqlite::OptionalExtension;

use super::{Reader, StoreTx, sql_error};
use crate::error::Result;

impl Reader<'_> {
    /// A meta value.
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(|e| sql_error(format!("reading vault setting {key}"), e))
    }
}

impl StoreTx<'_> {
    /// Sets a meta value.
    pub fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| s.execute(rusqlite::params![key, value]))
            .map(drop)
            .map_err(|e| sql_error(format!("writing vault setting {key}"), e))
    }
}
