//! The value cache through [`Remotes`] against moto: expiry on a fixed
//! clock, stale-if-error through the fault injector, clearing, and a
//! listing with names and times only.

use std::sync::Arc;

use coffer_core::{FixedClock, Timestamp};
use coffer_remote::{ConnectOptions, FailureClass, Origin, Remotes};

use crate::support::faults::{Fault, FaultInjector};
use crate::support::moto::Moto;
use crate::support::{aws_manager, block_on, quick_options, seed, test_key};

const T0: i64 = 1_800_000_000;

fn remotes(clock: &Arc<FixedClock>, options: ConnectOptions) -> Remotes {
    Remotes::new(clock.clone(), options)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn values_are_cached_until_the_ttl_on_the_fixed_clock() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "a", "value-a"));
    block_on(seed(&moto.endpoint(), "b", "value-b"));
    let faults = FaultInjector::start(moto.port);
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(T0)));
    let remotes = remotes(&clock, quick_options());
    let mut manager = aws_manager("aws-prod", &faults.endpoint());
    manager.spec.cache_ttl_secs = 60;

    let got = remotes
        .fetch(
            &manager,
            || Ok(test_key()),
            &names(&["b", "a", "missing", "a"]),
        )
        .expect("fetch");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].name, "a");
    assert_eq!(got[0].value.as_slice(), b"value-a");
    assert!(got.iter().all(|f| f.origin == Origin::Remote));
    assert_eq!(faults.count("BatchGetSecretValue"), 1);

    clock.advance(59);
    let got = remotes
        .fetch(
            &manager,
            || panic!("the client exists"),
            &names(&["a", "b"]),
        )
        .expect("cached");
    assert!(got.iter().all(|f| f.origin == Origin::Cache), "{got:?}");
    assert_eq!(got[1].value.as_slice(), b"value-b");
    assert_eq!(faults.count("BatchGetSecretValue"), 1, "nothing read");

    let listed = remotes.cached(&manager);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].name, "a");
    assert_eq!(listed[0].manager, "aws-prod");
    assert_eq!(listed[0].fetched_at, Timestamp::from_unix(T0));
    assert_eq!(listed[0].expires_at, Timestamp::from_unix(T0 + 60));
    assert!(!listed[0].expired);
    assert!(!listed[0].version.is_empty());
    let json = serde_json::to_string(&listed).expect("json");
    assert!(!json.contains("value-a"), "names and times only: {json}");

    clock.advance(1);
    assert!(remotes.cached(&manager).iter().all(|c| c.expired));
    let got = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["a"]))
        .expect("refetch");
    assert_eq!(got[0].origin, Origin::Remote);
    assert_eq!(faults.count("BatchGetSecretValue"), 2);
}

#[test]
fn expired_values_serve_while_throttled_within_the_window() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "db", "pw-1"));
    let faults = FaultInjector::start(moto.port);
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(T0)));
    let options = ConnectOptions {
        max_attempts: 1,
        ..quick_options()
    };
    let remotes = remotes(&clock, options);
    let mut manager = aws_manager("aws-prod", &faults.endpoint());
    manager.spec.cache_ttl_secs = 60;
    manager.spec.stale_if_error_secs = 300;
    remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect("first read");

    clock.advance(60 + 299);
    faults.next(
        1,
        Fault::Throttle {
            retry_after_secs: 1,
        },
    );
    let got = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect("stale");
    assert_eq!(got[0].value.as_slice(), b"pw-1");
    match &got[0].origin {
        Origin::Stale { expired_at, error } => {
            assert_eq!(*expired_at, Timestamp::from_unix(T0 + 60));
            assert!(error.contains("ThrottlingException"), "{error}");
        }
        other => panic!("{other:?}"),
    }

    // The connection cut: also excused.
    faults.next(1, Fault::Reset);
    let got = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect("stale while cut");
    assert!(matches!(got[0].origin, Origin::Stale { .. }));

    // Past the window: the error.
    clock.advance(1);
    faults.next(
        1,
        Fault::Throttle {
            retry_after_secs: 1,
        },
    );
    let err = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect_err("too old");
    assert_eq!(err.class(), Some(FailureClass::Throttled));

    // Recovered: a fresh value again.
    let got = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect("recovered");
    assert_eq!(got[0].origin, Origin::Remote);
}

