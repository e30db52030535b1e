//! Jobs through the CLI: add, list, show, run, runs, delete; `coffer run`
//! with the program's exit code and redacted output; `secret test` and
//! `secret usage`.

use std::io::{Read, Write};

use crate::support::Env;

const CANARY: &str = "cli-job-canary-3e9f";

fn setup() -> Env {
    let env = Env::new();
    env.add_basic("prod/db", CANARY);
    env
}

#[test]
fn template_jobs_are_added_listed_shown_run_and_deleted() {
    let env = setup();
    let template = env.file(
        "app.tmpl",
        "user=${secret:prod/db#username}\npass=${secret:prod/db}\n",
    );
    let output = env.path("app.conf");
    let added = env
        .run(&[
            "--json",
            "job",
            "add",
            "template",
            "render",
            "--template",
            template.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--schedule",
            "*/15 * * * *",
        ])
        .ok()
        .json();
    assert_eq!(added["kind"], "template");
    assert_eq!(added["uses_secrets"], true);
    assert!(added["next_run_at"].is_string());
    // Names are unique per organization.
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
    .fails(2);
    let list = env.run(&["job", "list"]).ok();
    assert!(
        list.stdout.contains("render") && list.stdout.contains("prod/db"),
        "{}",
        list.stdout
    );
    let show = env.run(&["job", "show", "render"]).ok();
    assert!(
        show.stdout
            .contains("prod/db#username (placeholder, active)"),
        "{}",
        show.stdout
    );
    let run = env.run(&["--json", "job", "run", "render"]).ok().json();
    assert_eq!(run["status"], "succeeded");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("user=alice\npass={CANARY}\n")
    );
    let runs = env.run(&["--json", "job", "runs", "render"]).ok();
    assert_eq!(runs.json().as_array().unwrap().len(), 1);
    assert!(!runs.stdout.contains(CANARY));
    let usage = env
        .run(&["--json", "secret", "usage", "prod/db"])
        .ok()
        .json();
    assert_eq!(usage[0]["name"], "render");
    let shown = env
        .run(&["--json", "secret", "show", "prod/db"])
        .ok()
        .json();
    assert_eq!(shown["used_by"], 1);
    assert!(shown["last_used_at"].is_string());
    env.run(&["job", "delete", "render"]).ok();
    env.run(&["job", "show", "render"]).fails(3);
    let shown = env
        .run(&["--json", "secret", "show", "prod/db"])
        .ok()
        .json();
    assert_eq!(shown["used_by"], 0);
}

#[test]
fn failed_and_refused_runs_have_their_exit_codes() {
    let env = setup();
    env.run(&[
        "job",
        "add",
        "command",
        "leaky",
        "--env",
        "P=${secret:prod/db}",
        "--",
        "/bin/sh",
        "-c",
        "echo \"value=$P\"; exit 4",
    ])
    .ok();
    let run = env.run(&["job", "run", "leaky"]).fails(1);
    assert!(run.stdout.contains("value=***"), "{}", run.stdout);
    assert!(!run.stdout.contains(CANARY));
    env.run(&["secret", "deactivate", "prod/db"]).ok();
    let run = env.run(&["--json", "job", "run", "leaky"]).fails(6);
    let json = run.json();
    assert_eq!(json["status"], "refused");
    assert!(json["error"].as_str().unwrap().contains("deactivated"));
    // Bad definitions: a missing option, an unknown role, a bad schedule.
    env.run(&["job", "add", "http_fetch", "x", "--target", "/tmp/x"])
        .fails(2);
    env.run(&[
        "job",
        "add",
        "http_fetch",
        "x",
        "--url",
        "https://example.com",
        "--target",
        "/tmp/x",
        "--secret",
        "owner=prod/db",
    ])
    .fails(2);
    env.run(&[
        "job",
        "add",
        "http_fetch",
        "x",
        "--url",
        "https://example.com",
        "--target",
        "/tmp/x",
        "--schedule",
        "61 * * * *",
    ])
    .fails(2);
    let run = env
        .run(&[
            "--json",
            "job",
            "add",
            "http_fetch",
            "x",
            "--url",
            "https://example.com",
            "--target",
            "/tmp/x",
            "--secret",
            "auth=missing",
        ])
        .fails(3);
    assert_eq!(run.error_json()["error"]["code"], "not_found");
}

