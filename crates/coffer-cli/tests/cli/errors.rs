//! Bad vault files, wrong passphrases and a vault in use: each gets its own
//! clear error and exit code, and the file is left byte for byte as it was.

use crate::support::{Env, bytes};

#[test]
fn wrong_passphrase_exits_4_and_changes_nothing() {
    let env = Env::new();
    env.add_basic("svc", "pw");
    let before = bytes(&env.vault);
    std::fs::write(&env.passphrase, "not the passphrase").unwrap();
    let run = env.run(&["--json", "secret", "reveal", "svc"]).fails(4);
    assert_eq!(run.error_json()["error"]["code"], "wrong_passphrase");
    assert_eq!(bytes(&env.vault), before);
}

#[test]
fn locked_without_keyring_or_passphrase_exits_5_and_says_why() {
    let env = Env::new();
    env.add_basic("svc", "pw");
    let run = std::process::Command::new(crate::support::bin())
        .args(["secret", "reveal", "svc"])
        .env("COFFER_VAULT", &env.vault)
        .env_remove("COFFER_PASSPHRASE_FILE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("does not keep its master key in the OS keyring")
            && stderr.contains("--passphrase-file"),
        "{stderr}"
    );
    // Listing needs no key at all.
    let list = std::process::Command::new(crate::support::bin())
        .args(["secret", "list"])
        .env("COFFER_VAULT", &env.vault)
        .env_remove("COFFER_PASSPHRASE_FILE")
        .output()
        .unwrap();
    assert!(list.status.success());
}

#[test]
fn broken_files_each_have_their_own_error() {
    let env = Env::empty();
    let check = |name: &str, contents: Option<&[u8]>, code: i32, error: &str, words: &str| {
        let path = env.path(name);
        if let Some(contents) = contents {
            std::fs::write(&path, contents).unwrap();
        }
        let before = std::fs::read(&path).ok();
        let run = std::process::Command::new(crate::support::bin())
            .args([
                "--json",
                "--vault",
                path.to_str().unwrap(),
                "secret",
                "list",
            ])
            .env("COFFER_PASSPHRASE_FILE", &env.passphrase)
            .output()
            .unwrap();
        let result = crate::support::finish(run).fails(code);
        let json = result.error_json();
        assert_eq!(json["error"]["code"], error, "{name}: {}", result.stderr);
        assert!(
            json["error"]["message"].as_str().unwrap().contains(words),
            "{name}: {}",
            result.stderr
        );
        assert_eq!(std::fs::read(&path).ok(), before, "{name} was modified");
    };
    check("missing.db", None, 3, "no_vault", "coffer init");
    check("empty.db", Some(b""), 1, "corrupt", "empty");
    check("text.db", Some(b"just some text, not a database at all................................................................................"), 1, "not_a_vault", "not an SQLite database");
    std::fs::create_dir(env.path("dir.db")).unwrap();
    let run = std::process::Command::new(crate::support::bin())
        .args([
            "--json",
            "--vault",
            env.path("dir.db").to_str().unwrap(),
            "status",
        ])
        .output()
        .unwrap();
    let run = crate::support::finish(run).fails(1);
    assert!(run.stderr.contains("directory"), "{}", run.stderr);

    // A real vault, cut short.
    let real = Env::new();
    for i in 0..20 {
        real.add_basic(&format!("s{i}"), "pw");
    }
    let full = bytes(&real.vault);
    for cut in [50, 100, full.len() / 2] {
        check(
            &format!("cut{cut}.db"),
            Some(&full[..cut]),
            1,
            "corrupt",
            "truncated",
        );
    }
    // An SQLite database that Coffer did not make.
    let foreign = env.path("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    check("foreign.db", None, 1, "not_a_vault", "not one Coffer made");
    // A vault from a newer Coffer.
    let newer = env.path("newer.db");
    std::fs::copy(&real.vault, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    check("newer.db", None, 1, "schema_too_new", "upgrade Coffer");
}

#[test]
fn init_refuses_an_existing_vault_and_short_passphrases() {
    let env = Env::new();
    let before = bytes(&env.vault);
    let run = env.run(&["--json", "init", "--no-keyring"]).fails(2);
    assert_eq!(run.error_json()["error"]["code"], "already_exists");
    assert_eq!(bytes(&env.vault), before);
    let other = Env::empty();
    std::fs::write(&other.passphrase, "short").unwrap();
    let run = other.run(&["init", "--no-keyring"]).fails(2);
    assert!(run.stderr.contains("at least 8"), "{}", run.stderr);
    assert!(!other.vault.exists());
}

#[test]
fn the_cli_works_beside_the_app_and_waits_for_nothing_but_a_migration() {
    let env = Env::new();
    env.add_basic("svc", "pw");
    let lock = env.path("vault.db.lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .unwrap();
    // The app holds the vault open (a shared lock): the CLI reads and writes.
    file.lock_shared().unwrap();
    env.run(&["secret", "list"]).ok();
    env.add_basic("beside-the-app", "pw2");
    drop(file);
    // Only what needs the vault alone (a migration, as a process that holds
    // the lock exclusively) makes it wait.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock)
        .unwrap();
    file.lock().unwrap();
    let run = env.run(&["--json", "secret", "list"]).fails(5);
    assert_eq!(run.error_json()["error"]["code"], "in_use");
    drop(file);
    env.run(&["secret", "list"]).ok();
}
