//! The team vault's sync budgets (PERFORMANCE.md, "Reaching out") on a real
//! PostgreSQL (127.0.0.1, started here):
//! 1. first sync of an organization of `COFFER_BENCH_SECRETS` (100,000)
//!    shared secrets into a new member's empty replica, with progress;
//! 2. listing and filtering that replica offline (the local budgets);
//! 3. a change on one desktop visible in another's replica: p50 and p95
//!    over 100 changes (LISTEN/NOTIFY, then an incremental sync);
//! 4. 10 concurrent writers (10 members) × 100 updates on 5 secrets:
//!    throughput, conflicts, and zero lost updates (every successful write
//!    is a version on the server, by its writer).
//!
//! Run: `cargo bench -p coffer-team --bench sync`. Prints figures and the
//! load average; asserts correctness (counts, no lost update), never speed.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/team/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use coffer_core::Clock as _;
use coffer_core::secret::NewSecret;
use coffer_team::{MetadataChange, Role, SyncProgress, TeamVault};

use support::{Desk, ORG, Team, basic_auth};

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `n` shared secrets made by `seeders` connections of the administrator
/// in parallel (writes are serialized by the server's revision counter).
fn seed(team: &mut Team, n: usize, seeders: usize) {
    let now = team.admin.clock.now();
    let started = Instant::now();
    let connections: Vec<TeamVault> = (0..seeders).map(|_| team.admin.open()).collect();
    std::thread::scope(|s| {
        for (k, mut tv) in connections.into_iter().enumerate() {
            s.spawn(move || {
                for i in (k..n).step_by(seeders) {
                    let mut new = NewSecret::new(
                        format!("svc/{:02}/{i:06}", i % 97),
                        basic_auth("app", "pw-value"),
                    );
                    new.description = format!("service {i}");
                    new.labels = BTreeMap::from([("env".into(), ["prod", "dev"][i % 2].into())]);
                    tv.create_shared_secret(ORG, new, now).unwrap();
                }
            });
        }
    });
    let took = started.elapsed();
    println!(
        "seed: {n} shared secrets by {seeders} connections in {took:.1?} ({:.1} ms each; load {})",
        took.as_secs_f64() * 1000.0 / n as f64,
        load()
    );
}

fn first_sync(bob: &mut Desk, n: usize) {
    let vault = std::sync::Mutex::new(std::mem::replace(
        &mut bob.vault,
        Desk::new("placeholder").vault,
    ));
    let load_before = load();
    let started = Instant::now();
    let mut tv = TeamVault::open(&mut vault.lock().unwrap(), None).unwrap();
    let opened = started.elapsed();
    let mut reports: Vec<(Duration, SyncProgress)> = Vec::new();
    let mut list_probe = Vec::new();
    let team_id = tv.identity().team_id();
    let report = coffer_team::sync_with_progress(
        &mut tv,
        coffer_team::SYNC_PAGE,
        &mut |f| f(&mut vault.lock().unwrap()),
        &mut |p| {
            reports.push((started.elapsed(), p));
            // What the app's list would do meanwhile: the vault is free.
            if p.done > 0 && p.done % 20_000 == 0 {
                let t = Instant::now();
                let v = vault.try_lock().expect("the vault is free between pages");
                let held = v.team_replica(&team_id).unwrap().len();
                list_probe.push((p.done, held, t.elapsed()));
            }
        },
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(report.changed, n);
    assert!(reports.windows(2).all(|w| w[0].1.done <= w[1].1.done));
    assert_eq!(
        reports.last().unwrap().1,
        SyncProgress { done: n, total: n }
    );
    let first_progress = reports.first().map(|r| r.0).unwrap_or_default();
    println!(
        "first sync of {n} into an empty replica: {took:.1?} (open {opened:.1?}, first progress \
         report at {first_progress:.1?}, {} reports; load before {load_before}, after {})",
        reports.len(),
        load()
    );
    for (done, held, t) in list_probe {
        println!(
            "  during the sync at {done}: replica read by the app ({held} records) in {t:.1?}"
        );
    }
    bob.vault = vault.into_inner().unwrap();
}

fn listing(team: &mut Team, bob: &mut Desk, n: usize) {
    team.pg.stop();
    let mut full = Vec::new();
    let mut filtered = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let listing = coffer_team::list_shared(&mut bob.vault, None, Some(ORG)).unwrap();
        full.push(t.elapsed());
        assert_eq!(listing.secrets.len(), n);
        assert!(!listing.online);
        let t = Instant::now();
        let mut page: Vec<_> = listing
            .secrets
            .iter()
            .filter(|s| s.name.contains("/42/") && s.labels.get("env").is_some_and(|e| e == "prod"))
            .collect();
        page.sort_by(|a, b| a.name.cmp(&b.name));
        page.truncate(50);
        filtered.push(t.elapsed());
        assert!(!page.is_empty());
    }
    full.sort();
    filtered.sort();
    println!(
        "offline listing of {n} from the replica (list_shared, server stopped): median {:.1?}, \
         then filter + sort + page of 50 in memory: median {:.1?} (5 runs; load {})",
        full[2],
        filtered[2],
        load()
    );
    team.pg.restart();
}

