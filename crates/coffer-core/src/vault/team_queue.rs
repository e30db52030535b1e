//! Team-vault audit entries made while the server was unreachable (a
//! reveal or use an organization allows offline): the team-vault crate
//! hands each here as an opaque record; here it is sealed under the master
//! key (associated data binds this vault and the entry's id) and tagged
//! with the team vault's id, kept in order until it is uploaded. A changed,
//! moved or swapped row is [`Error::Tampered`]; key rotation re-seals them.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Vault;
use crate::crypto::{self, MasterKey, Purpose, associated_data};
use crate::error::{Error, Result};
use crate::store::{Db, QueueRow, RowKind, Sealer};

/// Largest entry accepted.
const MAX_ENTRY_BYTES: usize = 16 * 1024;

/// A queued entry, opened.
#[derive(Debug)]
pub struct QueuedEntry {
    /// Its id (to remove it once uploaded).
    pub id: [u8; 16],
    /// The team vault it is for.
    pub team_id: [u8; 16],
    /// The record the team-vault crate queued.
    pub record: Zeroizing<Vec<u8>>,
}

fn tampered() -> Error {
    Error::Tampered {
        what: "the team-vault queue (an entry changed outside Coffer)".into(),
    }
}

fn seal_row(
    vault_id: &[u8; 16],
    master: &MasterKey,
    rows: &dyn Sealer,
    uid: &[u8; 16],
    team_id: &[u8; 16],
    queued_at: i64,
    record: &[u8],
) -> Result<QueueRow> {
    let aad = associated_data(Purpose::TeamQueue, vault_id, Some(uid), 0);
    let sealed = crypto::seal(master.bytes(), &aad, record)?;
    let mut row = QueueRow {
        uid: uid.to_vec(),
        team_id: team_id.to_vec(),
        queued_at,
        nonce: sealed.nonce.to_vec(),
        sealed: sealed.ciphertext,
        mac: Vec::new(),
    };
    row.mac = rows.tag(RowKind::TeamQueue, &row.message())?.to_vec();
    Ok(row)
}

impl Vault {
    /// Queues an entry for team vault `team_id`; returns its id.
    pub fn queue_team_entry(&mut self, team_id: &[u8; 16], record: &[u8]) -> Result<[u8; 16]> {
        if record.len() > MAX_ENTRY_BYTES {
            return Err(Error::invalid(
                "record",
                format!("a queued entry is over {MAX_ENTRY_BYTES} bytes"),
            ));
        }
        let uid: [u8; 16] = crypto::random_array()?;
        let keys = self.keys()?;
        let row = seal_row(
            &self.vault_id,
            &keys.master,
            &keys.rows,
            &uid,
            team_id,
            self.clock.now().unix(),
            record,
        )?;
        self.write(|tx, _| tx.put_queue_row(&row))?;
        Ok(uid)
    }

    /// The queued entries of team vault `team_id`, oldest first, each
    /// checked and opened.
    pub fn team_queue(&self, team_id: &[u8; 16]) -> Result<Vec<QueuedEntry>> {
        self.open_queue(Some(team_id))
    }

    fn open_queue(&self, team_id: Option<&[u8; 16]>) -> Result<Vec<QueuedEntry>> {
        let keys = self.keys()?;
        let rows = self.store.read().team_queue(team_id)?;
        rows.iter()
            .map(|row| {
                let expected = keys.rows.tag(RowKind::TeamQueue, &row.message())?;
                if !bool::from(expected.ct_eq(&row.mac[..])) {
                    return Err(tampered());
                }
                let uid: [u8; 16] = row.uid.clone().try_into().map_err(|_| tampered())?;
                let team: [u8; 16] = row.team_id.clone().try_into().map_err(|_| tampered())?;
                if team_id.is_some_and(|t| *t != team) {
                    return Err(tampered());
                }
                let aad = associated_data(Purpose::TeamQueue, &self.vault_id, Some(&uid), 0);
                let record = crypto::open(
                    keys.master.bytes(),
                    &aad,
                    &row.nonce,
                    &row.sealed,
                    "a queued team-vault entry",
                )?;
                Ok(QueuedEntry {
                    id: uid,
                    team_id: team,
                    record,
                })
            })
            .collect()
    }

    /// Removes an entry once the server has it.
    pub fn remove_team_entry(&mut self, id: &[u8; 16]) -> Result<()> {
        self.write(|tx, _| tx.delete_queue_row(id))
    }

    /// Every queued entry re-sealed under a new master key and row keys
    /// (key rotation), each checked first.
    pub(super) fn resealed_queue(
        &self,
        new: &MasterKey,
        new_rows: &dyn Sealer,
    ) -> Result<Vec<QueueRow>> {
        let rows = self.store.read().team_queue(None)?;
        let opened = self.open_queue(None)?;
        rows.iter()
            .zip(&opened)
            .map(|(row, entry)| {
                seal_row(
                    &self.vault_id,
                    new,
                    new_rows,
                    &entry.id,
                    &entry.team_id,
                    row.queued_at,
                    &entry.record,
                )
            })
            .collect()
    }
}
