//! Jobs leak nothing: git never takes the user's configuration or Coffer's
//! environment (`GIT_SSL_NO_VERIFY`, a global `http.sslVerify=false`,
//! `GIT_SSH_COMMAND`), never sends credentials over plain http; a command
//! job's program sees none of Coffer's own variables; output is redacted in
//! the encodings real programs print (Python, coreutils, xxd), and public
//! fields are left alone; FIFOs and devices are refused, not waited on.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coffer_core::job::{
    CommandSpec, GitFetchSpec, JobRef, JobSpec, NewJob, RoleBinding, RunStatus, RunTrigger,
    SecretRole, TemplateSpec,
};
use coffer_core::secret::SecretType;

use crate::http_fetch::{PASSWORD, USER, assert_no_canary};
use crate::pki::server_config;
use crate::server::{self, Response};
use crate::support::{Fixture, files_under, require};

/// Longer than 57 bytes (so `base64` wraps it), with characters every
/// encoding treats differently: space, `/`, `+`, `~`, quotes, backslash,
/// non-ASCII.
const CANARY: &str =
    "leak-canary/Zq9 x+y~z_w.v-u \"quoted\" back\\slash é and padding text 0123456789";

fn command_job(fx: &mut Fixture, name: &str, script: &str, env: &[(&str, &str)]) {
    fx.add_job(
        name,
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            working_dir: None,
            timeout_seconds: Some(60),
        }),
        &[],
    );
}

