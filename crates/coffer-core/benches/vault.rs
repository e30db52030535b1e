//! Criterion benchmarks of the vault, with the budgets they are held to on a
//! 2-core machine:
//!
//! - `register_many/10k_encrypted` ≤ 1 s, and within 3× of
//!   `register_many/10k_plaintext_baseline`: the same rows (secrets, labels,
//!   text index, versions, audit entries, head record) and the same
//!   statements, written with rusqlite into the same schema, with plaintext
//!   payloads and no cryptography (no random ids, data keys, AES-GCM or MACs),
//!   so the ratio isolates what encryption costs;
//! - `list_100k/*`: a filtered, sorted page of 50 from 100,000 secrets ≤ 10 ms
//!   (a text filter matching a tenth, one, all or none of them; a tenth that
//!   sorts second or last; two characters, too short for the trigram index), and the
//!   expiring-within-30-days query ≤ 10 ms;
//! - `reveal/one_secret` ≤ 1 ms once unlocked (each reveal commits an audit
//!   entry, so this includes one fsync);
//! - `unlock/argon2id_passphrase`: the recovery-passphrase unlock, measured
//!   apart (Argon2id at the mandated 64 MiB / 3 passes).
//!
//! The 100,000-secret vault is built once per run (`register_many` in batches
//! of 10,000) in a temporary directory. Run: `cargo bench -p coffer-core`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coffer_core::secret::{
    NewSecret, SecretData, SecretQuery, SecretRef, SecretType, SortKey, text_input,
};
use coffer_core::{CreateOptions, FixedClock, SecretString, Timestamp, Vault};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, OptionalExtension, params};

/// 2026-01-01T00:00:00Z.
const T0: Timestamp = Timestamp::from_unix(1_767_225_600);
const BATCH: usize = 10_000;
const BIG: usize = 100_000;
const TEAMS: usize = 10;

fn passphrase() -> SecretString {
    SecretString::from("benchmark passphrase")
}

fn create_vault(path: &Path) -> Vault {
    let mut options = CreateOptions::new(passphrase());
    options.use_keyring = false;
    Vault::create(path, options, Arc::new(FixedClock::new(T0)))
        .expect("create vault")
        .0
}

/// What the i-th benchmark secret looks like, in clear.
struct Shape {
    name: String,
    description: String,
    labels: BTreeMap<String, String>,
    username: String,
    password: String,
    expires_at: Option<Timestamp>,
}

fn shape(i: usize) -> Shape {
    let team = i % TEAMS;
    let env = if i.is_multiple_of(3) {
        "prod"
    } else {
        "staging"
    };
    let labels = [
        ("env".to_owned(), env.to_owned()),
        ("team".to_owned(), format!("team-{team}")),
    ]
    .into();
    // A third expire, spread over the next year.
    let expires_at =
        (i % 3 == 1).then(|| T0.plus_seconds(3600 + (i as i64 * 7919) % (365 * 86_400)));
    Shape {
        name: format!("svc-{i:06}-{env}"),
        description: format!("service account {i} of team-{team} for the {env} deployment"),
        labels,
        username: format!("robot-{i}"),
        password: format!("pw-{i:06}-{}", "x".repeat(18)),
        expires_at,
    }
}

fn new_secret(i: usize) -> NewSecret {
    let s = shape(i);
    let data = SecretData::from_fields(
        SecretType::BasicAuth,
        vec![
            text_input("username", &s.username),
            text_input("password", &s.password),
        ],
        &Default::default(),
    )
    .unwrap();
    let mut new = NewSecret::new(s.name, data);
    new.description = s.description;
    new.labels = s.labels;
    new.expires_at = s.expires_at;
    new
}

fn batch(from: usize) -> Vec<NewSecret> {
    (from..from + BATCH).map(new_secret).collect()
}

