//! Moving what is sealed under an organization key to the key of its next
//! epoch, inside the removing administrator's transaction: the
//! organization's name (re-signed), and for the home organization the
//! members' names, the join login's sealed password and the invitations'
//! keys. Shared secrets' data keys join here (`secrets::rewrap_data_keys`);
//! the list returned names the secrets re-wrapped, whose values the removed
//! member could have read.

use zeroize::Zeroizing;

use crate::connect::query_error;
use crate::error::{Error, Result};
use crate::identity::Identity;
use crate::records;
use crate::seal::{self, Purpose};
use crate::team::uuid;

/// Re-seals everything under `org`'s key of epoch `old` with the key of
/// epoch `new`, signed by `me`, in `tx`; returns the (id, name) of the
/// secrets re-wrapped.
pub(crate) fn under_new_epoch(
    tx: &mut postgres::Transaction<'_>,
    me: &Identity,
    team: &[u8; 16],
    org: &[u8; 16],
    old: (i32, &[u8; 32]),
    new: (i32, &[u8; 32]),
) -> Result<Vec<(uuid::Uuid, String)>> {
    let server = me.server.clone();
    let fail = |e: postgres::Error| query_error(&server, "re-keying an organization", &e);
    let what = format!("organization {}", uuid(org));
    let row = tx
        .query_one(
            "SELECT name, epoch FROM coffer.organizations WHERE id = $1 FOR UPDATE",
            &[&uuid(org)],
        )
        .map_err(fail)?;
    let sealed: Vec<u8> = row.get(0);
    let epoch: i32 = row.get(1);
    if epoch != old.0 {
        return Err(Error::Forbidden {
            operation: "re-keying an organization".into(),
            reason: format!("{what} changed meanwhile (epoch {epoch}): try again"),
        });
    }
    let name = seal::open(old.1, Purpose::OrgName, team, org, old.0, &sealed, &what)?;
    let name = seal::seal(new.1, Purpose::OrgName, team, org, new.0, &name)?;
    let sig = me.sign(&records::organization(team, org, new.0, &name));
    tx.execute(
        "UPDATE coffer.organizations SET name = $2, epoch = $3, created_by = $4, sig = $5
         WHERE id = $1",
        &[&uuid(org), &name, &new.0, &uuid(&me.member_id), &sig],
    )
    .map_err(fail)?;
    let home: uuid::Uuid = tx
        .query_one("SELECT home_org FROM coffer.team", &[])
        .map_err(fail)?
        .get(0);
    if home.as_bytes() == org {
        home_records(tx, me, team, old, new)?;
    }
    Ok(Vec::new())
}

/// What only the home organization's key seals.
fn home_records(
    tx: &mut postgres::Transaction<'_>,
    me: &Identity,
    team: &[u8; 16],
    old: (i32, &[u8; 32]),
    new: (i32, &[u8; 32]),
) -> Result<()> {
    let server = me.server.clone();
    let fail = |e: postgres::Error| query_error(&server, "re-keying the home organization", &e);
    let reseal = |purpose, id: &[u8; 16], sealed: &[u8], what: &str| -> Result<Vec<u8>> {
        let plain: Zeroizing<Vec<u8>> = seal::open(old.1, purpose, team, id, old.0, sealed, what)?;
        seal::seal(new.1, purpose, team, id, new.0, &plain)
    };
    let members = tx
        .query(
            "SELECT id, name FROM coffer.members WHERE name_epoch = $1 AND status <> 'pending'",
            &[&old.0],
        )
        .map_err(fail)?;
    for row in members {
        let id: uuid::Uuid = row.get(0);
        let sealed: Vec<u8> = row.get(1);
        let name = reseal(
            Purpose::MemberName,
            id.as_bytes(),
            &sealed,
            &format!("member {id}'s name"),
        )?;
        tx.execute(
            "UPDATE coffer.members SET name = $2, name_epoch = $3 WHERE id = $1",
            &[&id, &name, &new.0],
        )
        .map_err(fail)?;
    }
    let join = tx
        .query_one(
            "SELECT value FROM coffer.settings WHERE key = 'join_password'",
            &[],
        )
        .map_err(fail)?;
    let sealed: Vec<u8> = join.get(0);
    let value = reseal(
        Purpose::JoinPassword,
        team,
        &sealed,
        "the join login's password",
    )?;
    tx.execute(
        "UPDATE coffer.settings SET value = $1 WHERE key = 'join_password'",
        &[&value],
    )
    .map_err(fail)?;
    let invitations = tx
        .query(
            "SELECT id, invite_key FROM coffer.invitations WHERE epoch = $1",
            &[&old.0],
        )
        .map_err(fail)?;
    for row in invitations {
        let id: uuid::Uuid = row.get(0);
        let sealed: Vec<u8> = row.get(1);
        let key = reseal(
            Purpose::InviteKey,
            id.as_bytes(),
            &sealed,
            &format!("invitation {id}"),
        )?;
        tx.execute(
            "UPDATE coffer.invitations SET invite_key = $2, epoch = $3 WHERE id = $1",
            &[&id, &key, &new.0],
        )
        .map_err(fail)?;
    }
    Ok(())
}