/// The lines `script` prints with `V` set to `value`, run directly (not
/// through Coffer): what would leak.
fn printed_directly(script: &str, value: &str) -> Vec<String> {
    let out = Command::new("/bin/sh")
        .args(["-c", script])
        .env("V", value)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

const PYTHON: &str = r#"python3 -c '
import json, os, urllib.parse as u
v = os.environ["V"]
print(u.quote(v))
print(u.quote(v, safe=""))
print(u.quote_plus(v))
print(json.dumps(v))
print(json.dumps(v, ensure_ascii=False))
print(json.dumps({"k": v}))
print(v.encode().hex())
print(v.encode().hex().upper())
'"#;

#[test]
fn output_is_redacted_in_the_encodings_real_programs_print() {
    require("python3", "python3");
    require("xxd", "xxd");
    let mut fx = Fixture::new();
    fx.add("leak", SecretType::Data, &[("data", CANARY)]);
    let scripts = [
        ("python", PYTHON),
        ("base64", r#"printf %s "$V" | base64"#),
        ("base64-newline", r#"printf '%s\n' "$V" | base64"#),
        (
            "base64-url",
            r#"printf %s "$V" | basenc --base64url 2>/dev/null || printf %s "$V" | base64 | tr '+/' '-_'"#,
        ),
        ("xxd", r#"printf %s "$V" | xxd -p"#),
        ("xxd-upper", r#"printf %s "$V" | xxd -p -u"#),
        (
            "od",
            r#"printf %s "$V" | od -An -v -tx1 | tr -d ' \n'; echo"#,
        ),
        ("fold", r#"printf '%s\n' "$V" | fold -w 17"#),
        ("crlf", r#"printf '%s\n' "$V" | base64 | sed 's/$/\r/'"#),
    ];
    for (name, script) in scripts {
        command_job(&mut fx, name, script, &[("V", "${secret:leak}")]);
        let run = fx.run(name);
        assert_eq!(
            run.status,
            RunStatus::Succeeded,
            "{name}: {:?}\n{}",
            run.error,
            run.log
        );
        let direct = printed_directly(script, CANARY);
        assert!(!direct.is_empty(), "{name} printed nothing");
        for line in direct.iter().map(|l| l.trim_end_matches('\r')) {
            // A few characters around a value may stay (the end of a base64
            // group holding the newline); no run of the value does.
            if line.len() >= 8 {
                assert!(
                    !run.log.contains(line),
                    "{name}: {line:?} leaked:\n{}",
                    run.log
                );
            }
        }
        assert!(run.log.contains("***"), "{name}: {}", run.log);
        // Whatever is left of the output is short: the value is masked whole.
        let kept: usize = run
            .log
            .lines()
            .filter(|l| l.contains("***"))
            .map(|l| l.replace("***", "").trim().len())
            .sum();
        assert!(
            kept <= 16 * direct.len(),
            "{name}: too much left:\n{}",
            run.log
        );
    }
    assert_no_canary(&mut fx, &[CANARY, "leak-canary"]);
}

#[test]
fn public_fields_are_not_redacted_and_short_secrets_are() {
    let mut fx = Fixture::new();
    fx.add(
        "login",
        SecretType::BasicAuth,
        &[("username", "app"), ("password", "pw4")],
    );
    command_job(
        &mut fx,
        "greet",
        r#"printf 'application happy as %s with %s\n' "$U" "$P""#,
        &[("U", "${secret:login#username}"), ("P", "${secret:login}")],
    );
    let run = fx.run("greet");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    // The password is masked, however short; the user name is public.
    assert!(
        run.log.contains("application happy as app with ***"),
        "{}",
        run.log
    );
    assert!(!run.log.contains("pw4"));
    assert!(coffer_jobs::redact::mangles_output(b"pw4"));
    assert!(!coffer_jobs::redact::mangles_output(b"longer"));
    assert!(!coffer_jobs::redact::mangles_output(b""));
}

#[test]
fn command_jobs_see_an_allow_listed_environment() {
    // Coffer's own environment (this process's) holds what must not reach
    // a job: set through a child test process, see `child_*` below.
    let out = child_test(
        "leaks::child_command_job_env",
        &[
            (
                "COFFER_PASSPHRASE_FILE",
                "/run/coffer-canary-passphrase-file",
            ),
            ("CANARY_IN_COFFER_ENV", "env-canary-0f7e"),
            ("LD_PRELOAD", ""),
            ("TZ", "UTC"),
        ],
    );
    assert!(out.contains("child done"), "{out}");
}

/// Runs one ignored test of this binary in a child process with `env`
/// added, and returns its output; the test must pass.
fn child_test(name: &str, env: &[(&str, &str)]) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{name} failed:\n{text}");
    assert!(text.contains("1 passed"), "{name} did not run:\n{text}");
    text
}

#[test]
#[ignore = "run by command_jobs_see_an_allow_listed_environment with a prepared environment"]
fn child_command_job_env() {
    let mut fx = Fixture::new();
    fx.add(
        "unused",
        SecretType::BearerToken,
        &[("token", "unused-canary-token-1")],
    );
    fx.add(
        "used",
        SecretType::BearerToken,
        &[("token", "used-canary-token-2")],
    );
    command_job(&mut fx, "env", "env", &[("ASKED", "${secret:used}")]);
    let run = fx.run("env");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    let log = &run.log;
    for leaked in [
        "COFFER_",
        "coffer-canary-passphrase-file",
        "env-canary-0f7e",
        "CANARY_IN_COFFER_ENV",
        "LD_PRELOAD",
        "unused-canary-token-1",
        "used-canary-token-2",
    ] {
        assert!(!log.contains(leaked), "{leaked} reached the job:\n{log}");
    }
    // What the job asks for (redacted in the log), and the allow list.
    assert!(log.contains("ASKED=***"), "{log}");
    assert!(log.contains("PATH="), "{log}");
    assert!(log.contains("TZ=UTC"), "{log}");
    println!("child done");
}

/// An https server with a certificate from the tests' own CA (which the
/// system does not trust) asking for basic auth, serving `git http-backend`.
fn untrusted_git_server(fx: &Fixture) -> (server::Server, String) {
    let root = fx.file("served");
    std::fs::create_dir_all(&root).unwrap();
    let bare = root.join("repo.git");
    std::fs::create_dir_all(&bare).unwrap();
    let status = Command::new("git")
        .args(["init", "--quiet", "--bare", "--initial-branch=main"])
        .current_dir(&bare)
        .status()
        .unwrap();
    assert!(status.success());
    let served = root.clone();
    let server = server::start(
        server_config(),
        Arc::new(move |req: &server::Request| {
            if req.header("authorization").is_none() {
                return Response::status(401, "").header("WWW-Authenticate", "Basic realm=\"git\"");
            }
            let path = req.path().strip_prefix("/git").unwrap_or("/").to_owned();
            server::git_cgi(req, &served, &path)
        }),
    );
    let url = server.url("127.0.0.1", "/git/repo.git");
    (server, url)
}

#[test]
fn git_ignores_coffer_environment_and_user_configuration() {
    require("git", "git");
    let fx = Fixture::new();
    let (server, url) = untrusted_git_server(&fx);
    // A home with a global configuration that turns verification off and
    // names an SSH command; and the environment variables that would.
    let home = fx.file("home");
    std::fs::create_dir_all(home.join(".config/git")).unwrap();
    let marker = fx.file("ssh-command-ran");
    let fake_ssh = fx.file("fake-ssh");
    std::fs::write(
        &fake_ssh,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(
        &fake_ssh,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let config = format!(
        "[http]\n\tsslVerify = false\n[core]\n\tsshCommand = {}\n",
        fake_ssh.display()
    );
    std::fs::write(home.join(".gitconfig"), &config).unwrap();
    std::fs::write(home.join(".config/git/config"), &config).unwrap();
    let fake = fake_ssh.display().to_string();
    let out = child_test(
        "leaks::child_git_runs",
        &[
            ("GIT_SSL_NO_VERIFY", "1"),
            ("GIT_CONFIG_PARAMETERS", "'http.sslverify'='false'"),
            ("HOME", home.to_str().unwrap()),
            ("XDG_CONFIG_HOME", home.join(".config").to_str().unwrap()),
            ("GIT_SSH_COMMAND", &fake),
            ("GIT_SSH", &fake),
            ("COFFER_TEST_GIT_URL", &url),
        ],
    );
    assert!(out.contains("child done"), "{out}");
    // Verification held: no HTTP request reached the server (a connection
    // that ended in the handshake is recorded empty), so no credentials.
    let requests = server.requests();
    assert!(
        requests.iter().all(|r| r.header("authorization").is_none()),
        "credentials were sent to an untrusted server"
    );
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert!(
        methods.iter().all(|m| m.is_empty()),
        "requests got through: {methods:?}"
    );
    assert!(!marker.exists(), "the user's SSH command ran");
}

#[test]
#[ignore = "run by git_ignores_coffer_environment_and_user_configuration"]
fn child_git_runs() {
    let url = std::env::var("COFFER_TEST_GIT_URL").unwrap();
    let mut fx = Fixture::new();
    fx.add(
        "git-login",
        SecretType::BasicAuth,
        &[("username", USER), ("password", PASSWORD)],
    );
    let target = fx.file("checkout");
    fx.add_job(
        "https",
        JobSpec::GitFetch(GitFetchSpec {
            repo_url: url,
            branch: Some("main".into()),
            target,
            token_username: None,
        }),
        &[(SecretRole::Auth, "git-login")],
    );
    let run = fx.run("https");
    assert_eq!(
        run.status,
        RunStatus::Failed,
        "git trusted an untrusted server: {}",
        run.log
    );
    let error = run.error.clone().unwrap_or_default();
    assert!(
        error.contains("certificate") || run.log.contains("certificate"),
        "{error}\n{}",
        run.log
    );
    // Over SSH, to a port where nothing listens: the user's SSH command
    // (GIT_SSH_COMMAND, GIT_SSH, core.sshCommand) must not be what runs.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    fx.add_job(
        "ssh",
        JobSpec::GitFetch(GitFetchSpec {
            repo_url: format!("ssh://git@127.0.0.1:{port}/repo.git"),
            branch: None,
            target: fx.file("ssh-checkout"),
            token_username: None,
        }),
        &[],
    );
    let run = fx.run("ssh");
    assert_eq!(run.status, RunStatus::Failed, "{}", run.log);
    let ctx = fx.context();
    assert!(
        files_under(&ctx.temp_dir).is_empty(),
        "{:?}",
        files_under(&ctx.temp_dir)
    );
    assert_no_canary(&mut fx, &[PASSWORD]);
    println!("child done");
}

#[test]
fn git_refuses_credentials_over_plain_http() {
    let mut fx = Fixture::new();
    fx.add(
        "git-login",
        SecretType::BasicAuth,
        &[("username", USER), ("password", PASSWORD)],
    );
    let target = fx.file("checkout");
    let spec = |url: &str| {
        JobSpec::GitFetch(GitFetchSpec {
            repo_url: url.into(),
            branch: None,
            target: target.clone(),
            token_username: None,
        })
    };
    let with_auth = |name: &str, spec: JobSpec| {
        let mut new = NewJob::new(name, spec);
        new.roles = vec![RoleBinding {
            role: SecretRole::Auth,
            secret: "git-login".into(),
        }];
        new
    };
    for url in [
        "http://git.example.com/repo.git",
        "http://10.0.0.1/repo.git",
    ] {
        let err =
            coffer_jobs::define::create_job(&mut fx, with_auth("plain", spec(url))).unwrap_err();
        assert!(err.to_string().contains("https"), "{url}: {err}");
        // The core refuses it too (the desktop app saves through it).
        let err = fx.create_job(with_auth("plain", spec(url))).unwrap_err();
        assert!(err.to_string().contains("https"), "{url}: {err}");
    }
    // Plain http to this machine, or without credentials, is allowed.
    coffer_jobs::define::create_job(
        &mut fx,
        with_auth("local", spec("http://127.0.0.1:9/r.git")),
    )
    .unwrap();
    coffer_jobs::define::create_job(
        &mut fx,
        NewJob::new("anon", spec("http://git.example.com/r.git")),
    )
    .unwrap();
}

/// Makes a FIFO at `path` (no writer will ever open it).
fn fifo(path: &Path) {
    let status = Command::new(require("mkfifo", "coreutils"))
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn fifos_and_devices_are_refused_as_templates_without_waiting() {
    let mut fx = Fixture::new();
    fx.add("leak", SecretType::Data, &[("data", CANARY)]);
    let pipe = fx.file("pipe.tmpl");
    fifo(&pipe);
    let started = Instant::now();
    for path in [pipe.as_path(), Path::new("/dev/zero"), fx.dir.path()] {
        let err = coffer_jobs::runner::read_template(path).unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{}: {err}", path.display());
        assert!(err.to_string().contains("regular file"), "{err}");
    }
    let piped = NewJob::new(
        "piped",
        JobSpec::Template(TemplateSpec {
            template: pipe.clone(),
            output: fx.file("out.conf"),
            allow_write_only_to_disk: false,
        }),
    );
    let err = coffer_jobs::define::create_job(&mut fx, piped).unwrap_err();
    assert!(err.to_string().contains("FIFO"), "{err}");
    // A job saved with a regular file whose template later became a FIFO:
    // the run fails at once instead of hanging while it holds the vault.
    let template = fx.file("app.tmpl");
    std::fs::write(&template, "v=${secret:leak}\n").unwrap();
    fx.add_job(
        "app",
        JobSpec::Template(TemplateSpec {
            template: template.clone(),
            output: fx.file("app.conf"),
            allow_write_only_to_disk: false,
        }),
        &[],
    );
    std::fs::remove_file(&template).unwrap();
    fifo(&template);
    let run = fx.run("app");
    assert_ne!(run.status, RunStatus::Succeeded);
    assert!(run.error.unwrap().contains("FIFO"));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_stored_git_spec_changed_to_plain_http_is_refused_at_run_time() {
    let mut fx = Fixture::new();
    fx.add(
        "git-login",
        SecretType::BasicAuth,
        &[("username", USER), ("password", PASSWORD)],
    );
    let target = fx.file("checkout");
    fx.add_job(
        "edited",
        JobSpec::GitFetch(GitFetchSpec {
            repo_url: "https://127.0.0.1:9/repo.git".into(),
            branch: None,
            target,
            token_username: None,
        }),
        &[(SecretRole::Auth, "git-login")],
    );
    // Someone with write access to the vault file edits the remote.
    fx.close();
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let changed = db
        .execute(
            "UPDATE jobs SET spec = replace(spec, 'https://127.0.0.1:9/', 'http://git.example.invalid/')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    fx.reopen();
    // Refused before git starts: the row's integrity tag no longer matches
    // (and the spec would be refused on its own as credentials over http).
    let ctx = fx.context();
    let error = coffer_jobs::run_job(&mut fx, &JobRef::named("edited"), RunTrigger::Manual, &ctx)
        .expect_err("an edited job does not run");
    assert_eq!(error.code(), "tampered", "{error}");
    assert!(error.to_string().contains("job Default:edited"), "{error}");
    assert!(!fx.path.with_file_name("checkout").join(".git").exists());
}
