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

#[test]
fn list_and_export_filter_like_the_desktop_page() {
    let env = populated();
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["--json", "audit", "list"];
        all.extend_from_slice(args);
        env.run(&all).ok().json().as_array().unwrap().clone()
    };
    let reveals = list(&["--action", "secret.reveal"]);
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0]["target"], "Default:s1");
    assert_eq!(
        list(&["--target", "S2"]).len(),
        list(&["--secret", "s2"]).len()
    );
    assert!(list(&["--actor", "nobody-at-all"]).is_empty());
    assert!(list(&["--until", "2000-01-01"]).is_empty());
    let everything = list(&["--limit", "1000"]);
    assert_eq!(list(&["--since", "2000-01-01"]).len(), everything.len());
    // The next page after an entry starts just below it.
    let seq = everything[2]["seq"].as_u64().unwrap();
    let next = list(&["--before", &seq.to_string(), "--limit", "1"]);
    assert_eq!(next[0]["seq"].as_u64().unwrap(), seq - 1);

    let csv = env
        .run(&["audit", "export", "--action", "secret.create"])
        .ok()
        .stdout
        .clone();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,at,actor,action,secret_id,target,detail");
    assert_eq!(lines.len(), 5, "{csv}");
    let json = env
        .run(&["audit", "export", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json.as_array().unwrap().len(), everything.len());
    assert!(!csv.contains("pw,") && !json.to_string().contains("\"pw\""));
}

#[test]
fn bad_audit_filters_are_refused_in_words() {
    let env = populated();
    let run = env.run(&["audit", "export", "--format", "xml"]).fails(2);
    assert!(run.stderr.contains("csv or json"), "{}", run.stderr);
    let run = env
        .run(&[
            "audit",
            "list",
            "--since",
            "2030-01-02",
            "--until",
            "2030-01-01",
        ])
        .fails(2);
    assert!(run.stderr.contains("before it starts"), "{}", run.stderr);
    let run = env.run(&["audit", "list", "--since", "yesterday"]).fails(2);
    assert!(run.stderr.contains("not a date"), "{}", run.stderr);
}
