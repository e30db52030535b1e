//! `coffer audit verify` against a log edited behind Coffer's back.

use crate::support::Env;

fn tampered(env: &Env, sql: &str) -> crate::support::Run {
    let conn = rusqlite::Connection::open(&env.vault).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    env.run(&["--json", "audit", "verify"])
}

fn populated() -> Env {
    let env = Env::new();
    for i in 0..4 {
        env.add_basic(&format!("s{i}"), "pw");
    }
    env.run(&["secret", "reveal", "s1"]).ok();
    env
}

#[test]
fn an_intact_log_verifies() {
    let env = populated();
    let run = env.run(&["--json", "audit", "verify"]).ok().json();
    assert_eq!(run["ok"], true);
    assert!(run["entries"].as_u64().unwrap() >= 10);
    let list = env
        .run(&["--json", "audit", "list", "--secret", "s1"])
        .ok()
        .json();
    let actions: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["secret.reveal", "secret.create"]);
}

#[test]
fn an_edited_entry_is_named() {
    let env = populated();
    let run = tampered(
        &env,
        "UPDATE audit_log SET action = 'secret.nothing' WHERE seq = 5;",
    )
    .fails(1);
    assert!(!run.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["first_broken"], 5);
    assert_eq!(run.error_json()["error"]["code"], "tampered");
    assert!(run.stderr.contains("entry 5"), "{}", run.stderr);
}

#[test]
fn a_deleted_entry_is_named() {
    let env = populated();
    let run = tampered(&env, "DELETE FROM audit_log WHERE seq = 4;").fails(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["first_broken"], 4);
}

#[test]
fn the_append_only_triggers_refuse_edits() {
    let env = populated();
    let conn = rusqlite::Connection::open(&env.vault).unwrap();
    let err = conn
        .execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn
        .execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}
