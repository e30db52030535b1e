//! Shared secrets: create, list, reveal, new value, metadata, deactivate,
//! trash. Every change is a new signed revision (one row in
//! `coffer.secret_versions`) with its own data key, wrapped under the
//! organization key of the current epoch; the writer passes the revision it
//! read and a concurrent change is a `conflict`, never an overwrite.

use std::collections::BTreeMap;

use coffer_core::Timestamp;
use coffer_core::secret::{NewProtection, NewSecret, SecretData, ValueChange, validate};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::identity::random_bytes;
use crate::members::{Roster, show_id};
use crate::records;
use crate::seal::{self, Purpose};
use crate::secret_record::{Meta, blind_index, decode_value, encode_value};
use crate::team::{TeamVault, uuid};

/// A shared secret as listed: its metadata opened and its signature verified.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SharedSecret {
    /// Its id (a UUID).
    pub id: String,
    /// Its organization's id.
    pub org_id: String,
    /// Its organization's name.
    pub org: String,
    /// Its name, unique in the organization.
    pub name: String,
    /// Its type (`basic_auth`, ...).
    pub kind: String,
    /// Free text.
    pub description: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
    /// Never revealable.
    pub write_only: bool,
    /// The value's public fields.
    pub public_fields: serde_json::Value,
    /// `active`, `deactivated` or `trashed`.
    pub status: String,
    /// The row revision a writer passes back (optimistic concurrency).
    pub revision: i32,
    /// The value's version (moves only when the value changes).
    pub version: i32,
    /// Who wrote this revision (member id).
    pub author: String,
    /// When (the author's clock).
    pub updated_at: Timestamp,
    /// The server's revision counter when this row last changed.
    pub server_revision: i64,
    /// `PUBLIC` or `PRIVATE` (teams and access rules).
    #[serde(default)]
    pub visibility: String,
    /// The owner's member id.
    #[serde(default)]
    pub owner: String,
}

/// A metadata change: `None` keeps what is there.
#[derive(Debug, Clone, Default)]
pub struct MetadataChange {
    /// New description.
    pub description: Option<String>,
    /// New labels (the whole set).
    pub labels: Option<BTreeMap<String, String>>,
    /// New expiry (`Some(None)` clears it).
    pub expires_at: Option<Option<Timestamp>>,
}

/// A shared organization opened for reading or writing.
pub(crate) struct OrgContext {
    pub org: [u8; 16],
    pub name: String,
    pub epoch: i32,
    pub key: Zeroizing<[u8; 32]>,
    pub name_key: Zeroizing<[u8; 32]>,
    pub roster: Roster,
    // Teams and access rules (access.rs, teams.rs): the teams and the team
    // keys this member holds.
    pub keyring: crate::teams::Keyring,
}

/// One secret row joined with its current revision and data key.
pub(crate) struct Row {
    pub id: [u8; 16],
    pub blind_index: Vec<u8>,
    pub revision: i32,
    pub status: String,
    pub rev: i64,
    pub v_revision: i32,
    pub version: i32,
    pub v_status: String,
    pub author: [u8; 16],
    pub at: i64,
    pub meta: Vec<u8>,
    pub value: Vec<u8>,
    pub sig: Vec<u8>,
    pub epoch: i32,
    pub wrapped: Vec<u8>,
    // Teams and access rules: which wrap was picked, and the access columns.
    pub wrapped_under: String,
    pub under_id: [u8; 16],
    pub visibility: String,
    pub owner: [u8; 16],
    pub access_by: Option<[u8; 16]>,
    pub access_sig: Option<Vec<u8>>,
    pub rules: Vec<String>,
}

// Teams and access rules: the data key is the first wrap this member can
// open (the organization's, its own as owner, a team's it holds the key of).
pub(crate) const SELECT_CURRENT: &str = "SELECT s.id, s.blind_index, s.revision, s.status, \
     s.rev, v.revision, v.version, v.status, v.author, v.at, v.meta, v.value, v.sig, k.epoch, \
     k.wrapped, k.wrapped_under, k.under_id, s.visibility, s.owner_id, s.access_by, \
     s.access_sig, ARRAY(SELECT r.team_id::text || '=' || r.level FROM coffer.access_rules r \
     WHERE r.secret_id = s.id ORDER BY r.team_id) FROM coffer.secrets s \
     JOIN coffer.secret_versions v ON v.secret_id = s.id AND v.revision = s.revision \
     JOIN LATERAL (SELECT k.epoch, k.wrapped, k.wrapped_under, k.under_id \
      FROM coffer.data_keys k WHERE k.secret_id = s.id AND k.revision = s.revision \
      AND ((k.wrapped_under = 'org' AND k.under_id = s.org_id) \
       OR (k.wrapped_under = 'member' AND k.under_id = coffer.me()) \
       OR (k.wrapped_under = 'team' AND EXISTS (SELECT 1 FROM coffer.team_keys tk \
        WHERE tk.team_id = k.under_id AND tk.epoch = k.epoch AND tk.member_id = coffer.me()))) \
      ORDER BY k.wrapped_under <> 'org', k.wrapped_under <> 'member' LIMIT 1) k ON true \
     WHERE s.org_id = $1";

