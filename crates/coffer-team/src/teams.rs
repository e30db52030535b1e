//! Teams of a shared organization (administrators): create, rename, delete,
//! add and remove members. Each team has a key per epoch (an age
//! post-quantum identity) wrapped to each of its members and to the
//! administrators, who keep it to add members later; its public recipient
//! is on the team's signed record, so a secret's OWNER who is not in the
//! team can still wrap a data key for it. Removing a member moves the team
//! to a new epoch: data keys written from then on are wrapped for the new
//! key only, which the removed member never holds. Members keep the keys of
//! earlier epochs (and a member added later receives them all), so older
//! revisions stay readable by whoever is in the team.
//!
//! Every record (team, membership, key grant) is signed by the
//! administrator who wrote it and verified back to the roster.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr as _;

use coffer_core::Timestamp;
use secrecy::ExposeSecret as _;
use serde::Serialize;

use crate::connect::query_error;
use crate::error::{Error, Result};
use crate::identity::{random_id, wrap_bytes};
use crate::members::{Member, MemberRow, Roster, show_id};
use crate::records;
use crate::seal::{self, Purpose};
use crate::secrets::OrgContext;
use crate::team::{TeamVault, uuid};

/// A team as listed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TeamInfo {
    /// Its id (a UUID).
    pub id: String,
    /// Its organization's id.
    pub org_id: String,
    /// Its name, unique in the organization.
    pub name: String,
    /// Its key's epoch (moves when a member is removed).
    pub epoch: i32,
    /// Its members' ids.
    pub members: Vec<String>,
}

/// What removing a member from a team did.
#[derive(Debug, Clone, Serialize)]
pub struct TeamMemberRemoved {
    /// The team.
    pub team: TeamInfo,
    /// The member removed.
    pub member_id: String,
    /// Ids of the secrets the team has a rule on whose values the member
    /// could read: rotate them (a key that was read cannot be taken back).
    pub to_rotate: Vec<String>,
}

/// A verified team.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedTeam {
    pub id: [u8; 16],
    pub name: String,
    pub epoch: i32,
    pub recipient: String,
    pub members: BTreeSet<[u8; 16]>,
}

/// The teams of one organization and the team keys this member holds.
pub(crate) struct Keyring {
    pub me: [u8; 16],
    pub is_admin: bool,
    pub teams: BTreeMap<[u8; 16], VerifiedTeam>,
    pub keys: HashMap<([u8; 16], i32), age::pq::Identity>,
    pub mine: age::pq::Identity,
}

impl Keyring {
    /// Is this member in `team`?
    pub(crate) fn in_team(&self, team: &[u8; 16]) -> bool {
        self.teams
            .get(team)
            .is_some_and(|t| t.members.contains(&self.me))
    }

    /// A team by id, name or id prefix.
    pub(crate) fn find(&self, wanted: &str) -> Result<&VerifiedTeam> {
        let wanted = wanted.trim();
        let lower = wanted.to_ascii_lowercase();
        if let Some(t) = self.teams.values().find(|t| t.name == wanted) {
            return Ok(t);
        }
        let found: Vec<&VerifiedTeam> = self
            .teams
            .values()
            .filter(|t| !lower.is_empty() && show_id(&t.id).starts_with(&lower))
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::NotFound {
                what: format!("team {wanted:?}"),
            }),
            _ => Err(Error::invalid(
                "team",
                format!("{wanted:?} matches several teams: give more of the id"),
            )),
        }
    }

    fn info(&self, org: &[u8; 16], t: &VerifiedTeam) -> TeamInfo {
        TeamInfo {
            id: show_id(&t.id),
            org_id: show_id(org),
            name: t.name.clone(),
            epoch: t.epoch,
            members: t.members.iter().map(show_id).collect(),
        }
    }
}

fn team_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "team name",
            "must be 1 to 100 characters, without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// A confirmed administrator (active or removed since: it vouches for what
/// it signed while it was one), or `tampered`.
fn signed_by_admin<'a>(roster: &'a Roster, by: &[u8; 16], what: &str) -> Result<&'a MemberRow> {
    roster
        .confirmed(by)
        .filter(|r| r.role == "administrator")
        .ok_or_else(|| Error::tampered(format!("{what} (not signed by an administrator)")))
}

