//! Registering, reading and updating secrets of every type through the CLI.

use crate::support::{Env, bytes};

#[test]
fn basic_auth_round_trip_with_json() {
    let env = Env::new();
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "basic_auth",
            "prod/db",
            "--field",
            "username=alice",
            "--field",
            "password=@-",
            "--label",
            "env=prod",
            "--description",
            "Production DB",
            "--expires",
            "2099-01-01",
        ],
        b"hunter2\n",
    )
    .ok();
    let reveal = env.run(&["secret", "reveal", "prod/db"]).ok();
    assert_eq!(
        reveal.stdout, "hunter2",
        "one trailing newline from stdin is dropped"
    );
    let user = env
        .run(&["secret", "reveal", "prod/db", "--field", "username"])
        .ok();
    assert_eq!(user.stdout, "alice");

    let shown = env
        .run(&["--json", "secret", "show", "prod/db"])
        .ok()
        .json();
    assert_eq!(shown["type"], "basic_auth");
    assert_eq!(shown["public_fields"]["username"], "alice");
    assert_eq!(shown["labels"]["env"], "prod");
    assert_eq!(shown["expires_at"], "2099-01-01T00:00:00Z");
    assert_eq!(shown["status"], "active");

    let all = env
        .run(&["--json", "secret", "reveal", "prod/db"])
        .ok()
        .json();
    assert_eq!(all["fields"]["password"], "hunter2");
    assert_eq!(all["fields"]["username"], "alice");
}

#[test]
fn every_type_registers_from_stdin_and_files() {
    let env = Env::new();
    let pki = crate::fixtures::pki(env.dir.path(), 365);
    let pem = std::fs::read_to_string(&pki.leaf).unwrap();
    let cert = pki.leaf.clone();
    let key_file = pki.key.clone();
    crate::fixtures::tool(
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-f", "id_ed25519"],
        env.dir.path(),
    );
    let ssh_key = env.path("id_ed25519");
    let blob = env.file("blob.bin", [0u8, 159, 146, 150, 255]);
    let secret = env.file("secret", "s3cret\n");
    let s = |p: &std::path::Path| format!("@{}", p.display());
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "bearer_token",
            vec!["--field".into(), format!("token={}", s(&secret))],
        ),
        (
            "api_key",
            vec![
                "--field".into(),
                "header_name=X-Api-Key".into(),
                "--field".into(),
                format!("value={}", s(&secret)),
            ],
        ),
        (
            "client_credentials",
            vec![
                "--field".into(),
                "client_id=app".into(),
                "--field".into(),
                format!("client_secret={}", s(&secret)),
                "--field".into(),
                "scopes=read write".into(),
                "--field".into(),
                "token_url=https://idp.example/token".into(),
            ],
        ),
        (
            "certificate",
            vec![
                "--file".into(),
                format!("certificate={}", cert.display()),
                "--file".into(),
                format!("private_key={}", key_file.display()),
            ],
        ),
        (
            "ca_bundle",
            vec!["--file".into(), format!("certificates={}", cert.display())],
        ),
        (
            "ssh_key_pair",
            vec![
                "--file".into(),
                format!("private_key={}", ssh_key.display()),
            ],
        ),
        (
            "key_value",
            vec![
                "--field".into(),
                format!("DB_USER={}", s(&secret)),
                "--field".into(),
                format!("DB_PASS={}", s(&secret)),
            ],
        ),
        (
            "data",
            vec!["--file".into(), format!("data={}", blob.display())],
        ),
    ];
    for (kind, extra) in &cases {
        let name = format!("t/{kind}");
        let mut args = vec!["secret", "add", kind, name.as_str()];
        args.extend(extra.iter().map(String::as_str));
        env.run(&args).ok();
    }
    let list = env.run(&["--json", "secret", "list"]).ok().json();
    assert_eq!(list["total"], 8);
    assert_eq!(
        env.run(&["secret", "reveal", "t/bearer_token"]).ok().stdout,
        "s3cret"
    );
    assert_eq!(
        env.run(&["secret", "reveal", "t/certificate"]).ok().stdout,
        pem
    );
    let stored_key = env
        .run(&[
            "secret",
            "reveal",
            "t/certificate",
            "--field",
            "private_key",
        ])
        .ok()
        .stdout;
    assert!(
        stored_key.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{stored_key}"
    );
    let kv = env.run(&["secret", "reveal", "t/key_value"]).ok();
    assert_eq!(kv.stdout, "DB_PASS=s3cret\nDB_USER=s3cret\n");
    // Binary data comes back byte for byte; JSON shows it as base64.
    let out = std::process::Command::new(crate::support::bin())
        .args(["secret", "reveal", "t/data"])
        .env("COFFER_VAULT", &env.vault)
        .env("COFFER_PASSPHRASE_FILE", &env.passphrase)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert_eq!(out.stdout, bytes(&blob));
    let json = env
        .run(&["--json", "secret", "reveal", "t/data"])
        .ok()
        .json();
    assert_eq!(json["fields"]["data"]["base64"], "AJ+Slv8=");
    let shown = env.run(&["--json", "secret", "show", "t/data"]).ok().json();
    assert_eq!(shown["public_fields"]["file_name"], "blob.bin");
    assert_eq!(
        shown["public_fields"]["content_type"],
        "application/octet-stream"
    );
    let cc = env
        .run(&["--json", "secret", "show", "t/client_credentials"])
        .ok()
        .json();
    assert_eq!(
        cc["public_fields"]["scopes"],
        serde_json::json!(["read", "write"])
    );
}

