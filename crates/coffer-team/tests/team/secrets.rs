//! Shared secrets against a real PostgreSQL: members as separate local
//! vaults; what a member reads, what PostgreSQL refuses, what a dump holds,
//! concurrent writers, and rows tampered with by direct SQL.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use coffer_core::Clock as _;
use coffer_core::secret::{Intake, NewSecret, SecretBytes, SecretData, SecretType, text_input};
use coffer_team::{MetadataChange, Role};

use crate::support::*;

pub fn new_secret(name: &str, data: SecretData) -> NewSecret {
    let mut new = NewSecret::new(name, data);
    new.description = "Canary-desc-91c2 primary database".into();
    new.labels = BTreeMap::from([("env".to_owned(), "Canary-label-5d0e".to_owned())]);
    new
}

fn value_of(data: &SecretData, field: &str) -> Vec<u8> {
    data.field(field).unwrap().value.into_owned()
}

#[test]
fn a_secret_created_by_one_member_is_listed_and_revealed_by_another() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    let mut alice = team.admin.open();
    let created = alice
        .create_shared_secret(
            ORG,
            new_secret("prod/db", basic_auth("app", "s3cret-Canary")),
            now,
        )
        .unwrap();
    assert_eq!((created.revision, created.version), (1, 1));
    assert_eq!(created.kind, "basic_auth");
    // Other types, through the core's values.
    let kv = SecretData::from_fields(
        SecretType::KeyValue,
        vec![
            text_input("API_TOKEN", "kv-Canary"),
            text_input("REGION", "eu"),
        ],
        &Intake::default(),
    )
    .unwrap();
    alice
        .create_shared_secret(ORG, NewSecret::new("ci/env", kv), now)
        .unwrap();
    let blob = SecretData::from_fields(
        SecretType::Data,
        vec![("data".to_owned(), SecretBytes::from(vec![0u8, 255, 7, 9]))],
        &Intake::default(),
    )
    .unwrap();
    alice
        .create_shared_secret(ORG, NewSecret::new("bin/blob", blob), now)
        .unwrap();
    let api = SecretData::from_fields(
        SecretType::ApiKey,
        vec![
            text_input("header_name", "X-Api-Key"),
            text_input("value", "api-Canary"),
        ],
        &Intake::default(),
    )
    .unwrap();
    let mut write_only = NewSecret::new("api/key", api);
    write_only.write_only = true;
    alice.create_shared_secret(ORG, write_only, now).unwrap();

    // Bob lists (names and metadata opened on his side) and reveals.
    let mut bob_team = bob.open();
    let listed = bob_team.shared_secrets(ORG).unwrap();
    let names: Vec<_> = listed.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["api/key", "bin/blob", "ci/env", "prod/db"]);
    let db = listed.iter().find(|s| s.name == "prod/db").unwrap();
    assert_eq!(db, &created);
    assert_eq!(db.labels["env"], "Canary-label-5d0e");
    assert_eq!(db.public_fields["username"], "app");
    let (_, value) = bob_team.reveal_shared_secret(ORG, "prod/db", now).unwrap();
    assert_eq!(value_of(&value, "password"), b"s3cret-Canary");
    let (_, value) = bob_team.reveal_shared_secret(ORG, "bin/blob", now).unwrap();
    assert_eq!(value_of(&value, "data"), [0u8, 255, 7, 9]);
    let (_, value) = bob_team.reveal_shared_secret(ORG, "ci/env", now).unwrap();
    assert_eq!(value_of(&value, "API_TOKEN"), b"kv-Canary");
    let e = bob_team
        .reveal_shared_secret(ORG, "api/key", now)
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "write-only");
    let e = bob_team.reveal_shared_secret(ORG, "nope", now).unwrap_err();
    assert_eq!(e.code(), "not_found");

    // The server's audit has each create and each reveal, targets ids only.
    let audit = bob_team.audit_entries().unwrap();
    let reveals: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "secret.reveal")
        .collect();
    assert_eq!(reveals.len(), 3);
    assert!(reveals.iter().any(|a| a.target == created.id));
    assert_eq!(
        audit.iter().filter(|a| a.action == "secret.create").count(),
        4
    );

    // Names are unique per organization (blind index), whoever writes.
    let e = bob_team
        .create_shared_secret(ORG, NewSecret::new("prod/db", basic_auth("x", "y")), now)
        .unwrap_err();
    assert_eq!(e.code(), "name_taken");
    assert_eq!(
        bob_team.shared_secrets(ORG).unwrap().len(),
        4,
        "nothing added"
    );

    // Metadata, deactivate, trash: each a new revision, value kept (by its
    // owner: another member needs WRITER, see access.rs).
    let updated = alice
        .update_shared_metadata(
            ORG,
            "prod/db",
            1,
            MetadataChange {
                description: Some("moved".into()),
                ..MetadataChange::default()
            },
            now,
        )
        .unwrap();
    assert_eq!((updated.revision, updated.version), (2, 1));
    assert_eq!(updated.description, "moved");
    let deactivated = alice
        .set_shared_status(ORG, "prod/db", 2, "deactivated", now)
        .unwrap();
    assert_eq!(deactivated.status, "deactivated");
    let (_, value) = alice.reveal_shared_secret(ORG, "prod/db", now).unwrap();
    assert_eq!(value_of(&value, "password"), b"s3cret-Canary");
    let trashed = alice
        .set_shared_status(ORG, "prod/db", 3, "trashed", now)
        .unwrap();
    assert_eq!(trashed.status, "trashed");
    let e = alice.reveal_shared_secret(ORG, "prod/db", now).unwrap_err();
    assert_eq!(e.code(), "not_found");
    let e = alice
        .set_shared_status(ORG, "prod/db", 4, "gone", now)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
}

