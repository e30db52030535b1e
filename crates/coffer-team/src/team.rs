//! The team vault's API, used by the CLI (and later the app): connect as
//! this member, read verified members and organizations, invite, confirm.

use coffer_core::{Timestamp, Vault};
use secrecy::SecretString;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::connect::{self, Server, query_error};
use crate::error::{Error, Result};
use crate::identity::{Identity, random_id, random_token, wrap_key};
use crate::members::{Member, MemberRow, Roster, SELECT_MEMBERS, member_row, show_id};
use crate::schema::{LATEST, Roles};
use crate::seal::{self, Purpose};
use crate::ticket::Ticket;
use crate::{local, records};

/// A connected member of a team vault.
pub struct TeamVault {
    pub(crate) client: postgres::Client,
    pub(crate) me: Identity,
    pub(crate) roles: Roles,
    pub(crate) listening: bool,
}

impl std::fmt::Debug for TeamVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamVault")
            .field("server", &self.me.server.label())
            .field("me", &self.me)
            .finish_non_exhaustive()
    }
}

/// What connecting as this member needs, read from the local vault by
/// [`TeamVault::prepare`]; [`Prepared::connect`] needs no vault.
pub struct Prepared {
    me: Identity,
    ca: Option<Zeroizing<Vec<u8>>>,
    cert: Option<local::ClientCertPem>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("server", &self.me.server.label())
            .finish_non_exhaustive()
    }
}

impl Prepared {
    /// The team vault's id.
    pub fn team_id(&self) -> String {
        show_id(&self.me.team_id)
    }

    /// The server's label (`host:port/database`).
    pub fn server_label(&self) -> String {
        self.me.server.label()
    }

    /// Connects (bounded by the connect timeout), checks the schema and
    /// refuses a server whose revision went below what this desktop saw.
    pub fn connect(self) -> Result<TeamVault> {
        let me = self.me;
        let roles = Roles::for_team(&me.team_id);
        let client = connect::connect(
            &me.server,
            &roles.member_login(&me.member_id),
            &me.db_password,
            self.ca.as_deref().map(|v| v.as_slice()),
            local::as_client(&self.cert),
            "connecting as this member",
        )?;
        let mut team = TeamVault {
            client,
            me,
            roles,
            listening: false,
        };
        let version = team.schema_version()?;
        check_schema(version)?;
        let revision = team.revision()?;
        crate::rollback::check(team.me.seen_revision, revision)?;
        Ok(team)
    }
}

/// An organization this member can read.
#[derive(Debug, Clone, Serialize)]
pub struct Organization {
    /// Its id (a UUID).
    pub id: String,
    /// Its name, decrypted with its key.
    pub name: String,
    /// The key's epoch.
    pub epoch: i32,
}

/// An invitation just made: the ticket to hand over out of band.
#[derive(Debug)]
pub struct Invitation {
    /// The invitation's id.
    pub id: String,
    /// The ticket (a secret: show it once).
    pub ticket: SecretString,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// Where this member stands.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The team vault's id.
    pub team_id: String,
    /// host:port/database.
    pub server: String,
    /// This member's id.
    pub member_id: String,
    /// This member's fingerprint (compare it with the administrator's screen).
    pub fingerprint: String,
    /// `pending` (waiting for confirmation), `active` or `removed`.
    pub state: String,
    /// `administrator` or `member`, once confirmed.
    pub role: Option<String>,
    /// The server's schema version, once confirmed.
    pub schema_version: Option<i32>,
    /// The revision counter, once confirmed.
    pub revision: Option<i64>,
}

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Manages members, organizations, connections and settings.
    Administrator,
    /// Uses what the organization keys open.
    Member,
}

impl Role {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Member => "member",
        }
    }

    /// Parses `administrator` or `member`.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "administrator" | "admin" => Ok(Self::Administrator),
            "member" => Ok(Self::Member),
            other => Err(Error::invalid(
                "role",
                format!("{other:?} is not a role (administrator, member)"),
            )),
        }
    }
}

/// Checks the server's schema version.
pub(crate) fn check_schema(found: i32) -> Result<()> {
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            found,
            supported: LATEST,
        });
    }
    Ok(())
}

