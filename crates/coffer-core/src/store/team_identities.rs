//! The `team_identities` table: this vault's sealed identity in each team
//! vault. The store keeps rows; sealing and tags happen above it.

use rusqlite::{OptionalExtension, params};

use super::seal::Fields;
use super::{Reader, StoreTx, sql_error};
use crate::error::Result;

/// One identity as stored.
#[derive(Debug, Clone)]
pub(crate) struct TeamIdentityRow {
    pub team_id: Vec<u8>,
    pub label: String,
    pub created_at: i64,
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
    pub mac: Vec<u8>,
}

impl TeamIdentityRow {
    /// The bytes its tag covers: every column but the row id and the tag.
    pub(crate) fn message(&self) -> Vec<u8> {
        identity_message(
            &self.team_id,
            &self.label,
            self.created_at,
            &self.nonce,
            &self.sealed,
        )
    }
}

/// The bytes a team identity's tag covers.
pub(crate) fn identity_message(
    team_id: &[u8],
    label: &str,
    created_at: i64,
    nonce: &[u8],
    sealed: &[u8],
) -> Vec<u8> {
    Fields::default()
        .bytes(team_id)
        .text(label)
        .int(created_at)
        .bytes(nonce)
        .bytes(sealed)
        .finish()
}

const COLUMNS: &str = "id, team_id, label, created_at, nonce, sealed, mac";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TeamIdentityRow> {
    Ok(TeamIdentityRow {
        team_id: r.get(1)?,
        label: r.get(2)?,
        created_at: r.get(3)?,
        nonce: r.get(4)?,
        sealed: r.get(5)?,
        mac: r.get(6)?,
    })
}

impl Reader<'_> {
    /// The identity for one team vault, if this vault has one.
    pub fn team_identity(&self, team_id: &[u8; 16]) -> Result<Option<TeamIdentityRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM team_identities WHERE team_id = ?1"
            ))
            .and_then(|mut s| s.query_row([&team_id[..]], row).optional())
            .map_err(|e| sql_error("reading a team-vault identity", e))
    }

    /// Every team-vault identity, oldest first.
    pub fn team_identities(&self) -> Result<Vec<TeamIdentityRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM team_identities ORDER BY created_at, id"
            ))
            .and_then(|mut s| s.query_map([], row)?.collect())
            .map_err(|e| sql_error("listing team-vault identities", e))
    }
}

impl StoreTx<'_> {
    /// Inserts or replaces the identity for `row.team_id` (its tag included).
    pub fn put_team_identity(&self, row: &TeamIdentityRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO team_identities (team_id, label, created_at, nonce, sealed, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (team_id) DO UPDATE SET label = excluded.label,
                    created_at = excluded.created_at, nonce = excluded.nonce,
                    sealed = excluded.sealed, mac = excluded.mac",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.team_id,
                    row.label,
                    row.created_at,
                    row.nonce,
                    row.sealed,
                    row.mac
                ])
            })
            .map(drop)
            .map_err(|e| sql_error("saving a team-vault identity", e))
    }
}