pub(crate) fn row(r: &postgres::Row) -> Row {
    let id: uuid::Uuid = r.get(0);
    let author: uuid::Uuid = r.get(8);
    let under_id: uuid::Uuid = r.get(16);
    let owner: uuid::Uuid = r.get(18);
    let access_by: Option<uuid::Uuid> = r.get(19);
    Row {
        id: *id.as_bytes(),
        blind_index: r.get(1),
        revision: r.get(2),
        status: r.get(3),
        rev: r.get(4),
        v_revision: r.get(5),
        version: r.get(6),
        v_status: r.get(7),
        author: *author.as_bytes(),
        at: r.get(9),
        meta: r.get(10),
        value: r.get(11),
        sig: r.get(12),
        epoch: r.get(13),
        wrapped: r.get(14),
        wrapped_under: r.get(15),
        under_id: *under_id.as_bytes(),
        visibility: r.get(17),
        owner: *owner.as_bytes(),
        access_by: access_by.map(|b| *b.as_bytes()),
        access_sig: r.get(20),
        rules: r.get(21),
    }
}

/// What a verified row opens to.
pub(crate) struct Opened {
    pub secret: SharedSecret,
    pub meta: Meta,
    pub data_key: Zeroizing<[u8; 32]>,
    pub access: crate::access::AccessState,
}

/// Checks a current row: its binding to the secret row, that it is the
/// newest revision the audit records (a server showing an older one is
/// `tampered`), then [`verify_version`].
pub(crate) fn verify(team: &[u8; 16], ctx: &OrgContext, row: &Row) -> Result<Opened> {
    let what = format!("shared secret {}", show_id(&row.id));
    if row.revision != row.v_revision || row.status != row.v_status {
        return Err(Error::tampered(format!("{what} (its row)")));
    }
    let recorded = ctx.roster.revisions(&row.id);
    if usize::try_from(row.revision).is_ok_and(|r| r < recorded) {
        return Err(Error::tampered(format!(
            "{what} (revision {} shown as current, the audit records {recorded})",
            row.revision
        )));
    }
    verify_version(team, ctx, row)
}

/// Checks one revision's signature, that its author is the member the audit
/// chain records writing that revision (confirmed by then, not yet removed:
/// the signer's right at that revision), and opens its data key and
/// metadata. Any failure is `tampered`.
pub(crate) fn verify_version(team: &[u8; 16], ctx: &OrgContext, row: &Row) -> Result<Opened> {
    let what = format!("shared secret {}", show_id(&row.id));
    let author = ctx
        .roster
        .confirmed(&row.author)
        .ok_or_else(|| Error::tampered(format!("{what} (signed by no member)")))?;
    let message = records::secret_revision(
        team,
        &ctx.org,
        &row.id,
        row.v_revision,
        row.version,
        &row.v_status,
        &row.author,
        row.at,
        &row.blind_index,
        &row.meta,
        &row.value,
    );
    author.keys.verify(&message, &row.sig, &what)?;
    match ctx.roster.writer(&row.id, row.v_revision) {
        Some(writer) if writer == row.author => {}
        Some(writer) => {
            return Err(Error::tampered(format!(
                "{what} (revision {} is signed by member {}, the audit says member {} wrote it)",
                row.v_revision,
                show_id(&row.author),
                show_id(&writer)
            )));
        }
        None => {
            return Err(Error::tampered(format!(
                "{what} (revision {} is not in the audit)",
                row.v_revision
            )));
        }
    }
    // Teams and access rules: the wrap may be the organization's, a team's
    // or the owner's; the access columns must match their signed record.
    let data_key = crate::access::open_data_key(
        team,
        ctx,
        &row.id,
        row.v_revision,
        &row.wrapped_under,
        &row.under_id,
        row.epoch,
        &row.wrapped,
        &what,
    )?;
    let access = crate::access::verify_state(
        team,
        ctx,
        &row.id,
        &crate::access::AccessColumns {
            visibility: &row.visibility,
            owner: &row.owner,
            by: row.access_by,
            sig: row.access_sig.as_deref(),
            rules: &row.rules,
        },
    )?;
    let plain = seal::open_at(
        &data_key,
        Purpose::SecretMeta,
        team,
        &row.id,
        row.v_revision,
        0,
        &row.meta,
        &what,
    )?;
    let meta = Meta::decode(&plain, &what)?;
    meta.kind(&what)?;
    if blind_index(&ctx.name_key, &ctx.org, &meta.name)? != row.blind_index {
        return Err(Error::tampered(format!("{what} (its name index)")));
    }
    let secret = SharedSecret {
        id: show_id(&row.id),
        org_id: show_id(&ctx.org),
        org: ctx.name.clone(),
        name: meta.name.clone(),
        kind: meta.kind.clone(),
        description: meta.description.clone(),
        labels: meta.labels.clone(),
        expires_at: meta.expiry(),
        write_only: meta.write_only,
        public_fields: meta.public_fields.clone(),
        status: row.v_status.clone(),
        revision: row.v_revision,
        version: row.version,
        author: show_id(&row.author),
        updated_at: Timestamp::from_unix(row.at),
        server_revision: row.rev,
        visibility: access.visibility.as_str().to_owned(),
        owner: show_id(&access.owner),
    };
    Ok(Opened {
        secret,
        meta,
        data_key,
        access,
    })
}