pub(crate) fn uuid(id: &[u8; 16]) -> uuid::Uuid {
    uuid::Uuid::from_bytes(*id)
}

impl TeamVault {
    /// Connects to a team vault this local vault belongs to, as this member.
    pub fn open(vault: &mut Vault, team: Option<&str>) -> Result<Self> {
        let mut team = Self::prepare(vault, team)?.connect()?;
        team.remember_revision(vault)?;
        Ok(team)
    }

    /// What connecting needs from the local vault (the identity, the CA
    /// bundle, the client certificate), read now so that [`Prepared::connect`]
    /// can run with the vault released: a background task does not hold
    /// the vault for a connect timeout. Call [`TeamVault::remember_revision`]
    /// with the vault afterwards.
    pub fn prepare(vault: &mut Vault, team: Option<&str>) -> Result<Prepared> {
        let me = local::identity(vault, team)?;
        let ca = local::ca_pem(vault, &me.server)?;
        let cert = local::client_cert(vault, &me.server)?;
        Ok(Prepared { me, ca, cert })
    }

    /// Keeps the server's revision as the highest this desktop has seen
    /// (sealed in its identity), after the rollback check [`Prepared::connect`]
    /// made: a later connection to a server that went back is `rollback`.
    pub fn remember_revision(&mut self, vault: &mut Vault) -> Result<()> {
        let revision = self.revision()?;
        crate::rollback::check(self.me.seen_revision, revision)?;
        if revision > self.me.seen_revision {
            self.me.seen_revision = revision;
            local::save_identity(vault, &self.me)?;
        }
        Ok(())
    }

    /// The server's label (`host:port/database`).
    pub fn server_label(&self) -> String {
        self.me.server.label()
    }

    fn server(&self) -> &Server {
        &self.me.server
    }

    pub(crate) fn fail(&self, operation: &str) -> impl Fn(postgres::Error) -> Error + use<> {
        let server = self.me.server.clone();
        let operation = operation.to_owned();
        move |e| query_error(&server, &operation, &e)
    }

    /// The schema version on the server.
    pub fn schema_version(&mut self) -> Result<i32> {
        let fail = self.fail("reading the schema version");
        let row = self
            .client
            .query_one("SELECT max(version) FROM coffer.coffer_schema", &[])
            .map_err(fail)?;
        Ok(row.get::<_, Option<i32>>(0).unwrap_or(0))
    }

    /// The revision counter (later: what sync compares).
    pub fn revision(&mut self) -> Result<i64> {
        let fail = self.fail("reading the revision");
        let row = self
            .client
            .query_one("SELECT value FROM coffer.revision WHERE id = 1", &[])
            .map_err(fail)?;
        Ok(row.get(0))
    }

    /// This member's identity.
    pub fn identity(&self) -> &Identity {
        &self.me
    }

    /// Every member, verified (see [`Roster::verify`]).
    pub(crate) fn roster(&mut self) -> Result<Roster> {
        let fail = self.fail("listing members");
        let rows = self.client.query(SELECT_MEMBERS, &[]).map_err(fail)?;
        let rows = rows
            .iter()
            .map(member_row)
            .collect::<Result<Vec<MemberRow>>>()?;
        let roles = self.roles.clone();
        let mut roster = Roster::verify(
            &self.me.team_id,
            &self.me.anchor,
            |id| roles.member_login(id),
            rows,
        )?;
        // Removals and confirmations must agree with the audit chain, and
        // each shared secret's revisions are checked against its writers.
        let chain = self.verified_chain(&roster)?;
        roster.writers = crate::audit::secret_writers(&roster, &chain)?;
        Ok(roster)
    }

    /// The home organization's id, its record verified.
    pub(crate) fn home_org_id(&mut self) -> Result<[u8; 16]> {
        self.home_org()
    }