fn propagation(team: &mut Team, bob: &mut Desk, changes: usize) {
    let now = team.admin.clock.now();
    let mut writer = team.admin.open();
    let target = "svc/00/000000";
    let (tx, rx) = mpsc::channel::<(Instant, i64)>();
    let mut watcher = bob.open();
    coffer_team::sync_with(&mut watcher, &mut bob.vault).unwrap();
    let mut vault = std::mem::replace(&mut bob.vault, Desk::new("placeholder").vault);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = stop.clone();
    let handle = std::thread::spawn(move || {
        while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
            if watcher.watch(Duration::from_millis(200)).unwrap().is_some() {
                let report = coffer_team::sync_with(&mut watcher, &mut vault).unwrap();
                let _ = tx.send((Instant::now(), report.revision));
            }
        }
        vault
    });
    let mut latencies = Vec::new();
    let mut revision = writer.shared_secret(ORG, target).unwrap().revision;
    for i in 0..changes {
        let change = MetadataChange {
            description: Some(format!("change {i}")),
            labels: None,
            expires_at: None,
        };
        let written = writer
            .update_shared_metadata(ORG, target, revision, change, now)
            .unwrap();
        let committed = Instant::now();
        revision = written.revision;
        loop {
            let (at, seen) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
            if seen >= written.server_revision {
                latencies.push(at.saturating_duration_since(committed));
                break;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    bob.vault = handle.join().unwrap();
    latencies.sort();
    println!(
        "a change by A in B's replica over {changes} changes: p50 {:.1?}, p95 {:.1?}, max {:.1?} \
         (load {})",
        percentile(&latencies, 50),
        percentile(&latencies, 95),
        latencies.last().unwrap(),
        load()
    );
}

fn concurrent_writers(writers: usize, updates: usize, secrets: usize) {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    let names: Vec<String> = (0..secrets).map(|i| format!("hot/{i}")).collect();
    {
        let mut alice = team.admin.open();
        for name in &names {
            alice
                .create_shared_secret(ORG, NewSecret::new(name.clone(), basic_auth("a", "b")), now)
                .unwrap();
        }
    }
    let mut desks: Vec<Desk> = (0..writers)
        .map(|_| team.add("Writer", Role::Member))
        .collect();
    let connections: Vec<(String, TeamVault)> = desks
        .iter_mut()
        .map(|d| (d.status().member_id, d.open()))
        .collect();
    let started = Instant::now();
    // Per writer: its member id, the (secret, revision) it wrote, its conflicts.
    type Outcome = (String, Vec<(String, i32)>, usize);
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = connections
            .into_iter()
            .enumerate()
            .map(|(w, (me, mut tv))| {
                let names = &names;
                s.spawn(move || {
                    let mut written = Vec::new();
                    let mut conflicts = 0;
                    for u in 0..updates {
                        let name = &names[(w + u) % names.len()];
                        loop {
                            let current = tv.shared_secret(ORG, name).unwrap();
                            let data = basic_auth("a", &format!("w{w}-u{u}"));
                            match tv.update_shared_value(ORG, name, current.revision, data, now) {
                                Ok(s) => {
                                    written.push((s.id, s.revision));
                                    break;
                                }
                                Err(e) if e.code() == "conflict" => conflicts += 1,
                                Err(e) => panic!("writer {w}: {e}"),
                            }
                        }
                    }
                    (me, written, conflicts)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let took = started.elapsed();
    let conflicts: usize = results.iter().map(|r| r.2).sum();
    let successes: usize = results.iter().map(|r| r.1.len()).sum();
    assert_eq!(successes, writers * updates);
    // Zero lost updates: every successful write is a version on the server,
    // authored by its writer, and the revisions add up.
    let mut root = team.pg.superuser("team");
    for (me, written, _) in &results {
        for (id, revision) in written {
            let author: uuid::Uuid = root
                .query_one(
                    "SELECT author FROM coffer.secret_versions
                     WHERE secret_id = $1::text::uuid AND revision = $2",
                    &[id, revision],
                )
                .unwrap()
                .get(0);
            assert_eq!(&author.to_string(), me, "version {id}@{revision}");
        }
    }
    let total: i64 = root
        .query_one("SELECT sum(revision - 1)::bigint FROM coffer.secrets", &[])
        .unwrap()
        .get(0);
    assert_eq!(total as usize, writers * updates, "no update lost");
    println!(
        "{writers} writers × {updates} updates on {secrets} secrets: {took:.1?}, {:.0} updates/s, \
         {conflicts} conflicts (each re-read and retried), 0 lost (load {})",
        successes as f64 / took.as_secs_f64(),
        load()
    );
}

fn main() {
    let n = env("COFFER_BENCH_SECRETS", 100_000);
    let seeders = env("COFFER_BENCH_SEEDERS", 4);
    println!("load average at start: {}", load());
    if env("COFFER_BENCH_WRITERS_ONLY", 0) == 0 {
        let mut team = Team::new();
        let mut bob = team.add("Bob", Role::Member);
        seed(&mut team, n, seeders);
        first_sync(&mut bob, n);
        listing(&mut team, &mut bob, n);
        propagation(&mut team, &mut bob, env("COFFER_BENCH_CHANGES", 100));
    }
    concurrent_writers(
        env("COFFER_BENCH_WRITERS", 10),
        env("COFFER_BENCH_UPDATES", 100),
        5,
    );
    println!("load average at the end: {}", load());
}
