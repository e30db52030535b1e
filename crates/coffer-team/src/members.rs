//! Members as the server returns them, verified before anything is shown or
//! used: each row's keys carry the member's own signature, each confirmed
//! member an administrator's endorsement, and endorsements chain back to the
//! trust anchor (the first administrator, whose key every member got out of
//! band). A row that fails is `tampered`; nothing partial is returned.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::identity::PublicKeys;
use crate::records;

/// A member row as stored.
#[derive(Debug, Clone)]
pub(crate) struct MemberRow {
    pub id: [u8; 16],
    pub db_role: String,
    pub role: String,
    pub status: String,
    pub name: Vec<u8>,
    pub name_epoch: Option<i32>,
    pub invitation_id: Option<[u8; 16]>,
    pub keys: PublicKeys,
    pub self_sig: Vec<u8>,
    pub endorsed_by: Option<[u8; 16]>,
    pub endorsement: Option<Vec<u8>>,
    pub removed_by: Option<[u8; 16]>,
    pub removal: Option<Vec<u8>>,
}

/// A member as shown.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// The member's id (a UUID).
    pub id: String,
    /// The display name, when this member may read it (pending members'
    /// names are readable by administrators only).
    pub display_name: Option<String>,
    /// `administrator` or `member`.
    pub role: String,
    /// `pending`, `active` or `removed`.
    pub status: String,
    /// The short fingerprint of the member's public keys.
    pub fingerprint: String,
    /// Who confirmed the member.
    pub confirmed_by: Option<String>,
}

pub(crate) const SELECT_MEMBERS: &str = "SELECT id, db_role, role, status, name, name_epoch, \
     invitation_id, recipient, verifying_key, self_sig, endorsed_by, endorsement, removed_by, \
     removal FROM coffer.members ORDER BY joined_at, id";

fn uuid_bytes(u: uuid::Uuid) -> [u8; 16] {
    *u.as_bytes()
}

pub(crate) fn member_row(row: &postgres::Row) -> Result<MemberRow> {
    let get = |e: postgres::Error| Error::Internal(format!("reading a member row: {e}"));
    let id: uuid::Uuid = row.try_get(0).map_err(get)?;
    let verifying: Vec<u8> = row.try_get(8).map_err(get)?;
    let invitation: Option<uuid::Uuid> = row.try_get(6).map_err(get)?;
    let endorsed_by: Option<uuid::Uuid> = row.try_get(10).map_err(get)?;
    let removed_by: Option<uuid::Uuid> = row.try_get(12).map_err(get)?;
    Ok(MemberRow {
        id: uuid_bytes(id),
        db_role: row.try_get(1).map_err(get)?,
        role: row.try_get(2).map_err(get)?,
        status: row.try_get(3).map_err(get)?,
        name: row.try_get(4).map_err(get)?,
        name_epoch: row.try_get(5).map_err(get)?,
        invitation_id: invitation.map(uuid_bytes),
        keys: PublicKeys {
            recipient: row.try_get(7).map_err(get)?,
            verifying: verifying
                .try_into()
                .map_err(|_| Error::tampered(format!("member {id}'s signing key")))?,
        },
        self_sig: row.try_get(9).map_err(get)?,
        endorsed_by: endorsed_by.map(uuid_bytes),
        endorsement: row.try_get(11).map_err(get)?,
        removed_by: removed_by.map(uuid_bytes),
        removal: row.try_get(13).map_err(get)?,
    })
}

pub(crate) fn show_id(id: &[u8; 16]) -> String {
    uuid::Uuid::from_bytes(*id).to_string()
}

/// Members checked against the trust anchor.
pub(crate) struct Roster {
    pub rows: Vec<MemberRow>,
    /// Who wrote each revision of each shared secret, by the verified
    /// audit chain (`audit::secret_writers`; empty until the chain is read).
    pub writers: HashMap<[u8; 16], Vec<[u8; 16]>>,
}

impl Roster {
    /// Verifies every row; the first that fails makes the whole list fail.
    pub(crate) fn verify(
        team: &[u8; 16],
        anchor: &[u8; 32],
        expected_role: impl Fn(&[u8; 16]) -> String,
        rows: Vec<MemberRow>,
    ) -> Result<Self> {
        let by_id: HashMap<[u8; 16], &MemberRow> = rows.iter().map(|r| (r.id, r)).collect();
        for row in &rows {
            let what = format!("member {}", show_id(&row.id));
            row.keys.age_recipient()?;
            row.keys.verify(
                &records::member_keys(team, &row.id, &row.keys.recipient, &row.keys.verifying),
                &row.self_sig,
                &what,
            )?;
            if row.db_role != expected_role(&row.id) {
                return Err(Error::tampered(format!("{what} (its database role)")));
            }
            // A row removed while pending (cancelled) was never confirmed.
            if row.status == "active" || row.endorsed_by.is_some() || row.endorsement.is_some() {
                endorsed(team, anchor, &by_id, row, 0)?;
            }
            removed(team, anchor, &by_id, row)?;
        }
        if !rows
            .iter()
            .any(|r| r.keys.verifying == *anchor && r.status != "pending")
        {
            return Err(Error::tampered("the first administrator's record"));
        }
        Ok(Self {
            rows,
            writers: HashMap::new(),
        })
    }

