//! The hash-chained, append-only audit log: it verifies after real work, and
//! an attacker who drops the triggers and edits, deletes or reorders rows is
//! caught at the first row touched.

use coffer_core::secret::{MetadataChange, NewProtection, ValueChange};
use coffer_core::{AuditVerification, SecretString, Settings};
use rusqlite::params;

use crate::support::{Fixture, basic, inputs, named, passphrase, raw};

/// A vault with a few dozen audit entries of many kinds.
fn busy_vault() -> Fixture {
    let mut fx = Fixture::new();
    for i in 0..4 {
        fx.register(basic(&format!("s{i}"), "u", "p")).unwrap();
        fx.advance_days(1);
    }
    let change = ValueChange {
        set: inputs(&[("password", "p2")]),
        ..Default::default()
    };
    fx.update_value(&named("s0"), change, None).unwrap();
    fx.update_metadata(
        &named("s1"),
        MetadataChange {
            description: Some("d".into()),
            ..Default::default()
        },
    )
    .unwrap();
    fx.reveal(&named("s0"), None, None).unwrap();
    fx.use_secret(&named("s1"), None, "job", None).unwrap();
    fx.deactivate(&named("s2")).unwrap();
    fx.activate(&named("s2")).unwrap();
    fx.delete(&named("s3")).unwrap();
    fx.undelete(&named("s3")).unwrap();
    fx.move_to_org(&named("s3"), "Ops").unwrap();
    fx.restore_version(&named("s0"), 1, None).unwrap();
    fx.update_settings(Settings {
        keep_versions: 5,
        ..Settings::default()
    })
    .unwrap();
    let mut boxed = basic("boxed", "u", "p");
    boxed.protection = NewProtection::Password(SecretString::from("box-pw"));
    fx.register(boxed).unwrap();
    fx.delete(&named("s2")).unwrap();
    fx.purge(&named("s2")).unwrap();
    fx
}

