//! Benchmarks of the deploy engine, import and browsing against moto on
//! 127.0.0.1 through the real AWS SDK and a real vault file. They are
//! `#[ignore]`d (speed is never asserted, and each takes up to a minute):
//! `scripts/bench-remote` runs them one at a time and prints their figures
//! with the machine's load. What they do check is correctness: every
//! deployment ends `available` and every import succeeds, so a figure is
//! never that of a run that quietly failed.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use coffer_core::remote::validate::MAX_WRITES_PER_SEC;
use coffer_core::remote::{DEFAULT_WRITES_PER_SEC, DeploymentState, DeploymentTarget, ManagerKind};
use coffer_core::secret::{SecretRef, SecretType, ValueChange, text_input};
use coffer_remote::{
    AnyVault, DeployOptions, Engine, ImportItem, KeyVault, Page, Probe, RateLimiter, RemoteSecret,
    RemoteValue, RemoteVersion, WriteOutcome, WriteRequest, import_many,
};

use crate::support::aws_vault;
use crate::support::faults::{Fault, FaultInjector};
use crate::support::moto::Moto;
use crate::support::raw_client;
use crate::support::vault::{TestVault, new_secret};

const MANAGER: &str = "aws-bench";

/// A key vault that adds up the time spent in its calls, to split a
/// figure into remote calls and Coffer's own (local) work.
struct Timed<K> {
    inner: K,
    spent: Mutex<(Duration, u32)>,
}

impl<K: KeyVault> Timed<K> {
    fn new(inner: K) -> Self {
        Self {
            inner,
            spent: Mutex::new((Duration::ZERO, 0)),
        }
    }

    async fn time<T>(&self, call: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = call.await;
        let mut spent = self.spent.lock().expect("spent");
        spent.0 += started.elapsed();
        spent.1 += 1;
        out
    }

    /// Time spent in calls and their number since the last take.
    fn take(&self) -> (Duration, u32) {
        std::mem::take(&mut *self.spent.lock().expect("spent"))
    }
}

impl<K: KeyVault> KeyVault for Timed<K> {
    fn probe(&self) -> impl Future<Output = coffer_remote::Result<Probe>> + Send {
        self.time(self.inner.probe())
    }
    fn list(
        &self,
        prefix: &str,
        page: Option<String>,
        page_size: u32,
    ) -> impl Future<Output = coffer_remote::Result<Page>> + Send {
        self.time(self.inner.list(prefix, page, page_size))
    }
    fn describe(
        &self,
        name: &str,
    ) -> impl Future<Output = coffer_remote::Result<Option<RemoteSecret>>> + Send {
        self.time(self.inner.describe(name))
    }
    fn versions(
        &self,
        name: &str,
    ) -> impl Future<Output = coffer_remote::Result<Vec<RemoteVersion>>> + Send {
        self.time(self.inner.versions(name))
    }
    fn get_many(
        &self,
        names: &[String],
    ) -> impl Future<Output = coffer_remote::Result<Vec<RemoteValue>>> + Send {
        self.time(self.inner.get_many(names))
    }
    fn put(
        &self,
        request: WriteRequest<'_>,
    ) -> impl Future<Output = coffer_remote::Result<WriteOutcome>> + Send {
        self.time(self.inner.put(request))
    }
    fn delete(&self, name: &str) -> impl Future<Output = coffer_remote::Result<()>> + Send {
        self.time(self.inner.delete(name))
    }
}

fn report_split(client: &Timed<AnyVault>, took: Duration) {
    let (remote, calls) = client.take();
    println!(
        "BENCH   of which {calls} key-vault calls: {:.2} s; Coffer's own work (vault, engine, limiter waits): {:.2} s",
        remote.as_secs_f64(),
        took.saturating_sub(remote).as_secs_f64()
    );
}
const COUNT: usize = 1_000;

/// The machine's load average, as `uptime` reports it.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn report(what: &str, took: Duration, items: usize) {
    let secs = took.as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = items as f64 / secs;
    println!(
        "BENCH {what}: {items} in {secs:.2} s = {rate:.1}/s (load average {})",
        load()
    );
}

