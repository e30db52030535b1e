//! The real OS keyring: gnome-keyring's Secret Service in a private D-Bus
//! session. Each test re-runs itself inside `dbus-run-session`; a missing
//! `dbus-run-session` or `gnome-keyring-daemon` fails the test.

use std::path::Path;

use coffer_core::{ErrorCode, KeyringState, KeyringUnlock, Vault};

use crate::support::{
    Fixture, basic, contains, delete_keyring_key, expect_code, in_keyring_session, keyring_key,
    named, passphrase, put_keyring_key, reveal_all, run_in_keyring_session, test_command,
    test_name,
};

const NO_BUS_STEP: &str = "COFFER_TEST_NO_BUS_STEP";
const NO_BUS_VAULT: &str = "COFFER_TEST_NO_BUS_VAULT";

#[test]
fn keyring_unlocks_detects_wrong_keys_and_is_restored() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "keyring_unlocks_detects_wrong_keys_and_is_restored",
        ));
    }
    let (mut fx, state) = Fixture::create(true);
    assert_eq!(state, KeyringState::Stored);
    assert_eq!(fx.status().unwrap().keyring, KeyringState::Stored);
    fx.register(basic("svc", "u", "pw")).unwrap();
    let id = fx.id();
    let key = keyring_key(&id).expect("the master key is in the keyring");
    assert_eq!(key.len(), 32);
    fx.close();
    assert!(
        !contains(&std::fs::read(&fx.path).unwrap(), &key),
        "the plaintext master key is on disk"
    );

    // A reopened vault unlocks from the keyring alone.
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw");
    let unlock = fx
        .audit_entries(None, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.unlock")
        .unwrap();
    assert_eq!(unlock.detail["method"], "keyring");

    // A key that does not belong to this vault is `wrong_key`, not a corrupt file.
    for wrong in [&[7u8; 32][..], b"short"] {
        fx.open_locked();
        put_keyring_key(&id, wrong);
        let e = expect_code(fx.unlock_with_keyring(), ErrorCode::WrongKey);
        assert_eq!(e.code().as_str(), "wrong_key");
        assert!(e.to_string().contains("does not open this vault"), "{e}");
        assert!(!fx.is_unlocked());
    }
    // The passphrase still works and repairs the keyring entry.
    let unlocked = fx.unlock_with_passphrase(&passphrase()).unwrap();
    assert!(unlocked.keyring_restored);
    assert_eq!(keyring_key(&id).as_deref(), Some(&key[..]));

    // A lost entry: the keyring unlock asks for the passphrase, which restores it.
    fx.open_locked();
    delete_keyring_key(&id);
    assert_eq!(fx.status().unwrap().keyring, KeyringState::Missing);
    match fx.unlock_with_keyring().unwrap() {
        KeyringUnlock::NeedsPassphrase(reason) => {
            assert!(reason.contains("no key"), "{reason}");
        }
        other => panic!("unlocked without a key: {other:?}"),
    }
    assert!(!fx.is_unlocked());
    let unlocked = fx.unlock_with_passphrase(&passphrase()).unwrap();
    assert!(unlocked.keyring_restored);
    assert_eq!(keyring_key(&id).as_deref(), Some(&key[..]));
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    // Nothing to restore when the entry is right.
    fx.open_locked();
    assert!(
        !fx.unlock_with_passphrase(&passphrase())
            .unwrap()
            .keyring_restored
    );

    // Rotation replaces the keyring copy too.
    assert_eq!(
        fx.rotate_master_key(&passphrase()).unwrap(),
        KeyringState::Stored
    );
    let rotated = keyring_key(&id).unwrap();
    assert_ne!(rotated, key);
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw");
    // The old key is now a wrong key.
    fx.open_locked();
    put_keyring_key(&id, &key);
    expect_code(fx.unlock_with_keyring(), ErrorCode::WrongKey);
    fx.unlock_with_passphrase(&passphrase()).unwrap();
    assert_eq!(keyring_key(&id).unwrap(), rotated);

    // Turning the keyring off removes the entry; on stores it again.
    assert_eq!(fx.set_keyring(false).unwrap(), KeyringState::Disabled);
    assert_eq!(keyring_key(&id), None);
    fx.open_locked();
    assert!(matches!(
        fx.unlock_with_keyring().unwrap(),
        KeyringUnlock::NeedsPassphrase(_)
    ));
    assert!(
        !fx.unlock_with_passphrase(&passphrase())
            .unwrap()
            .keyring_restored
    );
    assert_eq!(keyring_key(&id), None, "a disabled keyring is not written");
    assert_eq!(fx.set_keyring(true).unwrap(), KeyringState::Stored);
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    assert!(fx.verify_audit().unwrap().ok);
}

