//! The deploy engine and import against real services: the same scenarios
//! run against each key vault a test starts (the Azure stand-in here; moto
//! for AWS in `deploy_aws`), through the real SDKs and a real vault file.

use coffer_core::remote::{DeploymentState, DeploymentTarget, ManagerKind};
use coffer_core::secret::{SecretRef, SecretType, ValueChange, text_input};
use coffer_core::{ErrorCode, Vault};
use coffer_remote::deploy::idempotency_token;
use coffer_remote::tags::{
    MANAGED_BY_COFFER, TAG_MANAGED_BY, TAG_SECRET_ID, TAG_VAULT_ID, TAG_VERSION, TAG_WRITE_ONLY,
};
use coffer_remote::{
    DeployOptions, Engine, ImportItem, KeyVault, RateLimiter, Tags, WriteRequest, import_many,
};

use crate::support::vault::{TestVault, new_secret};

/// A key vault under test with a Coffer vault connected to it.
pub struct Site<K: KeyVault> {
    pub vault: TestVault,
    pub client: K,
    pub manager: &'static str,
    pub kind: ManagerKind,
    pub limiter: RateLimiter,
    pub options: DeployOptions,
}

pub fn fast_options() -> DeployOptions {
    DeployOptions {
        max_attempts: 3,
        base_backoff: std::time::Duration::from_millis(10),
        max_backoff: std::time::Duration::from_secs(1),
    }
}

fn named(name: &str) -> SecretRef {
    SecretRef::named(name)
}

impl<K: KeyVault> Site<K> {
    fn target(&self, remote: &str) -> DeploymentTarget {
        DeploymentTarget {
            manager: self.manager.into(),
            remote_name: remote.into(),
        }
    }

    /// Deploys `secret` as `remote` and runs the engine until it rests.
    async fn deploy(&mut self, secret: &str, remote: &str) -> coffer_core::remote::Deployment {
        let target = self.target(remote);
        let d = self
            .vault
            .create_deployment(&named(secret), &target)
            .expect("create deployment");
        self.run(d.id).await
    }

    async fn run(&mut self, id: i64) -> coffer_core::remote::Deployment {
        self.run_seeing(id).await.0
    }

    async fn run_seeing(
        &mut self,
        id: i64,
    ) -> (coffer_core::remote::Deployment, Vec<DeploymentState>) {
        let engine = Engine {
            manager: self.manager,
            kind: self.kind,
            client: &self.client,
            limiter: &self.limiter,
            options: &self.options,
        };
        let mut seen = Vec::new();
        let d = engine
            .run(&mut self.vault, id, &mut |d| seen.push(d.state))
            .await
            .expect("engine run");
        seen.dedup();
        (d, seen)
    }

    async fn remote_value(&self, name: &str) -> Vec<u8> {
        let values = self.client.get_many(&[name.to_owned()]).await.expect("get");
        assert_eq!(values.len(), 1, "{name} exists remotely");
        values[0].value.to_vec()
    }

    async fn put_untagged(&self, name: &str, value: &str) {
        self.client
            .put(WriteRequest {
                name,
                value: value.as_bytes(),
                binary: false,
                tags: &Tags::new(),
                idempotency_token: "someone-elses-token-000000000000000",
            })
            .await
            .expect("put an untagged remote secret");
    }
}