/// A vault with an AWS connection to `endpoint` at `writes_per_sec`, and
/// its client timed.
async fn connected(endpoint: &str, writes_per_sec: u32) -> (TestVault, Timed<AnyVault>) {
    let (vault, client) = aws_vault::connected(MANAGER, endpoint, writes_per_sec).await;
    (vault, Timed::new(client))
}

/// Registers `count` local secrets `PREFIX-NNNN` (half key/value, half
/// data) and creates a deployment of each as `bench/PREFIX-NNNN`; returns
/// when the deployments' creation started.
fn prepare(vault: &mut TestVault, prefix: &str, count: usize) -> Instant {
    let secrets = (0..count)
        .map(|i| {
            if i % 2 == 0 {
                new_secret(
                    &format!("{prefix}-{i:04}"),
                    SecretType::KeyValue,
                    &[("user", "svc"), ("token", &format!("tok-{i}"))],
                )
            } else {
                new_secret(
                    &format!("{prefix}-{i:04}"),
                    SecretType::Data,
                    &[("data", &format!("value number {i}"))],
                )
            }
        })
        .collect();
    vault.register_many(secrets).expect("register");
    let started = Instant::now();
    for i in 0..count {
        vault
            .create_deployment(
                &SecretRef::named(format!("{prefix}-{i:04}")),
                &DeploymentTarget {
                    manager: MANAGER.into(),
                    remote_name: format!("bench/{prefix}-{i:04}"),
                },
            )
            .expect("create deployment");
    }
    started
}

/// Deploys `count` local secrets (half key/value, half data) to one
/// connection whose limiter allows `writes_per_sec` and reports the
/// throughput. A rate above what a connection may store (the account's
/// 50 writes/s) measures the engine without the limiter. With `latency`,
/// every request goes through the fault injector, which holds it that long
/// before passing it to moto (a round trip to a real region).
async fn deploy_many(
    count: usize,
    writes_per_sec: u32,
    latency: Option<Duration>,
    then_update: bool,
) {
    let moto = Moto::start();
    let injector = latency.map(|delay| {
        let injector = FaultInjector::start(moto.port);
        // The engine's describe and the put's two calls, and then some.
        injector.next(count * 4, Fault::Delay(delay));
        injector
    });
    let endpoint = injector
        .as_ref()
        .map_or_else(|| moto.endpoint(), FaultInjector::endpoint);
    let (mut vault, client) = connected(&endpoint, writes_per_sec.min(MAX_WRITES_PER_SEC)).await;
    let latency_label = latency.map_or_else(String::new, |d| {
        format!(", {} ms added to each request", d.as_millis())
    });
    let started = prepare(&mut vault, "app", count);
    report(
        &format!("create {count} deployments (records only, {writes_per_sec} writes/s)"),
        started.elapsed(),
        count,
    );

    let limiter = RateLimiter::new(writes_per_sec);
    let options = DeployOptions::default();
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &client,
        limiter: &limiter,
        options: &options,
    };
    let started = Instant::now();
    let done = engine
        .run_pending(&mut vault, &mut |_| {})
        .await
        .expect("run the deployments");
    let took = started.elapsed();
    let failed: Vec<String> = done
        .iter()
        .filter(|d| d.state != DeploymentState::Available)
        .map(|d| {
            format!(
                "{} {:?} {}",
                d.target.remote_name,
                d.state,
                d.last_error.as_deref().unwrap_or("")
            )
        })
        .collect();
    report(
        &format!("deploy {count} secrets at {writes_per_sec} writes/s{latency_label}"),
        took,
        done.len(),
    );
    report_split(&client, took);
    println!("BENCH failed deployments: {}", failed.len());
    if let Some(injector) = &injector {
        let mut operations = std::collections::BTreeMap::<String, usize>::new();
        for (operation, _) in injector.seen() {
            *operations.entry(operation).or_default() += 1;
        }
        println!("BENCH requests the service saw: {operations:?}");
    }
    assert_eq!(done.len(), count);
    assert!(failed.is_empty(), "{failed:#?}");
    // Every one is there remotely, with one version.
    let mut remote = 0;
    let mut page = None;
    loop {
        let listed = client.list("bench/", page, 100).await.expect("list");
        remote += listed
            .items
            .iter()
            .filter(|s| s.managed && s.versions == Some(1))
            .count();
        page = listed.next;
        if page.is_none() {
            break;
        }
    }
    assert_eq!(remote, count);
    if then_update {
        update_all(&mut vault, &engine, count).await;
    }
}