/// An active member by id or the start of it.
pub(crate) fn active_member<'a>(roster: &'a Roster, wanted: &str) -> Result<&'a MemberRow> {
    let wanted = wanted.trim().to_ascii_lowercase();
    let found: Vec<&MemberRow> = roster
        .rows
        .iter()
        .filter(|r| r.status == "active" && !wanted.is_empty())
        .filter(|r| show_id(&r.id).starts_with(&wanted) || hex::encode(r.id).starts_with(&wanted))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NotFound {
            what: format!("an active member {wanted:?}"),
        }),
        _ => Err(Error::invalid(
            "member",
            format!("{wanted:?} matches several members: give more of the id"),
        )),
    }
}

fn forbidden(operation: &str) -> Error {
    Error::Forbidden {
        operation: operation.into(),
        reason: "only an administrator manages teams".into(),
    }
}

impl TeamVault {
    /// Reads and verifies the teams of `org`, their members and the team
    /// keys this member holds.
    pub(crate) fn keyring(
        &mut self,
        org: &[u8; 16],
        name_key: &[u8; 32],
        roster: &Roster,
    ) -> Result<Keyring> {
        let team = self.me.team_id;
        let fail = self.fail("reading teams");
        let rows = self
            .client
            .query(
                "SELECT id, name, epoch, recipient, signed_by, sig FROM coffer.teams
                 WHERE org_id = $1",
                &[&uuid(org)],
            )
            .map_err(&fail)?;
        let mut teams = BTreeMap::new();
        for r in rows {
            let id: uuid::Uuid = r.get(0);
            let sealed: Vec<u8> = r.get(1);
            let epoch: i32 = r.get(2);
            let recipient: String = r.get(3);
            let by: uuid::Uuid = r.get(4);
            let sig: Vec<u8> = r.get(5);
            let what = format!("team {id}");
            let message =
                records::team_record(&team, org, id.as_bytes(), epoch, &sealed, &recipient);
            signed_by_admin(roster, by.as_bytes(), &what)?
                .keys
                .verify(&message, &sig, &what)?;
            let name = seal::open(
                name_key,
                Purpose::TeamName,
                &team,
                id.as_bytes(),
                0,
                &sealed,
                &what,
            )?;
            teams.insert(
                *id.as_bytes(),
                VerifiedTeam {
                    id: *id.as_bytes(),
                    name: String::from_utf8_lossy(&name).into_owned(),
                    epoch,
                    recipient,
                    members: BTreeSet::new(),
                },
            );
        }
        let rows = self
            .client
            .query(
                "SELECT m.team_id, m.member_id, m.added_by, m.sig FROM coffer.team_members m
                 JOIN coffer.teams t ON t.id = m.team_id WHERE t.org_id = $1",
                &[&uuid(org)],
            )
            .map_err(&fail)?;
        for r in rows {
            let id: uuid::Uuid = r.get(0);
            let member: uuid::Uuid = r.get(1);
            let by: uuid::Uuid = r.get(2);
            let sig: Vec<u8> = r.get(3);
            let what = format!("member {member} of team {id}");
            signed_by_admin(roster, by.as_bytes(), &what)?.keys.verify(
                &records::team_member(&team, id.as_bytes(), member.as_bytes()),
                &sig,
                &what,
            )?;
            let t = teams
                .get_mut(id.as_bytes())
                .ok_or_else(|| Error::tampered(what.clone()))?;
            // A member removed from the vault stays listed by no team.
            if roster.active(member.as_bytes()).is_some() {
                t.members.insert(*member.as_bytes());
            }
        }
        let rows = self
            .client
            .query(
                "SELECT k.team_id, k.epoch, k.wrapped, k.granted_by, k.sig FROM coffer.team_keys k
                 JOIN coffer.teams t ON t.id = k.team_id
                 WHERE t.org_id = $1 AND k.member_id = $2",
                &[&uuid(org), &uuid(&self.me.member_id)],
            )
            .map_err(&fail)?;
        let mut keys = HashMap::new();
        for r in rows {
            let id: uuid::Uuid = r.get(0);
            let epoch: i32 = r.get(1);
            let wrapped: Vec<u8> = r.get(2);
            let by: uuid::Uuid = r.get(3);
            let sig: Vec<u8> = r.get(4);
            let what = format!("the key of team {id} (epoch {epoch})");
            signed_by_admin(roster, by.as_bytes(), &what)?.keys.verify(
                &records::team_key_grant(&team, id.as_bytes(), epoch, &self.me.member_id, &wrapped),
                &sig,
                &what,
            )?;
            let plain = self.me.unwrap_bytes(&wrapped, &what)?;
            let text = std::str::from_utf8(&plain).map_err(|_| Error::tampered(what.clone()))?;
            let identity =
                age::pq::Identity::from_str(text).map_err(|_| Error::tampered(what.clone()))?;
            if let Some(t) = teams.get(id.as_bytes())
                && t.epoch == epoch
                && identity.to_public().to_string() != t.recipient
            {
                return Err(Error::tampered(format!(
                    "{what} (not the team's recipient)"
                )));
            }
            keys.insert((*id.as_bytes(), epoch), identity);
        }
        let is_admin = roster
            .active(&self.me.member_id)
            .is_some_and(|r| r.role == "administrator");
        Ok(Keyring {
            me: self.me.member_id,
            is_admin,
            teams,
            keys,
            mine: self.me.wrapping_identity()?,
        })
    }

