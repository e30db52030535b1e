//! Master-key rotation and recovery-passphrase changes.

use std::collections::BTreeMap;

use coffer_core::secret::{NewProtection, ValueChange};
use coffer_core::{ErrorCode, KeyringState, SecretString};

use crate::round_trip::{all_cases, new_secret};
use crate::support::{
    Fixture, basic, expect_code, expect_invalid, inputs, named, passphrase, raw, reveal_all,
    reveal_with,
};

/// Every stored version: (secret name, version) → (wrapped data key, payload).
type Stored = BTreeMap<(String, u32), (Vec<u8>, Vec<u8>)>;

fn stored(fx: &Fixture) -> Stored {
    let db = raw(&fx.path);
    let mut stmt = db
        .prepare(
            "SELECT s.name, v.version, v.wrapped_dek, v.payload FROM secret_versions v
             JOIN secrets s ON s.id = v.secret_id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn meta_value(fx: &Fixture, key: &str) -> Vec<u8> {
    raw(&fx.path)
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .unwrap()
}

/// A vault with every type, a history, a write-only and a store-password secret.
fn populated() -> (Fixture, BTreeMap<String, BTreeMap<String, Vec<u8>>>) {
    let mut fx = Fixture::new();
    let cases = all_cases();
    fx.register_many(cases.iter().map(new_secret).collect())
        .unwrap();
    for n in 2..=4 {
        let change = ValueChange {
            set: inputs(&[("password", &format!("basic-v{n}"))]),
            ..Default::default()
        };
        fx.update_value(&named("basic"), change, None).unwrap();
    }
    let mut wo = basic("write-only", "u", "wo-value");
    wo.write_only = true;
    fx.register(wo).unwrap();
    let mut boxed = basic("boxed", "u", "boxed-value");
    boxed.protection = NewProtection::Password(SecretString::from("box-pw"));
    fx.register(boxed).unwrap();
    let mut values = BTreeMap::new();
    for case in &cases {
        values.insert(case.name.to_owned(), reveal_all(&mut fx, &named(case.name)));
    }
    (fx, values)
}

fn check_everything_opens(fx: &mut Fixture, values: &BTreeMap<String, BTreeMap<String, Vec<u8>>>) {
    for (name, fields) in values {
        assert_eq!(&reveal_all(fx, &named(name)), fields, "{name}");
    }
    let used = fx
        .use_secret(&named("write-only"), None, "check", None)
        .unwrap();
    assert_eq!(
        used.data.field("password").unwrap().value.as_ref(),
        b"wo-value".as_slice()
    );
    let boxed = reveal_with(fx, &named("boxed"), Some(&SecretString::from("box-pw"))).unwrap();
    assert_eq!(boxed["password"], b"boxed-value");
    assert!(fx.verify_audit().unwrap().ok);
}

#[test]
fn rotation_rewraps_every_data_key_and_everything_still_opens() {
    let (mut fx, values) = populated();
    let before = stored(&fx);
    let check_before = meta_value(&fx, "key_check");
    let recovery_before = meta_value(&fx, "recovery");

    expect_code(
        fx.rotate_master_key(&SecretString::from("wrong passphrase!")),
        ErrorCode::WrongPassphrase,
    );
    assert_eq!(stored(&fx), before, "a refused rotation changes nothing");
    assert_eq!(meta_value(&fx, "key_check"), check_before);

    let keyring = fx.rotate_master_key(&passphrase()).unwrap();
    assert_eq!(keyring, KeyringState::Disabled);
    let after = stored(&fx);
    assert_eq!(after.len(), before.len());
    let mut rewrapped = 0;
    for (key, (wrapped_before, payload_before)) in &before {
        let (wrapped_after, payload_after) = &after[key];
        assert_eq!(
            payload_before, payload_after,
            "{key:?}: payloads are not re-encrypted"
        );
        if key.0 == "boxed" {
            assert_eq!(
                wrapped_before, wrapped_after,
                "store-password keys are not the VMK's"
            );
        } else {
            assert_ne!(wrapped_before, wrapped_after, "{key:?} was not re-wrapped");
            rewrapped += 1;
        }
    }
    assert_ne!(meta_value(&fx, "key_check"), check_before);
    assert_ne!(meta_value(&fx, "recovery"), recovery_before);
    let audit = fx.audit_entries(None, 1).unwrap();
    assert_eq!(audit[0].action, "vault.rotate_key");
    assert_eq!(audit[0].detail["data_keys"], rewrapped);

    // In this process, after a restart, and after restoring old versions.
    check_everything_opens(&mut fx, &values);
    fx.reopen();
    check_everything_opens(&mut fx, &values);
    let first = "pa:ss w\u{f6}rd \u{1f511}".to_owned();
    for (version, value) in [(1, first), (2, "basic-v2".into()), (3, "basic-v3".into())] {
        fx.restore_version(&named("basic"), version, None).unwrap();
        assert_eq!(
            reveal_all(&mut fx, &named("basic"))["password"],
            value.as_bytes()
        );
    }
    // Back to the value the checks below expect.
    fx.restore_version(&named("basic"), 4, None).unwrap();

    // A second rotation, then a restart again.
    fx.rotate_master_key(&passphrase()).unwrap();
    fx.reopen();
    check_everything_opens(&mut fx, &values);
}

#[test]
fn change_passphrase_retires_the_old_one() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "pw")).unwrap();
    let new = SecretString::from("a brand new passphrase");
    expect_code(
        fx.change_passphrase(&SecretString::from("not the passphrase"), &new),
        ErrorCode::WrongPassphrase,
    );
    expect_invalid(
        fx.change_passphrase(&passphrase(), &SecretString::from("short")),
        "passphrase",
    );
    fx.change_passphrase(&passphrase(), &new).unwrap();
    assert_eq!(
        fx.audit_entries(None, 1).unwrap()[0].action,
        "vault.change_passphrase"
    );

    fx.open_locked();
    let e = expect_code(
        fx.unlock_with_passphrase(&passphrase()),
        ErrorCode::WrongPassphrase,
    );
    assert_eq!(e.to_string(), "wrong recovery passphrase");
    assert!(!fx.is_unlocked());
    let unlocked = fx.unlock_with_passphrase(&new).unwrap();
    assert!(!unlocked.keyring_restored);
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw");

    // Rotation wants the current passphrase too.
    expect_code(
        fx.rotate_master_key(&passphrase()),
        ErrorCode::WrongPassphrase,
    );
    fx.rotate_master_key(&new).unwrap();
    fx.open_locked();
    fx.unlock_with_passphrase(&new).unwrap();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw");
}

