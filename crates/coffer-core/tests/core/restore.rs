//! Restore from a backup (`Vault::backup_to`): into a new file, or in place
//! after a preview of both vaults; damaged, tampered and foreign backups are
//! refused with the current vault untouched; a second process holding the
//! vault blocks the swap; the rollback check restarts from the restored file.

use std::path::{Path, PathBuf};

use coffer_core::{ErrorCode, KeyringUnlock, SecretString, Vault};

use crate::support::{
    Fixture, basic, expect_code, file_sha256, in_keyring_session, named, passphrase, raw,
    reveal_all, run_in_keyring_session, test_name,
};

fn backup(fx: &mut Fixture, name: &str) -> PathBuf {
    let dest = fx.path.with_file_name(name);
    fx.backup_to(&dest).unwrap();
    dest
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restor") || n.contains(".before-restore"))
        .collect()
}

fn names(vault: &Vault) -> Vec<String> {
    vault
        .list(&Default::default())
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.name)
        .collect()
}

#[test]
fn a_backup_restores_into_a_new_file() {
    let mut fx = Fixture::new();
    fx.register(basic("kept", "u", "kept-pw")).unwrap();
    let b = backup(&mut fx, "b1.db");
    let b_sha = file_sha256(&b);
    fx.register(basic("later", "u", "later-pw")).unwrap();
    let dest = fx.path.with_file_name("restored/vault.db");

    let report = Vault::restore_into(&b, &dest, &passphrase(), fx.clock.clone()).unwrap();
    assert_eq!(report.restored.counts.total, 1);
    assert!(report.replaced.is_none());
    assert!(report.audit_entries_verified >= 2, "{report:?}");
    assert_eq!(file_sha256(&b), b_sha, "the backup itself is never changed");
    assert!(leftovers(dest.parent().unwrap()).is_empty());

    let mut restored = Vault::open(&dest, fx.clock.clone()).unwrap();
    assert!(!restored.uses_keyring());
    restored.unlock_with_passphrase(&passphrase()).unwrap();
    assert_eq!(names(&restored), ["kept"]);
    assert_eq!(
        reveal_all(&mut restored, &named("kept"))["password"],
        b"kept-pw"
    );
    assert!(restored.verify_audit().unwrap().ok);
    let entry = restored
        .audit_entries(None, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.restore")
        .unwrap();
    assert_eq!(entry.detail["mode"], "new_file");
    // The original vault is untouched and still has both.
    assert_eq!(names(&fx), ["kept", "later"]);

    // Refusals: an existing destination, a wrong passphrase (nothing left behind).
    expect_code(
        Vault::restore_into(&b, &dest, &passphrase(), fx.clock.clone()),
        ErrorCode::AlreadyExists,
    );
    let other = fx.path.with_file_name("other.db");
    expect_code(
        Vault::restore_into(
            &b,
            &other,
            &SecretString::from("wrong wrong"),
            fx.clock.clone(),
        ),
        ErrorCode::WrongPassphrase,
    );
    assert!(!other.exists());
    assert!(
        leftovers(fx.path.parent().unwrap()).is_empty(),
        "{:?}",
        leftovers(fx.path.parent().unwrap())
    );
}

#[test]
fn a_restore_in_place_shows_both_vaults_then_replaces_the_file() {
    let mut fx = Fixture::new();
    fx.register(basic("a", "u", "a-v1")).unwrap();
    fx.register(basic("b", "u", "b-v1")).unwrap();
    let b = backup(&mut fx, "b.db");
    fx.clock.advance(3600);
    fx.register(basic("c", "u", "c-v1")).unwrap();
    fx.delete(&named("a")).unwrap();

    let preview = fx.restore_preview(&b, None).unwrap();
    assert!(preview.same_vault);
    assert!(preview.audit_entries_verified >= 3, "{preview:?}");
    assert_eq!(preview.current.counts.total, 2);
    assert_eq!(
        preview.current.versions, 2,
        "the trashed secret's versions are not counted"
    );
    assert_eq!(preview.backup.versions, 2);
    assert_eq!((preview.current.jobs, preview.backup.jobs), (0, 0));
    assert_eq!(preview.current.counts.trash, 1);
    assert_eq!(preview.backup.counts.total, 2);
    assert_eq!(preview.backup.counts.trash, 0);
    assert_eq!(preview.backup.path, b);
    assert!(preview.backup.last_activity < preview.current.last_activity);
    assert!(leftovers(fx.path.parent().unwrap()).is_empty());

    let report = fx.restore_replace(&b, None).unwrap();
    assert_eq!(report.replaced.as_ref().unwrap().counts.total, 2);
    assert_eq!(report.restored.counts.total, 2);
    assert!(fx.is_unlocked());
    assert_eq!(names(&fx), ["a", "b"]);
    assert_eq!(reveal_all(&mut fx, &named("a"))["password"], b"a-v1");
    assert!(fx.verify_audit().unwrap().ok);
    let entry = fx
        .audit_entries(None, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.restore")
        .unwrap();
    assert_eq!(entry.detail["mode"], "replace");
    assert!(entry.detail["previous_end"].as_i64().unwrap() > 0);
    assert!(leftovers(fx.path.parent().unwrap()).is_empty());
    // Writes go to the restored file, and it reopens from disk.
    fx.register(basic("d", "u", "d-v1")).unwrap();
    fx.reopen();
    assert_eq!(names(&fx), ["a", "b", "d"]);
}

#[test]
fn tampered_truncated_and_foreign_backups_are_refused_and_the_vault_is_untouched() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "v1")).unwrap();
    let good = backup(&mut fx, "good.db");
    fx.register(basic("now", "u", "v2")).unwrap();
    fx.lock();
    fx.unlock_with_passphrase(&passphrase()).unwrap();
    let state = |fx: &Fixture| (names(fx), fx.audit_entries(None, 1).unwrap()[0].seq);
    let before = state(&fx);

    // A row changed outside Coffer.
    let changed = fx.path.with_file_name("changed.db");
    std::fs::copy(&good, &changed).unwrap();
    raw(&changed)
        .execute("UPDATE secrets SET owner = 'mallory'", [])
        .unwrap();
    let e = expect_code(fx.restore_replace(&changed, None), ErrorCode::Tampered);
    assert!(e.to_string().contains("svc"), "{e}");
    // The preview verifies as the restore does: nothing is offered.
    expect_code(fx.restore_preview(&changed, None), ErrorCode::Tampered);

    // An audit entry rewritten.
    let audit = fx.path.with_file_name("audit.db");
    std::fs::copy(&good, &audit).unwrap();
    let db = raw(&audit);
    db.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_update")
        .unwrap();
    db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", [])
        .unwrap();
    drop(db);
    let e = expect_code(fx.restore_replace(&audit, None), ErrorCode::Tampered);
    assert!(e.to_string().contains("audit log"), "{e}");

    // Truncated, empty, not a vault at all.
    let bytes = std::fs::read(&good).unwrap();
    let cut = fx.path.with_file_name("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    expect_code(fx.restore_replace(&cut, None), ErrorCode::Corrupt);
    let junk = fx.path.with_file_name("junk.db");
    std::fs::write(&junk, b"just some text").unwrap();
    expect_code(fx.restore_replace(&junk, None), ErrorCode::NotAVault);

    // Another vault's backup.
    let mut other = Fixture::new();
    other.register(basic("theirs", "u", "x")).unwrap();
    let theirs = backup(&mut other, "theirs.db");
    let e = expect_code(fx.restore_replace(&theirs, None), ErrorCode::Refused);
    assert!(e.to_string().contains("another vault"), "{e}");
    // Its preview needs its own recovery passphrase (this vault's key does
    // not open it), then shows it as another vault's.
    expect_code(fx.restore_preview(&theirs, None), ErrorCode::Refused);
    let foreign = fx.restore_preview(&theirs, Some(&passphrase())).unwrap();
    assert!(!foreign.same_vault);
    assert_eq!(foreign.backup.counts.total, 1);
    expect_code(
        fx.restore_preview(&theirs, Some(&SecretString::from("wrong wrong"))),
        ErrorCode::WrongPassphrase,
    );

    assert_eq!(state(&fx), before);
    assert!(fx.is_unlocked());
    assert!(leftovers(fx.path.parent().unwrap()).is_empty());
    fx.reopen();
    assert_eq!(state(&fx).0, before.0);
}

