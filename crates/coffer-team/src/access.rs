//! Access rules on shared secrets (Concord): a level per team (READER,
//! WRITER, OWNER), a visibility (PUBLIC: every holder of the organization
//! key reads it; PRIVATE: only its owner and the teams with a rule) and an
//! owner (a member, always OWNER). Administrators have OWNER's rights on
//! what they may read.
//!
//! Reading is enforced by keys: a PUBLIC secret's data keys are sealed
//! under the organization key; a PRIVATE one's are wrapped for each team
//! with a rule (to the team's recipient of its current epoch) and for the
//! owner, never for the organization. Changing the access re-wraps every
//! revision's data key in the same transaction (`coffer.set_access`).
//! Writing is enforced by PostgreSQL (row-level security per member role);
//! the whole access state is one record signed by whoever set it, and a
//! client refuses rules, a visibility or an owner that do not match it.

use std::collections::BTreeMap;
use std::str::FromStr as _;

use coffer_core::Timestamp;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::identity::wrap_bytes;
use crate::members::show_id;
use crate::records;
use crate::seal::{self, Purpose};
use crate::secrets::OrgContext;
use crate::team::{TeamVault, uuid};
use crate::teams::Keyring;

/// A team's level on a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// List, see metadata, use, reveal (unless write-only).
    Reader,
    /// Also change the value and metadata, deactivate, trash.
    Writer,
    /// Also change access, visibility and owner; purge.
    Owner,
}

impl Level {
    /// `READER`, `WRITER` or `OWNER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "READER",
            Self::Writer => "WRITER",
            Self::Owner => "OWNER",
        }
    }

    /// Reads a level (any case).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "READER" => Ok(Self::Reader),
            "WRITER" => Ok(Self::Writer),
            "OWNER" => Ok(Self::Owner),
            _ => Err(Error::invalid(
                "level",
                format!("{:?} is not a level (READER, WRITER, OWNER)", text.trim()),
            )),
        }
    }
}

/// Who may read a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Visibility {
    /// Every member holding the organization key.
    Public,
    /// Its owner and the teams with a rule.
    Private,
}

impl Visibility {
    /// `PUBLIC` or `PRIVATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Private => "PRIVATE",
        }
    }

    /// Reads a visibility (any case).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "PUBLIC" => Ok(Self::Public),
            "PRIVATE" => Ok(Self::Private),
            _ => Err(Error::invalid(
                "visibility",
                format!("{:?} is not a visibility (PUBLIC, PRIVATE)", text.trim()),
            )),
        }
    }
}

/// One rule as listed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AccessRule {
    /// The team's id.
    pub team_id: String,
    /// The team's name.
    pub team: String,
    /// `READER`, `WRITER` or `OWNER`.
    pub level: String,
}

/// A secret's access as listed (verified against its signed record).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SecretAccess {
    /// The secret's id.
    pub secret_id: String,
    /// Its name.
    pub name: String,
    /// `PUBLIC` or `PRIVATE`.
    pub visibility: String,
    /// The owner's member id.
    pub owner: String,
    /// The rules, by team name.
    pub rules: Vec<AccessRule>,
    /// This member's level (`OWNER` for an administrator; none on a PUBLIC
    /// secret without a rule: reading only).
    pub my_level: Option<String>,
}

/// A change of rules.
#[derive(Debug, Clone, Default)]
pub enum RulesChange {
    /// Keep the rules.
    #[default]
    Keep,
    /// Set one team's level (`None` removes its rule).
    Set {
        /// Team name or id.
        team: String,
        /// The new level.
        level: Option<Level>,
    },
    /// Replace every rule (Concord's bulk update).
    Replace(Vec<(String, Level)>),
}

/// A change of a secret's access: `None` keeps what is there.
#[derive(Debug, Clone, Default)]
pub struct AccessChange {
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New owner (a member id or its prefix).
    pub owner: Option<String>,
    /// Rules.
    pub rules: RulesChange,
}

/// A secret's verified access state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessState {
    pub visibility: Visibility,
    pub owner: [u8; 16],
    pub rules: BTreeMap<[u8; 16], Level>,
}