/// The plaintext baseline: the rows and statements `register_many` writes,
/// with the payload in clear and no cryptography (no random ids, data keys,
/// AES-GCM or MACs; same-sized placeholder bytes instead).
fn register_plaintext(conn: &mut Connection, from: usize) {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    for i in from..from + BATCH {
        let s = shape(i);
        let org_id: i64 = tx
            .prepare_cached("SELECT id FROM organizations WHERE name = ?1")
            .unwrap()
            .query_row(["Default"], |r| r.get(0))
            .unwrap();
        let clash: Option<i64> = tx
            .prepare_cached(
                "SELECT s.id FROM secrets s JOIN organizations o ON o.id = s.org_id
                 LEFT JOIN projects p ON p.id = s.project_id WHERE o.name = ?1 AND s.name = ?2",
            )
            .unwrap()
            .query_row(params!["Default", s.name], |r| r.get(0))
            .optional()
            .unwrap();
        assert!(clash.is_none());
        let mut uid = [0u8; 16];
        uid[..8].copy_from_slice(&(i as u64).to_be_bytes());
        let public = serde_json::json!({ "username": s.username }).to_string();
        let labels = serde_json::to_string(&s.labels).unwrap();
        let search = format!(
            "{}\n{}",
            s.name.to_lowercase(),
            s.description.to_lowercase()
        );
        let expires = s.expires_at.map(Timestamp::unix);
        tx.prepare_cached(
            "INSERT INTO secrets (uid, org_id, project_id, name, kind, description, search,
                lifecycle, visibility, owner, write_only, protection, password_lock, expires_at,
                public_fields, labels, current_version, created_at, updated_at)
             VALUES (?1, ?2, NULL, ?3, 'basic_auth', ?4, ?5, 'active', 'public', 'bench', 0,
                'vault', NULL, ?6, ?7, ?8, 1, ?9, ?9)",
        )
        .unwrap()
        .execute(params![
            &uid[..],
            org_id,
            s.name,
            s.description,
            search,
            expires,
            public,
            labels,
            T0.unix()
        ])
        .unwrap();
        let rowid = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO secret_search (rowid, search) VALUES (?1, ?2)")
            .unwrap()
            .execute(params![rowid, search])
            .unwrap();
        for (key, value) in &s.labels {
            tx.prepare_cached(
                "INSERT INTO secret_labels (secret_id, key, value) VALUES (?1, ?2, ?3)",
            )
            .unwrap()
            .execute(params![rowid, key, value])
            .unwrap();
        }
        // The payload layout, in clear: version, count, then name/value pairs.
        let mut payload = vec![1u8, 0, 0, 0, 1];
        payload.extend_from_slice(&8u16.to_be_bytes());
        payload.extend_from_slice(b"password");
        payload.extend_from_slice(&(s.password.len() as u32).to_be_bytes());
        payload.extend_from_slice(s.password.as_bytes());
        tx.prepare_cached(
            "INSERT INTO secret_versions (secret_id, version, created_at, public_fields,
                expires_at, note, dek_nonce, wrapped_dek, payload_nonce, payload)
             VALUES (?1, 1, ?2, ?3, ?4, 'created', ?5, ?6, ?5, ?7)",
        )
        .unwrap()
        .execute(params![
            rowid,
            T0.unix(),
            public,
            expires,
            &[0u8; 12][..],
            &[0u8; 48][..],
            payload
        ])
        .unwrap();
        let (seq, _prev): (i64, Vec<u8>) = tx
            .prepare_cached("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
            .unwrap()
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        let _head: Option<Vec<u8>> = tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .unwrap()
            .query_row(["audit_head"], |r| r.get(0))
            .optional()
            .unwrap();
        let detail = serde_json::json!({
            "type": "basic_auth", "version": 1, "protection": "vault", "write_only": false,
        })
        .to_string();
        tx.prepare_cached(
            "INSERT INTO audit_log (seq, at, actor, action, secret_id, target, detail, mac)
             VALUES (?1, ?2, 'bench', 'secret.create', ?3, ?4, ?5, ?6)",
        )
        .unwrap()
        .execute(params![
            seq + 1,
            T0.unix(),
            &uid[..],
            format!("Default:{}", s.name),
            detail,
            &[0u8; 32][..]
        ])
        .unwrap();
        let mut head = (seq + 1).to_be_bytes().to_vec();
        head.extend_from_slice(&[0u8; 32]);
        tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .unwrap()
        .execute(params!["audit_head", head])
        .unwrap();
        // Read back, as register_many does to return each secret's metadata.
        let (_name, _labels): (String, String) = tx
            .prepare_cached(
                "SELECT s.name, s.labels FROM secrets s JOIN organizations o ON o.id = s.org_id
                 LEFT JOIN projects p ON p.id = s.project_id WHERE s.uid = ?1",
            )
            .unwrap()
            .query_row([&uid[..]], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
    }
    tx.commit().unwrap();
}

/// A connection configured like the core's.
fn plain_connection(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;",
    )
    .unwrap();
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn
}

fn bench_register(c: &mut Criterion) {
    let mut group = c.benchmark_group("register_many");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("10k_encrypted", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let mut vault = create_vault(&dir.path().join("vault.db"));
                let secrets = batch(0);
                let started = Instant::now();
                let registered = vault.register_many(secrets).unwrap();
                total += started.elapsed();
                assert_eq!(black_box(registered).len(), BATCH);
            }
            total
        });
    });
    group.bench_function("10k_plaintext_baseline", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("vault.db");
                drop(create_vault(&path));
                let mut conn = plain_connection(&path);
                let started = Instant::now();
                register_plaintext(&mut conn, 0);
                total += started.elapsed();
            }
            total
        });
    });
    group.finish();
}