/// Gives each of the `count` deployed secrets a new version and times the
/// engine pushing them: each update is two write requests on AWS
/// (`PutSecretValue`, `TagResource`), which the limiter counts.
async fn update_all(vault: &mut TestVault, engine: &Engine<'_, Timed<AnyVault>>, count: usize) {
    for i in 0..count {
        let field = if i % 2 == 0 { "token" } else { "data" };
        vault
            .update_value(
                &SecretRef::named(format!("app-{i:04}")),
                ValueChange {
                    set: vec![text_input(field, &format!("second value {i}"))],
                    ..Default::default()
                },
                None,
            )
            .expect("new version");
    }
    engine.client.take();
    let granted = engine.limiter.granted();
    let started = Instant::now();
    let done = engine
        .run_pending(vault, &mut |_| {})
        .await
        .expect("run the updates");
    let took = started.elapsed();
    report(
        &format!("update {count} deployed secrets"),
        took,
        done.len(),
    );
    report_split(engine.client, took);
    println!(
        "BENCH write requests granted by the limiter: {}",
        engine.limiter.granted() - granted
    );
    assert_eq!(done.len(), count);
    assert!(
        done.iter()
            .all(|d| d.state == DeploymentState::Available && d.versions.len() == 2)
    );
}

#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_deploy_1000_at_the_default_rate() {
    deploy_many(COUNT, DEFAULT_WRITES_PER_SEC, None, false).await;
}

#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_deploy_1000_at_the_highest_rate() {
    deploy_many(COUNT, MAX_WRITES_PER_SEC, None, false).await;
}

#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_deploy_1000_without_a_limit() {
    deploy_many(COUNT, 1_000_000, None, false).await;
}

/// moto answers in a few milliseconds; a real region takes tens. 300
/// deployments with 20 ms added to every request show what the engine's
/// sequential round trips cost at the default rate.
#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_deploy_300_with_20_ms_round_trips() {
    deploy_many(
        300,
        DEFAULT_WRITES_PER_SEC,
        Some(Duration::from_millis(20)),
        false,
    )
    .await;
}

/// 300 deployed secrets each get a new version, pushed at the default rate:
/// 600 write requests, so at least 30 s.
#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_update_300_at_the_default_rate() {
    deploy_many(300, DEFAULT_WRITES_PER_SEC, None, true).await;
}

