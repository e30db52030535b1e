//! `coffer export` and `coffer vault restore` through the real binary: an
//! export that Debian's `age -d` opens, the plaintext flag's warning, the
//! recovery passphrase first; restore into a new file and in place, with the
//! confirmation, and refusals that leave the vault as it was.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Env, bytes};

const EXPORT_PASS: &str = "cli export passphrase";

fn age_decrypt(file: &Path, passphrase: &str) -> Option<Vec<u8>> {
    let out = file.with_extension("decrypted");
    let mut child = Command::new("script")
        .arg("-qec")
        .arg(format!(
            "age -d -o '{}' '{}'",
            out.display(),
            file.display()
        ))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`script` and `age` are installed by scripts/dev");
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    let ok = child.wait().unwrap().success();
    let read = std::fs::read(&out).ok().filter(|b| ok && !b.is_empty());
    let _ = std::fs::remove_file(&out);
    read
}

#[test]
fn export_writes_an_age_file_and_plaintext_needs_its_flag() {
    let env = Env::new();
    env.add_basic("db/admin", "cli-secret-pw");
    env.add_basic("other", "other-pw");
    let pass = env.file("export-pass", EXPORT_PASS);
    let file = env.path("all.coffer");
    let run = env
        .run(&[
            "--json",
            "export",
            file.to_str().unwrap(),
            "--export-passphrase-file",
            pass.to_str().unwrap(),
        ])
        .ok();
    let summary = &run.json()["summary"];
    assert_eq!(summary["secrets"], 2);
    assert_eq!(summary["encrypted"], true);
    assert!(!String::from_utf8_lossy(&bytes(&file)).contains("cli-secret-pw"));
    let json = age_decrypt(&file, EXPORT_PASS).expect("age -d opens the export");
    let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(doc["format"], "coffer-export");
    assert_eq!(doc["secrets"][0]["name"], "db/admin");
    assert!(age_decrypt(&file, "not the passphrase").is_none());

    // An existing file needs --force; one secret by name.
    env.run(&[
        "export",
        file.to_str().unwrap(),
        "--export-passphrase-file",
        pass.to_str().unwrap(),
    ])
    .fails(2);
    let run = env
        .run(&[
            "export",
            file.to_str().unwrap(),
            "--secret",
            "other",
            "--current-only",
            "--force",
            "--export-passphrase-file",
            pass.to_str().unwrap(),
        ])
        .ok();
    assert!(
        run.stdout.contains("Exported 1 secret(s)"),
        "{}",
        run.stdout
    );

    // Plaintext: JSON with the value, and a warning on stderr.
    let clear = env.path("clear.json");
    let run = env
        .run(&["export", clear.to_str().unwrap(), "--plaintext"])
        .ok();
    assert!(run.stderr.contains("WARNING"), "{}", run.stderr);
    assert!(run.stdout.contains("CLEAR TEXT"), "{}", run.stdout);
    let doc: serde_json::Value = serde_json::from_slice(&bytes(&clear)).unwrap();
    assert_eq!(doc["secrets"].as_array().unwrap().len(), 2);

    // The recovery passphrase is checked before anything is written.
    let wrong = env.file("wrong", "a wrong recovery passphrase");
    let out = env.path("never.coffer");
    let run = crate::support::finish(
        env.command(&[
            "export",
            out.to_str().unwrap(),
            "--export-passphrase-file",
            pass.to_str().unwrap(),
        ])
        .env("COFFER_PASSPHRASE_FILE", &wrong)
        .output()
        .unwrap(),
    );
    assert_ne!(run.code, 0);
    assert!(!out.exists());
    // No terminal, no passphrase file: a clear error.
    let run = env.run(&["export", out.to_str().unwrap()]).fails(2);
    assert!(run.stderr.contains("passphrase"), "{}", run.stderr);
    let audit = env.run(&["--json", "audit", "list", "--limit", "30"]).ok();
    assert_eq!(
        audit.stdout.matches("\"action\": \"vault.export\"").count(),
        3,
        "{}",
        audit.stdout
    );
}