/// The 100,000-secret vault, unlocked, with its temporary directory.
struct Big {
    _dir: tempfile::TempDir,
    vault: Vault,
}

fn build_big() -> Big {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = create_vault(&dir.path().join("vault.db"));
    let started = Instant::now();
    for from in (0..BIG).step_by(BATCH) {
        vault.register_many(batch(from)).unwrap();
    }
    let size = std::fs::metadata(vault.path()).unwrap().len();
    eprintln!(
        "built a {BIG}-secret vault in {:.1?} ({} MB)",
        started.elapsed(),
        size / 1_000_000
    );
    Big { _dir: dir, vault }
}

fn query(text: Option<&str>) -> SecretQuery {
    SecretQuery {
        text: text.map(str::to_owned),
        sort: SortKey::Name,
        limit: 50,
        ..Default::default()
    }
}

fn bench_big(c: &mut Criterion) {
    let mut big = build_big();
    let vault = &mut big.vault;
    let mut group = c.benchmark_group("list_100k");
    // team-7: a tenth of the vault matches.
    let matching = query(Some("TEAM-7"));
    let page = vault.list(&matching).unwrap();
    assert_eq!((page.total as usize, page.items.len()), (BIG / TEAMS, 50));
    group.bench_function("text_filter_matching_sorted_by_name", |b| {
        b.iter(|| black_box(vault.list(black_box(&matching)).unwrap()));
    });
    // A tenth again, but all of it last in name order: the page is found
    // only after walking past the other nine tenths.
    let clustered = query(Some("svc-09"));
    assert_eq!(vault.list(&clustered).unwrap().total as usize, BIG / 10);
    group.bench_function("text_filter_matching_a_tenth_sorting_last", |b| {
        b.iter(|| black_box(vault.list(black_box(&clustered)).unwrap()));
    });
    // A tenth right after the first tenth in name order.
    let second = query(Some("svc-01"));
    assert_eq!(vault.list(&second).unwrap().total as usize, BIG / 10);
    group.bench_function("text_filter_matching_a_tenth_sorting_second", |b| {
        b.iter(|| black_box(vault.list(black_box(&second)).unwrap()));
    });
    // One secret, found by (part of) its name: the matches sort last by name.
    let one = query(Some(&shape(BIG - 1).name[..10]));
    assert_eq!(vault.list(&one).unwrap().total, 1);
    group.bench_function("text_filter_matching_one", |b| {
        b.iter(|| black_box(vault.list(black_box(&one)).unwrap()));
    });
    // Every secret: counting is the work (the page is the first rows).
    let all = query(Some("svc-"));
    assert_eq!(vault.list(&all).unwrap().total as usize, BIG);
    group.bench_function("text_filter_matching_all", |b| {
        b.iter(|| black_box(vault.list(black_box(&all)).unwrap()));
    });
    // Two characters: too short for trigrams, so always a walk.
    let short = query(Some("sv"));
    assert_eq!(vault.list(&short).unwrap().total as usize, BIG);
    group.bench_function("text_filter_of_two_characters", |b| {
        b.iter(|| black_box(vault.list(black_box(&short)).unwrap()));
    });
    let nothing = query(Some("no-such-secret"));
    assert_eq!(vault.list(&nothing).unwrap().total, 0);
    group.bench_function("text_filter_matching_nothing", |b| {
        b.iter(|| black_box(vault.list(black_box(&nothing)).unwrap()));
    });
    for (label, sort) in [
        ("sorted_by_expiry", SortKey::Expires),
        ("sorted_by_name", SortKey::Name),
    ] {
        let expiring = SecretQuery {
            expiring_within_days: Some(30),
            sort,
            limit: 50,
            ..Default::default()
        };
        let page = vault.list(&expiring).unwrap();
        assert!(page.total > 500 && page.items.len() == 50, "{}", page.total);
        group.bench_function(format!("expiring_within_30_days_{label}"), |b| {
            b.iter(|| black_box(vault.list(black_box(&expiring)).unwrap()));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("reveal");
    let target = SecretRef::named(shape(BIG / 2).name);
    group.bench_function("one_secret", |b| {
        b.iter(|| black_box(vault.reveal(black_box(&target), None, None).unwrap()));
    });
    group.finish();

    let mut group = c.benchmark_group("unlock");
    group.sample_size(10);
    group.bench_function("argon2id_passphrase", |b| {
        b.iter(|| {
            vault.lock();
            vault.unlock_with_passphrase(&passphrase()).unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, bench_register, bench_big);
criterion_main!(benches);
