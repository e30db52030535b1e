//! The local replica of team vaults: records sealed under the master key
//! and tagged, the last revision seen tagged too (never lowered), changes
//! in the file refused as `tampered`, emptied by a key rotation.

use coffer_core::ErrorCode;
use zeroize::Zeroizing;

use crate::support::*;

const TEAM: [u8; 16] = *b"team-vault-id-01";
const A: [u8; 16] = *b"shared-secret-0a";
const B: [u8; 16] = *b"shared-secret-0b";

fn record(text: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(text.as_bytes().to_vec())
}

#[test]
fn records_and_revision_read_back_sealed_and_never_go_back() {
    let mut fx = Fixture::new();
    assert!(fx.team_replica_state(&TEAM).unwrap().is_none());
    fx.save_team_replica(&TEAM, &[(A, record("meta-Canary-a")), (B, record("b"))], 7)
        .unwrap();
    fx.save_team_replica(&TEAM, &[(A, record("meta-Canary-a2"))], 9)
        .unwrap();
    let state = fx.team_replica_state(&TEAM).unwrap().unwrap();
    assert_eq!(state.revision, 9);
    let records: Vec<Vec<u8>> = fx
        .team_replica(&TEAM)
        .unwrap()
        .iter()
        .map(|r| r.to_vec())
        .collect();
    assert_eq!(records, [b"meta-Canary-a2".to_vec(), b"b".to_vec()]);
    assert!(fx.team_replica(b"another-team-id!").unwrap().is_empty());
    expect_invalid(
        fx.save_team_replica(&TEAM, &[(A, record("old"))], 8),
        "revision",
    );
    assert_eq!(&fx.team_replica(&TEAM).unwrap()[0][..], b"meta-Canary-a2");
    fx.close();
    let file = std::fs::read(&fx.path).unwrap();
    assert!(
        !contains(&file, b"meta-Canary"),
        "a record is in the file in clear"
    );
}

fn tamper_then_read(sql: &str) {
    let mut fx = Fixture::new();
    fx.save_team_replica(&TEAM, &[(A, record("a")), (B, record("b"))], 5)
        .unwrap();
    fx.close();
    raw(&fx.path).execute_batch(sql).unwrap();
    fx.reopen();
    let replica = fx.team_replica(&TEAM);
    let state = fx.team_replica_state(&TEAM);
    assert!(
        replica
            .as_ref()
            .is_err_and(|e| e.code() == ErrorCode::Tampered)
            || state
                .as_ref()
                .is_err_and(|e| e.code() == ErrorCode::Tampered),
        "{sql}: {:?} {:?}",
        replica.map(|r| r.len()),
        state
    );
}

#[test]
fn changed_rows_and_a_lowered_revision_are_tampered() {
    tamper_then_read(
        "UPDATE team_replica SET sealed = CAST(substr(sealed, 1, 5) || x'00' || substr(sealed, 7) \
         AS BLOB) WHERE secret_id = CAST('shared-secret-0a' AS BLOB)",
    );
    tamper_then_read(
        "UPDATE team_replica SET (nonce, sealed, mac) = (SELECT nonce, sealed, mac FROM \
         team_replica WHERE secret_id = CAST('shared-secret-0b' AS BLOB)) \
         WHERE secret_id = CAST('shared-secret-0a' AS BLOB)",
    );
    tamper_then_read("UPDATE team_replica_state SET revision = 1");
    tamper_then_read("UPDATE team_replica SET mac = x''");
}

#[test]
fn locked_vaults_refuse_and_rotation_empties_the_replica() {
    let mut fx = Fixture::new();
    fx.save_team_replica(&TEAM, &[(A, record("a"))], 3).unwrap();
    fx.lock();
    expect_code(fx.team_replica(&TEAM), ErrorCode::Locked);
    expect_code(fx.save_team_replica(&TEAM, &[], 4), ErrorCode::Locked);
    fx.unlock_with_passphrase(&passphrase()).unwrap();
    fx.rotate_master_key(&passphrase()).unwrap();
    assert!(fx.team_replica(&TEAM).unwrap().is_empty());
    assert!(fx.team_replica_state(&TEAM).unwrap().is_none());
}
