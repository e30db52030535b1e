//! The Azure Key Vault connection through Microsoft's Rust SDK against the
//! stand-in: every KeyVault operation, idempotent writes, soft delete.

use coffer_remote::tags::{MANAGED_BY_COFFER, TAG_MANAGED_BY, TAG_VERSION};
use coffer_remote::{FailureClass, KeyVault as _, Tags, WriteRequest};

use crate::support::azure_standin::AzureStandIn;

fn managed_tags() -> Tags {
    Tags::from([(TAG_MANAGED_BY.to_owned(), MANAGED_BY_COFFER.to_owned())])
}

async fn put(
    vault: &impl coffer_remote::KeyVault,
    name: &str,
    value: &str,
    token: &str,
) -> coffer_remote::WriteOutcome {
    vault
        .put(WriteRequest {
            name,
            value: value.as_bytes(),
            binary: false,
            tags: &managed_tags(),
            idempotency_token: token,
        })
        .await
        .expect("put")
}

#[tokio::test]
async fn probe_put_get_describe_and_versions() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();

    let probe = vault.probe().await.expect("probe");
    assert!(
        probe.checked.contains("listed secrets"),
        "{}",
        probe.checked
    );
    assert!(
        probe.checked.contains(&standin.vault_uri()),
        "{}",
        probe.checked
    );

    let first = put(&vault, "db-password", "one", "local-v1").await;
    assert!(!first.already_written);
    assert_eq!(first.version.len(), 32, "a Key Vault version id");
    assert_eq!(
        first.remote_id,
        format!("{}secrets/db-password", standin.vault_uri())
    );
    let second = put(&vault, "db-password", "two", "local-v2").await;
    assert_ne!(first.version, second.version);

    let values = vault
        .get_many(&["db-password".to_owned(), "missing-one".to_owned()])
        .await
        .expect("get_many");
    assert_eq!(values.len(), 1, "a missing name is left out");
    assert_eq!(values[0].name, "db-password");
    assert_eq!(values[0].version, second.version);
    assert_eq!(&values[0].value[..], b"two");
    assert!(!values[0].binary);
    assert_eq!(
        values[0].tags.get(TAG_VERSION).map(String::as_str),
        Some("local-v2")
    );

    let old = vault
        .get_version("db-password", &first.version)
        .await
        .expect("get version")
        .expect("old version exists");
    assert_eq!(&old.value[..], b"one");

    let described = vault
        .describe("db-password")
        .await
        .expect("describe")
        .expect("exists");
    assert_eq!(described.versions, Some(2));
    assert!(described.managed);
    assert!(!described.deleted);
    assert!(described.updated_at.is_some());
    assert_eq!(
        described.tags.get(TAG_VERSION).map(String::as_str),
        Some("local-v2")
    );
    assert!(
        vault
            .describe("never-made")
            .await
            .expect("describe")
            .is_none()
    );

    let versions = vault.versions("db-password").await.expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions.iter().filter(|v| v.current).count(), 1);
    let current = versions.iter().find(|v| v.current).expect("current");
    assert_eq!(current.id, second.version);
    assert!(versions.iter().any(|v| v.id == first.version && !v.current));

    let missing = vault.versions("never-made").await.expect_err("no versions");
    assert_eq!(missing.class(), Some(FailureClass::NotFound));
}

#[tokio::test]
async fn binary_values_round_trip_as_base64_text() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    let bytes: Vec<u8> = (0u8..=255).collect();
    vault
        .put(WriteRequest {
            name: "blob",
            value: &bytes,
            binary: true,
            tags: &managed_tags(),
            idempotency_token: "b1",
        })
        .await
        .expect("put binary");
    let values = vault.get_many(&["blob".to_owned()]).await.expect("get");
    assert!(values[0].binary);
    assert_eq!(&values[0].value[..], &bytes[..]);

    let not_text = vault
        .put(WriteRequest {
            name: "not-text",
            value: &[0xff, 0xfe],
            binary: false,
            tags: &Tags::new(),
            idempotency_token: "t1",
        })
        .await
        .expect_err("invalid UTF-8 as text");
    assert_eq!(not_text.class(), Some(FailureClass::Rejected));
}

