//! The OS keyring through the CLI: a private D-Bus session with an unlocked
//! gnome-keyring, as a desktop login provides, and the fallback without one.

use std::process::Command;

use crate::support::{Env, bin, finish};

/// Runs `script` with `sh` inside `dbus-run-session` after unlocking a fresh
/// gnome-keyring whose files live in the test's directory.
fn in_keyring_session(env: &Env, script: &str) -> crate::support::Run {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        assert!(
            found.status.success(),
            "{tool} is not installed: run scripts/dev setup"
        );
    }
    let wrapped = format!("printf %s keyring-pw | \"$KEYRING_UNLOCK\"\n{script}");
    let output = Command::new("dbus-run-session")
        .args(["--", "sh", "-ec", &wrapped])
        .env("COFFER", bin())
        .env(
            "KEYRING_UNLOCK",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/keyring-unlock"),
        )
        .env("COFFER_VAULT", &env.vault)
        .env("PASS", &env.passphrase)
        .env("XDG_DATA_HOME", env.dir.path().join("data"))
        .env("HOME", env.dir.path())
        .env_remove("COFFER_PASSPHRASE_FILE")
        .output()
        .unwrap();
    finish(output)
}

#[test]
fn init_stores_the_master_key_and_later_commands_need_no_passphrase() {
    let env = Env::empty();
    let run = in_keyring_session(
        &env,
        r#"
        "$COFFER" init --passphrase-file "$PASS"
        printf pw | "$COFFER" secret add bearer_token t --field token=@-
        "$COFFER" secret reveal t; echo
        "$COFFER" --json status
        "#,
    )
    .ok();
    assert!(
        run.stdout.contains("The master key is in the OS keyring"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\npw\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(r#""state": "stored""#),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("recovery passphrase"),
        "no passphrase fallback: {}",
        run.stderr
    );
}

#[test]
fn a_lost_keyring_entry_falls_back_to_the_passphrase_and_is_restored() {
    let env = Env::empty();
    let run = in_keyring_session(
        &env,
        r#"
        "$COFFER" init --passphrase-file "$PASS" >/dev/null
        id=$("$COFFER" --json status | sed -n 's/.*"vault_id": "\(.*\)".*/\1/p')
        secret-tool clear service Coffer username "vault-$id"
        if "$COFFER" secret add data d --field data=@/etc/hostname 2>err; then echo "UNEXPECTED"; fi
        cat err
        "$COFFER" --passphrase-file "$PASS" secret add data d --field data=@/etc/hostname
        "$COFFER" secret reveal d >/dev/null && echo "KEYRING-AGAIN"
        "#,
    )
    .ok();
    assert!(!run.stdout.contains("UNEXPECTED"), "{}", run.stdout);
    assert!(
        run.stdout.contains("holds no key for this vault"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("saved to the OS keyring again"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("KEYRING-AGAIN"), "{}", run.stdout);
}

#[test]
fn a_wrong_key_in_the_keyring_is_reported_as_such() {
    let env = Env::empty();
    let run = in_keyring_session(
        &env,
        r#"
        "$COFFER" init --passphrase-file "$PASS" >/dev/null
        id=$("$COFFER" --json status | sed -n 's/.*"vault_id": "\(.*\)".*/\1/p')
        printf 0123456789abcdef0123456789abcdef | secret-tool store --label=x service Coffer username "vault-$id" target default
        "$COFFER" --json secret add data d --field data=@/etc/hostname 2>&1 || echo "exit=$?"
        "#,
    )
    .ok();
    assert!(
        run.stdout.contains(r#""code":"wrong_key""#)
            || run.stdout.contains("does not open this vault"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("exit=4") || run.stdout.contains("exit=5"),
        "{}",
        run.stdout
    );
}

#[test]
fn without_a_session_bus_the_passphrase_unlocks_and_the_reason_is_shown() {
    let env = Env::empty();
    // A keyring-enabled vault, used where no session bus exists.
    let run = env.run(&["init"]).ok();
    assert!(
        run.stdout.contains("OS keyring is unavailable"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("D-Bus"), "{}", run.stdout);
    env.add_basic("svc", "pw");
    let run = env.run(&["secret", "reveal", "svc"]).ok();
    assert_eq!(run.stdout, "pw");
    assert!(
        run.stderr.contains("unlocked with the recovery passphrase")
            && run.stderr.contains("D-Bus"),
        "{}",
        run.stderr
    );
}
