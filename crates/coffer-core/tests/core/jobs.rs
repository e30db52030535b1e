//! Jobs in the core: definitions and their checks, bindings and "used by",
//! schedules against a fixed clock, run records (one at a time, bounded
//! logs, interrupted by a stop), and the audit trail.

use coffer_core::job::{
    BindingSource, CommandSpec, HttpFetchSpec, JobChange, JobRef, JobSpec, NewJob, RoleBinding,
    RunOutcome, RunStatus, RunTrigger, Schedule, SecretReference, SecretRole,
};
use coffer_core::secret::{SecretQuery, SecretType};
use coffer_core::{ErrorCode, Timestamp};
use serde_json::json;

use crate::support::{Fixture, T0, basic, expect_code, expect_invalid, named, secret};

fn http(url: &str) -> JobSpec {
    JobSpec::HttpFetch(HttpFetchSpec {
        url: url.into(),
        target: "/tmp/coffer-job-target".into(),
    })
}

fn command(args: &[&str]) -> JobSpec {
    JobSpec::Command(CommandSpec {
        program: "/bin/echo".into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Default::default(),
        working_dir: None,
        timeout_seconds: None,
    })
}

fn reference(name: &str, field: Option<&str>) -> SecretReference {
    SecretReference {
        manager: None,
        secret: name.into(),
        field: field.map(str::to_owned),
    }
}

fn done(status: RunStatus, log: &str) -> RunOutcome {
    RunOutcome {
        status,
        log: log.into(),
        error: None,
        result: json!({}),
        state: None,
        references: None,
    }
}

#[test]
fn roles_are_checked_against_kind_and_secret_type() {
    let mut fx = Fixture::new();
    fx.register(basic("api", "alice", "pw")).unwrap();
    fx.register(secret("ssh", SecretType::KeyValue, &[("k", "v")]))
        .unwrap();
    let mut job = NewJob::new("fetch", http("https://example.com/a"));
    job.roles = vec![RoleBinding {
        role: SecretRole::Auth,
        secret: "missing".into(),
    }];
    expect_code(fx.create_job(job.clone()), ErrorCode::NotFound);
    job.roles[0].secret = "ssh".into();
    expect_invalid(fx.create_job(job.clone()), "secret");
    job.roles[0] = RoleBinding {
        role: SecretRole::SshKey,
        secret: "api".into(),
    };
    expect_invalid(fx.create_job(job.clone()), "secret");
    job.roles[0] = RoleBinding {
        role: SecretRole::Auth,
        secret: "api".into(),
    };
    // Credentials never travel over plain http to another host.
    job.spec = http("http://example.com/a");
    expect_invalid(fx.create_job(job.clone()), "url");
    job.spec = http("https://user:pw@example.com/a");
    expect_invalid(fx.create_job(job.clone()), "url");
    job.spec = http("https://example.com/a");
    let created = fx.create_job(job.clone()).unwrap();
    assert!(created.uses_secrets);
    assert_eq!(created.bindings.len(), 1);
    assert_eq!(
        created.bindings[0].source,
        BindingSource::Role(SecretRole::Auth)
    );
    assert_eq!(created.bindings[0].secret_type, Some(SecretType::BasicAuth));
    expect_code(fx.create_job(job), ErrorCode::AlreadyExists);
}

#[test]
fn usage_lists_jobs_by_role_and_placeholder() {
    let mut fx = Fixture::new();
    fx.register(basic("db", "alice", "pw")).unwrap();
    fx.register(basic("other", "bob", "pw")).unwrap();
    let mut fetch = NewJob::new("fetch", http("https://example.com/a"));
    fetch.roles = vec![RoleBinding {
        role: SecretRole::Auth,
        secret: "db".into(),
    }];
    fx.create_job(fetch).unwrap();
    let mut run = NewJob::new("run", command(&["${secret:db#username}"]));
    run.references = vec![
        reference("db", Some("username")),
        reference("db", None),
        reference("later", None),
    ];
    let created = fx.create_job(run).unwrap();
    // A reference to a secret that does not exist yet is kept, unresolved.
    let later = created
        .bindings
        .iter()
        .find(|b| b.secret == "later")
        .unwrap();
    assert_eq!(later.secret_status, None);
    let usage = fx.secret_usage(&named("db")).unwrap();
    let names: Vec<&str> = usage.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["fetch", "run"]);
    assert_eq!(usage[0].roles, [SecretRole::Auth]);
    assert!(usage[1].by_placeholder);
    assert_eq!(usage[1].placeholder_fields.len(), 2);
    assert!(fx.secret_usage(&named("other")).unwrap().is_empty());
    let page = fx.list(&SecretQuery::default()).unwrap();
    let used: Vec<(String, u32)> = page
        .items
        .iter()
        .map(|m| (m.name.clone(), m.used_by))
        .collect();
    assert_eq!(used, [("db".to_owned(), 2), ("other".to_owned(), 0)]);
    // Registered later, the secret is found by name.
    let meta = fx.register(basic("later", "c", "pw")).unwrap().meta;
    assert_eq!(meta.used_by, 1);
    // Deleting the job removes its bindings.
    fx.delete_job(&JobRef::named("run")).unwrap();
    assert_eq!(fx.get(&named("db")).unwrap().used_by, 1);
    expect_code(fx.job(&JobRef::named("run")), ErrorCode::NotFound);
}