#[test]
fn secret_fields_are_never_taken_from_the_command_line() {
    let env = Env::new();
    for args in [
        vec![
            "secret",
            "add",
            "basic_auth",
            "x",
            "--field",
            "username=a",
            "--field",
            "password=hunter2",
        ],
        vec!["secret", "add", "bearer_token", "x", "--field", "token=abc"],
        vec!["secret", "add", "key_value", "x", "--field", "K=v"],
    ] {
        let run = env.run(&args).fails(2);
        assert!(
            run.stderr.contains("never on the command line"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("hunter2"));
    }
    env.add_basic("x", "pw1");
    let run = env
        .run(&["secret", "update", "x", "--field", "password=pw2"])
        .fails(2);
    assert!(run.stderr.contains("=@-"));
}

#[test]
fn validation_errors_name_the_field_and_exit_2() {
    let env = Env::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "secret",
                "add",
                "basic_auth",
                "bad name",
                "--field",
                "username=a",
            ],
            "name",
        ),
        (vec!["secret", "add", "nonsense", "x"], "type"),
        (
            vec![
                "secret",
                "add",
                "api_key",
                "x",
                "--field",
                "header_name=X Bad",
            ],
            "header_name",
        ),
        (
            vec!["secret", "add", "basic_auth", "x", "--field", "colour=blue"],
            "colour",
        ),
        (vec!["secret", "list", "--sort", "size"], "sort"),
        (
            vec![
                "secret",
                "add",
                "basic_auth",
                "x",
                "--field",
                "username=a",
                "--field",
                "password=@-",
                "--expires",
                "yesterday",
            ],
            "expires",
        ),
    ];
    for (args, field) in cases {
        let run = env.run_with_stdin(&args, b"pw").fails(2);
        assert!(run.stderr.contains(field), "{args:?}: {}", run.stderr);
    }
    let run = env
        .run_with_stdin(
            &[
                "--json",
                "secret",
                "add",
                "client_credentials",
                "x",
                "--field",
                "client_id=a",
                "--field",
                "client_secret=@-",
                "--field",
                "token_url=http://idp.example/token",
            ],
            b"pw",
        )
        .fails(2);
    let err = run.error_json();
    assert_eq!(err["error"]["code"], "invalid_input");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("token_url")
    );
    env.add_basic("dup", "a");
    let run = env
        .run_with_stdin(
            &[
                "secret",
                "add",
                "basic_auth",
                "dup",
                "--field",
                "username=b",
                "--field",
                "password=@-",
            ],
            b"b",
        )
        .fails(2);
    assert!(run.stderr.contains("already exists"));
}

#[test]
fn oversized_values_are_refused_and_nothing_is_stored() {
    let env = Env::new();
    let big = vec![b'a'; 1024 * 1024 + 1];
    let run = env
        .run_with_stdin(
            &[
                "secret",
                "add",
                "bearer_token",
                "big",
                "--field",
                "token=@-",
            ],
            &big,
        )
        .fails(2);
    assert!(run.stderr.contains("1 MiB"), "{}", run.stderr);
    let huge = env.file("huge", vec![b'a'; 5 * 1024 * 1024]);
    let run = env
        .run(&[
            "secret",
            "add",
            "data",
            "huge",
            "--file",
            &format!("data={}", huge.display()),
        ])
        .fails(2);
    assert!(run.stderr.contains("4 MiB"), "{}", run.stderr);
    assert_eq!(
        env.run(&["--json", "secret", "list"]).ok().json()["total"],
        0
    );
}

