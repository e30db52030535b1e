//! Registering secrets.

use secrecy::SecretString;
use serde_json::json;
use zeroize::Zeroizing;

use super::{Vault, VaultCtx, seal};
use crate::clock::Timestamp;
use crate::crypto;
use crate::error::{Error, Result};
use crate::secret::{
    DEFAULT_ORG, NewProtection, NewSecret, Protection, SecretData, SecretId, SecretMeta, validate,
};
use crate::store::{Db, NewSecretRow, StoreTx};

/// A registered secret.
#[derive(Debug)]
pub struct Registered {
    /// Its metadata.
    pub meta: SecretMeta,
    /// The generated store password, shown once and never stored.
    pub generated_password: Option<SecretString>,
}

/// Checks metadata that does not depend on the store.
pub(super) fn check_new(new: &NewSecret, now: Timestamp) -> Result<()> {
    validate::name("name", &new.name)?;
    if let Some(org) = &new.org {
        validate::name("org", org)?;
    }
    if let Some(project) = &new.project {
        validate::name("project", project)?;
    }
    validate::description(&new.description)?;
    validate::labels(&new.labels)?;
    check_expiry(new.expires_at, new.allow_past_expiry, now)
}

pub(super) fn check_expiry(
    expires_at: Option<Timestamp>,
    allow_past: bool,
    now: Timestamp,
) -> Result<()> {
    match expires_at {
        Some(at) if at <= now && !allow_past => Err(Error::invalid(
            "expires",
            format!("{at} is in the past (allow it explicitly when importing)"),
        )),
        _ => Ok(()),
    }
}

/// The expiry a value carries itself (a certificate's leaf), if any.
pub(super) fn derived_expiry(data: &SecretData) -> Option<Timestamp> {
    match data {
        SecretData::Certificate(c) => crate::secret::intake::leaf_not_after(&c.summary),
        _ => None,
    }
}

/// A secret prepared for insertion: keys derived, value sealed.
pub(super) struct Prepared {
    new: NewSecret,
    id: SecretId,
    org: String,
    expires_at: Option<Timestamp>,
    protection: Protection,
    password_lock: Option<String>,
    generated_password: Option<SecretString>,
    /// Earlier versions (1..=k, oldest first) an import brings; the current
    /// value is then version k + 1.
    older: Vec<seal::SealedVersion>,
    sealed: seal::SealedVersion,
    /// The audit action and what it adds to the entry's detail.
    action: &'static str,
    extra: Option<serde_json::Value>,
}

impl Prepared {
    /// Audits the insertion as `action`, with `extra` merged into the detail.
    pub(super) fn audited_as(mut self, action: &'static str, extra: serde_json::Value) -> Self {
        self.action = action;
        self.extra = Some(extra);
        self
    }
}

impl Vault {
    /// Registers a secret as version 1.
    pub fn register(&mut self, new: NewSecret) -> Result<Registered> {
        let mut out = self.register_many(vec![new])?;
        out.pop()
            .ok_or_else(|| Error::Internal("registration returned nothing".into()))
    }

    /// Registers many secrets in one transaction: all or none.
    pub fn register_many(&mut self, secrets: Vec<NewSecret>) -> Result<Vec<Registered>> {
        let now = self.now();
        let mut prepared = Vec::with_capacity(secrets.len());
        for new in secrets {
            prepared.push(self.prepare(new, now)?);
        }
        self.write(|tx, ctx| prepared.into_iter().map(|p| insert(tx, ctx, p)).collect())
    }

    pub(super) fn prepare(&self, new: NewSecret, now: Timestamp) -> Result<Prepared> {
        self.prepare_versions(new, &[], now)
    }