/// Refuses to reveal a secret in the trash (`not_found`) or write-only
/// (`forbidden`).
pub(crate) fn refuse_reveal(status: &str, write_only: bool, name: &str, org: &str) -> Result<()> {
    if status == "trashed" {
        return Err(Error::NotFound {
            what: format!("shared secret {name:?} in {org} (it is in the trash)"),
        });
    }
    if write_only {
        return Err(Error::Forbidden {
            operation: "revealing".into(),
            reason: format!("shared secret {name:?} is write-only"),
        });
    }
    Ok(())
}

/// A verified revision's sealed value, opened (the encoded fields).
pub(crate) fn open_value(team: &[u8; 16], opened: &Opened, r: &Row) -> Result<Zeroizing<Vec<u8>>> {
    let what = format!("shared secret {}", show_id(&r.id));
    seal::open_at(
        &opened.data_key,
        Purpose::SecretValue,
        team,
        &r.id,
        r.v_revision,
        0,
        &r.value,
        &what,
    )
}

/// What one write puts on the server.
pub(crate) struct Write<'a> {
    pub secret: [u8; 16],
    pub expected: Option<i32>,
    pub version: i32,
    pub status: &'a str,
    pub meta: &'a Meta,
    pub value: &'a [u8],
    pub action: &'a str,
    // Teams and access rules: a new secret's access, or the one read with
    // the revision being replaced (checked for WRITER before writing).
    pub access: &'a crate::access::AccessState,
}

/// How many times rows are read again when they are newer than the audit
/// chain read with the roster (writes landing meanwhile).
pub(crate) const READ_TRIES: usize = 5;

/// Whether the audit chain read with `ctx`'s roster records every revision
/// in `rows`.
pub(crate) fn covered(ctx: &OrgContext, rows: &[Row]) -> bool {
    rows.iter()
        .all(|r| usize::try_from(r.v_revision).is_ok_and(|v| v <= ctx.roster.revisions(&r.id)))
}

fn unique_violation(e: &postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|d| d.code() == &postgres::error::SqlState::UNIQUE_VIOLATION)
}

impl TeamVault {
    /// Opens a shared organization (by name or id) this member holds a key of.
    pub(crate) fn org_context(&mut self, org: &str) -> Result<OrgContext> {
        let wanted = org.trim();
        let found = self
            .organizations()?
            .into_iter()
            .find(|o| o.name == wanted || o.id == wanted.to_ascii_lowercase())
            .ok_or_else(|| Error::NotFound {
                what: format!("a shared organization {wanted:?} this member holds a key of"),
            })?;
        let id = uuid::Uuid::parse_str(&found.id)
            .map_err(|_| Error::Internal("organization id".into()))?;
        let org = *id.as_bytes();
        let roster = self.roster()?;
        let (epoch, key) = self.org_key(&roster, &org)?;
        let name_key = self.name_key(&org, epoch, &key)?;
        let keyring = self.keyring(&org, &name_key, &roster)?;
        Ok(OrgContext {
            org,
            name: found.name,
            epoch,
            key,
            name_key,
            roster,
            keyring,
        })
    }

    /// The organization's blind-index key: made by the first writer, sealed
    /// under the organization key; re-sealed (not replaced) on a new epoch.
    fn name_key(
        &mut self,
        org: &[u8; 16],
        epoch: i32,
        key: &[u8; 32],
    ) -> Result<Zeroizing<[u8; 32]>> {
        let team = self.me.team_id;
        let fail = self.fail("reading the name key");
        let select = "SELECT epoch, sealed FROM coffer.name_keys WHERE org_id = $1";
        let mut found = self
            .client
            .query_opt(select, &[&uuid(org)])
            .map_err(&fail)?;
        if found.is_none() {
            let fresh: Zeroizing<[u8; 32]> = Zeroizing::new(random_bytes()?);
            let sealed = seal::seal(key, Purpose::NameKey, &team, org, epoch, &*fresh)?;
            self.client
                .execute(
                    "INSERT INTO coffer.name_keys (org_id, epoch, sealed) VALUES ($1, $2, $3)
                     ON CONFLICT (org_id) DO NOTHING",
                    &[&uuid(org), &epoch, &sealed],
                )
                .map_err(&fail)?;
            found = self
                .client
                .query_opt(select, &[&uuid(org)])
                .map_err(&fail)?;
        }
        let row = found.ok_or_else(|| Error::tampered("the organization's name key (withheld)"))?;
        let sealed_epoch: i32 = row.get(0);
        let sealed: Vec<u8> = row.get(1);
        let what = "the organization's name key";
        if sealed_epoch != epoch {
            return Err(Error::tampered(format!("{what} (epoch {sealed_epoch})")));
        }
        let plain = seal::open(key, Purpose::NameKey, &team, org, epoch, &sealed, what)?;
        seal::key32(&plain, what)
    }

