//! Values as immutable versions: new versions on change, none when equal,
//! history, restore, and pruning that really removes old ciphertexts.

use std::path::Path;

use coffer_core::ErrorCode;
use coffer_core::secret::{SecretBytes, SecretType, ValueChange, ValueOutcome};
use coffer_core::{Settings, Timestamp};

use crate::support::{
    Fixture, T0, basic, contains, expect_code, expect_invalid, inputs, named, raw, reveal_all,
    secret,
};

fn set(pairs: &[(&str, &str)]) -> ValueChange {
    ValueChange {
        set: inputs(pairs),
        ..Default::default()
    }
}

fn update_count(fx: &Fixture) -> usize {
    fx.audit_entries(Some(&named("svc")), 1000)
        .unwrap()
        .iter()
        .filter(|e| e.action == "secret.update_value")
        .count()
}

#[test]
fn value_changes_make_versions_and_equal_values_do_not() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "alice", "pw-1")).unwrap();
    fx.advance_days(1);
    let outcome = fx
        .update_value(&named("svc"), set(&[("password", "pw-2")]), None)
        .unwrap();
    assert_eq!(outcome, ValueOutcome::NewVersion { version: 2 });
    let meta = fx.get(&named("svc")).unwrap();
    assert_eq!(meta.current_version, 2);
    assert_eq!(meta.updated_at, T0.plus_days(1));

    // Setting the same value again changes nothing at all.
    fx.advance_days(1);
    let updates = update_count(&fx);
    for change in [
        set(&[("password", "pw-2")]),
        set(&[("username", "alice"), ("password", "pw-2")]),
        ValueChange::default(),
    ] {
        let outcome = fx.update_value(&named("svc"), change, None).unwrap();
        assert_eq!(outcome, ValueOutcome::Unchanged);
    }
    let meta = fx.get(&named("svc")).unwrap();
    assert_eq!(meta.current_version, 2);
    assert_eq!(meta.updated_at, T0.plus_days(1));
    assert_eq!(update_count(&fx), updates);

    // A public field is part of the value too.
    let outcome = fx
        .update_value(&named("svc"), set(&[("username", "bob")]), None)
        .unwrap();
    assert_eq!(outcome, ValueOutcome::NewVersion { version: 3 });
    assert_eq!(
        fx.get(&named("svc")).unwrap().public_fields["username"],
        "bob"
    );

    let history = fx.versions(&named("svc")).unwrap();
    let numbers: Vec<u32> = history.iter().map(|v| v.version).collect();
    assert_eq!(numbers, [3, 2, 1]);
    let current: Vec<bool> = history.iter().map(|v| v.current).collect();
    assert_eq!(current, [true, false, false]);
    let notes: Vec<&str> = history.iter().map(|v| v.note.as_str()).collect();
    assert_eq!(notes, ["updated", "updated", "created"]);
    let users: Vec<&str> = history
        .iter()
        .map(|v| v.public_fields["username"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["bob", "alice", "alice"]);
    let times: Vec<Timestamp> = history.iter().map(|v| v.created_at).collect();
    assert_eq!(times, [T0.plus_days(2), T0.plus_days(1), T0]);

    fx.reopen();
    let now = reveal_all(&mut fx, &named("svc"));
    assert_eq!(
        (&now["username"][..], &now["password"][..]),
        (&b"bob"[..], &b"pw-2"[..])
    );

    // Restoring makes a new version with the old value.
    let restored = fx.restore_version(&named("svc"), 1, None).unwrap();
    assert_eq!(restored, 4);
    let audit = fx.audit_entries(Some(&named("svc")), 1).unwrap();
    assert_eq!(audit[0].action, "secret.update_value");
    assert_eq!(audit[0].detail["version"], 4);
    let now = reveal_all(&mut fx, &named("svc"));
    assert_eq!(
        (&now["username"][..], &now["password"][..]),
        (&b"alice"[..], &b"pw-1"[..])
    );
    let history = fx.versions(&named("svc")).unwrap();
    assert_eq!(history[0].version, 4);
    assert_eq!(history[0].note, "restored from version 1");
    assert_eq!(history.len(), 4);
    expect_code(
        fx.restore_version(&named("svc"), 99, None),
        ErrorCode::NotFound,
    );
}

