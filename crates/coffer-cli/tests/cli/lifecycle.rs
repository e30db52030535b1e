//! Listing, statuses, trash and organizations through the CLI.

use crate::support::Env;

#[test]
fn list_filters_sorts_and_pages() {
    let env = Env::new();
    for (name, label) in [
        ("alpha", "prod"),
        ("Bravo", "dev"),
        ("charlie", "prod"),
        ("delta", "dev"),
    ] {
        env.run_with_stdin(
            &[
                "secret",
                "add",
                "bearer_token",
                name,
                "--field",
                "token=@-",
                "--label",
                &format!("env={label}"),
                "--description",
                &format!("{name} token"),
            ],
            b"t",
        )
        .ok();
    }
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "api_key",
            "echo",
            "--field",
            "header_name=X-K",
            "--field",
            "value=@-",
            "--expires",
            &soon(5),
        ],
        b"k",
    )
    .ok();
    let names = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["--json", "secret", "list"];
        full.extend_from_slice(args);
        env.run(&full).ok().json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&[]),
        ["alpha", "Bravo", "charlie", "delta", "echo"],
        "case-insensitive name order"
    );
    assert_eq!(
        names(&["--desc"]),
        ["echo", "delta", "charlie", "Bravo", "alpha"]
    );
    assert_eq!(names(&["--filter", "BRAVO TOK"]), ["Bravo"]);
    assert_eq!(names(&["--label", "env=prod"]), ["alpha", "charlie"]);
    assert_eq!(names(&["--label", "env"]).len(), 4);
    assert_eq!(names(&["--type", "api_key"]), ["echo"]);
    assert_eq!(names(&["--expiring-within", "7"]), ["echo"]);
    assert_eq!(names(&["--expiring-within", "2"]), Vec::<String>::new());
    assert_eq!(names(&["--sort", "expires"])[0], "echo");
    assert_eq!(
        names(&["--limit", "2", "--offset", "1"]),
        ["Bravo", "charlie"]
    );
    let page = env
        .run(&["--json", "secret", "list", "--limit", "2"])
        .ok()
        .json();
    assert_eq!(page["total"], 5);
    let human = env.run(&["secret", "list"]).ok().stdout;
    assert!(
        human.contains("expiring in 4 days") || human.contains("expiring in 5 days"),
        "{human}"
    );
}

fn soon(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    rfc3339_utc(now + days * 86_400 + 3600)
}

/// RFC 3339 without depending on a date library in tests.
fn rfc3339_utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[test]
fn deactivate_delete_undelete_purge_and_move() {
    let env = Env::new();
    env.add_basic("svc", "pw");
    let meta = env
        .run(&["--json", "secret", "deactivate", "svc"])
        .ok()
        .json();
    assert_eq!(meta["status"], "deactivated");
    let listed = env
        .run(&["--json", "secret", "list", "--status", "deactivated"])
        .ok()
        .json();
    assert_eq!(listed["total"], 1);
    env.run(&["secret", "activate", "svc"]).ok();

    env.run(&["secret", "delete", "svc"]).ok();
    assert_eq!(
        env.run(&["--json", "secret", "list"]).ok().json()["total"],
        0
    );
    let trash = env.run(&["--json", "secret", "trash"]).ok().json();
    assert_eq!(trash["items"][0]["name"], "svc");
    assert!(trash["items"][0]["purge_at"].is_string());
    env.run(&["secret", "reveal", "svc"]).ok();
    env.run(&["secret", "update", "svc", "--description", "x"])
        .fails(6);
    env.run(&["secret", "undelete", "svc"]).ok();
    assert_eq!(env.run(&["secret", "reveal", "svc"]).ok().stdout, "pw");

    env.run(&["secret", "purge", "svc"]).fails(2);
    env.run(&["secret", "delete", "svc"]).ok();
    env.run(&["secret", "purge", "svc"]).ok();
    env.run(&["secret", "show", "svc"]).fails(3);

    env.add_basic("a", "1");
    env.add_basic("b", "2");
    env.run(&["secret", "delete", "a"]).ok();
    env.run(&["secret", "delete", "--permanent", "b"]).ok();
    let purged = env.run(&["--json", "secret", "purge"]).ok().json();
    assert_eq!(purged["purged"], 1);
    assert_eq!(
        env.run(&["--json", "status"]).ok().json()["counts"]["trash"],
        0
    );

    env.add_basic("mv", "3");
    env.run(&["secret", "move", "mv", "--org", "Platform"]).ok();
    env.run(&["secret", "show", "mv"]).fails(3);
    let shown = env
        .run(&["--json", "secret", "show", "mv", "--org", "Platform"])
        .ok()
        .json();
    assert_eq!(shown["org"], "Platform");
    assert_eq!(
        env.run(&["secret", "reveal", "mv", "--org", "Platform"])
            .ok()
            .stdout,
        "3"
    );
    let listed = env
        .run(&["--json", "secret", "list", "--org", "Platform"])
        .ok()
        .json();
    assert_eq!(listed["total"], 1);
}

