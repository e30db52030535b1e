//! Shared secrets in the app: the local replica of the team vault held in
//! memory for the list (filtered, sorted and paged like local secrets), the
//! sync state the sidebar shows, and the background task that keeps one
//! connection to the team vault, LISTENs for changes, syncs and tells the
//! page. It backs off while the server is down and recovers by itself; it
//! drops the connection and what it holds when the vault locks.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use coffer_core::secret::{
    Protection, Scope, SecretId, SecretMeta, SecretPage, SecretQuery, SecretStatus, SecretType,
    SortKey, Visibility,
};
use coffer_core::{ErrorCode, Timestamp, Vault};
use coffer_team::{SharedSecret, TeamVault};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, lock};

/// How long one LISTEN wait lasts: the lock is looked at this often.
const WATCH: Duration = Duration::from_secs(1);
/// A full sync this often even without a NOTIFY (the revision is the truth).
const RESYNC: Duration = Duration::from_secs(30);
/// The longest wait between two connection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Where this desktop stands with its team vault, for the sidebar.
#[derive(Debug, Clone, Serialize, specta::Type, PartialEq)]
pub struct SyncStatus {
    /// `none` (no team vault), `locked`, `connecting`, `syncing`,
    /// `current`, `offline` (the server does not answer) or `error`.
    pub state: String,
    /// The team vault's id.
    pub team_id: Option<String>,
    /// Its server (host:port/database): what the app calls the team vault.
    pub server: Option<String>,
    /// The revision the replica stands at.
    pub revision: Option<f64>,
    /// When the replica was last synced ("offline, as of ...").
    pub as_of: Option<Timestamp>,
    /// Why it is offline or failing (the team error's code and message).
    pub code: Option<ErrorCode>,
    /// The message, for people.
    pub message: Option<String>,
    /// Seconds until the next attempt, while offline or failing.
    pub retry_in: Option<u32>,
}

impl SyncStatus {
    fn simple(state: &str) -> Self {
        Self {
            state: state.into(),
            team_id: None,
            server: None,
            revision: None,
            as_of: None,
            code: None,
            message: None,
            retry_in: None,
        }
    }
}

/// The shared state changed (a sync brought changes, the connection came
/// or went): the sidebar and the shared lists refresh.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct SharedChanged {
    /// The sync state now.
    pub status: SyncStatus,
}

/// A shared organization, as the switcher lists it.
#[derive(Debug, Clone, Serialize, specta::Type, PartialEq)]
pub struct SharedOrg {
    /// Its id (a UUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Shared secrets not in the trash (from the replica).
    pub secrets: u32,
    /// The team vault's id.
    pub team_id: String,
    /// The team vault's server: its name in the app.
    pub team: String,
}

#[derive(Default)]
struct Inner {
    status: Option<SyncStatus>,
    team_id: Option<String>,
    server: Option<String>,
    secrets: Arc<Vec<SharedSecret>>,
    /// When the replica was last synced.
    as_of: Option<Timestamp>,
    /// Organizations as the server last listed them (id, name).
    orgs: Vec<(String, String)>,
    /// Member id -> display name, from the verified roster.
    names: HashMap<String, String>,
    /// Expiry notices shown in this session: (secret, version, expiry, threshold).
    notified: HashSet<(String, i32, i64, u32)>,
}

/// The shared secrets this desktop knows and the sync state (Tauri state).
#[derive(Default)]
pub struct Shared {
    inner: Mutex<Inner>,
    wake: (Mutex<bool>, Condvar),
}

impl Shared {
    /// The sync state now.
    pub fn status(&self) -> SyncStatus {
        lock(&self.inner)
            .status
            .clone()
            // Before the task's first look: nothing to show yet.
            .unwrap_or_else(|| SyncStatus::simple("none"))
    }

    /// Every shared secret in the replica (a cheap clone of the list).
    pub fn secrets(&self) -> Arc<Vec<SharedSecret>> {
        Arc::clone(&lock(&self.inner).secrets)
    }

    /// One shared secret by id.
    pub fn secret(&self, id: &str) -> IpcResult<SharedSecret> {
        self.secrets()
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(|| {
                IpcError::new(
                    ErrorCode::NotFound,
                    "This shared secret is not in this desktop's replica (it may have been \
                     removed, or the team vault has not synced yet).",
                )
            })
    }

