//! Bulk import on real vault files: preview, one transaction (all or
//! nothing, byte-identical on failure), conflicts skip/rename/new version,
//! unique renames, history, write-only items that need a value, the audit.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use coffer_core::ErrorCode;
use coffer_core::import::{ImportBatch, ImportChoices, ImportItem, OnConflict};
use coffer_core::secret::{NewSecret, SecretType};

use crate::support::{Fixture, basic, data, expect_code, named, reveal_all, secret};

fn item(source: &str, secret: NewSecret) -> ImportItem {
    ImportItem::new(source, secret)
}

fn batch(items: Vec<ImportItem>) -> ImportBatch {
    ImportBatch {
        format: "test".into(),
        items,
        ..ImportBatch::default()
    }
}

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

/// The vault's bytes as SQLite sees them: the main file and its log.
fn vault_bytes(fx: &Fixture) -> Vec<u8> {
    let mut bytes = std::fs::read(&fx.path).unwrap();
    bytes.extend(std::fs::read(fx.path.with_extension("db-wal")).unwrap_or_default());
    bytes
}

fn password_of(fx: &mut Fixture, name: &str) -> String {
    String::from_utf8(reveal_all(fx, &named(name))["password"].clone()).unwrap()
}

#[test]
fn imports_every_item_with_history_and_audits_each() {
    let mut fx = Fixture::new();
    let mut kv = item(
        "line 1",
        secret("app-env", SecretType::KeyValue, &[("API", "v3")]),
    );
    kv.older_versions = vec![
        data(SecretType::KeyValue, &[("API", "v1")]),
        data(SecretType::KeyValue, &[("API", "v2")]),
    ];
    let mut db = basic("db", "alice", "pw-ä-1");
    db.labels = BTreeMap::from([("group".into(), "Servers".into())]);
    db.org = Some("Ops".into());
    db.expires_at = Some(crate::support::T0.plus_days(-3));
    let b = batch(vec![
        item("Root/Servers/db", db),
        kv,
        item("row 3", basic("web", "bob", "pw-2")),
    ]);

    let preview = fx.preview_import(&b).unwrap();
    assert_eq!(preview.items.len(), 3);
    assert_eq!(preview.by_type[&SecretType::BasicAuth], 2);
    assert_eq!(preview.by_type[&SecretType::KeyValue], 1);
    assert_eq!(preview.items[1].versions, 3);
    assert_eq!(preview.items[0].org, "Ops");
    assert!(preview.items.iter().all(|i| i.conflict.is_none()));

    let mut seen = Vec::new();
    let report = fx
        .import(b, &ImportChoices::default(), &mut |done, total| {
            seen.push((done, total))
        })
        .unwrap();
    assert_eq!(seen, vec![(1, 3), (2, 3), (3, 3)]);
    assert_eq!((report.created, report.renamed, report.skipped), (3, 0, 0));

    // Values, history, labels and a past expiry (a fact of the source).
    let db = coffer_core::secret::SecretRef::Name {
        org: "Ops".into(),
        name: "db".into(),
    };
    assert_eq!(reveal_all(&mut fx, &db)["password"], "pw-ä-1".as_bytes());
    let meta = fx.get(&db).unwrap();
    assert_eq!(meta.labels["group"], "Servers");
    assert_eq!(meta.expires_at, Some(crate::support::T0.plus_days(-3)));
    let versions = fx.versions(&named("app-env")).unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(fx.get(&named("app-env")).unwrap().current_version, 3);
    assert_eq!(reveal_all(&mut fx, &named("app-env"))["API"], b"v3");

    // One entry for the import, one per secret, no value anywhere in them.
    let entries = fx.audit_entries(None, 100).unwrap();
    let imports: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "vault.import")
        .collect();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].detail["created"], 3);
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "secret.import")
            .count(),
        3
    );
    let all = serde_json::to_string(&entries).unwrap();
    for value in ["pw-ä-1", "pw-2", "v1", "v3"] {
        assert!(!all.contains(value), "the audit holds {value}");
    }

    // The file survives a reopen with the same content.
    fx.reopen();
    assert_eq!(password_of(&mut fx, "web"), "pw-2");
}

