//! Status, use policies, the trash, write-only secrets, organizations and the
//! audit trail of reveals, with a fixed clock that tests move by hand.

use coffer_core::secret::{
    MetadataChange, Scope, SecretQuery, SecretRef, SecretStatus, SecretType, Visibility,
};
use coffer_core::{Error, ErrorCode, ExpiredPolicy, ExposeSecret, Settings};

use crate::support::{Fixture, T0, basic, expect_code, named, raw, reveal_all, secret};

fn actions(fx: &Fixture, secret: &SecretRef) -> Vec<String> {
    fx.audit_entries(Some(secret), 1000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn names_in(fx: &Fixture, scope: Scope) -> Vec<String> {
    let query = SecretQuery {
        scope,
        ..Default::default()
    };
    fx.list(&query)
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.name)
        .collect()
}

#[test]
fn metadata_updates_leave_the_value_and_version_alone() {
    let mut fx = Fixture::new();
    let mut new = basic("svc", "alice", "pw-1");
    new.description = "first".into();
    new.labels.insert("env".into(), "prod".into());
    new.labels.insert("team".into(), "core".into());
    let created = fx.register(new).unwrap().meta;
    assert_eq!(created.created_at, T0);
    assert!(!created.owner.is_empty());

    fx.advance_days(1);
    let change = MetadataChange {
        description: Some("second".into()),
        set_labels: [("env".to_owned(), "staging".to_owned())].into(),
        remove_labels: vec!["team".into()],
        expires_at: Some(Some(T0.plus_days(90))),
        project: Some(Some("billing".into())),
        visibility: Some(Visibility::Private),
        ..Default::default()
    };
    let meta = fx.update_metadata(&named("svc"), change).unwrap();
    assert_eq!(meta.description, "second");
    assert_eq!(
        meta.labels,
        [("env".to_owned(), "staging".to_owned())].into()
    );
    assert_eq!(meta.expires_at, Some(T0.plus_days(90)));
    assert_eq!(meta.project.as_deref(), Some("billing"));
    assert_eq!(meta.visibility, Visibility::Private);
    assert_eq!(meta.current_version, 1);
    assert_eq!(meta.created_at, T0);
    assert_eq!(meta.updated_at, T0.plus_days(1));
    assert_eq!(fx.versions(&named("svc")).unwrap().len(), 1);
    let audit = fx.audit_entries(Some(&named("svc")), 1).unwrap();
    assert_eq!(audit[0].action, "secret.update");
    assert_eq!(
        audit[0].detail["changed"],
        serde_json::json!(["description", "labels", "expires", "project", "visibility"])
    );

    // Clearing expiry and project.
    let change = MetadataChange {
        expires_at: Some(None),
        project: Some(None),
        ..Default::default()
    };
    let meta = fx.update_metadata(&named("svc"), change).unwrap();
    assert_eq!(meta.expires_at, None);
    assert_eq!(meta.project, None);

    fx.reopen();
    let meta = fx.get(&named("svc")).unwrap();
    assert_eq!(meta.description, "second");
    assert_eq!(meta.visibility, Visibility::Private);
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw-1");
}

#[test]
fn deactivate_and_activate() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "pw")).unwrap();
    let meta = fx.deactivate(&named("svc")).unwrap();
    assert_eq!(meta.status, SecretStatus::Deactivated);
    let e = expect_code(
        fx.use_secret(&named("svc"), None, "test", None),
        ErrorCode::Refused,
    );
    assert!(
        matches!(&e, Error::Refused { name, status } if name == "svc" && status == "deactivated"),
        "{e:?}"
    );
    assert!(e.to_string().contains("\"svc\" is deactivated"), "{e}");
    // Deactivating again changes nothing and records nothing.
    let before = actions(&fx, &named("svc")).len();
    fx.deactivate(&named("svc")).unwrap();
    assert_eq!(actions(&fx, &named("svc")).len(), before);

    fx.reopen();
    assert_eq!(
        fx.get(&named("svc")).unwrap().status,
        SecretStatus::Deactivated
    );
    let meta = fx.activate(&named("svc")).unwrap();
    assert_eq!(meta.status, SecretStatus::Active);
    let used = fx.use_secret(&named("svc"), None, "test", None).unwrap();
    assert!(used.warning.is_none());
    assert_eq!(
        used.data.main_value().unwrap().value.as_ref(),
        b"pw".as_slice()
    );
    let recorded = actions(&fx, &named("svc"));
    assert_eq!(
        recorded[..3],
        ["secret.use", "secret.activate", "secret.deactivate"]
    );
}

