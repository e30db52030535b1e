//! `http_fetch` against real HTTPS servers on 127.0.0.1: every kind of
//! auth secret, OAuth 2.0 client credentials from the server's own token
//! endpoint, mutual TLS, a private CA, and a redirect to another host that
//! must receive no credentials.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use coffer_core::job::{HttpFetchSpec, JobRef, JobSpec, RunStatus, RunTrigger, SecretRole};
use coffer_core::secret::{SecretRef, SecretType, ValueChange, text_input};
use sha2::Digest;

use crate::pki::{pki, server_config};
use crate::server::{self, Response, Server};
use crate::support::{Fixture, any_file_contains};

pub const USER: &str = "alice";
pub const PASSWORD: &str = "basic-canary-pw-7d1f";
const TOKEN: &str = "bearer-canary-token-99a";
const CUSTOM: &str = "custom-canary-token-5b2";
const API_KEY: &str = "apikey-canary-value-3c4";
const CLIENT_ID: &str = "coffer-client";
const CLIENT_SECRET: &str = "oauth-canary-secret-42/+";
const SCOPES: &str = "artifacts:read repo:list";

pub struct Servers {
    pub main: Server,
    pub other: Server,
    pub version: Arc<AtomicU32>,
    pub tokens_issued: Arc<AtomicU32>,
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

fn form_value(body: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

pub fn servers() -> Servers {
    let other = server::start(
        server_config(),
        Arc::new(|_req: &server::Request| Response::ok("landed")),
    );
    let other_port = other.port;
    let version = Arc::new(AtomicU32::new(1));
    let tokens_issued = Arc::new(AtomicU32::new(0));
    let (v, issued) = (version.clone(), tokens_issued.clone());
    let main = server::start(
        server_config(),
        Arc::new(move |req: &server::Request| {
            let auth = req.header("authorization").unwrap_or("");
            let denied =
                || Response::status(401, "no").header("WWW-Authenticate", "Basic realm=\"t\"");
            match req.path() {
                "/basic" if auth == basic(USER, PASSWORD) => Response::ok("basic-ok"),
                "/bearer" if auth == format!("Bearer {TOKEN}") => Response::ok("bearer-ok"),
                "/custom" if req.header("x-deploy-token") == Some(CUSTOM) && auth.is_empty() => {
                    Response::ok("custom-ok")
                }
                "/apikey" if req.header("x-api-key") == Some(API_KEY) => Response::ok("apikey-ok"),
                "/oauth/token" => {
                    let id = url::form_urlencoded::byte_serialize(CLIENT_ID.as_bytes())
                        .collect::<String>();
                    let secret = url::form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes())
                        .collect::<String>();
                    let body = String::from_utf8_lossy(&req.body).into_owned();
                    if req.method != "POST" || auth != basic(&id, &secret) {
                        return denied();
                    }
                    if form_value(&body, "grant_type").as_deref() != Some("client_credentials")
                        || form_value(&body, "scope").as_deref() != Some(SCOPES)
                    {
                        return Response::status(400, "{\"error\":\"invalid_scope\"}");
                    }
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    Response::ok(format!(
                        "{{\"access_token\":\"issued-token-{n}\",\"token_type\":\"Bearer\",\"expires_in\":3600}}"
                    ))
                    .header("Content-Type", "application/json")
                }
                "/oauth/data" if auth.starts_with("Bearer issued-token-") => {
                    Response::ok("oauth-ok")
                }
                "/mtls" if req.client_cert => Response::ok("mtls-ok"),
                "/mtls" => Response::status(403, "client certificate required"),
                "/redirect-away" => Response::status(302, "").header(
                    "Location",
                    &format!("https://localhost:{other_port}/landing"),
                ),
                "/redirect-home" => Response::status(302, "").header("Location", "/basic"),
                "/content" => Response::ok(format!("content version {}", v.load(Ordering::SeqCst))),
                "/slow" => Response {
                    status: 200,
                    headers: vec![],
                    body: server::Body::Slow {
                        total: 64 * 1024 * 1024,
                        chunk: 16 * 1024,
                        delay: std::time::Duration::from_millis(20),
                    },
                },
                _ => denied(),
            }
        }),
    );
    Servers {
        main,
        other,
        version,
        tokens_issued,
    }
}

/// The secrets every test here uses.
pub fn secrets(fx: &mut Fixture) {
    let pki = pki();
    fx.add("ca", SecretType::CaBundle, &[("certificates", &pki.ca_pem)]);
    fx.add(
        "basic",
        SecretType::BasicAuth,
        &[("username", USER), ("password", PASSWORD)],
    );
    fx.add("bearer", SecretType::BearerToken, &[("token", TOKEN)]);
    fx.add(
        "custom",
        SecretType::BearerToken,
        &[("header_name", "X-Deploy-Token"), ("token", CUSTOM)],
    );
    fx.add(
        "apikey",
        SecretType::ApiKey,
        &[("header_name", "X-Api-Key"), ("value", API_KEY)],
    );
    fx.add(
        "client-cert",
        SecretType::Certificate,
        &[
            ("certificate", &pki.client_cert_pem),
            ("private_key", &pki.client_key_pem),
        ],
    );
}

fn oauth_secret(fx: &mut Fixture, token_url: &str) {
    fx.add(
        "oauth",
        SecretType::ClientCredentials,
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("scopes", SCOPES),
            ("token_url", token_url),
        ],
    );
}