    /// Prepares a secret whose history is `older` (oldest first) then `new.data`.
    pub(super) fn prepare_versions(
        &self,
        mut new: NewSecret,
        older: &[SecretData],
        now: Timestamp,
    ) -> Result<Prepared> {
        let master = *self.keys()?.master.bytes();
        let master = Zeroizing::new(master);
        if new.expires_at.is_none() {
            new.expires_at = derived_expiry(&new.data);
            // An expired certificate is still worth keeping: its expiry is a fact.
            if new.expires_at.is_some() {
                new.allow_past_expiry = true;
            }
        }
        check_new(&new, now)?;
        let id = SecretId::random()?;
        let (protection, password_lock, wrapping_key, generated_password) =
            match std::mem::take(&mut new.protection) {
                NewProtection::Vault => (Protection::Vault, None, master, None),
                NewProtection::Password(password) => {
                    let (lock, key) = seal::password_lock(&self.vault_id, &id, &password)?;
                    (Protection::Password, Some(lock), key, None)
                }
                NewProtection::GeneratePassword => {
                    let password = crypto::generate_password()?;
                    let (lock, key) = seal::password_lock(&self.vault_id, &id, &password)?;
                    (Protection::Password, Some(lock), key, Some(password))
                }
            };
        if let Some(other) = older.iter().find(|d| d.kind() != new.data.kind()) {
            return Err(Error::invalid(
                "versions",
                format!(
                    "{}: an earlier version is {}, the current one {}",
                    new.name,
                    other.kind(),
                    new.data.kind()
                ),
            ));
        }
        let older = older
            .iter()
            .zip(1u32..)
            .map(|(data, version)| seal::seal(&self.vault_id, &id, version, &wrapping_key, data))
            .collect::<Result<Vec<_>>>()?;
        let current = u32::try_from(older.len() + 1)
            .map_err(|_| Error::invalid("versions", "too many versions"))?;
        let sealed = seal::seal(&self.vault_id, &id, current, &wrapping_key, &new.data)?;
        Ok(Prepared {
            org: new.org.clone().unwrap_or_else(|| DEFAULT_ORG.to_owned()),
            expires_at: new.expires_at,
            new,
            id,
            protection,
            password_lock,
            generated_password,
            older,
            sealed,
            action: "secret.create",
            extra: None,
        })
    }
}

pub(super) fn insert(tx: &StoreTx<'_>, ctx: &VaultCtx<'_>, p: Prepared) -> Result<Registered> {
    let (org_id, _) = tx.ensure_org(&p.org, ctx.now.unix())?;
    if let Some(existing) = tx.read().secret_by_name(&p.org, &p.new.name)? {
        return Err(Error::AlreadyExists {
            org: p.org,
            name: p.new.name,
            in_trash: existing.deleted_at.is_some(),
        });
    }
    let project_id = match &p.new.project {
        Some(project) => Some(tx.ensure_project(org_id, project, ctx.now.unix())?),
        None => None,
    };
    let rowid = tx.insert_secret(&NewSecretRow {
        id: p.id,
        org_id,
        project_id,
        name: &p.new.name,
        kind: p.new.data.kind(),
        description: &p.new.description,
        visibility: p.new.visibility,
        owner: ctx.actor,
        write_only: p.new.write_only,
        protection: p.protection,
        password_lock: p.password_lock,
        expires_at: p.expires_at,
        public_fields: p.sealed.public_fields.clone(),
        labels: &p.new.labels,
        now: ctx.now,
    })?;
    let note = if p.action == "secret.create" {
        "created"
    } else {
        "imported"
    };
    for (sealed, version) in p.older.iter().zip(1u32..) {
        tx.insert_version(rowid, &sealed.row(version, ctx.now, p.expires_at, note))?;
    }
    let current = p.older.len() as u32 + 1;
    tx.insert_version(rowid, &p.sealed.row(current, ctx.now, p.expires_at, note))?;
    if current > 1 {
        tx.set_current_version(
            rowid,
            current,
            &p.sealed.public_fields,
            p.expires_at,
            ctx.now,
        )?;
    }
    let target = format!("{}:{}", p.org, p.new.name);
    let mut detail = json!({
        "type": p.new.data.kind(),
        "version": current,
        "protection": p.protection,
        "write_only": p.new.write_only,
    });
    if let (Some(serde_json::Value::Object(extra)), Some(map)) = (p.extra, detail.as_object_mut()) {
        map.extend(extra);
    }
    ctx.audit_secret(tx, p.action, &p.id, &target, detail)?;
    let mut row = tx
        .read()
        .secret_by_id(&p.id)?
        .ok_or_else(|| Error::Internal("a registered secret vanished".into()))?;
    if super::update::prune(tx, ctx, &row, current)? {
        row = tx
            .read()
            .secret_by_id(&p.id)?
            .ok_or_else(|| Error::Internal("a registered secret vanished".into()))?;
    }
    Ok(Registered {
        meta: super::read::meta_of(tx.read(), &row, ctx.now, ctx.settings)?,
        generated_password: p.generated_password,
    })
}