#[test]
fn schedules_compute_the_next_run_with_the_vault_clock() {
    let mut fx = Fixture::new();
    let mut job = NewJob::new("nightly", command(&["x"]));
    job.schedule = Some(Schedule::cron("0 3 * * *").unwrap());
    let created = fx.create_job(job).unwrap();
    assert_eq!(
        created.next_run_at.unwrap().to_rfc3339(),
        "2026-01-01T03:00:00Z"
    );
    assert!(fx.due_jobs().unwrap().is_empty());
    fx.clock
        .set(Timestamp::parse("t", "2026-01-01T03:00:10Z").unwrap());
    let due = fx.due_jobs().unwrap();
    assert_eq!(due.len(), 1);
    let started = fx
        .start_run(&JobRef::named("nightly"), RunTrigger::Schedule)
        .unwrap();
    // Not due again while it runs.
    assert!(fx.due_jobs().unwrap().is_empty());
    let run = fx
        .finish_run(started.run, done(RunStatus::Succeeded, "ok"))
        .unwrap();
    assert_eq!(run.trigger, RunTrigger::Schedule);
    let job = fx.job(&JobRef::named("nightly")).unwrap();
    assert_eq!(
        job.next_run_at.unwrap().to_rfc3339(),
        "2026-01-02T03:00:00Z"
    );
    assert_eq!(job.last_status, Some(RunStatus::Succeeded));
    // Disabling clears the next run; an interval counts from now.
    let job = fx
        .update_job(
            &JobRef::named("nightly"),
            JobChange {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(job.next_run_at, None);
    let job = fx
        .update_job(
            &JobRef::named("nightly"),
            JobChange {
                enabled: Some(true),
                schedule: Some(Some(Schedule::every("15m").unwrap())),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        job.next_run_at.unwrap().to_rfc3339(),
        "2026-01-01T03:15:10Z"
    );
    // A spec of another kind is refused.
    expect_invalid(
        fx.update_job(
            &JobRef::named("nightly"),
            JobChange {
                spec: Some(http("https://example.com")),
                ..Default::default()
            },
        ),
        "kind",
    );
}

#[test]
fn one_run_at_a_time_with_bounded_logs() {
    let mut fx = Fixture::new();
    fx.create_job(NewJob::new("job", command(&["x"]))).unwrap();
    let job = JobRef::named("job");
    let first = fx.start_run(&job, RunTrigger::Manual).unwrap();
    expect_code(
        fx.start_run(&job, RunTrigger::Manual),
        ErrorCode::AlreadyRunning,
    );
    expect_code(fx.delete_job(&job), ErrorCode::AlreadyRunning);
    let long = "x".repeat(200_000) + "END";
    let run = fx
        .finish_run(first.run, done(RunStatus::Failed, &long))
        .unwrap();
    assert!(run.log.len() <= 64 * 1024 + 64, "{}", run.log.len());
    assert!(run.log.ends_with("END"));
    assert!(run.log.starts_with("[earlier output cut]"));
    expect_invalid(fx.finish_run(first.run, done(RunStatus::Failed, "")), "run");
    let second = fx.start_run(&job, RunTrigger::Manual).unwrap();
    assert_ne!(second.run, first.run);
    fx.finish_run(second.run, done(RunStatus::Succeeded, "fine"))
        .unwrap();
    let runs = fx.job_runs(&job, 10).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    assert_eq!(runs[1].status, RunStatus::Failed);
}

#[test]
fn runs_left_running_by_a_stopped_coffer_are_interrupted_on_unlock() {
    let mut fx = Fixture::new();
    let mut job = NewJob::new("job", command(&["x"]));
    job.schedule = Some(Schedule::every("1h").unwrap());
    fx.create_job(job).unwrap();
    let started = fx
        .start_run(&JobRef::named("job"), RunTrigger::Manual)
        .unwrap();
    fx.reopen();
    let run = fx.job_run(started.run).unwrap();
    assert_eq!(run.status, RunStatus::Interrupted);
    assert!(run.error.unwrap().contains("stopped"));
    // The job can run again.
    fx.start_run(&JobRef::named("job"), RunTrigger::Manual)
        .unwrap();
    let actions: Vec<String> = fx
        .audit_entries(None, 50)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["job.create", "job.run", "job.run_interrupted"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    assert!(fx.verify_audit().unwrap().ok);
}

#[test]
fn jobs_use_secrets_as_their_project_and_stamp_last_use() {
    let mut fx = Fixture::new();
    let mut restricted = basic("billing-db", "alice", "pw");
    restricted.project = Some("billing".into());
    fx.register(restricted).unwrap();
    let mut job = NewJob::new("payroll-job", command(&["${secret:billing-db}"]));
    job.project = Some("payroll".into());
    job.references = vec![reference("billing-db", None)];
    fx.create_job(job).unwrap();
    let mut job = NewJob::new("billing-job", command(&["${secret:billing-db}"]));
    job.project = Some("billing".into());
    job.references = vec![reference("billing-db", None)];
    fx.create_job(job).unwrap();
    let payroll = fx.job(&JobRef::named("payroll-job")).unwrap();
    let started = fx
        .start_run(&payroll.name_ref(), RunTrigger::Manual)
        .unwrap();
    expect_code(
        fx.use_secret_for_run(&started.job, started.run, "billing-db", None),
        ErrorCode::Refused,
    );
    let billing = fx.job(&JobRef::named("billing-job")).unwrap();
    let started = fx
        .start_run(&billing.name_ref(), RunTrigger::Manual)
        .unwrap();
    fx.clock.advance(60);
    let used = fx
        .use_secret_for_run(&started.job, started.run, "billing-db", None)
        .unwrap();
    assert_eq!(used.meta.last_used_at, Some(T0.plus_seconds(60)));
    let entry = &fx.audit_entries(Some(&named("billing-db")), 1).unwrap()[0];
    assert_eq!(entry.action, "secret.use");
    assert_eq!(
        entry.detail["purpose"],
        format!("job Default:billing-job run {}", started.run)
    );
}

trait NameRef {
    fn name_ref(&self) -> JobRef;
}

impl NameRef for coffer_core::job::Job {
    fn name_ref(&self) -> JobRef {
        JobRef::in_org(&self.org, &self.name)
    }
}

/// Each job numbers its own runs (a new job's first run is #1 whatever other
/// jobs ran), and a run records how long it really took, to the millisecond
/// (the vault clock's timestamps are whole seconds and stand still here).
#[test]
fn runs_are_numbered_per_job_and_timed_to_the_millisecond() {
    let mut fx = Fixture::new();
    fx.create_job(NewJob::new("first", command(&["x"])))
        .unwrap();
    fx.create_job(NewJob::new("second", command(&["x"])))
        .unwrap();
    for _ in 0..3 {
        let run = fx
            .start_run(&JobRef::named("first"), RunTrigger::Manual)
            .unwrap();
        fx.finish_run(run.run, done(RunStatus::Succeeded, "ok"))
            .unwrap();
    }
    let started = fx
        .start_run(&JobRef::named("second"), RunTrigger::Manual)
        .unwrap();
    let under_way = fx.job_runs(&JobRef::named("second"), 10).unwrap();
    assert_eq!(under_way[0].number, 1);
    assert_eq!(under_way[0].duration_ms, None, "not finished yet");
    std::thread::sleep(std::time::Duration::from_millis(120));
    let finished = fx
        .finish_run(started.run, done(RunStatus::Succeeded, "ok"))
        .unwrap();
    assert_eq!(finished.number, 1, "a new job's first run is #1");
    assert!(finished.id > 3, "its id is the vault's: {}", finished.id);
    let took = finished.duration_ms.unwrap();
    assert!((120..10_000).contains(&took), "{took} ms");
    assert_eq!(
        finished.started_at,
        finished.finished_at.unwrap(),
        "whole seconds: equal here"
    );
    let numbers: Vec<u32> = fx
        .job_runs(&JobRef::named("first"), 10)
        .unwrap()
        .iter()
        .map(|r| r.number)
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
}

/// "All N matching": the jobs of every secret the filter matches, loaded on
/// screen or not, but those the user unticked; trashed and unmatched
/// secrets' jobs are not named.
#[test]
fn usage_of_matching_names_the_jobs_of_every_match() {
    let mut fx = Fixture::new();
    for i in 0..120 {
        let mut s = basic(&format!("svc-{i:03}"), "u", "pw");
        if i % 2 == 0 {
            s.labels.insert("env".into(), "prod".into());
        }
        fx.register(s).unwrap();
    }
    fx.register(basic("other", "u", "pw")).unwrap();
    fx.register(basic("svc-gone", "u", "pw")).unwrap();
    let auth = |secret: &str| RoleBinding {
        role: SecretRole::Auth,
        secret: secret.into(),
    };
    // "a" uses a secret the first page shows and one it does not.
    let mut a = NewJob::new(
        "a",
        command(&["${secret:svc-004#password}", "${secret:svc-110#username}"]),
    );
    a.references = vec![
        reference("svc-004", Some("password")),
        reference("svc-110", Some("username")),
    ];
    fx.create_job(a).unwrap();
    // "b" uses only a secret far past the first page.
    let mut b = NewJob::new("b", http("https://example.com/b"));
    b.roles = vec![auth("svc-115")];
    fx.create_job(b).unwrap();
    // "c" uses a secret the filter does not match; "d" one in the trash.
    let mut c = NewJob::new("c", http("https://example.com/c"));
    c.roles = vec![auth("other")];
    fx.create_job(c).unwrap();
    let mut d = NewJob::new("d", http("https://example.com/d"));
    d.roles = vec![auth("svc-gone")];
    fx.create_job(d).unwrap();
    fx.delete(&named("svc-gone")).unwrap();

    // The list's filter with its first page only: the paging is ignored.
    let query = SecretQuery {
        text: Some("svc-".into()),
        limit: 50,
        ..SecretQuery::default()
    };
    let usage = fx.usage_of_matching(&query, &[]).unwrap();
    let seen: Vec<(&str, Vec<&str>)> = usage
        .iter()
        .map(|u| {
            let secrets = u.secrets.iter().map(String::as_str).collect();
            (u.job.name.as_str(), secrets)
        })
        .collect();
    assert_eq!(
        seen,
        [("a", vec!["svc-004", "svc-110"]), ("b", vec!["svc-115"])]
    );
    assert!(usage[0].job.by_placeholder);
    assert_eq!(
        usage[0].job.placeholder_fields,
        [Some("password".to_owned()), Some("username".to_owned())]
    );
    assert_eq!(usage[1].job.roles, [SecretRole::Auth]);

    // Unticked secrets do not count.
    let page = fx
        .list(&SecretQuery {
            text: Some("svc-11".into()),
            ..SecretQuery::default()
        })
        .unwrap();
    let id_of = |name: &str| page.items.iter().find(|m| m.name == name).unwrap().id;
    let usage = fx.usage_of_matching(&query, &[id_of("svc-115")]).unwrap();
    let jobs: Vec<&str> = usage.iter().map(|u| u.job.name.as_str()).collect();
    assert_eq!(jobs, ["a"]);
    let usage = fx
        .usage_of_matching(&query, &[id_of("svc-110"), id_of("svc-115")])
        .unwrap();
    assert_eq!(usage[0].secrets, ["svc-004"]);

    // Other filters: the label (even numbers only), the trash, nothing matched.
    let prod = SecretQuery {
        labels: vec![("env".into(), Some("prod".into()))],
        ..SecretQuery::default()
    };
    let usage = fx.usage_of_matching(&prod, &[]).unwrap();
    let seen: Vec<(&str, &[String])> = usage
        .iter()
        .map(|u| (u.job.name.as_str(), u.secrets.as_slice()))
        .collect();
    assert_eq!(
        seen,
        [("a", &["svc-004".to_owned(), "svc-110".to_owned()][..])]
    );
    let trash = SecretQuery {
        scope: coffer_core::secret::Scope::Trash,
        ..SecretQuery::default()
    };
    let usage = fx.usage_of_matching(&trash, &[]).unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].job.name, "d");
    for hostile in ["'; DROP TABLE jobs; --", "%", "svc-999"] {
        let none = SecretQuery {
            text: Some(hostile.into()),
            ..SecretQuery::default()
        };
        assert!(
            fx.usage_of_matching(&none, &[]).unwrap().is_empty(),
            "{hostile}"
        );
    }
    let unknown_org = SecretQuery {
        org: Some("nowhere".into()),
        ..SecretQuery::default()
    };
    assert!(fx.usage_of_matching(&unknown_org, &[]).unwrap().is_empty());
    // Nothing was changed by asking.
    assert_eq!(fx.jobs(None).unwrap().len(), 4);
    assert_eq!(fx.list(&SecretQuery::default()).unwrap().total, 121);
}