    /// The team row: its anchor must be ours, its signature the anchor's.
    fn home_org(&mut self) -> Result<[u8; 16]> {
        let fail = self.fail("reading the team vault");
        let row = self
            .client
            .query_one(
                "SELECT id, anchor, home_org, role_prefix, sig FROM coffer.team",
                &[],
            )
            .map_err(fail)?;
        let id: uuid::Uuid = row.get(0);
        let anchor: Vec<u8> = row.get(1);
        let home: uuid::Uuid = row.get(2);
        let prefix: String = row.get(3);
        let sig: Vec<u8> = row.get(4);
        if *id.as_bytes() != self.me.team_id
            || anchor != self.me.anchor
            || prefix != self.roles.prefix
        {
            return Err(Error::tampered("the team vault's record"));
        }
        let message = records::team(&self.me.team_id, &self.me.anchor, home.as_bytes(), &prefix);
        anchor_keys(&self.me.anchor).verify(&message, &sig, "the team vault's record")?;
        Ok(*home.as_bytes())
    }

    /// An organization's newest key granted to this member, its grant
    /// verified (signed by an administrator of the verified roster).
    pub(crate) fn org_key(
        &mut self,
        roster: &Roster,
        org: &[u8; 16],
    ) -> Result<(i32, Zeroizing<[u8; 32]>)> {
        let fail = self.fail("reading an organization key");
        let row = self
            .client
            .query_opt(
                "SELECT epoch, wrapped, granted_by, sig FROM coffer.organization_keys
                 WHERE org_id = $1 AND member_id = $2 ORDER BY epoch DESC LIMIT 1",
                &[&uuid(org), &uuid(&self.me.member_id)],
            )
            .map_err(fail)?
            .ok_or_else(|| Error::NotFound {
                what: format!("a key of organization {} for this member", show_id(org)),
            })?;
        let epoch: i32 = row.get(0);
        let wrapped: Vec<u8> = row.get(1);
        let granted_by: uuid::Uuid = row.get(2);
        let sig: Vec<u8> = row.get(3);
        let what = format!("the key of organization {} (epoch {epoch})", show_id(org));
        let granter = roster.admin(granted_by.as_bytes(), &what)?;
        let message =
            records::org_key_grant(&self.me.team_id, org, epoch, &self.me.member_id, &wrapped);
        granter.keys.verify(&message, &sig, &what)?;
        Ok((epoch, self.me.unwrap_key(&wrapped, &what)?))
    }

    /// Members with roles, status and fingerprints; names where readable.
    pub fn members(&mut self) -> Result<Vec<Member>> {
        let roster = self.roster()?;
        let home = self.home_org()?;
        let (epoch, key) = self.org_key(&roster, &home)?;
        let is_admin = roster
            .active(&self.me.member_id)
            .is_some_and(|r| r.role == "administrator");
        let team = self.me.team_id;
        let mut out = Vec::with_capacity(roster.rows.len());
        for row in &roster.rows {
            let what = format!("member {}'s name", show_id(&row.id));
            let name = match row.name_epoch {
                Some(e) if e == epoch => Some(seal::open(
                    &key,
                    Purpose::MemberName,
                    &team,
                    &row.id,
                    e,
                    &row.name,
                    &what,
                )?),
                Some(_) => None,
                None if is_admin => Some(self.pending_name(row, &key, epoch)?),
                None => None,
            };
            out.push(Member {
                id: show_id(&row.id),
                display_name: name.map(|n| String::from_utf8_lossy(&n).into_owned()),
                role: row.role.clone(),
                status: row.status.clone(),
                fingerprint: row.keys.fingerprint(&team),
                confirmed_by: row.endorsed_by.map(|b| show_id(&b)),
            });
        }
        Ok(out)
    }

