//! Remote placeholders `${secret:MANAGER:NAME[#KEY]}` against moto through
//! the real AWS SDK: command and template jobs, redaction, the cache across
//! runs, and failures before anything runs.

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_core::job::{CommandSpec, JobRef, JobSpec, RunStatus, RunTrigger, TemplateSpec};
use coffer_core::remote::{AwsAuth, AwsSettings, ManagerSettings, ManagerSpec};
use coffer_core::secret::SecretType;
use coffer_jobs::RunContext;
use coffer_remote::{KeyVault, Remotes, Tags, WriteRequest, tags};

use crate::moto::Moto;
use crate::support::Fixture;

const DB_PASSWORD: &str = "remote-pw-Qx81!";
const DB_USER: &str = "svc-remote-user";
const TOKEN: &str = "remote-token-7731";

fn spec(endpoint: &str) -> ManagerSpec {
    ManagerSpec {
        name: "aws".into(),
        org: "Default".into(),
        settings: ManagerSettings::Aws(AwsSettings {
            region: "us-east-1".into(),
            endpoint: Some(endpoint.into()),
            auth: AwsAuth::AccessKey {
                secret: "aws-key".into(),
            },
        }),
        cache_ttl_secs: 3600,
        stale_if_error_secs: 300,
        writes_per_sec: 20,
    }
}

/// Writes a remote secret through Coffer's own client.
fn put(fx: &mut Fixture, remotes: &Remotes, name: &str, value: &str, write_only: bool) {
    let manager = fx.manager("aws").unwrap();
    let client = remotes
        .client(&manager, || {
            coffer_remote::credentials_of(&manager, fx.manager_credentials("aws", "seed")?)
        })
        .unwrap();
    let (name, value) = (name.to_owned(), value.to_owned());
    remotes
        .call(&client, move |c| async move {
            let mut tags = Tags::new();
            if write_only {
                tags.insert(tags::TAG_WRITE_ONLY.into(), "true".into());
            }
            c.put(WriteRequest {
                name: &name,
                value: value.as_bytes(),
                binary: false,
                tags: &tags,
                idempotency_token: "1",
            })
            .await
        })
        .unwrap();
}

/// A vault with an access-key secret and a connection `aws` to moto, and
/// two remote secrets: a JSON object and a string.
fn setup(moto: &Moto) -> (Fixture, RunContext) {
    let mut fx = Fixture::new();
    fx.add(
        "aws-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
        ],
    );
    fx.add_manager(spec(&moto.endpoint())).unwrap();
    let ctx = RunContext {
        remotes: Arc::new(Remotes::new(
            fx.clock.clone(),
            coffer_remote::ConnectOptions::default(),
        )),
        ..fx.context()
    };
    let db = format!(r#"{{"user":"{DB_USER}","password":"{DB_PASSWORD}","port":5432}}"#);
    put(&mut fx, &ctx.remotes, "app/db", &db, false);
    put(&mut fx, &ctx.remotes, "app/token", TOKEN, false);
    // The seeding client is not a run's: start runs with an empty cache.
    ctx.remotes.clear();
    (fx, ctx)
}

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

fn run(fx: &mut Fixture, ctx: &RunContext, name: &str) -> coffer_core::job::JobRun {
    coffer_jobs::run_job(fx, &JobRef::named(name), RunTrigger::Manual, ctx).unwrap()
}