#[tokio::test]
async fn list_filters_by_prefix_and_pages_with_next_links() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    for i in 0..5 {
        put(&vault, &format!("app-{i}"), "v", "t").await;
    }
    for i in 0..3 {
        put(&vault, &format!("zz-other-{i}"), "v", "t").await;
    }

    let mut names = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = vault.list("app-", token.take(), 2).await.expect("list");
        pages += 1;
        assert!(
            !page.items.is_empty() || page.next.is_none(),
            "an empty page only at the end"
        );
        assert!(page.items.len() <= 2);
        for item in &page.items {
            assert!(item.managed);
            assert!(!item.deleted);
            assert_eq!(
                item.remote_id,
                format!("{}secrets/{}", standin.vault_uri(), item.name)
            );
        }
        names.extend(page.items.into_iter().map(|i| i.name));
        match page.next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(names, ["app-0", "app-1", "app-2", "app-3", "app-4"]);
    assert!(pages >= 3, "5 names in pages of 2: {pages} pages");

    let all = vault.list("", None, 25).await.expect("list all");
    assert_eq!(all.items.len(), 8);
    assert!(all.next.is_none());

    // A page token is a link the vault gave: anything else is refused
    // before the bearer token could go to another host.
    for bad in [
        "https://evil.example/secrets?x=1",
        "not a url",
        "https://127.0.0.1:1/secrets",
    ] {
        let err = vault
            .list("", Some(bad.to_owned()), 2)
            .await
            .expect_err(bad);
        assert_eq!(err.class(), Some(FailureClass::Rejected), "{bad}");
    }
}

#[tokio::test]
async fn an_idempotent_put_never_makes_a_second_version() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    let first = put(&vault, "api-key", "value-1", "version-17").await;
    let again = put(&vault, "api-key", "value-1", "version-17").await;
    assert!(again.already_written);
    assert_eq!(again.version, first.version);
    assert_eq!(vault.versions("api-key").await.expect("versions").len(), 1);
    assert_eq!(
        standin.stat("PUT secrets").await,
        1,
        "the retry sent no write"
    );

    // The write lands but its answer is lost: the retry reads the tag and
    // does not write again.
    standin
        .control(
            "faults",
            serde_json::json!({"cut_after": 1, "method": "PUT"}),
        )
        .await;
    let lost = put(&vault, "api-key", "value-2", "version-18").await;
    assert!(lost.already_written, "found by its tag after the cut");
    assert_eq!(standin.stat("cut_after").await, 1);
    let versions = vault.versions("api-key").await.expect("versions");
    assert_eq!(versions.len(), 2, "one remote version per local version");
    assert_eq!(
        versions.iter().find(|v| v.current).expect("current").id,
        lost.version
    );

    // A new local version is a new remote version.
    let next = put(&vault, "api-key", "value-3", "version-19").await;
    assert!(!next.already_written);
    assert_eq!(vault.versions("api-key").await.expect("versions").len(), 3);
}

#[tokio::test]
async fn soft_delete_then_describe_and_recover() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    put(&vault, "old-token", "keep me", "t1").await;
    vault.delete("old-token").await.expect("delete");

    assert!(
        vault
            .get_many(&["old-token".to_owned()])
            .await
            .expect("get")
            .is_empty()
    );
    let deleted = vault
        .describe("old-token")
        .await
        .expect("describe")
        .expect("still known");
    assert!(deleted.deleted, "soft-deleted, recoverable");
    assert!(deleted.managed);
    assert!(
        vault
            .list("", None, 25)
            .await
            .expect("list")
            .items
            .is_empty(),
        "deleted secrets are not listed as live"
    );

    // The name cannot be reused while it is recoverable.
    let reuse = vault
        .put(WriteRequest {
            name: "old-token",
            value: b"other",
            binary: false,
            tags: &Tags::new(),
            idempotency_token: "t2",
        })
        .await
        .expect_err("deleted name");
    assert_eq!(reuse.class(), Some(FailureClass::Rejected));
    assert!(reuse.to_string().contains("deleted"), "{reuse}");
    assert!(!reuse.to_string().contains("other"), "no value in {reuse}");

    vault.recover("old-token").await.expect("recover");
    let values = vault
        .get_many(&["old-token".to_owned()])
        .await
        .expect("get");
    assert_eq!(&values[0].value[..], b"keep me");

    let gone = vault.delete("never-made").await.expect_err("missing");
    assert_eq!(gone.class(), Some(FailureClass::NotFound));
}

#[tokio::test]
async fn get_many_reads_every_name_once_in_order() {
    let standin = AzureStandIn::start();
    let vault = standin.vault();
    let mut names = Vec::new();
    for i in 0..10 {
        let name = format!("many-{i}");
        put(&vault, &name, &format!("value-{i}"), "t").await;
        names.push(name);
    }
    names.insert(3, "not-there".to_owned());
    let before = standin.stat("GET secrets").await;
    let values = vault.get_many(&names).await.expect("get_many");
    assert_eq!(values.len(), 10);
    for (i, value) in values.iter().enumerate() {
        assert_eq!(value.name, format!("many-{i}"));
        assert_eq!(&value.value[..], format!("value-{i}").as_bytes());
    }
    assert_eq!(
        standin.stat("GET secrets").await - before,
        11,
        "one read per name"
    );
}