    /// A pending member's name, opened with its invitation's key.
    fn pending_name(
        &mut self,
        row: &MemberRow,
        home_key: &[u8; 32],
        epoch: i32,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let what = format!("member {}'s invitation", show_id(&row.id));
        let invitation = row
            .invitation_id
            .ok_or_else(|| Error::tampered(what.clone()))?;
        let fail = self.fail("reading an invitation");
        let inv = self
            .client
            .query_opt(
                "SELECT epoch, invite_key FROM coffer.invitations WHERE id = $1",
                &[&uuid(&invitation)],
            )
            .map_err(fail)?
            .ok_or_else(|| Error::tampered(what.clone()))?;
        let inv_epoch: i32 = inv.get(0);
        let sealed: Vec<u8> = inv.get(1);
        if inv_epoch != epoch {
            return Err(Error::NotFound {
                what: format!("the key of epoch {inv_epoch} for {what}"),
            });
        }
        let team = self.me.team_id;
        let ik = seal::open(
            home_key,
            Purpose::InviteKey,
            &team,
            &invitation,
            inv_epoch,
            &sealed,
            &what,
        )?;
        let ik = seal::key32(&ik, &what)?;
        seal::open(
            &ik,
            Purpose::MemberName,
            &team,
            &row.id,
            0,
            &row.name,
            &format!("member {}'s name", show_id(&row.id)),
        )
    }