    /// A member's display name (their id when the roster has none).
    pub fn name_of(&self, member: &str) -> String {
        lock(&self.inner)
            .names
            .get(member)
            .cloned()
            .unwrap_or_else(|| member.to_owned())
    }

    /// The shared organizations: those the server listed, else those the
    /// replica holds secrets of (offline), with their live secret counts.
    pub fn orgs(&self) -> Vec<SharedOrg> {
        let inner = lock(&self.inner);
        let (Some(team_id), Some(server)) = (&inner.team_id, &inner.server) else {
            return Vec::new();
        };
        let mut orgs: Vec<(String, String)> = inner.orgs.clone();
        for s in inner.secrets.iter() {
            if !orgs.iter().any(|(id, _)| *id == s.org_id) {
                orgs.push((s.org_id.clone(), s.org.clone()));
            }
        }
        orgs.sort_by(|a, b| a.1.cmp(&b.1));
        orgs.into_iter()
            .map(|(id, name)| SharedOrg {
                secrets: count(
                    inner
                        .secrets
                        .iter()
                        .filter(|s| s.org_id == id && s.status != "trashed"),
                ),
                id,
                name,
                team_id: team_id.clone(),
                team: server.clone(),
            })
            .collect()
    }

    /// The shared organization named `org`, if it is one.
    pub fn org_named(&self, org: &str) -> Option<SharedOrg> {
        self.orgs().into_iter().find(|o| o.name == org)
    }

    /// Puts a secret a write just returned into the list at once (the next
    /// sync brings the same record into the replica).
    pub fn put(&self, secret: SharedSecret) {
        let mut inner = lock(&self.inner);
        let mut list = (*inner.secrets).clone();
        match list.iter_mut().find(|s| s.id == secret.id) {
            Some(slot) => *slot = secret,
            None => list.push(secret),
        }
        inner.secrets = Arc::new(list);
    }

    /// Expiry notices due for shared secrets, like the local vault's: the
    /// most urgent threshold crossed (days before expiry, 0 for expired)
    /// that was not shown yet, missed ones folded in. What was shown is
    /// remembered for this session only (the local vault's notice records
    /// hold local secrets): after a restart a crossed threshold shows once more.
    pub fn due_notices(
        &self,
        thresholds: &[u32],
        now: Timestamp,
    ) -> Vec<coffer_core::ExpiryNotice> {
        let mut thresholds = thresholds.to_vec();
        thresholds.sort_unstable();
        let inner = lock(&self.inner);
        inner
            .secrets
            .iter()
            .filter(|s| s.status == "active")
            .filter_map(|s| {
                let expires = s.expires_at?;
                let crossed: Vec<u32> = thresholds
                    .iter()
                    .copied()
                    .filter(|t| expires.unix() - i64::from(*t) * coffer_core::DAY <= now.unix())
                    .collect();
                let most_urgent = *crossed.first()?;
                let seen = |t: &u32| {
                    inner
                        .notified
                        .contains(&(s.id.clone(), s.version, expires.unix(), *t))
                };
                if crossed.iter().any(|t| *t <= most_urgent && seen(t)) {
                    return None;
                }
                Some(coffer_core::ExpiryNotice {
                    secret_id: SecretId::parse(&s.id).ok()?,
                    name: s.name.clone(),
                    org: format!("{} (shared)", s.org),
                    kind: SecretType::parse(&s.kind).ok()?,
                    version: u32::try_from(s.version).unwrap_or(0),
                    expires_at: expires,
                    threshold_days: most_urgent,
                    covers: crossed.into_iter().filter(|t| !seen(t)).collect(),
                })
            })
            .collect()
    }

    /// Remembers notices shown (shared ones; local ones go to the vault).
    pub fn notified(&self, notices: &[coffer_core::ExpiryNotice]) {
        let mut inner = lock(&self.inner);
        for n in notices {
            let id = n.secret_id.to_string();
            let Some(version) = inner.secrets.iter().find(|s| s.id == id).map(|s| s.version) else {
                continue;
            };
            for t in &n.covers {
                inner
                    .notified
                    .insert((id.clone(), version, n.expires_at.unix(), *t));
            }
        }
    }

