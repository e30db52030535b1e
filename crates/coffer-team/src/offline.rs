//! Offline use of shared secrets. By default a reveal or use needs the
//! server, so that its audit records it; an organization's `offline_use`
//! setting (administrators only: PostgreSQL refuses a member's role; signed
//! by the administrator who set it) lets this desktop reveal and use its
//! secrets from the replica while the server is unreachable. Then, and only
//! for those organizations, the replica keeps each secret's value with its
//! metadata (one record, sealed under the master key by the core), and each
//! offline reveal or use is queued (core schema 13: sealed, tagged, in
//! order) and uploaded on reconnect as a signed `secret.reveal.offline` /
//! `secret.use.offline` entry at the time it happened. With the setting off
//! an offline reveal is `unreachable`, and the next sync drops the values.

use coffer_core::secret::SecretData;
use coffer_core::{Timestamp, Vault};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::members::show_id;
use crate::records;
use crate::secret_record::decode_value;
use crate::secrets::{OrgContext, SharedSecret, refuse_reveal};
use crate::team::{TeamVault, uuid};

/// The setting's key in `coffer.org_settings`.
const OFFLINE_USE: &str = "offline_use";

/// A replica record with a value starts with this byte (metadata-only
/// records are JSON and start with `{`).
const WITH_VALUE: u8 = 1;

