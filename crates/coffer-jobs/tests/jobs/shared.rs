//! A job on one desktop uses a secret another member shared through the
//! team vault (a real PostgreSQL started by the test): the placeholder
//! `${secret:ORG:NAME}` resolves through the server, the server's audit
//! records the use by that member (with the job's name sealed in its note),
//! and "used by" lists the job on that desktop only.

use std::collections::BTreeMap;

use coffer_core::job::{CommandSpec, JobSpec, RunStatus};
use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType};
use coffer_team::{Role, TeamVault};

use crate::pg::Postgres;
use crate::support::{Fixture, inputs};

const CANARY: &str = "shared-job-canary-77Qx";

fn command(fx: &mut Fixture, name: &str, script: &str, env: &[(&str, &str)]) {
    fx.add_job(
        name,
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            working_dir: None,
            timeout_seconds: Some(60),
        }),
        &[],
    );
}

/// Alice creates a team vault with organization "Payments" and shares
/// `prod/db`; Bob joins on his own desktop and is confirmed.
fn team(pg: &Postgres) -> (Fixture, Fixture) {
    let mut alice = Fixture::new();
    coffer_team::create(
        &mut alice,
        &coffer_team::CreateOptions {
            connection: pg.url("coffer"),
            password_secret: None,
            ca_secret: None,
            client_cert: None,
            display_name: "Alice".into(),
            org_name: "Payments".into(),
        },
        false,
    )
    .unwrap();
    let now = alice.now();
    let ticket = TeamVault::open(&mut alice, None)
        .unwrap()
        .invite(Role::Member, 3600, now)
        .unwrap()
        .ticket;
    let mut bob = Fixture::new();
    let pending = coffer_team::join(&mut bob, &ticket, "Bob", None).unwrap();
    TeamVault::open(&mut alice, None)
        .unwrap()
        .confirm(&pending.member_id, &pending.fingerprint, now)
        .unwrap();
    let data = SecretData::from_fields(
        SecretType::BasicAuth,
        inputs(&[("username", "app"), ("password", CANARY)]),
        &Intake::default(),
    )
    .unwrap();
    TeamVault::open(&mut alice, None)
        .unwrap()
        .create_shared_secret("Payments", NewSecret::new("prod/db", data), now)
        .unwrap();
    coffer_team::sync(&mut bob, None).unwrap();
    (alice, bob)
}

#[test]
fn a_job_on_another_desktop_uses_a_shared_secret_and_the_server_audits_it() {
    let mut pg = Postgres::start();
    let (mut alice, mut bob) = team(&pg);
    let out = bob.file("out.txt");
    command(
        &mut bob,
        "deploy",
        &format!(
            "printf '%s %s' \"$DB_USER\" \"$DB_PW\" > {}; echo used $DB_PW",
            out.display()
        ),
        &[
            ("DB_USER", "${secret:Payments:prod/db#username}"),
            ("DB_PW", "${secret:Payments:prod/db}"),
        ],
    );
    let run = bob.run("deploy");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("app {CANARY}")
    );
    assert!(!run.log.contains(CANARY), "redacted: {}", run.log);

    // The server's audit: one use by Bob, noting the job, for Alice to see.
    let bob_id = coffer_team::status(&mut bob, None).unwrap().member_id;
    let audit = TeamVault::open(&mut alice, None)
        .unwrap()
        .audit_entries()
        .unwrap();
    let uses: Vec<_> = audit.iter().filter(|e| e.action == "secret.use").collect();
    assert_eq!(uses.len(), 1, "each secret used once per run");
    assert_eq!(uses[0].actor, bob_id);
    assert_eq!(uses[0].actor_name.as_deref(), Some("Bob"));
    assert_eq!(uses[0].note.as_deref(), Some("job Default:deploy run 1"));
    // The job's name never reaches the server in clear.
    let dump = pg.dump();
    assert!(
        !dump.windows(6).any(|w| w == b"deploy"),
        "the job's name is in the server's dump"
    );

    // "Used by" on Bob's desktop; none on Alice's.
    let using = coffer_jobs::shared::jobs_using_shared(&bob, "Payments", "prod/db").unwrap();
    assert_eq!(
        using.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(),
        ["deploy"]
    );
    assert!(
        coffer_jobs::shared::jobs_using_shared(&alice, "Payments", "prod/db")
            .unwrap()
            .is_empty()
    );

    // An unknown shared secret fails before anything is used.
    command(
        &mut bob,
        "typo",
        "true",
        &[("X", "${secret:Payments:prod/dbx}")],
    );
    let run = bob.run("typo");
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.error.unwrap().contains("prod/dbx"));

    // Deactivated by Alice: refused once Bob's replica knows.
    let now = alice.now();
    TeamVault::open(&mut alice, None)
        .unwrap()
        .set_shared_status("Payments", "prod/db", 1, "deactivated", now)
        .unwrap();
    coffer_team::sync(&mut bob, None).unwrap();
    let run = bob.run("deploy");
    assert_eq!(run.status, RunStatus::Refused);
    assert!(run.error.unwrap().contains("deactivated"));
    TeamVault::open(&mut alice, None)
        .unwrap()
        .set_shared_status("Payments", "prod/db", 2, "active", now)
        .unwrap();
    coffer_team::sync(&mut bob, None).unwrap();

    // The server down: a clear error, nothing written to the output.
    std::fs::remove_file(&out).unwrap();
    pg.stop();
    let run = bob.run("deploy");
    assert_eq!(run.status, RunStatus::Failed);
    let error = run.error.unwrap();
    assert!(error.contains("cannot be reached"), "{error}");
    assert!(!out.exists());
    pg.restart();
    let run = bob.run("deploy");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
}