    /// The teams of a shared organization, sorted by name.
    pub fn teams(&mut self, org: &str) -> Result<Vec<TeamInfo>> {
        let ctx = self.org_context(org)?;
        let mut out: Vec<TeamInfo> = ctx
            .keyring
            .teams
            .values()
            .map(|t| ctx.keyring.info(&ctx.org, t))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The members of a team (by name or id).
    pub fn team_members(&mut self, org: &str, team: &str) -> Result<Vec<Member>> {
        let ctx = self.org_context(org)?;
        let found = ctx.keyring.find(team)?.members.clone();
        Ok(self
            .members()?
            .into_iter()
            .filter(|m| found.iter().any(|id| show_id(id) == m.id))
            .collect())
    }

    /// Creates a team (administrators). Its key is wrapped to every active
    /// administrator; it has no member until one is added.
    pub fn create_team(&mut self, org: &str, name: &str, now: Timestamp) -> Result<TeamInfo> {
        let name = team_name(name)?;
        let ctx = self.org_context(org)?;
        if !ctx.keyring.is_admin {
            return Err(forbidden("creating a team"));
        }
        if ctx.keyring.teams.values().any(|t| t.name == name) {
            return Err(Error::invalid(
                "team name",
                format!("a team named {name:?} already exists in {}", ctx.name),
            ));
        }
        let team = self.me.team_id;
        let id = random_id()?;
        let sealed = seal::seal(
            &ctx.name_key,
            Purpose::TeamName,
            &team,
            &id,
            0,
            name.as_bytes(),
        )?;
        let key = age::pq::Identity::generate();
        let recipient = key.to_public().to_string();
        let sig = self.me.sign(&records::team_record(
            &team, &ctx.org, &id, 1, &sealed, &recipient,
        ));
        let holders: Vec<&MemberRow> = ctx
            .roster
            .rows
            .iter()
            .filter(|r| r.status == "active" && r.role == "administrator")
            .collect();
        let grants = self.grants(&id, &[(1, &key)], &holders)?;
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "creating a team", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute(
            "INSERT INTO coffer.teams (id, org_id, name, epoch, recipient, signed_by, sig)
             VALUES ($1, $2, $3, 1, $4, $5, $6)",
            &[
                &uuid(&id),
                &uuid(&ctx.org),
                &sealed,
                &recipient,
                &uuid(&me.member_id),
                &sig,
            ],
        )
        .map_err(fail)?;
        insert_grants(&mut tx, &id, &me.member_id, &grants).map_err(fail)?;
        Self::audit(&mut tx, me, now, "team.create", &show_id(&id)).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(TeamInfo {
            id: show_id(&id),
            org_id: show_id(&ctx.org),
            name,
            epoch: 1,
            members: Vec::new(),
        })
    }

    /// An organization opened by an administrator, and one of its teams.
    fn admin_team(
        &mut self,
        org: &str,
        team: &str,
        operation: &str,
    ) -> Result<(OrgContext, VerifiedTeam)> {
        let ctx = self.org_context(org)?;
        if !ctx.keyring.is_admin {
            return Err(forbidden(operation));
        }
        let found = ctx.keyring.find(team)?.clone();
        Ok((ctx, found))
    }

    /// Renames a team (administrators).
    pub fn rename_team(
        &mut self,
        org: &str,
        team: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<TeamInfo> {
        let name = team_name(name)?;
        let (ctx, found) = self.admin_team(org, team, "renaming a team")?;
        if ctx
            .keyring
            .teams
            .values()
            .any(|t| t.name == name && t.id != found.id)
        {
            return Err(Error::invalid(
                "team name",
                format!("a team named {name:?} already exists in {}", ctx.name),
            ));
        }
        let vault_id = self.me.team_id;
        let sealed = seal::seal(
            &ctx.name_key,
            Purpose::TeamName,
            &vault_id,
            &found.id,
            0,
            name.as_bytes(),
        )?;
        let sig = self.me.sign(&records::team_record(
            &vault_id,
            &ctx.org,
            &found.id,
            found.epoch,
            &sealed,
            &found.recipient,
        ));
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "renaming a team", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let changed = tx
            .execute(
                "UPDATE coffer.teams SET name = $2, signed_by = $3, sig = $4
                 WHERE id = $1 AND epoch = $5",
                &[
                    &uuid(&found.id),
                    &sealed,
                    &uuid(&me.member_id),
                    &sig,
                    &found.epoch,
                ],
            )
            .map_err(fail)?;
        if changed != 1 {
            return Err(Error::MembershipChanged {
                what: format!("team {} changed meanwhile", show_id(&found.id)),
            });
        }
        Self::audit(&mut tx, me, now, "team.rename", &show_id(&found.id)).map_err(fail)?;
        tx.commit().map_err(fail)?;
        let mut info = ctx.keyring.info(&ctx.org, &found);
        info.name = name;
        Ok(info)
    }

    /// Deletes a team (administrators). Refused while access rules name it:
    /// remove those first, so that no secret silently loses its readers.
    pub fn delete_team(&mut self, org: &str, team: &str, now: Timestamp) -> Result<TeamInfo> {
        let (ctx, found) = self.admin_team(org, team, "deleting a team")?;
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "deleting a team", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let deleted = tx.execute(
            "DELETE FROM coffer.teams WHERE id = $1",
            &[&uuid(&found.id)],
        );
        match deleted {
            Ok(1) => {}
            Ok(_) => {
                return Err(Error::NotFound {
                    what: format!("team {}", show_id(&found.id)),
                });
            }
            Err(e)
                if e.as_db_error().is_some_and(|d| {
                    d.code() == &postgres::error::SqlState::FOREIGN_KEY_VIOLATION
                }) =>
            {
                return Err(Error::invalid(
                    "team",
                    format!(
                        "team {:?} still has access rules on secrets: remove them first",
                        found.name
                    ),
                ));
            }
            Err(e) => return Err(fail(e)),
        }
        Self::audit(&mut tx, me, now, "team.delete", &show_id(&found.id)).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(ctx.keyring.info(&ctx.org, &found))
    }

    /// Adds an active member to a team (administrators): the member gets the
    /// team key of every epoch, wrapped to its recipient.
    pub fn add_team_member(
        &mut self,
        org: &str,
        team: &str,
        member: &str,
        now: Timestamp,
    ) -> Result<TeamInfo> {
        let (ctx, mut found) = self.admin_team(org, team, "adding a member to a team")?;
        let target = active_member(&ctx.roster, member)?.clone();
        if found.members.contains(&target.id) {
            return Err(Error::invalid(
                "member",
                format!(
                    "member {} is in team {:?} already",
                    show_id(&target.id),
                    found.name
                ),
            ));
        }
        let mut epochs = Vec::new();
        for epoch in 1..=found.epoch {
            let key = ctx
                .keyring
                .keys
                .get(&(found.id, epoch))
                .ok_or_else(|| Error::Forbidden {
                    operation: "adding a member to a team".into(),
                    reason: format!(
                        "this administrator holds no key of team {:?} (epoch {epoch}): an \
                     administrator who does must add the member",
                        found.name
                    ),
                })?;
            epochs.push((epoch, key));
        }
        let vault_id = self.me.team_id;
        let fail = self.fail("adding a member to a team");
        let held: Vec<i32> = self
            .client
            .query(
                "SELECT epoch FROM coffer.team_keys WHERE team_id = $1 AND member_id = $2",
                &[&uuid(&found.id), &uuid(&target.id)],
            )
            .map_err(&fail)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        epochs.retain(|(e, _)| !held.contains(e));
        let grants = self.grants(&found.id, &epochs, &[&target])?;
        let sig = self
            .me
            .sign(&records::team_member(&vault_id, &found.id, &target.id));
        let me = &self.me;
        let mut tx = self.client.transaction().map_err(&fail)?;
        tx.execute(
            "INSERT INTO coffer.team_members (team_id, member_id, added_by, sig)
             VALUES ($1, $2, $3, $4)",
            &[
                &uuid(&found.id),
                &uuid(&target.id),
                &uuid(&me.member_id),
                &sig,
            ],
        )
        .map_err(&fail)?;
        insert_grants(&mut tx, &found.id, &me.member_id, &grants).map_err(&fail)?;
        let target_text = format!("{} {}", show_id(&found.id), show_id(&target.id));
        Self::audit(&mut tx, me, now, "team.member.add", &target_text).map_err(&fail)?;
        tx.commit().map_err(&fail)?;
        found.members.insert(target.id);
        Ok(ctx.keyring.info(&ctx.org, &found))
    }

    /// Removes a member from a team (administrators), moving the team to a
    /// new epoch in the same transaction: a new key, wrapped to the members
    /// who stay and the administrators, and a new signed record with its
    /// recipient. Data keys written from then on are wrapped for the new key.
    pub fn remove_team_member(
        &mut self,
        org: &str,
        team: &str,
        member: &str,
        now: Timestamp,
    ) -> Result<TeamMemberRemoved> {
        let (ctx, mut found) = self.admin_team(org, team, "removing a member from a team")?;
        let wanted = member.trim().to_ascii_lowercase();
        let target = *found
            .members
            .iter()
            .find(|id| !wanted.is_empty() && show_id(id).starts_with(&wanted))
            .ok_or_else(|| Error::NotFound {
                what: format!("member {wanted:?} in team {:?}", found.name),
            })?;
        let rekey = self.prepare_rekey(&ctx, &found, &target)?;
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "removing a member from a team", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let to_rotate = apply_rekey(&mut tx, me, &rekey)?;
        let target_text = format!("{} {}", show_id(&found.id), show_id(&target));
        Self::audit(&mut tx, me, now, "team.member.remove", &target_text).map_err(fail)?;
        tx.commit().map_err(fail)?;
        found.members.remove(&target);
        found.epoch = rekey.epoch;
        Ok(TeamMemberRemoved {
            team: ctx.keyring.info(&ctx.org, &found),
            member_id: show_id(&target),
            to_rotate,
        })
    }

    /// A team's next epoch without `target`: a new key and recipient, the
    /// record re-signed, the key wrapped to the members who stay and to the
    /// administrators.
    pub(crate) fn prepare_rekey(
        &mut self,
        ctx: &OrgContext,
        found: &VerifiedTeam,
        target: &[u8; 16],
    ) -> Result<Rekey> {
        let vault_id = self.me.team_id;
        let epoch = found.epoch + 1;
        let key = age::pq::Identity::generate();
        let recipient = key.to_public().to_string();
        let fail = self.fail("reading a team");
        let sealed_name: Vec<u8> = self
            .client
            .query_one(
                "SELECT name FROM coffer.teams WHERE id = $1",
                &[&uuid(&found.id)],
            )
            .map_err(fail)?
            .get(0);
        let sig = self.me.sign(&records::team_record(
            &vault_id,
            &ctx.org,
            &found.id,
            epoch,
            &sealed_name,
            &recipient,
        ));
        let holders: Vec<&MemberRow> = ctx
            .roster
            .rows
            .iter()
            .filter(|r| {
                r.status == "active"
                    && r.id != *target
                    && (r.role == "administrator" || found.members.contains(&r.id))
            })
            .collect();
        let grants = self.grants(&found.id, &[(epoch, &key)], &holders)?;
        Ok(Rekey {
            team: found.id,
            old_epoch: found.epoch,
            epoch,
            recipient,
            sig,
            target: *target,
            grants,
        })
    }

    /// The next epoch of every team of every organization `target` is in
    /// (removing it from the team vault), prepared before the transaction.
    pub(crate) fn rekeys_for_removal(&mut self, target: &[u8; 16]) -> Result<Vec<Rekey>> {
        let mut out = Vec::new();
        for org in self.organizations()? {
            let ctx = self.org_context(&org.id)?;
            let teams: Vec<VerifiedTeam> = ctx
                .keyring
                .teams
                .values()
                .filter(|t| t.members.contains(target))
                .cloned()
                .collect();
            for t in &teams {
                out.push(self.prepare_rekey(&ctx, t, target)?);
            }
        }
        Ok(out)
    }

    /// Team keys of `epochs` wrapped to each of `holders`, signed.
    fn grants(
        &self,
        team: &[u8; 16],
        epochs: &[(i32, &age::pq::Identity)],
        holders: &[&MemberRow],
    ) -> Result<Vec<Grant>> {
        let vault_id = self.me.team_id;
        let mut out = Vec::new();
        for (epoch, key) in epochs {
            let secret = key.to_string();
            for holder in holders {
                let wrapped = wrap_bytes(
                    &holder.keys.age_recipient()?,
                    secret.expose_secret().as_bytes(),
                )?;
                let sig = self.me.sign(&records::team_key_grant(
                    &vault_id, team, *epoch, &holder.id, &wrapped,
                ));
                out.push(Grant {
                    epoch: *epoch,
                    member: holder.id,
                    wrapped,
                    sig,
                });
            }
        }
        Ok(out)
    }
}

/// A team's move to its next epoch without one member.
pub(crate) struct Rekey {
    team: [u8; 16],
    old_epoch: i32,
    epoch: i32,
    recipient: String,
    sig: Vec<u8>,
    target: [u8; 16],
    grants: Vec<Grant>,
}

/// Moves a team to its next epoch in `tx`: the new record, the member's
/// place gone, the new key's grants. Returns the ids of the secrets the team
/// has rules on (to rotate).
pub(crate) fn apply_rekey(
    tx: &mut postgres::Transaction<'_>,
    me: &crate::identity::Identity,
    r: &Rekey,
) -> Result<Vec<String>> {
    let server = me.server.clone();
    let fail = |e: postgres::Error| query_error(&server, "moving a team to a new epoch", &e);
    let moved = tx
        .execute(
            "UPDATE coffer.teams SET epoch = $2, recipient = $3, signed_by = $4, sig = $5
             WHERE id = $1 AND epoch = $6",
            &[
                &uuid(&r.team),
                &r.epoch,
                &r.recipient,
                &uuid(&me.member_id),
                &r.sig,
                &r.old_epoch,
            ],
        )
        .map_err(fail)?;
    if moved != 1 {
        return Err(Error::MembershipChanged {
            what: format!("team {} moved to a new epoch meanwhile", show_id(&r.team)),
        });
    }
    tx.execute(
        "DELETE FROM coffer.team_members WHERE team_id = $1 AND member_id = $2",
        &[&uuid(&r.team), &uuid(&r.target)],
    )
    .map_err(fail)?;
    insert_grants(tx, &r.team, &me.member_id, &r.grants).map_err(fail)?;
    Ok(tx
        .query(
            "SELECT secret_id FROM coffer.access_rules WHERE team_id = $1 ORDER BY secret_id",
            &[&uuid(&r.team)],
        )
        .map_err(fail)?
        .iter()
        .map(|row| row.get::<_, uuid::Uuid>(0).to_string())
        .collect())
}

/// One team key wrapped to one member.
struct Grant {
    epoch: i32,
    member: [u8; 16],
    wrapped: Vec<u8>,
    sig: Vec<u8>,
}

fn insert_grants(
    tx: &mut postgres::Transaction<'_>,
    team: &[u8; 16],
    by: &[u8; 16],
    grants: &[Grant],
) -> std::result::Result<(), postgres::Error> {
    for g in grants {
        tx.execute(
            "INSERT INTO coffer.team_keys (team_id, epoch, member_id, wrapped, granted_by, sig)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &uuid(team),
                &g.epoch,
                &uuid(&g.member),
                &g.wrapped,
                &uuid(by),
                &g.sig,
            ],
        )?;
    }
    Ok(())
}