impl AccessState {
    /// A new secret's: PUBLIC, owned by its creator, no rule.
    pub(crate) fn new_public(owner: [u8; 16]) -> Self {
        Self {
            visibility: Visibility::Public,
            owner,
            rules: BTreeMap::new(),
        }
    }

    pub(crate) fn message(&self, team: &[u8; 16], org: &[u8; 16], secret: &[u8; 16]) -> Vec<u8> {
        let rules: Vec<([u8; 16], &str)> =
            self.rules.iter().map(|(t, l)| (*t, l.as_str())).collect();
        records::access(
            team,
            org,
            secret,
            self.visibility.as_str(),
            &self.owner,
            &rules,
        )
    }

    /// The level a member of the keyring's teams has (administrators: OWNER).
    pub(crate) fn level(&self, keyring: &Keyring) -> Option<Level> {
        if keyring.is_admin {
            return Some(Level::Owner);
        }
        self.rule_level(keyring)
    }

    /// The level by ownership and rules alone.
    fn rule_level(&self, keyring: &Keyring) -> Option<Level> {
        if self.owner == keyring.me {
            return Some(Level::Owner);
        }
        self.rules
            .iter()
            .filter(|(t, _)| keyring.in_team(t))
            .map(|(_, l)| *l)
            .max()
    }
}

/// The access columns of a secret row, as read.
pub(crate) struct AccessColumns<'a> {
    pub visibility: &'a str,
    pub owner: &'a [u8; 16],
    pub by: Option<[u8; 16]>,
    pub sig: Option<&'a [u8]>,
    /// `team-uuid=LEVEL`, one per rule.
    pub rules: &'a [String],
}

/// Checks a row's access columns against the signed record: the signer a
/// confirmed member, the rules those of the record, each naming a team of
/// the organization. A secret written before teams existed carries no
/// record: it must be PUBLIC and without rules.
pub(crate) fn verify_state(
    team: &[u8; 16],
    ctx: &OrgContext,
    secret: &[u8; 16],
    c: &AccessColumns<'_>,
) -> Result<AccessState> {
    let what = format!("the access of shared secret {}", show_id(secret));
    let visibility = Visibility::parse(c.visibility).map_err(|_| Error::tampered(what.clone()))?;
    let mut rules = BTreeMap::new();
    for rule in c.rules {
        let (id, level) = rule
            .split_once('=')
            .ok_or_else(|| Error::tampered(what.clone()))?;
        let id = uuid::Uuid::parse_str(id).map_err(|_| Error::tampered(what.clone()))?;
        let level = Level::parse(level).map_err(|_| Error::tampered(what.clone()))?;
        if !ctx.keyring.teams.contains_key(id.as_bytes()) {
            return Err(Error::tampered(format!("{what} (a rule names no team)")));
        }
        rules.insert(*id.as_bytes(), level);
    }
    let state = AccessState {
        visibility,
        owner: *c.owner,
        rules,
    };
    match (c.by, c.sig) {
        (Some(by), Some(sig)) => {
            let signer = ctx
                .roster
                .confirmed(&by)
                .ok_or_else(|| Error::tampered(format!("{what} (signed by no member)")))?;
            signer
                .keys
                .verify(&state.message(team, &ctx.org, secret), sig, &what)?;
        }
        (None, None) if visibility == Visibility::Public && state.rules.is_empty() => {}
        _ => return Err(Error::tampered(format!("{what} (an unsigned change)"))),
    }
    Ok(state)
}

/// One wrap of a data key.
pub(crate) struct Wrap {
    pub under: &'static str,
    pub under_id: [u8; 16],
    pub epoch: i32,
    pub wrapped: Vec<u8>,
}

/// What a team or owner wrap holds: the key bound to its secret and revision.
fn payload(secret: &[u8; 16], revision: i32, data_key: &[u8; 32]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(52));
    out.extend_from_slice(secret);
    out.extend_from_slice(&revision.to_be_bytes());
    out.extend_from_slice(data_key);
    out
}

