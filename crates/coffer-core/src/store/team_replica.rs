//! The `team_replica` and `team_replica_state` tables: per team vault, the
//! sealed metadata of each shared secret and the last server revision seen.
//! The store keeps rows; sealing and tags happen above it.

use rusqlite::{OptionalExtension, params};

use super::seal::Fields;
use super::{Reader, StoreTx, sql_error};
use crate::error::Result;

/// One shared secret's sealed metadata.
#[derive(Debug, Clone)]
pub(crate) struct ReplicaRow {
    pub team_id: Vec<u8>,
    pub secret_id: Vec<u8>,
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
    pub mac: Vec<u8>,
}

impl ReplicaRow {
    /// The bytes its tag covers: every column but the tag.
    pub(crate) fn message(&self) -> Vec<u8> {
        Fields::default()
            .bytes(&self.team_id)
            .bytes(&self.secret_id)
            .bytes(&self.nonce)
            .bytes(&self.sealed)
            .finish()
    }
}

/// Where a team vault's replica stands.
#[derive(Debug, Clone)]
pub(crate) struct ReplicaStateRow {
    pub team_id: Vec<u8>,
    pub revision: i64,
    pub synced_at: i64,
    pub mac: Vec<u8>,
}

impl ReplicaStateRow {
    /// The bytes its tag covers: every column but the tag.
    pub(crate) fn message(&self) -> Vec<u8> {
        Fields::default()
            .bytes(&self.team_id)
            .int(self.revision)
            .int(self.synced_at)
            .finish()
    }
}

impl Reader<'_> {
    /// Every replica row of one team vault.
    pub fn team_replica(&self, team_id: &[u8; 16]) -> Result<Vec<ReplicaRow>> {
        self.conn
            .prepare_cached(
                "SELECT team_id, secret_id, nonce, sealed, mac FROM team_replica
                 WHERE team_id = ?1 ORDER BY secret_id",
            )
            .and_then(|mut s| {
                s.query_map([&team_id[..]], |r| {
                    Ok(ReplicaRow {
                        team_id: r.get(0)?,
                        secret_id: r.get(1)?,
                        nonce: r.get(2)?,
                        sealed: r.get(3)?,
                        mac: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("reading the team-vault replica", e))
    }

    /// The replica's state for one team vault, if it was ever synced.
    pub fn team_replica_state(&self, team_id: &[u8; 16]) -> Result<Option<ReplicaStateRow>> {
        self.conn
            .prepare_cached(
                "SELECT team_id, revision, synced_at, mac FROM team_replica_state
                 WHERE team_id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([&team_id[..]], |r| {
                    Ok(ReplicaStateRow {
                        team_id: r.get(0)?,
                        revision: r.get(1)?,
                        synced_at: r.get(2)?,
                        mac: r.get(3)?,
                    })
                })
                .optional()
            })
            .map_err(|e| sql_error("reading the team-vault replica's state", e))
    }
}

impl StoreTx<'_> {
    /// Inserts or replaces one replica row.
    pub fn put_replica_row(&self, row: &ReplicaRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO team_replica (team_id, secret_id, nonce, sealed, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (team_id, secret_id) DO UPDATE SET nonce = excluded.nonce,
                    sealed = excluded.sealed, mac = excluded.mac",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.team_id,
                    row.secret_id,
                    row.nonce,
                    row.sealed,
                    row.mac
                ])
            })
            .map(drop)
            .map_err(|e| sql_error("saving the team-vault replica", e))
    }

    /// Inserts or replaces a replica's state.
    pub fn put_replica_state(&self, row: &ReplicaStateRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO team_replica_state (team_id, revision, synced_at, mac)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (team_id) DO UPDATE SET revision = excluded.revision,
                    synced_at = excluded.synced_at, mac = excluded.mac",
            )
            .and_then(|mut s| s.execute(params![row.team_id, row.revision, row.synced_at, row.mac]))
            .map(drop)
            .map_err(|e| sql_error("saving the team-vault replica's state", e))
    }

    /// Empties every replica (after a key rotation: the next sync refills them).
    pub fn clear_team_replicas(&self) -> Result<()> {
        self.tx
            .execute_batch("DELETE FROM team_replica; DELETE FROM team_replica_state;")
            .map_err(|e| sql_error("emptying the team-vault replicas", e))
    }
}
