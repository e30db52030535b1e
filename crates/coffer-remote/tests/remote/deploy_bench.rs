//! Benchmarks (docs/benchmarks.md; run by hand, numbers are printed, only
//! correctness is asserted): deploying 1,000 local secrets to one moto
//! connection at the default write rate, and importing 1,000 remote secrets.
//!
//! `cargo nextest run -p coffer-remote --run-ignored only -E 'test(bench_)' --no-capture`

use std::time::Instant;

use coffer_core::remote::{
    AwsAuth, AwsSettings, DEFAULT_WRITES_PER_SEC, DeploymentState, DeploymentTarget, ManagerKind,
    ManagerSettings,
};
use coffer_core::secret::{SecretRef, SecretType};
use coffer_remote::{
    DeployOptions, Engine, ImportItem, KeyVault as _, RateLimiter, connect, credentials_for,
    import_many,
};

use crate::support::moto::Moto;
use crate::support::quick_options;
use crate::support::vault::{TestVault, new_secret};

const MANAGER: &str = "aws-bench";
const COUNT: usize = 1000;

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

async fn connected(moto: &Moto) -> (TestVault, coffer_remote::AnyVault) {
    let mut vault = TestVault::new();
    vault.add(
        "aws-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
        ],
    );
    vault.connect(
        MANAGER,
        ManagerSettings::Aws(AwsSettings {
            region: "us-east-1".into(),
            endpoint: Some(moto.endpoint()),
            auth: AwsAuth::AccessKey {
                secret: "aws-key".into(),
            },
        }),
    );
    let credentials = credentials_for(&mut vault, MANAGER, "bench").unwrap();
    let manager = vault.manager(MANAGER).unwrap();
    let client = connect(&manager, credentials, &quick_options())
        .await
        .unwrap();
    (vault, client)
}

#[tokio::test]
#[ignore = "benchmark, run by hand"]
async fn bench_deploy_and_import_1000() {
    let moto = Moto::start();
    let (mut vault, client) = connected(&moto).await;
    let secrets = (0..COUNT)
        .map(|i| {
            new_secret(
                &format!("svc-{i:04}"),
                SecretType::BasicAuth,
                &[("username", "svc"), ("password", &format!("pw-{i}"))],
            )
        })
        .collect();
    vault.register_many(secrets).unwrap();
    for i in 0..COUNT {
        let target = DeploymentTarget {
            manager: MANAGER.into(),
            remote_name: format!("bench/svc-{i:04}"),
        };
        vault
            .create_deployment(&SecretRef::named(format!("svc-{i:04}")), &target)
            .unwrap();
    }
    let limiter = RateLimiter::new(DEFAULT_WRITES_PER_SEC);
    let options = DeployOptions::default();
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &client,
        limiter: &limiter,
        options: &options,
    };
    let (load_before, started) = (load(), Instant::now());
    let done = engine.run_pending(&mut vault, &mut |_| {}).await.unwrap();
    let took = started.elapsed();
    let available = done
        .iter()
        .filter(|d| d.state == DeploymentState::Available)
        .count();
    assert_eq!(available, COUNT, "zero failed deployments");
    println!(
        "deploy {COUNT} at {DEFAULT_WRITES_PER_SEC} writes/s: {took:.2?} ({:.1}/s); load before {load_before}, after {}",
        COUNT as f64 / took.as_secs_f64(),
        load()
    );

    // Browse (paged), then import all of them into another vault.
    let (mut other, other_client) = connected(&moto).await;
    let started = Instant::now();
    let mut items = Vec::new();
    let mut page = None;
    loop {
        let listed = other_client.list("bench/", page, 100).await.unwrap();
        items.extend(listed.items.into_iter().map(|s| ImportItem {
            local_name: s.name.replace('/', "-"),
            remote_name: s.name,
            remote_id: Some(s.remote_id),
            kind: None,
            description: String::new(),
        }));
        match listed.next {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    let browsed = started.elapsed();
    assert_eq!(items.len(), COUNT);
    let started = Instant::now();
    let outcomes = import_many(&mut other, MANAGER, &other_client, &items, &mut |_| {})
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(outcomes.iter().all(|o| o.secret.is_some()));
    println!(
        "browse {COUNT} (pages of 100): {browsed:.2?}; import {COUNT}: {took:.2?} ({:.1}/s); load {}",
        COUNT as f64 / took.as_secs_f64(),
        load()
    );
}