#[test]
fn refused_credentials_never_fall_back_to_stale_values() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "db", "pw-1"));
    let faults = FaultInjector::start(moto.port);
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(T0)));
    let remotes = remotes(&clock, quick_options());
    let mut manager = aws_manager("aws-prod", &faults.endpoint());
    manager.spec.cache_ttl_secs = 60;
    remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect("first read");
    clock.advance(61);
    faults.next(
        1,
        Fault::Answer {
            status: 400,
            code: "AccessDeniedException",
        },
    );
    let err = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["db"]))
        .expect_err("forbidden");
    assert_eq!(err.class(), Some(FailureClass::Forbidden));
}

#[test]
fn clearing_forgets_values_per_connection_or_all() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "x", "v"));
    let faults = FaultInjector::start(moto.port);
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(T0)));
    let remotes = remotes(&clock, quick_options());
    let one = aws_manager("one", &faults.endpoint());
    let mut two = aws_manager("two", &faults.endpoint());
    two.id = 2;
    remotes
        .fetch(&one, || Ok(test_key()), &names(&["x"]))
        .expect("one");
    remotes
        .fetch(&two, || Ok(test_key()), &names(&["x"]))
        .expect("two");
    assert_eq!(remotes.cache().len(), 2);

    remotes.clear_manager(one.id);
    assert!(remotes.cached(&one).is_empty());
    assert_eq!(remotes.cached(&two).len(), 1);
    let got = remotes
        .fetch(&one, || Ok(test_key()), &names(&["x"]))
        .expect("again");
    assert_eq!(got[0].origin, Origin::Remote);

    remotes.clear();
    assert!(remotes.cache().is_empty());
    let got = remotes
        .fetch(&two, || Ok(test_key()), &names(&["x"]))
        .expect("again");
    assert_eq!(got[0].origin, Origin::Remote);
}

#[test]
fn an_edited_connection_drops_its_values_and_client() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "x", "v"));
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(T0)));
    let remotes = remotes(&clock, quick_options());
    let mut manager = aws_manager("aws-prod", &moto.endpoint());
    remotes
        .fetch(&manager, || Ok(test_key()), &names(&["x"]))
        .expect("read");
    manager.updated_at = Timestamp::from_unix(T0 + 5);
    let mut asked = false;
    let got = remotes
        .fetch(
            &manager,
            || {
                asked = true;
                Ok(test_key())
            },
            &names(&["x"]),
        )
        .expect("read again");
    assert!(asked, "a new client, with credentials read again");
    assert_eq!(got[0].origin, Origin::Remote);
}

#[test]
fn a_remote_deleted_since_is_dropped_from_the_cache() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "x", "v"));
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(T0)));
    let remotes = remotes(&clock, quick_options());
    let mut manager = aws_manager("aws-prod", &moto.endpoint());
    manager.spec.cache_ttl_secs = 10;
    remotes
        .fetch(&manager, || Ok(test_key()), &names(&["x"]))
        .expect("read");
    let raw = block_on(crate::support::raw_client(&moto.endpoint()));
    block_on(async {
        raw.delete_secret()
            .secret_id("x")
            .force_delete_without_recovery(true)
            .send()
            .await
            .expect("delete")
    });
    clock.advance(11);
    let got = remotes
        .fetch(&manager, || Ok(test_key()), &names(&["x"]))
        .expect("read");
    assert!(got.is_empty());
    assert!(remotes.cached(&manager).is_empty());
}
