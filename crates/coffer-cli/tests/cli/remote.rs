//! `coffer run` with `${secret:MANAGER:NAME#KEY}` against moto: the value
//! reaches the program, its output is redacted, and a missing remote name
//! stops the command before the program starts. The connection is added
//! through the core API (the CLI's `coffer manager` is another part); the
//! remote secrets are seeded with boto3, an independent client. moto is the
//! remote tests' launcher (`crate::moto`).

use std::process::Command;
use std::sync::Arc;

use coffer_core::remote::{AwsAuth, AwsSettings, ManagerSettings, ManagerSpec};
use coffer_core::{SecretString, SystemClock, Vault};

use crate::moto::{Moto, python};
use crate::support::{Env, PASSPHRASE};

const PASSWORD: &str = "cli-remote-pw-5521";

/// Creates a remote secret with boto3.
fn seed(moto: &Moto, name: &str, value: &str) {
    let script = "import sys, boto3\n\
        c = boto3.client('secretsmanager', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
            aws_access_key_id='testing', aws_secret_access_key='testing')\n\
        c.create_secret(Name=sys.argv[2], SecretString=sys.argv[3])\n";
    let out = Command::new(python())
        .args(["-c", script, &moto.endpoint(), name, value])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn setup(moto: &Moto) -> Env {
    let env = Env::new();
    let id = env.file("key-id", "testing");
    let key = env.file("key-secret", "testing");
    env.run(&[
        "secret",
        "add",
        "key_value",
        "aws-key",
        "--field",
        &format!("aws_access_key_id=@{}", id.display()),
        "--field",
        &format!("aws_secret_access_key=@{}", key.display()),
    ])
    .ok();
    let mut vault = Vault::open(&env.vault, Arc::new(SystemClock)).unwrap();
    vault
        .unlock_with_passphrase(&SecretString::from(PASSPHRASE))
        .unwrap();
    vault
        .add_manager(ManagerSpec {
            name: "aws".into(),
            org: "Default".into(),
            settings: ManagerSettings::Aws(AwsSettings {
                region: "us-east-1".into(),
                endpoint: Some(moto.endpoint()),
                auth: AwsAuth::AccessKey {
                    secret: "aws-key".into(),
                },
            }),
            cache_ttl_secs: 3600,
            stale_if_error_secs: 300,
            writes_per_sec: 20,
        })
        .unwrap();
    drop(vault);
    env
}

#[test]
fn coffer_run_resolves_remote_keys_and_redacts_them() {
    let moto = Moto::start();
    seed(
        &moto,
        "app/db",
        &format!(r#"{{"user":"svc","password":"{PASSWORD}"}}"#),
    );
    let env = setup(&moto);
    let run = env
        .run(&[
            "run",
            "--env",
            "P=${secret:aws:app/db#password}",
            "--",
            "/bin/sh",
            "-c",
            &format!("test \"$P\" = '{PASSWORD}' && echo \"same: $P\""),
        ])
        .ok();
    assert_eq!(run.stdout, "same: ***\n");
    assert!(!run.stderr.contains(PASSWORD), "{}", run.stderr);
    assert!(
        run.stderr.contains("aws:app/db version") && run.stderr.contains("read from the key vault"),
        "{}",
        run.stderr
    );

    let marker = env.path("ran");
    let run = env
        .run(&[
            "--json",
            "run",
            "--env",
            "P=${secret:aws:app/missing#password}",
            "--",
            "/bin/sh",
            "-c",
            &format!("touch {}", marker.display()),
        ])
        .fails(3);
    let error = run.error_json();
    assert_eq!(error["error"]["code"], "not_found");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("--env P, line 1, column 1") && message.contains("has no secret"),
        "{message}"
    );
    assert!(!marker.exists(), "the program ran");

    // An unknown connection is named the same way.
    let run = env
        .run(&["run", "--env", "P=${secret:nope:x}", "--", "/bin/true"])
        .fails(3);
    assert!(
        run.stderr.contains("unknown key vault \"nope\""),
        "{}",
        run.stderr
    );
}