#[test]
fn a_command_job_gets_remote_values_and_keys_redacted_and_cached() {
    let moto = Moto::start();
    let (mut fx, ctx) = setup(&moto);
    command(
        &mut fx,
        "remote-cmd",
        "test \"$P\" = \"$EXPECT_P\" && test \"$T\" = \"$EXPECT_T\" && test \"$PORT\" = 5432 \
         && echo match; echo \"pw=$P user=$U token=$T\"; printf %s \"$P\" | base64",
        &[
            ("P", "${secret:aws:app/db#password}"),
            ("U", "${secret:aws:app/db#user}"),
            ("PORT", "${secret:aws:app/db#port}"),
            ("T", "${secret:aws:app/token}"),
            ("EXPECT_P", DB_PASSWORD),
            ("EXPECT_T", TOKEN),
        ],
    );
    let first = run(&mut fx, &ctx, "remote-cmd");
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert!(first.log.contains("match"), "{}", first.log);
    for value in [DB_PASSWORD, DB_USER, TOKEN, "cmVtb3RlLXB3LVF4ODEh"] {
        assert!(!first.log.contains(value), "{value} in {}", first.log);
    }
    assert!(
        first.log.contains("pw=*** user=*** token=***"),
        "{}",
        first.log
    );
    assert!(
        first.log.contains("aws:app/db version") && first.log.contains("read from the key vault"),
        "{}",
        first.log
    );
    // Each remote read is audited (names and outcomes, never values).
    let audit = fx.audit_entries(None, 1000).unwrap();
    let reads: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.action == "remote.get")
        .map(|e| {
            (
                e.target.as_str(),
                e.detail["outcome"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert!(reads.contains(&("aws:app/db", "ok")), "{reads:?}");
    assert!(reads.contains(&("aws:app/token", "ok")), "{reads:?}");
    let text = serde_json::to_string(&audit).unwrap();
    assert!(!text.contains(DB_PASSWORD) && !text.contains(TOKEN));
    // The second run reads nothing remote: the app's cache holds the values.
    let second = run(&mut fx, &ctx, "remote-cmd");
    assert_eq!(second.status, RunStatus::Succeeded, "{second:?}");
    assert!(second.log.contains("from the cache"), "{}", second.log);
    assert!(
        !second.log.contains("read from the key vault"),
        "{}",
        second.log
    );
    let listed = ctx.remotes.cached(&fx.manager("aws").unwrap());
    let names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["app/db", "app/token"]);
    // Clear cache: the next run reads again.
    ctx.remotes.clear();
    let third = run(&mut fx, &ctx, "remote-cmd");
    assert!(
        third.log.contains("read from the key vault"),
        "{}",
        third.log
    );
}

#[test]
fn a_template_job_renders_remote_keys_and_honours_the_write_only_tag() {
    let moto = Moto::start();
    let (mut fx, ctx) = setup(&moto);
    let template = fx.file("remote.tmpl");
    std::fs::write(
        &template,
        "user=${secret:aws:app/db#user}\npassword=${secret:aws:app/db#password}\n",
    )
    .unwrap();
    let output = fx.file("remote.conf");
    fx.add_job(
        "remote-tmpl",
        JobSpec::Template(TemplateSpec {
            template,
            output: output.clone(),
            allow_write_only_to_disk: false,
        }),
        &[],
    );
    let done = run(&mut fx, &ctx, "remote-tmpl");
    assert_eq!(done.status, RunStatus::Succeeded, "{done:?}");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("user={DB_USER}\npassword={DB_PASSWORD}\n")
    );
    assert!(!done.log.contains(DB_PASSWORD), "{}", done.log);

    // A remote tagged write-only by Coffer is not written to disk.
    put(
        &mut fx,
        &ctx.remotes,
        "app/wo",
        r#"{"password":"wo-secret-991"}"#,
        true,
    );
    let template = fx.file("wo.tmpl");
    std::fs::write(&template, "p=${secret:aws:app/wo#password}\n").unwrap();
    let wo_output = fx.file("wo.conf");
    fx.add_job(
        "remote-wo",
        JobSpec::Template(TemplateSpec {
            template,
            output: wo_output.clone(),
            allow_write_only_to_disk: false,
        }),
        &[],
    );
    let refused = run(&mut fx, &ctx, "remote-wo");
    assert_eq!(refused.status, RunStatus::Refused, "{refused:?}");
    let error = refused.error.unwrap_or_default();
    assert!(error.contains("write-only"), "{error}");
    assert!(error.contains("line 1, column 3"), "{error}");
    assert!(!wo_output.exists());
}

#[test]
fn unknown_managers_and_missing_names_fail_before_anything_runs() {
    let moto = Moto::start();
    let (mut fx, ctx) = setup(&moto);
    let marker = fx.file("ran");
    let script = format!("touch {}", marker.display());
    for (job, value, expected) in [
        (
            "unknown-manager",
            "x ${secret:nope:app/db}",
            "unknown key vault \"nope\"",
        ),
        (
            "missing-name",
            "x ${secret:aws:app/missing}",
            "has no secret \"app/missing\"",
        ),
        (
            "string-key",
            "x ${secret:aws:app/token#user}",
            "is a string secret and has no keys",
        ),
        (
            "missing-key",
            "x ${secret:aws:app/db#host}",
            "has no key \"host\"",
        ),
    ] {
        command(&mut fx, job, &script, &[("V", value)]);
        let failed = run(&mut fx, &ctx, job);
        assert_ne!(failed.status, RunStatus::Succeeded, "{job}: {failed:?}");
        let error = failed.error.clone().unwrap_or_default();
        assert!(error.contains(expected), "{job}: {error}");
        assert!(
            error.contains("environment variable V, line 1, column 3"),
            "{job}: {error}"
        );
        assert!(!marker.exists(), "{job}: the program ran");
    }
}

#[test]
fn the_live_check_reports_unknown_managers_with_line_and_column() {
    let moto = Moto::start();
    let (fx, _ctx) = setup(&moto);
    let report = coffer_jobs::check::check_text(
        &fx,
        "ok ${secret:aws:app/db#password}\n  ${secret:nope:x}",
        &coffer_jobs::check::CheckOptions::default(),
    );
    assert_eq!(report.placeholders, 2);
    assert_eq!(report.problems.len(), 1, "{report:?}");
    let problem = &report.problems[0];
    assert_eq!((problem.line, problem.column), (2, 3));
    assert_eq!(problem.code, "not_found");
    assert!(problem.message.contains("unknown key vault"), "{problem:?}");
}

#[test]
fn an_unreachable_key_vault_serves_stale_values_within_the_window_and_says_so() {
    let moto = Moto::start();
    let (mut fx, ctx) = setup(&moto);
    command(
        &mut fx,
        "stale",
        "test \"$T\" = \"$EXPECT\" && echo match",
        &[("T", "${secret:aws:app/token}"), ("EXPECT", TOKEN)],
    );
    let fresh = run(&mut fx, &ctx, "stale");
    assert_eq!(fresh.status, RunStatus::Succeeded, "{fresh:?}");
    // The key vault goes away; the cached value expires (TTL 3600 s).
    drop(moto);
    fx.clock.advance(3600 + 10);
    let stale = run(&mut fx, &ctx, "stale");
    assert_eq!(stale.status, RunStatus::Succeeded, "{stale:?}");
    assert!(stale.log.contains("match"), "{}", stale.log);
    assert!(
        stale
            .log
            .contains("warning: aws:app/token is a cached value that expired at")
            && stale.log.contains("from the cache, stale since"),
        "{}",
        stale.log
    );
    assert!(!stale.log.contains(TOKEN), "{}", stale.log);
    // Past the stale-if-error window (300 s): the run fails, naming the
    // connection, before the program runs.
    fx.clock.advance(300);
    let failed = run(&mut fx, &ctx, "stale");
    assert_eq!(failed.status, RunStatus::Failed, "{failed:?}");
    let error = failed.error.unwrap_or_default();
    assert!(error.starts_with("aws: reading secrets failed"), "{error}");
    assert!(!failed.log.contains("match"), "{}", failed.log);
}
