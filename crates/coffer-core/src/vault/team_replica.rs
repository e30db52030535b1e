//! The local replica of team vaults: the team-vault crate verifies each
//! shared secret's metadata and hands it here as an opaque record; here it is
//! sealed under the master key (associated data binds this vault and the
//! secret's id) and tagged with the team vault's id, so a record moved to
//! another row or team vault, or changed, is [`Error::Tampered`]. The last
//! server revision seen is tagged too: a client never accepts a server that
//! went back (the check is the team-vault crate's; the memory is here).

use serde::Serialize;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Vault;
use crate::clock::Timestamp;
use crate::crypto::{self, Purpose, associated_data};
use crate::error::{Error, Result};
use crate::store::{Db, ReplicaRow, ReplicaStateRow, RowKind, Sealer};

/// Largest record accepted (metadata and public fields).
const MAX_RECORD_BYTES: usize = 256 * 1024;

/// Where a team vault's replica stands.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReplicaState {
    /// The last server revision synced.
    pub revision: i64,
    /// When (this desktop's clock).
    pub synced_at: Timestamp,
}

fn tampered(what: &str) -> Error {
    Error::Tampered {
        what: format!("the team-vault replica ({what}, changed outside Coffer)"),
    }
}

impl Vault {
    /// Stores verified records of team vault `team_id` (one per shared
    /// secret id, replacing what is there) and the server revision they
    /// bring the replica to, in one transaction. A revision lower than the
    /// one stored is refused and nothing is written.
    pub fn save_team_replica(
        &mut self,
        team_id: &[u8; 16],
        records: &[([u8; 16], Zeroizing<Vec<u8>>)],
        revision: i64,
    ) -> Result<()> {
        if records.iter().any(|(_, r)| r.len() > MAX_RECORD_BYTES) {
            return Err(Error::invalid(
                "record",
                format!("a replica record is over {MAX_RECORD_BYTES} bytes"),
            ));
        }
        if let Some(state) = self.team_replica_state(team_id)?
            && revision < state.revision
        {
            return Err(Error::invalid(
                "revision",
                format!("{revision} is older than the replica's {}", state.revision),
            ));
        }
        let vault_id = self.vault_id;
        let keys = self.keys()?;
        let mut rows = Vec::with_capacity(records.len());
        for (secret_id, record) in records {
            let aad = associated_data(Purpose::TeamReplica, &vault_id, Some(secret_id), 0);
            let sealed = crypto::seal(keys.master.bytes(), &aad, record)?;
            let mut row = ReplicaRow {
                team_id: team_id.to_vec(),
                secret_id: secret_id.to_vec(),
                nonce: sealed.nonce.to_vec(),
                sealed: sealed.ciphertext,
                mac: Vec::new(),
            };
            row.mac = keys
                .rows
                .tag(RowKind::TeamReplica, &row.message())?
                .to_vec();
            rows.push(row);
        }
        let mut state = ReplicaStateRow {
            team_id: team_id.to_vec(),
            revision,
            synced_at: self.clock.now().unix(),
            mac: Vec::new(),
        };
        state.mac = keys
            .rows
            .tag(RowKind::TeamReplicaState, &state.message())?
            .to_vec();
        self.write(|tx, _| {
            for row in &rows {
                tx.put_replica_row(row)?;
            }
            tx.put_replica_state(&state)
        })
    }

    /// The replica's state for team vault `team_id`, if it was ever synced.
    pub fn team_replica_state(&self, team_id: &[u8; 16]) -> Result<Option<ReplicaState>> {
        let keys = self.keys()?;
        let Some(row) = self.store.read().team_replica_state(team_id)? else {
            return Ok(None);
        };
        let expected = keys.rows.tag(RowKind::TeamReplicaState, &row.message())?;
        if !bool::from(expected.ct_eq(&row.mac[..])) || row.team_id != team_id[..] {
            return Err(tampered("its revision"));
        }
        Ok(Some(ReplicaState {
            revision: row.revision,
            synced_at: Timestamp::from_unix(row.synced_at),
        }))
    }

    /// Every record of team vault `team_id`'s replica, each checked and opened.
    pub fn team_replica(&self, team_id: &[u8; 16]) -> Result<Vec<Zeroizing<Vec<u8>>>> {
        let keys = self.keys()?;
        let vault_id = self.vault_id;
        let rows = self.store.read().team_replica(team_id)?;
        rows.iter()
            .map(|row| {
                let expected = keys.rows.tag(RowKind::TeamReplica, &row.message())?;
                if !bool::from(expected.ct_eq(&row.mac[..])) || row.team_id != team_id[..] {
                    return Err(tampered("a record"));
                }
                let secret_id: [u8; 16] = row
                    .secret_id
                    .clone()
                    .try_into()
                    .map_err(|_| tampered("a record's id"))?;
                let aad = associated_data(Purpose::TeamReplica, &vault_id, Some(&secret_id), 0);
                crypto::open(
                    keys.master.bytes(),
                    &aad,
                    &row.nonce,
                    &row.sealed,
                    "a team-vault replica record",
                )
            })
            .collect()
    }
}