fn rows(fx: &Fixture) -> i64 {
    raw(&fx.path)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

#[track_caller]
fn assert_ok(v: &AuditVerification) {
    assert!(
        v.ok && v.first_broken.is_none() && v.reason.is_none(),
        "{v:?}"
    );
}

#[track_caller]
fn assert_broken_at(v: &AuditVerification, seq: i64, reason: &str) {
    assert!(!v.ok, "tampering at {seq} went unnoticed: {v:?}");
    assert_eq!(v.first_broken, Some(seq as u32), "{v:?}");
    let said = v.reason.as_deref().unwrap_or_default();
    assert!(said.contains(reason), "{said:?} should say {reason:?}");
}

fn drop_triggers(db: &rusqlite::Connection) {
    db.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
}

#[test]
fn the_chain_verifies_after_many_operations() {
    let mut fx = busy_vault();
    fx.rotate_master_key(&passphrase()).unwrap();
    fx.change_passphrase(&passphrase(), &SecretString::from("the second passphrase"))
        .unwrap();
    let v = fx.verify_audit().unwrap();
    assert_ok(&v);
    assert_eq!(i64::from(v.entries), rows(&fx));
    assert!(v.entries > 20, "{v:?}");
    fx.open_locked();
    fx.unlock_with_passphrase(&SecretString::from("the second passphrase"))
        .unwrap();
    let again = fx.verify_audit().unwrap();
    assert_ok(&again);
    assert_eq!(again.entries, v.entries + 1, "the unlock is recorded");
    let newest = fx.audit_entries(None, 1).unwrap();
    assert_eq!(newest[0].action, "vault.unlock");
    assert_eq!(newest[0].seq, again.entries);
}

#[test]
fn triggers_refuse_updates_and_deletes_on_an_intact_vault() {
    let fx = busy_vault();
    let db = raw(&fx.path);
    for sql in [
        "UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 2",
        "UPDATE audit_log SET detail = '{}'",
        "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
        "DELETE FROM audit_log",
    ] {
        let e = db.execute(sql, []).expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert_ok(&fx.verify_audit().unwrap());
}

#[test]
fn editing_any_field_of_any_row_breaks_the_chain_there() {
    let fx = busy_vault();
    let db = raw(&fx.path);
    drop_triggers(&db);
    let count = rows(&fx);
    let mut checked = 0;
    for seq in 1..=count {
        for column in ["action", "detail", "target", "actor", "at"] {
            let original: rusqlite::types::Value = db
                .query_row(
                    &format!("SELECT {column} FROM audit_log WHERE seq = ?1"),
                    [seq],
                    |r| r.get(0),
                )
                .unwrap();
            let forged = match &original {
                rusqlite::types::Value::Integer(at) => rusqlite::types::Value::Integer(at - 1),
                rusqlite::types::Value::Text(text) if column == "detail" => {
                    rusqlite::types::Value::Text(format!("{text} "))
                }
                rusqlite::types::Value::Text(text) => {
                    rusqlite::types::Value::Text(format!("{text}x"))
                }
                other => panic!("{column}: {other:?}"),
            };
            let set = format!("UPDATE audit_log SET {column} = ?2 WHERE seq = ?1");
            db.execute(&set, params![seq, forged]).unwrap();
            assert_broken_at(&fx.verify_audit().unwrap(), seq, "altered");
            db.execute(&set, params![seq, original]).unwrap();
            checked += 1;
        }
    }
    assert_ok(&fx.verify_audit().unwrap());
    assert_eq!(checked, count * 5);
}

#[test]
fn deleting_or_reordering_rows_is_reported() {
    let mut fx = busy_vault();
    let db = raw(&fx.path);
    drop_triggers(&db);
    let count = rows(&fx);
    let take = |seq: i64| -> Vec<rusqlite::types::Value> {
        db.query_row(
            "SELECT seq, at, actor, action, secret_id, target, detail, mac FROM audit_log WHERE seq = ?1",
            [seq],
            |r| (0..8).map(|i| r.get(i)).collect(),
        )
        .unwrap()
    };
    let put = |row: &[rusqlite::types::Value]| {
        db.execute(
            "INSERT INTO audit_log (seq, at, actor, action, secret_id, target, detail, mac)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params_from_iter(row.iter()),
        )
        .unwrap();
    };
    let delete = |seq: i64| {
        db.execute("DELETE FROM audit_log WHERE seq = ?1", [seq])
            .unwrap();
    };

    // A middle row, and the first.
    for seq in [count / 2, 1] {
        let row = take(seq);
        delete(seq);
        assert_broken_at(&fx.verify_audit().unwrap(), seq, "missing");
        put(&row);
        assert_ok(&fx.verify_audit().unwrap());
    }

    // Two rows swapped (their contents trade places, sequence numbers stay).
    let (a, b) = (take(3), take(4));
    delete(3);
    delete(4);
    let mut a_at_4 = a.clone();
    a_at_4[0] = b[0].clone();
    let mut b_at_3 = b.clone();
    b_at_3[0] = a[0].clone();
    put(&b_at_3);
    put(&a_at_4);
    assert_broken_at(&fx.verify_audit().unwrap(), 3, "altered");
    delete(3);
    delete(4);
    put(&a);
    put(&b);
    assert_ok(&fx.verify_audit().unwrap());

    // The newest row.
    delete(count);
    assert_broken_at(&fx.verify_audit().unwrap(), count, "removed");
    // The newest two.
    delete(count - 1);
    assert_broken_at(&fx.verify_audit().unwrap(), count - 1, "removed");

    // Still reported after the vault is reopened and unlocked, which appends
    // an entry of its own, and after further work.
    drop(db);
    fx.reopen();
    assert_broken_at(&fx.verify_audit().unwrap(), count - 1, "");
    fx.register(basic("after", "u", "p")).unwrap();
    fx.reveal(&named("after"), None, None).unwrap();
    assert_broken_at(&fx.verify_audit().unwrap(), count - 1, "");
}

#[test]
fn wiping_the_log_is_reported() {
    let mut fx = busy_vault();
    {
        let db = raw(&fx.path);
        drop_triggers(&db);
        db.execute("DELETE FROM audit_log", []).unwrap();
    }
    assert_broken_at(&fx.verify_audit().unwrap(), 1, "removed");
    fx.reopen();
    assert_broken_at(&fx.verify_audit().unwrap(), 1, "missing");
}

/// The attacker also removes the head record that vouches for the newest entry.
#[test]
fn cutting_the_log_and_its_head_is_reported() {
    for wipe in [false, true] {
        let mut fx = busy_vault();
        let count = rows(&fx);
        let keep = if wipe { 0 } else { count - 3 };
        {
            let db = raw(&fx.path);
            drop_triggers(&db);
            db.execute("DELETE FROM audit_log WHERE seq > ?1", [keep])
                .unwrap();
            db.execute("DELETE FROM meta WHERE key = 'audit_head'", [])
                .unwrap();
        }
        assert_broken_at(&fx.verify_audit().unwrap(), keep + 1, "removed");
        fx.reopen();
        fx.register(basic("after", "u", "p")).unwrap();
        let v = fx.verify_audit().unwrap();
        let reason = if wipe { "creation" } else { "removed" };
        assert_broken_at(&v, keep + 1, reason);
    }
}

/// Showing, copying and saving a value to a file are three audit actions,
/// under the same rules (write-only refuses each alike).
#[test]
fn copies_and_saves_are_audited_as_such_not_as_reveals() {
    use coffer_core::Disclosure;
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "p")).unwrap();
    for purpose in [
        Disclosure::Shown,
        Disclosure::Copied,
        Disclosure::SavedToFile,
    ] {
        let fields = fx
            .reveal_for(&named("svc"), Some("password"), None, purpose)
            .unwrap();
        assert_eq!(fields.len(), 1);
    }
    let actions: Vec<String> = fx
        .audit_entries(Some(&named("svc")), 10)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..3],
        ["secret.export", "secret.copy", "secret.reveal"],
        "newest first: {actions:?}"
    );
    let mut sealed = basic("sealed", "u", "p");
    sealed.write_only = true;
    fx.register(sealed).unwrap();
    for purpose in [Disclosure::Copied, Disclosure::SavedToFile] {
        let refused = fx.reveal_for(&named("sealed"), None, None, purpose);
        assert!(
            matches!(refused, Err(coffer_core::Error::WriteOnly { .. })),
            "{purpose:?}: {refused:?}"
        );
    }
    assert_ok(&fx.verify_audit().unwrap());
}
