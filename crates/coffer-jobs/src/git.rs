//! `git_fetch`: clone, then fetch and reset, a repository with the `git`
//! program. Credentials never reach the URL, the arguments or
//! `.git/config`: over HTTPS they come from an askpass program that answers
//! only for the job's own server (reading them from its environment), and a
//! CA bundle and client certificate are passed as files through
//! `GIT_CONFIG_*` variables; over SSH the key is a temporary 0600 file, and
//! the server's host key is pinned on first use — a changed key fails.
//!
//! git runs with no system or global configuration and an environment from
//! an allow list ([`crate::child_env`]); `HOME` and `XDG_CONFIG_HOME` are
//! the run's scratch directory, so neither `~/.gitconfig`, `~/.ssh/config`
//! nor `GIT_SSL_NO_VERIFY` in Coffer's environment can loosen a check.
//! Credentials (and a client certificate) go over https only, or plain http
//! to this machine, as for `http_fetch`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use coffer_core::ExposeSecret;
use coffer_core::job::{GitFetchSpec, Job, SecretRole, git_uses_ssh};
use coffer_core::secret::SecretData;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::process::{self, OutputMode};
use crate::resolve::Resolved;
use crate::runner::{RunContext, role, role_secret};
use crate::scratch::Scratch;

/// Time limit of one git command.
const GIT_TIMEOUT: Duration = Duration::from_secs(1800);
/// The user name sent with a bearer token when the job names none.
const DEFAULT_TOKEN_USER: &str = "x-access-token";

/// Answers git's prompts for the job's server only; anything else gets nothing.
const ASKPASS: &str = r#"#!/bin/sh
# Written by Coffer for one run and removed after it.
prompt=$1
target=${prompt#*\'}
target=${target%\'*}
case "$target" in *@*) target="${target%%://*}://${target#*@}" ;; esac
[ "$target" = "$COFFER_GIT_ORIGIN" ] || exit 1
case "$prompt" in
  Username*) printf '%s\n' "$COFFER_GIT_USERNAME" ;;
  Password*) printf '%s\n' "$COFFER_GIT_PASSWORD" ;;
  *) exit 1 ;;
esac
"#;

/// Quotes a path for the shell that runs `GIT_SSH_COMMAND`.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// `scheme://host[:port]` as git prints it in prompts.
fn prompt_origin(url: &url::Url) -> String {
    match url.port() {
        Some(port) => format!("{}://{}:{port}", url.scheme(), url.host_str().unwrap_or("")),
        None => format!("{}://{}", url.scheme(), url.host_str().unwrap_or("")),
    }
}

fn pem_of_der(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Environment and configuration for one run of git.
struct GitSetup {
    /// The scratch directory, git's `HOME`.
    home: std::path::PathBuf,
    env: Vec<(String, Zeroizing<String>)>,
    config: Vec<(String, String)>,
    ssh_known_hosts: Option<std::path::PathBuf>,
    pinned: Vec<String>,
}

impl GitSetup {
    fn command(&self, ctx: &RunContext) -> Command {
        let mut cmd = Command::new(&ctx.git);
        crate::child_env::for_tool(&mut cmd);
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.home);
        for (name, value) in &self.env {
            cmd.env(name, value.as_str());
        }
        cmd.env("GIT_CONFIG_COUNT", self.config.len().to_string());
        for (i, (key, value)) in self.config.iter().enumerate() {
            cmd.env(format!("GIT_CONFIG_KEY_{i}"), key)
                .env(format!("GIT_CONFIG_VALUE_{i}"), value);
        }
        cmd
    }
}

