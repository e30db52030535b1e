//! Connections to external key vaults: adding, editing, deleting and listing
//! them with their rules (names, regions, endpoints, credential secrets,
//! bounds), "used by" both ways, the use of their credentials, the local
//! audit of remote calls, and row integrity of the new tables (an attacker
//! who edits the file is `tampered`), through rotation and an upgrade.

use coffer_core::job::{CommandSpec, JobSpec, NewJob, SecretReference};
use coffer_core::remote::{
    AwsAuth, AwsSettings, AzureAuth, AzureSettings, DeploymentTarget, ManagerSettings, ManagerSpec,
};
use coffer_core::secret::{NewProtection, SecretType};
use coffer_core::{Error, ErrorCode, ExpiredPolicy, SecretString};

use crate::support::{Fixture, basic, expect_code, expect_invalid, named, passphrase, raw, secret};

/// An AWS access key secret with its two keys.
pub fn aws_key(fx: &mut Fixture, name: &str) {
    fx.register(secret(
        name,
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "AKIAEXAMPLEKEY000001"),
            ("aws_secret_access_key", "aws-secret-never-shown"),
        ],
    ))
    .unwrap();
}

/// An Entra ID service principal's client credentials.
pub fn azure_principal(fx: &mut Fixture, name: &str) {
    fx.register(secret(
        name,
        SecretType::ClientCredentials,
        &[
            ("client_id", "00000000-0000-0000-0000-00000000c11e"),
            ("client_secret", "azure-secret-never-shown"),
        ],
    ))
    .unwrap();
}

pub fn aws_spec(name: &str, credential: Option<&str>) -> ManagerSpec {
    ManagerSpec {
        name: name.into(),
        org: "Default".into(),
        settings: ManagerSettings::Aws(AwsSettings {
            region: "eu-west-1".into(),
            endpoint: Some("http://127.0.0.1:4566".into()),
            auth: match credential {
                Some(secret) => AwsAuth::AccessKey {
                    secret: secret.into(),
                },
                None => AwsAuth::Implicit { profile: None },
            },
        }),
        cache_ttl_secs: 3600,
        stale_if_error_secs: 300,
        writes_per_sec: 20,
    }
}

fn azure_spec(name: &str, credential: &str) -> ManagerSpec {
    ManagerSpec {
        name: name.into(),
        org: "Default".into(),
        settings: ManagerSettings::Azure(AzureSettings {
            vault_uri: "https://coffer-test.vault.azure.net/".into(),
            tenant: "contoso.onmicrosoft.com".into(),
            authority_host: None,
            auth: AzureAuth::ClientSecret {
                secret: credential.into(),
            },
        }),
        cache_ttl_secs: 60,
        stale_if_error_secs: 0,
        writes_per_sec: 5,
    }
}

fn command_job(name: &str, manager: &str, remote: &str) -> NewJob {
    let mut job = NewJob::new(
        name,
        JobSpec::Command(CommandSpec {
            program: "/bin/echo".into(),
            args: vec![format!("${{secret:{manager}:{remote}#password}}")],
            env: Default::default(),
            working_dir: None,
            timeout_seconds: None,
        }),
    );
    job.references = vec![SecretReference {
        manager: Some(manager.into()),
        secret: remote.into(),
        field: Some("password".into()),
    }];
    job
}

#[track_caller]
fn expect_tampered<T: std::fmt::Debug>(result: coffer_core::Result<T>, names: &str) -> Error {
    let e = expect_code(result, ErrorCode::Tampered);
    assert!(e.to_string().contains(names), "{e} should name {names}");
    e
}

fn tamper(fx: &Fixture, sql: &str) {
    raw(&fx.path)
        .execute_batch(sql)
        .expect("edit the vault file");
}