    /// The shared secrets of an organization, verified, sorted by name
    /// (trashed ones too: filter on `status`).
    pub fn shared_secrets(&mut self, org: &str) -> Result<Vec<SharedSecret>> {
        let mut ctx = self.org_context(org)?;
        Ok(self.changed_since(&mut ctx, 0)?.1)
    }

    /// When rows are newer than the audit chain read with the roster, reads
    /// roster and chain again and returns `false`: the caller reads its rows
    /// again (after the chain, so that a current revision older than the
    /// audit is a rollback, not a race).
    pub(crate) fn fresh(&mut self, ctx: &mut OrgContext, rows: &[Row]) -> Result<bool> {
        if covered(ctx, rows) {
            return Ok(true);
        }
        ctx.roster = self.roster()?;
        Ok(false)
    }

    /// Rows kept moving past the audit for [`READ_TRIES`] reads.
    pub(crate) fn moving(&self, operation: &str) -> Error {
        Error::Database {
            server: self.me.server.label(),
            operation: operation.into(),
            reason: "shared secrets kept changing while they were read; try again".into(),
        }
    }

    /// Rows of `ctx` changed after server revision `since`, with the
    /// server's revision read in the same snapshot.
    pub(crate) fn changed_since(
        &mut self,
        ctx: &mut OrgContext,
        since: i64,
    ) -> Result<(i64, Vec<SharedSecret>)> {
        let (revision, rows) = self.changed_rows(ctx, since)?;
        let mut out: Vec<SharedSecret> = rows.into_iter().map(|(_, o)| o.secret).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((revision, out))
    }

    /// [`Self::changed_since`] with each row and what it opened to (its data
    /// key: the replica keeps values of organizations allowing offline use).
    pub(crate) fn changed_rows(
        &mut self,
        ctx: &mut OrgContext,
        since: i64,
    ) -> Result<(i64, Vec<(Row, Opened)>)> {
        for _ in 0..READ_TRIES {
            let (revision, rows) = self.read_changed(ctx, since)?;
            if !self.fresh(ctx, &rows)? {
                continue;
            }
            let team = self.me.team_id;
            let out = rows
                .into_iter()
                .map(|r| verify(&team, ctx, &r).map(|o| (r, o)))
                .collect::<Result<Vec<_>>>()?;
            return Ok((revision, out));
        }
        Err(self.moving("listing shared secrets"))
    }

    /// The server's revision and the rows changed after `since`, in one
    /// snapshot, not yet verified.
    fn read_changed(&mut self, ctx: &OrgContext, since: i64) -> Result<(i64, Vec<Row>)> {
        let fail = self.fail("listing shared secrets");
        let (mut tx, revision) = crate::sync::snapshot(&mut self.client, &fail)?;
        let rows = tx
            .query(
                &format!("{SELECT_CURRENT} AND s.rev > $2"),
                &[&uuid(&ctx.org), &since],
            )
            .map_err(&fail)?;
        tx.commit().map_err(&fail)?;
        Ok((revision, rows.iter().map(row).collect()))
    }

    /// One shared secret by name, verified (metadata only: no audit entry).
    pub fn shared_secret(&mut self, org: &str, name: &str) -> Result<SharedSecret> {
        let mut ctx = self.org_context(org)?;
        Ok(self.find(&mut ctx, name)?.1.secret)
    }

    /// The current revision of a secret by name, verified.
    pub(crate) fn find(&mut self, ctx: &mut OrgContext, name: &str) -> Result<(Row, Opened)> {
        let team = self.me.team_id;
        let index = blind_index(&ctx.name_key, &ctx.org, name)?;
        for _ in 0..READ_TRIES {
            let fail = self.fail("reading a shared secret");
            let found = self
                .client
                .query_opt(
                    &format!("{SELECT_CURRENT} AND s.blind_index = $2"),
                    &[&uuid(&ctx.org), &index],
                )
                .map_err(fail)?
                .ok_or_else(|| Error::NotFound {
                    what: format!("shared secret {name:?} in {}", ctx.name),
                })?;
            let r = row(&found);
            if !self.fresh(ctx, std::slice::from_ref(&r))? {
                continue;
            }
            let opened = verify(&team, ctx, &r)?;
            return Ok((r, opened));
        }
        Err(self.moving("reading a shared secret"))
    }