    /// Organizations whose key this member holds, names decrypted.
    pub fn organizations(&mut self) -> Result<Vec<Organization>> {
        let roster = self.roster()?;
        let fail = self.fail("listing organizations");
        let rows = self
            .client
            .query(
                "SELECT id, name, epoch, created_by, sig FROM coffer.organizations ORDER BY id",
                &[],
            )
            .map_err(fail)?;
        let team = self.me.team_id;
        let mut out = Vec::new();
        for row in rows {
            let id: uuid::Uuid = row.get(0);
            let org = *id.as_bytes();
            let name: Vec<u8> = row.get(1);
            let epoch: i32 = row.get(2);
            let by: uuid::Uuid = row.get(3);
            let sig: Vec<u8> = row.get(4);
            let what = format!("organization {id}");
            let author = roster.admin(by.as_bytes(), &what)?;
            author.keys.verify(
                &records::organization(&team, &org, epoch, &name),
                &sig,
                &what,
            )?;
            let (key_epoch, key) = match self.org_key(&roster, &org) {
                Ok(found) => found,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            if key_epoch != epoch {
                return Err(Error::tampered(format!("{what} (its epoch)")));
            }
            let plain = seal::open(&key, Purpose::OrgName, &team, &org, epoch, &name, &what)?;
            out.push(Organization {
                id: id.to_string(),
                name: String::from_utf8_lossy(&plain).into_owned(),
                epoch,
            });
        }
        Ok(out)
    }

    /// Where this member stands (connected: confirmed).
    pub fn status(&mut self) -> Result<Status> {
        let roster = self.roster()?;
        let mine = roster.active(&self.me.member_id).cloned();
        let version = self.schema_version()?;
        let revision = self.revision()?;
        Ok(Status {
            team_id: show_id(&self.me.team_id),
            server: self.server().label(),
            member_id: show_id(&self.me.member_id),
            fingerprint: self.me.fingerprint(),
            state: mine
                .as_ref()
                .map_or_else(|| "removed".to_owned(), |r| r.status.clone()),
            role: mine.map(|r| r.role),
            schema_version: Some(version),
            revision: Some(revision),
        })
    }

    /// Appends a signed entry to the audit chain, inside `tx`.
    pub(crate) fn audit(
        tx: &mut postgres::Transaction<'_>,
        me: &Identity,
        at: Timestamp,
        action: &str,
        target: &str,
    ) -> std::result::Result<(), postgres::Error> {
        Self::audit_noted(tx, me, at, action, target, None)
    }

    /// [`Self::audit`] with a sealed note (`uses::seal_note`).
    pub(crate) fn audit_noted(
        tx: &mut postgres::Transaction<'_>,
        me: &Identity,
        at: Timestamp,
        action: &str,
        target: &str,
        note: Option<&[u8]>,
    ) -> std::result::Result<(), postgres::Error> {
        let prev: Vec<u8> = tx
            .query_opt(
                "SELECT hash FROM coffer.audit ORDER BY seq DESC LIMIT 1",
                &[],
            )?
            .map_or_else(|| vec![0u8; 32], |r| r.get(0));
        let hash =
            records::audit_hash(&me.team_id, &prev, at.unix(), &me.member_id, action, target);
        let sig = me.sign(&hash);
        let columns = "at, actor, action, target, prev, hash, sig";
        let (at, actor, hash) = (at.unix(), uuid(&me.member_id), hash.to_vec());
        match note {
            None => tx.execute(
                &format!(
                    "INSERT INTO coffer.audit ({columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ),
                &[&at, &actor, &action, &target, &prev, &hash, &sig],
            )?,
            Some(note) => tx.execute(
                &format!(
                    "INSERT INTO coffer.audit ({columns}, note)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ),
                &[&at, &actor, &action, &target, &prev, &hash, &sig, &note],
            )?,
        };
        Ok(())
    }

    /// Invites someone (administrators): a one-time code valid for `ttl`
    /// seconds from `now`, in a ticket to hand over out of band.
    pub fn invite(&mut self, role: Role, ttl_secs: i64, now: Timestamp) -> Result<Invitation> {
        if !(60..=30 * 86_400).contains(&ttl_secs) {
            return Err(Error::invalid(
                "expiry",
                "must be between one minute and 30 days",
            ));
        }
        let roster = self.roster()?;
        roster
            .admin(&self.me.member_id, "this member")
            .map_err(|_| Error::Forbidden {
                operation: "inviting".into(),
                reason: "only an administrator invites".into(),
            })?;
        let home = self.home_org()?;
        let (epoch, key) = self.org_key(&roster, &home)?;
        let team = self.me.team_id;
        let fail = self.fail("reading the join login");
        let setting = self
            .client
            .query_one(
                "SELECT value FROM coffer.settings WHERE key = 'join_password'",
                &[],
            )
            .map_err(fail)?;
        let sealed: Vec<u8> = setting.get(0);
        let join_password = open_join_password(&key, &team, epoch, &sealed)?;
        let code = random_token(16)?;
        let invitation = random_id()?;
        let ik = seal::invite_key(secrecy::ExposeSecret::expose_secret(&code))?;
        let sealed_ik = seal::seal(&key, Purpose::InviteKey, &team, &invitation, epoch, &*ik)?;
        let code_hash = code_hash(secrecy::ExposeSecret::expose_secret(&code));
        let expires_at = Timestamp::from_unix(now.unix() + ttl_secs);
        let me = &self.me;
        let server = self.me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "inviting", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute(
            "INSERT INTO coffer.invitations
                (id, code_hash, role, expires_at, created_by, org_id, epoch, invite_key)
             VALUES ($1, $2, $3, to_timestamp($4::bigint), $5, $6, $7, $8)",
            &[
                &uuid(&invitation),
                &code_hash,
                &role.as_str(),
                &expires_at.unix(),
                &uuid(&me.member_id),
                &uuid(&home),
                &epoch,
                &sealed_ik,
            ],
        )
        .map_err(fail)?;
        Self::audit(&mut tx, me, now, "member.invite", &show_id(&invitation)).map_err(fail)?;
        tx.commit().map_err(fail)?;
        let ticket = Ticket {
            server: Server {
                ca_secret: None,
                client_cert: None,
                ..self.me.server.clone()
            },
            team: show_id(&team),
            anchor: Ticket::anchor_text(&self.me.anchor),
            join_user: self.roles.join(),
            join_password: secrecy::ExposeSecret::expose_secret(&join_password).to_owned(),
            code: secrecy::ExposeSecret::expose_secret(&code).to_owned(),
            expires_at: expires_at.unix(),
        };
        Ok(Invitation {
            id: show_id(&invitation),
            ticket: ticket.encode()?,
            expires_at,
        })
    }

    /// Confirms a pending member (administrators) once the fingerprint read
    /// out by the member matches their keys: creates their login role,
    /// records the endorsement and wraps the home organization key for them.
    /// A removal committed meanwhile moves the key to a new epoch: the
    /// server refuses the old one (`conflict`) and the confirmation starts
    /// over with the new key, a few times.
    pub fn confirm(&mut self, member: &str, fingerprint: &str, now: Timestamp) -> Result<Member> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.confirm_once(member, fingerprint, now) {
                Err(Error::MembershipChanged { .. }) if attempt < crate::remove::ATTEMPTS => {
                    continue;
                }
                done => return done,
            }
        }
    }

    fn confirm_once(&mut self, member: &str, fingerprint: &str, now: Timestamp) -> Result<Member> {
        let roster = self.roster()?;
        roster
            .admin(&self.me.member_id, "this member")
            .map_err(|_| Error::Forbidden {
                operation: "confirming".into(),
                reason: "only an administrator confirms members".into(),
            })?;
        let wanted = member.trim().to_ascii_lowercase();
        let pending: Vec<&MemberRow> = roster
            .rows
            .iter()
            .filter(|r| r.status == "pending" && !wanted.is_empty())
            .filter(|r| {
                show_id(&r.id).starts_with(&wanted) || hex::encode(r.id).starts_with(&wanted)
            })
            .collect();
        let target = match pending.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(Error::NotFound {
                    what: format!("a pending member {member:?}"),
                });
            }
            _ => {
                return Err(Error::invalid(
                    "member",
                    format!("{member:?} matches several pending members: give more of the id"),
                ));
            }
        };
        let team = self.me.team_id;
        let expected = target.keys.fingerprint(&team);
        let typed = crate::identity::normalize_fingerprint(fingerprint);
        if typed != crate::identity::normalize_fingerprint(&expected) {
            return Err(Error::FingerprintMismatch {
                member: show_id(&target.id),
            });
        }
        let home = self.home_org()?;
        let (epoch, key) = self.org_key(&roster, &home)?;
        let name = self.pending_name(&target, &key, epoch)?;
        let new_name = seal::seal(&key, Purpose::MemberName, &team, &target.id, epoch, &name)?;
        let endorsement = self.me.sign(&records::endorsement(
            &team,
            &target.id,
            &target.role,
            &target.db_role,
            &target.keys.recipient,
            &target.keys.verifying,
        ));
        let wrapped = wrap_key(&target.keys.age_recipient()?, &key)?;
        let grant = self.me.sign(&records::org_key_grant(
            &team, &home, epoch, &target.id, &wrapped,
        ));
        let me = &self.me;
        let server = self.me.server.clone();
        let fail = |e: postgres::Error| query_error(&server, "confirming a member", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute(
            "SELECT coffer.confirm_member($1, $2, $3, $4)",
            &[&uuid(&target.id), &new_name, &epoch, &endorsement],
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO coffer.organization_keys (org_id, epoch, member_id, wrapped, granted_by, sig)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &uuid(&home),
                &epoch,
                &uuid(&target.id),
                &wrapped,
                &uuid(&me.member_id),
                &grant,
            ],
        )
        .map_err(fail)?;
        Self::audit(&mut tx, me, now, "member.confirm", &show_id(&target.id)).map_err(fail)?;
        tx.commit().map_err(fail)?;
        self.members()?
            .into_iter()
            .find(|m| m.id == show_id(&target.id))
            .ok_or_else(|| Error::Internal("the confirmed member vanished".into()))
    }
}