#[test]
fn use_refuses_trash_other_projects_and_expired_under_block() {
    let mut fx = Fixture::new();
    fx.register(basic("trashed", "u", "p")).unwrap();
    fx.delete(&named("trashed")).unwrap();
    let e = expect_code(
        fx.use_secret(&named("trashed"), None, "job", None),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("trash"), "{e}");

    let mut new = basic("billing-db", "u", "p");
    new.project = Some("billing".into());
    fx.register(new).unwrap();
    for other in [None, Some("payroll")] {
        let e = expect_code(
            fx.use_secret(&named("billing-db"), other, "job", None),
            ErrorCode::Refused,
        );
        assert!(e.to_string().contains("billing"), "{e}");
    }
    let used = fx
        .use_secret(&named("billing-db"), Some("billing"), "job", None)
        .unwrap();
    assert_eq!(used.meta.last_used_at, Some(T0));
    // A secret without a project may be used by any project.
    fx.register(basic("shared", "u", "p")).unwrap();
    fx.use_secret(&named("shared"), Some("payroll"), "job", None)
        .unwrap();

    let mut new = basic("expiring", "u", "p");
    new.expires_at = Some(T0.plus_days(2));
    fx.register(new).unwrap();
    fx.advance_days(2);
    assert_eq!(
        fx.get(&named("expiring")).unwrap().status,
        SecretStatus::Expired
    );
    // Warn (the default): used, with a warning naming the secret and the date.
    assert_eq!(fx.settings().expired_use, ExpiredPolicy::Warn);
    let used = fx
        .use_secret(&named("expiring"), None, "nightly", None)
        .unwrap();
    let warning = used.warning.expect("a warning");
    assert_eq!(warning.name, "expiring");
    assert!(
        warning.message.contains(&T0.plus_days(2).to_string()),
        "{}",
        warning.message
    );
    assert_eq!(used.meta.last_used_at, Some(T0.plus_days(2)));
    let audit = fx.audit_entries(Some(&named("expiring")), 1).unwrap();
    assert_eq!(audit[0].action, "secret.use");
    assert_eq!(audit[0].detail["purpose"], "nightly");

    // Block: refused.
    let block = Settings {
        expired_use: ExpiredPolicy::Block,
        ..fx.settings().clone()
    };
    fx.update_settings(block).unwrap();
    fx.reopen();
    let e = expect_code(
        fx.use_secret(&named("expiring"), None, "nightly", None),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("expired"), "{e}");
    // Not yet expired secrets are still fine under Block.
    fx.use_secret(&named("shared"), None, "job", None).unwrap();
}