#[test]
fn update_makes_versions_and_restore_brings_old_values_back() {
    let env = Env::new();
    env.add_basic("svc", "one");
    env.run_with_stdin(
        &["secret", "update", "svc", "--field", "password=@-"],
        b"two",
    )
    .ok();
    let same = env
        .run_with_stdin(
            &[
                "--json",
                "secret",
                "update",
                "svc",
                "--field",
                "password=@-",
            ],
            b"two",
        )
        .ok();
    assert_eq!(same.json()["value"]["outcome"], "unchanged");
    env.run(&[
        "secret",
        "update",
        "svc",
        "--description",
        "new text",
        "--label",
        "tier=1",
    ])
    .ok();
    let versions = env
        .run(&["--json", "secret", "versions", "svc"])
        .ok()
        .json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["current"], true);
    env.run(&["secret", "restore", "svc", "1"]).ok();
    assert_eq!(env.run(&["secret", "reveal", "svc"]).ok().stdout, "one");
    let shown = env.run(&["--json", "secret", "show", "svc"]).ok().json();
    assert_eq!(shown["current_version"], 3);
    assert_eq!(shown["description"], "new text");
    assert_eq!(shown["labels"]["tier"], "1");
    env.run(&["secret", "restore", "svc", "9"]).fails(3);
}

#[test]
fn store_password_secrets_need_their_password() {
    let env = Env::new();
    let pw = env.file("store-pw", "store password 1\n");
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "bearer_token",
            "locked",
            "--field",
            "token=@-",
            "--store-password-file",
            pw.to_str().unwrap(),
        ],
        b"tok",
    )
    .ok();
    env.run(&["secret", "reveal", "locked"]).fails(4);
    let wrong = env.file("wrong-pw", "nope");
    let run = env
        .run(&[
            "--json",
            "secret",
            "reveal",
            "locked",
            "--store-password-file",
            wrong.to_str().unwrap(),
        ])
        .fails(4);
    assert_eq!(run.error_json()["error"]["code"], "wrong_password");
    let run = env
        .run(&[
            "secret",
            "reveal",
            "locked",
            "--store-password-file",
            pw.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(run.stdout, "tok");
    let generated = env
        .run_with_stdin(
            &[
                "--json",
                "secret",
                "add",
                "bearer_token",
                "gen",
                "--field",
                "token=@-",
                "--generate-store-password",
            ],
            b"t2",
        )
        .ok()
        .json();
    let password = generated["generated_store_password"].as_str().unwrap();
    assert_eq!(password.len(), 24);
    let file = env.file("gen-pw", password);
    assert_eq!(
        env.run(&[
            "secret",
            "reveal",
            "gen",
            "--store-password-file",
            file.to_str().unwrap()
        ])
        .ok()
        .stdout,
        "t2"
    );
}

#[test]
fn write_only_secrets_are_never_revealed() {
    let env = Env::new();
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "bearer_token",
            "wo",
            "--field",
            "token=@-",
            "--write-only",
        ],
        b"tok",
    )
    .ok();
    let run = env.run(&["--json", "secret", "reveal", "wo"]).fails(6);
    assert_eq!(run.error_json()["error"]["code"], "write_only");
    assert!(!run.stdout.contains("tok") && !run.stderr.contains("tok"));
}

#[test]
fn a_canary_value_is_printed_only_by_reveal() {
    let env = Env::new();
    let canary = "CANARY-7f3a9c-never-print-me";
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "basic_auth",
            "canary",
            "--field",
            "username=u",
            "--field",
            "password=@-",
            "--label",
            "k=v",
        ],
        canary.as_bytes(),
    )
    .ok();
    env.run(&["secret", "update", "canary", "--description", "changed"])
        .ok();
    env.run(&["secret", "deactivate", "canary"]).ok();
    env.run(&["secret", "activate", "canary"]).ok();
    let mut printed = String::new();
    for args in [
        vec!["secret", "list"],
        vec!["--json", "secret", "list"],
        vec!["secret", "show", "canary"],
        vec!["--json", "secret", "show", "canary"],
        vec!["secret", "versions", "canary"],
        vec!["--json", "secret", "versions", "canary"],
        vec!["audit", "list"],
        vec!["--json", "audit", "list"],
        vec!["audit", "verify"],
        vec!["status"],
        vec!["--json", "status"],
        vec!["secret", "reveal", "canary", "--field", "nope"],
        vec!["secret", "update", "canary", "--field", "nope=1"],
        vec![
            "secret",
            "add",
            "basic_auth",
            "canary",
            "--field",
            "username=u",
        ],
    ] {
        let run = env.run(&args);
        printed.push_str(&run.stdout);
        printed.push_str(&run.stderr);
    }
    assert!(!printed.contains(canary), "canary leaked:\n{printed}");
    for suffix in ["", "-wal"] {
        let mut path = env.vault.clone().into_os_string();
        path.push(suffix);
        if let Ok(file) = std::fs::read(&path) {
            assert!(
                !file.windows(canary.len()).any(|w| w == canary.as_bytes()),
                "canary in {path:?}"
            );
        }
    }
    assert_eq!(env.run(&["secret", "reveal", "canary"]).ok().stdout, canary);
}