/// The wraps a revision's data key needs under `state`.
pub(crate) fn wraps(
    team: &[u8; 16],
    ctx: &OrgContext,
    state: &AccessState,
    secret: &[u8; 16],
    revision: i32,
    data_key: &[u8; 32],
) -> Result<Vec<Wrap>> {
    if state.visibility == Visibility::Public {
        let wrapped = seal::seal_at(
            &ctx.key,
            Purpose::DataKey,
            team,
            secret,
            revision,
            ctx.epoch,
            data_key,
        )?;
        return Ok(vec![Wrap {
            under: "org",
            under_id: ctx.org,
            epoch: ctx.epoch,
            wrapped,
        }]);
    }
    let plain = payload(secret, revision, data_key);
    let mut out = Vec::with_capacity(state.rules.len() + 1);
    for id in state.rules.keys() {
        let t = ctx.keyring.teams.get(id).ok_or_else(|| Error::NotFound {
            what: format!("team {}", show_id(id)),
        })?;
        let recipient = age::pq::Recipient::from_str(&t.recipient)
            .map_err(|_| Error::tampered(format!("team {}'s recipient", show_id(id))))?;
        out.push(Wrap {
            under: "team",
            under_id: *id,
            epoch: t.epoch,
            wrapped: wrap_bytes(&recipient, &plain)?,
        });
    }
    let owner = ctx
        .roster
        .active(&state.owner)
        .ok_or_else(|| Error::NotFound {
            what: format!("an active owner {}", show_id(&state.owner)),
        })?;
    out.push(Wrap {
        under: "member",
        under_id: state.owner,
        epoch: 0,
        wrapped: wrap_bytes(&owner.keys.age_recipient()?, &plain)?,
    });
    Ok(out)
}

/// Opens a revision's data key from one of its wraps this member holds.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_data_key(
    team: &[u8; 16],
    ctx: &OrgContext,
    secret: &[u8; 16],
    revision: i32,
    under: &str,
    under_id: &[u8; 16],
    epoch: i32,
    wrapped: &[u8],
    what: &str,
) -> Result<Zeroizing<[u8; 32]>> {
    let plain = match under {
        "org" => {
            if *under_id != ctx.org {
                return Err(Error::tampered(format!("{what} (its key's organization)")));
            }
            if epoch != ctx.epoch {
                return Err(Error::tampered(format!(
                    "{what} (its key is of epoch {epoch}, not the organization's {})",
                    ctx.epoch
                )));
            }
            let dk = seal::open_at(
                &ctx.key,
                Purpose::DataKey,
                team,
                secret,
                revision,
                epoch,
                wrapped,
                what,
            )?;
            return seal::key32(&dk, what);
        }
        "team" => {
            let key = ctx
                .keyring
                .keys
                .get(&(*under_id, epoch))
                .ok_or_else(|| Error::tampered(format!("{what} (a team key not held)")))?;
            Zeroizing::new(age::decrypt(key, wrapped).map_err(|_| Error::tampered(what))?)
        }
        "member" if *under_id == ctx.keyring.me => Zeroizing::new(
            age::decrypt(&ctx.keyring.mine, wrapped).map_err(|_| Error::tampered(what))?,
        ),
        _ => return Err(Error::tampered(format!("{what} (its key)"))),
    };
    if plain.len() != 52 || plain[..16] != *secret || plain[16..20] != revision.to_be_bytes() {
        return Err(Error::tampered(format!("{what} (its key's binding)")));
    }
    seal::key32(&plain[20..], what)
}

fn forbidden_access(name: &str) -> Error {
    Error::Forbidden {
        operation: "changing a secret's access".into(),
        reason: format!("only an OWNER of {name:?} (or an administrator) changes its access"),
    }
}

/// The new state `change` makes of `old`.
fn apply(ctx: &OrgContext, old: &AccessState, change: &AccessChange) -> Result<AccessState> {
    let mut new = old.clone();
    if let Some(v) = change.visibility {
        new.visibility = v;
    }
    if let Some(owner) = &change.owner {
        new.owner = crate::teams::active_member(&ctx.roster, owner)?.id;
    }
    match &change.rules {
        RulesChange::Keep => {}
        RulesChange::Set { team, level } => {
            let id = ctx.keyring.find(team)?.id;
            match level {
                Some(l) => {
                    new.rules.insert(id, *l);
                }
                None => {
                    new.rules.remove(&id);
                }
            }
        }
        RulesChange::Replace(list) => {
            new.rules.clear();
            for (team, level) in list {
                let id = ctx.keyring.find(team)?.id;
                if new.rules.insert(id, *level).is_some() {
                    return Err(Error::invalid(
                        "rules",
                        format!("team {team:?} is named twice"),
                    ));
                }
            }
        }
    }
    Ok(new)
}

