//! AWS failures, each classified with its hint: refused credentials
//! (moto's own credential check), unreachable, DNS, TLS, throttling,
//! cut connections and timeouts (through the fault injector).

use std::process::Command;
use std::time::{Duration, Instant};

use coffer_remote::{ConnectOptions, FailureClass, KeyVault};

use crate::support::faults::{Fault, FaultInjector};
use crate::support::moto::{Moto, python};
use crate::support::{access_key, aws_client, aws_manager, free_port, quick_options, seed};

#[tokio::test]
async fn an_unknown_access_key_is_unauthorized() {
    let moto = Moto::start();
    moto.require_credentials();
    let manager = aws_manager("aws-test", &moto.endpoint());
    let vault = coffer_remote::connect(
        &manager,
        access_key("AKIAUNKNOWNUNKNOWN00", "wrong-secret"),
        &quick_options(),
    )
    .await
    .expect("client");
    let err = vault.probe().await.expect_err("refused");
    assert_eq!(err.class(), Some(FailureClass::Unauthorized), "{err}");
    assert_eq!(err.code(), coffer_core::ErrorCode::Refused);
    assert!(!err.to_string().contains("wrong-secret"), "{err}");
    assert!(
        FailureClass::Unauthorized.hint().contains("credential"),
        "the hint says what to check"
    );
}

#[tokio::test]
async fn a_key_without_permissions_is_forbidden() {
    let moto = Moto::start();
    // An IAM user with an access key and no policy, made with boto3.
    let script = format!(
        "import boto3\n\
         iam = boto3.client('iam', endpoint_url='{}', region_name='us-east-1',\n\
             aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         iam.create_user(UserName='nobody')\n\
         k = iam.create_access_key(UserName='nobody')['AccessKey']\n\
         print(k['AccessKeyId'], k['SecretAccessKey'])\n",
        moto.endpoint()
    );
    let out = Command::new(python())
        .args(["-c", &script])
        .output()
        .expect("run boto3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let (id, secret) = text.trim().split_once(' ').expect("id and secret");
    moto.require_credentials();
    let manager = aws_manager("aws-test", &moto.endpoint());
    let vault = coffer_remote::connect(&manager, access_key(id, secret), &quick_options())
        .await
        .expect("client");
    let err = vault.probe().await.expect_err("forbidden");
    assert_eq!(err.class(), Some(FailureClass::Forbidden), "{err}");
}

#[tokio::test]
async fn unrecognized_client_from_the_service_is_unauthorized() {
    // AWS itself answers a bad key with 400 UnrecognizedClientException
    // (moto answers 403 InvalidClientTokenId, tested above).
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    faults.next(
        1,
        Fault::Answer {
            status: 400,
            code: "UnrecognizedClientException",
        },
    );
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    let err = vault.probe().await.expect_err("refused");
    assert_eq!(err.class(), Some(FailureClass::Unauthorized), "{err}");
    assert_eq!(faults.seen().len(), 1, "not retried: {:?}", faults.seen());
    faults.next(
        1,
        Fault::Answer {
            status: 400,
            code: "AccessDeniedException",
        },
    );
    let err = vault.probe().await.expect_err("forbidden");
    assert_eq!(err.class(), Some(FailureClass::Forbidden), "{err}");
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let port = free_port();
    let vault = aws_client(&format!("http://127.0.0.1:{port}"), &quick_options()).await;
    let err = vault.probe().await.expect_err("nothing listens");
    assert_eq!(err.class(), Some(FailureClass::Unreachable), "{err}");
    assert_eq!(err.code(), coffer_core::ErrorCode::Remote);
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_dns() {
    let vault = aws_client("http://coffer-test.invalid:4566", &quick_options()).await;
    let err = vault.probe().await.expect_err("no such host");
    assert_eq!(err.class(), Some(FailureClass::Dns), "{err}");
}

#[tokio::test]
async fn tls_to_a_plain_http_port_is_tls() {
    let moto = Moto::start();
    let vault = aws_client(
        &format!("https://127.0.0.1:{}", moto.port),
        &quick_options(),
    )
    .await;
    let err = vault.probe().await.expect_err("not TLS");
    assert_eq!(err.class(), Some(FailureClass::Tls), "{err}");
}

#[tokio::test]
async fn a_bad_extra_ca_is_refused_before_connecting() {
    let options = ConnectOptions {
        extra_roots_pem: vec![b"not a certificate".to_vec()],
        ..quick_options()
    };
    let manager = aws_manager("aws-test", "https://127.0.0.1:1");
    let err = coffer_remote::connect(&manager, crate::support::test_key(), &options)
        .await
        .expect_err("bad PEM");
    assert_eq!(err.code(), coffer_core::ErrorCode::InvalidInput, "{err}");
}

#[tokio::test]
async fn throttled_then_recovering_waits_as_the_server_asks() {
    let moto = Moto::start();
    seed(&moto.endpoint(), "t", "v").await;
    let faults = FaultInjector::start(moto.port);
    faults.next(
        2,
        Fault::Throttle {
            retry_after_secs: 1,
        },
    );
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    let started = Instant::now();
    let values = vault.get_many(&["t".to_owned()]).await.expect("recovers");
    let waited = started.elapsed();
    assert_eq!(values.len(), 1);
    let labels: Vec<_> = faults.seen().into_iter().map(|(_, l)| l).collect();
    assert_eq!(labels[..3], ["throttle", "throttle", "pass"], "{labels:?}");
    // Two waits of Retry-After: 1 s each.
    assert!(waited >= Duration::from_millis(1900), "waited {waited:?}");
}

#[tokio::test]
async fn throttled_past_the_retries_reports_retry_after() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    faults.next(
        10,
        Fault::Throttle {
            retry_after_secs: 1,
        },
    );
    let options = ConnectOptions {
        max_attempts: 2,
        ..quick_options()
    };
    let vault = aws_client(&faults.endpoint(), &options).await;
    let err = vault.probe().await.expect_err("throttled");
    assert_eq!(err.class(), Some(FailureClass::Throttled), "{err}");
    match err {
        coffer_remote::Error::Remote { retry_after_ms, .. } => {
            assert_eq!(retry_after_ms, Some(1000));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(faults.seen().len(), 2);
}

#[tokio::test]
async fn a_cut_connection_is_retried_then_reported() {
    let moto = Moto::start();
    seed(&moto.endpoint(), "c", "v").await;
    let faults = FaultInjector::start(moto.port);
    faults.next(1, Fault::Reset);
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    let values = vault.get_many(&["c".to_owned()]).await.expect("retried");
    assert_eq!(values.len(), 1);

    faults.clear_seen();
    faults.next(10, Fault::Reset);
    let err = vault.probe().await.expect_err("cut every time");
    assert_eq!(err.class(), Some(FailureClass::Unreachable), "{err}");
    assert_eq!(
        faults.seen().len(),
        3,
        "three attempts: {:?}",
        faults.seen()
    );
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    faults.next(1, Fault::Delay(Duration::from_secs(4)));
    let options = ConnectOptions {
        attempt_timeout: Duration::from_secs(1),
        max_attempts: 1,
        ..quick_options()
    };
    let vault = aws_client(&faults.endpoint(), &options).await;
    let started = Instant::now();
    let err = vault.probe().await.expect_err("too slow");
    assert_eq!(err.class(), Some(FailureClass::Timeout), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "gave up before the answer"
    );
    // The next request passes (with the usual timeouts: moto may be slow on
    // a loaded machine).
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    vault.probe().await.expect("probe");
}