#[test]
fn connections_are_added_listed_edited_and_deleted_with_audit_entries() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    azure_principal(&mut fx, "azure-sp");
    let aws = fx
        .add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    assert_eq!(aws.spec, aws_spec("aws-prod", Some("aws-key")));
    fx.add_manager(azure_spec("kv.team/1", "azure-sp")).unwrap();
    fx.add_manager(aws_spec("implicit", None)).unwrap();
    let names: Vec<String> = fx
        .managers()
        .unwrap()
        .into_iter()
        .map(|m| m.spec.name)
        .collect();
    assert_eq!(names, ["aws-prod", "implicit", "kv.team/1"]);
    // Any case finds it; names stay as given.
    assert_eq!(fx.manager("AWS-PROD").unwrap().spec.name, "aws-prod");

    let mut changed = aws_spec("aws-prod", Some("aws-key"));
    changed.cache_ttl_secs = 120;
    changed.settings = ManagerSettings::Aws(AwsSettings {
        region: "us-gov-west-1".into(),
        endpoint: None,
        auth: AwsAuth::Implicit {
            profile: Some("admin-sso".into()),
        },
    });
    let updated = fx.update_manager("aws-prod", changed.clone()).unwrap();
    assert_eq!(updated.spec, changed);
    assert_eq!(fx.manager("aws-prod").unwrap().spec, changed);
    fx.reopen();
    assert_eq!(fx.manager("aws-prod").unwrap().spec, changed);

    fx.delete_manager("aws-prod", false).unwrap();
    expect_code(fx.manager("aws-prod"), ErrorCode::NotFound);
    let audit = fx.audit_entries(None, 50).unwrap();
    for action in ["manager.add", "manager.update", "manager.delete"] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.target == "aws-prod"),
            "{action} is audited"
        );
    }
    let text = serde_json::to_string(&audit.iter().map(|e| &e.detail).collect::<Vec<_>>()).unwrap();
    assert!(!text.contains("never-shown"), "no value in the audit log");
}

