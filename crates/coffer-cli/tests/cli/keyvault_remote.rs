//! The key-vault commands that talk to the service, against moto through
//! the real binary and a real vault file: test, browse, import, deploy,
//! a new version, decommission; refused credentials; an import whose remote
//! is gone; a CLI killed mid-deploy and the retry. Remote state is checked
//! with boto3, an independent client.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::faults::{Fault, FaultInjector};
use crate::moto::{Moto, python};
use crate::support::{Env, finish};

/// Runs boto3 against `endpoint`; `body` uses `sm` (a Secrets Manager client).
fn boto(endpoint: &str, body: &str) -> String {
    let script = format!(
        "import boto3, json\n\
         sm = boto3.client('secretsmanager', endpoint_url='{endpoint}', region_name='us-east-1',\n\
             aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         {body}\n"
    );
    let out = Command::new(python())
        .args(["-c", &script])
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The remote version ids of `name`.
fn remote_versions(endpoint: &str, name: &str) -> Vec<String> {
    let text = boto(
        endpoint,
        &format!(
            "print(json.dumps([v['VersionId'] for v in sm.list_secret_version_ids(SecretId='{name}')['Versions']]))"
        ),
    );
    serde_json::from_str(text.trim()).expect("json")
}

/// A vault with access-key secret `aws/key` (`key_id`, `secret`) and
/// connection `moto` to `endpoint`.
fn vault_with_connection(endpoint: &str, key_id: &str, secret: &str) -> Env {
    let env = Env::new();
    env.add_aws_key(key_id, secret);
    env.run(&[
        "manager",
        "add",
        "moto",
        "--aws-region",
        "us-east-1",
        "--endpoint",
        endpoint,
        "--access-key-secret",
        "aws/key",
    ])
    .ok();
    env
}

#[test]
fn test_browse_import_deploy_a_new_version_and_decommission() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let env = vault_with_connection(&endpoint, "testing", "testing");

    let tested = env.run(&["manager", "test", "moto"]).ok();
    assert!(
        tested.stdout.contains("Connection moto works"),
        "{}",
        tested.stdout
    );
    let tested = env.run(&["--json", "manager", "test", "moto"]).ok().json();
    assert_eq!(tested["ok"], true);
    assert!(tested["latency_ms"].is_u64());
    assert!(
        tested["checked"].as_str().unwrap().contains("ListSecrets"),
        "{tested}"
    );

    boto(
        &endpoint,
        "sm.create_secret(Name='app/db', SecretString=json.dumps({'user': 'u', 'password': 'remote-pw-8812'}))\n\
         sm.create_secret(Name='app/token', SecretString='remote-token-5531')\n\
         sm.create_secret(Name='other/x', SecretString='remote-other-1')",
    );
    let browsed = env
        .run(&["manager", "browse", "moto", "--prefix", "app/"])
        .ok();
    assert!(browsed.stdout.contains("app/db") && browsed.stdout.contains("app/token"));
    assert!(!browsed.stdout.contains("other/x"), "{}", browsed.stdout);
    for run in [&browsed.stdout, &browsed.stderr] {
        assert!(!run.contains("remote-pw-8812") && !run.contains("remote-token-5531"));
    }
    // Paged one at a time, --all walks every page.
    let all = env
        .run(&[
            "--json",
            "manager",
            "browse",
            "moto",
            "--page-size",
            "1",
            "--all",
        ])
        .ok()
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 3, "{all}");
    assert!(all["next"].is_null());
    let first = env
        .run(&["--json", "manager", "browse", "moto", "--page-size", "1"])
        .ok()
        .json();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert!(first["next"].is_string(), "{first}");

    let imported = env
        .run(&["manager", "import", "moto", "app/db", "app/token"])
        .ok();
    assert!(imported.stderr.contains("import 1/2") && imported.stderr.contains("import 2/2"));
    assert!(
        imported.stdout.contains("2 of 2 imported."),
        "{}",
        imported.stdout
    );
    assert!(!imported.stdout.contains("remote-pw-8812"));
    let db = env.run(&["--json", "secret", "show", "app/db"]).ok().json();
    assert_eq!(db["type"], "key_value", "{db}");
    let token = env.run(&["secret", "reveal", "app/token"]).ok();
    assert_eq!(token.stdout.trim(), "remote-token-5531");

    env.add_basic("deploy/me", "local-pw-1");
    let deployed = env
        .run(&[
            "secret",
            "deploy",
            "deploy/me",
            "--to",
            "moto",
            "--as",
            "deploy-me",
        ])
        .ok();
    assert!(
        deployed.stderr.contains(": deploying"),
        "{}",
        deployed.stderr
    );
    assert!(
        deployed.stderr.contains(": available"),
        "{}",
        deployed.stderr
    );
    assert!(!deployed.stdout.contains("local-pw-1") && !deployed.stderr.contains("local-pw-1"));
    assert_eq!(remote_versions(&endpoint, "deploy-me").len(), 1);

    env.run_with_stdin(
        &["secret", "update", "deploy/me", "--field", "password=@-"],
        b"local-pw-2",
    )
    .ok();
    let again = env
        .run(&[
            "--json",
            "secret",
            "deploy",
            "deploy/me",
            "--to",
            "moto",
            "--as",
            "deploy-me",
        ])
        .ok()
        .json();
    assert_eq!(again["state"], "available", "{again}");
    let versions = again["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{again}");
    assert_eq!(versions.iter().filter(|v| v["last"] == true).count(), 1);
    let remote = remote_versions(&endpoint, "deploy-me");
    assert_eq!(remote.len(), 2, "{remote:?}");
    let current = boto(
        &endpoint,
        "print(sm.get_secret_value(SecretId='deploy-me', VersionStage='AWSCURRENT')['SecretString'])",
    );
    assert!(current.contains("local-pw-2"), "the new version is current");

    // No terminal and no --yes: refused, nothing deleted.
    let refused = env
        .run(&["secret", "decommission", "deploy/me", "--to", "moto"])
        .fails(2);
    assert!(
        refused.stderr.contains("moto:deploy-me"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--yes"));
    assert_eq!(remote_versions(&endpoint, "deploy-me").len(), 2);

    let ended = env
        .run(&[
            "--json",
            "secret",
            "decommission",
            "deploy/me",
            "--to",
            "moto",
            "--yes",
        ])
        .ok()
        .json();
    assert_eq!(ended["state"], "end", "{ended}");
    let deleted = boto(
        &endpoint,
        "print('DeletedDate' in sm.describe_secret(SecretId='deploy-me'))",
    );
    assert_eq!(deleted.trim(), "True", "soft-deleted remotely");
    // Nothing left to retry.
    env.run(&["secret", "retry", "deploy/me", "--to", "moto"])
        .fails(3);
}

#[test]
fn refused_credentials_exit_6_with_the_hint_and_no_secret() {
    let moto = Moto::start();
    moto.require_credentials();
    let env = vault_with_connection(
        &moto.endpoint(),
        "AKIAUNKNOWNUNKNOWN00",
        "cli-wrong-secret-7741",
    );
    let run = env.run(&["manager", "test", "moto"]).fails(6);
    assert!(
        run.stdout.contains("Connection moto failed"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert!(
        run.stderr.to_lowercase().contains("credential"),
        "{}",
        run.stderr
    );
    let json = env.run(&["--json", "manager", "test", "moto"]).fails(6);
    assert_eq!(json.json()["ok"], false);
    assert_eq!(json.json()["class"], "unauthorized", "{}", json.stdout);
    assert!(json.error_json()["error"]["hint"].is_string());
    let browse = env.run(&["manager", "browse", "moto"]).fails(6);
    assert!(browse.stderr.contains("hint:"));
    for text in [
        &run.stdout,
        &run.stderr,
        &json.stdout,
        &json.stderr,
        &browse.stderr,
    ] {
        assert!(!text.contains("cli-wrong-secret-7741"), "{text}");
    }
}

#[test]
fn an_import_whose_remote_is_gone_imports_nothing_and_names_it() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let env = vault_with_connection(&endpoint, "testing", "testing");
    boto(
        &endpoint,
        "sm.create_secret(Name='kept', SecretString='kept-value-1')",
    );
    // All or none: the missing one fails the import, and nothing is kept.
    let run = env
        .run(&[
            "manager", "import", "moto", "kept", "gone", "--type", "data",
        ])
        .fails(3);
    assert!(run.stderr.contains("moto:gone"), "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("kept-value-1"), "{}", run.stderr);
    env.run(&["secret", "show", "kept"]).fails(3);
    env.run(&["secret", "show", "gone"]).fails(3);
    // The selection without it imports.
    let run = env
        .run(&["manager", "import", "moto", "kept", "--type", "data"])
        .ok();
    assert!(
        run.stdout.contains("Imported moto:kept as kept."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 of 1 imported."), "{}", run.stdout);
    env.run(&["secret", "show", "kept"]).ok();
    // --as names one local secret only; a type that cannot hold a remote value is refused.
    env.run(&["manager", "import", "moto", "kept", "gone", "--as", "x"])
        .fails(2);
    env.run(&["manager", "import", "moto", "kept", "--type", "ssh_key"])
        .fails(2);
}

#[test]
fn a_cli_killed_mid_deploy_then_retried_makes_one_remote_version() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    let endpoint = faults.endpoint();
    let env = vault_with_connection(&endpoint, "testing", "testing");
    env.add_basic("svc", "kill-pw-1");

    // Every request waits; the CLI is killed once its write reached the injector.
    faults.next(12, Fault::Delay(Duration::from_millis(1500)));
    let mut child = env
        .command(&["secret", "deploy", "svc", "--to", "moto"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !faults
        .seen()
        .iter()
        .any(|(op, _)| op == "CreateSecret" || op == "PutSecretValue")
    {
        assert!(
            Instant::now() < deadline,
            "no write seen: {:?}",
            faults.seen()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the CLI ended before its write"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL, by its PID
    let killed = finish(child.wait_with_output().unwrap());
    assert_eq!(killed.code, -1, "killed by a signal");
    // The delayed write still lands in moto after the CLI died: the retry
    // must find it rather than write the local version a second time.
    let deadline = Instant::now() + Duration::from_secs(30);
    let exists =
        "print(len(sm.list_secrets(Filters=[{'Key': 'name', 'Values': ['svc']}])['SecretList']))";
    while boto(&moto.endpoint(), exists).trim() != "1" {
        assert!(Instant::now() < deadline, "the delayed write never landed");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(remote_versions(&moto.endpoint(), "svc").len(), 1);
    let listed = env
        .run(&["--json", "secret", "deployments", "svc"])
        .ok()
        .json();
    assert_eq!(listed[0]["state"], "deploying", "{listed}");

    let retried = env
        .run(&["--json", "secret", "retry", "svc", "--to", "moto"])
        .ok()
        .json();
    assert_eq!(retried["state"], "available", "{retried}");
    assert_eq!(
        retried["versions"].as_array().unwrap().len(),
        1,
        "{retried}"
    );
    let remote = remote_versions(&moto.endpoint(), "svc");
    assert_eq!(
        remote.len(),
        1,
        "one remote version of local version 1: {remote:?}"
    );
    assert_eq!(retried["versions"][0]["remote_version"], remote[0].as_str());
}

#[test]
fn a_name_taken_by_an_untagged_remote_stalls_until_adopted() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let env = vault_with_connection(&endpoint, "testing", "testing");
    boto(
        &endpoint,
        "sm.create_secret(Name='taken', SecretString='someone-elses-1')",
    );
    env.add_basic("svc", "adopt-pw-1");
    let stalled = env
        .run(&["secret", "deploy", "svc", "--to", "moto", "--as", "taken"])
        .fails(7);
    assert!(stalled.stderr.contains(": stalled"), "{}", stalled.stderr);
    assert!(
        stalled.stderr.contains("not managed by Coffer"),
        "{}",
        stalled.stderr
    );
    assert!(
        stalled.stderr.contains("coffer secret adopt svc --to moto"),
        "{}",
        stalled.stderr
    );
    let untouched = boto(
        &endpoint,
        "print(sm.get_secret_value(SecretId='taken', VersionStage='AWSCURRENT')['SecretString'])",
    );
    assert_eq!(
        untouched.trim(),
        "someone-elses-1",
        "nothing written before adopting"
    );

    let adopted = env
        .run(&["--json", "secret", "adopt", "svc", "--to", "moto"])
        .ok()
        .json();
    assert_eq!(adopted["state"], "available", "{adopted}");
    assert_eq!(adopted["managed"], true);
    let now = boto(
        &endpoint,
        "print(sm.get_secret_value(SecretId='taken', VersionStage='AWSCURRENT')['SecretString'])",
    );
    assert!(now.contains("adopt-pw-1"), "Coffer's version is current");
    assert!(!adopted.to_string().contains("adopt-pw-1"));
}