    /// Asks the background task to sync now.
    pub fn wake(&self) {
        *lock(&self.wake.0) = true;
        self.wake.1.notify_all();
    }

    /// Waits up to `timeout` for [`Shared::wake`]; returns whether it came.
    fn wait(&self, timeout: Duration) -> bool {
        let flag = lock(&self.wake.0);
        let (mut flag, _) = self
            .wake
            .1
            .wait_timeout_while(flag, timeout, |woken| !*woken)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::take(&mut *flag)
    }

    fn take_wake(&self) -> bool {
        std::mem::take(&mut *lock(&self.wake.0))
    }

    /// Sets the state; returns whether it differs from before.
    fn set_status(&self, status: SyncStatus) -> bool {
        let mut inner = lock(&self.inner);
        let changed = inner.status.as_ref() != Some(&status);
        inner.status = Some(status);
        changed
    }

    fn forget(&self) {
        let mut inner = lock(&self.inner);
        inner.secrets = Arc::new(Vec::new());
        inner.orgs.clear();
        inner.names.clear();
        inner.team_id = None;
        inner.server = None;
    }
}

fn count<I: Iterator>(items: I) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

/// A shared secret as the list and the detail show it (the core's shape:
/// one list component for both). Shared secrets have no project, no store
/// password and no local history: those fields take their neutral values.
pub fn to_meta(s: &SharedSecret, now: Timestamp, owner: String) -> Option<SecretMeta> {
    let id = SecretId::parse(&s.id).ok()?;
    let kind = SecretType::parse(&s.kind).ok()?;
    Some(SecretMeta {
        id,
        name: s.name.clone(),
        kind,
        org: s.org.clone(),
        project: None,
        description: s.description.clone(),
        labels: s.labels.clone(),
        status: effective_status(s, now),
        visibility: Visibility::Public,
        owner,
        write_only: s.write_only,
        protection: Protection::Vault,
        expires_at: s.expires_at,
        public_fields: s.public_fields.clone(),
        current_version: u32::try_from(s.version).unwrap_or(0),
        created_at: s.updated_at,
        updated_at: s.updated_at,
        deleted_at: (s.status == "trashed").then_some(s.updated_at),
        purge_at: None,
        last_used_at: None,
        used_by: 0,
    })
}

fn effective_status(s: &SharedSecret, now: Timestamp) -> SecretStatus {
    if s.status == "deactivated" {
        SecretStatus::Deactivated
    } else if s.expires_at.is_some_and(|e| e <= now) {
        SecretStatus::Expired
    } else {
        SecretStatus::Active
    }
}

/// One page of the shared secrets that match `query`, like the local
/// listing: the same filters (text in name or description, types,
/// statuses, labels, organization, expiring within), the same sort keys.
pub fn page(
    secrets: &[SharedSecret],
    query: &SecretQuery,
    now: Timestamp,
    name_of: impl Fn(&str) -> String,
) -> SecretPage {
    let text = query.text.as_deref().map(str::to_lowercase);
    let horizon = query
        .expiring_within_days
        .map(|d| now.plus_days(i64::from(d)));
    let mut matching: Vec<&SharedSecret> = secrets
        .iter()
        .filter(|s| (s.status == "trashed") == (query.scope == Scope::Trash))
        .filter(|s| query.org.as_ref().is_none_or(|o| *o == s.org))
        .filter(|_| query.project.is_none())
        .filter(|s| {
            text.as_ref().is_none_or(|t| {
                s.name.to_lowercase().contains(t) || s.description.to_lowercase().contains(t)
            })
        })
        .filter(|s| query.types.is_empty() || query.types.iter().any(|t| t.as_str() == s.kind))
        .filter(|s| query.statuses.is_empty() || query.statuses.contains(&effective_status(s, now)))
        .filter(|s| {
            query
                .labels
                .iter()
                .all(|(k, v)| match (s.labels.get(k), v) {
                    (Some(have), Some(want)) => have == want,
                    (Some(_), None) => true,
                    (None, _) => false,
                })
        })
        .filter(|s| horizon.is_none_or(|h| s.expires_at.is_some_and(|e| e <= h)))
        .collect();
    let rank = |s: &SharedSecret| match effective_status(s, now) {
        SecretStatus::Active => 0,
        SecretStatus::Expired => 1,
        SecretStatus::Deactivated => 2,
    };
    matching.sort_by(|a, b| {
        let by = match query.sort {
            SortKey::Name => std::cmp::Ordering::Equal,
            SortKey::Type => a.kind.cmp(&b.kind),
            SortKey::Created | SortKey::Updated => a.updated_at.cmp(&b.updated_at),
            SortKey::Expires => match (a.expires_at, b.expires_at) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
            SortKey::Status => rank(a).cmp(&rank(b)),
        };
        let by = by.then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()));
        if query.descending { by.reverse() } else { by }
    });
    let limit = query.limit.min(coffer_core::secret::MAX_PAGE) as usize;
    let items = matching
        .iter()
        .skip(query.offset as usize)
        .take(limit)
        .filter_map(|s| to_meta(s, now, name_of(&s.author)))
        .collect();
    SecretPage {
        total: count(matching.iter()),
        items,
    }
}

