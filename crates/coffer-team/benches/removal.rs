//! Removing a member from a team vault of 50 members on a real PostgreSQL
//! (127.0.0.1, started here): the time of `remove` (a new epoch wrapped to
//! each remaining member, re-sealed names, the audit entry, the lock) and of
//! listing the members (the roster verified against the whole audit chain).
//! Run: `cargo bench -p coffer-team --bench removal` (`COFFER_BENCH_MEMBERS`
//! changes the size). Prints figures; asserts nothing about speed.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/team/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use coffer_core::Clock as _;
use coffer_team::Role;

use support::{Desk, Team};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let members: usize = std::env::var("COFFER_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut team = Team::new();
    let setup = Instant::now();
    let mut desks: Vec<Desk> = (1..members)
        .map(|_| team.add("Member", Role::Member))
        .collect();
    println!("setup: {members} members in {:.1?}", setup.elapsed());
    let mut listing = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let listed = team.admin.open().members().unwrap();
        listing.push(t.elapsed());
        assert_eq!(listed.len(), members);
    }
    let mut removing = Vec::new();
    for desk in desks.iter_mut().take(5) {
        let id = desk.status().member_id;
        let now = team.admin.clock.now();
        let mut tv = team.admin.open();
        let t = Instant::now();
        let removed = tv.remove(&id, now).unwrap();
        removing.push(t.elapsed());
        assert_eq!(removed.organizations_rekeyed, 1);
    }
    println!(
        "open + members() of {members} members, chain verified: median {:.1?} (5 runs)",
        median(listing)
    );
    println!(
        "remove one of {members} members (1 organization): median {:.1?}, max {:.1?} (5 runs)",
        median(removing.clone()),
        removing.iter().max().unwrap()
    );
    println!("load average at start: {}", load.trim());
}