fn setup(
    job: &Job,
    spec: &GitFetchSpec,
    roles: &[(SecretRole, String)],
    resolved: &mut Resolved,
    scratch: &Scratch,
    ctx: &RunContext,
    log: &mut Vec<String>,
) -> Result<GitSetup> {
    let mut setup = GitSetup {
        home: scratch.path().to_owned(),
        env: Vec::new(),
        // An empty helper clears helpers from the user's configuration, so
        // no credential is stored by `credential.helper=store` and the like.
        config: vec![
            ("credential.helper".into(), String::new()),
            ("http.sslVerify".into(), "true".into()),
        ],
        ssh_known_hosts: None,
        pinned: Vec::new(),
    };
    if git_uses_ssh(&spec.repo_url) {
        let known_hosts = scratch.path().join("known_hosts");
        setup.pinned = job.state["ssh_known_hosts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut lines = setup.pinned.join("\n");
        if !lines.is_empty() {
            lines.push('\n');
        }
        scratch.write("known_hosts", lines.as_bytes(), 0o600)?;
        let policy = if setup.pinned.is_empty() {
            log.push("no pinned host key yet: the server's key is pinned on this first use".into());
            "accept-new"
        } else {
            "yes"
        };
        let mut ssh = format!(
            "{} -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
             -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
             -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null \
             -o StrictHostKeyChecking={policy} -o HashKnownHosts=no -o ConnectTimeout=30",
            shell_quote(&ctx.ssh),
            shell_quote(&known_hosts)
        );
        if let Some((name, used)) = role_secret(resolved, roles, SecretRole::SshKey)? {
            let SecretData::SshKeyPair(pair) = &used.data else {
                return Err(Error::invalid(
                    "ssh_key",
                    format!("{name} is not an SSH key pair"),
                ));
            };
            let mut key = Zeroizing::new(pair.private_key.expose_secret().to_owned());
            if !key.ends_with('\n') {
                key.push('\n');
            }
            let path = scratch.write("id", key.as_bytes(), 0o600)?;
            ssh.push_str(&format!(" -i {}", shell_quote(&path)));
            log.push(format!(
                "SSH key {name} ({})",
                pair.summary["fingerprint"].as_str().unwrap_or("")
            ));
        }
        setup
            .env
            .push(("GIT_SSH_COMMAND".into(), Zeroizing::new(ssh)));
        setup.ssh_known_hosts = Some(known_hosts);
        return Ok(setup);
    }
    let url = url::Url::parse(&spec.repo_url)
        .map_err(|e| Error::invalid("repo_url", format!("{}: {e}", spec.repo_url)))?;
    // As when the job was saved: a stored spec may have been changed since.
    if role(roles, SecretRole::Auth).is_some()
        || role(roles, SecretRole::ClientCertificate).is_some()
    {
        coffer_core::secret::validate::credential_url("repo_url", &spec.repo_url)?;
    }
    if let Some((name, used)) = role_secret(resolved, roles, SecretRole::Auth)? {
        let (user, password) = match &used.data {
            SecretData::BasicAuth(b) => (
                b.username.clone(),
                Zeroizing::new(b.password.expose_secret().to_owned()),
            ),
            SecretData::BearerToken(t) => (
                spec.token_username
                    .clone()
                    .unwrap_or_else(|| DEFAULT_TOKEN_USER.to_owned()),
                Zeroizing::new(t.token.expose_secret().to_owned()),
            ),
            other => {
                return Err(Error::invalid(
                    "auth",
                    format!(
                        "{name} is a {} secret; git takes basic_auth or bearer_token",
                        other.kind()
                    ),
                ));
            }
        };
        let askpass = scratch.write("askpass", ASKPASS.as_bytes(), 0o700)?;
        setup.env.push((
            "GIT_ASKPASS".into(),
            Zeroizing::new(askpass.display().to_string()),
        ));
        setup.env.push((
            "COFFER_GIT_ORIGIN".into(),
            Zeroizing::new(prompt_origin(&url)),
        ));
        setup
            .env
            .push(("COFFER_GIT_USERNAME".into(), Zeroizing::new(user.clone())));
        setup.env.push(("COFFER_GIT_PASSWORD".into(), password));
        log.push(format!(
            "authenticating as {user} with {name} (through askpass)"
        ));
    }
    if let Some((name, used)) = role_secret(resolved, roles, SecretRole::CaBundle)? {
        let pem = match &used.data {
            SecretData::CaBundle(b) => b.certificates.expose_secret().to_owned(),
            SecretData::Certificate(c) => c.certificate.expose_secret().to_owned(),
            other => {
                return Err(Error::invalid(
                    "ca_bundle",
                    format!("{name} is a {} secret", other.kind()),
                ));
            }
        };
        // git's CA file replaces its default roots: put the system's in too.
        let mut bundle: String = rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .map(|c| pem_of_der(c.as_ref()))
            .collect();
        bundle.push_str(&pem);
        bundle.push('\n');
        let path = scratch.write("ca.pem", bundle.as_bytes(), 0o600)?;
        setup
            .config
            .push(("http.sslCAInfo".into(), path.display().to_string()));
        // The environment's GIT_SSL_CAINFO would win over the configuration.
        setup.env.push((
            "GIT_SSL_CAINFO".into(),
            Zeroizing::new(path.display().to_string()),
        ));
        log.push(format!("trusting the CAs of {name} besides the system's"));
    }
    if let Some((name, used)) = role_secret(resolved, roles, SecretRole::ClientCertificate)? {
        let SecretData::Certificate(c) = &used.data else {
            return Err(Error::invalid(
                "client_certificate",
                format!("{name} is not a certificate"),
            ));
        };
        let key = c.private_key.as_ref().ok_or_else(|| {
            Error::invalid("client_certificate", format!("{name} has no private key"))
        })?;
        let cert = scratch.write(
            "client.pem",
            c.certificate.expose_secret().as_bytes(),
            0o600,
        )?;
        let key = scratch.write("client.key", key.expose_secret().as_bytes(), 0o600)?;
        setup
            .config
            .push(("http.sslCert".into(), cert.display().to_string()));
        setup
            .config
            .push(("http.sslKey".into(), key.display().to_string()));
        log.push(format!("client certificate {name}"));
    }
    Ok(setup)
}

fn git(
    setup: &GitSetup,
    ctx: &RunContext,
    args: &[&str],
    dir: Option<&Path>,
    resolved: &Resolved,
    log: &mut Vec<String>,
) -> Result<String> {
    let mut cmd = setup.command(ctx);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.args(args);
    let shown = format!("git {}", args.first().copied().unwrap_or_default());
    let finished = process::run(
        cmd,
        &shown,
        resolved.redactor(),
        OutputMode::Capture,
        Some(GIT_TIMEOUT),
    )?;
    if finished.timed_out {
        return Err(Error::process(format!(
            "{shown} took longer than {}s",
            GIT_TIMEOUT.as_secs()
        )));
    }
    if finished.exit_code != 0 {
        let output = finished.output.trim().to_owned();
        if !output.is_empty() {
            log.push(output.clone());
        }
        let hint = if output.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
            || (output.contains("Host key verification failed") && !setup.pinned.is_empty())
        {
            " — the server's SSH host key differs from the one pinned on first use; if the \
             change is expected, clear the job's pinned host key"
        } else if output.contains("Authentication failed")
            || output.contains("could not read Username")
        {
            " — the server refused the credentials"
        } else {
            ""
        };
        let last = output.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(Error::process(format!(
            "{shown} failed with status {}{hint}: {last}",
            finished.exit_code
        )));
    }
    Ok(finished.output)
}

/// Clones or updates the working copy; returns the result and the job's new state.
pub fn fetch(
    job: &Job,
    spec: &GitFetchSpec,
    roles: &[(SecretRole, String)],
    resolved: &mut Resolved,
    ctx: &RunContext,
    log: &mut Vec<String>,
) -> Result<(Value, Value)> {
    let scratch = Scratch::new(&ctx.temp_dir)?;
    let setup = setup(job, spec, roles, resolved, &scratch, ctx, log)?;
    let target = &spec.target;
    let exists = target.join(".git").exists();
    let before = if exists {
        git(
            &setup,
            ctx,
            &["rev-parse", "HEAD"],
            Some(target),
            resolved,
            log,
        )
        .ok()
        .map(|s| s.trim().to_owned())
    } else {
        None
    };
    let action = if exists {
        git(
            &setup,
            ctx,
            &["remote", "set-url", "origin", &spec.repo_url],
            Some(target),
            resolved,
            log,
        )?;
        let branch = match &spec.branch {
            Some(b) => b.clone(),
            None => git(
                &setup,
                ctx,
                &["rev-parse", "--abbrev-ref", "HEAD"],
                Some(target),
                resolved,
                log,
            )?
            .trim()
            .to_owned(),
        };
        log.push(format!("fetching {branch}"));
        git(
            &setup,
            ctx,
            &["fetch", "--quiet", "--no-tags", "origin", &branch],
            Some(target),
            resolved,
            log,
        )?;
        git(
            &setup,
            ctx,
            &["reset", "--quiet", "--hard", "FETCH_HEAD"],
            Some(target),
            resolved,
            log,
        )?;
        "updated"
    } else {
        if target.exists()
            && std::fs::read_dir(target)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            return Err(Error::invalid(
                "target",
                format!("{} exists and is not a Git working copy", target.display()),
            ));
        }
        let target_text = target.display().to_string();
        let mut args = vec!["clone", "--quiet"];
        if let Some(branch) = &spec.branch {
            args.extend(["--branch", branch.as_str()]);
        }
        args.extend(["--", spec.repo_url.as_str(), target_text.as_str()]);
        log.push(format!("cloning into {}", target.display()));
        git(&setup, ctx, &args, None, resolved, log)?;
        "cloned"
    };
    let commit = git(
        &setup,
        ctx,
        &["rev-parse", "HEAD"],
        Some(target),
        resolved,
        log,
    )?
    .trim()
    .to_owned();
    let branch = git(
        &setup,
        ctx,
        &["rev-parse", "--abbrev-ref", "HEAD"],
        Some(target),
        resolved,
        log,
    )?
    .trim()
    .to_owned();
    let changed = before.as_deref() != Some(commit.as_str());
    log.push(format!(
        "{action}: {branch} at {commit}{}",
        if changed { "" } else { " (unchanged)" }
    ));
    let mut state = if job.state.is_object() {
        job.state.clone()
    } else {
        json!({})
    };
    if let Some(path) = setup
        .ssh_known_hosts
        .as_ref()
        .filter(|_| setup.pinned.is_empty())
    {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        if !lines.is_empty() {
            log.push(format!("pinned {} host key(s) of the server", lines.len()));
            state["ssh_known_hosts"] = json!(lines);
        }
    }
    state["commit"] = json!(commit);
    Ok((
        json!({ "action": action, "commit": commit, "branch": branch, "changed": changed }),
        state,
    ))
}
