//! Azure failures, each classified with its hint and no value in the
//! message: wrong client secret, expired tokens, throttling, limits checked
//! before sending, TLS without the test CA, DNS, nothing listening.

use std::time::Instant;

use coffer_remote::{
    AZURE_MAX_VALUE_BYTES, AzureConnectOptions, AzureKeyVault, Error, FailureClass, KeyVault as _,
    Tags, WriteRequest,
};

use crate::support::azure_standin::AzureStandIn;

fn write<'a>(name: &'a str, value: &'a [u8], tags: &'a Tags) -> WriteRequest<'a> {
    WriteRequest {
        name,
        value,
        binary: false,
        tags,
        idempotency_token: "tok",
    }
}

#[tokio::test]
async fn a_wrong_client_secret_is_unauthorized_with_the_entra_code() {
    let standin = AzureStandIn::start();
    let wrong = "wrong-secret-do-not-print";
    let vault = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        standin.credentials_with(wrong),
        standin.options(),
    )
    .expect("connect");
    let err = vault.probe().await.expect_err("refused");
    assert_eq!(err.class(), Some(FailureClass::Unauthorized), "{err}");
    assert_eq!(err.code(), coffer_core::ErrorCode::Refused);
    let text = err.to_string();
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(
        text.starts_with("azure-test: testing the connection failed"),
        "{text}"
    );
    assert!(
        !text.contains(wrong),
        "the secret is never in a message: {text}"
    );
    assert!(!text.contains(&standin.client_secret), "{text}");
    assert_eq!(standin.stat("token_refused").await, 1);
    assert_eq!(standin.stat("GET secrets").await, 0, "nothing was read");

    let wrong_client = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        coffer_remote::Credentials::AzureClientSecret {
            client_id: "someone-else".to_owned(),
            client_secret: standin.client_secret.clone().into(),
        },
        standin.options(),
    )
    .expect("connect");
    let err = wrong_client.probe().await.expect_err("unknown client id");
    assert_eq!(err.class(), Some(FailureClass::Unauthorized), "{err}");
    assert!(err.to_string().contains("AADSTS700016"), "{err}");
}

#[tokio::test]
async fn an_expired_token_is_replaced_not_reused() {
    let standin = AzureStandIn::start();
    // Tokens that live 200 s: inside the SDK's 5-minute refresh window, so
    // the client must fetch a new one rather than send one that expires.
    standin
        .control("tokens", serde_json::json!({"lifetime": 200}))
        .await;
    let vault = standin.vault();
    vault.probe().await.expect("first call");
    let issued = standin.stat("tokens_issued").await;
    assert_eq!(issued, 1);
    // The stand-in's clock passes the first token's expiry: the stand-in
    // refuses it from now on.
    standin
        .control("clock", serde_json::json!({"advance": 3600}))
        .await;
    vault.probe().await.expect("a fresh token is used");
    assert_eq!(
        standin.stat("tokens_issued").await,
        2,
        "a new token was fetched"
    );
    assert_eq!(
        standin.stat("challenges").await,
        1,
        "only the first request met the challenge"
    );

    // A token the service no longer accepts (revoked) while the SDK still
    // holds it: a clear unauthorized error, not a hang.
    standin
        .control("tokens", serde_json::json!({"lifetime": 3600}))
        .await;
    let long = standin.vault();
    long.probe().await.expect("fresh client");
    standin
        .control("tokens", serde_json::json!({"revoke": true}))
        .await;
    let err = long.probe().await.expect_err("revoked token");
    assert_eq!(err.class(), Some(FailureClass::Unauthorized), "{err}");
}