    /// Creates a shared secret of any type in `org` (by name or id), PUBLIC
    /// and owned by this member.
    pub fn create_shared_secret(
        &mut self,
        org: &str,
        new: NewSecret,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        self.create_shared_secret_with(org, new, crate::access::Visibility::Public, &[], now)
    }

    /// Creates a shared secret with its visibility and access rules (team
    /// name or id, level) in the same transaction: a PRIVATE one is never
    /// wrapped under the organization key, not even for a moment.
    pub fn create_shared_secret_with(
        &mut self,
        org: &str,
        new: NewSecret,
        visibility: crate::access::Visibility,
        rules: &[(String, crate::access::Level)],
        now: Timestamp,
    ) -> Result<SharedSecret> {
        validate::name("name", &new.name)?;
        validate::description(&new.description)?;
        validate::labels(&new.labels)?;
        if !matches!(new.protection, NewProtection::Vault) {
            return Err(Error::invalid(
                "protection",
                "store passwords are not available for shared secrets yet",
            ));
        }
        let mut ctx = self.org_context(org)?;
        let meta = Meta {
            name: new.name.clone(),
            kind: new.data.kind().as_str().to_owned(),
            description: new.description.clone(),
            labels: new.labels.clone(),
            expires_at: new.expires_at.map(Timestamp::unix),
            write_only: new.write_only,
            public_fields: new.data.public_fields(),
            restored_from: None,
        };
        let value = encode_value(&new.data);
        let secret: [u8; 16] = random_bytes()?;
        let mut access = crate::access::AccessState::new_public(self.me.member_id);
        access.visibility = visibility;
        for (team, level) in rules {
            let id = ctx.keyring.find(team)?.id;
            if access.rules.insert(id, *level).is_some() {
                return Err(Error::invalid(
                    "rules",
                    format!("team {team:?} is named twice"),
                ));
            }
        }
        self.write(
            &mut ctx,
            Write {
                secret,
                expected: None,
                version: 1,
                status: "active",
                meta: &meta,
                value: &value,
                action: "secret.create",
                access: &access,
            },
            now,
        )
    }

