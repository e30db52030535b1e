//! Tampering with the closed vault file (as an attacker with write access
//! would, through SQLite) is detected as `tampered`, and nothing is revealed.
//! Runs inside a D-Bus session so that each reopen unlocks from the keyring
//! instead of paying for Argon2id.

use coffer_core::secret::ValueChange;
use coffer_core::{Error, ErrorCode, KeyringState, KeyringUnlock};
use rusqlite::params;

use crate::support::{
    Fixture, basic, expect_code, in_keyring_session, inputs, named, passphrase, raw, reveal_all,
    run_in_keyring_session, test_name,
};

const COLUMNS: [&str; 4] = ["payload", "payload_nonce", "wrapped_dek", "dek_nonce"];

fn keyring_fixture() -> Fixture {
    let (fx, state) = Fixture::create(true);
    assert_eq!(
        state,
        KeyringState::Stored,
        "the keyring works in this session"
    );
    fx
}

fn reopen_with_keyring(fx: &mut Fixture) {
    fx.open_locked();
    assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
}

fn read(fx: &Fixture, name: &str, version: u32, column: &str) -> Vec<u8> {
    raw(&fx.path)
        .query_row(
            &format!(
                "SELECT v.{column} FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
                 WHERE s.name = ?1 AND v.version = ?2"
            ),
            params![name, version],
            |r| r.get(0),
        )
        .unwrap()
}

fn write(fx: &Fixture, name: &str, version: u32, column: &str, bytes: &[u8]) {
    let changed = raw(&fx.path)
        .execute(
            &format!(
                "UPDATE secret_versions SET {column} = ?3
                 WHERE version = ?2 AND secret_id = (SELECT id FROM secrets WHERE name = ?1)"
            ),
            params![name, version, bytes],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

#[track_caller]
fn expect_tampered<T>(result: coffer_core::Result<T>, context: &str) -> Error {
    let e = match result {
        Ok(_) => panic!("{context}: tampering went unnoticed"),
        Err(e) => e,
    };
    assert_eq!(e.code(), ErrorCode::Tampered, "{context}: {e}");
    assert_eq!(e.code().as_str(), "tampered");
    assert!(
        e.to_string().starts_with("tampering detected"),
        "{context}: {e}"
    );
    e
}

#[test]
fn flipping_any_byte_of_a_stored_version_is_detected() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "flipping_any_byte_of_a_stored_version_is_detected",
        ));
    }
    let started = std::time::Instant::now();
    let mut fx = keyring_fixture();
    fx.register(basic("target", "alice", "the-password"))
        .unwrap();
    fx.register(basic("bystander", "bob", "other-password"))
        .unwrap();
    fx.close();
    let mut flips = 0;
    for column in COLUMNS {
        let original = read(&fx, "target", 1, column);
        for i in 0..original.len() {
            let mut bytes = original.clone();
            bytes[i] ^= 1 << (i % 8);
            write(&fx, "target", 1, column, &bytes);
            reopen_with_keyring(&mut fx);
            let context = format!("{column} byte {i}");
            let e = expect_tampered(fx.reveal(&named("target"), None, None), &context);
            assert!(e.to_string().contains("\"target\" version 1"), "{e}");
            if i == 0 {
                expect_tampered(
                    fx.reveal(&named("target"), Some("username"), None),
                    &context,
                );
                expect_tampered(fx.use_secret(&named("target"), None, "job", None), &context);
                let change = ValueChange {
                    set: inputs(&[("password", "new")]),
                    ..Default::default()
                };
                expect_tampered(fx.update_value(&named("target"), change, None), &context);
            }
            fx.close();
            flips += 1;
        }
        write(&fx, "target", 1, column, &original);
    }
    println!(
        "{flips} single-byte flips detected in {:.2?}",
        started.elapsed()
    );
    assert!(flips >= 12 + 12 + 48 + 16, "{flips}");
    reopen_with_keyring(&mut fx);
    assert_eq!(
        reveal_all(&mut fx, &named("target"))["password"],
        b"the-password"
    );
    assert_eq!(
        reveal_all(&mut fx, &named("bystander"))["password"],
        b"other-password"
    );
    // Refused reveals were not recorded as reveals.
    let reveals = fx
        .audit_entries(Some(&named("target")), 1000)
        .unwrap()
        .iter()
        .filter(|e| e.action == "secret.reveal")
        .count();
    assert_eq!(reveals, 1);
}