/// Starts the background task for the life of the app.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("coffer-shared-sync".into())
        .spawn(move || run(&app));
    if let Err(e) = spawned {
        eprintln!("coffer-desktop: the team-vault sync task did not start: {e}");
    }
}

/// What one look at the local vault found.
enum Ready {
    /// Locked, or no vault yet.
    Locked,
    /// No team vault joined.
    NoTeam,
    /// Ready to connect.
    Connect(Box<coffer_team::Prepared>),
    /// Preparing failed (the CA secret is gone, the identity is tampered, ...).
    Failed(coffer_team::Error),
}

fn run<R: Runtime>(app: &AppHandle<R>) {
    let shared: Arc<Shared> = Arc::clone(app.state::<Arc<Shared>>().inner());
    let state = app.state::<AppState>();
    let mut backoff = Duration::from_secs(1);
    loop {
        match prepare(&state, &shared) {
            Ready::Locked => {
                if shared.set_status(SyncStatus::simple("locked")) {
                    shared.forget();
                    emit(app, &shared);
                }
                shared.wait(WATCH);
            }
            Ready::NoTeam => {
                if shared.set_status(SyncStatus::simple("none")) {
                    shared.forget();
                    emit(app, &shared);
                }
                shared.wait(WATCH * 2);
            }
            Ready::Failed(e) => {
                failed(app, &shared, e, backoff);
                shared.wait(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Ready::Connect(prepared) => {
                let mut status = shared.status();
                if status.state != "offline" && status.state != "error" {
                    status.state = "connecting".into();
                    if shared.set_status(status) {
                        emit(app, &shared);
                    }
                }
                match prepared.connect() {
                    Ok(mut tv) => {
                        backoff = Duration::from_secs(1);
                        if let Err(e) = follow(app, &state, &shared, &mut tv) {
                            failed(app, &shared, e, backoff);
                            shared.wait(backoff);
                        }
                    }
                    Err(e) => {
                        failed(app, &shared, e, backoff);
                        shared.wait(backoff);
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        }
    }
}

/// Reads what connecting needs (holding the vault only for that) and, the
/// first time, shows the replica as it stands (offline until connected).
fn prepare(state: &AppState, shared: &Shared) -> Ready {
    let mut slot = lock(&state.vault);
    let Some(vault) = slot.as_mut().filter(|v| v.is_unlocked()) else {
        return Ready::Locked;
    };
    match vault.team_identities() {
        Ok(known) if known.is_empty() => return Ready::NoTeam,
        Ok(known) => {
            let first = &known[0];
            let mut inner = lock(&shared.inner);
            if inner.team_id.is_none() {
                inner.team_id = Some(first.team_id.clone());
                inner.server = Some(first.label.clone());
                drop(inner);
                if let Err(e) = load_replica(vault, shared) {
                    return Ready::Failed(e);
                }
            }
        }
        Err(e) => return Ready::Failed(e.into()),
    }
    match TeamVault::prepare(vault, None) {
        Ok(prepared) => Ready::Connect(Box::new(prepared)),
        Err(e) => Ready::Failed(e),
    }
}

/// Fills the in-memory list from the replica.
fn load_replica(vault: &Vault, shared: &Shared) -> coffer_team::Result<()> {
    let (secrets, as_of) = coffer_team::replica(vault, None)?;
    let mut inner = lock(&shared.inner);
    inner.secrets = Arc::new(secrets);
    inner.as_of = as_of;
    Ok(())
}

/// While connected: sync, then wait for NOTIFYs (a second at a time, so a
/// lock is seen within a second) and sync again on each, on a wake from a
/// command and every [`RESYNC`]. Returns on a lock or an error.
fn follow<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    shared: &Shared,
    tv: &mut TeamVault,
) -> coffer_team::Result<()> {
    let mut names_stale = true;
    let mut last = Instant::now();
    if !sync_once(app, state, shared, tv, &mut names_stale)? {
        return Ok(());
    }
    loop {
        let hinted = tv.watch(WATCH)?.is_some();
        if hinted || shared.take_wake() || last.elapsed() >= RESYNC {
            last = Instant::now();
            if !sync_once(app, state, shared, tv, &mut names_stale)? {
                return Ok(());
            }
        } else if !lock(&state.vault).as_ref().is_some_and(Vault::is_unlocked) {
            return Ok(());
        }
    }
}

/// One sync with the vault held; `false` when the vault is locked.
fn sync_once<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    shared: &Shared,
    tv: &mut TeamVault,
    names_stale: &mut bool,
) -> coffer_team::Result<bool> {
    let (report, orgs) = {
        let mut slot = lock(&state.vault);
        let Some(vault) = slot.as_mut().filter(|v| v.is_unlocked()) else {
            return Ok(false);
        };
        tv.remember_revision(vault)?;
        let report = coffer_team::sync_with(tv, vault)?;
        let orgs = tv.organizations()?;
        if report.changed > 0 || *names_stale {
            // Decrypting the whole replica only when it moved.
            load_replica(vault, shared)?;
        } else {
            // The sync just stamped the replica.
            lock(&shared.inner).as_of = Some(vault.now());
        }
        (report, orgs)
    };
    let unknown_author = {
        let inner = lock(&shared.inner);
        inner
            .secrets
            .iter()
            .any(|s| !inner.names.contains_key(&s.author))
    };
    if *names_stale || unknown_author {
        let members = tv.members()?;
        let mut inner = lock(&shared.inner);
        inner.names = members
            .into_iter()
            .filter_map(|m| m.display_name.map(|n| (m.id, n)))
            .collect();
        *names_stale = false;
    }
    {
        let mut inner = lock(&shared.inner);
        inner.orgs = orgs.into_iter().map(|o| (o.id, o.name)).collect();
    }
    let status = SyncStatus {
        state: "current".into(),
        revision: Some(report.revision as f64),
        ..base(shared)
    };
    let moved = shared.set_status(status);
    if moved || report.changed > 0 {
        emit(app, shared);
        // Expiries of shared secrets may have moved.
        state.expiry_changed();
    }
    Ok(true)
}

/// The team, server and replica time, for a status.
fn base(shared: &Shared) -> SyncStatus {
    let inner = lock(&shared.inner);
    SyncStatus {
        team_id: inner.team_id.clone(),
        server: inner.server.clone(),
        as_of: inner.as_of,
        ..SyncStatus::simple("")
    }
}

/// Records a failure: `offline` when the server does not answer (the list
/// keeps the replica), else `error` with its code; then the page is told.
fn failed<R: Runtime>(
    app: &AppHandle<R>,
    shared: &Shared,
    error: coffer_team::Error,
    retry: Duration,
) {
    let state = if matches!(error, coffer_team::Error::Unreachable { .. }) {
        "offline"
    } else {
        "error"
    };
    let ipc = crate::commands::team::team_error(error);
    let previous = shared.status();
    let status = SyncStatus {
        state: state.into(),
        revision: previous.revision,
        code: Some(ipc.code),
        message: Some(ipc.message),
        retry_in: Some(u32::try_from(retry.as_secs()).unwrap_or(u32::MAX)),
        ..base(shared)
    };
    if shared.set_status(status) {
        emit(app, shared);
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, shared: &Shared) {
    let _ = SharedChanged {
        status: shared.status(),
    }
    .emit(app);
}

#[cfg(test)]
mod tests;