/// The verifying key of the anchor, as public keys (no recipient needed).
fn anchor_keys(anchor: &[u8; 32]) -> crate::identity::PublicKeys {
    crate::identity::PublicKeys {
        recipient: String::new(),
        verifying: *anchor,
    }
}

/// What the server keeps of an invitation code.
pub(crate) fn code_hash(code: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(code.as_bytes()).to_vec()
}

/// The join login's password, sealed under the home key (epoch-prefixed).
pub(crate) fn seal_join_password(
    key: &[u8; 32],
    team: &[u8; 16],
    epoch: i32,
    password: &SecretString,
) -> Result<Vec<u8>> {
    seal::seal(
        key,
        Purpose::JoinPassword,
        team,
        team,
        epoch,
        secrecy::ExposeSecret::expose_secret(password).as_bytes(),
    )
}

fn open_join_password(
    key: &[u8; 32],
    team: &[u8; 16],
    epoch: i32,
    sealed: &[u8],
) -> Result<SecretString> {
    let plain = seal::open(
        key,
        Purpose::JoinPassword,
        team,
        team,
        epoch,
        sealed,
        "the join login's password",
    )?;
    let text =
        std::str::from_utf8(&plain).map_err(|_| Error::tampered("the join login's password"))?;
    Ok(SecretString::from(text.to_owned()))
}