#[test]
fn bad_settings_are_refused_naming_the_field_and_store_nothing() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    azure_principal(&mut fx, "azure-sp");
    fx.register(basic("plain", "u", "p")).unwrap();
    fx.register(secret(
        "half-key",
        SecretType::KeyValue,
        &[("aws_access_key_id", "AKIA0000")],
    ))
    .unwrap();
    let with = |f: &dyn Fn(&mut ManagerSpec)| {
        let mut spec = aws_spec("aws", Some("aws-key"));
        f(&mut spec);
        spec
    };
    let aws_settings = |f: &dyn Fn(&mut AwsSettings)| {
        with(&|spec: &mut ManagerSpec| {
            if let ManagerSettings::Aws(aws) = &mut spec.settings {
                f(aws);
            }
        })
    };
    for bad in ["", "a:b", "a#b", "with space", &"x".repeat(129)] {
        expect_invalid(
            fx.add_manager(with(&|s: &mut ManagerSpec| s.name = bad.into())),
            "name",
        );
    }
    for bad in [
        "eu_west_1",
        "EU-WEST-1",
        "euwest1",
        "eu-west-",
        "e-west-1",
        "eu-west-123",
    ] {
        expect_invalid(
            fx.add_manager(aws_settings(&|a: &mut AwsSettings| a.region = bad.into())),
            "region",
        );
    }
    for bad in [
        "http://secretsmanager.example.com",
        "ftp://127.0.0.1",
        "https://user:pw@example.com",
        "https://example.com/?x=1",
        "not a url",
    ] {
        expect_invalid(
            fx.add_manager(aws_settings(&|a: &mut AwsSettings| {
                a.endpoint = Some(bad.into())
            })),
            "endpoint",
        );
    }
    expect_invalid(
        fx.add_manager(aws_settings(&|a: &mut AwsSettings| {
            a.auth = AwsAuth::Implicit {
                profile: Some("two words".into()),
            }
        })),
        "profile",
    );
    // Loopback http (a test server) and https are fine.
    for good in [
        "http://localhost:5000",
        "http://[::1]:80/",
        "https://vpce.example.com",
    ] {
        let spec = aws_settings(&|a: &mut AwsSettings| a.endpoint = Some(good.into()));
        fx.add_manager(spec).unwrap();
        fx.delete_manager("aws", false).unwrap();
    }

    expect_invalid(
        fx.add_manager(with(&|s| s.cache_ttl_secs = 8 * 86400)),
        "cache_ttl_secs",
    );
    expect_invalid(
        fx.add_manager(with(&|s| s.stale_if_error_secs = 86401)),
        "stale_if_error_secs",
    );
    for rate in [0, 51] {
        expect_invalid(
            fx.add_manager(with(&|s| s.writes_per_sec = rate)),
            "writes_per_sec",
        );
    }

    // Credential secrets: present, of the right type and keys, usable unattended.
    let missing = expect_code(
        fx.add_manager(aws_spec("aws", Some("nope"))),
        ErrorCode::NotFound,
    );
    assert!(missing.to_string().contains("Default:nope"), "{missing}");
    for (name, wrong) in [
        ("plain", "key_value"),
        ("half-key", "aws_secret_access_key"),
        ("azure-sp", "key_value"),
    ] {
        let e = expect_invalid(
            fx.add_manager(aws_spec("aws", Some(name))),
            "credential_secret",
        );
        assert!(e.to_string().contains(wrong), "{e}");
    }
    let e = expect_invalid(
        fx.add_manager(azure_spec("kv", "aws-key")),
        "credential_secret",
    );
    assert!(e.to_string().contains("client_credentials"), "{e}");
    let mut locked = secret(
        "locked-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "AKIA1"),
            ("aws_secret_access_key", "s"),
        ],
    );
    locked.protection = NewProtection::Password(SecretString::from("store pw 123456"));
    fx.register(locked).unwrap();
    let e = expect_invalid(
        fx.add_manager(aws_spec("aws", Some("locked-key"))),
        "credential_secret",
    );
    assert!(e.to_string().contains("store password"), "{e}");
    aws_key(&mut fx, "trashed-key");
    fx.delete(&named("trashed-key")).unwrap();
    let e = expect_invalid(
        fx.add_manager(aws_spec("aws", Some("trashed-key"))),
        "credential_secret",
    );
    assert!(e.to_string().contains("trash"), "{e}");

    // Azure: https vault and authority, a tenant.
    let azure_with = |f: &dyn Fn(&mut AzureSettings)| {
        let mut spec = azure_spec("kv", "azure-sp");
        if let ManagerSettings::Azure(azure) = &mut spec.settings {
            f(azure);
        }
        spec
    };
    expect_invalid(
        fx.add_manager(azure_with(&|a| {
            a.vault_uri = "http://127.0.0.1:8443/".into()
        })),
        "vault_uri",
    );
    expect_invalid(
        fx.add_manager(azure_with(&|a| a.tenant = String::new())),
        "tenant",
    );
    expect_invalid(
        fx.add_manager(azure_with(&|a| a.tenant = "a tenant".into())),
        "tenant",
    );
    expect_invalid(
        fx.add_manager(azure_with(&|a| {
            a.authority_host = Some("http://login.example.com".into())
        })),
        "authority_host",
    );
    assert!(fx.managers().unwrap().is_empty(), "nothing was stored");
}

#[test]
fn names_are_unique_ignoring_case() {
    let mut fx = Fixture::new();
    fx.add_manager(aws_spec("AWS-Prod", None)).unwrap();
    let e = expect_code(
        fx.add_manager(aws_spec("aws-prod", None)),
        ErrorCode::AlreadyExists,
    );
    assert!(
        matches!(&e, Error::ManagerExists { name } if name == "AWS-Prod"),
        "{e:?}"
    );
    fx.add_manager(aws_spec("other", None)).unwrap();
    expect_code(
        fx.update_manager("other", aws_spec("aws-PROD", None)),
        ErrorCode::AlreadyExists,
    );
    // A change of case of its own name is no clash.
    fx.update_manager("AWS-Prod", aws_spec("aws-prod", None))
        .unwrap();
    assert_eq!(fx.manager("aws-prod").unwrap().spec.name, "aws-prod");
}