#[test]
fn backup_rotation_and_passphrase_change() {
    let env = Env::new();
    env.add_basic("svc", "pw");
    let backup = env.path("backup.db");
    env.run(&["vault", "backup", backup.to_str().unwrap()]).ok();
    env.run(&["vault", "backup", backup.to_str().unwrap()])
        .fails(2);
    env.run(&["vault", "rotate-key"]).ok();
    assert_eq!(env.run(&["secret", "reveal", "svc"]).ok().stdout, "pw");
    let new = env.file("new-pass", "another long passphrase");
    env.run(&[
        "vault",
        "change-passphrase",
        "--new-passphrase-file",
        new.to_str().unwrap(),
    ])
    .ok();
    env.run(&["secret", "reveal", "svc"]).fails(4);
    let run = std::process::Command::new(crate::support::bin())
        .args(["secret", "reveal", "svc"])
        .env("COFFER_VAULT", &env.vault)
        .env("COFFER_PASSPHRASE_FILE", &new)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert_eq!(run.stdout, b"pw");
    // The backup is a vault of its own, opened with the passphrase of its time.
    let run = std::process::Command::new(crate::support::bin())
        .args(["secret", "reveal", "svc"])
        .env("COFFER_VAULT", &backup)
        .env("COFFER_PASSPHRASE_FILE", &env.passphrase)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert_eq!(
        run.stdout,
        b"pw",
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn rename_carries_jobs_along_and_clone_copies_the_value() {
    let env = Env::new();
    env.add_basic("prod/db", "db-pw");
    env.add_basic("other", "o-pw");
    let template = env.file("app.tmpl", "pass=${secret:prod/db}\n");
    let output = env.path("app.conf");
    env.run(&[
        "job",
        "add",
        "template",
        "render",
        "--template",
        template.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ])
    .ok();

    let renamed = env
        .run(&["secret", "rename", "prod/db", "prod/db-main"])
        .ok();
    assert!(
        renamed
            .stdout
            .contains("prod/db: renamed to prod/db-main (1 job now uses the new name: render)"),
        "{}",
        renamed.stdout
    );
    assert!(
        renamed
            .stdout
            .contains("Job render's template file may still name prod/db: edit it."),
        "{}",
        renamed.stdout
    );
    env.run(&["secret", "show", "prod/db"]).fails(3);
    assert_eq!(
        env.run(&["secret", "reveal", "prod/db-main"]).ok().stdout,
        "db-pw"
    );
    let show = env.run(&["job", "show", "render"]).ok();
    assert!(
        show.stdout.contains("prod/db-main (placeholder, active)"),
        "{}",
        show.stdout
    );
    // Taken and bad names are refused with the usual exit codes.
    env.run(&["secret", "rename", "prod/db-main", "other"])
        .fails(2);
    env.run(&["secret", "rename", "prod/db-main", "bad name"])
        .fails(2);
    env.run(&["secret", "rename", "missing", "x"]).fails(3);

    let cloned = env
        .run(&["--json", "secret", "clone", "other", "other-copy"])
        .ok()
        .json();
    assert_eq!(cloned["name"], "other-copy");
    assert_eq!(cloned["current_version"], 1);
    assert_eq!(
        env.run(&["secret", "reveal", "other-copy"]).ok().stdout,
        "o-pw"
    );
    env.run(&["secret", "clone", "other", "other-copy"])
        .fails(2);
    let audit = env.run(&["--json", "audit", "list"]).ok().stdout;
    assert!(
        audit.contains("secret.rename") && audit.contains("secret.clone"),
        "{audit}"
    );
}
