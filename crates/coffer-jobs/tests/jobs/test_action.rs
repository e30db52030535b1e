//! The Test action against the HTTPS test server: status and TLS facts,
//! never the value.

use coffer_core::secret::SecretRef;
use coffer_jobs::probe::{TestOptions, test_secret};

use std::sync::Arc;

use crate::http_fetch::{PASSWORD, secrets, servers};
use crate::pki::server_config_without_client_auth;
use crate::server;
use crate::support::Fixture;

#[test]
fn test_reports_status_and_tls_facts_without_the_value() {
    let servers = servers();
    let mut fx = Fixture::new();
    secrets(&mut fx);
    let with_ca = TestOptions {
        ca_bundle: Some(SecretRef::named("ca")),
        project: None,
        store_password: None,
    };
    let report = test_secret(
        &mut fx,
        &SecretRef::named("basic"),
        &servers.main.url("127.0.0.1", "/basic"),
        &with_ca,
    )
    .unwrap();
    assert_eq!(report.status, 200);
    assert!(report.ok);
    assert_eq!(report.sent, "basic auth as alice");
    let tls = report.tls.as_ref().unwrap();
    assert_eq!(tls.protocol, "TLSv1.3");
    assert!(tls.cipher.starts_with("TLS13_"), "{}", tls.cipher);
    assert!(
        tls.peer_subject.contains("coffer test server"),
        "{}",
        tls.peer_subject
    );
    assert!(
        tls.peer_issuer.contains("Coffer Test Server CA"),
        "{}",
        tls.peer_issuer
    );
    assert!(tls.peer_not_after.is_some());
    assert!(
        tls.peer_san.iter().any(|s| s.contains("127.0.0.1")),
        "{:?}",
        tls.peer_san
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(PASSWORD));

    let report = test_secret(
        &mut fx,
        &SecretRef::named("bearer"),
        &servers.main.url("127.0.0.1", "/basic"),
        &with_ca,
    )
    .unwrap();
    assert_eq!(report.status, 401);
    assert!(!report.ok);

    let report = test_secret(
        &mut fx,
        &SecretRef::named("client-cert"),
        &servers.main.url("127.0.0.1", "/mtls"),
        &with_ca,
    )
    .unwrap();
    assert_eq!(report.status, 200, "{report:?}");
    let tls = report.tls.unwrap();
    assert!(
        tls.client_certificate_requested,
        "the server asks (optionally)"
    );
    assert!(tls.client_certificate_sent);
    assert!(tls.client_certificate_available);
    assert!(report.sent.contains("coffer-client"), "{}", report.sent);

    // A password test against a server that asks for a certificate: asked, none to send.
    let report = test_secret(
        &mut fx,
        &SecretRef::named("basic"),
        &servers.main.url("127.0.0.1", "/basic"),
        &with_ca,
    )
    .unwrap();
    let tls = report.tls.unwrap();
    assert!(tls.client_certificate_requested);
    assert!(!tls.client_certificate_sent);
    assert!(!tls.client_certificate_available);

    // Redirects are reported, not followed.
    let report = test_secret(
        &mut fx,
        &SecretRef::named("basic"),
        &servers.main.url("127.0.0.1", "/redirect-away"),
        &with_ca,
    )
    .unwrap();
    assert_eq!(report.status, 302);
    assert!(report.location.unwrap().contains("localhost"));
    assert!(servers.other.requests().is_empty());

    // Without the CA the server is not trusted, and the error says what to do.
    let err = test_secret(
        &mut fx,
        &SecretRef::named("basic"),
        &servers.main.url("127.0.0.1", "/basic"),
        &TestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "tls", "{err}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    assert!(err.to_string().contains("CA bundle"), "{err}");
    assert!(!err.to_string().contains(PASSWORD));
    let uses = fx
        .audit_entries(Some(&SecretRef::named("basic")), 10)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "secret.use" && e.detail["purpose"] == "test")
        .count();
    assert_eq!(uses, 4);
}

#[test]
fn test_reports_that_a_server_never_asked_for_the_client_certificate() {
    let server = server::start(
        server_config_without_client_auth(),
        Arc::new(|req: &server::Request| {
            if req.client_cert {
                server::Response::ok("with a certificate")
            } else {
                server::Response::status(401, "who are you?")
            }
        }),
    );
    let mut fx = Fixture::new();
    secrets(&mut fx);
    let with_ca = TestOptions {
        ca_bundle: Some(SecretRef::named("ca")),
        project: None,
        store_password: None,
    };
    let report = test_secret(
        &mut fx,
        &SecretRef::named("client-cert"),
        &server.url("127.0.0.1", "/"),
        &with_ca,
    )
    .unwrap();
    assert_eq!(report.status, 401);
    let tls = report.tls.unwrap();
    assert!(!tls.client_certificate_requested, "never asked");
    assert!(!tls.client_certificate_sent, "so none was sent");
    assert!(tls.client_certificate_available, "though one was there");
    assert!(
        report.sent.starts_with("nothing: the server did not ask"),
        "{}",
        report.sent
    );
    assert!(server.requests().iter().all(|r| !r.client_cert));
}
