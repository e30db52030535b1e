//! A download killed with SIGKILL mid-way leaves the target as it was, and
//! the run is marked interrupted when the vault is next unlocked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use coffer_core::job::{HttpFetchSpec, JobRef, JobSpec, RunStatus, RunTrigger, SecretRole};
use coffer_core::{SecretString, SystemClock, Vault};
use coffer_jobs::RunContext;

use crate::http_fetch::{secrets, servers};
use crate::support::{Fixture, PASSPHRASE};

const CHILD_VAULT: &str = "COFFER_JOBS_TEST_CHILD_VAULT";
const CHILD_TEMP: &str = "COFFER_JOBS_TEST_CHILD_TEMP";

/// Runs the slow job when started as the child of the test below.
#[test]
fn child_download() {
    let Ok(path) = std::env::var(CHILD_VAULT) else {
        return;
    };
    let mut vault = Vault::open(std::path::Path::new(&path), Arc::new(SystemClock)).unwrap();
    vault
        .unlock_with_passphrase(&SecretString::from(PASSPHRASE))
        .unwrap();
    let ctx = RunContext {
        temp_dir: std::env::var(CHILD_TEMP).unwrap().into(),
        ..RunContext::default()
    };
    let run = coffer_jobs::run_job(&mut vault, &JobRef::named("slow"), RunTrigger::Manual, &ctx);
    panic!("the download was meant to be killed, but ended: {run:?}");
}

#[test]
fn a_killed_download_leaves_no_partial_target() {
    let servers = servers();
    let mut fx = Fixture::new();
    secrets(&mut fx);
    let target = fx.file("slow.out");
    std::fs::write(&target, "old content").unwrap();
    fx.add_job(
        "slow",
        JobSpec::HttpFetch(HttpFetchSpec {
            url: servers.main.url("127.0.0.1", "/slow"),
            target: target.clone(),
        }),
        &[(SecretRole::Auth, "bearer"), (SecretRole::CaBundle, "ca")],
    );
    let temp = fx.context().temp_dir;
    fx.close();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "kill::child_download", "--nocapture"])
        .env(CHILD_VAULT, &fx.path)
        .env(CHILD_TEMP, &temp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let partial = loop {
        let found = std::fs::read_dir(fx.dir.path())
            .unwrap()
            .flatten()
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".slow.out.coffer-tmp-")
            })
            .filter(|e| e.metadata().map(|m| m.len() > 256 * 1024).unwrap_or(false));
        if let Some(entry) = found {
            break entry.path();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the download never started"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child ended early: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old content");
    assert!(
        partial.exists(),
        "the partial download is a separate temporary file"
    );
    fx.reopen();
    let runs = fx.job_runs(&JobRef::named("slow"), 10).unwrap();
    assert_eq!(runs[0].status, RunStatus::Interrupted);
    // The next attempt clears the leftover before it writes.
    drop(coffer_jobs::atomic::AtomicFile::create(&target, 0o600).unwrap());
    assert!(!partial.exists());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old content");
}