/// Seeds `COUNT` remote secrets through the raw SDK (half JSON objects,
/// half strings), then times browsing them (paged list, no values) and
/// importing them all through `import_many`.
#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_browse_and_import_1000() {
    let moto = Moto::start();
    let raw = raw_client(&moto.endpoint()).await;
    let started = Instant::now();
    let names: Vec<String> = (0..COUNT).map(|i| format!("legacy/svc-{i:04}")).collect();
    for chunk in names.chunks(8) {
        let writes = chunk.iter().enumerate().map(|(j, name)| {
            let value = if j % 2 == 0 {
                format!(r#"{{"user":"svc","password":"pw-{name}"}}"#)
            } else {
                format!("plain value of {name}")
            };
            raw.create_secret().name(name).secret_string(value).send()
        });
        for written in futures::future::join_all(writes).await {
            written.expect("seed");
        }
    }
    println!(
        "BENCH seeding {COUNT} through the raw SDK (not timed below): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (mut vault, client) = connected(&moto.endpoint(), DEFAULT_WRITES_PER_SEC).await;

    // Browse: every name, a page of 100 (the service's largest) at a time.
    let mut browse = Vec::new();
    client.take();
    for _ in 0..3 {
        let started = Instant::now();
        let mut seen = Vec::new();
        let mut pages = 0;
        let mut page = None;
        loop {
            let listed = client.list("", page, 100).await.expect("list");
            pages += 1;
            seen.extend(listed.items.into_iter().map(|s| s.name));
            page = listed.next;
            if page.is_none() {
                break;
            }
        }
        browse.push(started.elapsed());
        seen.sort();
        assert_eq!(seen, names, "browse lists every name once");
        println!("BENCH browse pages: {pages}");
    }
    browse.sort();
    report(
        &format!("browse {COUNT} names (median of 3)"),
        browse[1],
        COUNT,
    );

    let items: Vec<ImportItem> = names
        .iter()
        .map(|name| ImportItem {
            remote_name: name.clone(),
            remote_id: None,
            local_name: name.replace('/', "-"),
            kind: None,
            description: String::new(),
        })
        .collect();
    let mut progressed = 0;
    client.take();
    let started = Instant::now();
    let outcomes = import_many(&mut vault, MANAGER, &client, &items, &mut |p| {
        progressed = p.done;
    })
    .await
    .expect("import");
    let took = started.elapsed();
    report(&format!("import {COUNT} remote secrets"), took, COUNT);
    report_split(&client, took);
    let failed: Vec<&String> = outcomes.iter().filter_map(|o| o.error.as_ref()).collect();
    println!("BENCH failed imports: {}", failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(progressed as usize, COUNT);
    let kv = vault
        .get(&SecretRef::named("legacy-svc-0000"))
        .expect("imported");
    assert_eq!(kv.kind, SecretType::KeyValue);
    let data = vault
        .get(&SecretRef::named("legacy-svc-0001"))
        .expect("imported");
    assert_eq!(data.kind, SecretType::Data);
}

/// What pushing several deployments at once would buy, without changing
/// the engine (which pushes one at a time): three vaults of 100 deployments
/// each, their engines running side by side under one shared limiter at
/// the default rate, every request held 20 ms as above. Compare with
/// `bench_deploy_300_with_20_ms_round_trips`.
#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-remote"]
async fn bench_deploy_300_with_20_ms_round_trips_three_at_a_time() {
    const EACH: usize = 100;
    let moto = Moto::start();
    let injector = FaultInjector::start(moto.port);
    injector.next(3 * EACH * 4, Fault::Delay(Duration::from_millis(20)));
    let mut sites = Vec::new();
    for prefix in ["one", "two", "three"] {
        let (mut vault, client) = connected(&injector.endpoint(), DEFAULT_WRITES_PER_SEC).await;
        prepare(&mut vault, prefix, EACH);
        sites.push((vault, client));
    }
    injector.clear_seen();
    let limiter = RateLimiter::new(DEFAULT_WRITES_PER_SEC);
    let options = DeployOptions::default();
    let started = Instant::now();
    let runs = sites.iter_mut().map(|(vault, client)| {
        let limiter = &limiter;
        let options = &options;
        async move {
            let engine = Engine {
                manager: MANAGER,
                kind: ManagerKind::Aws,
                client: &*client,
                limiter,
                options,
            };
            engine
                .run_pending(vault, &mut |_| {})
                .await
                .expect("run the deployments")
        }
    });
    let done: Vec<_> = futures::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    let took = started.elapsed();
    report(
        &format!(
            "deploy {} secrets at {DEFAULT_WRITES_PER_SEC} writes/s, 20 ms added to each request, three engines at once",
            done.len()
        ),
        took,
        done.len(),
    );
    let failed = done
        .iter()
        .filter(|d| d.state != DeploymentState::Available)
        .count();
    println!("BENCH failed deployments: {failed}");
    assert_eq!(done.len(), 3 * EACH);
    assert_eq!(failed, 0);
    assert_eq!(injector.count("CreateSecret"), 3 * EACH);
}
