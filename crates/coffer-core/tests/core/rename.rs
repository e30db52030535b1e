//! Renaming and cloning secrets: a rename carries the jobs that name the
//! secret along in one transaction (bindings, placeholders, row tags, audit);
//! a clone copies the current value under a new data key.

use coffer_core::ErrorCode;
use coffer_core::job::{
    BindingSource, CommandSpec, HttpFetchSpec, JobRef, JobSpec, NewJob, RoleBinding, RunTrigger,
    SecretReference, SecretRole,
};
use coffer_core::secret::{NewProtection, SecretRef, SecretType};
use coffer_core::{SecretString, Vault};

use crate::support::{
    Fixture, basic, expect_code, expect_invalid, named, raw, reveal_all, reveal_with, secret,
};

fn job(name: &str) -> JobRef {
    JobRef::Name {
        org: "Default".into(),
        name: name.into(),
    }
}

fn actions(vault: &Vault, secret: Option<&SecretRef>) -> Vec<String> {
    vault
        .audit_entries(secret, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// A vault with `db`, a fetch job bound to it by role, a command job that
/// names it in placeholders, and a template job that references it.
fn with_jobs() -> Fixture {
    let mut fx = Fixture::new();
    fx.register(basic("db", "svc", "s3cret")).unwrap();
    fx.register(basic("other", "o", "pw")).unwrap();
    let mut fetch = NewJob::new(
        "fetch",
        JobSpec::HttpFetch(HttpFetchSpec {
            url: "https://example.com/a".into(),
            target: "/tmp/coffer-rename-target".into(),
        }),
    );
    fetch.roles = vec![RoleBinding {
        role: SecretRole::Auth,
        secret: "db".into(),
    }];
    fx.create_job(fetch).unwrap();
    let mut command = NewJob::new(
        "migrate",
        JobSpec::Command(CommandSpec {
            program: "/bin/echo".into(),
            args: vec![
                "--user=${secret:db#username}".into(),
                "${secret:other}".into(),
                "$${secret:db}".into(),
            ],
            env: [("PGPASSWORD".to_owned(), "${secret:db}".to_owned())].into(),
            working_dir: None,
            timeout_seconds: None,
        }),
    );
    command.references = vec![
        SecretReference {
            manager: None,
            secret: "db".into(),
            field: Some("username".into()),
        },
        SecretReference {
            manager: None,
            secret: "db".into(),
            field: None,
        },
        SecretReference {
            manager: None,
            secret: "other".into(),
            field: None,
        },
    ];
    fx.create_job(command).unwrap();
    fx
}

#[test]
fn a_rename_rewrites_the_jobs_that_name_the_secret_in_one_audited_change() {
    let mut fx = with_jobs();
    let renamed = fx.rename(&named("db"), "prod/db").unwrap();
    assert_eq!(renamed.meta.name, "prod/db");
    assert_eq!(renamed.jobs, vec!["fetch".to_owned(), "migrate".to_owned()]);
    assert!(renamed.templates.is_empty());
    expect_code(fx.get(&named("db")), ErrorCode::NotFound);

    // Bindings follow: the role, and the placeholder references.
    let fetch = fx.job(&job("fetch")).unwrap();
    assert_eq!(fetch.bindings[0].secret, "prod/db");
    assert_eq!(fetch.bindings[0].secret_id, Some(renamed.meta.id));
    let migrate = fx.job(&job("migrate")).unwrap();
    let mut names: Vec<(String, Option<String>)> = migrate
        .bindings
        .iter()
        .map(|b| (b.secret.clone(), b.field.clone()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("other".to_owned(), None),
            ("prod/db".to_owned(), None),
            ("prod/db".to_owned(), Some("username".to_owned())),
        ]
    );
    assert!(
        migrate
            .bindings
            .iter()
            .all(|b| b.source == BindingSource::Placeholder)
    );
    // Placeholders follow; other names and escapes stay.
    let JobSpec::Command(spec) = &migrate.spec else {
        panic!("a command job")
    };
    assert_eq!(
        spec.args,
        vec![
            "--user=${secret:prod/db#username}",
            "${secret:other}",
            "$${secret:db}"
        ]
    );
    assert_eq!(spec.env["PGPASSWORD"], "${secret:prod/db}");
    assert_eq!(fx.secret_usage(&named("prod/db")).unwrap().len(), 2);

    // Row tags were recomputed in the same transaction: after a reopen every
    // row checks out, the jobs run, the value is the same.
    fx.reopen();
    assert_eq!(
        reveal_all(&mut fx, &named("prod/db"))["password"],
        b"s3cret"
    );
    fx.start_run(&job("fetch"), RunTrigger::Manual).unwrap();
    fx.start_run(&job("migrate"), RunTrigger::Manual).unwrap();
    let secret_actions = actions(&fx, Some(&named("prod/db")));
    assert!(
        secret_actions.contains(&"secret.rename".to_owned()),
        "{secret_actions:?}"
    );
    let all = fx.audit_entries(None, 100).unwrap();
    let rename = all.iter().find(|e| e.action == "secret.rename").unwrap();
    assert_eq!(rename.target, "Default:prod/db");
    assert_eq!(rename.detail["from"], "db");
    assert_eq!(
        rename.detail["jobs"],
        serde_json::json!(["fetch", "migrate"])
    );
    assert_eq!(
        all.iter()
            .filter(|e| e.action == "job.update" && e.detail["secret_renamed"]["to"] == "prod/db")
            .count(),
        2
    );
    assert!(fx.verify_audit().unwrap().ok);
    // The listing's text search finds the new name.
    let query = coffer_core::secret::SecretQuery {
        text: Some("prod/d".into()),
        ..Default::default()
    };
    assert_eq!(fx.list(&query).unwrap().total, 1);
}

#[test]
fn a_rename_to_a_taken_or_bad_name_changes_nothing() {
    let mut fx = with_jobs();
    expect_code(fx.rename(&named("db"), "other"), ErrorCode::AlreadyExists);
    expect_invalid(fx.rename(&named("db"), "has space"), "name");
    expect_invalid(fx.rename(&named("db"), "db"), "name");
    expect_code(fx.rename(&named("missing"), "x"), ErrorCode::NotFound);
    fx.delete(&named("other")).unwrap();
    // A name in the trash is still taken; a secret in the trash is not renamed.
    expect_code(fx.rename(&named("db"), "other"), ErrorCode::AlreadyExists);
    expect_code(fx.rename(&named("other"), "x"), ErrorCode::Refused);
    assert_eq!(fx.job(&job("fetch")).unwrap().bindings[0].secret, "db");
    assert!(!actions(&fx, None).contains(&"secret.rename".to_owned()));
}

#[test]
fn a_rename_refuses_to_carry_a_job_edited_outside_coffer() {
    let mut fx = with_jobs();
    raw(&fx.path)
        .execute("UPDATE jobs SET enabled = 0 WHERE name = 'fetch'", [])
        .unwrap();
    expect_code(fx.rename(&named("db"), "prod/db"), ErrorCode::Tampered);
    assert_eq!(fx.get(&named("db")).unwrap().name, "db");
}

#[test]
fn a_clone_copies_the_value_under_a_new_key_and_is_audited() {
    let mut fx = with_jobs();
    let mut labelled = secret("cfg", SecretType::KeyValue, &[("a", "1"), ("b", "2")]);
    labelled.labels = [("env".to_owned(), "prod".to_owned())].into();
    labelled.description = "App settings".into();
    fx.register(labelled).unwrap();
    let source = fx.get(&named("cfg")).unwrap();
    let copy = fx.clone_secret(&named("cfg"), "cfg-copy", None).unwrap();
    assert_ne!(copy.id, source.id);
    assert_eq!(copy.name, "cfg-copy");
    assert_eq!(copy.current_version, 1);
    assert_eq!(copy.labels, source.labels);
    assert_eq!(copy.description, "App settings");
    assert_eq!(copy.used_by, 0);
    assert_eq!(
        reveal_all(&mut fx, &named("cfg-copy")),
        reveal_all(&mut fx, &named("cfg"))
    );
    // Its own data key: the wrapped keys differ.
    let keys: Vec<Vec<u8>> = raw(&fx.path)
        .prepare(
            "SELECT v.wrapped_dek FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
             WHERE s.name IN ('cfg', 'cfg-copy')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
    assert!(actions(&fx, Some(&named("cfg"))).contains(&"secret.clone".to_owned()));
    assert!(actions(&fx, Some(&named("cfg-copy"))).contains(&"secret.create".to_owned()));
    expect_code(
        fx.clone_secret(&named("cfg"), "db", None),
        ErrorCode::AlreadyExists,
    );
    fx.reopen();
    assert_eq!(reveal_all(&mut fx, &named("cfg-copy"))["a"], b"1");
    assert!(fx.verify_audit().unwrap().ok);
}

#[test]
fn a_store_password_secret_is_cloned_only_with_its_password() {
    let mut fx = Fixture::new();
    let password = SecretString::from("store-pass-123");
    let mut new = basic("locked", "u", "inner");
    new.protection = NewProtection::Password(password.clone());
    fx.register(new).unwrap();
    expect_code(
        fx.clone_secret(&named("locked"), "locked2", None),
        ErrorCode::PasswordRequired,
    );
    let wrong = SecretString::from("wrong-password");
    expect_code(
        fx.clone_secret(&named("locked"), "locked2", Some(&wrong)),
        ErrorCode::WrongPassword,
    );
    let copy = fx
        .clone_secret(&named("locked"), "locked2", Some(&password))
        .unwrap();
    assert_eq!(copy.protection, coffer_core::secret::Protection::Password);
    assert_eq!(
        reveal_with(&mut fx, &named("locked2"), Some(&password)).unwrap()["password"],
        b"inner"
    );
}

#[test]
fn matching_ids_are_every_match_beyond_any_page() {
    let mut fx = Fixture::new();
    for i in 0..250 {
        let mut new = basic(&format!("svc-{i:03}"), "u", "pw");
        if i % 2 == 0 {
            new.labels = [("env".to_owned(), "prod".to_owned())].into();
        }
        fx.register(new).unwrap();
    }
    fx.register(basic("unrelated", "u", "pw")).unwrap();
    let query = coffer_core::secret::SecretQuery {
        text: Some("svc-".into()),
        labels: vec![("env".into(), Some("prod".into()))],
        limit: 10,
        ..Default::default()
    };
    let ids = fx.matching_ids(&query).unwrap();
    assert_eq!(ids.len(), 125);
    assert_eq!(fx.list(&query).unwrap().total, 125);
    let first = fx.list(&query).unwrap().items[0].id;
    assert_eq!(ids[0], first, "in the query's sort order");
    fx.delete(&named("svc-000")).unwrap();
    assert_eq!(
        fx.matching_ids(&query).unwrap().len(),
        124,
        "live secrets only"
    );
}

#[test]
fn label_counts_cover_live_secrets() {
    let mut fx = Fixture::new();
    for (name, env) in [("a", "prod"), ("b", "prod"), ("c", "dev"), ("d", "prod")] {
        let mut new = basic(name, "u", "pw");
        new.labels = [("env".to_owned(), env.to_owned())].into();
        fx.register(new).unwrap();
    }
    fx.delete(&named("d")).unwrap();
    let counts: Vec<(String, String, u32)> = fx
        .label_counts()
        .unwrap()
        .into_iter()
        .map(|l| (l.key, l.value, l.count))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("env".to_owned(), "dev".to_owned(), 1),
            ("env".to_owned(), "prod".to_owned(), 2)
        ]
    );
}
