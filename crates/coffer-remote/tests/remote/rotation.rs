//! A connection's client follows its credential secret: in the app's
//! client cache ([`Remotes`]), a new version of the access-key secret (a
//! rotated key) is used on the next call, and a deactivated one refuses
//! the next call, even for values that were cached. Against moto with its
//! own credential check (IAM users, keys and a policy made with boto3), so
//! an old key that was deleted in IAM would be refused.

use std::process::Command;
use std::sync::Arc;

use coffer_core::remote::{AwsAuth, AwsSettings, ManagerSettings, ManagerSpec};
use coffer_core::secret::{SecretRef, SecretType, ValueChange, text_input};
use coffer_core::{ErrorCode, FixedClock};
use coffer_remote::{Origin, Remotes};

use crate::support::moto::{Moto, python};
use crate::support::vault::{T0, TestVault};
use crate::support::{block_on, quick_options, seed};

/// Runs a boto3 IAM script against moto; its stdout.
fn iam(moto: &Moto, key: (&str, &str), body: &str) -> String {
    let script = format!(
        "import boto3, json\niam = boto3.client('iam', endpoint_url='{}', region_name='us-east-1', \
         aws_access_key_id='{}', aws_secret_access_key='{}')\n{body}",
        moto.endpoint(),
        key.0,
        key.1
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
    String::from_utf8(out.stdout).expect("utf-8")
}

fn key_pair(line: &str) -> (String, String) {
    let (id, secret) = line.trim().split_once(' ').expect("id and secret");
    (id.to_owned(), secret.to_owned())
}

fn set_key(vault: &mut TestVault, id: &str, secret: &str) {
    vault
        .update_value(
            &SecretRef::named("aws-key"),
            ValueChange {
                set: vec![
                    text_input("aws_access_key_id", id),
                    text_input("aws_secret_access_key", secret),
                ],
                ..Default::default()
            },
            None,
        )
        .expect("new version of the key");
}

#[test]
fn a_rotated_access_key_is_used_on_the_next_call_and_a_deactivated_one_refused() {
    let moto = Moto::start();
    block_on(seed(&moto.endpoint(), "db", "db-value"));
    block_on(seed(&moto.endpoint(), "api", "api-value"));
    // An admin with two keys, before moto checks credentials.
    let keys = iam(
        &moto,
        ("testing", "testing"),
        concat!(
            "iam.create_user(UserName='admin')\n",
            "iam.put_user_policy(UserName='admin', PolicyName='all', PolicyDocument=json.dumps(",
            "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))\n",
            "for _ in range(2):\n",
            "    k = iam.create_access_key(UserName='admin')['AccessKey']\n",
            "    print(k['AccessKeyId'], k['SecretAccessKey'])\n",
        ),
    );
    let mut lines = keys.lines();
    let (old_id, old_secret) = key_pair(lines.next().expect("first key"));
    let (new_id, new_secret) = key_pair(lines.next().expect("second key"));
    moto.require_credentials();

    let mut vault = TestVault::new();
    vault.add(
        "aws-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", &old_id),
            ("aws_secret_access_key", &old_secret),
        ],
    );
    let manager = vault
        .add_manager(ManagerSpec {
            name: "aws-rot".into(),
            org: "Default".into(),
            settings: ManagerSettings::Aws(AwsSettings {
                region: "us-east-1".into(),
                endpoint: Some(moto.endpoint()),
                auth: AwsAuth::AccessKey {
                    secret: "aws-key".into(),
                },
            }),
            cache_ttl_secs: 3600,
            stale_if_error_secs: 0,
            writes_per_sec: 20,
        })
        .expect("connection");
    let remotes = Remotes::new(Arc::new(FixedClock::new(T0)), quick_options());
    let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    let got = remotes
        .fetch_stored(&mut vault, &manager, &names(&["db"]), "test")
        .expect("read with the first key");
    assert_eq!(got[0].value.as_slice(), b"db-value");
    // Cached: no call, no new client.
    let got = remotes
        .fetch_stored(&mut vault, &manager, &names(&["db"]), "test")
        .expect("cached");
    assert_eq!(got[0].origin, Origin::Cache);

    // Rotate: the secret gets the second key, and the first is deleted in
    // IAM. A client kept from before would now be refused.
    set_key(&mut vault, &new_id, &new_secret);
    iam(
        &moto,
        (&new_id, &new_secret),
        &format!("iam.delete_access_key(UserName='admin', AccessKeyId='{old_id}')\n"),
    );
    let got = remotes
        .fetch_stored(&mut vault, &manager, &names(&["api", "db"]), "test")
        .expect("read with the rotated key");
    assert_eq!(got.len(), 2);
    assert!(
        got.iter().all(|f| f.origin == Origin::Remote),
        "the old client's values went with it: {got:?}"
    );
    assert_eq!(got[0].value.as_slice(), b"api-value");

    // The credential is deactivated: the next call is refused, naming it,
    // and the values read with it are not served from the cache.
    vault
        .deactivate(&SecretRef::named("aws-key"))
        .expect("deactivate");
    let e = remotes
        .fetch_stored(&mut vault, &manager, &names(&["db"]), "test")
        .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Refused, "{e}");
    assert!(e.to_string().contains("aws-key"), "{e}");
    assert!(remotes.cached(&manager).is_empty());
    assert!(!e.to_string().contains(&new_secret), "no value in {e}");
}