fn show_level(level: Option<&Level>) -> &'static str {
    level.map_or("none", |l| l.as_str())
}

/// The audit targets of a change: who, which secret, which team, old → new.
fn audit_targets(secret: &[u8; 16], old: &AccessState, new: &AccessState) -> Vec<String> {
    let id = show_id(secret);
    let mut out = Vec::new();
    if old.visibility != new.visibility {
        out.push(format!(
            "{id} visibility {} -> {}",
            old.visibility.as_str(),
            new.visibility.as_str()
        ));
    }
    if old.owner != new.owner {
        out.push(format!(
            "{id} owner {} -> {}",
            show_id(&old.owner),
            show_id(&new.owner)
        ));
    }
    let teams: std::collections::BTreeSet<&[u8; 16]> =
        old.rules.keys().chain(new.rules.keys()).collect();
    for t in teams {
        let (a, b) = (old.rules.get(t), new.rules.get(t));
        if a != b {
            out.push(format!(
                "{id} team {} {} -> {}",
                show_id(t),
                show_level(a),
                show_level(b)
            ));
        }
    }
    out
}

/// One secret's planned change.
struct Plan {
    id: [u8; 16],
    name: String,
    revision: i32,
    sig_read: Option<Vec<u8>>,
    old: AccessState,
    new: AccessState,
    wraps: Vec<(i32, Wrap)>,
    sig: Vec<u8>,
}

impl TeamVault {
    /// A shared secret's access: visibility, owner, rules, this member's level.
    pub fn secret_access(&mut self, org: &str, name: &str) -> Result<SecretAccess> {
        let mut ctx = self.org_context(org)?;
        let (r, opened) = self.find(&mut ctx, name)?;
        Ok(show_access(&ctx, &r.id, &opened.meta.name, &opened.access))
    }

    /// Changes the access of one shared secret (OWNER or administrator).
    pub fn change_access(
        &mut self,
        org: &str,
        name: &str,
        change: &AccessChange,
        now: Timestamp,
    ) -> Result<SecretAccess> {
        let mut out = self.change_access_many(org, &[name], change, now)?;
        out.pop()
            .ok_or_else(|| Error::Internal("an access change without a result".into()))
    }

