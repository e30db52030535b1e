//! `coffer manager` and `coffer secret deployments`: connections stored
//! through the real vault file; what they refuse; what they never show.

#[path = "../../../coffer-remote/tests/remote/support/moto.rs"]
mod moto;

use moto::Moto;

use crate::support::Env;

/// A free port on 127.0.0.1 (the moto harness asks its parent module for it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const ACCESS_KEY_SECRET: &str = "cli-manager-secret-access-key";

/// A vault with an access-key secret `aws/key`.
fn vault_with_key() -> Env {
    let env = Env::new();
    let id = env.file("akid", "AKIACLITEST000000001");
    let secret = env.file("sak", ACCESS_KEY_SECRET);
    env.run(&[
        "secret",
        "add",
        "key_value",
        "aws/key",
        "--field",
        &format!("aws_access_key_id=@{}", id.display()),
        "--field",
        &format!("aws_secret_access_key=@{}", secret.display()),
    ])
    .ok();
    env
}

#[test]
fn add_list_show_and_delete_a_connection() {
    let env = vault_with_key();
    let added = env
        .run(&[
            "manager",
            "add",
            "moto",
            "--aws-region",
            "us-east-1",
            "--endpoint",
            "http://127.0.0.1:5000",
            "--access-key-secret",
            "aws/key",
            "--ttl",
            "60",
        ])
        .ok();
    assert!(
        added.stdout.contains("Added connection moto"),
        "{}",
        added.stdout
    );

    let list = env.run(&["manager", "list"]).ok();
    assert!(list.stdout.contains("moto"), "{}", list.stdout);
    assert!(
        list.stdout.contains("access key in aws/key"),
        "{}",
        list.stdout
    );

    let show = env.run(&["--json", "manager", "show", "moto"]).ok().json();
    assert_eq!(show["manager"]["name"], "moto");
    assert_eq!(show["manager"]["cache_ttl_secs"], 60);
    assert_eq!(show["manager"]["settings"]["kind"], "aws");
    assert_eq!(show["manager"]["settings"]["auth"]["secret"], "aws/key");
    assert_eq!(show["used_by"], serde_json::json!([]));
    let text = env.run(&["manager", "show", "moto"]).ok().stdout;
    assert!(text.contains("http://127.0.0.1:5000"), "{text}");
    assert!(
        !text.contains(ACCESS_KEY_SECRET),
        "a connection never shows its credential"
    );

    // The same name (any case) is refused, and the first connection is kept.
    env.run(&["manager", "add", "MOTO", "--aws-region", "eu-west-1"])
        .fails(2);
    assert_eq!(
        env.run(&["--json", "manager", "list"]).ok().json()[0]["settings"]["region"],
        "us-east-1"
    );

    env.run(&["manager", "delete", "moto"]).ok();
    env.run(&["manager", "show", "moto"]).fails(3);
    env.run(&["manager", "delete", "moto"]).fails(3);
}