#[test]
fn conflicts_skip_rename_or_add_a_version() {
    let mut fx = Fixture::new();
    fx.register(basic("db", "alice", "old")).unwrap();
    fx.register(basic("db-2", "carol", "taken")).unwrap();
    let make = || {
        batch(vec![
            item("a", basic("db", "alice", "new")),
            // A second item of the same name: a clash within the file.
            item("b", basic("db", "bob", "newer")),
            item("c", basic("fresh", "dan", "f")),
        ])
    };

    // Renames never take a name of the vault, of the file or of another rename.
    let preview = fx.preview_import(&make()).unwrap();
    let renames: Vec<_> = preview.items.iter().map(|i| i.renamed_to.clone()).collect();
    assert_eq!(renames, vec!["db-3", "db-4", "fresh"]);
    assert_eq!(preview.items[0].conflict.as_deref(), Some("db"));
    assert_eq!(preview.items[1].conflict.as_deref(), Some("db"));
    assert_eq!(preview.items[2].conflict, None);

    // Skip: only the new name is imported.
    let before = fx.list(&Default::default()).unwrap().total;
    let report = fx
        .import(
            make(),
            &ImportChoices::all(OnConflict::Skip),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((report.created, report.skipped), (1, 2));
    assert_eq!(fx.list(&Default::default()).unwrap().total, before + 1);
    assert_eq!(password_of(&mut fx, "db"), "old");

    // New version for all: the existing one gets a version; the clash within
    // the file is renamed; a per-item choice overrides.
    let mut choices = ImportChoices::all(OnConflict::NewVersion);
    choices.per_item.insert(2, OnConflict::Skip);
    let report = fx.import(make(), &choices, &mut no_progress()).unwrap();
    assert_eq!(
        (
            report.new_versions,
            report.created,
            report.renamed,
            report.skipped
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(fx.get(&named("db")).unwrap().current_version, 2);
    assert_eq!(password_of(&mut fx, "db"), "new");
    assert_eq!(password_of(&mut fx, "db-4"), "newer");
    assert_eq!(password_of(&mut fx, "db-2"), "taken");

    // The same value again adds no version.
    let report = fx
        .import(
            batch(vec![item("a", basic("db", "alice", "new"))]),
            &ImportChoices::all(OnConflict::NewVersion),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((report.new_versions, report.skipped), (0, 1));
    assert_eq!(fx.get(&named("db")).unwrap().current_version, 2);

    // Another type cannot be a version: renamed instead.
    let report = fx
        .import(
            batch(vec![item(
                "kv",
                secret("db", SecretType::KeyValue, &[("K", "v")]),
            )]),
            &ImportChoices::all(OnConflict::NewVersion),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((report.created, report.renamed), (1, 1));
    assert_eq!(fx.get(&named("db-3")).unwrap().kind, SecretType::KeyValue);

    // Rename for all, twice: every name stays unique.
    for _ in 0..2 {
        fx.import(
            make(),
            &ImportChoices::all(OnConflict::Rename),
            &mut no_progress(),
        )
        .unwrap();
    }
    let page = fx.list(&Default::default()).unwrap();
    let mut names: Vec<_> = page.items.iter().map(|m| m.name.clone()).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count);
    assert!(names.contains(&"fresh-3".to_owned()), "{names:?}");
}

#[test]
fn a_long_name_is_shortened_to_stay_valid_when_renamed() {
    let mut fx = Fixture::new();
    let long = "n".repeat(128);
    fx.register(basic(&long, "u", "p")).unwrap();
    fx.import(
        batch(vec![item("x", basic(&long, "u", "q"))]),
        &ImportChoices::all(OnConflict::Rename),
        &mut no_progress(),
    )
    .unwrap();
    let renamed = format!("{}-2", "n".repeat(126));
    assert_eq!(password_of(&mut fx, &renamed), "q");
}

#[test]
fn a_failure_mid_batch_leaves_the_vault_byte_identical() {
    let mut fx = Fixture::new();
    fx.register(basic("db", "alice", "old")).unwrap();
    let make = |bad_label: bool| {
        let mut third = basic("third", "carol", "s3cret-value");
        if bad_label {
            third.labels.insert("bad key!".into(), "x".into());
        }
        batch(vec![
            item("row 1", basic("one", "a", "1")),
            item("row 2", basic("db", "b", "2")),
            item("row 3", third),
            item("row 4", basic("four", "d", "4")),
        ])
    };
    let before = vault_bytes(&fx);

    // Invalid input in the third item: refused before anything is written,
    // naming the item, never its value.
    let e = expect_code(
        fx.import(
            make(true),
            &ImportChoices::all(OnConflict::NewVersion),
            &mut no_progress(),
        ),
        ErrorCode::InvalidInput,
    );
    assert!(e.to_string().contains("row 3"), "{e}");
    assert!(!e.to_string().contains("s3cret-value"));
    assert_eq!(vault_bytes(&fx), before);

    // A failure inside the transaction, after three items were written.
    let result = catch_unwind(AssertUnwindSafe(|| {
        fx.import(
            make(false),
            &ImportChoices::all(OnConflict::NewVersion),
            &mut |done, _| assert!(done < 3, "stop after the third item"),
        )
    }));
    assert!(result.is_err());
    assert_eq!(vault_bytes(&fx), before);
    assert!(fx.get(&named("one")).is_err());
    assert_eq!(fx.get(&named("db")).unwrap().current_version, 1);

    // A locked vault imports nothing.
    fx.lock();
    expect_code(
        fx.import(make(false), &ImportChoices::default(), &mut no_progress()),
        ErrorCode::Locked,
    );
    assert_eq!(vault_bytes(&fx), before);

    // And the same batch goes in whole afterwards.
    fx.reopen();
    let report = fx
        .import(
            make(false),
            &ImportChoices::all(OnConflict::NewVersion),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((report.created, report.new_versions), (3, 1));
}

#[test]
fn write_only_items_need_their_value() {
    let mut fx = Fixture::new();
    let write_only = |name: &str| {
        let mut s = basic(name, "svc", "stand-in");
        s.write_only = true;
        ImportItem {
            needs_value: true,
            ..item(name, s)
        }
    };
    let preview = fx
        .preview_import(&batch(vec![write_only("w1"), write_only("w2")]))
        .unwrap();
    assert!(preview.items.iter().all(|i| i.needs_value));

    // Wrong type for the value: refused, nothing written.
    let mut choices = ImportChoices::default();
    choices
        .values
        .insert(0, data(SecretType::KeyValue, &[("K", "v")]));
    expect_code(
        fx.import(
            batch(vec![write_only("w1"), write_only("w2")]),
            &choices,
            &mut no_progress(),
        ),
        ErrorCode::InvalidInput,
    );
    assert!(fx.get(&named("w1")).is_err());

    // A value for the first; the second, without one, is skipped.
    choices.values.insert(
        0,
        data(
            SecretType::BasicAuth,
            &[("username", "svc"), ("password", "given")],
        ),
    );
    let report = fx
        .import(
            batch(vec![write_only("w1"), write_only("w2")]),
            &choices,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((report.created, report.skipped), (1, 1));
    let meta = fx.get(&named("w1")).unwrap();
    assert!(meta.write_only);
    assert!(fx.get(&named("w2")).is_err());
    expect_code(fx.reveal(&named("w1"), None, None), ErrorCode::WriteOnly);
}

#[test]
fn on_conflict_parses_its_three_names() {
    assert_eq!(OnConflict::parse("skip").unwrap(), OnConflict::Skip);
    assert_eq!(OnConflict::parse("rename").unwrap(), OnConflict::Rename);
    assert_eq!(
        OnConflict::parse("new_version").unwrap(),
        OnConflict::NewVersion
    );
    assert_eq!(
        OnConflict::parse("new-version").unwrap(),
        OnConflict::NewVersion
    );
    expect_code(OnConflict::parse("merge"), ErrorCode::InvalidInput);
}
