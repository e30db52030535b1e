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
    sealed: seal::SealedVersion,
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

    pub(super) fn prepare(&self, mut new: NewSecret, now: Timestamp) -> Result<Prepared> {
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
        let sealed = seal::seal(&self.vault_id, &id, 1, &wrapping_key, &new.data)?;
        Ok(Prepared {
            org: new.org.clone().unwrap_or_else(|| DEFAULT_ORG.to_owned()),
            expires_at: new.expires_at,
            new,
            id,
            protection,
            password_lock,
            generated_password,
            sealed,
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
    tx.insert_version(rowid, &p.sealed.row(1, ctx.now, p.expires_at, "created"))?;
    let target = format!("{}:{}", p.org, p.new.name);
    let detail = json!({
        "type": p.new.data.kind(),
        "version": 1,
        "protection": p.protection,
        "write_only": p.new.write_only,
    });
    ctx.audit_secret(tx, "secret.create", &p.id, &target, detail)?;
    let row = tx
        .read()
        .secret_by_id(&p.id)?
        .ok_or_else(|| Error::Internal("a registered secret vanished".into()))?;
    Ok(Registered {
        meta: super::read::meta_of(tx.read(), &row, ctx.now, ctx.settings)?,
        generated_password: p.generated_password,
    })
}