#[test]
fn ciphertexts_moved_between_rows_or_versions_do_not_open() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "ciphertexts_moved_between_rows_or_versions_do_not_open",
        ));
    }
    let mut fx = keyring_fixture();
    fx.register(basic("a", "same-user", "password-a")).unwrap();
    fx.register(basic("b", "same-user", "password-b")).unwrap();
    let change = ValueChange {
        set: inputs(&[("password", "password-a2")]),
        ..Default::default()
    };
    fx.update_value(&named("a"), change, None).unwrap();
    fx.close();

    let groups: [&[&str]; 3] = [
        &["payload", "payload_nonce"],
        &["wrapped_dek", "dek_nonce"],
        &COLUMNS,
    ];
    // Between two secrets (same version number).
    for group in groups {
        let saved: Vec<(Vec<u8>, Vec<u8>)> = group
            .iter()
            .map(|c| (read(&fx, "a", 1, c), read(&fx, "b", 1, c)))
            .collect();
        for (column, (a, b)) in group.iter().zip(&saved) {
            write(&fx, "a", 1, column, b);
            write(&fx, "b", 1, column, a);
        }
        reopen_with_keyring(&mut fx);
        expect_tampered(
            fx.restore_version(&named("a"), 1, None),
            &format!("{group:?} a"),
        );
        expect_tampered(fx.reveal(&named("b"), None, None), &format!("{group:?} b"));
        fx.close();
        for (column, (a, b)) in group.iter().zip(&saved) {
            write(&fx, "a", 1, column, a);
            write(&fx, "b", 1, column, b);
        }
    }
    // Between two versions of one secret, and an old version replayed as the current one.
    for group in groups {
        let saved: Vec<(Vec<u8>, Vec<u8>)> = group
            .iter()
            .map(|c| (read(&fx, "a", 1, c), read(&fx, "a", 2, c)))
            .collect();
        for (column, (v1, v2)) in group.iter().zip(&saved) {
            write(&fx, "a", 1, column, v2);
            write(&fx, "a", 2, column, v1);
        }
        reopen_with_keyring(&mut fx);
        expect_tampered(
            fx.reveal(&named("a"), None, None),
            &format!("{group:?} swap"),
        );
        expect_tampered(
            fx.restore_version(&named("a"), 1, None),
            &format!("{group:?} swap v1"),
        );
        fx.close();
        for (column, (v1, _)) in group.iter().zip(&saved) {
            write(&fx, "a", 2, column, v1);
        }
        reopen_with_keyring(&mut fx);
        expect_tampered(
            fx.reveal(&named("a"), None, None),
            &format!("{group:?} replay"),
        );
        fx.close();
        for (column, (v1, v2)) in group.iter().zip(&saved) {
            write(&fx, "a", 1, column, v1);
            write(&fx, "a", 2, column, v2);
        }
    }
    // Shorter or longer ciphertexts and nonces.
    for column in COLUMNS {
        let original = read(&fx, "b", 1, column);
        let shorter = &original[..original.len() - 1];
        let mut longer = original.clone();
        longer.push(0);
        for bytes in [shorter, &longer[..], &[][..]] {
            write(&fx, "b", 1, column, bytes);
            reopen_with_keyring(&mut fx);
            expect_tampered(
                fx.reveal(&named("b"), None, None),
                &format!("{column} of length {}", bytes.len()),
            );
            fx.close();
        }
        write(&fx, "b", 1, column, &original);
    }
    reopen_with_keyring(&mut fx);
    assert_eq!(reveal_all(&mut fx, &named("a"))["password"], b"password-a2");
    assert_eq!(reveal_all(&mut fx, &named("b"))["password"], b"password-b");
    fx.restore_version(&named("a"), 1, None).unwrap();
    assert_eq!(reveal_all(&mut fx, &named("a"))["password"], b"password-a");
}

#[test]
fn tampered_vault_key_material_is_detected_at_unlock() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "pw")).unwrap();
    fx.close();
    let path = fx.path.clone();
    let meta = |key: &str| -> Vec<u8> {
        raw(&path)
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .unwrap()
    };
    let set_meta = |key: &str, value: &[u8]| {
        raw(&path)
            .execute(
                "UPDATE meta SET value = ?2 WHERE key = ?1",
                params![key, value],
            )
            .unwrap();
    };
    for key in ["audit_key", "key_check"] {
        let original = meta(key);
        let mut bytes = original.clone();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x80;
        set_meta(key, &bytes);
        fx.open_locked();
        expect_code(
            fx.unlock_with_passphrase(&passphrase()),
            ErrorCode::Tampered,
        );
        assert!(!fx.is_unlocked(), "{key}");
        fx.close();
        set_meta(key, &original);
    }
    fx.reopen();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw");
}

/// Public fields are stored in clear for listing, but each version's copy is
/// bound into its payload's associated data: pointing a client secret's token
/// URL at another host in the file makes the secret refuse to open, so a job
/// can never be tricked into sending the secret there.
#[test]
fn edited_public_fields_of_a_version_do_not_open() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "edited_public_fields_of_a_version_do_not_open",
        ));
    }
    let mut fx = keyring_fixture();
    let new = crate::support::secret(
        "oauth",
        coffer_core::secret::SecretType::ClientCredentials,
        &[
            ("client_id", "orders"),
            ("client_secret", "s3cret"),
            ("token_url", "https://idp.example.com/token"),
        ],
    );
    fx.register(new).unwrap();
    fx.close();
    let original: String = raw(&fx.path)
        .query_row(
            "SELECT public_fields FROM secret_versions WHERE version = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let redirected = original.replace("idp.example.com", "attacker.example.net");
    assert_ne!(original, redirected);
    raw(&fx.path)
        .execute(
            "UPDATE secret_versions SET public_fields = ?1 WHERE version = 1",
            [&redirected],
        )
        .unwrap();
    reopen_with_keyring(&mut fx);
    expect_tampered(
        fx.reveal(&named("oauth"), None, None),
        "redirected token_url",
    );
    expect_tampered(
        fx.use_secret(&named("oauth"), None, "job", None),
        "redirected token_url",
    );
    fx.close();
    raw(&fx.path)
        .execute(
            "UPDATE secret_versions SET public_fields = ?1 WHERE version = 1",
            [&original],
        )
        .unwrap();
    reopen_with_keyring(&mut fx);
    assert_eq!(
        reveal_all(&mut fx, &named("oauth"))["client_secret"],
        b"s3cret"
    );
}
