//! The local replica of a team vault and its sync: pull the rows changed
//! since the revision the replica has seen (the revision counter is the
//! truth), verify them, store them sealed in the local vault. Listing reads
//! the replica, so it is fast and works offline ("offline, as of ...").
//! A server whose revision is lower than one this client has seen is
//! refused (`rollback`). LISTEN/NOTIFY is only a hint to sync sooner.

use std::time::Duration;

use coffer_core::{Timestamp, Vault};
use postgres::fallible_iterator::FallibleIterator as _;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::local;
use crate::offline::{decode_record, encode_record};
use crate::secrets::{SharedSecret, open_value};
use crate::team::TeamVault;

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// The server revision the replica now stands at.
    pub revision: i64,
    /// Shared secrets added or changed in the replica.
    pub changed: usize,
}

/// Shared secrets as this desktop knows them.
#[derive(Debug, Clone, Serialize)]
pub struct SharedListing {
    /// Every shared secret in the replica (of the organization asked for),
    /// sorted by organization and name.
    pub secrets: Vec<SharedSecret>,
    /// Whether the server answered (and the replica was synced just now).
    pub online: bool,
    /// When the replica was last synced: what "offline, as of ..." shows.
    pub as_of: Option<Timestamp>,
    /// Why the server did not answer, when offline.
    pub offline_reason: Option<String>,
}

/// Brings the replica of this vault's team vault up to date.
pub fn sync(vault: &mut Vault, team: Option<&str>) -> Result<SyncReport> {
    let mut tv = TeamVault::open(vault, team)?;
    sync_with(&mut tv, vault)
}

/// [`sync`] over an open connection. Reveals and uses queued while offline
/// are uploaded first. For organizations that allow offline use the replica
/// keeps each secret's value too (all of them are read again the first time);
/// for the others it keeps none (values kept before are dropped).
pub fn sync_with(tv: &mut TeamVault, vault: &mut Vault) -> Result<SyncReport> {
    let team = tv.me.team_id;
    let seen = vault.team_replica_state(&team)?.map(|s| s.revision);
    let check = |found: i64| crate::rollback::check(seen.unwrap_or(0), found);
    check(tv.revision()?)?;
    tv.upload_queue(vault)?;
    let since = seen.unwrap_or(0);
    // What the replica holds: per secret, its metadata and whether a value.
    let held: Vec<(SharedSecret, bool)> = vault
        .team_replica(&team)?
        .iter()
        .map(|bytes| decode_record(bytes).map(|(s, v)| (s, v.is_some())))
        .collect::<Result<_>>()?;
    let mut revision = i64::MAX;
    let mut records = Vec::new();
    for org in tv.organizations()? {
        let mut ctx = tv.org_context(&org.id)?;
        let offline = tv.offline_allowed(&ctx)?;
        let of_org = || held.iter().filter(|(s, _)| s.org_id == org.id);
        // Values missing (offline use just allowed): read every row again.
        let from = if offline && of_org().any(|(s, v)| !v && s.status != "trashed") {
            0
        } else {
            since
        };
        let (at, changed) = tv.changed_rows(&mut ctx, from)?;
        check(at)?;
        revision = revision.min(at);
        let mut written = std::collections::HashSet::new();
        for (row, opened) in changed {
            let value = if offline && opened.secret.status != "trashed" {
                Some(open_value(&team, &opened, &row)?)
            } else {
                None
            };
            written.insert(row.id);
            records.push((
                row.id,
                encode_record(&opened.secret, value.as_ref().map(|v| v.as_slice()))?,
            ));
        }
        if !offline {
            for (secret, _) in of_org().filter(|(_, v)| *v) {
                let id = uuid::Uuid::parse_str(&secret.id)
                    .map_err(|_| Error::tampered("a replica record"))?;
                if !written.contains(id.as_bytes()) {
                    records.push((*id.as_bytes(), encode_record(secret, None)?));
                }
            }
        }
    }
    if revision == i64::MAX {
        revision = tv.revision()?;
        check(revision)?;
    }
    vault.save_team_replica(&team, &records, revision)?;
    Ok(SyncReport {
        revision,
        changed: records.len(),
    })
}