#[test]
fn an_azure_connection_with_a_client_secret() {
    let env = Env::new();
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "client_credentials",
            "azure/sp",
            "--field",
            "client_id=00000000-0000-0000-0000-000000000001",
            "--field",
            "client_secret=@-",
        ],
        b"azure-sp-secret-value",
    )
    .ok();
    env.run(&[
        "manager",
        "add",
        "kv",
        "--azure-vault-uri",
        "https://kv.vault.azure.net/",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--client-secret-secret",
        "azure/sp",
    ])
    .ok();
    let show = env.run(&["--json", "manager", "show", "kv"]).ok().json();
    assert_eq!(show["manager"]["settings"]["kind"], "azure");
    assert_eq!(
        show["manager"]["settings"]["auth"]["method"],
        "client_secret"
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_stored() {
    let env = vault_with_key();
    // Options: no service, two services, an option of the other service.
    env.run(&["manager", "add", "x"]).fails(2);
    env.run(&[
        "manager",
        "add",
        "x",
        "--aws-region",
        "eu-west-1",
        "--azure-vault-uri",
        "https://a.vault.azure.net/",
        "--tenant",
        "t",
    ])
    .fails(2);
    env.run(&[
        "manager",
        "add",
        "x",
        "--aws-region",
        "eu-west-1",
        "--tenant",
        "t",
    ])
    .fails(2);
    env.run(&[
        "manager",
        "add",
        "x",
        "--aws-region",
        "eu-west-1",
        "--ttl",
        "soon",
    ])
    .fails(2);
    // The core: a name placeholders cannot use, a credential secret that does
    // not exist or has the wrong type.
    let bad_name = env
        .run(&[
            "--json",
            "manager",
            "add",
            "a:b",
            "--aws-region",
            "eu-west-1",
        ])
        .fails(2);
    assert_eq!(bad_name.error_json()["error"]["code"], "invalid_input");
    env.run(&[
        "manager",
        "add",
        "x",
        "--aws-region",
        "eu-west-1",
        "--access-key-secret",
        "nope",
    ])
    .fails(3);
    env.add_basic("not/a/key", "pw-value");
    env.run(&[
        "manager",
        "add",
        "x",
        "--aws-region",
        "eu-west-1",
        "--access-key-secret",
        "not/a/key",
    ])
    .fails(2);
    let list = env.run(&["--json", "manager", "list"]).ok().json();
    assert_eq!(list, serde_json::json!([]));
    assert!(
        env.run(&["manager", "list"])
            .ok()
            .stdout
            .contains("No connections")
    );
}

#[test]
fn deployments_list_is_empty_and_names_an_unknown_secret() {
    let env = vault_with_key();
    assert_eq!(
        env.run(&["--json", "secret", "deployments"]).ok().json(),
        serde_json::json!([])
    );
    assert!(
        env.run(&["secret", "deployments", "aws/key"])
            .ok()
            .stdout
            .contains("No deployments")
    );
    env.run(&["secret", "deployments", "missing"]).fails(3);
}

fn add_moto(env: &Env, moto: &Moto) {
    env.run(&[
        "manager",
        "add",
        "moto",
        "--aws-region",
        "us-east-1",
        "--endpoint",
        &moto.endpoint(),
        "--access-key-secret",
        "aws/key",
        "--ttl",
        "60",
    ])
    .ok();
}

/// Creates a remote secret through moto's API (a second opinion, not Coffer).
fn create_remote(moto: &Moto, name: &str, value: &str) {
    let body = serde_json::json!({ "Name": name, "SecretString": value }).to_string();
    let answer = call(moto, "CreateSecret", &body);
    assert!(answer.contains("\"ARN\""), "CreateSecret answered {answer}");
}

fn call(moto: &Moto, action: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", moto.port)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: secretsmanager.{action}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        moto.port,
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn test_reports_latency_and_what_was_checked() {
    let moto = Moto::start();
    let env = vault_with_key();
    add_moto(&env, &moto);
    let test = env.run(&["manager", "test", "moto"]).ok();
    assert!(test.stdout.contains("moto: ok in"), "{}", test.stdout);
    assert!(test.stdout.contains("checked:"), "{}", test.stdout);
    let json = env.run(&["--json", "manager", "test", "moto"]).ok().json();
    assert_eq!(json["ok"], true);
    // The credential's use is audited under the connection; its value never is.
    let audit = env
        .run(&["--json", "audit", "list", "--limit", "200"])
        .ok()
        .stdout;
    assert!(audit.contains("connection moto"), "{audit}");
    assert!(!audit.contains(ACCESS_KEY_SECRET));
}

#[test]
fn browse_lists_names_never_values() {
    let moto = Moto::start();
    let env = vault_with_key();
    add_moto(&env, &moto);
    create_remote(&moto, "db/password", "browse-canary-value-1");
    create_remote(&moto, "db/user", "browse-canary-value-2");
    create_remote(&moto, "api/token", "browse-canary-value-3");

    let all = env.run(&["manager", "browse", "moto"]).ok();
    for name in ["db/password", "db/user", "api/token"] {
        assert!(all.stdout.contains(name), "{}", all.stdout);
    }
    assert!(!all.stdout.contains("canary"), "browsing shows no values");
    let db = env
        .run(&["--json", "manager", "browse", "moto", "--prefix", "db/"])
        .ok()
        .json();
    let names: Vec<&str> = db["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["db/password", "db/user"]);
    assert_eq!(db["items"][0]["managed"], false);
    let limited = env
        .run(&["--json", "manager", "browse", "moto", "--limit", "1"])
        .ok()
        .json();
    assert_eq!(limited["items"].as_array().unwrap().len(), 1);
    assert_eq!(limited["more"], true);
}

#[test]
fn wrong_credentials_exit_6_with_the_hint_and_unreachable_exits_7() {
    let moto = Moto::start();
    let env = vault_with_key();
    add_moto(&env, &moto);
    moto.require_credentials();
    let refused = env.run(&["manager", "test", "moto"]).fails(6);
    assert!(refused.stderr.contains("moto"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("check the credential secret"),
        "the class's hint: {}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains(ACCESS_KEY_SECRET) && !refused.stdout.contains(ACCESS_KEY_SECRET)
    );
    let json = env.run(&["--json", "manager", "test", "moto"]).fails(6);
    assert_eq!(json.json()["class"], "unauthorized");
    assert_eq!(json.error_json()["error"]["code"], "refused");

    // Nothing listens on this port.
    let closed = free_port();
    env.run(&[
        "manager",
        "add",
        "gone",
        "--aws-region",
        "us-east-1",
        "--endpoint",
        &format!("http://127.0.0.1:{closed}"),
        "--access-key-secret",
        "aws/key",
    ])
    .ok();
    let down = env.run(&["manager", "test", "gone"]).fails(7);
    assert!(
        down.stderr.contains("nothing answered") || down.stderr.contains("check the network"),
        "{}",
        down.stderr
    );
}

#[test]
fn a_deactivated_credential_secret_is_refused_naming_it() {
    let moto = Moto::start();
    let env = vault_with_key();
    add_moto(&env, &moto);
    env.run(&["secret", "deactivate", "aws/key"]).ok();
    let refused = env.run(&["manager", "test", "moto"]).fails(6);
    assert!(refused.stderr.contains("aws/key"), "{}", refused.stderr);
}

#[test]
fn import_deploy_update_and_decommission_against_moto() {
    let moto = Moto::start();
    let env = vault_with_key();
    add_moto(&env, &moto);
    create_remote(
        &moto,
        "legacy/db",
        r#"{"username":"app","password":"imp-canary-1"}"#,
    );
    create_remote(&moto, "legacy/token", "imp-canary-2");

    // Import: progress on stderr, one local secret each, a missing one fails alone.
    let imported = env
        .run(&[
            "manager",
            "import",
            "moto",
            "legacy/db",
            "legacy/token",
            "legacy/gone",
        ])
        .fails(2);
    assert!(
        imported.stderr.contains("[1/3]") && imported.stderr.contains("[3/3]"),
        "{}",
        imported.stderr
    );
    assert!(
        imported.stdout.contains("imported legacy/db"),
        "{}",
        imported.stdout
    );
    assert!(
        imported.stdout.contains("not imported legacy/gone"),
        "{}",
        imported.stdout
    );
    let db = env
        .run(&["--json", "secret", "show", "legacy/db"])
        .ok()
        .json();
    assert_eq!(db["type"], "key_value");
    let token = env
        .run(&["--json", "secret", "show", "legacy/token"])
        .ok()
        .json();
    assert_eq!(token["type"], "data");
    assert!(!imported.stdout.contains("imp-canary") && !imported.stderr.contains("imp-canary"));

    // Deploy: synchronous, states on stderr, available with one remote version.
    env.run_with_stdin(
        &[
            "secret",
            "add",
            "api_key",
            "app/key",
            "--field",
            "header_name=X-Key",
            "--field",
            "value=@-",
        ],
        b"deploy-canary-v1",
    )
    .ok();
    let deployed = env
        .run(&["secret", "deploy", "app/key", "--to", "moto"])
        .ok();
    assert!(deployed.stderr.contains("available"), "{}", deployed.stderr);
    let list = env
        .run(&["--json", "secret", "deployments", "app/key"])
        .ok()
        .json();
    assert_eq!(list[0]["state"], "available");
    assert_eq!(list[0]["versions"].as_array().unwrap().len(), 1);

    // A new local version: retry pushes it; two remote versions, the new one last.
    env.run_with_stdin(
        &["secret", "update", "app/key", "--field", "value=@-"],
        b"deploy-canary-v2",
    )
    .ok();
    env.run(&["secret", "retry", "app/key", "--to", "moto"])
        .ok();
    let list = env
        .run(&["--json", "secret", "deployments", "app/key"])
        .ok()
        .json();
    let versions = list[0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["last"], true);
    assert_eq!(versions[1]["version"], 2);
    let remote = call(&moto, "ListSecretVersionIds", r#"{"SecretId":"app/key"}"#);
    assert_eq!(remote.matches("\"VersionId\"").count(), 2, "{remote}");

    // Decommission asks (no terminal: --yes is needed), then ends at `end`.
    env.run(&["secret", "decommission", "app/key", "--from", "moto"])
        .fails(2);
    env.run(&[
        "secret",
        "decommission",
        "app/key",
        "--from",
        "moto",
        "--yes",
    ])
    .ok();
    let list = env
        .run(&["--json", "secret", "deployments", "app/key"])
        .ok()
        .json();
    assert_eq!(list[0]["state"], "end");
}