#[test]
fn used_by_works_both_ways_and_follows_a_rename() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    fx.add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    fx.create_job(command_job("nightly", "aws-prod", "db/password"))
        .unwrap();
    fx.create_job(command_job("other", "elsewhere", "db/password"))
        .unwrap();

    let jobs = fx.jobs_using_manager("AWS-prod").unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].job, "nightly");
    assert_eq!(jobs[0].remote_names, ["db/password"]);

    assert_eq!(
        fx.secret_connections(&named("aws-key")).unwrap(),
        ["aws-prod"]
    );
    assert_eq!(fx.get(&named("aws-key")).unwrap().used_by, 1);
    fx.rename(&named("aws-key"), "aws-key-2").unwrap();
    match fx.manager("aws-prod").unwrap().spec.settings {
        ManagerSettings::Aws(AwsSettings {
            auth: AwsAuth::AccessKey { secret },
            ..
        }) => assert_eq!(secret, "aws-key-2"),
        other => panic!("{other:?}"),
    }
    let used = fx.manager_credentials("aws-prod", "test").unwrap().unwrap();
    assert_eq!(used.meta.name, "aws-key-2");

    // Renaming the connection would break the job's placeholder.
    let e = expect_code(
        fx.update_manager("aws-prod", aws_spec("aws-new", Some("aws-key-2"))),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("job Default:nightly"), "{e}");
}

#[test]
fn an_edit_is_validated_like_an_add_moves_used_by_and_is_sealed_and_audited() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    aws_key(&mut fx, "aws-key-2");
    fx.register(basic("plain", "u", "p")).unwrap();
    fx.add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    let before = fx.manager("aws-prod").unwrap();
    let audit_before = fx.audit_entries(None, 500).unwrap().len();

    // Refused edits, each naming its field; nothing changes.
    let mut bad = aws_spec("aws-prod", Some("aws-key"));
    bad.settings = ManagerSettings::Aws(AwsSettings {
        region: "Mars 1".into(),
        endpoint: None,
        auth: AwsAuth::Implicit { profile: None },
    });
    expect_invalid(fx.update_manager("aws-prod", bad), "region");
    let mut bad = aws_spec("aws-prod", Some("aws-key"));
    bad.settings = ManagerSettings::Aws(AwsSettings {
        region: "eu-west-1".into(),
        endpoint: Some("http://example.com".into()),
        auth: AwsAuth::Implicit { profile: None },
    });
    expect_invalid(fx.update_manager("aws-prod", bad), "endpoint");
    expect_invalid(
        fx.update_manager("aws-prod", aws_spec("aws-prod", Some("plain"))),
        "credential_secret",
    );
    expect_code(
        fx.update_manager("aws-prod", aws_spec("aws-prod", Some("missing"))),
        ErrorCode::NotFound,
    );
    let mut bad = aws_spec("aws-prod", Some("aws-key"));
    bad.cache_ttl_secs = 8 * 24 * 3600;
    expect_invalid(fx.update_manager("aws-prod", bad), "cache_ttl_secs");
    expect_code(
        fx.update_manager("nope", aws_spec("nope", None)),
        ErrorCode::NotFound,
    );
    assert_eq!(fx.manager("aws-prod").unwrap(), before);
    assert_eq!(fx.audit_entries(None, 500).unwrap().len(), audit_before);

    // A good edit: new credential secret, TTL, stale-if-error, rate.
    let mut changed = aws_spec("aws-prod", Some("aws-key-2"));
    changed.cache_ttl_secs = 90;
    changed.stale_if_error_secs = 0;
    changed.writes_per_sec = 5;
    fx.update_manager("aws-prod", changed.clone()).unwrap();
    assert_eq!(fx.get(&named("aws-key")).unwrap().used_by, 0);
    assert_eq!(fx.get(&named("aws-key-2")).unwrap().used_by, 1);
    assert!(fx.secret_connections(&named("aws-key")).unwrap().is_empty());
    assert_eq!(
        fx.secret_connections(&named("aws-key-2")).unwrap(),
        ["aws-prod"]
    );
    let used = fx.manager_credentials("aws-prod", "test").unwrap().unwrap();
    assert_eq!(used.meta.name, "aws-key-2");
    // Re-tagged: it reads back (its MAC checked) after a reopen.
    fx.reopen();
    assert_eq!(fx.manager("aws-prod").unwrap().spec, changed);
    let entry = fx
        .audit_entries(None, 50)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "manager.update")
        .expect("audited");
    assert_eq!(entry.detail["credential_secret"], "aws-key-2");
    assert!(!entry.detail.to_string().contains("never-shown"));
}