#[test]
fn without_a_key_grant_nothing_is_readable_and_postgresql_returns_no_rows() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = bob.status().member_id;
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "pw")), now)
        .unwrap();
    // A pending member has no login at all.
    let ticket = team.ticket(Role::Member);
    let mut carl = Desk::new("Carl");
    coffer_team::join(&mut carl.vault, &ticket, "Carl", None).unwrap();
    assert!(coffer_team::TeamVault::open(&mut carl.vault, None).is_err());
    // The join login may not read the tables.
    let mut join = team.sql_as(&format!("{}_join", team.prefix()));
    for table in ["secrets", "secret_versions", "data_keys", "name_keys"] {
        refused(&mut join, &format!("SELECT * FROM coffer.{table}"));
    }
    // Bob's role reads the rows while he holds the organization key...
    let mut sql = team.sql_as(&team.login_of(&bob_id));
    let count = |sql: &mut postgres::Client, table: &str| -> i64 {
        sql.query_one(&format!("SELECT count(*) FROM coffer.{table}"), &[])
            .unwrap()
            .get(0)
    };
    assert_eq!(count(&mut sql, "secrets"), 1);
    // ...and cannot change history or keys, or write under another author.
    for statement in [
        "UPDATE coffer.secret_versions SET value = '\\x00'".to_owned(),
        "DELETE FROM coffer.secret_versions".to_owned(),
        "DELETE FROM coffer.secrets".to_owned(),
        "UPDATE coffer.data_keys SET wrapped = '\\x00'".to_owned(),
        "UPDATE coffer.secrets SET rev = 0".to_owned(),
        "UPDATE coffer.name_keys SET sealed = '\\x00'".to_owned(),
    ] {
        refused(&mut sql, &statement);
    }
    let admin_id = team.admin.status().member_id;
    let forged = sql.batch_execute(&format!(
        "INSERT INTO coffer.secret_versions (secret_id, org_id, revision, version, status, \
         author, at, meta, value, sig) SELECT id, org_id, 9, 1, 'active', '{admin_id}', 0, \
         '\\x00', '\\x00', '\\x00' FROM coffer.secrets"
    ));
    assert!(forged.is_err(), "a version under another member's id");
    // Without a grant (taken away by the superuser), the role sees no row
    // and the client no organization.
    team.pg
        .superuser("team")
        .execute(
            "DELETE FROM coffer.organization_keys WHERE member_id = $1",
            &[&uuid::Uuid::parse_str(&bob_id).unwrap()],
        )
        .unwrap();
    for table in ["secrets", "secret_versions", "data_keys", "name_keys"] {
        assert_eq!(count(&mut sql, table), 0, "{table}");
    }
    let e = bob.open().shared_secrets(ORG).unwrap_err();
    assert_eq!(e.code(), "not_found");
    let e = bob
        .open()
        .create_shared_secret(ORG, NewSecret::new("x", basic_auth("a", "b")), now)
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[test]
fn a_dump_holds_no_name_label_description_or_value() {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    let mut alice = team.admin.open();
    alice
        .create_shared_secret(
            ORG,
            new_secret(
                "Canary-name-0b7d",
                basic_auth("Canary-user-31aa", "Canary-pw-77e1"),
            ),
            now,
        )
        .unwrap();
    alice
        .update_shared_value(
            ORG,
            "Canary-name-0b7d",
            1,
            basic_auth("Canary-user-31aa", "Canary-pw2-c3"),
            now,
        )
        .unwrap();
    let dump = team.pg.dump();
    for needle in [
        "Canary-name-0b7d",
        "Canary-user-31aa",
        "Canary-pw-77e1",
        "Canary-pw2-c3",
        "Canary-desc-91c2",
        "Canary-label-5d0e",
        "basic_auth",
    ] {
        assert!(
            !dump.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "the dump holds {needle:?}"
        );
    }
}

