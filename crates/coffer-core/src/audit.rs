//! The append-only audit log: who did what, when; never values. Each entry
//! carries a MAC over its content and the previous entry's MAC, keyed by a
//! vault secret, so editing, removing or reordering entries shows.

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::secret::SecretId;
use crate::store::{AuditRow, Db, NewAuditRow, Reader, StoreTx};

const HEAD_KEY: &str = "audit_head";

/// An audit entry as shown.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: u32,
    /// When.
    pub at: Timestamp,
    /// Who (the OS user).
    pub actor: String,
    /// What (`secret.create`, `secret.reveal`, `vault.unlock`, ...).
    pub action: String,
    /// The secret concerned, if any.
    pub secret_id: Option<SecretId>,
    /// What it was done to, in words (`Default:db-password`, the vault path).
    pub target: String,
    /// Details without values (version numbers, field names, reasons).
    #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, specta_typescript::Unknown>))]
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub(crate) fn from_row(row: AuditRow) -> Self {
        Self {
            seq: u32::try_from(row.seq).unwrap_or(u32::MAX),
            at: row.at,
            actor: row.actor,
            action: row.action,
            secret_id: row.secret_id.and_then(|b| b.try_into().ok()).map(SecretId),
            target: row.target,
            detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// The result of checking the chain.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct AuditVerification {
    /// Entries checked.
    pub entries: u32,
    /// Whether the whole log verified.
    pub ok: bool,
    /// The first entry that fails, if any.
    pub first_broken: Option<u32>,
    /// What is wrong there.
    pub reason: Option<String>,
}

fn mac_of(key: &[u8; 32], prev: &[u8], row: &NewAuditRow<'_>) -> Result<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|_| Error::Internal("HMAC key length".into()))?;
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    field(b"coffer/audit/v1");
    field(prev);
    field(&row.seq.to_be_bytes());
    field(&row.at.unix().to_be_bytes());
    field(row.actor.as_bytes());
    field(row.action.as_bytes());
    field(row.secret_id.unwrap_or(b""));
    field(row.target.as_bytes());
    field(row.detail.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

fn head_tag(key: &[u8; 32], seq: i64, mac: &[u8]) -> Result<[u8; 32]> {
    crate::crypto::check_value(key, "coffer/audit-head/v1", &[&seq.to_be_bytes(), mac])
}

/// What to record.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    pub action: &'a str,
    pub secret_id: Option<&'a SecretId>,
    pub target: &'a str,
    pub detail: serde_json::Value,
}

/// Chains the next entry when the log no longer ends where its head says
/// (entries were removed): that entry then fails verification, so the cut
/// stays visible however much is appended after it.
const CUT_MARKER: [u8; 32] = [0xFF; 32];

/// The action of every log's first entry.
const FIRST_ACTION: &str = "vault.create";

/// The sequence number and tag stored in the head record.
fn parse_head(bytes: &[u8]) -> Option<(i64, &[u8])> {
    let seq = i64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    (bytes.len() == 40).then(|| (seq, &bytes[8..]))
}

/// Where the next entry goes: after the newest entry when the head vouches
/// for it; otherwise after the highest sequence number either claims,
/// chained from [`CUT_MARKER`].
fn next_link(read: Reader<'_>, key: &[u8; 32]) -> Result<(i64, Vec<u8>)> {
    let tail = read.audit_head()?;
    let head = read.meta(HEAD_KEY)?;
    let claimed = head.as_deref().and_then(parse_head);
    match (&tail, claimed, &head) {
        (None, _, None) => return Ok((0, vec![0u8; 32])),
        (Some((seq, mac)), Some((head_seq, tag)), _)
            if *seq == head_seq && bool::from(head_tag(key, *seq, mac)?.ct_eq(tag)) =>
        {
            return Ok((*seq, mac.clone()));
        }
        _ => {}
    }
    let after = tail
        .map_or(0, |(seq, _)| seq)
        .max(claimed.map_or(0, |(seq, _)| seq));
    Ok((after, CUT_MARKER.to_vec()))
}

/// Appends an entry inside the caller's transaction.
pub(crate) fn append(
    tx: &StoreTx<'_>,
    key: &[u8; 32],
    at: Timestamp,
    actor: &str,
    record: Record<'_>,
) -> Result<i64> {
    append_linked(tx, key, key, at, actor, record)
}

/// Appends an entry MAC'd with `key`, chained from the log's end as vouched
/// for by `link_key` (the previous epoch's key when a rotation starts a new
/// audit-key epoch). Returns the entry's sequence number.
pub(crate) fn append_linked(
    tx: &StoreTx<'_>,
    link_key: &[u8; 32],
    key: &[u8; 32],
    at: Timestamp,
    actor: &str,
    record: Record<'_>,
) -> Result<i64> {
    let (prev_seq, prev_mac) = next_link(tx.read(), link_key)?;
    let detail = serde_json::to_string(&record.detail)
        .map_err(|e| Error::Internal(format!("encoding audit detail: {e}")))?;
    let mut row = NewAuditRow {
        seq: prev_seq + 1,
        at,
        actor,
        action: record.action,
        secret_id: record.secret_id.map(|id| &id.0[..]),
        target: record.target,
        detail: &detail,
        mac: &[],
    };
    let mac = mac_of(key, &prev_mac, &row)?;
    row.mac = &mac;
    tx.insert_audit(&row)?;
    let mut head = row.seq.to_be_bytes().to_vec();
    head.extend_from_slice(&head_tag(key, row.seq, &mac)?);
    tx.set_meta(HEAD_KEY, &head)?;
    Ok(row.seq)
}

/// The audit keys of a log: one per epoch (a master-key rotation starts a
/// new one), each used from its first entry on.
pub(crate) struct AuditKeys {
    /// `(first seq, key)` in ascending order; the last is the current key.
    pub epochs: Vec<(i64, crate::crypto::Key32)>,
}

impl AuditKeys {
    fn key_for(&self, seq: i64) -> Option<&[u8; 32]> {
        self.epochs
            .iter()
            .rev()
            .find(|(from, _)| *from <= seq)
            .map(|(_, key)| &**key)
    }
}

/// Walks the log and reports the first entry that does not verify.
pub(crate) fn verify(db: Reader<'_>, keys: &AuditKeys) -> Result<AuditVerification> {
    let mut prev_seq = 0i64;
    let mut prev_mac = vec![0u8; 32];
    let mut broken: Option<(i64, String)> = None;
    db.audit_each(|row| {
        if row.seq != prev_seq + 1 {
            broken = Some((prev_seq + 1, format!("entry {} is missing", prev_seq + 1)));
            return Ok(false);
        }
        let Some(key) = keys.key_for(row.seq) else {
            broken = Some((row.seq, format!("no audit key covers entry {}", row.seq)));
            return Ok(false);
        };
        let new = NewAuditRow {
            seq: row.seq,
            at: row.at,
            actor: &row.actor,
            action: &row.action,
            secret_id: row.secret_id.as_deref(),
            target: &row.target,
            detail: &row.detail,
            mac: &[],
        };
        let expected = mac_of(key, &prev_mac, &new)?;
        if !bool::from(expected.ct_eq(&row.mac[..])) {
            let cut = mac_of(key, &CUT_MARKER, &new)?;
            let reason = if bool::from(cut.ct_eq(&row.mac[..])) {
                format!(
                    "entries after {prev_seq} were removed before entry {} was written",
                    row.seq
                )
            } else {
                format!("entry {} was altered", row.seq)
            };
            broken = Some((row.seq, reason));
            return Ok(false);
        }
        if row.seq == 1 && row.action != FIRST_ACTION {
            broken = Some((1, "the log does not begin with the vault's creation".into()));
            return Ok(false);
        }
        prev_seq = row.seq;
        prev_mac = row.mac;
        Ok(true)
    })?;
    if broken.is_none() {
        let key = keys
            .epochs
            .last()
            .map(|(_, k)| &**k)
            .ok_or_else(|| Error::Internal("no audit key".into()))?;
        let head = db.meta(HEAD_KEY)?;
        // No head at all is a failure too: every vault's log starts with its
        // creation, so an empty log without a head was wiped.
        let ok = match head.as_deref().and_then(parse_head) {
            Some((seq, tag)) => {
                seq == prev_seq && bool::from(head_tag(key, seq, &prev_mac)?.ct_eq(tag))
            }
            None => false,
        };
        if !ok {
            broken = Some((
                prev_seq + 1,
                format!("entries after {prev_seq} were removed"),
            ));
        }
    }
    let to_u32 = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(AuditVerification {
        entries: to_u32(prev_seq),
        ok: broken.is_none(),
        first_broken: broken.as_ref().map(|(seq, _)| to_u32(*seq)),
        reason: broken.map(|(_, reason)| reason),
    })
}
