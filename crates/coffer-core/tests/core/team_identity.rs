//! Team-vault identities in the local vault: sealed under the master key,
//! tagged, re-wrapped by a key rotation, and refused as `tampered` when the
//! row is changed in the file.

use coffer_core::{ErrorCode, SecretString, Vault};

use crate::support::*;

const TEAM: [u8; 16] = *b"team-vault-id-01";
const BLOB: &[u8] = b"AGE-SECRET-KEY-PQ-1EXAMPLE and an ed25519 seed";

#[test]
fn saved_identity_reads_back_after_reopen_and_never_in_clear() {
    let mut fx = Fixture::new();
    fx.save_team_identity(&TEAM, "db.example:5432", BLOB)
        .unwrap();
    assert_eq!(&fx.team_identity(&TEAM).unwrap().unwrap()[..], BLOB);
    assert!(fx.team_identity(b"another-team-id!").unwrap().is_none());
    fx.reopen();
    let listed = fx.team_identities().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "db.example:5432");
    assert_eq!(listed[0].team_id, uuid_of(&TEAM));
    assert_eq!(&fx.team_identity(&TEAM).unwrap().unwrap()[..], BLOB);
    fx.close();
    let file = std::fs::read(&fx.path).unwrap();
    assert!(
        !contains(&file, BLOB),
        "the identity is in the file in clear"
    );
    assert!(!contains(&file, b"AGE-SECRET-KEY"));
}

#[test]
fn replacing_an_identity_keeps_one_row() {
    let mut fx = Fixture::new();
    fx.save_team_identity(&TEAM, "a", b"first").unwrap();
    fx.save_team_identity(&TEAM, "b", b"second").unwrap();
    assert_eq!(fx.team_identities().unwrap().len(), 1);
    assert_eq!(&fx.team_identity(&TEAM).unwrap().unwrap()[..], b"second");
}

#[test]
fn locked_vault_cannot_save_or_read_and_bad_input_is_refused() {
    let mut fx = Fixture::new();
    expect_invalid(fx.save_team_identity(&TEAM, "x", b""), "identity");
    expect_invalid(fx.save_team_identity(&TEAM, " ", b"k"), "label");
    expect_invalid(
        fx.save_team_identity(&TEAM, "x", &vec![1u8; 64 * 1024 + 1]),
        "identity",
    );
    fx.save_team_identity(&TEAM, "x", BLOB).unwrap();
    fx.lock();
    expect_code(fx.team_identity(&TEAM), ErrorCode::Locked);
    expect_code(fx.save_team_identity(&TEAM, "x", BLOB), ErrorCode::Locked);
    // Listing needs no key.
    assert_eq!(fx.team_identities().unwrap().len(), 1);
}

#[test]
fn rotation_rewraps_the_identity() {
    let mut fx = Fixture::new();
    fx.save_team_identity(&TEAM, "x", BLOB).unwrap();
    let before: Vec<u8> = raw(&fx.path)
        .query_row("SELECT sealed FROM team_identities", [], |r| r.get(0))
        .unwrap();
    fx.rotate_master_key(&passphrase()).unwrap();
    let after: Vec<u8> = raw(&fx.path)
        .query_row("SELECT sealed FROM team_identities", [], |r| r.get(0))
        .unwrap();
    assert_ne!(before, after, "rotation re-sealed the blob");
    assert_eq!(&fx.team_identity(&TEAM).unwrap().unwrap()[..], BLOB);
    fx.close();
    let mut vault = Vault::open(&fx.path, fx.clock.clone()).unwrap();
    vault.unlock_with_passphrase(&passphrase()).unwrap();
    assert_eq!(&vault.team_identity(&TEAM).unwrap().unwrap()[..], BLOB);
}

fn tamper_then_read(sql: &str) -> coffer_core::Error {
    let mut fx = Fixture::new();
    fx.save_team_identity(&TEAM, "x", BLOB).unwrap();
    fx.save_team_identity(b"team-vault-id-02", "y", b"other")
        .unwrap();
    fx.close();
    raw(&fx.path).execute_batch(sql).unwrap();
    fx.reopen();
    expect_code(fx.team_identity(&TEAM), ErrorCode::Tampered)
}

#[test]
fn a_flipped_byte_label_or_swapped_blob_is_tampered() {
    // A byte of the ciphertext.
    tamper_then_read(
        "UPDATE team_identities
         SET sealed = CAST(substr(sealed, 1, 5) || x'00' || substr(sealed, 7) AS BLOB)
         WHERE label = 'x'",
    );
    // The label (shown to the user): the tag covers it.
    let e = tamper_then_read("UPDATE team_identities SET label = 'evil' WHERE label = 'x'");
    assert!(e.to_string().contains("evil"), "{e}");
    // Another team vault's blob, tag and all: the associated data binds the id.
    tamper_then_read(
        "UPDATE team_identities SET (nonce, sealed, mac) =
            (SELECT nonce, sealed, mac FROM team_identities WHERE label = 'y')
         WHERE label = 'x'",
    );
    // A missing tag.
    tamper_then_read("UPDATE team_identities SET mac = x'' WHERE label = 'x'");
}

#[test]
fn rotation_stops_on_a_tampered_identity_and_changes_nothing() {
    let mut fx = Fixture::new();
    fx.save_team_identity(&TEAM, "x", BLOB).unwrap();
    fx.close();
    raw(&fx.path)
        .execute_batch("UPDATE team_identities SET created_at = created_at + 1")
        .unwrap();
    let state = |path: &std::path::Path| -> (Vec<u8>, Vec<u8>) {
        raw(path)
            .query_row(
                "SELECT (SELECT value FROM meta WHERE key = 'key_check'), sealed
                 FROM team_identities",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let before = state(&fx.path);
    fx.reopen();
    expect_code(
        fx.rotate_master_key(&SecretString::from(PASSPHRASE)),
        ErrorCode::Tampered,
    );
    fx.close();
    assert_eq!(
        state(&fx.path),
        before,
        "the master key and the identity are unchanged"
    );
}

fn uuid_of(bytes: &[u8; 16]) -> String {
    let h = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