#[test]
fn deleting_is_refused_while_deployments_live_or_jobs_use_it() {
    let mut fx = Fixture::new();
    fx.add_manager(aws_spec("aws-prod", None)).unwrap();
    fx.register(basic("db", "u", "p")).unwrap();
    let target = DeploymentTarget {
        manager: "aws-prod".into(),
        remote_name: "prod/db".into(),
    };
    let deployment = fx.create_deployment(&named("db"), &target).unwrap();
    let e = expect_code(fx.delete_manager("aws-prod", true), ErrorCode::Refused);
    assert!(
        e.to_string()
            .contains("Default:db to aws-prod:prod/db (start)"),
        "{e}"
    );
    // An unmanaged import link would not block; a decommissioned one ends.
    fx.decommission_deployment(deployment.id, "aws-prod:prod/db")
        .unwrap();
    fx.record_removed(deployment.id).unwrap();

    fx.create_job(command_job("nightly", "aws-prod", "prod/db"))
        .unwrap();
    let e = expect_code(fx.delete_manager("aws-prod", false), ErrorCode::Refused);
    assert!(e.to_string().contains("job Default:nightly"), "{e}");
    fx.manager("aws-prod").unwrap();
    fx.delete_manager("aws-prod", true).unwrap();
    expect_code(fx.manager("aws-prod"), ErrorCode::NotFound);
    // The ended deployment went with it; the local secret stays.
    assert!(fx.deployments_of_secret(&named("db")).unwrap().is_empty());
    fx.get(&named("db")).unwrap();
}

#[test]
fn credentials_are_used_like_secrets_and_refused_when_unusable() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    fx.add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    fx.add_manager(aws_spec("implicit", None)).unwrap();
    assert!(
        fx.manager_credentials("implicit", "probe")
            .unwrap()
            .is_none()
    );

    let used = fx
        .manager_credentials("aws-prod", "probe")
        .unwrap()
        .unwrap();
    let secret_key = used
        .data
        .fields()
        .into_iter()
        .find(|f| f.name == "aws_secret_access_key")
        .unwrap();
    assert_eq!(&*secret_key.value, b"aws-secret-never-shown");
    let audit = fx.audit_entries(Some(&named("aws-key")), 5).unwrap();
    assert_eq!(audit[0].action, "secret.use");
    assert_eq!(audit[0].detail["purpose"], "connection aws-prod: probe");

    fx.deactivate(&named("aws-key")).unwrap();
    let e = expect_code(
        fx.manager_credentials("aws-prod", "probe"),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("\"aws-key\" is deactivated"), "{e}");
    fx.activate(&named("aws-key")).unwrap();

    let meta = coffer_core::secret::MetadataChange {
        expires_at: Some(Some(crate::support::T0.plus_days(1))),
        ..Default::default()
    };
    fx.update_metadata(&named("aws-key"), meta).unwrap();
    fx.advance_days(2);
    // "warn" uses it with a warning; "block" refuses, naming it.
    let warned = fx
        .manager_credentials("aws-prod", "probe")
        .unwrap()
        .unwrap();
    assert!(warned.warning.is_some());
    let mut settings = fx.settings().clone();
    settings.expired_use = ExpiredPolicy::Block;
    fx.update_settings(settings).unwrap();
    let e = expect_code(
        fx.manager_credentials("aws-prod", "probe"),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("\"aws-key\" is expired"), "{e}");

    // Purged: the connection says its credential secret is gone.
    fx.delete(&named("aws-key")).unwrap();
    let e = expect_code(
        fx.manager_credentials("aws-prod", "probe"),
        ErrorCode::Refused,
    );
    assert!(e.to_string().contains("trash"), "{e}");
    fx.purge(&named("aws-key")).unwrap();
    let e = expect_code(
        fx.manager_credentials("aws-prod", "probe"),
        ErrorCode::NotFound,
    );
    assert!(
        e.to_string().contains("aws-key of connection aws-prod"),
        "{e}"
    );
}

