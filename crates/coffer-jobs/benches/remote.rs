//! A command job with 1,000 remote placeholders over 100 remote secrets
//! (`${secret:aws:bench/NNN#kK}`, ten keys each) against moto on 127.0.0.1
//! through the real AWS SDK: cold (a fresh cache every run: each remote
//! secret read once, in batches, every read audited) and warm (all cached).
//! Also the resolution alone (what the placeholders cost, without starting
//! the program or recording the run), warm. Needs moto: `COFFER_TEST_PYTHON`
//! or the workspace's `.venv`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_core::job::{CommandSpec, JobRef, JobSpec, NewJob, RunStatus, RunTrigger};
use coffer_core::remote::{AwsAuth, AwsSettings, ManagerSettings, ManagerSpec};
use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType, text_input};
use coffer_core::{CreateOptions, SecretString, SystemClock, Vault};
use coffer_jobs::adhoc::{AdHoc, prepare_program_in};
use coffer_jobs::{RunContext, StorePasswords, run_job};
use coffer_remote::{ConnectOptions, KeyVault, Remotes, Tags, WriteRequest};
use criterion::{Criterion, criterion_group, criterion_main};

const SECRETS: usize = 100;
const KEYS: usize = 10;

// The remote tests' moto launcher (not every helper of it is used here).
#[allow(dead_code)]
#[path = "../../coffer-remote/tests/remote/support/moto.rs"]
mod moto;
use moto::Moto;

/// A free port on 127.0.0.1 (for the moto launcher).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn args() -> Vec<String> {
    let mut args = vec!["-c".to_owned(), "exit 0".to_owned(), "x".to_owned()];
    // A command takes at most 256 arguments: ten placeholders in each.
    for s in 0..SECRETS {
        let arg: Vec<String> = (0..KEYS)
            .map(|k| format!("k{k}=${{secret:aws:bench/{s:03}#k{k}}}"))
            .collect();
        args.push(arg.join(" "));
    }
    args
}

fn bench(c: &mut Criterion) {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let mut options = CreateOptions::new(SecretString::from("bench passphrase"));
    options.use_keyring = false;
    let (mut vault, _) =
        Vault::create(&dir.path().join("vault.db"), options, Arc::new(SystemClock)).unwrap();
    let data = SecretData::from_fields(
        SecretType::KeyValue,
        vec![
            text_input("aws_access_key_id", "testing"),
            text_input("aws_secret_access_key", "testing"),
        ],
        &Intake::default(),
    )
    .unwrap();
    vault.register(NewSecret::new("aws-key", data)).unwrap();
    let manager = vault
        .add_manager(ManagerSpec {
            name: "aws".into(),
            org: "Default".into(),
            settings: ManagerSettings::Aws(AwsSettings {
                region: "us-east-1".into(),
                endpoint: Some(moto.endpoint()),
                auth: AwsAuth::AccessKey {
                    secret: "aws-key".into(),
                },
            }),
            cache_ttl_secs: 3600,
            stale_if_error_secs: 300,
            writes_per_sec: 20,
        })
        .unwrap();
    // Seed the remote secrets through Coffer's own client.
    let seeding = Remotes::new(Arc::new(SystemClock), ConnectOptions::default());
    let client = seeding
        .client(&manager, || {
            coffer_remote::credentials_of(&manager, vault.manager_credentials("aws", "seed")?)
        })
        .unwrap();
    seeding
        .call(&client, |c| async move {
            for s in 0..SECRETS {
                let value: BTreeMap<String, String> = (0..KEYS)
                    .map(|k| {
                        (
                            format!("k{k}"),
                            format!("value-{s:03}-{k}-{}", "x".repeat(16)),
                        )
                    })
                    .collect();
                let value = serde_json::to_string(&value).unwrap();
                c.put(WriteRequest {
                    name: &format!("bench/{s:03}"),
                    value: value.as_bytes(),
                    binary: false,
                    tags: &Tags::new(),
                    idempotency_token: "1",
                })
                .await?;
            }
            Ok::<(), coffer_remote::Error>(())
        })
        .unwrap();
    let mut job = NewJob::new(
        "remote",
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: args(),
            env: BTreeMap::new(),
            working_dir: None,
            timeout_seconds: Some(60),
        }),
    );
    job.references = Vec::new();
    coffer_jobs::define::create_job(&mut vault, job).unwrap();

    let mut group = c.benchmark_group("remote");
    group.sample_size(10);
    group.bench_function(
        "command_run_1000_remote_placeholders_100_secrets_cold",
        |b| {
            b.iter(|| {
                let ctx = RunContext {
                    temp_dir: dir.path().to_owned(),
                    ..RunContext::default()
                };
                let run = run_job(
                    &mut vault,
                    &JobRef::named("remote"),
                    RunTrigger::Manual,
                    &ctx,
                )
                .unwrap();
                assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
                assert_eq!(run.log.matches("read from the key vault").count(), SECRETS);
            })
        },
    );
    let warm = RunContext {
        temp_dir: dir.path().to_owned(),
        ..RunContext::default()
    };
    run_job(
        &mut vault,
        &JobRef::named("remote"),
        RunTrigger::Manual,
        &warm,
    )
    .unwrap();
    group.bench_function(
        "command_run_1000_remote_placeholders_100_secrets_warm",
        |b| {
            b.iter(|| {
                let run = run_job(
                    &mut vault,
                    &JobRef::named("remote"),
                    RunTrigger::Manual,
                    &warm,
                )
                .unwrap();
                assert_eq!(run.status, RunStatus::Succeeded);
                assert_eq!(run.log.matches("from the cache").count(), SECRETS);
            })
        },
    );
    let adhoc = AdHoc {
        org: "Default".into(),
        project: None,
        env: Vec::new(),
        program: "/bin/sh".into(),
        args: args(),
    };
    group.bench_function("resolve_1000_remote_placeholders_100_secrets_warm", |b| {
        b.iter(|| {
            let ready = prepare_program_in(
                &mut vault,
                &adhoc,
                &StorePasswords::new(),
                Some(&warm.remotes),
            )
            .unwrap();
            assert_eq!(ready.remote_notes().len(), SECRETS);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