#[tokio::test]
async fn throttled_then_recovering_honours_retry_after() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    vault
        .put(write("rate-limited", b"v", &Tags::new()))
        .await
        .expect("put");

    standin
        .control(
            "faults",
            serde_json::json!({"throttle": 2, "retry_after": 1}),
        )
        .await;
    let started = Instant::now();
    let values = vault
        .get_many(&["rate-limited".to_owned()])
        .await
        .expect("recovers");
    assert_eq!(&values[0].value[..], b"v");
    assert!(
        started.elapsed().as_millis() >= 2000,
        "waited Retry-After twice: {:?}",
        started.elapsed()
    );
    assert_eq!(standin.stat("throttled").await, 2);

    // Writes retry on their own (never blindly): throttled twice, then written once.
    standin
        .control(
            "faults",
            serde_json::json!({"throttle": 2, "retry_after": 1, "method": "PUT"}),
        )
        .await;
    let out = vault
        .put(WriteRequest {
            idempotency_token: "tok-2",
            ..write("rate-limited", b"w", &Tags::new())
        })
        .await
        .expect("write recovers");
    assert!(!out.already_written);
    assert_eq!(
        vault
            .versions("rate-limited")
            .await
            .expect("versions")
            .len(),
        2
    );

    // Retries spent: throttled, with the server's Retry-After for the caller.
    standin
        .control("faults", serde_json::json!({"reset": true}))
        .await;
    standin
        .control(
            "faults",
            serde_json::json!({"throttle": 10, "retry_after": 1}),
        )
        .await;
    let impatient = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        standin.credentials(),
        AzureConnectOptions {
            max_retries: 1,
            ..standin.options()
        },
    )
    .expect("connect");
    let err = impatient
        .get_many(&["rate-limited".to_owned()])
        .await
        .expect_err("throttled");
    assert_eq!(err.class(), Some(FailureClass::Throttled), "{err}");
    match &err {
        Error::Remote { retry_after_ms, .. } => assert_eq!(*retry_after_ms, Some(1000)),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn oversize_values_and_bad_names_are_refused_before_sending() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    let tags = Tags::new();
    let before = standin.stat("data_requests").await;

    let big = "x".repeat(AZURE_MAX_VALUE_BYTES + 1);
    let err = vault
        .put(write("too-big", big.as_bytes(), &tags))
        .await
        .expect_err("oversize");
    assert_eq!(err.class(), Some(FailureClass::Rejected));
    assert_eq!(err.code(), coffer_core::ErrorCode::InvalidInput);
    assert!(err.to_string().contains("25600"), "{err}");
    assert!(!err.to_string().contains("xxxx"), "no value in {err}");

    // Binary values are stored as base64: the limit counts the encoded text.
    let binary = vec![7u8; 20 * 1024];
    let err = vault
        .put(WriteRequest {
            binary: true,
            ..write("big-binary", &binary, &tags)
        })
        .await
        .expect_err("base64 over 25 KB");
    assert_eq!(err.class(), Some(FailureClass::Rejected));

    for bad in [
        "db_password",
        "a.b",
        "",
        "with space",
        "é",
        &"n".repeat(128),
    ] {
        let err = vault.put(write(bad, b"v", &tags)).await.expect_err(bad);
        assert_eq!(err.class(), Some(FailureClass::Rejected), "{bad:?}");
        let err = vault.describe(bad).await.expect_err(bad);
        assert_eq!(err.class(), Some(FailureClass::Rejected), "{bad:?}");
    }
    assert_eq!(
        standin.stat("data_requests").await,
        before,
        "nothing was sent for a refused name or size"
    );

    // The limits themselves are allowed.
    let exact = "y".repeat(AZURE_MAX_VALUE_BYTES);
    let longest = "n".repeat(127);
    vault
        .put(write(&longest, exact.as_bytes(), &tags))
        .await
        .expect("at the limits");
    let values = vault
        .get_many(std::slice::from_ref(&longest))
        .await
        .expect("get");
    assert_eq!(values[0].value.len(), AZURE_MAX_VALUE_BYTES);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_failure() {
    let standin = AzureStandIn::start();
    let vault = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        standin.credentials(),
        AzureConnectOptions {
            extra_ca_pem: Vec::new(),
            max_retries: 0,
            ..standin.options()
        },
    )
    .expect("connect");
    let err = vault.probe().await.expect_err("the test CA is not trusted");
    assert_eq!(err.class(), Some(FailureClass::Tls), "{err}");
    assert!(err.class().expect("class").hint().contains("certificate"));

    let garbage = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        standin.credentials(),
        AzureConnectOptions {
            extra_ca_pem: vec![b"not a certificate".to_vec()],
            ..standin.options()
        },
    )
    .expect_err("a CA file without a certificate");
    assert_eq!(garbage.class(), Some(FailureClass::Tls), "{garbage}");
}