    /// Reveals a shared secret's value: fetched from the server, verified,
    /// and a signed `secret.reveal` entry appended in the same transaction.
    pub fn reveal_shared_secret(
        &mut self,
        org: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<(SharedSecret, SecretData)> {
        let mut ctx = self.org_context(org)?;
        self.reveal_current(&mut ctx, name, "secret.reveal", None, now)
    }

    /// Reveals the current value of `name`, appending a signed `action`
    /// entry (target: the secret id; `purpose` as its sealed note) in the
    /// reading transaction.
    pub(crate) fn reveal_current(
        &mut self,
        ctx: &mut OrgContext,
        name: &str,
        action: &str,
        purpose: Option<&str>,
        now: Timestamp,
    ) -> Result<(SharedSecret, SecretData)> {
        let team = self.me.team_id;
        let index = blind_index(&ctx.name_key, &ctx.org, name)?;
        let server = self.me.server.clone();
        let fail = |e: postgres::Error| crate::connect::query_error(&server, "revealing", &e);
        for _ in 0..READ_TRIES {
            let mut tx = self.client.transaction().map_err(fail)?;
            let found = tx
                .query_opt(
                    &format!("{SELECT_CURRENT} AND s.blind_index = $2"),
                    &[&uuid(&ctx.org), &index],
                )
                .map_err(fail)?
                .ok_or_else(|| Error::NotFound {
                    what: format!("shared secret {name:?} in {}", ctx.name),
                })?;
            let r = row(&found);
            if !covered(ctx, std::slice::from_ref(&r)) {
                drop(tx);
                ctx.roster = self.roster()?;
                continue;
            }
            let opened = verify(&team, ctx, &r)?;
            // A use (by a job) may read a write-only value, as locally.
            let write_only = opened.meta.write_only && action != "secret.use";
            refuse_reveal(&opened.secret.status, write_only, name, &ctx.name)?;
            let what = format!("shared secret {}", show_id(&r.id));
            let data = decode_value(
                opened.meta.kind(&what)?,
                &open_value(&team, &opened, &r)?,
                &what,
            )?;
            let note = purpose
                .map(|p| crate::uses::seal_note(&team, ctx, &r.id, p))
                .transpose()?;
            Self::audit_noted(
                &mut tx,
                &self.me,
                now,
                action,
                &show_id(&r.id),
                note.as_deref(),
            )
            .map_err(fail)?;
            tx.commit().map_err(fail)?;
            return Ok((opened.secret, data));
        }
        Err(self.moving("revealing"))
    }

    /// A new value (a new version) of a shared secret, if its revision is
    /// still `expected`; else `conflict` and nothing written.
    pub fn update_shared_value(
        &mut self,
        org: &str,
        name: &str,
        expected: i32,
        data: SecretData,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        let mut ctx = self.org_context(org)?;
        let (r, opened) = self.find(&mut ctx, name)?;
        Self::check_expected(&opened.secret, expected)?;
        let mut meta = opened.meta.clone();
        if data.kind().as_str() != meta.kind {
            return Err(Error::invalid(
                "value",
                format!("{name} is a {}, not a {}", meta.kind, data.kind().as_str()),
            ));
        }
        meta.public_fields = data.public_fields();
        let value = encode_value(&data);
        self.write(
            &mut ctx,
            Write {
                secret: r.id,
                expected: Some(expected),
                version: r.version + 1,
                status: &r.status,
                meta: &meta,
                value: &value,
                action: "secret.update",
                access: &opened.access,
            },
            now,
        )
    }

    /// Merges `change` into the current value (the given fields set, the
    /// named ones removed, the rest kept: a new password keeps the
    /// username), as a new version if the revision is still `expected`.
    /// Returns `None` (nothing written) when the value would not change.
    pub fn update_shared_fields(
        &mut self,
        org: &str,
        name: &str,
        expected: i32,
        change: ValueChange,
        now: Timestamp,
    ) -> Result<Option<SharedSecret>> {
        let mut ctx = self.org_context(org)?;
        let (r, opened) = self.find(&mut ctx, name)?;
        Self::check_expected(&opened.secret, expected)?;
        if opened.secret.status == "trashed" {
            return Err(Error::NotFound {
                what: format!(
                    "shared secret {name:?} in {} (it is in the trash)",
                    ctx.name
                ),
            });
        }
        let team = self.me.team_id;
        let what = format!("shared secret {}", show_id(&r.id));
        let current = decode_value(
            opened.meta.kind(&what)?,
            &open_value(&team, &opened, &r)?,
            &what,
        )?;
        let Some(data) = current.changed(name, change)? else {
            return Ok(None);
        };
        let mut meta = opened.meta.clone();
        meta.public_fields = data.public_fields();
        let value = encode_value(&data);
        self.write(
            &mut ctx,
            Write {
                secret: r.id,
                expected: Some(expected),
                version: r.version + 1,
                status: &r.status,
                meta: &meta,
                value: &value,
                action: "secret.update",
                access: &opened.access,
            },
            now,
        )
        .map(Some)
    }

    /// Changes description, labels or expiry, if the revision is still `expected`.
    pub fn update_shared_metadata(
        &mut self,
        org: &str,
        name: &str,
        expected: i32,
        change: MetadataChange,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        let mut ctx = self.org_context(org)?;
        let (r, opened) = self.find(&mut ctx, name)?;
        Self::check_expected(&opened.secret, expected)?;
        let mut meta = opened.meta.clone();
        if let Some(description) = change.description {
            validate::description(&description)?;
            meta.description = description;
        }
        if let Some(labels) = change.labels {
            validate::labels(&labels)?;
            meta.labels = labels;
        }
        if let Some(expiry) = change.expires_at {
            meta.expires_at = expiry.map(Timestamp::unix);
        }
        self.rewrite(
            &mut ctx,
            &r,
            &opened,
            &meta,
            &r.status.clone(),
            "secret.update",
            now,
        )
    }

    /// Deactivates (`deactivated`), reactivates (`active`) or trashes
    /// (`trashed`) a shared secret, if the revision is still `expected`.
    pub fn set_shared_status(
        &mut self,
        org: &str,
        name: &str,
        expected: i32,
        status: &str,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        if !matches!(status, "active" | "deactivated" | "trashed") {
            return Err(Error::invalid(
                "status",
                format!("{status:?} is not active, deactivated or trashed"),
            ));
        }
        let mut ctx = self.org_context(org)?;
        let (r, opened) = self.find(&mut ctx, name)?;
        Self::check_expected(&opened.secret, expected)?;
        let action = if status == "trashed" {
            "secret.delete"
        } else {
            "secret.update"
        };
        let meta = opened.meta.clone();
        self.rewrite(&mut ctx, &r, &opened, &meta, status, action, now)
    }

    pub(crate) fn check_expected(current: &SharedSecret, expected: i32) -> Result<()> {
        if current.revision != expected {
            return Err(Error::Conflict {
                secret: current.id.clone(),
                revision: current.revision,
                version: current.version,
                author: current.author.clone(),
                at: current.updated_at,
            });
        }
        Ok(())
    }

    /// A new revision with the same value (re-sealed under a new data key).
    #[allow(clippy::too_many_arguments)]
    fn rewrite(
        &mut self,
        ctx: &mut OrgContext,
        r: &Row,
        opened: &Opened,
        meta: &Meta,
        status: &str,
        action: &str,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        let value = open_value(&self.me.team_id, opened, r)?;
        self.write(
            ctx,
            Write {
                secret: r.id,
                expected: Some(r.revision),
                version: r.version,
                status,
                meta,
                value: &value,
                action,
                access: &opened.access,
            },
            now,
        )
    }

    /// Seals, signs and writes one revision in one transaction.
    pub(crate) fn write(
        &mut self,
        ctx: &mut OrgContext,
        w: Write<'_>,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        let team = self.me.team_id;
        if w.expected.is_some() && w.access.level(&ctx.keyring) < Some(crate::access::Level::Writer)
        {
            return Err(Error::Forbidden {
                operation: "writing a shared secret".into(),
                reason: format!(
                    "{} needs WRITER, OWNER or an administrator",
                    show_id(&w.secret)
                ),
            });
        }
        let revision = w.expected.map_or(1, |r| r + 1);
        let data_key: Zeroizing<[u8; 32]> = Zeroizing::new(random_bytes()?);
        let access_sig = self.me.sign(&w.access.message(&team, &ctx.org, &w.secret));
        // Only a restore's own record says where its value came from.
        let record = Meta {
            restored_from: w
                .meta
                .restored_from
                .filter(|_| w.action == "secret.restore"),
            ..w.meta.clone()
        };
        let meta_plain = Zeroizing::new(record.encode()?);
        let meta = seal::seal_at(
            &data_key,
            Purpose::SecretMeta,
            &team,
            &w.secret,
            revision,
            0,
            &meta_plain,
        )?;
        let value = seal::seal_at(
            &data_key,
            Purpose::SecretValue,
            &team,
            &w.secret,
            revision,
            0,
            w.value,
        )?;
        let index = blind_index(&ctx.name_key, &ctx.org, &w.meta.name)?;
        let at = now.unix();
        let me_id = self.me.member_id;
        let sig = self.me.sign(&records::secret_revision(
            &team, &ctx.org, &w.secret, revision, w.version, w.status, &me_id, at, &index, &meta,
            &value,
        ));
        let (id, org) = (uuid(&w.secret), uuid(&ctx.org));
        let server = self.me.server.clone();
        let fail = |e: postgres::Error| {
            crate::connect::query_error(&server, "writing a shared secret", &e)
        };
        let mut tx = self.client.transaction().map_err(fail)?;
        match w.expected {
            None => {
                if let Err(e) = tx.execute(
                    "INSERT INTO coffer.secrets (id, org_id, blind_index, revision, status,
                        visibility, owner_id, access_by, access_sig)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &id,
                        &org,
                        &index,
                        &revision,
                        &w.status,
                        &w.access.visibility.as_str(),
                        &uuid(&w.access.owner),
                        &uuid(&me_id),
                        &access_sig,
                    ],
                ) {
                    return Err(if unique_violation(&e) {
                        Error::NameTaken {
                            name: w.meta.name.clone(),
                            org: ctx.name.clone(),
                        }
                    } else {
                        fail(e)
                    });
                }
                // Teams and access rules: a new secret's rules, as signed.
                for (t, level) in &w.access.rules {
                    tx.execute(
                        "INSERT INTO coffer.access_rules (secret_id, org_id, team_id, level)
                         VALUES ($1, $2, $3, $4)",
                        &[&id, &org, &uuid(t), &level.as_str()],
                    )
                    .map_err(fail)?;
                }
            }
            Some(expected) => {
                let changed = tx
                    .execute(
                        "UPDATE coffer.secrets SET revision = $3, status = $4, blind_index = $5
                         WHERE id = $1 AND org_id = $2 AND revision = $6",
                        &[&id, &org, &revision, &w.status, &index, &expected],
                    )
                    .map_err(fail)?;
                if changed != 1 {
                    drop(tx);
                    let current = self.current_by_id(ctx, &w.secret)?;
                    return Err(Error::Conflict {
                        secret: current.id,
                        revision: current.revision,
                        version: current.version,
                        author: current.author,
                        at: current.updated_at,
                    });
                }
            }
        }
        tx.execute(
            "INSERT INTO coffer.secret_versions
                (secret_id, org_id, revision, version, status, author, at, meta, value, sig)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &id,
                &org,
                &revision,
                &w.version,
                &w.status,
                &uuid(&me_id),
                &at,
                &meta,
                &value,
                &sig,
            ],
        )
        .map_err(fail)?;
        // Teams and access rules: wrapped as the access read under the row's
        // lock says (the organization key, or each ruled team and the owner).
        let access = match w.expected {
            None => w.access.clone(),
            Some(_) => {
                crate::access::read_state(&mut tx, &team, ctx, &w.secret).map_err(fail)??
            }
        };
        for k in crate::access::wraps(&team, ctx, &access, &w.secret, revision, &data_key)? {
            tx.execute(
                "INSERT INTO coffer.data_keys
                    (secret_id, org_id, revision, wrapped_under, under_id, epoch, wrapped)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &org,
                    &revision,
                    &k.under,
                    &uuid(&k.under_id),
                    &k.epoch,
                    &k.wrapped,
                ],
            )
            .map_err(fail)?;
        }
        Self::audit(&mut tx, &self.me, now, w.action, &id.to_string()).map_err(fail)?;
        tx.commit().map_err(fail)?;
        // This revision's audit entry is ours, just committed with it.
        let writers = ctx.roster.writers.entry(w.secret).or_default();
        if usize::try_from(revision).is_ok_and(|r| r == writers.len() + 1) {
            writers.push(me_id);
        }
        self.current_by_id(ctx, &w.secret)
    }

    /// A secret's current revision by id, verified.
    fn current_by_id(&mut self, ctx: &mut OrgContext, secret: &[u8; 16]) -> Result<SharedSecret> {
        let team = self.me.team_id;
        for _ in 0..READ_TRIES {
            let fail = self.fail("reading a shared secret");
            let found = self
                .client
                .query_opt(
                    &format!("{SELECT_CURRENT} AND s.id = $2"),
                    &[&uuid(&ctx.org), &uuid(secret)],
                )
                .map_err(fail)?
                .ok_or_else(|| Error::NotFound {
                    what: format!("shared secret {}", show_id(secret)),
                })?;
            let r = row(&found);
            if self.fresh(ctx, std::slice::from_ref(&r))? {
                return Ok(verify(&team, ctx, &r)?.secret);
            }
        }
        Err(self.moving("reading a shared secret"))
    }
}