    /// Applies the same change to many shared secrets in one transaction:
    /// all of them change, or none (the first refusal names its secret).
    pub fn change_access_many(
        &mut self,
        org: &str,
        names: &[&str],
        change: &AccessChange,
        now: Timestamp,
    ) -> Result<Vec<SecretAccess>> {
        let mut ctx = self.org_context(org)?;
        let team = self.me.team_id;
        let mut plans = Vec::with_capacity(names.len());
        for name in names {
            let (r, opened) = self.find(&mut ctx, name)?;
            let old = opened.access.clone();
            if old.level(&ctx.keyring) != Some(Level::Owner) {
                return Err(forbidden_access(name));
            }
            let new = apply(&ctx, &old, change)?;
            let mut wraps = Vec::new();
            for (revision, dk) in self.data_keys_of(&ctx, &r.id)? {
                for w in self::wraps(&team, &ctx, &new, &r.id, revision, &dk)? {
                    wraps.push((revision, w));
                }
            }
            let sig = self.me.sign(&new.message(&team, &ctx.org, &r.id));
            plans.push(Plan {
                id: r.id,
                name: opened.meta.name.clone(),
                revision: r.revision,
                sig_read: r.access_sig.clone(),
                old,
                new,
                wraps,
                sig,
            });
        }
        let me = &self.me;
        let fail = self.fail("changing a secret's access");
        let mut tx = self.client.transaction().map_err(&fail)?;
        for p in &plans {
            let row = tx
                .query_opt(
                    "SELECT revision, access_sig FROM coffer.secrets WHERE id = $1 FOR UPDATE",
                    &[&uuid(&p.id)],
                )
                .map_err(&fail)?
                .ok_or_else(|| Error::NotFound {
                    what: format!("shared secret {:?} in {}", p.name, ctx.name),
                })?;
            let revision: i32 = row.get(0);
            let sig: Option<Vec<u8>> = row.get(1);
            if revision != p.revision || sig != p.sig_read {
                return Err(Error::MembershipChanged {
                    what: format!("shared secret {:?} changed meanwhile", p.name),
                });
            }
            let rule_teams: Vec<uuid::Uuid> = p.new.rules.keys().map(uuid).collect();
            let rule_levels: Vec<&str> = p.new.rules.values().map(|l| l.as_str()).collect();
            let revisions: Vec<i32> = p.wraps.iter().map(|(r, _)| *r).collect();
            let under: Vec<&str> = p.wraps.iter().map(|(_, w)| w.under).collect();
            let under_ids: Vec<uuid::Uuid> =
                p.wraps.iter().map(|(_, w)| uuid(&w.under_id)).collect();
            let epochs: Vec<i32> = p.wraps.iter().map(|(_, w)| w.epoch).collect();
            let wrapped: Vec<&[u8]> = p.wraps.iter().map(|(_, w)| w.wrapped.as_slice()).collect();
            tx.execute(
                "SELECT coffer.set_access($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &uuid(&p.id),
                    &p.new.visibility.as_str(),
                    &uuid(&p.new.owner),
                    &p.sig,
                    &rule_teams,
                    &rule_levels,
                    &revisions,
                    &under,
                    &under_ids,
                    &epochs,
                    &wrapped,
                ],
            )
            .map_err(&fail)?;
            for target in audit_targets(&p.id, &p.old, &p.new) {
                Self::audit(&mut tx, me, now, "secret.access", &target).map_err(&fail)?;
            }
        }
        tx.commit().map_err(&fail)?;
        Ok(plans
            .iter()
            .map(|p| show_access(&ctx, &p.id, &p.name, &p.new))
            .collect())
    }

    /// Every revision's data key of a secret, opened from a wrap this member holds.
    fn data_keys_of(
        &mut self,
        ctx: &OrgContext,
        secret: &[u8; 16],
    ) -> Result<Vec<(i32, Zeroizing<[u8; 32]>)>> {
        let team = self.me.team_id;
        let fail = self.fail("reading data keys");
        let rows = self
            .client
            .query(
                "SELECT v.revision, k.wrapped_under, k.under_id, k.epoch, k.wrapped
                 FROM coffer.secret_versions v
                 LEFT JOIN coffer.data_keys k ON k.secret_id = v.secret_id
                  AND k.revision = v.revision
                 WHERE v.secret_id = $1 ORDER BY v.revision",
                &[&uuid(secret)],
            )
            .map_err(fail)?;
        let what = format!("shared secret {}", show_id(secret));
        let mut out: Vec<(i32, Zeroizing<[u8; 32]>)> = Vec::new();
        for r in &rows {
            let revision: i32 = r.get(0);
            if out.last().is_some_and(|(rev, _)| *rev == revision) {
                continue;
            }
            let under: Option<String> = r.get(1);
            let Some(under) = under else {
                continue;
            };
            let under_id: uuid::Uuid = r.get(2);
            let held = match under.as_str() {
                "org" => true,
                "team" => ctx
                    .keyring
                    .keys
                    .contains_key(&(*under_id.as_bytes(), r.get(3))),
                _ => *under_id.as_bytes() == ctx.keyring.me,
            };
            if !held {
                continue;
            }
            let dk = open_data_key(
                &team,
                ctx,
                secret,
                revision,
                &under,
                under_id.as_bytes(),
                r.get(3),
                &r.get::<_, Vec<u8>>(4),
                &what,
            )?;
            out.push((revision, dk));
        }
        let revisions: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.get(0)).collect();
        if let Some(lacking) = revisions.iter().find(|r| !out.iter().any(|(o, _)| o == *r)) {
            return Err(Error::Forbidden {
                operation: "changing a secret's access".into(),
                reason: format!(
                    "this member holds no key of revision {lacking} of {what}: a member who \
                     reads every revision must change it"
                ),
            });
        }
        Ok(out)
    }

    /// Deletes a trashed shared secret for good, with every revision, data
    /// key and rule (OWNER or administrator), if its revision is still `expected`.
    pub fn purge_shared_secret(
        &mut self,
        org: &str,
        name: &str,
        expected: i32,
        now: Timestamp,
    ) -> Result<()> {
        let mut ctx = self.org_context(org)?;
        let (r, opened) = self.find(&mut ctx, name)?;
        if opened.access.level(&ctx.keyring) != Some(Level::Owner) {
            return Err(Error::Forbidden {
                operation: "purging a shared secret".into(),
                reason: format!("only an OWNER of {name:?} (or an administrator) purges it"),
            });
        }
        if r.status != "trashed" {
            return Err(Error::invalid(
                "status",
                format!("{name:?} is not in the trash: trash it first"),
            ));
        }
        if r.revision != expected {
            return Err(Error::Conflict {
                secret: opened.secret.id.clone(),
                revision: r.revision,
                version: r.version,
                author: opened.secret.author.clone(),
                at: opened.secret.updated_at,
            });
        }
        let me = &self.me;
        let fail = self.fail("purging a shared secret");
        let mut tx = self.client.transaction().map_err(&fail)?;
        let id = uuid(&r.id);
        tx.execute("SELECT coffer.purge_secret($1, $2)", &[&id, &expected])
            .map_err(&fail)?;
        Self::audit(&mut tx, me, now, "secret.purge", &id.to_string()).map_err(&fail)?;
        tx.commit().map_err(&fail)?;
        Ok(())
    }
}