#[tokio::test]
async fn nothing_listening_and_unknown_hosts_are_told_apart() {
    let standin = AzureStandIn::start();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut settings = standin.settings();
    settings.vault_uri = format!("https://127.0.0.1:{closed}/");
    let options = AzureConnectOptions {
        max_retries: 0,
        ..standin.options()
    };
    let vault = AzureKeyVault::connect(
        "azure-test",
        &settings,
        standin.credentials(),
        options.clone(),
    )
    .expect("connect");
    let err = vault.probe().await.expect_err("refused");
    assert_eq!(err.class(), Some(FailureClass::Unreachable), "{err}");

    settings.vault_uri = "https://coffer-no-such-vault.invalid/".to_owned();
    let vault = AzureKeyVault::connect("azure-test", &settings, standin.credentials(), options)
        .expect("connect");
    let err = vault.probe().await.expect_err("no such host");
    assert_eq!(err.class(), Some(FailureClass::Dns), "{err}");
}

#[test]
fn bad_settings_are_refused_at_connect() {
    let standin = AzureStandIn::start();
    for (field, change) in [
        (
            "vault_uri",
            Box::new(|s: &mut coffer_core::remote::AzureSettings| {
                s.vault_uri = "http://127.0.0.1:1/".to_owned()
            }) as Box<dyn Fn(&mut _)>,
        ),
        (
            "vault_uri",
            Box::new(|s: &mut coffer_core::remote::AzureSettings| {
                s.vault_uri = "not a url".to_owned()
            }),
        ),
        (
            "authority_host",
            Box::new(|s: &mut coffer_core::remote::AzureSettings| {
                s.authority_host = Some("http://127.0.0.1:1".to_owned())
            }),
        ),
        (
            "tenant",
            Box::new(|s: &mut coffer_core::remote::AzureSettings| s.tenant = " ".to_owned()),
        ),
    ] {
        let mut settings = standin.settings();
        change(&mut settings);
        let err = AzureKeyVault::connect(
            "azure-test",
            &settings,
            standin.credentials(),
            standin.options(),
        )
        .expect_err(field);
        assert_eq!(err.code(), coffer_core::ErrorCode::InvalidInput, "{field}");
        assert!(err.to_string().starts_with(field), "{err}");
    }
    let aws = coffer_remote::Credentials::AwsAccessKey {
        access_key_id: "AKIA".to_owned(),
        secret_access_key: "s".to_owned().into(),
        session_token: None,
    };
    let err = AzureKeyVault::connect("azure-test", &standin.settings(), aws, standin.options())
        .expect_err("AWS keys for Azure");
    assert!(err.to_string().contains("client_credentials"), "{err}");
}

#[tokio::test]
async fn the_challenge_resource_is_verified_unless_told_otherwise() {
    let standin = AzureStandIn::start();
    // The stand-in's challenge names vault.azure.net, which 127.0.0.1 is
    // not under: with the default options the SDK refuses to send a token.
    let strict = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        standin.credentials(),
        AzureConnectOptions {
            extra_ca_pem: vec![standin.ca_pem.clone()],
            ..AzureConnectOptions::default()
        },
    )
    .expect("connect");
    let err = strict
        .probe()
        .await
        .expect_err("challenge resource mismatch");
    assert!(err.to_string().contains("challenge"), "{err}");
    assert_eq!(
        standin.stat("tokens_issued").await,
        0,
        "no token was requested"
    );
}

