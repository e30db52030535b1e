//! The local replica and sync: a change by one member reaches another's
//! replica after a NOTIFY; listing works offline from the replica; a server
//! that went back is refused.

use std::time::{Duration, Instant};

use coffer_core::Clock as _;
use coffer_core::secret::NewSecret;
use coffer_team::Role;

use crate::secrets::new_secret;
use crate::support::*;

#[test]
fn a_change_by_one_member_reaches_anothers_replica_within_a_second() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    let first = coffer_team::sync(&mut team.admin.vault, None).unwrap();
    assert_eq!(first.changed, 0);
    let mut watcher = team.admin.open();
    assert_eq!(
        watcher.watch(Duration::from_millis(50)).unwrap(),
        None,
        "quiet"
    );
    let mut bob_team = bob.open();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        bob_team
            .create_shared_secret(ORG, new_secret("from/bob", basic_auth("b", "pw")), now)
            .unwrap();
        Instant::now()
    });
    let announced = watcher.watch(Duration::from_secs(10)).unwrap();
    let report = coffer_team::sync_with(&mut watcher, &mut team.admin.vault).unwrap();
    let arrived = Instant::now();
    let written = writer.join().unwrap();
    assert!(announced.is_some(), "a NOTIFY came");
    assert_eq!(report.changed, 1);
    let listing = coffer_team::list_shared(&mut team.admin.vault, None, Some(ORG)).unwrap();
    assert!(listing.online);
    let names: Vec<_> = listing.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["from/bob"]);
    let latency = arrived.saturating_duration_since(written);
    println!("propagation: commit by B -> in A's replica: {latency:?}");
    // A second sync brings nothing new; the revision only moves forward.
    let again = coffer_team::sync(&mut team.admin.vault, None).unwrap();
    assert_eq!(again.changed, 0);
    assert!(again.revision >= report.revision);
}

#[test]
fn listing_works_offline_from_the_replica_and_says_as_of_when() {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, NewSecret::new("prod/db", basic_auth("app", "pw")), now)
        .unwrap();
    let online = coffer_team::list_shared(&mut team.admin.vault, None, None).unwrap();
    assert!(online.online);
    assert_eq!(online.secrets.len(), 1);
    team.pg.stop();
    let started = Instant::now();
    let offline = coffer_team::list_shared(&mut team.admin.vault, None, Some(ORG)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!offline.online);
    assert!(offline.offline_reason.is_some());
    assert_eq!(offline.as_of, online.as_of);
    assert_eq!(
        offline.secrets, online.secrets,
        "the same records, from the replica"
    );
    // Reveal and writes need the server: a clear error, nothing invented.
    let e = coffer_team::TeamVault::open(&mut team.admin.vault, None).unwrap_err();
    assert_eq!(e.code(), "unreachable");
    team.pg.restart();
    assert!(
        coffer_team::list_shared(&mut team.admin.vault, None, None)
            .unwrap()
            .online
    );
}

