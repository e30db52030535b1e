//! Removing a member (administrators): in one transaction, every
//! organization key moves to a new epoch wrapped to the remaining active
//! members, what was sealed under the old keys is re-sealed
//! ([`crate::rewrap::under_new_epoch`]), a signed `member.remove` entry joins
//! the audit chain, and `coffer.remove_member` marks the row removed with
//! this administrator's signature, revokes the login and ends its sessions.
//! PostgreSQL refuses the function to anyone but an active administrator,
//! and refuses to remove the last one.

use coffer_core::{Timestamp, Vault};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::connect::query_error;
use crate::error::{Error, Result};
use crate::identity::{random_bytes, wrap_key};
use crate::members::{MemberRow, show_id};
use crate::records;
use crate::team::{TeamVault, uuid};

/// A secret the removed member could read: rotate its value.
#[derive(Debug, Clone, Serialize)]
pub struct ToRotate {
    /// The organization's id.
    pub org_id: String,
    /// The secret's id.
    pub secret_id: String,
    /// The secret's name (opened on this desktop).
    pub name: String,
}

/// What removing a member did.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    /// The removed member's id.
    pub member_id: String,
    /// Their display name, where this desktop could read it.
    pub display_name: Option<String>,
    /// How many organizations moved to a new key epoch.
    pub organizations_rekeyed: usize,
    /// The home organization's new epoch.
    pub epoch: i32,
    /// The secrets the removed member could read, whose values should be
    /// rotated: a key that was read cannot be taken back.
    pub to_rotate: Vec<ToRotate>,
}

/// Removes `member` (an id or its start) from the team vault this local
/// vault belongs to (`team` chooses among several).
pub fn remove(vault: &mut Vault, team: Option<&str>, member: &str) -> Result<Removed> {
    let now = vault.now();
    TeamVault::open(vault, team)?.remove(member, now)
}

/// The one active or pending member whose id starts with `wanted`.
fn find_target<'a>(rows: &'a [MemberRow], wanted: &str) -> Result<&'a MemberRow> {
    let wanted = wanted.trim().to_ascii_lowercase();
    let found: Vec<&MemberRow> = rows
        .iter()
        .filter(|r| (r.status == "active" || r.status == "pending") && !wanted.is_empty())
        .filter(|r| show_id(&r.id).starts_with(&wanted) || hex::encode(r.id).starts_with(&wanted))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NotFound {
            what: format!("an active or pending member {wanted:?}"),
        }),
        _ => Err(Error::invalid(
            "member",
            format!("{wanted:?} matches several members: give more of the id"),
        )),
    }
}

/// How many times a membership change is tried again when another one
/// (a confirmation, a removal) committed in between.
pub(crate) const ATTEMPTS: usize = 3;

