//! Deployments and import links as the core keeps them: IMCO's states moved
//! only by the documented transition function, what the deploy engine is
//! given to do, the lifecycle rules (deactivated and trashed secrets are not
//! pushed, decommissioning names the remote), and imports that keep their
//! link. The network side is tested against moto in coffer-remote.

use coffer_core::remote::{
    DEPLOYMENT_STATES, DeploymentEvent, DeploymentState, DeploymentTarget, RemoteLink,
};
use coffer_core::secret::{SecretType, ValueChange};
use coffer_core::{Error, ErrorCode};

use crate::managers::aws_spec;
use crate::support::{Fixture, basic, expect_code, expect_invalid, inputs, named, secret};

fn target(remote: &str) -> DeploymentTarget {
    DeploymentTarget {
        manager: "aws-prod".into(),
        remote_name: remote.into(),
    }
}

fn fixture() -> Fixture {
    let mut fx = Fixture::new();
    fx.add_manager(aws_spec("aws-prod", None)).unwrap();
    fx.register(basic("db", "svc", "pw-1")).unwrap();
    fx
}

fn new_version(fx: &mut Fixture, name: &str, password: &str) {
    fx.update_value(
        &named(name),
        ValueChange {
            set: inputs(&[("password", password)]),
            ..Default::default()
        },
        None,
    )
    .unwrap();
}

fn pending(fx: &Fixture) -> Vec<(i64, DeploymentState)> {
    fx.pending_deployments()
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.state))
        .collect()
}

#[test]
fn the_transition_function_allows_exactly_the_documented_moves() {
    use DeploymentEvent as E;
    use DeploymentState as S;
    let events = [
        E::Begin,
        E::Pushed,
        E::NewVersion,
        E::Failed,
        E::Stall,
        E::Retry {
            pushed_before: false,
        },
        E::Retry {
            pushed_before: true,
        },
        E::Adopt,
        E::Decommission,
        E::Removed,
    ];
    let allowed = [
        (S::Start, E::Begin, S::Deploying),
        (S::Deploying, E::Pushed, S::Available),
        (S::UpdatingVersions, E::Pushed, S::Available),
        (S::Available, E::NewVersion, S::UpdatingVersions),
        (S::Deploying, E::Failed, S::UpdatingError),
        (S::UpdatingVersions, E::Failed, S::UpdatingError),
        (S::Start, E::Stall, S::Stalled),
        (S::Deploying, E::Stall, S::Stalled),
        (S::UpdatingVersions, E::Stall, S::Stalled),
        (
            S::UpdatingError,
            E::Retry {
                pushed_before: false,
            },
            S::Deploying,
        ),
        (
            S::UpdatingError,
            E::Retry {
                pushed_before: true,
            },
            S::UpdatingVersions,
        ),
        (
            S::Stalled,
            E::Retry {
                pushed_before: false,
            },
            S::Deploying,
        ),
        (
            S::Stalled,
            E::Retry {
                pushed_before: true,
            },
            S::UpdatingVersions,
        ),
        (S::Stalled, E::Adopt, S::Deploying),
        (S::Available, E::Adopt, S::Available),
        (S::Start, E::Decommission, S::Decommissioning),
        (S::Deploying, E::Decommission, S::Decommissioning),
        (S::Available, E::Decommission, S::Decommissioning),
        (S::UpdatingVersions, E::Decommission, S::Decommissioning),
        (S::UpdatingError, E::Decommission, S::Decommissioning),
        (S::Stalled, E::Decommission, S::Decommissioning),
        (S::Decommissioning, E::Removed, S::End),
        (S::Decommissioning, E::Failed, S::Decommissioning),
    ];
    let mut moves = 0;
    for from in DEPLOYMENT_STATES {
        for event in events {
            let expected = allowed
                .iter()
                .find(|(f, e, _)| *f == from && *e == event)
                .map(|(_, _, to)| *to);
            assert_eq!(from.on(event), expected, "{from:?} on {event:?}");
            moves += usize::from(expected.is_some());
        }
    }
    assert_eq!(moves, allowed.len());
    for state in DEPLOYMENT_STATES {
        assert_eq!(DeploymentState::parse(state.as_str()), Some(state));
    }
    assert!(
        events.iter().all(|e| S::End.on(*e).is_none()),
        "end is final"
    );
}

