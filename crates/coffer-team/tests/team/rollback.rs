//! The rollback check: a client refuses a server whose revision is lower
//! than one it has seen (an old backup restored, or a hostile server).

use coffer_team::{Role, TeamVault};

use crate::support::*;

#[test]
fn a_server_whose_revision_went_back_is_refused() {
    let mut team = Team::new();
    let _bob = team.add("Bob", Role::Member);
    let seen = team.admin.open().revision().unwrap();
    assert!(seen > 0);
    // The owner decrements the counter, as a restored old dump would.
    let mut root = team.pg.superuser("team");
    root.batch_execute("UPDATE coffer.revision SET value = value - 3")
        .unwrap();
    let e = TeamVault::open(&mut team.admin.vault, None).unwrap_err();
    assert_eq!(e.code(), "rollback", "{e}");
    assert!(e.to_string().contains("old backup"), "{e}");
    // Once the server is ahead again the client goes on.
    root.batch_execute("UPDATE coffer.revision SET value = value + 5")
        .unwrap();
    let now = team.admin.open().revision().unwrap();
    assert_eq!(now, seen + 2);
}

#[test]
fn a_restored_old_dump_is_refused() {
    let mut team = Team::new();
    let dump = team.pg.dump();
    let _bob = team.add("Bob", Role::Member);
    team.admin.open().members().unwrap();
    // The database is restored from the dump taken before Bob joined.
    let mut root = team.pg.superuser("postgres");
    root.batch_execute("DROP DATABASE team WITH (FORCE)")
        .unwrap();
    root.batch_execute("CREATE DATABASE team").unwrap();
    team.pg.restore(&dump);
    let e = TeamVault::open(&mut team.admin.vault, None).unwrap_err();
    assert_eq!(e.code(), "rollback", "{e}");
}
