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
use crate::members::show_id;
use crate::offline::{decode_record, encode_record};
use crate::secrets::{READ_TRIES, SELECT_CURRENT, SharedSecret, covered, open_value, row, verify};
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

/// How far a sync has come: shared secrets verified and stored in the
/// replica, of those the server's snapshot holds for it. `done` only grows
/// and the last report has `done == total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// Records verified and stored so far.
    pub done: usize,
    /// Records to take in all (changed since the replica's revision).
    pub total: usize,
}

/// Rows fetched, verified and stored per page of a sync (the usual `page`
/// of [`sync_with_progress`]).
pub const SYNC_PAGE: i32 = 1000;

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
    sync_with_progress(tv, SYNC_PAGE, &mut |f| f(vault), &mut |_| {})
}

/// Lends the local vault to one step of a sync (see [`sync_with_progress`]).
pub type LendVault<'a> = dyn FnMut(&mut dyn FnMut(&mut Vault) -> Result<()>) -> Result<()> + 'a;

/// [`sync_with`] in pages of `page` rows ([`SYNC_PAGE`]), for callers that share the
/// local vault (the app): `with_vault` lends it for each short step (the
/// replica's revision at the start, one page stored, the new revision at
/// the end) and never while the server is read, so listing from the replica
/// keeps working during a long first sync; `on_progress` hears after each
/// page (first with `done: 0`); the audit checkpoint verified on the way
/// is kept at the end ([`TeamVault::keep_checkpoint`]). Every row is read in one repeatable-read
/// snapshot. A sync cut short keeps the pages it stored (each verified) at
/// the old revision; the next sync takes them again.
pub fn sync_with_progress(
    tv: &mut TeamVault,
    page: i32,
    with_vault: &mut LendVault<'_>,
    on_progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncReport> {
    let team = tv.me.team_id;
    let mut seen = None;
    with_vault(&mut |vault| {
        seen = vault.team_replica_state(&team)?.map(|s| s.revision);
        Ok(())
    })?;
    let check = |found: i64| crate::rollback::check(seen.unwrap_or(0), found);
    check(tv.revision()?)?;
    with_vault(&mut |vault| tv.upload_queue(vault).map(|_| ()))?;
    let since = seen.unwrap_or(0);
    // What the replica holds: per secret, its metadata and whether a value
    // (kept for organizations that allow offline use).
    let mut held: Vec<(SharedSecret, bool)> = Vec::new();
    with_vault(&mut |vault| {
        held = vault
            .team_replica(&team)?
            .iter()
            .map(|bytes| decode_record(bytes).map(|(s, v)| (s, v.is_some())))
            .collect::<Result<_>>()?;
        Ok(())
    })?;
    // Per organization: its context, whether values are kept, and the
    // revision to read from (0 when offline use was just allowed and values
    // are missing: every row again).
    let mut orgs = Vec::new();
    for org in tv.organizations()? {
        let ctx = tv.org_context(&org.id)?;
        let offline = tv.offline_allowed(&ctx)?;
        let missing = offline
            && held
                .iter()
                .any(|(s, v)| s.org_id == org.id && !v && s.status != "trashed");
        orgs.push((ctx, offline, if missing { 0 } else { since }));
    }
    let fail = tv.fail("syncing shared secrets");
    let mut reported = 0usize;
    let mut attempt = 0;
    let (revision, progress) = loop {
        attempt += 1;
        let (mut tx, revision) = snapshot(&mut tv.client, &fail)?;
        check(revision)?;
        let mut total = 0usize;
        for (ctx, _, from) in &orgs {
            let count: i64 = tx
                .query_one(
                    &format!("SELECT count(*) FROM ({SELECT_CURRENT} AND s.rev > $2) c"),
                    &[&crate::team::uuid(&ctx.org), from],
                )
                .map_err(&fail)?
                .get(0);
            total += usize::try_from(count).unwrap_or(0);
        }
        let mut progress = SyncProgress { done: 0, total };
        if attempt == 1 {
            on_progress(progress);
        }
        // A row newer than the audit chain read with the roster (a write
        // that landed in between): read the roster again and start over.
        let mut stale = false;
        'orgs: for (ctx, offline, from) in &orgs {
            let portal = tx
                .bind(
                    &format!("{SELECT_CURRENT} AND s.rev > $2"),
                    &[&crate::team::uuid(&ctx.org), from],
                )
                .map_err(&fail)?;
            let mut written = std::collections::HashSet::new();
            loop {
                let rows = tx.query_portal(&portal, page.max(1)).map_err(&fail)?;
                if rows.is_empty() {
                    break;
                }
                let rows: Vec<_> = rows.iter().map(row).collect();
                if !covered(ctx, &rows) {
                    stale = true;
                    break 'orgs;
                }
                let mut records = Vec::with_capacity(rows.len());
                for r in &rows {
                    let opened = verify(&team, ctx, r)?;
                    let value = if *offline && opened.secret.status != "trashed" {
                        Some(open_value(&team, &opened, r)?)
                    } else {
                        None
                    };
                    written.insert(r.id);
                    records.push((
                        r.id,
                        encode_record(&opened.secret, value.as_ref().map(|v| v.as_slice()))?,
                    ));
                }
                // One snapshot: its rows and its count agree, or the server lies.
                if progress.done + records.len() > progress.total {
                    return Err(miscounted());
                }
                with_vault(&mut |vault| {
                    vault.save_team_replica(&team, &records, since)?;
                    Ok(())
                })?;
                progress.done += records.len();
                if progress.done > reported {
                    reported = progress.done;
                    on_progress(progress);
                }
            }
            // Offline use no longer allowed: values kept before are dropped.
            if !offline {
                let org_id = show_id(&ctx.org);
                let mut records = Vec::new();
                for (secret, _) in held.iter().filter(|(s, v)| *v && s.org_id == org_id) {
                    let id = uuid::Uuid::parse_str(&secret.id)
                        .map_err(|_| Error::tampered("a replica record"))?;
                    if !written.contains(id.as_bytes()) {
                        records.push((*id.as_bytes(), encode_record(secret, None)?));
                    }
                }
                if !records.is_empty() {
                    with_vault(&mut |vault| {
                        vault.save_team_replica(&team, &records, since)?;
                        Ok(())
                    })?;
                }
            }
        }
        tx.commit().map_err(&fail)?;
        if !stale {
            break (revision, progress);
        }
        if attempt >= READ_TRIES {
            return Err(tv.moving("syncing shared secrets"));
        }
        for (ctx, _, _) in &mut orgs {
            ctx.roster = tv.roster()?;
        }
    };
    if progress.done != progress.total {
        return Err(miscounted());
    }
    let tv = &*tv;
    with_vault(&mut |vault| {
        vault.save_team_replica(&team, &[], revision)?;
        tv.keep_checkpoint(vault)
    })?;
    Ok(SyncReport {
        revision,
        changed: progress.done,
    })
}

