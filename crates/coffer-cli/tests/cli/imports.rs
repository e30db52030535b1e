//! `coffer import env|csv FILE`: the preview, `--yes`, conflicts, mappings,
//! and files refused before anything is written.

use crate::support::{Env, bytes};

fn vault_bytes(env: &Env) -> Vec<u8> {
    let mut all = bytes(&env.vault);
    all.extend(std::fs::read(env.vault.with_extension("db-wal")).unwrap_or_default());
    all
}

#[test]
fn without_yes_the_preview_is_printed_and_nothing_written() {
    let env = Env::new();
    let file = env.file(".env", "DB_HOST=db.internal\nDB_PASS=\"s3cret pw\"\n");
    let before = vault_bytes(&env);
    let run = env.run(&["import", "env", file.to_str().unwrap()]).ok();
    assert!(
        run.stdout.contains("2 secrets from env (key_value 2)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Default:DB_PASS"), "{}", run.stdout);
    assert!(run.stderr.contains("Nothing imported"), "{}", run.stderr);
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    assert_eq!(vault_bytes(&env), before);

    let json = env
        .run(&["--json", "import", "env", file.to_str().unwrap()])
        .ok()
        .json();
    assert_eq!(json["imported"], false);
    assert_eq!(json["preview"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(json["preview"]["by_type"]["key_value"], 2);
    assert_eq!(vault_bytes(&env), before);
}

#[test]
fn env_files_import_per_variable_or_as_one_secret() {
    let env = Env::new();
    let file = env.file(
        "prod.env",
        "DB_HOST=db.internal\r\nexport DB_PASS='s3cret pw'\r\n",
    );
    let path = file.to_str().unwrap();
    let run = env.run(&["import", "env", path, "--yes"]).ok();
    assert!(run.stdout.contains("Imported 2 of 2"), "{}", run.stdout);
    assert_eq!(
        env.run(&["secret", "reveal", "DB_PASS"]).ok().stdout,
        "s3cret pw"
    );

    let json = env
        .run(&[
            "--json", "import", "env", path, "--env", "one", "--org", "Ops", "--yes",
        ])
        .ok()
        .json();
    assert_eq!(json["report"]["created"], 1);
    assert_eq!(json["preview"]["items"][0]["name"], "prod.env");
    let shown = env
        .run(&["--json", "secret", "reveal", "prod.env", "--org", "Ops"])
        .ok()
        .json();
    assert_eq!(shown["fields"]["DB_HOST"], "db.internal");
}

#[test]
fn csv_with_a_mapping_and_conflicts() {
    let env = Env::new();
    env.add_basic("mail", "old-pw");
    let file = env.file(
        "logins.csv",
        "\u{feff}Site;Login;Secret;Env\r\nmail;alice;\"new;pw\"\"\";prod\r\nwiki;bob;w-pw;dev\r\n",
    );
    let path = file.to_str().unwrap();
    let map = "Site=name,Login=field:username,Secret=field:password,4=label:env";

    // Skip (the default): only wiki is new.
    let json = env
        .run(&["--json", "import", "csv", path, "--map", map, "--yes"])
        .ok()
        .json();
    assert_eq!(json["preview"]["items"][0]["conflict"], "mail");
    assert_eq!(json["preview"]["items"][0]["renamed_to"], "mail-2");
    assert_eq!(json["report"]["created"], 1);
    assert_eq!(json["report"]["skipped"], 1);
    let shown = env.run(&["--json", "secret", "show", "wiki"]).ok().json();
    assert_eq!(shown["labels"]["env"], "dev");
    assert_eq!(shown["public_fields"]["username"], "bob");

    // New version: mail gets one; wiki holds the same value already, so it
    // gets none.
    let run = env
        .run(&[
            "import",
            "csv",
            path,
            "--map",
            map,
            "--on-conflict",
            "new-version",
            "--yes",
        ])
        .ok();
    assert!(
        run.stdout.contains("1 new versions, 1 skipped"),
        "{}",
        run.stdout
    );
    assert_eq!(
        env.run(&["secret", "reveal", "mail"]).ok().stdout,
        "new;pw\""
    );

    // Rename: both come in under new names.
    let run = env
        .run(&[
            "import",
            "csv",
            path,
            "--map",
            map,
            "--on-conflict",
            "rename",
            "--yes",
        ])
        .ok();
    assert!(
        run.stdout.contains("2 created (2 renamed)"),
        "{}",
        run.stdout
    );
    assert_eq!(env.run(&["secret", "reveal", "wiki-2"]).ok().stdout, "w-pw");

    // A mapping that names no column.
    let run = env
        .run(&[
            "--json",
            "import",
            "csv",
            path,
            "--map",
            "Nope=name",
            "--yes",
        ])
        .fails(2);
    assert_eq!(run.error_json()["error"]["code"], "invalid_input");
}

#[test]
fn hostile_files_are_refused_with_their_code() {
    let env = Env::new();
    let before = vault_bytes(&env);

    let big = env.path("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let run = env
        .run(&["--json", "import", "env", big.to_str().unwrap(), "--yes"])
        .fails(2);
    assert_eq!(run.error_json()["error"]["code"], "too_large");

    let mut wide = String::from("name");
    wide.push_str(&",x".repeat(1_000_000));
    let file = env.file("wide.csv", format!("{wide}\n"));
    let run = env
        .run(&["--json", "import", "csv", file.to_str().unwrap(), "--yes"])
        .fails(2);
    assert_eq!(run.error_json()["error"]["code"], "too_many_columns");

    let file = env.file("bad.env", "A=1\nnot a pair hunter2\n");
    let run = env
        .run(&["--json", "import", "env", file.to_str().unwrap(), "--yes"])
        .fails(2);
    assert_eq!(run.error_json()["error"]["code"], "malformed");
    assert!(!run.stderr.contains("hunter2"));

    assert_eq!(vault_bytes(&env), before);
}
