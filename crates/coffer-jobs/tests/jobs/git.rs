//! `git_fetch` against real servers: `git http-backend` behind basic auth
//! on the HTTPS test server, and `sshd` on a loopback port with key
//! authentication and its own host keys.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coffer_core::job::{GitFetchSpec, JobRef, JobSpec, RunStatus, SecretRole};
use coffer_core::secret::SecretType;
use coffer_jobs::RunContext;

use crate::http_fetch::{PASSWORD, USER};
use crate::pki::{pki, server_config};
use crate::server::{self, Response};
use crate::support::{Fixture, files_under, require};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bare repository `repo.git` under `root` with one commit on `main`,
/// and a working copy to push more from.
fn repository(root: &Path) -> PathBuf {
    let bare = root.join("repo.git");
    std::fs::create_dir_all(&bare).unwrap();
    git(
        &bare,
        &["init", "--quiet", "--bare", "--initial-branch=main"],
    );
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(work.join("README"), "one\n").unwrap();
    git(&work, &["add", "README"]);
    git(&work, &["commit", "--quiet", "-m", "one"]);
    git(&work, &["push", "--quiet", bare.to_str().unwrap(), "main"]);
    work
}

fn push_commit(work: &Path, bare: &Path, text: &str) -> String {
    std::fs::write(work.join("README"), text).unwrap();
    git(work, &["commit", "--quiet", "-am", text]);
    git(work, &["push", "--quiet", bare.to_str().unwrap(), "main"]);
    git(work, &["rev-parse", "HEAD"])
}

/// A `git` that records its arguments, then runs the real one.
fn recording_git(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("git-argv.log");
    let script = dir.join("git-recorder");
    let real = require("git", "git");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (script, log)
}

fn git_job(fx: &mut Fixture, name: &str, url: &str, roles: &[(SecretRole, &str)]) -> PathBuf {
    let target = fx.file(&format!("{name}-checkout"));
    fx.add_job(
        name,
        JobSpec::GitFetch(GitFetchSpec {
            repo_url: url.into(),
            branch: Some("main".into()),
            target: target.clone(),
            token_username: None,
        }),
        roles,
    );
    target
}