#[test]
fn restore_into_a_new_file_and_in_place() {
    let env = Env::new();
    env.add_basic("kept", "kept-pw");
    let backup = env.path("backup.db");
    env.run(&["vault", "backup", backup.to_str().unwrap()]).ok();
    env.add_basic("later", "later-pw");
    let before = bytes(&backup);

    // Into a new file.
    let new = env.path("restored.db");
    let run = env
        .run(&[
            "--json",
            "vault",
            "restore",
            backup.to_str().unwrap(),
            "--into",
            new.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(run.json()["restored"]["counts"]["total"], 1);
    let reveal = crate::support::finish(
        env.command(&["secret", "reveal", "kept"])
            .env("COFFER_VAULT", &new)
            .output()
            .unwrap(),
    )
    .ok();
    assert_eq!(reveal.stdout, "kept-pw");

    // In place: refused without a terminal or --yes, nothing changed.
    let run = env
        .run(&["vault", "restore", backup.to_str().unwrap(), "--replace"])
        .fails(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(
        env.run(&["secret", "reveal", "later"]).ok().stdout,
        "later-pw"
    );
    // Neither mode, or both: a usage error.
    env.run(&["vault", "restore", backup.to_str().unwrap()])
        .fails(2);

    let run = env
        .run(&[
            "vault",
            "restore",
            backup.to_str().unwrap(),
            "--replace",
            "--yes",
        ])
        .ok();
    assert!(
        run.stderr.contains("current") && run.stderr.contains("backup"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Restored"), "{}", run.stdout);
    env.run(&["secret", "reveal", "later"]).fails(3);
    assert_eq!(
        env.run(&["secret", "reveal", "kept"]).ok().stdout,
        "kept-pw"
    );
    assert_eq!(bytes(&backup), before, "the backup is never changed");
    let audit = env.run(&["--json", "audit", "verify"]).ok();
    assert_eq!(audit.json()["ok"], true, "{}", audit.stdout);

    // A tampered backup: refused, vault unchanged.
    let bad = env.path("bad.db");
    std::fs::copy(&backup, &bad).unwrap();
    rusqlite::Connection::open(&bad)
        .unwrap()
        .execute("UPDATE secrets SET owner = 'mallory'", [])
        .unwrap();
    let run = env
        .run(&[
            "vault",
            "restore",
            bad.to_str().unwrap(),
            "--replace",
            "--yes",
        ])
        .fails(1);
    assert!(run.stderr.contains("tamper"), "{}", run.stderr);
    // Another vault's backup.
    let other = Env::new();
    other.add_basic("theirs", "x");
    let theirs = env.path("theirs.db");
    other
        .run(&["vault", "backup", theirs.to_str().unwrap()])
        .ok();
    let run = env
        .run(&[
            "vault",
            "restore",
            theirs.to_str().unwrap(),
            "--replace",
            "--yes",
        ])
        .fails(6);
    assert!(run.stderr.contains("another vault"), "{}", run.stderr);
    assert_eq!(
        env.run(&["secret", "reveal", "kept"]).ok().stdout,
        "kept-pw"
    );
}

#[test]
fn import_coffer_reads_an_export_with_its_history() {
    let env = Env::new();
    env.add_basic("db/admin", "v1");
    let v2 = env.file("v2", "v2");
    env.run(&[
        "secret",
        "update",
        "db/admin",
        "--field",
        &format!("password=@{}", v2.display()),
    ])
    .ok();
    let pass = env.file("export-pass", EXPORT_PASS);
    let file = env.path("all.coffer");
    env.run(&[
        "export",
        file.to_str().unwrap(),
        "--export-passphrase-file",
        pass.to_str().unwrap(),
    ])
    .ok();

    let target = Env::new();
    let wrong = target.file("wrong-pass", "not the export passphrase");
    let before = bytes(&target.vault);
    let run = target
        .run(&[
            "import",
            "coffer",
            file.to_str().unwrap(),
            "--yes",
            "--export-passphrase-file",
            wrong.to_str().unwrap(),
        ])
        .fails(4);
    assert!(run.stderr.contains("wrong passphrase"), "{}", run.stderr);
    let cut = target.file("cut.coffer", &bytes(&file)[..bytes(&file).len() - 10]);
    target
        .run(&[
            "import",
            "coffer",
            cut.to_str().unwrap(),
            "--yes",
            "--export-passphrase-file",
            pass.to_str().unwrap(),
        ])
        .fails(1);
    assert_eq!(bytes(&target.vault), before, "the vault is byte-identical");

    let run = target
        .run(&[
            "--json",
            "import",
            "coffer",
            file.to_str().unwrap(),
            "--yes",
            "--export-passphrase-file",
            pass.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(run.json()["report"]["created"], 1, "{}", run.stdout);
    assert_eq!(
        target
            .run(&["secret", "reveal", "db/admin", "--field", "password"])
            .ok()
            .stdout,
        "v2"
    );
    let versions = target
        .run(&["--json", "secret", "versions", "db/admin"])
        .ok();
    assert_eq!(
        versions.json().as_array().unwrap().len(),
        2,
        "{}",
        versions.stdout
    );
}

#[test]
fn jobs_go_out_with_export_jobs_and_come_back_runnable_following_a_renamed_secret() {
    let source = Env::new();
    source.add_basic("db", "cli-job-canary-7731");
    let marker = source.path("ran");
    let script = format!("printf %s \"$P\" > '{}'", marker.display());
    source
        .run(&[
            "job",
            "add",
            "command",
            "deploy",
            "--every",
            "1h",
            "--env",
            "P=${secret:db#password}",
            "--",
            "/bin/sh",
            "-c",
            &script,
        ])
        .ok();
    let pass = source.file("export-pass", EXPORT_PASS);
    let file = source.path("with-jobs.coffer");
    let run = source
        .run(&[
            "export",
            file.to_str().unwrap(),
            "--jobs",
            "--export-passphrase-file",
            pass.to_str().unwrap(),
        ])
        .ok();
    assert!(run.stdout.contains("1 job(s) exported"), "{}", run.stdout);
    let json = age_decrypt(&file, EXPORT_PASS).expect("age -d opens the export");
    let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(doc["version"], 2);
    assert_eq!(doc["jobs"][0]["spec"]["kind"], "command");

    // The target has a `db` of its own: the import renames the file's to
    // db-2, and the job follows it.
    let target = Env::new();
    target.add_basic("db", "theirs");
    let import = |extra: &[&str]| {
        let mut args = vec!["import", "coffer", file.to_str().unwrap()];
        args.extend(["--on-conflict", "rename", "--export-passphrase-file"]);
        args.push(pass.to_str().unwrap());
        args.extend(extra);
        target.run(&args).ok()
    };
    let preview = import(&[]);
    assert!(
        preview.stdout.contains("Default:deploy") && preview.stdout.contains("command"),
        "{}",
        preview.stdout
    );
    assert!(
        preview.stdout.contains("Nothing imported") || preview.stderr.contains("Nothing imported"),
        "without --yes and a terminal nothing is written"
    );
    let run = import(&["--yes", "--tag", "--json"]);
    let json = run.json();
    assert_eq!(json["report"]["jobs_created"], 1, "{}", run.stdout);
    assert_eq!(json["report"]["renamed"], 1);
    let label = json["label"].as_str().unwrap().to_owned();
    assert!(label.starts_with("import="));

    let shown = target.run(&["--json", "job", "show", "deploy"]).ok().json();
    assert_eq!(shown["enabled"], false, "imported with the schedule off");
    assert_eq!(shown["schedule"]["type"], "interval");
    assert_eq!(
        shown["spec"]["env"]["P"], "${secret:db-2#password}",
        "{shown}"
    );
    // The real runner: the placeholder resolves to the imported value.
    let run = target.run(&["--json", "job", "run", "deploy"]).ok().json();
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap(),
        "cli-job-canary-7731"
    );
    assert!(!run.to_string().contains("cli-job-canary-7731"));
    // The schedule goes on once a person says so, and off again.
    let enabled = target
        .run(&["--json", "job", "enable", "deploy"])
        .ok()
        .json();
    assert_eq!(enabled["enabled"], true);
    assert!(enabled["next_run_at"].is_string(), "{enabled}");
    let disabled = target
        .run(&["--json", "job", "disable", "deploy"])
        .ok()
        .json();
    assert_eq!(disabled["enabled"], false);
    assert!(disabled["next_run_at"].is_null());

    // The import's label finds what it wrote.
    let listed = target
        .run(&["--json", "secret", "list", "--label", &label])
        .ok()
        .json();
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["db-2"], "{listed}");
}
