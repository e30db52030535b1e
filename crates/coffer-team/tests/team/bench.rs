//! A benchmark, not a test (ignored; run it with `--run-ignored only`): a
//! first sync of 1,000 shared secrets into an empty replica, then a listing
//! from the replica. Figures go to docs/benchmarks.md with the load average.

use std::time::Instant;

use coffer_core::Clock as _;
use coffer_core::secret::NewSecret;
use coffer_team::Role;

use crate::support::*;

#[test]
#[ignore = "a benchmark: run with --run-ignored only"]
fn bench_first_sync_of_1000_shared_secrets_and_listing_from_the_replica() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    let mut alice = team.admin.open();
    let started = Instant::now();
    for i in 0..1000 {
        let mut new = NewSecret::new(format!("svc/{i:04}"), basic_auth("app", "pw-value"));
        new.description = format!("service {i}");
        alice.create_shared_secret(ORG, new, now).unwrap();
    }
    let created = started.elapsed();
    let started = Instant::now();
    let report = coffer_team::sync(&mut bob.vault, None).unwrap();
    let synced = started.elapsed();
    assert_eq!(report.changed, 1000);
    team.pg.stop();
    let started = Instant::now();
    let listing = coffer_team::list_shared(&mut bob.vault, None, Some(ORG)).unwrap();
    let listed = started.elapsed();
    assert_eq!(listing.secrets.len(), 1000);
    assert!(!listing.online);
    println!(
        "create 1000 (one member, one by one): {created:?}; first sync into an empty \
         replica: {synced:?}; offline listing from the replica: {listed:?}"
    );
}