#[test]
fn removing_optional_fields_and_redetecting_media_types() {
    let mut fx = Fixture::new();
    fx.register(secret(
        "creds",
        SecretType::ClientCredentials,
        &[
            ("client_id", "c"),
            ("client_secret", "s"),
            ("audience", "api"),
        ],
    ))
    .unwrap();
    let change = ValueChange {
        remove: vec!["audience".into()],
        ..Default::default()
    };
    fx.update_value(&named("creds"), change, None).unwrap();
    let now = reveal_all(&mut fx, &named("creds"));
    assert!(!now.contains_key("audience"));
    assert_eq!(
        fx.get(&named("creds")).unwrap().public_fields["audience"],
        serde_json::Value::Null
    );
    let change = ValueChange {
        remove: vec!["client_secret".into()],
        ..Default::default()
    };
    expect_invalid(
        fx.update_value(&named("creds"), change, None),
        "client_secret",
    );

    fx.register(secret("blob", SecretType::Data, &[("data", "hello")]))
        .unwrap();
    assert_eq!(
        fx.get(&named("blob")).unwrap().public_fields["content_type"],
        "text/plain"
    );
    let change = ValueChange {
        set: vec![("data".to_owned(), SecretBytes::from(vec![0xff, 0x00, 0xfe]))],
        ..Default::default()
    };
    fx.update_value(&named("blob"), change, None).unwrap();
    let meta = fx.get(&named("blob")).unwrap();
    assert_eq!(
        meta.public_fields["content_type"],
        "application/octet-stream"
    );
    assert_eq!(meta.public_fields["size"], 3);
    fx.update_value(
        &named("blob"),
        set(&[("data", "{}"), ("content_type", "application/json")]),
        None,
    )
    .unwrap();
    assert_eq!(
        fx.get(&named("blob")).unwrap().public_fields["content_type"],
        "application/json"
    );
}

/// The ciphertexts (payload, wrapped data key) of every stored version of `name`.
fn ciphertexts(path: &Path, name: &str) -> Vec<(u32, Vec<u8>, Vec<u8>)> {
    let db = raw(path);
    let mut stmt = db
        .prepare(
            "SELECT v.version, v.payload, v.wrapped_dek FROM secret_versions v
             JOIN secrets s ON s.id = v.secret_id WHERE s.name = ?1 ORDER BY v.version",
        )
        .unwrap();
    stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The vault's bytes on disk: the main file and its write-ahead log.
fn disk_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(log) = std::fs::read(wal) {
        bytes.extend(log);
    }
    bytes
}

#[test]
fn versions_beyond_keep_versions_are_pruned_from_the_file() {
    let mut fx = Fixture::new();
    fx.update_settings(Settings {
        keep_versions: 3,
        ..Settings::default()
    })
    .unwrap();
    fx.register(basic("svc", "u", "pw-1")).unwrap();
    let mut seen = ciphertexts(&fx.path, "svc");
    for n in 2..=6 {
        let pw = format!("pw-{n}");
        fx.update_value(&named("svc"), set(&[("password", &pw)]), None)
            .unwrap();
        seen.extend(
            ciphertexts(&fx.path, "svc")
                .into_iter()
                .filter(|(v, ..)| *v == n),
        );
    }
    assert_eq!(seen.len(), 6);
    let numbers: Vec<u32> = fx
        .versions(&named("svc"))
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(numbers, [6, 5, 4]);
    let stored: Vec<u32> = ciphertexts(&fx.path, "svc")
        .iter()
        .map(|(v, ..)| *v)
        .collect();
    assert_eq!(stored, [4, 5, 6]);
    let pruned: Vec<serde_json::Value> = fx
        .audit_entries(Some(&named("svc")), 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "secret.prune_versions")
        .map(|e| e.detail["versions"].clone())
        .collect();
    assert_eq!(
        pruned,
        [
            serde_json::json!([3]),
            serde_json::json!([2]),
            serde_json::json!([1])
        ]
    );
    for v in 1..=3 {
        expect_code(
            fx.restore_version(&named("svc"), v, None),
            ErrorCode::NotFound,
        );
    }

    let check_disk = |bytes: &[u8], when: &str| {
        for (version, payload, wrapped) in &seen {
            let kept = *version >= 4;
            assert_eq!(
                contains(bytes, payload),
                kept,
                "{when}: payload of version {version} on disk"
            );
            assert_eq!(
                contains(bytes, wrapped),
                kept,
                "{when}: wrapped data key of version {version} on disk"
            );
        }
    };
    check_disk(&disk_bytes(&fx.path), "while open");
    fx.close();
    check_disk(&disk_bytes(&fx.path), "after close");
    fx.reopen();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw-6");
    fx.restore_version(&named("svc"), 4, None).unwrap();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw-4");

    // Lowering the limit prunes at the next new version.
    fx.update_settings(Settings {
        keep_versions: 1,
        ..Settings::default()
    })
    .unwrap();
    // (Restoring made version 7, so 5, 6 and 7 are kept.)
    assert_eq!(fx.versions(&named("svc")).unwrap().len(), 3);
    fx.update_value(&named("svc"), set(&[("password", "pw-8")]), None)
        .unwrap();
    let numbers: Vec<u32> = fx
        .versions(&named("svc"))
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(numbers, [8]);

    // Purging the secret takes its last ciphertexts off the disk as well.
    let last = ciphertexts(&fx.path, "svc");
    fx.purge(&named("svc")).unwrap();
    let bytes = disk_bytes(&fx.path);
    for (version, payload, wrapped) in &last {
        assert!(
            !contains(&bytes, payload) && !contains(&bytes, wrapped),
            "version {version} of a purged secret is still on disk"
        );
    }
}