#[test]
fn a_locked_vault_refuses_key_changes() {
    let mut fx = Fixture::new();
    fx.lock();
    expect_code(fx.rotate_master_key(&passphrase()), ErrorCode::Locked);
    expect_code(
        fx.change_passphrase(&passphrase(), &SecretString::from("another passphrase")),
        ErrorCode::Locked,
    );
    expect_code(fx.verify_audit(), ErrorCode::Locked);
    // Unlocking twice is harmless.
    fx.unlock_with_passphrase(&passphrase()).unwrap();
    fx.unlock_with_passphrase(&passphrase()).unwrap();
    assert!(fx.is_unlocked());
}

/// Quick unlock: the PIN opens only what this handle sealed in memory; the
/// third wrong PIN drops it; another process's rotation makes it useless;
/// nothing about it reaches the file.
#[test]
fn a_quick_unlock_pin_opens_after_a_lock_and_three_wrong_tries_drop_it() {
    use coffer_core::{PIN_TRIES, PinUnlock, Vault};
    let pin = |p: &str| SecretString::from(p);
    let mut fx = Fixture::new();
    fx.register(crate::support::basic("svc", "u", "pw"))
        .unwrap();
    expect_invalid(fx.set_quick_unlock(&pin("123")), "pin");
    let before = std::fs::read(&fx.path).unwrap();
    fx.set_quick_unlock(&pin("2468")).unwrap();
    assert!(fx.has_quick_unlock());
    fx.lock();
    assert!(!fx.is_unlocked());
    assert_eq!(
        fx.unlock_with_pin(&pin("0000")).unwrap(),
        PinUnlock::WrongPin {
            tries_left: PIN_TRIES - 1
        }
    );
    assert!(!fx.is_unlocked());
    assert_eq!(
        fx.unlock_with_pin(&pin("2468")).unwrap(),
        PinUnlock::Unlocked
    );
    assert_eq!(
        crate::support::reveal_all(&mut fx, &named("svc"))["password"],
        b"pw"
    );
    // The count starts again after a good PIN; the third wrong one in a row drops it.
    fx.lock();
    for left in (1..PIN_TRIES).rev() {
        assert_eq!(
            fx.unlock_with_pin(&pin("9999")).unwrap(),
            PinUnlock::WrongPin { tries_left: left }
        );
    }
    assert!(matches!(
        fx.unlock_with_pin(&pin("9999")).unwrap(),
        PinUnlock::NeedsPassphrase { .. }
    ));
    assert!(!fx.has_quick_unlock());
    assert!(matches!(
        fx.unlock_with_pin(&pin("2468")).unwrap(),
        PinUnlock::NeedsPassphrase { .. }
    ));
    assert!(!fx.is_unlocked());
    fx.unlock_with_passphrase(&passphrase()).unwrap();

    // Another process rotates the master key: the sealed key is dead.
    fx.set_quick_unlock(&pin("2468")).unwrap();
    fx.lock();
    let mut other = Vault::open(&fx.path, std::sync::Arc::new(coffer_core::SystemClock)).unwrap();
    other.unlock_with_passphrase(&passphrase()).unwrap();
    other.rotate_master_key(&passphrase()).unwrap();
    drop(other);
    assert!(matches!(
        fx.unlock_with_pin(&pin("2468")).unwrap(),
        PinUnlock::NeedsPassphrase { .. }
    ));
    assert!(!fx.is_unlocked());
    // The PIN was never written: the file holds no trace of it (only the
    // audited register, unlocks and rotation changed it).
    let after = std::fs::read(&fx.path).unwrap();
    assert!(!after.windows(4).any(|w| w == b"2468"));
    assert!(!before.windows(4).any(|w| w == b"2468"));
    let methods: Vec<String> = {
        fx.unlock_with_passphrase(&passphrase()).unwrap();
        fx.audit_entries(None, 50)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "vault.unlock")
            .map(|e| e.detail["method"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert!(methods.contains(&"pin".to_owned()), "{methods:?}");
}