/// A read-only repeatable-read transaction and the revision counter as its
/// snapshot sees it: every row read in it stands at or below that revision.
pub(crate) fn snapshot<'a>(
    client: &'a mut postgres::Client,
    fail: &dyn Fn(postgres::Error) -> Error,
) -> Result<(postgres::Transaction<'a>, i64)> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(fail)?;
    let revision: i64 = tx
        .query_one("SELECT value FROM coffer.revision WHERE id = 1", &[])
        .map_err(fail)?
        .get(0);
    Ok((tx, revision))
}

fn miscounted() -> Error {
    Error::tampered("the shared secrets (the server's rows do not match its own count)")
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
    let (mut secrets, as_of) = replica(vault, team)?;
    if let Some(org) = org.map(str::trim) {
        secrets.retain(|s| s.org == org || s.org_id == org.to_ascii_lowercase());
    }
    Ok(SharedListing {
        secrets,
        online,
        as_of,
        offline_reason,
    })
}

/// The replica as it stands, without asking the server: every shared
/// secret this desktop knows (sorted by organization and name) and when it
/// was last synced. A record that does not decode is `tampered`.
pub fn replica(
    vault: &Vault,
    team: Option<&str>,
) -> Result<(Vec<SharedSecret>, Option<Timestamp>)> {
    let me = local::identity(vault, team)?;
    let state = vault.team_replica_state(&me.team_id)?;
    let mut secrets = replica_secrets(vault, &me.team_id)?;
    secrets.sort_by(|a, b| (&a.org, &a.name).cmp(&(&b.org, &b.name)));
    Ok((secrets, state.map(|s| s.synced_at)))
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
