//! Crashes: the PostgreSQL server killed (SIGKILL of its postmaster) in the
//! middle of a sync is a clear error; restarted, the next sync brings the
//! replica to the server's state with nothing lost.

use coffer_team::Role;

use crate::support::*;
use crate::sync::create_many;

#[test]
fn a_server_killed_mid_sync_is_a_clear_error_then_the_next_sync_recovers_everything() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    create_many(&mut team, 12);
    let team_id = uuid::Uuid::parse_str(&team.team_id).unwrap();
    let mut tv = bob.open();
    let pg = &mut team.pg;
    let mut reports = Vec::new();
    let e = coffer_team::sync_with_progress(&mut tv, 4, &mut |f| f(&mut bob.vault), &mut |p| {
        reports.push(p);
        if p.done == 4 {
            pg.kill();
        }
    })
    .unwrap_err();
    assert_eq!(e.code(), "unreachable", "{e}");
    assert!(
        e.to_string()
            .contains(&format!("127.0.0.1:{}/team", team.pg.port)),
        "{e}"
    );
    assert_eq!(reports.last().unwrap().done, 4, "stopped at the kill");
    // The replica kept the verified page, at the old revision.
    let state = bob.vault.team_replica_state(team_id.as_bytes()).unwrap();
    assert_eq!(state.map(|s| s.revision), Some(0));
    let listing = coffer_team::list_shared(&mut bob.vault, None, Some(ORG)).unwrap();
    assert!(!listing.online);
    assert_eq!(listing.secrets.len(), 4);

    team.pg.restart();
    let report = coffer_team::sync(&mut bob.vault, None).unwrap();
    assert_eq!(report.changed, 12, "taken again from the old revision");
    let listing = coffer_team::list_shared(&mut bob.vault, None, Some(ORG)).unwrap();
    assert!(listing.online);
    let names: Vec<_> = listing.secrets.iter().map(|s| s.name.clone()).collect();
    let expected: Vec<_> = (0..12).map(|i| format!("svc/{i:04}")).collect();
    assert_eq!(names, expected);
    // The server lost nothing either: every secret verifies at revision 1.
    let on_server = team.admin.open().shared_secrets(ORG).unwrap();
    assert_eq!(on_server.len(), 12);
    assert!(on_server.iter().all(|s| s.revision == 1));
}