impl TeamVault {
    /// Removes an active member (administrators); see the module's notes.
    /// A confirmation or removal committed meanwhile (`conflict`) makes it
    /// start over from the new membership, a few times.
    pub fn remove(&mut self, member: &str, now: Timestamp) -> Result<Removed> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.remove_once(member, now) {
                Err(Error::MembershipChanged { .. }) if attempt < ATTEMPTS => continue,
                done => return done,
            }
        }
    }

    fn remove_once(&mut self, member: &str, now: Timestamp) -> Result<Removed> {
        let roster = self.roster()?;
        roster
            .admin(&self.me.member_id, "this member")
            .map_err(|_| Error::Forbidden {
                operation: "removing a member".into(),
                reason: "only an administrator removes members".into(),
            })?;
        let target = find_target(&roster.rows, member)?.clone();
        if target.status == "pending" {
            return self.cancel(&target, now);
        }
        let admins_left = roster
            .rows
            .iter()
            .filter(|r| r.status == "active" && r.role == "administrator" && r.id != target.id)
            .count();
        if target.role == "administrator" && admins_left == 0 {
            return Err(Error::LastAdmin);
        }
        if target.id == self.me.member_id {
            // The new epoch's grants and records would be signed by a
            // removed member, which no client accepts.
            return Err(Error::Forbidden {
                operation: "removing a member".into(),
                reason: "an administrator cannot remove itself: another administrator must".into(),
            });
        }
        let display_name = self
            .members()?
            .into_iter()
            .find(|m| m.id == show_id(&target.id))
            .and_then(|m| m.display_name);
        let remaining: Vec<&MemberRow> = roster
            .rows
            .iter()
            .filter(|r| r.status == "active" && r.id != target.id)
            .collect();
        // Every organization must move to a new epoch: one this
        // administrator holds no key of would stay open to the member.
        let readable = self.organizations()?;
        let server = self.me.server.clone();
        let all: Vec<uuid::Uuid> = self
            .client
            .query("SELECT id FROM coffer.organizations", &[])
            .map_err(|e| query_error(&server, "listing organizations", &e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if let Some(missing) = all
            .iter()
            .find(|id| !readable.iter().any(|o| o.id == id.to_string()))
        {
            return Err(Error::Forbidden {
                operation: "removing a member".into(),
                reason: format!(
                    "this administrator holds no key of organization {missing}, so it cannot \
                     move it to a new epoch: an administrator who does must remove the member"
                ),
            });
        }
        let mut orgs = Vec::new();
        for org in readable {
            let id = *uuid::Uuid::parse_str(&org.id)
                .map_err(|_| Error::Internal("an organization id".into()))?
                .as_bytes();
            let (epoch, key) = self.org_key(&roster, &id)?;
            orgs.push((id, epoch, key));
        }
        // Teams and access rules: each team the member is in moves to a new
        // epoch without it, in the same transaction.
        let team_rekeys = self.rekeys_for_removal(&target.id)?;
        let team = self.me.team_id;
        let removal = self
            .me
            .sign(&records::removal(&team, &target.id, &target.db_role));
        let home = self.home_org_id()?;
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "removing a member", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        // No confirmation or other removal commits while this one runs; what
        // committed since the roster was read makes the server refuse below
        // (`conflict`) and the removal starts over.
        tx.execute("SELECT coffer.lock_membership()", &[])
            .map_err(fail)?;
        let mut to_rotate = Vec::new();
        let mut home_epoch = 0;
        for (org, epoch, old_key) in &orgs {
            let new_epoch = epoch + 1;
            let new_key = Zeroizing::new(random_bytes::<32>()?);
            for member in &remaining {
                let wrapped = wrap_key(&member.keys.age_recipient()?, &new_key)?;
                let grant = me.sign(&records::org_key_grant(
                    &team, org, new_epoch, &member.id, &wrapped,
                ));
                tx.execute(
                    "INSERT INTO coffer.organization_keys
                        (org_id, epoch, member_id, wrapped, granted_by, sig)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &uuid(org),
                        &new_epoch,
                        &uuid(&member.id),
                        &wrapped,
                        &uuid(&me.member_id),
                        &grant,
                    ],
                )
                .map_err(fail)?;
            }
            let rewrapped = crate::rewrap::under_new_epoch(
                &mut tx,
                me,
                &team,
                org,
                (*epoch, old_key),
                (new_epoch, &new_key),
            )?;
            to_rotate.extend(rewrapped.into_iter().map(|(id, name)| ToRotate {
                org_id: show_id(org),
                secret_id: id.to_string(),
                name,
            }));
            if *org == home {
                home_epoch = new_epoch;
            }
        }
        for rekey in &team_rekeys {
            crate::teams::apply_rekey(&mut tx, me, rekey)?;
        }
        Self::audit(&mut tx, me, now, "member.remove", &show_id(&target.id)).map_err(fail)?;
        tx.execute(
            "SELECT coffer.remove_member($1, $2)",
            &[&uuid(&target.id), &removal],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(Removed {
            member_id: show_id(&target.id),
            display_name,
            organizations_rekeyed: orgs.len(),
            epoch: home_epoch,
            to_rotate,
        })
    }

    /// Cancels a pending member: it was never granted a key and has no
    /// login, so its row is marked removed (signed, audited) and no
    /// organization moves to a new epoch.
    fn cancel(&mut self, target: &MemberRow, now: Timestamp) -> Result<Removed> {
        let display_name = self
            .members()?
            .into_iter()
            .find(|m| m.id == show_id(&target.id))
            .and_then(|m| m.display_name);
        let roster = self.roster()?;
        let home = self.home_org_id()?;
        let (epoch, _) = self.org_key(&roster, &home)?;
        let team = self.me.team_id;
        let removal = self
            .me
            .sign(&records::removal(&team, &target.id, &target.db_role));
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "cancelling a pending member", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute("SELECT coffer.lock_membership()", &[])
            .map_err(fail)?;
        Self::audit(&mut tx, me, now, "member.remove", &show_id(&target.id)).map_err(fail)?;
        tx.execute(
            "SELECT coffer.remove_member($1, $2)",
            &[&uuid(&target.id), &removal],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(Removed {
            member_id: show_id(&target.id),
            display_name,
            organizations_rekeyed: 0,
            epoch,
            to_rotate: Vec::new(),
        })
    }
}