#[test]
fn a_deployment_moves_through_its_states_and_records_versions() {
    let mut fx = fixture();
    let d = fx
        .create_deployment(&named("db"), &target("prod/db"))
        .unwrap();
    assert_eq!(
        (d.state, d.managed, d.brownfield),
        (DeploymentState::Start, false, false)
    );
    assert_eq!(pending(&fx), [(d.id, DeploymentState::Start)]);

    fx.begin_deployment(d.id).unwrap();
    // A push interrupted (a killed process): Retry leaves it to the engine.
    assert_eq!(
        fx.retry_deployment(d.id).unwrap().state,
        DeploymentState::Deploying
    );
    fx.set_deployment_error(d.id, "ThrottlingException: rate exceeded", 1)
        .unwrap();
    let mid = fx.deployment(d.id).unwrap();
    assert_eq!((mid.state, mid.attempts), (DeploymentState::Deploying, 1));
    let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf";
    let d1 = fx.record_pushed_version(d.id, 1, "v-one", arn).unwrap();
    assert_eq!(d1.state, DeploymentState::Available);
    assert!(d1.managed, "Coffer created it");
    assert_eq!(d1.remote_id.as_deref(), Some(arn));
    assert_eq!((d1.last_error.as_deref(), d1.attempts), (None, 0));
    assert!(pending(&fx).is_empty());

    // A new local version makes it pending; a failed push ends in
    // updating_error with the error, and Retry pushes again.
    new_version(&mut fx, "db", "pw-2");
    assert_eq!(pending(&fx), [(d.id, DeploymentState::Available)]);
    fx.begin_update(d.id).unwrap();
    let failed = fx.fail_deployment(d.id, "connection reset", 5).unwrap();
    assert_eq!(failed.state, DeploymentState::UpdatingError);
    assert_eq!(failed.last_error.as_deref(), Some("connection reset"));
    assert_eq!(failed.attempts, 5);
    assert!(
        pending(&fx).is_empty(),
        "a failed deployment waits for Retry"
    );
    let retried = fx.retry_deployment(d.id).unwrap();
    assert_eq!(retried.state, DeploymentState::UpdatingVersions);
    assert_eq!(pending(&fx), [(d.id, DeploymentState::UpdatingVersions)]);
    let d2 = fx.record_pushed_version(d.id, 2, "v-two", arn).unwrap();
    assert_eq!(d2.state, DeploymentState::Available);
    let versions: Vec<(u32, &str, bool)> = d2
        .versions
        .iter()
        .map(|v| (v.version, v.remote_version.as_str(), v.last))
        .collect();
    assert_eq!(versions, [(1, "v-one", false), (2, "v-two", true)]);

    // A move the state machine does not allow changes nothing.
    let e = expect_invalid(fx.begin_deployment(d.id), "state");
    assert!(e.to_string().contains("is available"), "{e}");
    assert_eq!(fx.deployment(d.id).unwrap(), d2);

    let audit = fx.audit_entries(Some(&named("db")), 50).unwrap();
    let states: Vec<String> = audit
        .iter()
        .rev()
        .filter(|e| e.action == "deployment.state")
        .map(|e| {
            format!(
                "{}>{}",
                e.detail["from"].as_str().unwrap(),
                e.detail["to"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            "start>deploying",
            "deploying>available",
            "available>updating_versions",
            "updating_versions>updating_error",
            "updating_error>updating_versions",
            "updating_versions>available",
        ]
    );
    assert!(audit.iter().all(|e| !e.detail.to_string().contains("pw-")));
}

#[test]
fn stalled_deployments_wait_for_retry_or_adopt() {
    let mut fx = fixture();
    let d = fx
        .create_deployment(&named("db"), &target("taken"))
        .unwrap();
    fx.begin_deployment(d.id).unwrap();
    let stalled = fx
        .stall_deployment(d.id, "exists and is not managed by Coffer")
        .unwrap();
    assert_eq!(stalled.state, DeploymentState::Stalled);
    assert!(pending(&fx).is_empty());
    let adopted = fx.adopt_deployment(d.id).unwrap();
    assert_eq!(
        (adopted.state, adopted.managed),
        (DeploymentState::Deploying, true)
    );
    assert_eq!(pending(&fx), [(d.id, DeploymentState::Deploying)]);
    expect_invalid(fx.adopt_deployment(d.id), "state");
}

#[test]
fn lifecycle_rules_decide_what_is_pushed_and_decommissioned() {
    let mut fx = fixture();
    let mut wo = basic("wo", "svc", "wo-value");
    wo.write_only = true;
    fx.register(wo).unwrap();
    fx.register(basic("off", "svc", "p")).unwrap();
    // Write-only secrets may be deployed: a use, not a reveal.
    let d_wo = fx.create_deployment(&named("wo"), &target("wo")).unwrap();
    fx.create_deployment(&named("off"), &target("off")).unwrap();
    let d_db = fx.create_deployment(&named("db"), &target("db")).unwrap();
    assert_eq!(pending(&fx).len(), 3);

    // Deactivated: stop pushing; trash: stop pushing, decommission on request.
    fx.deactivate(&named("off")).unwrap();
    fx.delete(&named("db")).unwrap();
    assert_eq!(pending(&fx), [(d_wo.id, DeploymentState::Start)]);
    let e = expect_code(
        fx.create_deployment(&named("off"), &target("off2")),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("deactivated"), "{e}");
    let e = expect_code(
        fx.create_deployment(&named("db"), &target("db2")),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("trash"), "{e}");
    let mut locked = basic("locked", "svc", "p");
    locked.protection = coffer_core::secret::NewProtection::Password(
        coffer_core::SecretString::from("store pw 123456"),
    );
    fx.register(locked).unwrap();
    let e = expect_code(
        fx.create_deployment(&named("locked"), &target("locked")),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("store password"), "{e}");

    // Decommissioning names the remote.
    let e = expect_invalid(fx.decommission_deployment(d_db.id, "db"), "confirm");
    assert!(e.to_string().contains("\"aws-prod:db\""), "{e}");
    let d = fx.decommission_deployment(d_db.id, "aws-prod:db").unwrap();
    assert_eq!(d.state, DeploymentState::Decommissioning);
    assert!(pending(&fx).contains(&(d_db.id, DeploymentState::Decommissioning)));
    assert_eq!(
        fx.record_removed(d_db.id).unwrap().state,
        DeploymentState::End
    );
    expect_invalid(fx.decommission_deployment(d_db.id, "aws-prod:db"), "state");

    // One live deployment per remote name; an ended one frees the name.
    let e = expect_code(
        fx.create_deployment(&named("wo"), &target("off")),
        ErrorCode::AlreadyExists,
    );
    assert!(
        matches!(&e, Error::RemoteNameTaken { secret, .. } if secret == "Default:off"),
        "{e}"
    );
    fx.undelete(&named("db")).unwrap();
    fx.create_deployment(&named("db"), &target("db")).unwrap();
    for bad in ["", "a:b", "a#b", "has space"] {
        expect_invalid(
            fx.create_deployment(&named("db"), &target(bad)),
            "remote_name",
        );
    }
    expect_code(
        fx.create_deployment(
            &named("db"),
            &DeploymentTarget {
                manager: "nope".into(),
                remote_name: "x".into(),
            },
        ),
        ErrorCode::NotFound,
    );
    assert_eq!(fx.deployments_of_secret(&named("db")).unwrap().len(), 2);
    assert_eq!(fx.deployments_of_manager("aws-prod").unwrap().len(), 4);
}

#[test]
fn an_import_keeps_its_link_and_is_not_written_until_adopted() {
    let mut fx = fixture();
    let link = RemoteLink {
        manager: "aws-prod".into(),
        remote_name: "legacy/api".into(),
        remote_id: Some("arn:aws:secretsmanager:eu-west-1:1:secret:legacy/api-x".into()),
        remote_version: Some("remote-v-7".into()),
    };
    let mut new = secret("legacy-api", SecretType::KeyValue, &[("token", "t-1")]);
    new.write_only = true;
    let registered = fx.import_remote(new, &link).unwrap();
    assert!(registered.meta.write_only);
    assert_eq!(
        fx.remote_link(&named("legacy-api")).unwrap(),
        Some(link.clone())
    );
    let d = &fx.deployments_of_secret(&named("legacy-api")).unwrap()[0];
    assert_eq!(
        (d.state, d.brownfield, d.managed),
        (DeploymentState::Available, true, false)
    );
    assert_eq!(d.versions[0].remote_version, "remote-v-7");
    // Not managed: a new local version is not pushed until adopted.
    fx.update_value(
        &named("legacy-api"),
        ValueChange {
            set: inputs(&[("token", "t-2")]),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    assert!(pending(&fx).is_empty());
    let e = expect_code(
        fx.import_remote(secret("again", SecretType::KeyValue, &[("k", "v")]), &link),
        ErrorCode::AlreadyExists,
    );
    assert!(e.to_string().contains("Default:legacy-api"), "{e}");
    expect_code(fx.get(&named("again")), ErrorCode::NotFound);
    // A name clash stores neither the secret nor the link.
    let other = RemoteLink {
        remote_name: "legacy/other".into(),
        ..link.clone()
    };
    expect_code(
        fx.import_remote(secret("db", SecretType::KeyValue, &[("k", "v")]), &other),
        ErrorCode::AlreadyExists,
    );
    assert_eq!(fx.deployments_of_manager("aws-prod").unwrap().len(), 1);

    fx.adopt_deployment(d.id).unwrap();
    assert_eq!(pending(&fx), [(d.id, DeploymentState::Available)]);
    let audit = fx.audit_entries(Some(&named("legacy-api")), 10).unwrap();
    assert!(audit.iter().any(|e| e.action == "secret.import"));

    // An import link that is not managed ends without a remote delete.
    let link2 = RemoteLink {
        remote_name: "legacy/two".into(),
        ..link
    };
    fx.import_remote(secret("two", SecretType::Data, &[("data", "x")]), &link2)
        .unwrap();
    let two = fx.deployments_of_secret(&named("two")).unwrap()[0].id;
    let ended = fx
        .decommission_deployment(two, "aws-prod:legacy/two")
        .unwrap();
    assert_eq!(ended.state, DeploymentState::End);
}