    /// A verified active member.
    pub(crate) fn active(&self, id: &[u8; 16]) -> Option<&MemberRow> {
        self.rows
            .iter()
            .find(|r| r.id == *id && r.status == "active")
    }

    /// A verified member that was confirmed once (active or removed since;
    /// not one cancelled while pending).
    pub(crate) fn confirmed(&self, id: &[u8; 16]) -> Option<&MemberRow> {
        self.rows
            .iter()
            .find(|r| r.id == *id && r.status != "pending" && r.endorsement.is_some())
    }

    /// Who wrote revision `revision` of a shared secret, by the audit chain
    /// read with this roster (`None`: not in it, or newer than it).
    pub(crate) fn writer(&self, secret: &[u8; 16], revision: i32) -> Option<[u8; 16]> {
        let n = usize::try_from(revision).ok()?.checked_sub(1)?;
        self.writers.get(secret)?.get(n).copied()
    }

    /// How many revisions of a shared secret the audit chain records.
    pub(crate) fn revisions(&self, secret: &[u8; 16]) -> usize {
        self.writers.get(secret).map_or(0, Vec::len)
    }

    /// A verified active administrator, or `tampered` naming `what`.
    pub(crate) fn admin(&self, id: &[u8; 16], what: &str) -> Result<&MemberRow> {
        self.active(id)
            .filter(|r| r.role == "administrator")
            .ok_or_else(|| Error::tampered(format!("{what} (not signed by an administrator)")))
    }
}

/// Checks that `row` was confirmed by an administrator whose own record
/// chains back to the anchor.
fn endorsed(
    team: &[u8; 16],
    anchor: &[u8; 32],
    by_id: &HashMap<[u8; 16], &MemberRow>,
    row: &MemberRow,
    depth: usize,
) -> Result<()> {
    let what = format!("member {}", show_id(&row.id));
    let (Some(by), Some(signature)) = (row.endorsed_by, row.endorsement.as_deref()) else {
        return Err(Error::tampered(format!("{what} (no confirmation)")));
    };
    if depth > by_id.len() {
        return Err(Error::tampered(format!("{what} (a confirmation loop)")));
    }
    let message = records::endorsement(
        team,
        &row.id,
        &row.role,
        &row.db_role,
        &row.keys.recipient,
        &row.keys.verifying,
    );
    if row.keys.verifying == *anchor {
        // The first administrator confirmed itself at creation.
        if by != row.id || row.role != "administrator" {
            return Err(Error::tampered(format!("{what} (the first administrator)")));
        }
        return row.keys.verify(&message, signature, &what);
    }
    // An administrator removed since still vouches for whom it confirmed
    // while it was one.
    let endorser = by_id
        .get(&by)
        .filter(|e| {
            e.status != "pending"
                && e.endorsement.is_some()
                && e.role == "administrator"
                && e.id != row.id
        })
        .ok_or_else(|| Error::tampered(format!("{what} (not confirmed by an administrator)")))?;
    endorser.keys.verify(&message, signature, &what)?;
    endorsed(team, anchor, by_id, endorser, depth + 1)
}

/// Checks a removal: a removed row carries the signature of the
/// administrator who removed it (itself confirmed back to the anchor); an
/// active or pending row carries none.
fn removed(
    team: &[u8; 16],
    anchor: &[u8; 32],
    by_id: &HashMap<[u8; 16], &MemberRow>,
    row: &MemberRow,
) -> Result<()> {
    let what = format!("member {}", show_id(&row.id));
    match (row.status.as_str(), row.removed_by, row.removal.as_deref()) {
        ("removed", Some(by), Some(signature)) => {
            let remover = by_id
                .get(&by)
                .filter(|e| {
                    e.status != "pending" && e.endorsement.is_some() && e.role == "administrator"
                })
                .ok_or_else(|| {
                    Error::tampered(format!("{what} (not removed by an administrator)"))
                })?;
            endorsed(team, anchor, by_id, remover, 0)?;
            remover.keys.verify(
                &records::removal(team, &row.id, &row.db_role),
                signature,
                &format!("{what}'s removal"),
            )
        }
        ("removed", _, _) => Err(Error::tampered(format!("{what} (an unsigned removal)"))),
        (_, None, None) => Ok(()),
        _ => Err(Error::tampered(format!("{what} (its status)"))),
    }
}