fn fetch(
    fx: &mut Fixture,
    name: &str,
    url: &str,
    roles: &[(SecretRole, &str)],
) -> std::path::PathBuf {
    let target = fx.file(&format!("{name}.out"));
    let spec = JobSpec::HttpFetch(HttpFetchSpec {
        url: url.into(),
        target: target.clone(),
    });
    fx.add_job(name, spec, roles);
    target
}

/// No canary value anywhere: run history, audit, the vault file, temp files.
pub fn assert_no_canary(fx: &mut Fixture, canaries: &[&str]) {
    let jobs = fx.jobs(None).unwrap();
    for job in jobs {
        for run in fx.job_runs(&JobRef::Id(job.id), 100).unwrap() {
            let text = serde_json::to_string(&run).unwrap();
            for canary in canaries {
                assert!(!text.contains(canary), "{canary} in run {}: {text}", run.id);
            }
        }
    }
    let audit = serde_json::to_string(&fx.audit_entries(None, 10_000).unwrap()).unwrap();
    for canary in canaries {
        assert!(!audit.contains(canary), "{canary} in the audit log");
        assert!(
            any_file_contains(&fx.dir.path().join("run-temp"), canary.as_bytes()).is_none(),
            "{canary} left in a temporary file"
        );
    }
}

#[test]
fn every_auth_kind_authenticates_and_changes_are_tracked() {
    let servers = servers();
    let mut fx = Fixture::new();
    secrets(&mut fx);
    for (name, path) in [
        ("basic", "/basic"),
        ("bearer", "/bearer"),
        ("custom", "/custom"),
        ("apikey", "/apikey"),
    ] {
        let target = fetch(
            &mut fx,
            name,
            &servers.main.url("127.0.0.1", path),
            &[(SecretRole::Auth, name), (SecretRole::CaBundle, "ca")],
        );
        let run = fx.run(name);
        assert_eq!(
            run.status,
            RunStatus::Succeeded,
            "{name}: {:?} {}",
            run.error,
            run.log
        );
        let body = std::fs::read(&target).unwrap();
        assert_eq!(body, format!("{name}-ok").as_bytes());
        assert_eq!(run.result["status"], 200);
        assert_eq!(run.result["size"], body.len());
        assert_eq!(
            run.result["sha256"],
            hex::encode(sha2::Sha256::digest(&body))
        );
        assert_eq!(run.result["changed"], true);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&target).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        let again = fx.run(name);
        assert_eq!(again.result["changed"], false, "{name}");
        // The secret records its use.
        assert!(
            fx.get(&SecretRef::named(name))
                .unwrap()
                .last_used_at
                .is_some()
        );
    }
    // Content changes are seen.
    let target = fetch(
        &mut fx,
        "content",
        &servers.main.url("127.0.0.1", "/content"),
        &[(SecretRole::CaBundle, "ca")],
    );
    assert_eq!(fx.run("content").result["changed"], true);
    assert_eq!(fx.run("content").result["changed"], false);
    servers.version.store(2, Ordering::SeqCst);
    assert_eq!(fx.run("content").result["changed"], true);
    assert_eq!(
        std::fs::read_to_string(target).unwrap(),
        "content version 2"
    );
    // A wrong credential is an HTTP failure, told without the value.
    fx.add(
        "wrong",
        SecretType::BasicAuth,
        &[("username", USER), ("password", "nope-nope")],
    );
    fetch(
        &mut fx,
        "wrong",
        &servers.main.url("127.0.0.1", "/basic"),
        &[(SecretRole::Auth, "wrong"), (SecretRole::CaBundle, "ca")],
    );
    let run = fx.run("wrong");
    assert_eq!(run.status, RunStatus::Failed);
    assert!(
        run.error.as_deref().unwrap().contains("HTTP 401"),
        "{:?}",
        run.error
    );
    // The jobs list marks jobs that use secrets.
    let content = fx.job(&JobRef::named("content")).unwrap();
    assert!(content.uses_secrets);
    assert_no_canary(&mut fx, &[PASSWORD, TOKEN, CUSTOM, API_KEY]);
}

