//! `coffer manager` and `coffer secret deployments`: connections stored
//! through the real vault file; what they refuse; what they never show.

use crate::support::Env;

const ACCESS_KEY_SECRET: &str = "cli-manager-secret-access-key";

/// A vault with an access-key secret `aws/key`.
fn vault_with_key() -> Env {
    let env = Env::new();
    env.add_aws_key("AKIACLITEST000000001", ACCESS_KEY_SECRET);
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

#[test]
fn edit_changes_only_the_given_settings_and_refuses_bad_ones_changing_nothing() {
    let env = vault_with_key();
    let file = env.file("akid2", "AKIACLITEST000000002");
    let sak = env.file("sak2", "cli-manager-second-secret");
    env.run(&[
        "secret",
        "add",
        "key_value",
        "aws/key-2",
        "--field",
        &format!("aws_access_key_id=@{}", file.display()),
        "--field",
        &format!("aws_secret_access_key=@{}", sak.display()),
    ])
    .ok();
    env.run(&[
        "manager",
        "add",
        "moto",
        "--aws-region",
        "us-east-1",
        "--endpoint",
        "http://127.0.0.1:5000",
        "--access-key-secret",
        "aws/key",
    ])
    .ok();
    let used = |name: &str| {
        env.run(&["--json", "secret", "show", name]).ok().json()["used_by"]
            .as_u64()
            .unwrap_or_default()
    };
    assert_eq!((used("aws/key"), used("aws/key-2")), (1, 0));

    let changed = env
        .run(&[
            "manager",
            "edit",
            "moto",
            "--access-key-secret",
            "aws/key-2",
            "--ttl",
            "90",
            "--writes-per-sec",
            "5",
        ])
        .ok();
    assert!(
        changed.stdout.contains("Changed connection moto"),
        "{}",
        changed.stdout
    );
    let show = env.run(&["--json", "manager", "show", "moto"]).ok().json();
    assert_eq!(show["manager"]["cache_ttl_secs"], 90);
    assert_eq!(show["manager"]["writes_per_sec"], 5);
    assert_eq!(show["manager"]["settings"]["auth"]["secret"], "aws/key-2");
    assert_eq!(
        show["manager"]["settings"]["endpoint"],
        "http://127.0.0.1:5000"
    );
    // "Used by" follows the credential secret.
    assert_eq!((used("aws/key"), used("aws/key-2")), (0, 1));

    // Refused, each naming why; the connection stays as it was.
    let before = env.run(&["--json", "manager", "show", "moto"]).ok().json();
    let bad_region = env
        .run(&["manager", "edit", "moto", "--aws-region", "Mars-1"])
        .fails(2);
    assert!(
        bad_region.stderr.contains("region"),
        "{}",
        bad_region.stderr
    );
    let plain_http = env
        .run(&[
            "manager",
            "edit",
            "moto",
            "--endpoint",
            "http://example.com",
        ])
        .fails(2);
    assert!(
        plain_http.stderr.contains("endpoint"),
        "{}",
        plain_http.stderr
    );
    env.run(&["manager", "edit", "moto", "--access-key-secret", "missing"])
        .fails(3);
    env.run(&["manager", "edit", "moto", "--tenant", "t"])
        .fails(2);
    env.run(&["manager", "edit", "moto"]).fails(2);
    env.run(&["manager", "edit", "nope", "--ttl", "1"]).fails(3);
    assert_eq!(
        env.run(&["--json", "manager", "show", "moto"]).ok().json(),
        before
    );
    let audit = env
        .run(&["--json", "audit", "list", "--limit", "50"])
        .ok()
        .stdout;
    assert!(audit.contains("manager.update"), "{audit}");
    assert!(
        !audit.contains("cli-manager-second-secret"),
        "no value audited"
    );
}