#[test]
fn a_backup_from_before_a_key_rotation_needs_its_recovery_passphrase() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "v1")).unwrap();
    let b = backup(&mut fx, "old-key.db");
    fx.rotate_master_key(&passphrase()).unwrap();
    expect_code(fx.restore_replace(&b, None), ErrorCode::InvalidInput);
    expect_code(
        fx.restore_replace(&b, Some(&SecretString::from("wrong passphrase"))),
        ErrorCode::WrongPassphrase,
    );
    fx.restore_replace(&b, Some(&passphrase())).unwrap();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"v1");
    fx.reopen();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"v1");
}

#[test]
fn another_process_holding_the_vault_blocks_the_swap() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "v1")).unwrap();
    let b = backup(&mut fx, "b.db");
    fx.register(basic("later", "u", "v2")).unwrap();
    // A second holder (another process's view: its own file lock).
    let second = Vault::open(&fx.path, fx.clock.clone()).unwrap();
    let e = expect_code(fx.restore_replace(&b, None), ErrorCode::InUse);
    assert!(e.to_string().contains("in use"), "{e}");
    assert_eq!(names(&fx), ["later", "svc"]);
    assert_eq!(names(&second), ["later", "svc"]);
    fx.register(basic("still-writable", "u", "v3")).unwrap();
    drop(second);
    fx.restore_replace(&b, None).unwrap();
    assert_eq!(names(&fx), ["svc"]);
    assert!(leftovers(fx.path.parent().unwrap()).is_empty());
}

#[test]
fn a_restore_in_place_resets_the_rollback_check() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "a_restore_in_place_resets_the_rollback_check",
        ));
    }
    let (mut fx, _) = Fixture::create(true);
    fx.register(basic("svc", "u", "v1")).unwrap();
    let b = backup(&mut fx, "b.db");
    fx.register(basic("later", "u", "v2")).unwrap();
    fx.close();
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    fx.restore_replace(&b, None).unwrap();
    fx.close();
    // The older content opens from the keyring: the restore moved the saved end.
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    assert_eq!(names(&fx), ["svc"]);
    assert!(
        fx.audit_entries(None, 10)
            .unwrap()
            .iter()
            .any(|e| e.action == "vault.restore")
    );
}
