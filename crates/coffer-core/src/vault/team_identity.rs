//! This vault's identities in team vaults. The team-vault crate makes the
//! keys and decides their encoding; here the blob is sealed under the master
//! key (associated data binds this vault and the team vault's id, so a blob
//! moved to another row or vault fails to open) and its row is tagged. A
//! changed row is [`Error::Tampered`]; nothing is returned from it.

use serde::Serialize;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Vault;
use crate::audit::Record;
use crate::clock::Timestamp;
use crate::crypto::{self, MasterKey, Purpose, associated_data};
use crate::error::{Error, Result};
use crate::store::{Db, RowKind, Sealer, TeamIdentityRow};

/// Largest identity blob accepted (the keys and a little metadata fit in a few KiB).
const MAX_IDENTITY_BYTES: usize = 64 * 1024;

/// A team-vault identity this vault holds (its private keys stay sealed).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct TeamIdentityInfo {
    /// The team vault's id (a UUID).
    pub team_id: String,
    /// What the user calls it (the server, usually).
    pub label: String,
    /// When this identity was saved.
    pub created_at: Timestamp,
}

fn aad(vault_id: &[u8; 16], team_id: &[u8; 16]) -> Vec<u8> {
    associated_data(Purpose::TeamIdentity, vault_id, Some(team_id), 0)
}

fn team_id_of(row: &TeamIdentityRow) -> Result<[u8; 16]> {
    row.team_id.clone().try_into().map_err(|_| Error::Tampered {
        what: "a team-vault identity (its id)".into(),
    })
}

fn label_of(row: &TeamIdentityRow) -> String {
    format!("the team-vault identity for {}", row.label)
}

/// Checks a row's tag, then opens its blob under `master`.
pub(super) fn open_identity(
    vault_id: &[u8; 16],
    master: &MasterKey,
    rows: &dyn Sealer,
    row: &TeamIdentityRow,
) -> Result<Zeroizing<Vec<u8>>> {
    let what = label_of(row);
    let expected = rows.tag(RowKind::TeamIdentity, &row.message())?;
    if !bool::from(expected.ct_eq(&row.mac[..])) {
        return Err(Error::Tampered {
            what: format!("{what} (changed outside Coffer)"),
        });
    }
    let team_id = team_id_of(row)?;
    crypto::open(
        master.bytes(),
        &aad(vault_id, &team_id),
        &row.nonce,
        &row.sealed,
        &what,
    )
}

/// A row holding `identity` sealed under `master` and tagged by `rows`.
pub(super) fn seal_identity(
    vault_id: &[u8; 16],
    master: &MasterKey,
    rows: &dyn Sealer,
    team_id: &[u8; 16],
    label: &str,
    created_at: i64,
    identity: &[u8],
) -> Result<TeamIdentityRow> {
    let sealed = crypto::seal(master.bytes(), &aad(vault_id, team_id), identity)?;
    let mut row = TeamIdentityRow {
        team_id: team_id.to_vec(),
        label: label.to_owned(),
        created_at,
        nonce: sealed.nonce.to_vec(),
        sealed: sealed.ciphertext,
        mac: Vec::new(),
    };
    row.mac = rows.tag(RowKind::TeamIdentity, &row.message())?.to_vec();
    Ok(row)
}

impl Vault {
    /// Saves (or replaces) this vault's identity for team vault `team_id`:
    /// an opaque blob of private keys, sealed under the master key.
    pub fn save_team_identity(
        &mut self,
        team_id: &[u8; 16],
        label: &str,
        identity: &[u8],
    ) -> Result<()> {
        if identity.is_empty() || identity.len() > MAX_IDENTITY_BYTES {
            return Err(Error::invalid(
                "identity",
                format!("must be 1 to {MAX_IDENTITY_BYTES} bytes"),
            ));
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(Error::invalid("label", "must be 1 to 200 characters"));
        }
        let vault_id = self.vault_id;
        let keys = self.keys()?;
        let row = seal_identity(
            &vault_id,
            &keys.master,
            &keys.rows,
            team_id,
            label,
            self.clock.now().unix(),
            identity,
        )?;
        let team = uuid::Uuid::from_bytes(*team_id).to_string();
        self.write(|tx, ctx| {
            tx.put_team_identity(&row)?;
            ctx.audit(
                tx,
                Record {
                    action: "team.identity_saved",
                    secret_id: None,
                    target: label,
                    detail: serde_json::json!({ "team_vault": team }),
                },
            )
        })
    }

    /// This vault's identity for team vault `team_id`, if it has one. A row
    /// changed outside Coffer is [`Error::Tampered`].
    pub fn team_identity(&self, team_id: &[u8; 16]) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let keys = self.keys()?;
        let Some(row) = self.store.read().team_identity(team_id)? else {
            return Ok(None);
        };
        open_identity(&self.vault_id, &keys.master, &keys.rows, &row).map(Some)
    }

    /// The team vaults this vault has an identity for (readable while locked).
    pub fn team_identities(&self) -> Result<Vec<TeamIdentityInfo>> {
        let rows = self.store.read().team_identities()?;
        Ok(rows
            .iter()
            .map(|row| TeamIdentityInfo {
                team_id: team_id_of(row)
                    .map(|id| uuid::Uuid::from_bytes(id).to_string())
                    .unwrap_or_default(),
                label: row.label.clone(),
                created_at: Timestamp::from_unix(row.created_at),
            })
            .collect())
    }

    /// Every identity re-sealed under `new` (key rotation), each first
    /// checked and opened under the current keys: a tampered row stops the
    /// rotation before anything is written.
    pub(super) fn resealed_identities(
        &self,
        new: &MasterKey,
        new_rows: &dyn Sealer,
    ) -> Result<Vec<TeamIdentityRow>> {
        let keys = self.keys()?;
        let rows = self.store.read().team_identities()?;
        rows.iter()
            .map(|row| {
                let blob = open_identity(&self.vault_id, &keys.master, &keys.rows, row)?;
                let team_id = team_id_of(row)?;
                seal_identity(
                    &self.vault_id,
                    new,
                    new_rows,
                    &team_id,
                    &row.label,
                    row.created_at,
                    &blob,
                )
            })
            .collect()
    }
}
