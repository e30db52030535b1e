//! One process at a time: a second open, in this process or another, is
//! `in_use` and names the holder's pid.

use std::sync::Arc;

use coffer_core::{Error, ErrorCode, FixedClock, Vault};

use crate::support::{Fixture, T0, assert_test_passed, expect_code, test_command, test_name};

const CHILD_VAULT: &str = "COFFER_TEST_IN_USE_VAULT";
const CHILD_HOLDER: &str = "COFFER_TEST_IN_USE_HOLDER";

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(T0))
}

#[track_caller]
fn assert_in_use_by(e: &Error, holder: u32) {
    assert!(
        matches!(e, Error::InUse { pid: Some(pid), .. } if *pid == holder),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains("in use by another process")
            && message.contains(&format!("(pid {holder})")),
        "{message}"
    );
}

#[test]
fn a_second_open_in_this_process_is_in_use() {
    let mut fx = Fixture::new();
    let e = expect_code(Vault::open(&fx.path, clock()), ErrorCode::InUse);
    assert_eq!(e.code().as_str(), "in_use");
    assert_in_use_by(&e, std::process::id());
    // A locked vault still holds its file.
    fx.open_locked();
    let e = expect_code(Vault::open(&fx.path, clock()), ErrorCode::InUse);
    assert_in_use_by(&e, std::process::id());
    fx.close();
    let vault = Vault::open(&fx.path, clock()).expect("free again after close");
    drop(vault);
}

#[test]
fn another_process_is_told_the_holders_pid() {
    let mut fx = Fixture::new();
    let path = fx.path.clone();
    let name = test_name(module_path!(), "in_use_child");
    let run = |holder: Option<u32>| {
        let mut cmd = test_command(&name);
        cmd.env(CHILD_VAULT, &path);
        if let Some(pid) = holder {
            cmd.env(CHILD_HOLDER, pid.to_string());
        }
        let out = cmd.output().expect("running the child");
        assert_test_passed(&name, &out);
    };
    run(Some(std::process::id()));
    fx.close();
    run(None);
}

#[test]
#[ignore = "child process of another_process_is_told_the_holders_pid"]
fn in_use_child() {
    let Some(path) = std::env::var_os(CHILD_VAULT) else {
        println!("not started as a child process; nothing to do");
        return;
    };
    let path = std::path::PathBuf::from(path);
    match std::env::var(CHILD_HOLDER) {
        Ok(holder) => {
            let e = expect_code(Vault::open(&path, clock()), ErrorCode::InUse);
            assert_in_use_by(&e, holder.parse().unwrap());
        }
        Err(_) => {
            let vault = Vault::open(&path, clock()).expect("the holder has let go");
            assert!(!vault.is_unlocked());
        }
    }
}