#[test]
fn two_writers_on_one_secret_get_exactly_one_conflict_and_no_lost_update() {
    let mut team = Team::new();
    // Writing another member's secret takes WRITER (access rules) or an
    // administrator.
    let mut bob = team.add("Bob", Role::Administrator);
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "v1")), now)
        .unwrap();
    let mut writers = [team.admin.open(), bob.open()];
    let read: Vec<i32> = writers
        .iter_mut()
        .map(|w| w.shared_secrets(ORG).unwrap()[0].revision)
        .collect();
    assert_eq!(read, [1, 1]);
    let barrier = Arc::new(Barrier::new(2));
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = writers
            .iter_mut()
            .zip(["from-alice", "from-bob"])
            .map(|(w, value)| {
                let barrier = barrier.clone();
                scope.spawn(move || {
                    barrier.wait();
                    w.update_shared_value(ORG, "prod/db", 1, basic_auth("app", value), now)
                        .map(|_| value)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let lost: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!((won.len(), lost.len()), (1, 1), "{results:?}");
    assert_eq!(lost[0].code(), "conflict");
    let message = lost[0].to_string();
    assert!(
        message.contains("revision 2") && message.contains("version 2"),
        "{message}"
    );
    assert!(!message.contains("from-"), "no value in the error");
    let (current, value) = writers[0]
        .reveal_shared_secret(ORG, "prod/db", now)
        .unwrap();
    assert_eq!((current.revision, current.version), (2, 2));
    assert_eq!(value_of(&value, "password"), won[0].as_bytes());
    // A stale revision is refused before anything is sent, too.
    let e = writers[1]
        .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "late"), now)
        .unwrap_err();
    assert_eq!(e.code(), "conflict");
    let (_, value) = writers[1]
        .reveal_shared_secret(ORG, "prod/db", now)
        .unwrap();
    assert_eq!(value_of(&value, "password"), won[0].as_bytes());
}

#[test]
fn rows_changed_on_the_server_are_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    {
        let mut alice = team.admin.open();
        alice
            .create_shared_secret(ORG, new_secret("a", basic_auth("u", "pa")), now)
            .unwrap();
        alice
            .create_shared_secret(ORG, new_secret("b", basic_auth("u", "pb")), now)
            .unwrap();
    }
    bob.open().shared_secrets(ORG).unwrap();
    // As the schema's owner role (row-level security is forced on it too;
    // its owner_all policy lets it write): what a malicious server can do.
    let mut root = team.pg.superuser("team");
    root.batch_execute(&format!("SET ROLE {}_owner", team.prefix()))
        .unwrap();
    let bob_id = bob.status().member_id;
    let cases: Vec<(&str, String, String)> = vec![
        (
            "a flipped byte in the metadata",
            "UPDATE coffer.secret_versions SET meta = set_byte(meta, 20, get_byte(meta, 20) # 1)"
                .into(),
            String::new(),
        ),
        (
            "values swapped between two secrets",
            "UPDATE coffer.secret_versions v SET value = o.value FROM coffer.secret_versions o \
             WHERE v.secret_id <> o.secret_id"
                .into(),
            String::new(),
        ),
        (
            "a replaced signature",
            "UPDATE coffer.secret_versions v SET sig = o.sig FROM coffer.secret_versions o \
             WHERE v.secret_id <> o.secret_id"
                .into(),
            String::new(),
        ),
        (
            "another author",
            format!("UPDATE coffer.secret_versions SET author = '{bob_id}'"),
            String::new(),
        ),
        (
            "a status changed without a revision",
            "UPDATE coffer.secrets SET status = 'trashed'".into(),
            String::new(),
        ),
        (
            "data keys swapped between two secrets",
            "UPDATE coffer.data_keys v SET wrapped = o.wrapped FROM coffer.data_keys o \
             WHERE v.secret_id <> o.secret_id"
                .into(),
            String::new(),
        ),
    ];
    for (what, sql, _) in cases {
        let mut tx = root.transaction().unwrap();
        tx.batch_execute(&sql).unwrap();
        // Seen by a member while the change is in place: commit, check, undo.
        tx.commit().unwrap();
        let e = bob.open().shared_secrets(ORG).unwrap_err();
        assert_eq!(e.code(), "tampered", "{what}: {e}");
        let e = bob.open().reveal_shared_secret(ORG, "a", now);
        assert!(
            e.as_ref().is_err_and(|e| e.code() == "tampered"),
            "{what}: reveal gave {:?}",
            e.map(|(s, _)| s.name)
        );
        restore(&mut root, &sql);
        bob.open().shared_secrets(ORG).unwrap();
    }
}