#[test]
fn remote_calls_are_audited_without_values() {
    let mut fx = Fixture::new();
    fx.audit_remote("remote.put", "aws-prod", "prod/db", "ok")
        .unwrap();
    fx.audit_remote("remote.list", "aws-prod", "", "throttled")
        .unwrap();
    let audit = fx.audit_entries(None, 2).unwrap();
    assert_eq!(audit[1].action, "remote.put");
    assert_eq!(audit[1].target, "aws-prod:prod/db");
    assert_eq!(audit[1].detail["outcome"], "ok");
    assert_eq!(audit[0].target, "aws-prod");
    expect_invalid(fx.audit_remote("secret.reveal", "m", "n", "ok"), "action");
    expect_invalid(fx.audit_remote("remote.", "m", "n", "ok"), "action");
    assert!(fx.verify_audit().unwrap().ok);
}

#[test]
fn an_edited_connection_row_is_tampering() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    aws_key(&mut fx, "other-key");
    fx.add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    fx.add_manager(aws_spec("aws-test", None)).unwrap();
    let cases = [
        // Point the connection (and its credentials) at another endpoint.
        "UPDATE managers SET settings = replace(settings, '127.0.0.1:4566', 'evil.example.com')
         WHERE name = 'aws-prod'",
        // Swap the credential secret.
        "UPDATE managers SET credential_uid = (SELECT uid FROM secrets WHERE name = 'other-key')
         WHERE name = 'aws-prod'",
        "UPDATE managers SET writes_per_sec = 50 WHERE name = 'aws-prod'",
        "UPDATE managers SET mac = NULL WHERE name = 'aws-prod'",
        "UPDATE managers SET name = 'aws-prod2' WHERE name = 'aws-prod'",
    ];
    for sql in cases {
        let backup: Vec<u8> = raw(&fx.path)
            .query_row(
                "SELECT mac FROM managers WHERE name = 'aws-prod'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let (settings, uid, rate): (String, Vec<u8>, i64) = raw(&fx.path)
            .query_row(
                "SELECT settings, credential_uid, writes_per_sec FROM managers WHERE name = 'aws-prod'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        tamper(&fx, sql);
        let name = if sql.contains("aws-prod2'") {
            "aws-prod2"
        } else {
            "aws-prod"
        };
        expect_tampered(fx.manager(name), &format!("connection {name}"));
        expect_tampered(fx.manager_credentials(name, "t"), "connection");
        expect_tampered(fx.managers(), "connection");
        raw(&fx.path)
            .execute(
                "UPDATE managers SET name = 'aws-prod', settings = ?1, credential_uid = ?2,
                    writes_per_sec = ?3, mac = ?4 WHERE name IN ('aws-prod', 'aws-prod2')",
                rusqlite::params![settings, uid, rate, backup],
            )
            .unwrap();
        fx.manager("aws-prod").unwrap();
    }
    // Rotation refuses to re-tag an edited row.
    tamper(
        &fx,
        "UPDATE managers SET cache_ttl_secs = 1 WHERE name = 'aws-test'",
    );
    expect_tampered(fx.rotate_master_key(&passphrase()), "connection aws-test");
}

#[test]
fn an_edited_deployment_row_or_version_is_tampering() {
    let mut fx = Fixture::new();
    fx.add_manager(aws_spec("aws-prod", None)).unwrap();
    fx.register(basic("db", "u", "p")).unwrap();
    fx.register(basic("other", "u", "p")).unwrap();
    let target = DeploymentTarget {
        manager: "aws-prod".into(),
        remote_name: "prod/db".into(),
    };
    let d = fx.create_deployment(&named("db"), &target).unwrap();
    fx.begin_deployment(d.id).unwrap();
    fx.record_pushed_version(
        d.id,
        1,
        "v-1",
        "arn:aws:secretsmanager:eu-west-1:1:secret:prod/db",
    )
    .unwrap();
    let what = "deployment of secret Default:db to aws-prod:prod/db";
    let cases = [
        "UPDATE deployments SET managed = 0",
        "UPDATE deployments SET state = 'stalled'",
        "UPDATE deployments SET remote_name = 'prod/other'",
        "UPDATE deployment_versions SET remote_version = 'v-9'",
        "DELETE FROM deployment_versions",
        "UPDATE deployments SET secret_id = (SELECT id FROM secrets WHERE name = 'other')",
    ];
    let snapshot = || -> (Vec<u8>, i64) {
        raw(&fx.path)
            .query_row("SELECT mac, secret_id FROM deployments", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    let (mac, secret_id) = snapshot();
    for sql in cases {
        tamper(&fx, sql);
        let names = if sql.contains("'other'") {
            "deployment of secret Default:other"
        } else if sql.contains("prod/other") {
            "to aws-prod:prod/other"
        } else {
            what
        };
        expect_tampered(fx.deployment(d.id), names);
        expect_tampered(
            fx.pending_deployments()
                .and(fx.deployments_of_manager("aws-prod")),
            "deployment",
        );
        raw(&fx.path)
            .execute_batch(&format!(
                "DELETE FROM deployment_versions;
                 INSERT INTO deployment_versions VALUES ({id}, 1, 'v-1', {at});
                 UPDATE deployments SET managed = 1, state = 'available', remote_name = 'prod/db',
                    secret_id = {secret_id}, mac = x'{mac}';",
                id = d.id,
                at = crate::support::T0.unix(),
                mac = hex::encode(&mac),
            ))
            .unwrap();
        assert_eq!(
            fx.deployment(d.id).unwrap().versions[0].remote_version,
            "v-1"
        );
    }
}

#[test]
fn rotation_and_an_upgrade_from_schema_9_keep_connections_sound() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    fx.register(basic("db", "u", "p")).unwrap();
    fx.close();
    // A schema-9 vault: no connection tables.
    tamper(
        &fx,
        "DROP TABLE deployment_versions; DROP TABLE deployments; DROP TABLE managers;
             DROP TABLE team_identities; DROP TABLE team_replica; DROP TABLE team_replica_state;
             DROP TABLE team_queue;
         PRAGMA user_version = 9;",
    );
    fx.reopen();
    assert_eq!(fx.status().unwrap().schema_version, 13);
    fx.add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    let target = DeploymentTarget {
        manager: "aws-prod".into(),
        remote_name: "prod/db".into(),
    };
    let d = fx.create_deployment(&named("db"), &target).unwrap();
    fx.rotate_master_key(&passphrase()).unwrap();
    fx.reopen();
    assert_eq!(fx.manager("aws-prod").unwrap().spec.name, "aws-prod");
    assert_eq!(fx.deployment(d.id).unwrap().state.as_str(), "start");
    assert!(fx.manager_credentials("aws-prod", "t").unwrap().is_some());
    assert!(fx.verify_audit().unwrap().ok);
}

#[test]
fn the_first_unlock_after_an_upgrade_seals_connections_and_deployments() {
    let mut fx = Fixture::new();
    aws_key(&mut fx, "aws-key");
    fx.register(basic("db", "u", "p")).unwrap();
    fx.add_manager(aws_spec("aws-prod", Some("aws-key")))
        .unwrap();
    let target = DeploymentTarget {
        manager: "aws-prod".into(),
        remote_name: "prod/db".into(),
    };
    let d = fx.create_deployment(&named("db"), &target).unwrap();
    fx.close();
    // What a vault sealed before these tables had tags looks like: no
    // record, no tags, an audit log that says nothing of sealed rows.
    tamper(
        &fx,
        "DELETE FROM meta WHERE key = 'rows_sealed';
         UPDATE managers SET mac = NULL; UPDATE deployments SET mac = NULL;
         UPDATE secrets SET mac = NULL; UPDATE jobs SET mac = NULL;
         UPDATE organizations SET mac = NULL; UPDATE projects SET mac = NULL;
         DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail = json_remove(detail, '$.sealed_rows') WHERE seq = 1;",
    );
    fx.reopen();
    let sealed = fx
        .audit_entries(None, 50)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.seal_rows")
        .expect("the first unlock sealed the rows");
    // Secrets, the organization, the connection and the deployment.
    assert_eq!(sealed.detail["rows"], 5);
    assert_eq!(fx.manager("aws-prod").unwrap().spec.name, "aws-prod");
    assert_eq!(fx.deployment(d.id).unwrap().state.as_str(), "start");
    // From then on an edit is tampering.
    tamper(&fx, "UPDATE deployments SET managed = 1");
    expect_tampered(fx.deployment(d.id), "deployment of secret Default:db");
    tamper(&fx, "UPDATE managers SET stale_if_error_secs = 0");
    expect_tampered(fx.manager("aws-prod"), "connection aws-prod");
}
