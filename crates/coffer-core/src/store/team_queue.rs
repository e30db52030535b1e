//! The `team_queue` table: team-vault audit entries made while the server
//! was unreachable, in order, until they are uploaded. The store keeps
//! rows; sealing and tags happen above it.

use rusqlite::params;

use super::seal::Fields;
use super::{Reader, StoreTx, sql_error};
use crate::error::Result;

/// One queued entry, sealed.
#[derive(Debug, Clone)]
pub(crate) struct QueueRow {
    pub uid: Vec<u8>,
    pub team_id: Vec<u8>,
    pub queued_at: i64,
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
    pub mac: Vec<u8>,
}

impl QueueRow {
    /// The bytes its tag covers: every column but the tag (and the order).
    pub(crate) fn message(&self) -> Vec<u8> {
        Fields::default()
            .bytes(&self.uid)
            .bytes(&self.team_id)
            .int(self.queued_at)
            .bytes(&self.nonce)
            .bytes(&self.sealed)
            .finish()
    }
}

impl Reader<'_> {
    /// The queued entries of one team vault (every team vault's with
    /// `None`), oldest first.
    pub fn team_queue(&self, team_id: Option<&[u8; 16]>) -> Result<Vec<QueueRow>> {
        self.conn
            .prepare_cached(
                "SELECT uid, team_id, queued_at, nonce, sealed, mac FROM team_queue
                 WHERE ?1 IS NULL OR team_id = ?1 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([team_id.map(|t| t.to_vec())], |r| {
                    Ok(QueueRow {
                        uid: r.get(0)?,
                        team_id: r.get(1)?,
                        queued_at: r.get(2)?,
                        nonce: r.get(3)?,
                        sealed: r.get(4)?,
                        mac: r.get(5)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("reading the team-vault queue", e))
    }
}

impl StoreTx<'_> {
    /// Appends one entry, or replaces the one with its id in place (key
    /// rotation re-seals them keeping their order).
    pub fn put_queue_row(&self, row: &QueueRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO team_queue (uid, team_id, queued_at, nonce, sealed, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (uid) DO UPDATE SET nonce = excluded.nonce,
                    sealed = excluded.sealed, mac = excluded.mac",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.uid,
                    row.team_id,
                    row.queued_at,
                    row.nonce,
                    row.sealed,
                    row.mac
                ])
            })
            .map(drop)
            .map_err(|e| sql_error("queueing a team-vault entry", e))
    }

    /// Removes an uploaded entry.
    pub fn delete_queue_row(&self, uid: &[u8; 16]) -> Result<()> {
        self.tx
            .execute("DELETE FROM team_queue WHERE uid = ?1", [&uid[..]])
            .map(drop)
            .map_err(|e| sql_error("removing a queued team-vault entry", e))
    }
}
