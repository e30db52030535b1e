//! The team-vault queue (schema 13): audit entries made offline, sealed
//! under the master key and tagged, kept in order until removed; a row
//! changed, swapped or moved in the file is `tampered`; key rotation
//! re-seals them in order.

use coffer_core::ErrorCode;

use crate::support::*;

const TEAM: [u8; 16] = *b"team-vault-id-01";
const OTHER: [u8; 16] = *b"team-vault-id-02";

fn records(fx: &Fixture, team: &[u8; 16]) -> Vec<Vec<u8>> {
    fx.team_queue(team)
        .unwrap()
        .iter()
        .map(|e| e.record.to_vec())
        .collect()
}

#[test]
fn entries_stay_sealed_and_in_order_until_removed_and_survive_rotation() {
    let mut fx = Fixture::new();
    let first = fx.queue_team_entry(&TEAM, b"reveal-Canary-1").unwrap();
    fx.queue_team_entry(&OTHER, b"other").unwrap();
    fx.queue_team_entry(&TEAM, b"use-Canary-2").unwrap();
    assert_eq!(
        records(&fx, &TEAM),
        [b"reveal-Canary-1".to_vec(), b"use-Canary-2".to_vec()]
    );
    fx.rotate_master_key(&passphrase()).unwrap();
    assert_eq!(
        records(&fx, &TEAM),
        [b"reveal-Canary-1".to_vec(), b"use-Canary-2".to_vec()],
        "rotation keeps the queue, in order"
    );
    fx.remove_team_entry(&first).unwrap();
    assert_eq!(records(&fx, &TEAM), [b"use-Canary-2".to_vec()]);
    assert_eq!(records(&fx, &OTHER), [b"other".to_vec()]);
    expect_invalid(fx.queue_team_entry(&TEAM, &vec![0u8; 20_000]), "record");
    fx.lock();
    expect_code(fx.team_queue(&TEAM), ErrorCode::Locked);
    fx.unlock_with_passphrase(&passphrase()).unwrap();
    fx.close();
    let file = std::fs::read(&fx.path).unwrap();
    assert!(!contains(&file, b"Canary"), "a queued entry is in clear");
}

fn tamper_then_read(sql: &str) {
    let mut fx = Fixture::new();
    fx.queue_team_entry(&TEAM, b"a").unwrap();
    fx.queue_team_entry(&TEAM, b"b").unwrap();
    fx.close();
    raw(&fx.path).execute_batch(sql).unwrap();
    fx.reopen();
    let read = fx.team_queue(&TEAM);
    assert!(
        read.as_ref()
            .is_err_and(|e| e.code() == ErrorCode::Tampered),
        "{sql}: {:?}",
        read.map(|r| r.len())
    );
}

#[test]
fn changed_swapped_or_moved_entries_are_tampered() {
    tamper_then_read(
        "UPDATE team_queue SET sealed = CAST(substr(sealed, 1, 5) || x'00' || substr(sealed, 7) \
         AS BLOB) WHERE seq = 1",
    );
    tamper_then_read(
        "UPDATE team_queue SET (nonce, sealed, mac) = (SELECT nonce, sealed, mac FROM \
         team_queue WHERE seq = 2) WHERE seq = 1",
    );
    tamper_then_read("UPDATE team_queue SET queued_at = queued_at + 1 WHERE seq = 1");
    tamper_then_read("UPDATE team_queue SET mac = x''");
}