#[test]
fn oauth_tokens_are_fetched_with_their_scopes_and_cached_per_version() {
    let servers = servers();
    let mut fx = Fixture::new();
    secrets(&mut fx);
    oauth_secret(&mut fx, &servers.main.url("127.0.0.1", "/oauth/token"));
    fetch(
        &mut fx,
        "oauth",
        &servers.main.url("127.0.0.1", "/oauth/data"),
        &[(SecretRole::Auth, "oauth"), (SecretRole::CaBundle, "ca")],
    );
    let ctx = fx.context();
    for _ in 0..3 {
        let run = coffer_jobs::run_job(&mut fx, &JobRef::named("oauth"), RunTrigger::Manual, &ctx)
            .unwrap();
        assert_eq!(
            run.status,
            RunStatus::Succeeded,
            "{:?} {}",
            run.error,
            run.log
        );
    }
    assert_eq!(
        servers.tokens_issued.load(Ordering::SeqCst),
        1,
        "the token is reused"
    );
    // A new version of the secret gets its own token.
    fx.update_value(
        &SecretRef::named("oauth"),
        ValueChange {
            set: vec![text_input("audience", "artifacts")],
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let run =
        coffer_jobs::run_job(&mut fx, &JobRef::named("oauth"), RunTrigger::Manual, &ctx).unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    assert_eq!(servers.tokens_issued.load(Ordering::SeqCst), 2);
    // The token endpoint saw the scopes; a wrong scope is refused there.
    let token_requests: Vec<_> = servers
        .main
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/oauth/token")
        .collect();
    assert_eq!(token_requests.len(), 2);
    assert_no_canary(&mut fx, &[CLIENT_SECRET, "issued-token-1"]);
}

#[test]
fn mutual_tls_and_a_private_ca() {
    let servers = servers();
    let mut fx = Fixture::new();
    secrets(&mut fx);
    let url = servers.main.url("127.0.0.1", "/mtls");
    fetch(
        &mut fx,
        "mtls",
        &url,
        &[
            (SecretRole::ClientCertificate, "client-cert"),
            (SecretRole::CaBundle, "ca"),
        ],
    );
    let run = fx.run("mtls");
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "{:?} {}",
        run.error,
        run.log
    );
    assert!(
        servers
            .main
            .requests()
            .iter()
            .any(|r| r.path() == "/mtls" && r.client_cert)
    );
    fetch(&mut fx, "no-cert", &url, &[(SecretRole::CaBundle, "ca")]);
    let run = fx.run("no-cert");
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.error.unwrap().contains("HTTP 403"));
    // A certificate from a CA the server does not trust is turned away.
    let pki = pki();
    fx.add(
        "rogue-cert",
        SecretType::Certificate,
        &[
            ("certificate", &pki.rogue_cert_pem),
            ("private_key", &pki.rogue_key_pem),
        ],
    );
    fetch(
        &mut fx,
        "rogue",
        &url,
        &[
            (SecretRole::ClientCertificate, "rogue-cert"),
            (SecretRole::CaBundle, "ca"),
        ],
    );
    let run = fx.run("rogue");
    assert_eq!(run.status, RunStatus::Failed);
    let error = run.error.unwrap();
    assert!(error.contains("TLS"), "{error}");
    // Without the CA bundle the server is not trusted: TLS fails.
    fetch(
        &mut fx,
        "no-ca",
        &servers.main.url("127.0.0.1", "/basic"),
        &[(SecretRole::Auth, "basic")],
    );
    let run = fx.run("no-ca");
    assert_eq!(run.status, RunStatus::Failed);
    let error = run.error.unwrap();
    assert!(
        error.contains("TLS") && error.to_lowercase().contains("certificate"),
        "{error}"
    );
    assert!(!error.contains(PASSWORD));
    assert!(
        !servers
            .main
            .requests()
            .iter()
            .any(|r| r.header("authorization").is_some() && r.path() == "/basic"),
        "no request went through without trust"
    );
}

#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    let servers = servers();
    let mut fx = Fixture::new();
    secrets(&mut fx);
    for (name, auth) in [("away-basic", "basic"), ("away-custom", "custom")] {
        let target = fetch(
            &mut fx,
            name,
            &servers.main.url("127.0.0.1", "/redirect-away"),
            &[
                (SecretRole::Auth, auth),
                (SecretRole::CaBundle, "ca"),
                (SecretRole::ClientCertificate, "client-cert"),
            ],
        );
        let run = fx.run(name);
        assert_eq!(
            run.status,
            RunStatus::Succeeded,
            "{:?} {}",
            run.error,
            run.log
        );
        assert_eq!(std::fs::read_to_string(target).unwrap(), "landed");
        assert_eq!(run.result["redirects"], 1);
        assert!(run.log.contains("no credentials sent"), "{}", run.log);
    }
    let landed = servers.other.requests();
    assert_eq!(landed.len(), 2);
    for request in &landed {
        assert_eq!(request.header("authorization"), None);
        assert_eq!(request.header("x-deploy-token"), None);
        assert!(
            !request.client_cert,
            "the client certificate went to another host"
        );
        let all = format!("{:?}", request.headers);
        assert!(!all.contains(PASSWORD) && !all.contains(CUSTOM));
    }
    // A redirect on the same origin keeps the credentials.
    let target = fetch(
        &mut fx,
        "home",
        &servers.main.url("127.0.0.1", "/redirect-home"),
        &[(SecretRole::Auth, "basic"), (SecretRole::CaBundle, "ca")],
    );
    let run = fx.run("home");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    assert_eq!(std::fs::read_to_string(target).unwrap(), "basic-ok");
    assert_no_canary(&mut fx, &[PASSWORD, CUSTOM]);
}