#[test]
fn a_server_whose_revision_went_back_is_refused_and_the_replica_kept() {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, NewSecret::new("prod/db", basic_auth("app", "pw")), now)
        .unwrap();
    let synced = coffer_team::sync(&mut team.admin.vault, None).unwrap();
    assert!(synced.revision > 1);
    team.pg
        .superuser("team")
        .batch_execute("UPDATE coffer.revision SET value = 1")
        .unwrap();
    let e = coffer_team::sync(&mut team.admin.vault, None).unwrap_err();
    assert_eq!(e.code(), "rollback", "{e}");
    assert!(e.to_string().contains(&synced.revision.to_string()), "{e}");
    let e = coffer_team::list_shared(&mut team.admin.vault, None, None).unwrap_err();
    assert_eq!(e.code(), "rollback");
    let team_id = uuid::Uuid::parse_str(&team.team_id).unwrap();
    let state = team
        .admin
        .vault
        .team_replica_state(team_id.as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(
        state.revision, synced.revision,
        "the replica kept its memory"
    );
    assert_eq!(
        team.admin
            .vault
            .team_replica(team_id.as_bytes())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn connecting_with_the_vault_released_checks_like_open_and_the_replica_reads_without_a_server() {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(
            ORG,
            NewSecret::new("prod/api", basic_auth("app", "pw")),
            now,
        )
        .unwrap();
    // Before any sync the replica is empty and has no time.
    let (none, never) = coffer_team::replica(&team.admin.vault, None).unwrap();
    assert!(none.is_empty());
    assert!(never.is_none());
    // Prepared with the vault, connected without it (a background task
    // must not hold the vault for a connect timeout).
    let prepared = coffer_team::TeamVault::prepare(&mut team.admin.vault, None).unwrap();
    let mut tv = prepared.connect().unwrap();
    tv.remember_revision(&mut team.admin.vault).unwrap();
    coffer_team::sync_with(&mut tv, &mut team.admin.vault).unwrap();
    let (secrets, as_of) = coffer_team::replica(&team.admin.vault, None).unwrap();
    assert_eq!(
        secrets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["prod/api"]
    );
    assert!(as_of.is_some());
    drop(tv);
    // With the server gone: preparing is local, connecting is `unreachable`,
    // the replica still reads.
    team.pg.stop();
    let prepared = coffer_team::TeamVault::prepare(&mut team.admin.vault, None).unwrap();
    assert_eq!(prepared.connect().unwrap_err().code(), "unreachable");
    let (offline, offline_as_of) = coffer_team::replica(&team.admin.vault, None).unwrap();
    assert_eq!(offline, secrets);
    assert_eq!(offline_as_of, as_of);
    team.pg.restart();
}

/// Creates `n` shared secrets `svc/0000`... as the administrator, through
/// one connection.
pub fn create_many(team: &mut Team, n: usize) {
    let now = team.admin.clock.now();
    let mut alice = team.admin.open();
    for i in 0..n {
        alice
            .create_shared_secret(
                ORG,
                NewSecret::new(format!("svc/{i:04}"), basic_auth("app", "pw")),
                now,
            )
            .unwrap();
    }
}

#[test]
fn a_sync_reports_monotone_progress_ending_at_the_total_with_the_vault_free_between_pages() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    create_many(&mut team, 23);
    let vault = std::sync::Mutex::new(std::mem::replace(
        &mut bob.vault,
        Desk::new("placeholder").vault,
    ));
    let mut tv = coffer_team::TeamVault::open(&mut vault.lock().unwrap(), None).unwrap();
    let team_id = uuid::Uuid::parse_str(&team.team_id).unwrap();
    let mut seen = Vec::new();
    let report = coffer_team::sync_with_progress(
        &mut tv,
        5,
        &mut |f| f(&mut vault.lock().unwrap()),
        &mut |p| {
            // Between pages the local vault is free: the app's list reads
            // the replica, which already holds every page reported.
            let v = vault.try_lock().expect("the vault is free during the sync");
            assert_eq!(v.team_replica(team_id.as_bytes()).unwrap().len(), p.done);
            seen.push(p);
        },
    )
    .unwrap();
    let done: Vec<_> = seen.iter().map(|p| p.done).collect();
    assert_eq!(done, [0, 5, 10, 15, 20, 23]);
    assert!(seen.iter().all(|p| p.total == 23));
    assert_eq!(report.changed, 23);
    bob.vault = vault.into_inner().unwrap();
    let state = bob
        .vault
        .team_replica_state(team_id.as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(state.revision, report.revision);
    // Nothing new: one report, 0 of 0.
    let mut again = Vec::new();
    coffer_team::sync_with_progress(&mut tv, 5, &mut |f| f(&mut bob.vault), &mut |p| {
        again.push(p)
    })
    .unwrap();
    assert_eq!(again, [coffer_team::SyncProgress { done: 0, total: 0 }]);
}