/// One replica record: the verified metadata and, where the organization
/// allows offline use, the value (the encoded fields).
pub(crate) fn encode_record(
    secret: &SharedSecret,
    value: Option<&[u8]>,
) -> Result<Zeroizing<Vec<u8>>> {
    let json = serde_json::to_vec(secret)
        .map_err(|e| Error::Internal(format!("encoding a replica record: {e}")))?;
    let Some(value) = value else {
        return Ok(Zeroizing::new(json));
    };
    let mut out = Zeroizing::new(Vec::with_capacity(5 + json.len() + value.len()));
    out.push(WITH_VALUE);
    out.extend_from_slice(&u32::try_from(json.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(value);
    Ok(out)
}

/// Reads what [`encode_record`] wrote.
pub(crate) fn decode_record(bytes: &[u8]) -> Result<(SharedSecret, Option<Zeroizing<Vec<u8>>>)> {
    let bad = || Error::tampered("a replica record");
    let (json, value) = match bytes.first() {
        Some(&WITH_VALUE) => {
            let len = bytes
                .get(1..5)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
                .ok_or_else(bad)? as usize;
            let json = bytes.get(5..5 + len).ok_or_else(bad)?;
            let value = Zeroizing::new(bytes[5 + len..].to_vec());
            (json, Some(value))
        }
        _ => (bytes, None),
    };
    let secret = serde_json::from_slice(json).map_err(|_| bad())?;
    Ok((secret, value))
}

/// A reveal or use made offline, queued for the server's audit.
#[derive(Serialize, Deserialize)]
struct Queued {
    action: String,
    org_id: String,
    target: String,
    at: i64,
    note: Option<String>,
}

impl TeamVault {
    /// Allows (or forbids) revealing and using `org`'s secrets from the
    /// replica while the server is unreachable. Administrators only (a
    /// member gets `forbidden`, and PostgreSQL refuses its role anyway);
    /// signed, audited (`org.offline_use`).
    pub fn set_offline_use(&mut self, org: &str, allowed: bool, now: Timestamp) -> Result<()> {
        let ctx = self.org_context(org)?;
        let me = self.me.member_id;
        if ctx.roster.admin(&me, "").is_err() {
            return Err(Error::Forbidden {
                operation: "changing an organization's offline use".into(),
                reason: "only an administrator may".into(),
            });
        }
        let team = self.me.team_id;
        let value = if allowed { "on" } else { "off" };
        let at = now.unix();
        let sig = self.me.sign(&records::org_setting(
            &team,
            &ctx.org,
            OFFLINE_USE,
            value,
            at,
            &me,
        ));
        let fail = self.fail("saving an organization setting");
        let mut tx = self.client.transaction().map_err(&fail)?;
        tx.execute(
            "INSERT INTO coffer.org_settings (org_id, key, value, at, set_by, sig)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (org_id, key) DO UPDATE SET value = excluded.value,
                at = excluded.at, set_by = excluded.set_by, sig = excluded.sig",
            &[&uuid(&ctx.org), &OFFLINE_USE, &value, &at, &uuid(&me), &sig],
        )
        .map_err(&fail)?;
        Self::audit(
            &mut tx,
            &self.me,
            now,
            "org.offline_use",
            &show_id(&ctx.org),
        )
        .map_err(&fail)?;
        tx.commit().map_err(&fail)
    }

    /// Whether `org` allows offline use (its setting verified).
    pub fn offline_use(&mut self, org: &str) -> Result<bool> {
        let ctx = self.org_context(org)?;
        self.offline_allowed(&ctx)
    }

    /// The verified `offline_use` setting of an organization (off when unset):
    /// signed by a confirmed administrator of the verified roster, else
    /// `tampered`.
    pub(crate) fn offline_allowed(&mut self, ctx: &OrgContext) -> Result<bool> {
        let fail = self.fail("reading an organization setting");
        let Some(row) = self
            .client
            .query_opt(
                "SELECT value, at, set_by, sig FROM coffer.org_settings
                 WHERE org_id = $1 AND key = $2",
                &[&uuid(&ctx.org), &OFFLINE_USE],
            )
            .map_err(fail)?
        else {
            return Ok(false);
        };
        let value: String = row.get(0);
        let at: i64 = row.get(1);
        let set_by: uuid::Uuid = row.get(2);
        let sig: Vec<u8> = row.get(3);
        let what = format!("the offline setting of organization {}", ctx.name);
        let admin = ctx
            .roster
            .confirmed(set_by.as_bytes())
            .filter(|m| m.role == "administrator")
            .ok_or_else(|| Error::tampered(format!("{what} (not set by an administrator)")))?;
        let message = records::org_setting(
            &self.me.team_id,
            &ctx.org,
            OFFLINE_USE,
            &value,
            at,
            set_by.as_bytes(),
        );
        admin.keys.verify(&message, &sig, &what)?;
        match value.as_str() {
            "on" => Ok(true),
            "off" => Ok(false),
            _ => Err(Error::tampered(what)),
        }
    }

    /// Uploads the reveals and uses queued while offline, oldest first,
    /// each a signed entry at the time it happened; one already on the
    /// server (uploaded before a crash) is not sent twice. Returns how many
    /// were uploaded.
    pub(crate) fn upload_queue(&mut self, vault: &mut Vault) -> Result<usize> {
        let team = self.me.team_id;
        let queued = vault.team_queue(&team)?;
        let mut uploaded = 0;
        for entry in queued {
            let q: Queued = serde_json::from_slice(&entry.record)
                .map_err(|_| Error::tampered("a queued team-vault entry"))?;
            let secret = uuid::Uuid::parse_str(&q.target)
                .map_err(|_| Error::tampered("a queued team-vault entry"))?;
            let note = match (&q.note, self.org_context(&q.org_id)) {
                (Some(note), Ok(ctx)) => Some(crate::uses::seal_note(
                    &team,
                    &ctx,
                    secret.as_bytes(),
                    note,
                )?),
                (_, Err(e @ Error::Unreachable { .. })) => return Err(e),
                _ => None,
            };
            let fail = self.fail("uploading the offline audit");
            let me = uuid(&self.me.member_id);
            let mut tx = self.client.transaction().map_err(&fail)?;
            let there = tx
                .query_opt(
                    "SELECT 1 FROM coffer.audit
                     WHERE actor = $1 AND at = $2 AND action = $3 AND target = $4",
                    &[&me, &q.at, &q.action, &q.target],
                )
                .map_err(&fail)?
                .is_some();
            if !there {
                Self::audit_noted(
                    &mut tx,
                    &self.me,
                    Timestamp::from_unix(q.at),
                    &q.action,
                    &q.target,
                    note.as_deref(),
                )
                .map_err(&fail)?;
            }
            tx.commit().map_err(&fail)?;
            vault.remove_team_entry(&entry.id)?;
            uploaded += usize::from(!there);
        }
        Ok(uploaded)
    }
}

/// Reveals a shared secret: through the server (audited there), or, when
/// the server is unreachable and the organization allows offline use, from
/// the replica with the entry queued. Returns whether it was offline.
pub fn reveal_shared(
    vault: &mut Vault,
    org: &str,
    name: &str,
    now: Timestamp,
) -> Result<(SharedSecret, SecretData, bool)> {
    let online =
        TeamVault::open(vault, None).and_then(|mut tv| tv.reveal_shared_secret(org, name, now));
    match online {
        Ok((secret, data)) => Ok((secret, data, false)),
        Err(e @ Error::Unreachable { .. }) => {
            offline(vault, org, name, "secret.reveal.offline", None, now, e)
                .map(|(s, d)| (s, d, true))
        }
        Err(e) => Err(e),
    }
}

/// Uses a shared secret for `purpose` (`job NAME run N`): through the
/// server, or offline as [`reveal_shared`] does (a write-only secret may be
/// used). Returns whether it was offline.
pub fn use_shared(
    vault: &mut Vault,
    org: &str,
    name: &str,
    purpose: &str,
    now: Timestamp,
) -> Result<(SharedSecret, SecretData, bool)> {
    let online = TeamVault::open(vault, None)
        .and_then(|mut tv| tv.use_shared_secret(org, name, purpose, now));
    match online {
        Ok((secret, data)) => Ok((secret, data, false)),
        Err(e @ Error::Unreachable { .. }) => offline(
            vault,
            org,
            name,
            "secret.use.offline",
            Some(purpose),
            now,
            e,
        )
        .map(|(s, d)| (s, d, true)),
        Err(e) => Err(e),
    }
}

/// The offline path: the replica's value if its organization allowed
/// offline use at the last sync, the entry queued; else `unreachable`.
fn offline(
    vault: &mut Vault,
    org: &str,
    name: &str,
    action: &str,
    purpose: Option<&str>,
    now: Timestamp,
    unreachable: Error,
) -> Result<(SharedSecret, SecretData)> {
    let me = crate::local::identity(vault, None)?;
    let org = org.trim();
    let found = vault.team_replica(&me.team_id)?.iter().find_map(|bytes| {
        decode_record(bytes)
            .map(|(s, value)| {
                (s.name == name && (s.org == org || s.org_id == org.to_ascii_lowercase()))
                    .then_some((s, value))
            })
            .transpose()
    });
    let Some((secret, Some(value))) = found.transpose()? else {
        // Not allowed offline (no value kept), or not in the replica.
        return Err(unreachable);
    };
    let write_only = secret.write_only && action != "secret.use.offline";
    refuse_reveal(&secret.status, write_only, name, &secret.org)?;
    let what = format!("shared secret {} (replica)", secret.id);
    let kind = coffer_core::secret::SecretType::parse(&secret.kind)
        .map_err(|_| Error::tampered(what.clone()))?;
    let data = decode_value(kind, &value, &what)?;
    let queued = Queued {
        action: action.to_owned(),
        org_id: secret.org_id.clone(),
        target: secret.id.clone(),
        at: now.unix(),
        note: purpose.map(str::to_owned),
    };
    let record = serde_json::to_vec(&queued)
        .map_err(|e| Error::Internal(format!("encoding a queued entry: {e}")))?;
    vault.queue_team_entry(&me.team_id, &record)?;
    Ok((secret, data))
}