/// Runs [`no_bus_child`] with `step` in a process without a session bus.
fn run_without_bus(vault: &Path, step: &str, bus: Option<&str>) {
    let name = test_name(module_path!(), "no_bus_child");
    let mut cmd = test_command(&name);
    cmd.env(NO_BUS_STEP, step).env(NO_BUS_VAULT, vault);
    match bus {
        Some(address) => cmd.env("DBUS_SESSION_BUS_ADDRESS", address),
        None => cmd.env_remove("DBUS_SESSION_BUS_ADDRESS"),
    };
    let out = cmd.output().expect("running the child");
    crate::support::assert_test_passed(&name, &out);
}

#[test]
fn without_a_session_bus_the_passphrase_is_the_fallback() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "without_a_session_bus_the_passphrase_is_the_fallback",
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    // Created where no bus exists: the keyring is unavailable, and says why.
    run_without_bus(&path, "create", None);
    // Opened where no bus exists: the keyring unlock falls back to the passphrase.
    run_without_bus(&path, "unlock", None);
    // A bus address that leads nowhere falls back the same way.
    run_without_bus(
        &path,
        "unlock-unreachable",
        Some("unix:path=/nonexistent/bus"),
    );

    // Back in the session, the first passphrase unlock stores the key.
    let clock = std::sync::Arc::new(coffer_core::FixedClock::new(crate::support::T0));
    let mut vault = Vault::open(&path, clock.clone()).unwrap();
    assert_eq!(vault.status().unwrap().keyring, KeyringState::Missing);
    assert!(matches!(
        vault.unlock_with_keyring().unwrap(),
        KeyringUnlock::NeedsPassphrase(_)
    ));
    assert!(
        vault
            .unlock_with_passphrase(&passphrase())
            .unwrap()
            .keyring_restored
    );
    drop(vault);
    let mut vault = Vault::open(&path, clock).unwrap();
    assert_eq!(
        vault.unlock_with_keyring().unwrap(),
        KeyringUnlock::Unlocked
    );
    assert_eq!(reveal_all(&mut vault, &named("svc"))["password"], b"pw");
}

#[test]
#[ignore = "child process of without_a_session_bus_the_passphrase_is_the_fallback"]
fn no_bus_child() {
    let (Ok(step), Some(path)) = (std::env::var(NO_BUS_STEP), std::env::var_os(NO_BUS_VAULT))
    else {
        println!("not started as a child process; nothing to do");
        return;
    };
    let path = Path::new(&path);
    let clock = std::sync::Arc::new(coffer_core::FixedClock::new(crate::support::T0));
    let needs_passphrase = |vault: &mut Vault| match vault.unlock_with_keyring().unwrap() {
        KeyringUnlock::NeedsPassphrase(reason) => reason,
        other => panic!("unlocked without a keyring: {other:?}"),
    };
    match step.as_str() {
        "create" => {
            assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none());
            let options = coffer_core::CreateOptions::new(passphrase());
            let (mut vault, state) = Vault::create(path, options, clock).unwrap();
            match state {
                KeyringState::Unavailable(reason) => {
                    assert!(reason.contains("D-Bus"), "{reason}");
                }
                other => panic!("keyring without a bus: {other:?}"),
            }
            vault.register(basic("svc", "u", "pw")).unwrap();
        }
        "unlock" => {
            let mut vault = Vault::open(path, clock).unwrap();
            match vault.status().unwrap().keyring {
                KeyringState::Unavailable(reason) => assert!(reason.contains("D-Bus")),
                other => panic!("{other:?}"),
            }
            let reason = needs_passphrase(&mut vault);
            assert!(reason.contains("D-Bus"), "{reason}");
            assert!(!vault.is_unlocked());
            let unlocked = vault.unlock_with_passphrase(&passphrase()).unwrap();
            assert!(!unlocked.keyring_restored);
            assert_eq!(reveal_all(&mut vault, &named("svc"))["password"], b"pw");
        }
        "unlock-unreachable" => {
            let mut vault = Vault::open(path, clock).unwrap();
            let reason = needs_passphrase(&mut vault);
            println!("keyring unlock over an unreachable bus: {reason}");
            assert!(!reason.is_empty());
            let unlocked = vault.unlock_with_passphrase(&passphrase()).unwrap();
            assert!(!unlocked.keyring_restored);
            assert_eq!(reveal_all(&mut vault, &named("svc"))["password"], b"pw");
        }
        other => panic!("unknown step {other}"),
    }
}