#[test]
fn git_over_https_clones_then_updates_without_leaking_the_password() {
    require("git", "git");
    let mut fx = Fixture::new();
    let root = fx.file("served");
    std::fs::create_dir_all(&root).unwrap();
    let work = repository(&root);
    let bare = root.join("repo.git");
    let served = root.clone();
    let expected = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{USER}:{PASSWORD}")
        )
    );
    let server = server::start(
        server_config(),
        Arc::new(move |req: &server::Request| {
            if !req.client_cert {
                return Response::status(403, "client certificate required");
            }
            if req.header("authorization") != Some(expected.as_str()) {
                return Response::status(401, "").header("WWW-Authenticate", "Basic realm=\"git\"");
            }
            let path = req.path().strip_prefix("/git").unwrap_or("/").to_owned();
            server::git_cgi(req, &served, &path)
        }),
    );
    let pki = pki();
    fx.add("ca", SecretType::CaBundle, &[("certificates", &pki.ca_pem)]);
    fx.add(
        "client-cert",
        SecretType::Certificate,
        &[
            ("certificate", &pki.client_cert_pem),
            ("private_key", &pki.client_key_pem),
        ],
    );
    fx.add(
        "git-login",
        SecretType::BasicAuth,
        &[("username", USER), ("password", PASSWORD)],
    );
    fx.add(
        "wrong-login",
        SecretType::BasicAuth,
        &[("username", USER), ("password", "not-it")],
    );
    let url = server.url("127.0.0.1", "/git/repo.git");
    let target = git_job(
        &mut fx,
        "clone",
        &url,
        &[
            (SecretRole::Auth, "git-login"),
            (SecretRole::CaBundle, "ca"),
            (SecretRole::ClientCertificate, "client-cert"),
        ],
    );
    let (recorder, argv_log) = recording_git(fx.dir.path());
    let ctx = RunContext {
        git: recorder,
        ..fx.context()
    };
    let run = coffer_jobs::run_job(
        &mut fx,
        &JobRef::named("clone"),
        coffer_core::job::RunTrigger::Manual,
        &ctx,
    )
    .unwrap();
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "{:?}\n{}",
        run.error,
        run.log
    );
    assert_eq!(run.result["action"], "cloned");
    assert_eq!(run.result["commit"], git(&bare, &["rev-parse", "main"]));
    assert_eq!(
        std::fs::read_to_string(target.join("README")).unwrap(),
        "one\n"
    );
    // After a push the next run updates.
    let second = push_commit(&work, &bare, "two\n");
    let run = coffer_jobs::run_job(
        &mut fx,
        &JobRef::named("clone"),
        coffer_core::job::RunTrigger::Manual,
        &ctx,
    )
    .unwrap();
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "{:?}\n{}",
        run.error,
        run.log
    );
    assert_eq!(run.result["action"], "updated");
    assert_eq!(run.result["commit"], second);
    assert_eq!(run.result["changed"], true);
    assert_eq!(
        std::fs::read_to_string(target.join("README")).unwrap(),
        "two\n"
    );
    // The password is nowhere: config, remote URL, arguments, log, temp files.
    let config = std::fs::read_to_string(target.join(".git/config")).unwrap();
    assert!(!config.contains(PASSWORD), "{config}");
    let remote = git(&target, &["remote", "get-url", "origin"]);
    assert_eq!(remote, url);
    let argv = std::fs::read_to_string(&argv_log).unwrap();
    assert!(argv.contains("clone") && argv.contains("fetch"), "{argv}");
    assert!(!argv.contains(PASSWORD), "{argv}");
    assert!(
        crate::support::any_file_contains(&target.join(".git"), PASSWORD.as_bytes()).is_none(),
        "the password was written into the repository"
    );
    assert!(
        files_under(&ctx.temp_dir).is_empty(),
        "{:?}",
        files_under(&ctx.temp_dir)
    );
    // Wrong credentials fail clearly, and without the value.
    git_job(
        &mut fx,
        "wrong",
        &url,
        &[
            (SecretRole::Auth, "wrong-login"),
            (SecretRole::CaBundle, "ca"),
            (SecretRole::ClientCertificate, "client-cert"),
        ],
    );
    let run = coffer_jobs::run_job(
        &mut fx,
        &JobRef::named("wrong"),
        coffer_core::job::RunTrigger::Manual,
        &ctx,
    )
    .unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    let error = run.error.unwrap();
    assert!(error.contains("refused the credentials"), "{error}");
    assert!(!error.contains("not-it") && !run.log.contains("not-it"));
    crate::http_fetch::assert_no_canary(&mut fx, &[PASSWORD]);
}

/// `sshd` on a loopback port, as this user, with its own host key.
struct Sshd {
    child: Child,
}