#[test]
fn coffer_run_passes_the_exit_code_and_redacts_output() {
    let env = setup();
    let run = env
        .run(&[
            "run",
            "--env",
            "DB_PASSWORD=${secret:prod/db}",
            "--env",
            "DB_USER=${secret:prod/db#username}",
            "--",
            "/bin/sh",
            "-c",
            "echo \"$DB_USER:$DB_PASSWORD\"; printf %s \"$DB_PASSWORD\" | base64; echo oops >&2; exit 42",
        ])
        .fails(42);
    assert!(!run.stdout.contains(CANARY) && !run.stderr.contains(CANARY));
    // The user name is a public field: shown, not masked.
    assert!(run.stdout.starts_with("alice:***\n***"), "{}", run.stdout);
    assert!(run.stderr.contains("oops"));
    env.run(&["run", "--", "/bin/true"]).ok();
    let run = env
        .run(&[
            "--json",
            "run",
            "--env",
            "X=${secret:nope}",
            "--",
            "/bin/true",
        ])
        .fails(3);
    let error = run.error_json();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--env X, line 1, column 1"),
        "{error}"
    );
}

/// A plain-HTTP server on loopback answering one request with `status`,
/// returning what it received.
fn one_shot(status: u16) -> (u16, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 8192];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Status\r\nContent-Length: 0\r\n\r\n"
        );
        String::from_utf8_lossy(&got).into_owned()
    });
    (port, handle)
}