fn show_access(ctx: &OrgContext, id: &[u8; 16], name: &str, state: &AccessState) -> SecretAccess {
    let mut rules: Vec<AccessRule> = state
        .rules
        .iter()
        .map(|(t, l)| AccessRule {
            team_id: show_id(t),
            team: ctx
                .keyring
                .teams
                .get(t)
                .map_or_else(|| show_id(t), |x| x.name.clone()),
            level: l.as_str().to_owned(),
        })
        .collect();
    rules.sort_by(|a, b| a.team.cmp(&b.team));
    SecretAccess {
        secret_id: show_id(id),
        name: name.to_owned(),
        visibility: state.visibility.as_str().to_owned(),
        owner: show_id(&state.owner),
        rules,
        my_level: state.level(&ctx.keyring).map(|l| l.as_str().to_owned()),
    }
}

/// The access columns and rules of a row, selected after its `FROM coffer.secrets s`.
pub(crate) const ACCESS_COLUMNS: &str = "s.visibility, s.owner_id, s.access_by, s.access_sig, \
     ARRAY(SELECT r.team_id::text || '=' || r.level FROM coffer.access_rules r \
     WHERE r.secret_id = s.id ORDER BY r.team_id)";

/// The access state of a secret read in `tx` (after its row was locked by
/// the caller's update), verified.
pub(crate) fn read_state(
    tx: &mut postgres::Transaction<'_>,
    team: &[u8; 16],
    ctx: &OrgContext,
    secret: &[u8; 16],
) -> std::result::Result<Result<AccessState>, postgres::Error> {
    let row = tx.query_one(
        &format!("SELECT {ACCESS_COLUMNS} FROM coffer.secrets s WHERE s.id = $1"),
        &[&uuid(secret)],
    )?;
    let visibility: String = row.get(0);
    let owner: uuid::Uuid = row.get(1);
    let by: Option<uuid::Uuid> = row.get(2);
    let sig: Option<Vec<u8>> = row.get(3);
    let rules: Vec<String> = row.get(4);
    Ok(verify_state(
        team,
        ctx,
        secret,
        &AccessColumns {
            visibility: &visibility,
            owner: owner.as_bytes(),
            by: by.map(|b| *b.as_bytes()),
            sig: sig.as_deref(),
            rules: &rules,
        },
    ))
}