/// Re-wraps every data key of `org` from the old epoch's key to the new one, in the caller's
/// transaction; returns the ids and (sealed→opened) names of the secrets re-wrapped, so the
/// caller can list what the removed member could read.
///
/// The organization's name key (blind index) is re-sealed under the new key too, so
/// names stay unique across epochs without re-indexing.
#[allow(dead_code, reason = "member removal calls it (rewrap.rs, at merge)")]
pub(crate) fn rewrap_data_keys(
    tx: &mut postgres::Transaction<'_>,
    team: &[u8; 16],
    org: &[u8; 16],
    old: (i32, &[u8; 32]),
    new: (i32, &[u8; 32]),
) -> Result<Vec<(uuid::Uuid, String)>> {
    let db = |e: postgres::Error| Error::Database {
        server: "the team vault".into(),
        operation: "re-wrapping data keys".into(),
        reason: e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_owned()),
    };
    let org_id = uuid(org);
    let rows = tx
        .query(
            "SELECT k.secret_id, k.revision, k.wrapped, s.revision, v.meta
             FROM coffer.data_keys k
             JOIN coffer.secrets s ON s.id = k.secret_id
             JOIN coffer.secret_versions v ON v.secret_id = k.secret_id AND v.revision = k.revision
             WHERE k.org_id = $1 AND k.wrapped_under = 'org' AND k.under_id = $1 AND k.epoch = $2
             ORDER BY k.secret_id, k.revision
             FOR UPDATE OF k",
            &[&org_id, &old.0],
        )
        .map_err(db)?;
    let mut names = Vec::new();
    for r in &rows {
        let id: uuid::Uuid = r.get(0);
        let revision: i32 = r.get(1);
        let wrapped: Vec<u8> = r.get(2);
        let current: i32 = r.get(3);
        let what = format!("shared secret {id}");
        let dk = seal::open_at(
            old.1,
            Purpose::DataKey,
            team,
            id.as_bytes(),
            revision,
            old.0,
            &wrapped,
            &what,
        )?;
        let rewrapped = seal::seal_at(
            new.1,
            Purpose::DataKey,
            team,
            id.as_bytes(),
            revision,
            new.0,
            &dk,
        )?;
        tx.execute(
            "UPDATE coffer.data_keys SET epoch = $4, wrapped = $5
             WHERE secret_id = $1 AND revision = $2 AND wrapped_under = 'org' AND under_id = $3",
            &[&id, &revision, &org_id, &new.0, &rewrapped],
        )
        .map_err(db)?;
        if revision == current {
            let data_key = seal::key32(&dk, &what)?;
            let meta: Vec<u8> = r.get(4);
            let plain = seal::open_at(
                &data_key,
                Purpose::SecretMeta,
                team,
                id.as_bytes(),
                revision,
                0,
                &meta,
                &what,
            )?;
            names.push((id, Meta::decode(&plain, &what)?.name));
        }
    }
    if let Some(r) = tx
        .query_opt(
            "SELECT sealed FROM coffer.name_keys WHERE org_id = $1 AND epoch = $2 FOR UPDATE",
            &[&org_id, &old.0],
        )
        .map_err(db)?
    {
        let sealed: Vec<u8> = r.get(0);
        let what = "the organization's name key";
        let plain = seal::open(old.1, Purpose::NameKey, team, org, old.0, &sealed, what)?;
        let resealed = seal::seal(new.1, Purpose::NameKey, team, org, new.0, &plain)?;
        tx.execute(
            "UPDATE coffer.name_keys SET epoch = $2, sealed = $3 WHERE org_id = $1",
            &[&org_id, &new.0, &resealed],
        )
        .map_err(db)?;
    }
    names.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(names)
}