/// The replica's shared secrets (of `org`, a name or id, when given):
/// synced first when the server answers, else as of the last sync.
pub fn list_shared(
    vault: &mut Vault,
    team: Option<&str>,
    org: Option<&str>,
) -> Result<SharedListing> {
    let (online, offline_reason) = match sync(vault, team) {
        Ok(_) => (true, None),
        Err(e @ Error::Unreachable { .. }) => (false, Some(e.to_string())),
        Err(e) => return Err(e),
    };
    let me = local::identity(vault, team)?;
    let state = vault.team_replica_state(&me.team_id)?;
    let mut secrets = replica_secrets(vault, &me.team_id)?;
    if let Some(org) = org.map(str::trim) {
        secrets.retain(|s| s.org == org || s.org_id == org.to_ascii_lowercase());
    }
    secrets.sort_by(|a, b| (&a.org, &a.name).cmp(&(&b.org, &b.name)));
    Ok(SharedListing {
        secrets,
        online,
        as_of: state.map(|s| s.synced_at),
        offline_reason,
    })
}

/// Every record of the replica of team vault `team` (metadata only).
fn replica_secrets(vault: &Vault, team: &[u8; 16]) -> Result<Vec<SharedSecret>> {
    vault
        .team_replica(team)?
        .iter()
        .map(|bytes| decode_record(bytes).map(|(s, _)| s))
        .collect()
}

/// A shared secret of this desktop's replica, by organization (name or id)
/// and name, without asking the server (metadata only): what a job checks
/// before it uses one. `None` when the replica holds no such secret, or
/// this vault joined no team vault.
pub fn replica_secret(vault: &Vault, org: &str, name: &str) -> Result<Option<SharedSecret>> {
    if vault.team_identities()?.is_empty() {
        return Ok(None);
    }
    let me = match local::identity(vault, None) {
        Ok(me) => me,
        Err(Error::NoIdentity { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let org = org.trim();
    Ok(replica_secrets(vault, &me.team_id)?
        .into_iter()
        .find(|s| (s.org == org || s.org_id == org.to_ascii_lowercase()) && s.name == name))
}

/// Whether `org` names a shared organization of this vault's team vault:
/// found in the replica, else asked of the server. A vault that joined no
/// team vault (or the Default organization) answers `false` at once.
pub fn is_shared_org(vault: &mut Vault, org: &str) -> Result<bool> {
    let org = org.trim();
    if org == coffer_core::secret::DEFAULT_ORG || vault.team_identities()?.is_empty() {
        return Ok(false);
    }
    let me = match local::identity(vault, None) {
        Ok(me) => me,
        Err(Error::NoIdentity { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    if replica_secrets(vault, &me.team_id)?
        .iter()
        .any(|s| s.org == org)
    {
        return Ok(true);
    }
    let mut tv = TeamVault::open(vault, None)?;
    Ok(tv.organizations()?.iter().any(|o| o.name == org))
}

impl TeamVault {
    /// Waits up to `timeout` for the server to announce a change (NOTIFY on
    /// `coffer_revision`); returns the announced revision, or `None` when
    /// nothing came. The first call starts listening; call [`sync`] when it
    /// returns a revision.
    pub fn watch(&mut self, timeout: Duration) -> Result<Option<i64>> {
        let fail = self.fail("waiting for changes");
        if !self.listening {
            self.client
                .batch_execute("LISTEN coffer_revision")
                .map_err(&fail)?;
            self.listening = true;
        }
        let mut notifications = self.client.notifications();
        let next = notifications.timeout_iter(timeout).next().map_err(&fail)?;
        Ok(next.map(|n| n.payload().parse().unwrap_or(0)))
    }
}