impl Sshd {
    fn start(dir: &Path, port: u16, authorized_key: &str) -> Self {
        let sshd = require("sshd", "openssh-server");
        std::fs::create_dir_all(dir).unwrap();
        let host_key = dir.join("host_ed25519");
        if !host_key.exists() {
            let status = Command::new(require("ssh-keygen", "openssh-client"))
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(&host_key)
                .status()
                .unwrap();
            assert!(status.success());
        }
        std::fs::write(dir.join("authorized_keys"), format!("{authorized_key}\n")).unwrap();
        let user = std::env::var("USER")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(whoami);
        std::fs::write(
            dir.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\n\
                 AuthorizedKeysFile {}\nStrictModes no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nUsePAM no\n\
                 PermitRootLogin prohibit-password\nAllowUsers {user}\nLogLevel ERROR\n",
                host_key.display(),
                dir.join("sshd.pid").display(),
                dir.join("authorized_keys").display(),
            ),
        )
        .unwrap();
        // sshd as root wants its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "sshd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn whoami() -> String {
    String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn git_over_ssh_pins_the_host_key_and_removes_the_key_file() {
    require("git", "git");
    require("ssh", "openssh-client");
    let mut fx = Fixture::new();
    let root = fx.file("served");
    std::fs::create_dir_all(&root).unwrap();
    let work = repository(&root);
    let bare = root.join("repo.git");
    // A key pair for the client, kept in the vault.
    let key_path = fx.file("client_ed25519");
    let status = Command::new(require("ssh-keygen", "openssh-client"))
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "coffer-test", "-f"])
        .arg(&key_path)
        .status()
        .unwrap();
    assert!(status.success());
    let private = std::fs::read_to_string(&key_path).unwrap();
    let public = std::fs::read_to_string(key_path.with_extension("pub")).unwrap();
    std::fs::remove_file(&key_path).unwrap();
    fx.add(
        "deploy-key",
        SecretType::SshKeyPair,
        &[("private_key", &private)],
    );
    let port = free_port();
    let sshd_dir = fx.file("sshd");
    let sshd = Sshd::start(&sshd_dir, port, public.trim());
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(whoami);
    let url = format!("ssh://{user}@127.0.0.1:{port}{}", bare.display());
    let target = git_job(&mut fx, "ssh", &url, &[(SecretRole::SshKey, "deploy-key")]);
    let ctx = fx.context();
    let run = coffer_jobs::run_job(
        &mut fx,
        &JobRef::named("ssh"),
        coffer_core::job::RunTrigger::Manual,
        &ctx,
    )
    .unwrap();
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "{:?}\n{}",
        run.error,
        run.log
    );
    assert_eq!(run.result["action"], "cloned");
    assert_eq!(
        std::fs::read_to_string(target.join("README")).unwrap(),
        "one\n"
    );
    assert!(
        files_under(&ctx.temp_dir).is_empty(),
        "the key file is gone: {:?}",
        files_under(&ctx.temp_dir)
    );
    let job = fx.job(&JobRef::named("ssh")).unwrap();
    let pinned = job.state["ssh_known_hosts"].as_array().unwrap();
    assert_eq!(pinned.len(), 1);
    let host_public = std::fs::read_to_string(sshd_dir.join("host_ed25519.pub")).unwrap();
    let host_key_b64 = host_public.split_whitespace().nth(1).unwrap();
    assert!(pinned[0].as_str().unwrap().contains(host_key_b64));
    // Same key: the update works.
    let second = push_commit(&work, &bare, "two\n");
    let run = coffer_jobs::run_job(
        &mut fx,
        &JobRef::named("ssh"),
        coffer_core::job::RunTrigger::Manual,
        &ctx,
    )
    .unwrap();
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "{:?}\n{}",
        run.error,
        run.log
    );
    assert_eq!(run.result["commit"], second);
    // The server's host key changes: the run fails and says so.
    drop(sshd);
    std::fs::remove_file(sshd_dir.join("host_ed25519")).unwrap();
    std::fs::remove_file(sshd_dir.join("host_ed25519.pub")).unwrap();
    let sshd = Sshd::start(&sshd_dir, port, public.trim());
    let run = coffer_jobs::run_job(
        &mut fx,
        &JobRef::named("ssh"),
        coffer_core::job::RunTrigger::Manual,
        &ctx,
    )
    .unwrap();
    assert_eq!(run.status, RunStatus::Failed, "{}", run.log);
    let error = run.error.unwrap();
    assert!(error.contains("host key"), "{error}");
    assert!(files_under(&ctx.temp_dir).is_empty());
    assert!(!run.log.contains("BEGIN OPENSSH PRIVATE KEY"));
    drop(sshd);
}