/// Undoes one tampering case by swapping back (the swaps are symmetric) or
/// resetting what was set.
fn restore(root: &mut postgres::Client, sql: &str) {
    if sql.contains(" # 1") || sql.contains("<> o.") {
        root.batch_execute(sql).unwrap();
    } else if sql.contains("SET author") {
        root.batch_execute(
            "UPDATE coffer.secret_versions SET author = (SELECT id FROM coffer.members \
             ORDER BY joined_at LIMIT 1)",
        )
        .unwrap();
    } else {
        root.batch_execute("UPDATE coffer.secrets SET status = 'active'")
            .unwrap();
    }
}

#[test]
fn removing_a_member_rewraps_the_data_keys_and_lists_the_secrets_to_rotate() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let mut carol = team.add("Carol", Role::Member);
    let carol_id = carol.status().member_id;
    let now = team.admin.clock.now();
    let mut alice = team.admin.open();
    alice
        .create_shared_secret(
            ORG,
            new_secret("prod/db", basic_auth("app", "v1-Canary")),
            now,
        )
        .unwrap();
    alice
        .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "v2-Canary"), now)
        .unwrap();
    drop(alice);

    let removed = team.admin.open().remove(&carol_id[..8], now).unwrap();
    assert_eq!(removed.epoch, 2);
    let names: Vec<&str> = removed.to_rotate.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["prod/db"],
        "each secret once, by the name Alice opened"
    );

    // Bob reads the current value and an older revision's key moved too.
    let mut bob_team = bob.open();
    let (shared, value) = bob_team.reveal_shared_secret(ORG, "prod/db", now).unwrap();
    assert_eq!(shared.revision, 2);
    assert_eq!(value_of(&value, "password"), b"v2-Canary");
    let epochs: Vec<i32> = team
        .pg
        .superuser("team")
        .query("SELECT DISTINCT epoch FROM coffer.data_keys", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(epochs, [2], "every data key re-wrapped at the new epoch");
    // New writes after the removal work for the remaining members.
    bob_team
        .create_shared_secret(
            ORG,
            new_secret("prod/api", basic_auth("api", "k-Canary")),
            now,
        )
        .unwrap();
    assert_eq!(
        team.admin
            .open()
            .reveal_shared_secret(ORG, "prod/api", now)
            .map(|(_, v)| value_of(&v, "username"))
            .unwrap(),
        b"api"
    );
}