#[test]
fn secret_test_sends_one_request_and_shows_the_status() {
    let env = setup();
    let (port, server) = one_shot(204);
    let url = format!("http://127.0.0.1:{port}/check");
    let report = env
        .run(&["--json", "secret", "test", "prod/db", "--url", &url])
        .ok()
        .json();
    assert_eq!(report["status"], 204);
    assert_eq!(report["sent"], "basic auth as alice");
    assert!(report["tls"].is_null());
    assert!(!report.to_string().contains(CANARY));
    let request = server.join().unwrap();
    assert!(request.starts_with("GET /check HTTP/1.1"), "{request}");
    assert!(request.contains("Authorization: Basic "), "{request}");
    let (port, _server) = one_shot(401);
    let run = env
        .run(&[
            "secret",
            "test",
            "prod/db",
            "--url",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .fails(1);
    assert!(run.stdout.contains("401"), "{}", run.stdout);
    // Credentials never go over plain http to another host.
    env.run(&["secret", "test", "prod/db", "--url", "http://example.com/"])
        .fails(2);
}

#[test]
fn run_logs_need_an_unlock_and_new_template_secrets_need_approval() {
    let env = setup();
    env.add_basic("other", "other-canary-71c2");
    let template = env.file("app.tmpl", "user=${secret:prod/db#username}\n");
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
    env.run(&["job", "run", "render"]).ok();
    // The template now pulls in a secret the job was never approved for.
    env.file(
        "app.tmpl",
        "user=${secret:prod/db#username}\nloot=${secret:other}\n",
    );
    let refused = env.run(&["job", "run", "render"]).fails(6);
    assert!(
        refused.stdout.contains("coffer job approve render"),
        "{}",
        refused.stdout
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "user=alice\n");
    let approved = env.run(&["--json", "job", "approve", "render"]).ok().json();
    assert_eq!(approved["approved"], serde_json::json!(["other"]));
    env.run(&["job", "run", "render"]).ok();

    // Run logs are sealed: without an unlock there is nothing to print.
    let locked = std::process::Command::new(crate::support::bin())
        .args(["--json", "job", "runs", "render"])
        .env("COFFER_VAULT", &env.vault)
        .env_remove("COFFER_PASSPHRASE_FILE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(locked.status.code(), Some(5));
    assert!(locked.stdout.is_empty());
    let runs = env.run(&["--json", "job", "runs", "render"]).ok().json();
    assert_eq!(runs.as_array().unwrap().len(), 3);
    assert_eq!(runs[1]["status"], "refused");
}

/// A command job using a store-password secret and a plain one.
fn store_password_job(env: &Env) -> std::path::PathBuf {
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
        b"locked-canary-6140",
    )
    .ok();
    let marker = env.path("ran");
    let script = format!("echo \"locked=$L plain=$P\"; touch '{}'", marker.display());
    env.run(&[
        "job",
        "add",
        "command",
        "boxed",
        "--env",
        "L=${secret:locked}",
        "--env",
        "P=${secret:prod/db}",
        "--",
        "/bin/sh",
        "-c",
        &script,
    ])
    .ok();
    marker
}

#[test]
fn job_runs_take_store_passwords_from_files_or_stdin_and_refuse_without_them() {
    let env = setup();
    let marker = store_password_job(&env);
    // No terminal and no option: a clear error before anything runs.
    let run = env.run(&["job", "run", "boxed"]).fails(2);
    assert!(
        run.stderr
            .contains("secret \"locked\" is protected by a store password")
            && run.stderr.contains("--store-password-file locked=FILE"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists());
    // A wrong one: refused before the run starts, naming the secret, with
    // the wrong-password exit code; nothing runs and no run is recorded.
    let wrong = env.file("wrong-pw", "nope");
    let option = format!("locked={}", wrong.display());
    let run = env
        .run(&["job", "run", "boxed", "--store-password-file", &option])
        .fails(4);
    assert!(
        run.stderr
            .contains("wrong store password for secret \"locked\""),
        "{}",
        run.stderr
    );
    let run = env
        .run(&[
            "--json",
            "job",
            "run",
            "boxed",
            "--store-password-file",
            &option,
        ])
        .fails(4);
    assert_eq!(run.error_json()["error"]["code"], "wrong_password");
    assert!(!marker.exists());
    let history = env.run(&["job", "runs", "boxed"]).ok();
    assert!(
        history.stdout.contains("No runs yet."),
        "{}",
        history.stdout
    );
    // The right one on standard input: the run's output, values redacted.
    let run = env.run_with_stdin(
        &["job", "run", "boxed", "--store-password-file", "locked=-"],
        b"store password 1\n",
    );
    let run = run.ok();
    assert!(
        run.stdout.contains("locked=*** plain=***"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("locked-canary-6140") && !run.stdout.contains(CANARY));
    assert!(marker.exists());
    // A name the job does not use is refused.
    env.run(&["job", "run", "boxed", "--store-password-file", "prod/db=-"])
        .fails(2);
}

#[test]
fn coffer_run_and_secret_test_take_store_passwords() {
    let env = setup();
    store_password_job(&env);
    let pw = env.path("store-pw");
    let option = format!("locked={}", pw.display());
    let run = env
        .run(&[
            "run",
            "--env",
            "L=${secret:locked}",
            "--store-password-file",
            &option,
            "--",
            "/bin/sh",
            "-c",
            "echo \"got $L\"; exit 3",
        ])
        .fails(3);
    assert!(run.stdout.contains("got ***"), "{}", run.stdout);
    let run = env
        .run(&["run", "--env", "L=${secret:locked}", "--", "/bin/true"])
        .fails(2);
    assert!(run.stderr.contains("no terminal"), "{}", run.stderr);
    let wrong = env.file("wrong-pw", "nope");
    let option = format!("locked={}", wrong.display());
    let run = env
        .run(&[
            "--json",
            "run",
            "--env",
            "L=${secret:locked}",
            "--store-password-file",
            &option,
            "--",
            "/bin/true",
        ])
        .fails(4);
    assert_eq!(run.error_json()["error"]["code"], "wrong_password");
    // `secret test`: the password is needed before any request is made.
    let run = env
        .run(&["secret", "test", "locked", "--url", "https://127.0.0.1:9/"])
        .fails(2);
    assert!(run.stderr.contains("no terminal"), "{}", run.stderr);
    let run = env
        .run(&[
            "--json",
            "secret",
            "test",
            "locked",
            "--url",
            "https://127.0.0.1:9/",
            "--store-password-file",
            wrong.to_str().unwrap(),
        ])
        .fails(4);
    assert_eq!(run.error_json()["error"]["code"], "wrong_password");
}