#[tokio::test]
async fn a_cut_connection_is_retried_for_reads_and_reported_when_it_persists() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    vault
        .put(write("cut-me", b"v", &Tags::new()))
        .await
        .expect("put");

    standin
        .control("faults", serde_json::json!({"cut": 1, "method": "GET"}))
        .await;
    let values = vault
        .get_many(&["cut-me".to_owned()])
        .await
        .expect("retried");
    assert_eq!(&values[0].value[..], b"v");
    assert_eq!(standin.stat("cut").await, 1);

    standin
        .control("faults", serde_json::json!({"cut": 50, "method": "GET"}))
        .await;
    let impatient = AzureKeyVault::connect(
        "azure-test",
        &standin.settings(),
        standin.credentials(),
        AzureConnectOptions {
            max_retries: 1,
            ..standin.options()
        },
    )
    .expect("connect");
    let err = impatient
        .get_many(&["cut-me".to_owned()])
        .await
        .expect_err("cut");
    assert_eq!(err.class(), Some(FailureClass::Unreachable), "{err}");
}

/// Implicit auth reads `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and
/// `AZURE_TENANT_ID`. The variables are set for a child run of this test
/// (a test cannot change its own environment safely).
#[test]
fn implicit_credentials_read_the_azure_variables() {
    if let Ok(port) = std::env::var("COFFER_AZURE_CHILD_PORT") {
        return implicit_child(&port);
    }
    let standin = AzureStandIn::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &standin.ca_pem).expect("write CA");
    for (secret, expect) in [
        (standin.client_secret.as_str(), "ok"),
        ("wrong", "unauthorized"),
    ] {
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "azure_faults::implicit_credentials_read_the_azure_variables",
                "--nocapture",
            ])
            .env("COFFER_AZURE_CHILD_PORT", standin.port.to_string())
            .env("COFFER_AZURE_CHILD_CA", &ca)
            .env("COFFER_AZURE_CHILD_EXPECT", expect)
            .env("AZURE_CLIENT_ID", crate::support::azure_standin::CLIENT_ID)
            .env("AZURE_CLIENT_SECRET", secret)
            .env("AZURE_TENANT_ID", crate::support::azure_standin::TENANT)
            .output()
            .expect("child run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{expect}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("1 passed"),
            "the child ran the check: {stdout}"
        );
    }
    // Both children signed in through the token endpoint.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        assert_eq!(standin.stat("tokens_issued").await, 1);
        assert_eq!(standin.stat("token_refused").await, 1);
    });
}

fn implicit_child(port: &str) {
    let ca = std::fs::read(std::env::var("COFFER_AZURE_CHILD_CA").expect("CA path")).expect("CA");
    let expect = std::env::var("COFFER_AZURE_CHILD_EXPECT").expect("expectation");
    let settings = coffer_core::remote::AzureSettings {
        vault_uri: format!("https://127.0.0.1:{port}/"),
        // The variable's tenant wins over the connection's.
        tenant: "some-other-tenant".to_owned(),
        authority_host: Some(format!("https://127.0.0.1:{port}")),
        auth: coffer_core::remote::AzureAuth::Implicit,
    };
    let vault = AzureKeyVault::connect(
        "azure-implicit",
        &settings,
        coffer_remote::Credentials::Implicit { profile: None },
        AzureConnectOptions {
            extra_ca_pem: vec![ca],
            verify_challenge_resource: false,
            max_retries: 0,
        },
    )
    .expect("connect");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(vault.probe());
    match expect.as_str() {
        "ok" => {
            result.expect("implicit credentials from the variables");
        }
        _ => {
            let err = result.expect_err("a wrong variable secret is refused");
            assert_eq!(err.class(), Some(FailureClass::Unauthorized), "{err}");
            assert!(!err.to_string().contains("wrong"), "{err}");
        }
    }
}

#[tokio::test]
async fn an_error_page_that_quotes_the_request_never_reaches_the_message() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    vault.probe().await.expect("signed in");
    standin
        .control("faults", serde_json::json!({"echo": 1, "method": "PUT"}))
        .await;
    let value = b"s3cret-that-must-not-show";
    let err = vault
        .put(write("echoed", value, &Tags::new()))
        .await
        .expect_err("a 502 from a proxy");
    assert_eq!(
        standin.stat("echoed").await,
        1,
        "the page did quote the value"
    );
    assert_eq!(err.class(), Some(FailureClass::Service), "{err}");
    let text = err.to_string();
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(!text.contains("s3cret"), "no value in {text}");
    assert!(
        !format!("{err:?}").contains("s3cret"),
        "no value in {err:?}"
    );
}