fn audit_ops(vault: &Vault, target: &str) -> Vec<String> {
    vault
        .audit_entries(None, 500)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action.starts_with("remote.") && e.target == target)
        .map(|e| {
            format!(
                "{}={}",
                e.action,
                e.detail["outcome"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Deploy → available with Coffer's tags; a new version → updating_versions
/// → available with two remote versions and `last`; decommission → end.
pub async fn deploy_update_and_decommission<K: KeyVault>(site: &mut Site<K>) {
    site.vault.add(
        "db",
        SecretType::BasicAuth,
        &[("username", "svc"), ("password", "pw-one")],
    );
    let (d, seen) = {
        let target = site.target("coffer-db");
        let d = site.vault.create_deployment(&named("db"), &target).unwrap();
        site.run_seeing(d.id).await
    };
    assert_eq!(
        seen,
        [
            DeploymentState::Start,
            DeploymentState::Deploying,
            DeploymentState::Available
        ]
    );
    assert!(d.managed);
    assert_eq!(d.versions.len(), 1);
    assert!(d.remote_id.is_some());
    let value: serde_json::Value =
        serde_json::from_slice(&site.remote_value("coffer-db").await).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"username": "svc", "password": "pw-one"})
    );
    let remote = site.client.describe("coffer-db").await.unwrap().unwrap();
    let meta = site.vault.get(&named("db")).unwrap();
    assert_eq!(
        remote.tags.get(TAG_MANAGED_BY).map(String::as_str),
        Some(MANAGED_BY_COFFER)
    );
    assert_eq!(remote.tags.get(TAG_VAULT_ID), Some(&site.vault.id()));
    assert_eq!(remote.tags.get(TAG_SECRET_ID), Some(&meta.id.to_string()));
    assert_eq!(
        remote.tags.get(TAG_VERSION),
        Some(&idempotency_token(&meta.id.to_string(), 1))
    );
    assert_eq!(
        remote.tags.get(TAG_WRITE_ONLY).map(String::as_str),
        Some("false")
    );

    site.vault
        .update_value(
            &named("db"),
            ValueChange {
                set: vec![text_input("password", "pw-two")],
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert_eq!(site.vault.pending_deployments().unwrap().len(), 1);
    let (d, seen) = site.run_seeing(d.id).await;
    assert_eq!(
        seen,
        [
            DeploymentState::Available,
            DeploymentState::UpdatingVersions,
            DeploymentState::Available
        ]
    );
    let pushed: Vec<(u32, bool)> = d.versions.iter().map(|v| (v.version, v.last)).collect();
    assert_eq!(pushed, [(1, false), (2, true)]);
    assert_ne!(d.versions[0].remote_version, d.versions[1].remote_version);
    let remote_versions = site.client.versions("coffer-db").await.unwrap();
    assert_eq!(remote_versions.len(), 2, "{remote_versions:?}");
    let current = remote_versions.iter().find(|v| v.current).unwrap();
    assert_eq!(current.id, d.versions[1].remote_version);
    let value: serde_json::Value =
        serde_json::from_slice(&site.remote_value("coffer-db").await).unwrap();
    assert_eq!(value["password"], "pw-two");
    assert!(site.vault.pending_deployments().unwrap().is_empty());

    let e = site
        .vault
        .decommission_deployment(d.id, "coffer-db")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let confirm = format!("{}:coffer-db", site.manager);
    site.vault.decommission_deployment(d.id, &confirm).unwrap();
    let d = site.run(d.id).await;
    assert_eq!(d.state, DeploymentState::End);
    let gone = site.client.describe("coffer-db").await.unwrap();
    assert!(
        gone.as_ref().is_none_or(|r| r.deleted),
        "deleted remotely: {gone:?}"
    );
    let ops = audit_ops(&site.vault, &format!("{}:coffer-db", site.manager));
    for op in ["remote.describe=ok", "remote.put=ok", "remote.delete=ok"] {
        assert!(ops.iter().any(|o| o == op), "{op} audited: {ops:?}");
    }
    let audit = serde_json::to_string(
        &site
            .vault
            .audit_entries(None, 500)
            .unwrap()
            .iter()
            .map(|e| &e.detail)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(
        !audit.contains("pw-one") && !audit.contains("pw-two"),
        "no values audited"
    );
}

/// A remote of the same name without Coffer's tags stalls until adopted;
/// an oversize value or a name the service refuses stalls before sending.
pub async fn conflicts_and_limits_stall<K: KeyVault>(site: &mut Site<K>) {
    site.vault
        .add("api", SecretType::KeyValue, &[("token", "t-1")]);
    site.put_untagged("taken-name", "theirs").await;
    let d = site.deploy("api", "taken-name").await;
    assert_eq!(d.state, DeploymentState::Stalled);
    let reason = d.last_error.clone().unwrap();
    assert!(
        reason.contains("exists and is not managed by Coffer"),
        "{reason}"
    );
    assert_eq!(
        site.remote_value("taken-name").await,
        b"theirs",
        "left alone"
    );
    // Retry alone stalls again; adopting overwrites.
    site.vault.retry_deployment(d.id).unwrap();
    assert_eq!(site.run(d.id).await.state, DeploymentState::Stalled);
    site.vault.adopt_deployment(d.id).unwrap();
    let d = site.run(d.id).await;
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    assert_eq!(site.remote_value("taken-name").await, br#"{"token":"t-1"}"#);

    let limit = match site.kind {
        ManagerKind::Aws => 65_536,
        ManagerKind::Azure => 25 * 1024,
    };
    let big = "x".repeat(limit + 1);
    site.vault.add("big", SecretType::Data, &[("data", &big)]);
    let d = site.deploy("big", "too-big").await;
    assert_eq!(d.state, DeploymentState::Stalled);
    let reason = d.last_error.unwrap();
    assert!(reason.contains(&format!("{} bytes", limit + 1)), "{reason}");
    assert!(
        site.client.describe("too-big").await.unwrap().is_none(),
        "nothing was sent"
    );
    // Exactly at the limit goes through.
    site.vault
        .add("edge", SecretType::Data, &[("data", &big[..limit])]);
    assert_eq!(
        site.deploy("edge", "at-limit").await.state,
        DeploymentState::Available
    );

    // Decommissioning a stalled deployment never deletes someone else's secret.
    site.put_untagged("foreign", "not ours").await;
    let d = site.deploy("api", "foreign").await;
    assert_eq!(d.state, DeploymentState::Stalled);
    let confirm = format!("{}:foreign", site.manager);
    site.vault.decommission_deployment(d.id, &confirm).unwrap();
    assert_eq!(site.run(d.id).await.state, DeploymentState::End);
    assert_eq!(site.remote_value("foreign").await, b"not ours");

    let bad_name = match site.kind {
        ManagerKind::Aws => "bad!name",
        ManagerKind::Azure => "bad_name",
    };
    let d = site.deploy("big", bad_name).await;
    assert_eq!(d.state, DeploymentState::Stalled);
    assert!(d.last_error.unwrap().contains("not allowed"));
}

/// A push whose write landed but was never recorded (a crash, a cut
/// connection) is pushed again with the same token: no second remote
/// version.
pub async fn a_retried_push_makes_no_second_version<K: KeyVault>(site: &mut Site<K>) {
    site.vault
        .add("svc", SecretType::KeyValue, &[("key", "k-1")]);
    let target = site.target("coffer-svc");
    let d = site
        .vault
        .create_deployment(&named("svc"), &target)
        .unwrap();
    site.vault.begin_deployment(d.id).unwrap();
    // What the engine wrote before the process died.
    let meta = site.vault.get(&named("svc")).unwrap();
    let token = idempotency_token(&meta.id.to_string(), 1);
    let tags = Tags::from([
        (TAG_MANAGED_BY.to_owned(), MANAGED_BY_COFFER.to_owned()),
        (TAG_VAULT_ID.to_owned(), site.vault.id()),
        (TAG_SECRET_ID.to_owned(), meta.id.to_string()),
        (TAG_VERSION.to_owned(), token.clone()),
        (TAG_WRITE_ONLY.to_owned(), "false".to_owned()),
    ]);
    let first = site
        .client
        .put(WriteRequest {
            name: "coffer-svc",
            value: br#"{"key":"k-1"}"#,
            binary: false,
            tags: &tags,
            idempotency_token: &token,
        })
        .await
        .unwrap();
    let d = site
        .vault
        .fail_deployment(d.id, "connection reset", 3)
        .unwrap();
    assert_eq!(d.state, DeploymentState::UpdatingError);
    site.vault.retry_deployment(d.id).unwrap();
    let d = site.run(d.id).await;
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    assert_eq!(d.versions[0].remote_version, first.version);
    assert_eq!(site.client.versions("coffer-svc").await.unwrap().len(), 1);
}

/// The local secrets' names (all of them, oldest first) and the audit
/// entries of imports: what an import that failed must leave as it was.
fn local_state(vault: &Vault) -> (Vec<String>, usize) {
    let page = vault
        .list(&coffer_core::secret::SecretQuery::default())
        .expect("list");
    let imports = vault
        .audit_entries(None, 500)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "secret.import")
        .count();
    (page.items.into_iter().map(|m| m.name).collect(), imports)
}

fn items_for(names: &[&str]) -> Vec<ImportItem> {
    names
        .iter()
        .map(|name| ImportItem {
            remote_name: (*name).to_owned(),
            remote_id: None,
            local_name: format!("imported/{name}"),
            kind: None,
            description: "imported".into(),
        })
        .collect()
}

/// Import of several remote secrets in one action, all or none: one
/// deleted after browsing fails the import, naming it, and nothing is
/// imported; the same selection without it imports, a JSON object as
/// key/value and a string as data, with progress per item.
pub async fn import_many_with_one_gone<K: KeyVault>(site: &mut Site<K>) {
    for (name, value) in [
        (
            "legacy-db",
            r#"{"username":"app","password":"imp-pw","port":5432}"#,
        ),
        ("legacy-token", "imp-token-text"),
        ("legacy-gone", "soon deleted"),
    ] {
        site.put_untagged(name, value).await;
    }
    let page = site.client.list("legacy-", None, 10).await.unwrap();
    let mut listed: Vec<&str> = page.items.iter().map(|s| s.name.as_str()).collect();
    listed.sort_unstable();
    assert_eq!(listed, ["legacy-db", "legacy-gone", "legacy-token"]);
    site.client.delete("legacy-gone").await.unwrap();
    let before = local_state(&site.vault);
    let items = items_for(&["legacy-db", "legacy-gone", "legacy-token"]);
    let mut progress = Vec::new();
    let e = import_many(
        &mut site.vault,
        site.manager,
        &site.client,
        &items,
        &mut |p| progress.push((p.done, p.total, p.imported)),
    )
    .await
    .expect_err("one is gone");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    assert!(e.to_string().contains("legacy-gone"), "{e}");
    assert!(e.to_string().contains("nothing was imported"), "{e}");
    assert_eq!(progress, [(1, 3, true)], "progress up to the failure");
    assert_eq!(local_state(&site.vault), before, "nothing imported");
    assert!(site.vault.get(&named("imported/legacy-db")).is_err());

    let items: Vec<ImportItem> = page
        .items
        .iter()
        .filter(|s| s.name != "legacy-gone")
        .map(|s| ImportItem {
            remote_id: Some(s.remote_id.clone()),
            ..items_for(&[s.name.as_str()]).remove(0)
        })
        .collect();
    progress.clear();
    let outcomes = import_many(
        &mut site.vault,
        site.manager,
        &site.client,
        &items,
        &mut |p| progress.push((p.done, p.total, p.imported)),
    )
    .await
    .unwrap();
    assert_eq!(progress.len(), 2);
    assert_eq!(progress.last().map(|p| (p.0, p.1)), Some((2, 2)));
    assert!(
        outcomes
            .iter()
            .all(|o| o.secret.is_some() && o.error.is_none())
    );
    let db = site.vault.get(&named("imported/legacy-db")).unwrap();
    assert_eq!(db.kind, SecretType::KeyValue);
    assert_eq!(
        db.public_fields["keys"],
        serde_json::json!(["password", "port", "username"])
    );
    let token = site.vault.get(&named("imported/legacy-token")).unwrap();
    assert_eq!(token.kind, SecretType::Data);
    let revealed = site
        .vault
        .reveal(&named("imported/legacy-token"), Some("data"), None)
        .unwrap();
    assert_eq!(
        coffer_core::ExposeSecret::expose_secret(&revealed[0].value),
        b"imp-token-text"
    );
    let link = site
        .vault
        .remote_link(&named("imported/legacy-db"))
        .unwrap()
        .unwrap();
    assert_eq!(link.remote_name, "legacy-db");
    assert!(link.remote_version.is_some());
    let d = &site
        .vault
        .deployments_of_secret(&named("imported/legacy-db"))
        .unwrap()[0];
    assert!(d.brownfield && !d.managed);
    assert_eq!(d.state, DeploymentState::Available);
}

/// A failure in the middle of writing an import (the second item's local
/// name is taken, found only when it is written) leaves the vault as it
/// was: the first item is not kept, no link is recorded, no import is
/// audited; the value is in no error.
pub async fn import_is_all_or_nothing<K: KeyVault>(site: &mut Site<K>) {
    for (name, value) in [
        ("mid-a", "value-a-secret"),
        ("mid-b", "value-b-secret"),
        ("mid-c", "value-c-secret"),
    ] {
        site.put_untagged(name, value).await;
    }
    site.vault
        .add("imported/mid-b", SecretType::Data, &[("data", "local")]);
    let before = local_state(&site.vault);
    let mut progress = Vec::new();
    let e = import_many(
        &mut site.vault,
        site.manager,
        &site.client,
        &items_for(&["mid-a", "mid-b", "mid-c"]),
        &mut |p| progress.push(p.done),
    )
    .await
    .expect_err("the second name is taken");
    assert_eq!(e.code(), ErrorCode::AlreadyExists, "{e}");
    assert!(e.to_string().contains("imported/mid-b"), "{e}");
    assert!(!e.to_string().contains("value-b-secret"), "{e}");
    assert_eq!(progress, [1, 2, 3], "all were read and mapped first");
    assert_eq!(local_state(&site.vault), before, "the vault is unchanged");
    for name in ["imported/mid-a", "imported/mid-c"] {
        assert!(site.vault.get(&named(name)).is_err(), "{name} not kept");
    }
    assert!(
        site.vault
            .deployments_of_manager(site.manager)
            .unwrap()
            .is_empty(),
        "no link recorded"
    );
    let audit = audit_ops(&site.vault, site.manager);
    assert!(
        audit.iter().any(|a| a.starts_with("remote.import=failed")),
        "{audit:?}"
    );
}

/// A write-only secret deployed is tagged write-only remotely, and a vault
/// that imports it gets a write-only secret.
pub async fn write_only_stays_write_only<K: KeyVault>(site: &mut Site<K>, other: &mut TestVault) {
    let mut wo = new_secret(
        "wo",
        SecretType::BasicAuth,
        &[("username", "u"), ("password", "wo-pw")],
    );
    wo.write_only = true;
    site.vault.register(wo).unwrap();
    let d = site.deploy("wo", "coffer-wo").await;
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    let remote = site.client.describe("coffer-wo").await.unwrap().unwrap();
    assert_eq!(
        remote.tags.get(TAG_WRITE_ONLY).map(String::as_str),
        Some("true")
    );
    let item = ImportItem {
        remote_name: "coffer-wo".into(),
        remote_id: None,
        local_name: "wo-copy".into(),
        kind: Some(SecretType::BasicAuth),
        description: String::new(),
    };
    let outcomes = import_many(other, site.manager, &site.client, &[item], &mut |_| {})
        .await
        .unwrap();
    let meta = outcomes[0]
        .secret
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", outcomes[0].error));
    assert!(meta.write_only);
    let e = other.reveal(&named("wo-copy"), None, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::WriteOnly);
}

/// Binary data is sent as binary (AWS `SecretBinary`; Azure base64 with a
/// binary content type) and imports back as the same bytes.
pub async fn binary_data_round_trips<K: KeyVault>(site: &mut Site<K>, other: &mut TestVault) {
    let bytes: Vec<u8> = (0..=255u8).rev().collect();
    let data = coffer_core::secret::SecretData::from_fields(
        SecretType::Data,
        vec![(
            "data".to_owned(),
            coffer_core::secret::SecretBytes::from(bytes.clone()),
        )],
        &coffer_core::secret::Intake::default(),
    )
    .unwrap();
    site.vault
        .register(coffer_core::secret::NewSecret::new("blob", data))
        .unwrap();
    let d = site.deploy("blob", "coffer-blob").await;
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    let values = site
        .client
        .get_many(&["coffer-blob".to_owned()])
        .await
        .unwrap();
    assert!(values[0].binary);
    assert_eq!(&values[0].value[..], &bytes[..]);
    let item = ImportItem {
        remote_name: "coffer-blob".into(),
        remote_id: None,
        local_name: "blob-copy".into(),
        kind: None,
        description: String::new(),
    };
    let outcomes = import_many(other, site.manager, &site.client, &[item], &mut |_| {})
        .await
        .unwrap();
    assert!(outcomes[0].secret.is_some(), "{:?}", outcomes[0].error);
    let revealed = other
        .reveal(&named("blob-copy"), Some("data"), None)
        .unwrap();
    assert_eq!(
        coffer_core::ExposeSecret::expose_secret(&revealed[0].value),
        &bytes[..]
    );
}