#[test]
fn trash_undelete_purge_and_empty() {
    let mut fx = Fixture::new();
    for name in ["a", "b", "c", "d"] {
        let mut new = basic(name, "u", &format!("pw-{name}"));
        new.labels.insert("k".into(), "v".into());
        fx.register(new).unwrap();
    }
    fx.advance_days(1);
    let meta = fx.delete(&named("a")).unwrap();
    assert_eq!(meta.deleted_at, Some(T0.plus_days(1)));
    assert_eq!(meta.purge_at, Some(T0.plus_days(31)));
    assert_eq!(names_in(&fx, Scope::Live), ["b", "c", "d"]);
    assert_eq!(names_in(&fx, Scope::Trash), ["a"]);
    // A trashed secret cannot be changed or trashed again.
    expect_code(fx.delete(&named("a")), ErrorCode::Refused);
    expect_code(fx.deactivate(&named("a")), ErrorCode::Refused);
    expect_code(
        fx.update_metadata(
            &named("a"),
            MetadataChange {
                description: Some("x".into()),
                ..Default::default()
            },
        ),
        ErrorCode::Refused,
    );
    expect_code(fx.move_to_org(&named("a"), "Ops"), ErrorCode::Refused);

    let meta = fx.undelete(&named("a")).unwrap();
    assert_eq!(meta.deleted_at, None);
    assert_eq!(reveal_all(&mut fx, &named("a"))["password"], b"pw-a");
    expect_invalid_not_in_trash(&mut fx);

    // Purge: the secret, its versions and labels are gone from the file.
    let id = fx.get(&named("b")).unwrap().id;
    fx.purge(&named("b")).unwrap();
    expect_code(fx.get(&named("b")), ErrorCode::NotFound);
    expect_code(fx.get(&SecretRef::Id(id)), ErrorCode::NotFound);
    {
        let db = raw(&fx.path);
        let count = |sql: &str| -> i64 {
            db.query_row(sql, [id.as_bytes().as_slice()], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(count("SELECT count(*) FROM secrets WHERE uid = ?1"), 0);
        let orphans: i64 = db
            .query_row(
                "SELECT (SELECT count(*) FROM secret_versions WHERE secret_id NOT IN (SELECT id FROM secrets))
                      + (SELECT count(*) FROM secret_labels WHERE secret_id NOT IN (SELECT id FROM secrets))",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
    }
    // The purged secret's audit trail remains.
    let all = fx.audit_entries(None, 1000).unwrap();
    let purge = all
        .iter()
        .find(|e| e.action == "secret.purge" && e.secret_id == Some(id))
        .expect("purge audited");
    assert_eq!(purge.detail["reason"], "requested");

    // Empty the trash.
    fx.delete(&named("c")).unwrap();
    fx.delete(&named("d")).unwrap();
    assert_eq!(fx.empty_trash().unwrap(), 2);
    assert_eq!(fx.empty_trash().unwrap(), 0);
    assert!(names_in(&fx, Scope::Trash).is_empty());
    assert_eq!(names_in(&fx, Scope::Live), ["a"]);
    fx.reopen();
    assert_eq!(names_in(&fx, Scope::Live), ["a"]);
    assert_eq!(fx.status().unwrap().counts.trash, 0);
}

fn expect_invalid_not_in_trash(fx: &mut Fixture) {
    let e = expect_code(fx.undelete(&named("a")), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("not in the trash"), "{e}");
}

#[test]
fn trash_is_purged_automatically_after_the_retention_period() {
    let mut fx = Fixture::new();
    fx.update_settings(Settings {
        trash_retention_days: 7,
        ..Settings::default()
    })
    .unwrap();
    for name in ["early", "late", "kept"] {
        fx.register(basic(name, "u", "p")).unwrap();
    }
    fx.delete(&named("early")).unwrap();
    fx.advance_days(3);
    fx.delete(&named("late")).unwrap();
    assert_eq!(
        fx.get(&named("early")).unwrap().purge_at,
        Some(T0.plus_days(7))
    );

    // One second before "early" is due, unlocking purges nothing.
    fx.clock.set(T0.plus_days(7).plus_seconds(-1));
    fx.reopen();
    assert_eq!(names_in(&fx, Scope::Trash), ["early", "late"]);

    // When due, the next unlock purges it, recording why.
    fx.clock.set(T0.plus_days(7));
    fx.lock();
    fx.unlock_with_passphrase(&crate::support::passphrase())
        .unwrap();
    assert_eq!(names_in(&fx, Scope::Trash), ["late"]);
    let all = fx.audit_entries(None, 1000).unwrap();
    let purge = all
        .iter()
        .find(|e| e.action == "secret.purge")
        .expect("purge audited");
    assert_eq!(purge.target, "Default:early");
    assert_eq!(purge.detail["reason"], "retention");

    // Later still, after a restart, the other goes too; live secrets stay.
    fx.clock.set(T0.plus_days(10));
    fx.reopen();
    assert!(names_in(&fx, Scope::Trash).is_empty());
    assert_eq!(names_in(&fx, Scope::Live), ["kept"]);
    assert_eq!(fx.purge_expired_trash().unwrap(), 0);
}

#[test]
fn write_only_secrets_are_used_but_never_revealed() {
    let mut fx = Fixture::new();
    let mut new = basic("wo", "robot", "never-shown");
    new.write_only = true;
    let meta = fx.register(new).unwrap().meta;
    assert!(meta.write_only);
    for field in [None, Some("password"), Some("username")] {
        let e = expect_code(fx.reveal(&named("wo"), field, None), ErrorCode::WriteOnly);
        assert_eq!(e.code().as_str(), "write_only");
        assert!(e.to_string().contains("\"wo\""), "{e}");
    }
    assert!(!actions(&fx, &named("wo")).contains(&"secret.reveal".to_owned()));
    let used = fx.use_secret(&named("wo"), None, "job", None).unwrap();
    assert_eq!(
        used.data.field("password").unwrap().value.as_ref(),
        b"never-shown".as_slice()
    );
    // Its value can still be replaced, and it stays write-only.
    let change = coffer_core::secret::ValueChange {
        set: crate::support::inputs(&[("password", "rotated")]),
        ..Default::default()
    };
    fx.update_value(&named("wo"), change, None).unwrap();
    fx.reopen();
    expect_code(fx.reveal(&named("wo"), None, None), ErrorCode::WriteOnly);
    let used = fx.use_secret(&named("wo"), None, "job", None).unwrap();
    assert_eq!(
        used.data.field("password").unwrap().value.as_ref(),
        b"rotated".as_slice()
    );

    // Making a secret write-only is one way.
    fx.register(basic("later", "u", "p")).unwrap();
    reveal_all(&mut fx, &named("later"));
    let meta = fx
        .update_metadata(
            &named("later"),
            MetadataChange {
                make_write_only: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(meta.write_only);
    expect_code(fx.reveal(&named("later"), None, None), ErrorCode::WriteOnly);
    let meta = fx
        .update_metadata(
            &named("later"),
            MetadataChange {
                make_write_only: false,
                description: Some("still write-only".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(meta.write_only);
}

#[test]
fn reveals_are_audited_by_actor_version_and_fields() {
    let mut fx = Fixture::new();
    fx.set_actor("auditor-7");
    fx.register(basic("svc", "alice", "pw")).unwrap();
    let fields = fx.reveal(&named("svc"), Some("password"), None).unwrap();
    assert_eq!(fields[0].value.expose_secret(), b"pw");
    reveal_all(&mut fx, &named("svc"));
    let audit = fx.audit_entries(Some(&named("svc")), 10).unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["secret.reveal", "secret.reveal", "secret.create"]);
    assert!(audit.iter().all(|e| e.actor == "auditor-7" && e.at == T0));
    assert_eq!(audit[1].detail["fields"], serde_json::json!(["password"]));
    assert_eq!(
        audit[0].detail["fields"],
        serde_json::json!(["username", "password"])
    );
    assert_eq!(audit[0].detail["version"], 1);
    assert_eq!(audit[0].target, "Default:svc");
    // A locked vault reveals nothing, and says why.
    fx.lock();
    expect_code(fx.reveal(&named("svc"), None, None), ErrorCode::Locked);
    expect_code(fx.register(basic("x", "u", "p")), ErrorCode::Locked);
    // Listing still works while locked.
    assert_eq!(fx.list(&Default::default()).unwrap().total, 1);
}

#[test]
fn organizations_and_moves() {
    let mut fx = Fixture::new();
    let orgs = fx.organizations().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].name, "Default");
    assert_eq!(orgs[0].secrets, 0);

    let mut new = basic("db", "u", "pw-ops");
    new.org = Some("Ops".into());
    new.project = Some("billing".into());
    fx.register(new).unwrap();
    fx.register(basic("db", "u", "pw-default")).unwrap();
    let orgs = fx.organizations().unwrap();
    let names: Vec<&str> = orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Default", "Ops"]);
    assert_eq!(orgs[1].secrets, 1);
    assert_eq!(orgs[1].projects, ["billing"]);

    // Moving to an organization that has that name already is refused...
    let e = expect_code(
        fx.move_to_org(&SecretRef::in_org("Ops", "db"), "Default"),
        ErrorCode::AlreadyExists,
    );
    assert!(
        matches!(&e, Error::AlreadyExists { org, in_trash: false, .. } if org == "Default"),
        "{e:?}"
    );
    // ...also when that name is in the trash there.
    fx.delete(&named("db")).unwrap();
    let e = expect_code(
        fx.move_to_org(&SecretRef::in_org("Ops", "db"), "Default"),
        ErrorCode::AlreadyExists,
    );
    assert!(
        matches!(e, Error::AlreadyExists { in_trash: true, .. }),
        "{e:?}"
    );

    // A move to a new organization creates it and clears the project.
    let meta = fx
        .move_to_org(&SecretRef::in_org("Ops", "db"), "Dev")
        .unwrap();
    assert_eq!(meta.org, "Dev");
    assert_eq!(meta.project, None);
    expect_code(fx.get(&SecretRef::in_org("Ops", "db")), ErrorCode::NotFound);
    // Moving to where it is already is a no-op.
    fx.move_to_org(&SecretRef::in_org("Dev", "db"), "Dev")
        .unwrap();
    fx.reopen();
    assert_eq!(
        reveal_all(&mut fx, &SecretRef::in_org("Dev", "db"))["password"],
        b"pw-ops"
    );
    let audit = fx
        .audit_entries(Some(&SecretRef::in_org("Dev", "db")), 20)
        .unwrap();
    let moved = audit
        .iter()
        .find(|e| e.action == "secret.move")
        .expect("move audited");
    assert_eq!(moved.detail["from"], "Ops");
    assert_eq!(moved.detail["to"], "Dev");
    let orgs = fx.organizations().unwrap();
    let counts: Vec<(&str, u32)> = orgs.iter().map(|o| (o.name.as_str(), o.secrets)).collect();
    assert_eq!(counts, [("Default", 0), ("Dev", 1), ("Ops", 0)]);
}

#[test]
fn status_counts_follow_the_clock() {
    let mut fx = Fixture::new();
    let expiring = |name: &str, days: i64| {
        let mut new = basic(name, "u", "p");
        new.expires_at = Some(T0.plus_days(days));
        new
    };
    fx.register(expiring("soon", 10)).unwrap();
    fx.register(expiring("later", 60)).unwrap();
    fx.register(basic("plain", "u", "p")).unwrap();
    fx.register(secret("off", SecretType::BearerToken, &[("token", "t")]))
        .unwrap();
    fx.deactivate(&named("off")).unwrap();
    fx.register(basic("gone", "u", "p")).unwrap();
    fx.delete(&named("gone")).unwrap();
    let counts = fx.status().unwrap().counts;
    assert_eq!(
        (
            counts.total,
            counts.active,
            counts.deactivated,
            counts.expired,
            counts.expiring_30_days,
            counts.trash
        ),
        (4, 3, 1, 0, 1, 1)
    );
    fx.advance_days(40);
    let counts = fx.status().unwrap().counts;
    assert_eq!(
        (counts.active, counts.expired, counts.expiring_30_days),
        (2, 1, 1)
    );
}
